/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of config.c (rates, link capacities, thresholds, the INI file
 * reader on files written to a private temporary directory) and of
 * strsafe.c, the sanitizer every name from the host passes through before
 * it is shown.
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "scratch.h"
#include "sizeup/config.h"
#include "sizeup/strsafe.h"

#define FFFD "\xef\xbf\xbd"

/* ---- rates ---------------------------------------------------------- */

static void
rate_is(const char *s, double want)
{
	double v = -1;

	if (sz_parse_rate(s, &v) != SZ_OK)
		fail_msg("\"%s\" rejected", s);
	if (v != want)
		fail_msg("\"%s\" = %.17g, expected %.17g", s, v, want);
}

static void
rate_bad(const char *s)
{
	double v = 42;

	if (sz_parse_rate(s, &v) != SZ_EINVAL)
		fail_msg("\"%s\" accepted as %g", s, v);
	if (v != 42)
		fail_msg("\"%s\" changed the output on error", s);
}

static void
test_config_parse_rate(void **state)
{
	(void)state;
	rate_is("50mbit", 50e6);
	rate_is("1gbit", 1e9);
	rate_is("10g", 10e9);
	rate_is("2.5gbit", 2.5e9);
	rate_is("100m", 100e6);
	rate_is("64kbit", 64e3);
	rate_is("1tbit", 1e12);
	rate_is("1kbit", 1000);
	rate_is("1Gbit", 1e9);		/* units are case-insensitive */
	rate_is("25G", 25e9);
}

static void
test_config_parse_rate_rejects(void **state)
{
	(void)state;
	rate_bad("");
	rate_bad("fast");
	rate_bad("-1");
	rate_bad("-1gbit");
	rate_bad("0");
	rate_bad("0mbit");
	rate_bad("10q");
	rate_bad("1000000");	/* bits or bytes? a unit is required */
	rate_bad("1000bit");
	rate_bad("0.5kbit");	/* below any real link */
	rate_bad("10 mbit");
	rate_bad("10mbit ");
	rate_bad("mbit");
	rate_bad("1gbps");
	rate_bad("nan");
	rate_bad("inf");
	rate_bad("infgbit");
	rate_bad("1e999");
	rate_bad("1.5.5g");
}

/* ---- links ---------------------------------------------------------- */

static void
test_config_add_link(void **state)
{
	struct sz_config cfg;

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_add_link(&cfg, "eth0=1gbit"), SZ_OK);
	assert_int_equal(sz_config_add_link(&cfg, "wan0=50mbit"), SZ_OK);
	assert_int_equal(cfg.nlinks, 2);
	sz_assert_near(sz_config_link_speed(&cfg, "eth0"), 1e9, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "wan0"), 50e6, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "eth1"), 0, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "eth"), 0, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "eth00"), 0, 0);

	/* the same interface again replaces its capacity */
	assert_int_equal(sz_config_add_link(&cfg, "eth0=100m"), SZ_OK);
	assert_int_equal(cfg.nlinks, 2);
	sz_assert_near(sz_config_link_speed(&cfg, "eth0"), 100e6, 0);
	sz_config_fini(&cfg);
}

/*
 * IF=RATE splits at the last '=': a rate never holds one, while Linux
 * allows '=' in an interface name (dev_valid_name() refuses only '/', ':'
 * and white space).  A ':' is no separator at all.
 */
static void
test_config_add_link_splits_at_last_equals(void **state)
{
	struct sz_config cfg;

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_add_link(&cfg, "eth0:1=10g"), SZ_OK);
	sz_assert_near(sz_config_link_speed(&cfg, "eth0:1"), 10e9, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "eth0"), 0, 0);
	assert_int_equal(sz_config_add_link(&cfg, "br=lan=5g"), SZ_OK);
	sz_assert_near(sz_config_link_speed(&cfg, "br=lan"), 5e9, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "br"), 0, 0);
	assert_int_equal(cfg.nlinks, 2);
	sz_config_fini(&cfg);
}

static void
test_config_add_link_rejects(void **state)
{
	struct sz_config cfg;
	char name[80];

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_add_link(&cfg, "eth0"), SZ_EINVAL);
	assert_int_equal(sz_config_add_link(&cfg, "=1g"), SZ_EINVAL);
	assert_int_equal(sz_config_add_link(&cfg, "eth0="), SZ_EINVAL);
	assert_int_equal(sz_config_add_link(&cfg, "eth0=fast"), SZ_EINVAL);
	/* a name must fit links[].name with its NUL: 63 bytes, not 64 */
	memset(name, 'n', 64);
	strcpy(name + 64, "=1g");
	assert_int_equal(sz_config_add_link(&cfg, name), SZ_EINVAL);
	assert_int_equal(cfg.nlinks, 0);
	strcpy(name + 63, "=1g");
	assert_int_equal(sz_config_add_link(&cfg, name), SZ_OK);
	name[63] = '\0';
	sz_assert_near(sz_config_link_speed(&cfg, name), 1e9, 0);
	sz_config_fini(&cfg);
}

/* SZ_MAX_LINKS links fit; one more is refused, a replacement is not. */
static void
test_config_add_link_overflow(void **state)
{
	struct sz_config cfg;
	char spec[32];
	int i;

	(void)state;
	sz_config_init(&cfg);
	for (i = 0; i < SZ_MAX_LINKS; i++) {
		snprintf(spec, sizeof(spec), "veth%d=%dm", i, i + 1);
		assert_int_equal(sz_config_add_link(&cfg, spec), SZ_OK);
	}
	assert_int_equal(cfg.nlinks, SZ_MAX_LINKS);
	assert_int_equal(sz_config_add_link(&cfg, "one_more=1g"), SZ_ETOOBIG);
	assert_int_equal(cfg.nlinks, SZ_MAX_LINKS);
	sz_assert_near(sz_config_link_speed(&cfg, "one_more"), 0, 0);
	assert_int_equal(sz_config_add_link(&cfg, "veth7=10g"), SZ_OK);
	sz_assert_near(sz_config_link_speed(&cfg, "veth7"), 10e9, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "veth31"), 32e6, 0);
	sz_config_fini(&cfg);
}

/* ---- thresholds ----------------------------------------------------- */

static void
test_config_defaults(void **state)
{
	struct sz_config cfg;
	const struct sz_threshold_def *d;
	size_t n = 0;

	(void)state;
	sz_config_init(&cfg);
	sz_assert_near(cfg.th.bound, 0.70, 0);
	sz_assert_near(cfg.th.cpu_util, 0.90, 0);
	sz_assert_near(cfg.th.cpu_thread, 0.90, 0);
	sz_assert_near(cfg.th.io_util, 0.90, 0);
	sz_assert_near(cfg.th.net_util, 0.85, 0);
	sz_assert_near(cfg.th.net_min_pkts_per_s, 100, 0);
	assert_null(cfg.pg_conninfo);
	assert_null(cfg.log_dir);
	assert_int_equal(cfg.nlinks, 0);
	/* every field of struct sz_thresholds has one row, with a reason */
	for (d = sz_threshold_table; d->name != NULL; d++, n++) {
		assert_true(d->def > 0);
		assert_true(d->why != NULL && strlen(d->why) > 10);
		assert_true(d->offset % sizeof(double) == 0);
	}
	assert_int_equal(n, sizeof(struct sz_thresholds) / sizeof(double));
	sz_config_fini(&cfg);
}

static void
test_config_set_threshold(void **state)
{
	struct sz_config cfg;

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_set_threshold(&cfg, "cpu_thread", "0.75"),
	    SZ_OK);
	sz_assert_near(cfg.th.cpu_thread, 0.75, 0);
	assert_int_equal(sz_config_set_threshold(&cfg, "mem_refault_per_s",
	    "2e3"), SZ_OK);
	sz_assert_near(cfg.th.mem_refault_per_s, 2000, 0);
	assert_int_equal(sz_config_set_threshold(&cfg, "bound", "0.8 "),
	    SZ_OK);
	sz_assert_near(cfg.th.bound, 0.8, 0);
	sz_config_fini(&cfg);
}

static void
test_config_set_threshold_rejects(void **state)
{
	static const char *const bad[] = { "", " ", "abc", "0", "-0.5",
		"0.5x", "nan", "inf", "-inf", "1e999", "0x", NULL };
	struct sz_config cfg;
	size_t i;

	(void)state;
	sz_config_init(&cfg);
	for (i = 0; bad[i] != NULL; i++) {
		if (sz_config_set_threshold(&cfg, "cpu_util", bad[i]) !=
		    SZ_EINVAL)
			fail_msg("cpu_util = \"%s\" accepted", bad[i]);
	}
	sz_assert_near(cfg.th.cpu_util, 0.90, 0);
	assert_int_equal(sz_config_set_threshold(&cfg, "cpu_utilization",
	    "0.5"), SZ_EINVAL);
	assert_int_equal(sz_config_set_threshold(&cfg, "", "0.5"), SZ_EINVAL);
	assert_int_equal(sz_config_set_threshold(&cfg, "CPU_UTIL", "0.5"),
	    SZ_EINVAL);
	/* a score is a fraction: a bound of 1 or more would never bind */
	assert_int_equal(sz_config_set_threshold(&cfg, "bound", "1"),
	    SZ_ERANGE);
	assert_int_equal(sz_config_set_threshold(&cfg, "bound", "70"),
	    SZ_ERANGE);
	sz_assert_near(cfg.th.bound, 0.70, 0);
	/* a share written as a percentage could never be reached */
	assert_int_equal(sz_config_set_threshold(&cfg, "cpu_util", "90"),
	    SZ_ERANGE);
	assert_int_equal(sz_config_set_threshold(&cfg, "cpu_util", "1"),
	    SZ_OK);
	/* counts and rates have no upper limit */
	assert_int_equal(sz_config_set_threshold(&cfg, "mem_refault_per_s",
	    "50000"), SZ_OK);
	sz_config_fini(&cfg);
}

/* ---- the config file ------------------------------------------------ */

static char tmpdir[64];

static int
make_tmpdir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/sizeup-test-config.XXXXXX");
	return mkdtemp(tmpdir) != NULL ? 0 : -1;
}

static int
remove_tmpdir(void **state)
{
	(void)state;
	return scratch_remove(tmpdir);
}

/* Write text to tmpdir/name; returns the path in a static buffer. */
static const char *
write_conf(const char *name, const char *text)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	return path;
}

static void
test_config_load(void **state)
{
	struct sz_config cfg;
	char msg[128];
	int line = -1;
	const char *path = write_conf("ok.conf",
	    "# sizeup.conf\n"
	    "; both comment styles\n"
	    "[thresholds]\n"
	    "bound = 0.6\n"
	    "cpu_util = 0.8\n"
	    "net_min_pkts_per_s = 50\n"
	    "\n"
	    "[links]\n"
	    "eth0 = 1gbit\n"
	    "wan0 = 50mbit\n"
	    "\n"
	    "[postgresql]\n"
	    "conninfo = host=db1 port=5432 dbname=app user=monitor\n"
	    "\n"
	    "[record]\n"
	    "dir = /var/tmp/sizeup logs\n");

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_load(&cfg, path, &line, msg, sizeof(msg)),
	    SZ_OK);
	assert_int_equal(line, 0);
	assert_string_equal(msg, "");
	sz_assert_near(cfg.th.bound, 0.6, 0);
	sz_assert_near(cfg.th.cpu_util, 0.8, 0);
	sz_assert_near(cfg.th.net_min_pkts_per_s, 50, 0);
	sz_assert_near(cfg.th.io_util, 0.90, 0);	/* untouched */
	assert_int_equal(cfg.nlinks, 2);
	sz_assert_near(sz_config_link_speed(&cfg, "eth0"), 1e9, 0);
	sz_assert_near(sz_config_link_speed(&cfg, "wan0"), 50e6, 0);
	assert_string_equal(cfg.pg_conninfo,
	    "host=db1 port=5432 dbname=app user=monitor");
	assert_string_equal(cfg.log_dir, "/var/tmp/sizeup logs");

	/* a second file overrides strings without leaking the first */
	path = write_conf("again.conf",
	    "[postgresql]\n"
	    "conninfo = postgresql://monitor@db2:5433/app\n"
	    "[links]\n"
	    "eth0 = 10g\n");
	assert_int_equal(sz_config_load(&cfg, path, &line, msg, sizeof(msg)),
	    SZ_OK);
	assert_string_equal(cfg.pg_conninfo,
	    "postgresql://monitor@db2:5433/app");
	assert_string_equal(cfg.log_dir, "/var/tmp/sizeup logs");
	sz_assert_near(sz_config_link_speed(&cfg, "eth0"), 10e9, 0);
	assert_int_equal(cfg.nlinks, 2);
	sz_config_fini(&cfg);
	assert_null(cfg.pg_conninfo);
}

/* Expect SZ_EINVAL at line want_line with a message containing part. */
static void
load_fails(const char *name, const char *text, int want_line,
    const char *part)
{
	struct sz_config cfg;
	char msg[128];
	int line = -1;
	const char *path = write_conf(name, text);
	enum sz_err err;

	sz_config_init(&cfg);
	err = sz_config_load(&cfg, path, &line, msg, sizeof(msg));
	sz_config_fini(&cfg);
	if (err != SZ_EINVAL)
		fail_msg("%s: %s, expected EINVAL", name, sz_errname(err));
	if (line != want_line)
		fail_msg("%s: line %d, expected %d (%s)", name, line,
		    want_line, msg);
	if (strstr(msg, part) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", name, msg, part);
}

static void
test_config_load_rejects(void **state)
{
	(void)state;
	load_fails("unknown.conf",
	    "[thresholds]\n"
	    "cpu_util = 0.8\n"
	    "cpu_utilisation = 0.8\n", 3, "cpu_utilisation: unknown key");
	load_fails("section.conf",
	    "[thresholds]\n"
	    "cpu_util = 0.8\n"
	    "[threshold]\n"
	    "cpu_util = 0.8\n", 4, "[threshold]: unknown section");
	load_fails("nosection.conf",
	    "cpu_util = 0.8\n", 1, "cpu_util: a key outside any section");
	load_fails("percent.conf",
	    "[thresholds]\n"
	    "cpu_util = 90\n", 2, "a fraction, not a percentage");
	load_fails("bound.conf",
	    "[thresholds]\n"
	    "bound = 1.5\n", 2, "above 0 and below 1");
	load_fails("section.conf",
	    "[thresholds]\n"
	    "bound = 0.7\n"
	    "[tresholds]\n"
	    "bound = 0.7\n", 4, "tresholds");
	load_fails("badval.conf",
	    "[links]\n"
	    "eth0 = fast\n", 2, "eth0");
	load_fails("nolinks.conf",
	    "[postgresql]\n"
	    "password = secret\n", 2, "password");
	load_fails("syntax.conf",
	    "[thresholds]\n"
	    "bound = 0.7\n"
	    "this line has no equals sign\n", 3, "syntax");
	/* the message belongs to the line reported: the first bad one */
	load_fails("both.conf",
	    "[thresholds]\n"
	    "no equals sign here\n"
	    "\n"
	    "cpu_utilisation = 0.8\n", 2, "syntax");
}

static void
test_config_load_too_many_links(void **state)
{
	char text[4096];
	size_t n = 0;
	int i;

	(void)state;
	n += (size_t)snprintf(text + n, sizeof(text) - n, "[links]\n");
	for (i = 0; i <= SZ_MAX_LINKS; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n,
		    "veth%d = 1g\n", i);
	load_fails("toomany.conf", text, SZ_MAX_LINKS + 2, "more than");
}

static void
test_config_load_missing_file(void **state)
{
	struct sz_config cfg;
	char msg[128], path[128];
	int line = -1;

	(void)state;
	snprintf(path, sizeof(path), "%s/no-such.conf", tmpdir);
	sz_config_init(&cfg);
	assert_int_equal(sz_config_load(&cfg, path, &line, msg, sizeof(msg)),
	    SZ_ENOENT);
	assert_int_equal(line, 0);
	assert_true(strlen(msg) > 0);
	sz_assert_near(cfg.th.bound, 0.70, 0);
	sz_config_fini(&cfg);
}

/* A directory opens but cannot be read: that is no empty config. */
static void
test_config_load_directory(void **state)
{
	struct sz_config cfg;
	char msg[128], path[128];
	int line = -1;
	enum sz_err err;

	(void)state;
	snprintf(path, sizeof(path), "%s/adir", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	sz_config_init(&cfg);
	err = sz_config_load(&cfg, path, &line, msg, sizeof(msg));
	assert_int_not_equal(err, SZ_OK);
	assert_int_equal(line, 0);
	assert_true(strlen(msg) > 0);
	sz_config_fini(&cfg);
}

static void
test_config_load_unreadable(void **state)
{
	struct sz_config cfg;
	char msg[128];
	int line = -1;
	const char *path;

	(void)state;
	if (geteuid() == 0)
		skip();		/* root reads anything */
	path = write_conf("noread.conf", "[thresholds]\nbound = 0.5\n");
	assert_int_equal(chmod(path, 0), 0);
	sz_config_init(&cfg);
	assert_int_equal(sz_config_load(&cfg, path, &line, msg, sizeof(msg)),
	    SZ_EACCES);
	sz_assert_near(cfg.th.bound, 0.70, 0);
	sz_config_fini(&cfg);
}

/* ---- strsafe -------------------------------------------------------- */

static void
sanitized_is(const char *src, size_t dstsz, const char *want)
{
	char buf[256];

	memset(buf, '#', sizeof(buf));
	assert_ptr_equal(sz_str_sanitize(buf, dstsz, src), buf);
	if (strcmp(buf, want) != 0)
		fail_msg("\"%s\" became \"%s\", expected \"%s\"", src, buf,
		    want);
	assert_true(strlen(buf) < dstsz);
}

static void
test_strsafe_plain_text_unchanged(void **state)
{
	(void)state;
	sanitized_is("", 64, "");
	sanitized_is("postgres: checkpointer", 64, "postgres: checkpointer");
	sanitized_is("quote\" back\\slash", 64, "quote\" back\\slash");
	sanitized_is("h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e", 64,
	    "h\xc3\xa9llo \xe2\x82\xac \xf0\x9d\x84\x9e");
	/* the last scalar values of each length */
	sanitized_is("\xc2\xa0\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf", 64,
	    "\xc2\xa0\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf");
}

static void
test_strsafe_controls_escaped(void **state)
{
	(void)state;
	sanitized_is("a\x01z", 64, "a\\x01z");
	sanitized_is("\x1b[2J", 64, "\\x1b[2J");
	sanitized_is("new\nline\r\t", 64, "new\\x0aline\\x0d\\x09");
	sanitized_is("del\x7f", 64, "del\\x7f");
	sanitized_is("\x1f", 64, "\\x1f");
}

static void
test_strsafe_invalid_utf8_replaced(void **state)
{
	(void)state;
	sanitized_is("\xff", 64, FFFD);
	sanitized_is("bad\xff\xc3\x28", 64, "bad" FFFD FFFD "(");
	/* a lone continuation byte; a sequence cut short by the end */
	sanitized_is("\x80x", 64, FFFD "x");
	sanitized_is("ab\xe2\x82", 64, "ab" FFFD FFFD);
	sanitized_is("\xe2\x82z", 64, FFFD FFFD "z");
	sanitized_is("\xf8\x88\x80\x80\x80", 64, FFFD FFFD FFFD FFFD FFFD);
	sanitized_is("\xfe\xff", 64, FFFD FFFD);
}

/* Shortest form only: overlong encodings of '/' and NUL are rejected. */
static void
test_strsafe_overlong_rejected(void **state)
{
	(void)state;
	sanitized_is("\xc0\xaf", 64, FFFD FFFD);
	sanitized_is("\xc1\xbf", 64, FFFD FFFD);
	sanitized_is("\xc0\x80", 64, FFFD FFFD);
	sanitized_is("\xe0\x80\xaf", 64, FFFD FFFD FFFD);
	sanitized_is("\xe0\x9f\xbf", 64, FFFD FFFD FFFD);
	sanitized_is("\xf0\x80\x80\xaf", 64, FFFD FFFD FFFD FFFD);
	sanitized_is("\xf0\x8f\xbf\xbf", 64, FFFD FFFD FFFD FFFD);
	/* the shortest forms themselves pass */
	sanitized_is("\xe0\xa0\x80", 64, "\xe0\xa0\x80");
	sanitized_is("\xf0\x90\x80\x80", 64, "\xf0\x90\x80\x80");
}

/* UTF-16 surrogates and code points past U+10FFFF are no characters. */
static void
test_strsafe_surrogates_rejected(void **state)
{
	(void)state;
	sanitized_is("\xed\xa0\x80", 64, FFFD FFFD FFFD);
	sanitized_is("\xed\xbf\xbf", 64, FFFD FFFD FFFD);
	sanitized_is("\xed\xa0\xbd\xed\xb8\x80", 64,
	    FFFD FFFD FFFD FFFD FFFD FFFD);	/* CESU-8 of U+1F600 */
	sanitized_is("\xed\x9f\xbf", 64, "\xed\x9f\xbf");	/* U+D7FF */
	sanitized_is("\xf4\x90\x80\x80", 64, FFFD FFFD FFFD FFFD);
	sanitized_is("\xf5\x80\x80\x80", 64, FFFD FFFD FFFD FFFD);
}

/* U+0080..U+009F are valid UTF-8 but terminal controls (C1 CSI...). */
static void
test_strsafe_c1_controls_removed(void **state)
{
	char buf[64];

	(void)state;
	sz_str_sanitize(buf, sizeof(buf), "a\xc2\x9b" "2Jz");
	assert_null(strstr(buf, "\xc2\x9b"));
	assert_null(strchr(buf, '\x9b'));
	assert_true(strncmp(buf, "a" FFFD, 4) == 0);
	assert_true(strcmp(buf + strlen(buf) - 3, "2Jz") == 0);
	sz_str_sanitize(buf, sizeof(buf), "\xc2\x80\xc2\x9f");
	assert_null(strchr(buf, '\x80'));
	assert_null(strchr(buf, '\x9f'));
	/* U+00A0 right after the C1 range is a character */
	sanitized_is("\xc2\xa0", 64, "\xc2\xa0");
}

/*
 * Bidi controls reorder the text around them unseen ("Trojan Source"):
 * each of the twelve is spelled out as \uNNNN, wherever it stands.
 */
static void
test_strsafe_bidi_controls_escaped(void **state)
{
	(void)state;
	/* RLO makes "x<RLO>gnp.sh" show as "xhs.png" */
	sanitized_is("x\xe2\x80\xae" "gnp.sh", 64, "x\\u202egnp.sh");
	sanitized_is("\xe2\x80\xae", 64, "\\u202e");
	sanitized_is("ab\xe2\x80\xae", 64, "ab\\u202e");
	sanitized_is("\xe2\x80\xae\xe2\x80\xae", 64, "\\u202e\\u202e");
	sanitized_is("\xd8\x9c", 64, "\\u061c");		/* ALM */
	sanitized_is("\xe2\x80\x8e", 64, "\\u200e");	/* LRM */
	sanitized_is("\xe2\x80\x8f", 64, "\\u200f");	/* RLM */
	sanitized_is("\xe2\x80\xaa", 64, "\\u202a");	/* LRE */
	sanitized_is("\xe2\x80\xab", 64, "\\u202b");	/* RLE */
	sanitized_is("\xe2\x80\xac", 64, "\\u202c");	/* PDF */
	sanitized_is("\xe2\x80\xad", 64, "\\u202d");	/* LRO */
	sanitized_is("\xe2\x81\xa6", 64, "\\u2066");	/* LRI */
	sanitized_is("\xe2\x81\xa7", 64, "\\u2067");	/* RLI */
	sanitized_is("\xe2\x81\xa8", 64, "\\u2068");	/* FSI */
	sanitized_is("\xe2\x81\xa9", 64, "\\u2069");	/* PDI */
	sanitized_is("a\xe2\x81\xa6" "b\xe2\x80\x8f" "c\xd8\x9c" "d", 64,
	    "a\\u2066b\\u200fc\\u061cd");
	/* beside the other kinds of bad byte */
	sanitized_is("\x1b\xe2\x80\xae\xff\xc2\x9b", 64,
	    "\\x1b\\u202e" FFFD FFFD FFFD);
	/* an invalid sequence that starts like RLO is not one */
	sanitized_is("\xe2\x80" "a", 64, FFFD FFFD "a");
}

/* The characters next to the bidi controls are ordinary text. */
static void
test_strsafe_bidi_neighbours_unchanged(void **state)
{
	(void)state;
	/* U+2010 HYPHEN, U+202F NARROW NO-BREAK SPACE */
	sanitized_is("a\xe2\x80\x90" "b", 64, "a\xe2\x80\x90" "b");
	sanitized_is("1\xe2\x80\xaf" "kB", 64, "1\xe2\x80\xaf" "kB");
	/* U+061B and U+061D around ALM, U+200D ZWJ before LRM */
	sanitized_is("\xd8\x9b\xd8\x9d", 64, "\xd8\x9b\xd8\x9d");
	sanitized_is("\xe2\x80\x8d", 64, "\xe2\x80\x8d");
	/* U+2065 and U+206A around LRI..PDI */
	sanitized_is("\xe2\x81\xa5\xe2\x81\xaa", 64,
	    "\xe2\x81\xa5\xe2\x81\xaa");
}

/*
 * An escaped bidi control is one six-byte piece: a buffer one byte short
 * of it ends the output before it, though the raw three bytes would fit,
 * and nothing after it is copied either.
 */
static void
test_strsafe_bidi_truncation_never_splits(void **state)
{
	(void)state;
	sanitized_is("ab\xe2\x80\xae", 9, "ab\\u202e");
	sanitized_is("ab\xe2\x80\xae", 8, "ab");
	sanitized_is("ab\xe2\x80\xae", 6, "ab");
	sanitized_is("ab\xe2\x80\xae", 3, "ab");
	sanitized_is("ab\xe2\x80\xae", 2, "a");
	sanitized_is("\xe2\x80\xae", 7, "\\u202e");
	sanitized_is("\xe2\x80\xae", 6, "");
	sanitized_is("\xe2\x80\xae", 4, "");
	sanitized_is("a\xe2\x80\xae" "b", 9, "a\\u202eb");
	sanitized_is("a\xe2\x80\xae" "b", 8, "a\\u202e");
	sanitized_is("a\xe2\x80\xae" "b", 7, "a");
	sanitized_is("x\xd8\x9c", 8, "x\\u061c");
	sanitized_is("x\xd8\x9c", 7, "x");
	sanitized_is("x\xd8\x9c", 4, "x");
}

/* Truncation stops before a piece that does not fit, never inside it. */
static void
test_strsafe_truncation_never_splits(void **state)
{
	char buf[8];

	(void)state;
	sanitized_is("abcd", 5, "abcd");
	sanitized_is("abcde", 5, "abcd");
	sanitized_is("\xc3\xa9\xc3\xa9\xc3\xa9", 6, "\xc3\xa9\xc3\xa9");
	sanitized_is("a\xc3\xa9\xc3\xa9", 5, "a\xc3\xa9");
	sanitized_is("\xe2\x82\xac\xe2\x82\xac", 6, "\xe2\x82\xac");
	sanitized_is("\xf0\x9f\x98\x80", 4, "");
	sanitized_is("\xf0\x9f\x98\x80", 5, "\xf0\x9f\x98\x80");
	sanitized_is("ab\x01", 5, "ab");	/* "\x01" needs 4 bytes */
	sanitized_is("ab\x01", 7, "ab\\x01");
	sanitized_is("a\xff", 4, "a");		/* U+FFFD needs 3 */
	sanitized_is("abc", 1, "");
	/* no room at all: dst is left alone */
	memset(buf, 'k', sizeof(buf));
	assert_ptr_equal(sz_str_sanitize(buf, 0, "abc"), buf);
	assert_int_equal(buf[0], 'k');
}

/* out fits its dstsz-byte buffer and is safe text. */
static void
assert_safe(const char *out, size_t dstsz)
{
	if (strlen(out) >= dstsz)
		fail_msg("output of %zu bytes in a %zu-byte buffer",
		    strlen(out), dstsz);
	smp_assert_safe_text(out, false);
}

/*
 * Every string of one or two bytes, and pseudo-random strings of up to
 * eight bytes biased towards UTF-8 lead and continuation bytes (those of
 * U+061C, U+202E and U+2066 among them), come out as safe text, in
 * full-size and in cramped buffers.
 */
static void
test_strsafe_any_input_gives_safe_text(void **state)
{
	static const unsigned char pick[] = { 0x00, 0x01, 0x1b, 0x41, 0x7f,
		0x80, 0x81, 0x9b, 0x9c, 0xa0, 0xa6, 0xae, 0xbf, 0xc0, 0xc2,
		0xd8, 0xdf, 0xe0, 0xe2, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff };
	unsigned char src[9];
	char out[64];
	unsigned int a, b, seed = 12345;
	size_t i, len, sz;
	long k;

	(void)state;
	for (a = 1; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			src[0] = (unsigned char)a;
			src[1] = (unsigned char)b;
			src[2] = '\0';
			sz_str_sanitize(out, sizeof(out), (char *)src);
			assert_safe(out, sizeof(out));
			if (a >= 0x20 && a < 0x7f && b >= 0x20 && b < 0x7f)
				assert_string_equal(out, (char *)src);
		}
	}
	for (k = 0; k < 200000; k++) {
		seed = seed * 1103515245u + 12345u;
		len = 1 + (seed >> 16) % 8;
		for (i = 0; i < len; i++) {
			seed = seed * 1103515245u + 12345u;
			src[i] = pick[(seed >> 16) % sizeof(pick)];
			if (src[i] == 0)
				src[i] = (unsigned char)(seed >> 8 | 0x80);
		}
		src[len] = '\0';
		sz = 1 + (size_t)(seed >> 4) % 12;
		sz_str_sanitize(out, sz, (char *)src);
		assert_safe(out, sz);
		sz_str_sanitize(out, sizeof(out), (char *)src);
		assert_safe(out, sizeof(out));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_parse_rate),
		cmocka_unit_test(test_config_parse_rate_rejects),
		cmocka_unit_test(test_config_add_link),
		cmocka_unit_test(test_config_add_link_splits_at_last_equals),
		cmocka_unit_test(test_config_add_link_rejects),
		cmocka_unit_test(test_config_add_link_overflow),
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_set_threshold),
		cmocka_unit_test(test_config_set_threshold_rejects),
		cmocka_unit_test(test_config_load),
		cmocka_unit_test(test_config_load_rejects),
		cmocka_unit_test(test_config_load_too_many_links),
		cmocka_unit_test(test_config_load_missing_file),
		cmocka_unit_test(test_config_load_directory),
		cmocka_unit_test(test_config_load_unreadable),
		cmocka_unit_test(test_strsafe_plain_text_unchanged),
		cmocka_unit_test(test_strsafe_controls_escaped),
		cmocka_unit_test(test_strsafe_invalid_utf8_replaced),
		cmocka_unit_test(test_strsafe_overlong_rejected),
		cmocka_unit_test(test_strsafe_surrogates_rejected),
		cmocka_unit_test(test_strsafe_c1_controls_removed),
		cmocka_unit_test(test_strsafe_bidi_controls_escaped),
		cmocka_unit_test(test_strsafe_bidi_neighbours_unchanged),
		cmocka_unit_test(test_strsafe_bidi_truncation_never_splits),
		cmocka_unit_test(test_strsafe_truncation_never_splits),
		cmocka_unit_test(test_strsafe_any_input_gives_safe_text),
	};

	return cmocka_run_group_tests(tests, make_tmpdir, remove_tmpdir);
}
