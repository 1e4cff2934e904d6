/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of src/procfs.c: whole-file reads below a root, the sysfs integer
 * reader, the strparse-style number and word parsers (which must leave the
 * cursor alone on failure) and the PSI parser, on node_exporter and PCP
 * pressure files and on hand-made input for the malformed cases.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "scratch.h"

#include "sizeup/procfs.h"
#include "sizeup/sample.h"

#define NODE FIXTURES "/node_exporter"
#define PCP_PSI1 FIXTURES "/pcp/pressure-root-001"
#define PCP_PSI2 FIXTURES "/pcp/pressure-root-002"

static void
test_procfs_read_whole_file(void **state)
{
	struct stat st;
	size_t len = 0;
	char *buf;

	(void)state;
	assert_int_equal(sz_procfs_read(NODE, "proc/net/snmp", &buf, &len),
	    SZ_OK);
	assert_int_equal(stat(NODE "/proc/net/snmp", &st), 0);
	assert_int_equal(len, (size_t)st.st_size);
	assert_int_equal(strlen(buf), len);
	assert_memory_equal(buf, "Ip: Forwarding DefaultTTL", 25);
	assert_non_null(strstr(buf, "Tcp: 1 200 120000 -1 3556 230"));
	free(buf);
}

static void
test_procfs_read_root_with_trailing_slash(void **state)
{
	char *buf;

	(void)state;
	assert_int_equal(sz_procfs_read(NODE "/", "sys/class/net/eth0/speed",
	    &buf, NULL), SZ_OK);
	assert_string_equal(buf, "1000\n");
	free(buf);
}

static void
test_procfs_read_missing_file(void **state)
{
	char dummy, *buf = &dummy;
	size_t len = 7;

	(void)state;
	assert_int_equal(sz_procfs_read(NODE, "proc/net/nope", &buf, &len),
	    SZ_ENOENT);
	assert_null(buf);
	assert_int_equal(len, 7);
	/* A path through a file (ENOTDIR) is missing too. */
	assert_int_equal(sz_procfs_read(NODE, "proc/net/dev/x", &buf, NULL),
	    SZ_ENOENT);
	assert_int_equal(sz_procfs_read(FIXTURES "/nope", "proc/net/dev", &buf,
	    NULL), SZ_ENOENT);
}

/* read() on a directory fails with EISDIR, as a sysfs attribute can. */
static void
test_procfs_read_error_is_eio(void **state)
{
	char *buf;

	(void)state;
	assert_int_equal(sz_procfs_read(NODE, "proc/net", &buf, NULL), SZ_EIO);
	assert_null(buf);
}

static void
test_procfs_read_over_cap(void **state)
{
	char *buf;

	(void)state;
	assert_int_equal(sz_procfs_read("/", "dev/zero", &buf, NULL),
	    SZ_ETOOBIG);
	assert_null(buf);
}

static void
test_procfs_read_empty_file(void **state)
{
	size_t len = 7;
	char *buf;

	scratch_write(*state, "empty", "");
	assert_int_equal(sz_procfs_read(*state, "empty", &buf, &len), SZ_OK);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

static void
test_procfs_read_i64_speed(void **state)
{
	int64_t v = 0;

	(void)state;
	assert_int_equal(sz_procfs_read_i64(NODE, "sys/class/net/eth0/speed",
	    &v), SZ_OK);
	assert_int_equal(v, 1000);
	assert_int_equal(sz_procfs_read_i64(NODE, "sys/class/net/bond0/speed",
	    &v), SZ_OK);
	assert_int_equal(v, -1);
	assert_int_equal(sz_procfs_read_i64(NODE, "sys/class/net/lo/speed",
	    &v), SZ_ENOENT);
}

static void
test_procfs_read_i64_rejects_junk(void **state)
{
	static const struct {
		const char *content;
		enum sz_err err;
	} cases[] = {
		{ "", SZ_EPARSE },
		{ "\n", SZ_EPARSE },
		{ "12abc\n", SZ_EPARSE },
		{ "12 13\n", SZ_EPARSE },
		{ "1000\n\n", SZ_EPARSE },
		{ "9223372036854775808\n", SZ_ERANGE },
	};
	int64_t v = 42;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		scratch_write(*state, "f", cases[i].content);
		assert_int_equal(sz_procfs_read_i64(*state, "f", &v),
		    cases[i].err);
		assert_int_equal(v, 42);
	}
	scratch_write(*state, "f", "\t-9223372036854775808 \n");
	assert_int_equal(sz_procfs_read_i64(*state, "f", &v), SZ_OK);
	assert_true(v == INT64_MIN);
	scratch_write(*state, "f", "25000");
	assert_int_equal(sz_procfs_read_i64(*state, "f", &v), SZ_OK);
	assert_int_equal(v, 25000);
}

/*
 * The live loopback device has no speed: Linux fails the read (EINVAL or
 * EOPNOTSUPP).  Skipped where sysfs is missing or answers anyway.
 */
static void
test_procfs_read_i64_live_unreadable(void **state)
{
	enum sz_err err;
	int64_t v = 42;

	(void)state;
	if (access("/sys/class/net/lo/speed", F_OK) != 0)
		skip();
	err = sz_procfs_read_i64("/", "sys/class/net/lo/speed", &v);
	if (err == SZ_OK)
		skip();
	assert_int_equal(err, SZ_EIO);
	assert_int_equal(v, 42);
}

static void
test_procfs_parse_u64_values(void **state)
{
	const char *p = "0  42\t18446744073709551615\n7";
	uint64_t v;

	(void)state;
	assert_int_equal(sz_parse_u64(&p, &v), SZ_OK);
	assert_int_equal(v, 0);
	assert_int_equal(sz_parse_u64(&p, &v), SZ_OK);
	assert_int_equal(v, 42);
	assert_int_equal(sz_parse_u64(&p, &v), SZ_OK);
	assert_true(v == UINT64_MAX);
	assert_string_equal(p, "\n7");
	/* Never crosses into the next line. */
	assert_int_equal(sz_parse_u64(&p, &v), SZ_EPARSE);
	assert_string_equal(p, "\n7");
}

static void
test_procfs_parse_u64_overflow(void **state)
{
	const char *in = " 18446744073709551616 1", *p = in;
	uint64_t v = 5;

	(void)state;
	assert_int_equal(sz_parse_u64(&p, &v), SZ_ERANGE);
	assert_ptr_equal(p, in);
	assert_int_equal(v, 5);
	p = "99999999999999999999999999";
	assert_int_equal(sz_parse_u64(&p, &v), SZ_ERANGE);
	assert_int_equal(v, 5);
}

static void
test_procfs_parse_u64_cursor_stays_on_failure(void **state)
{
	static const char *const bad[] = {
		"", "   ", "\n1", "-1", "+1", "12x", "1.5", "x12", "0x10",
	};
	const char *p;
	uint64_t v = 5;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		assert_int_equal(sz_parse_u64(&p, &v), SZ_EPARSE);
		assert_ptr_equal(p, bad[i]);
		assert_int_equal(v, 5);
	}
}

static void
test_procfs_parse_i64_limits(void **state)
{
	const char *p = "-1 9223372036854775807 -9223372036854775808 -0";
	const char *q;
	int64_t v;

	(void)state;
	assert_int_equal(sz_parse_i64(&p, &v), SZ_OK);
	assert_int_equal(v, -1);
	assert_int_equal(sz_parse_i64(&p, &v), SZ_OK);
	assert_true(v == INT64_MAX);
	assert_int_equal(sz_parse_i64(&p, &v), SZ_OK);
	assert_true(v == INT64_MIN);
	assert_int_equal(sz_parse_i64(&p, &v), SZ_OK);
	assert_int_equal(v, 0);
	assert_string_equal(p, "");

	v = 5;
	q = p = "9223372036854775808";
	assert_int_equal(sz_parse_i64(&p, &v), SZ_ERANGE);
	assert_ptr_equal(p, q);
	q = p = "-9223372036854775809";
	assert_int_equal(sz_parse_i64(&p, &v), SZ_ERANGE);
	assert_ptr_equal(p, q);
	q = p = "--1";
	assert_int_equal(sz_parse_i64(&p, &v), SZ_EPARSE);
	q = p = "- 1";
	assert_int_equal(sz_parse_i64(&p, &v), SZ_EPARSE);
	assert_ptr_equal(p, q);
	assert_int_equal(v, 5);
}

static void
test_procfs_parse_double_values(void **state)
{
	const char *p = "0.18 70.24\t-1.5 42 0.000001\n";
	double v;

	(void)state;
	/* Bit-exact: the same double strtod() gives in the C locale. */
	assert_int_equal(sz_parse_double(&p, &v), SZ_OK);
	assert_true(v == 0.18);
	assert_int_equal(sz_parse_double(&p, &v), SZ_OK);
	assert_true(v == 70.24);
	assert_int_equal(sz_parse_double(&p, &v), SZ_OK);
	assert_true(v == -1.5);
	assert_int_equal(sz_parse_double(&p, &v), SZ_OK);
	assert_true(v == 42.0);
	assert_int_equal(sz_parse_double(&p, &v), SZ_OK);
	assert_true(v == 0.000001);
	assert_string_equal(p, "\n");
}

static void
test_procfs_parse_double_cursor_stays_on_failure(void **state)
{
	static const char *const bad[] = {
		"", "1.", ".5", "1e5", "1,5", "0.18x", "1..2", "-", "nan",
		"\n0.5",
	};
	const char *p;
	double v = 5.0;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = bad[i];
		assert_int_equal(sz_parse_double(&p, &v), SZ_EPARSE);
		assert_ptr_equal(p, bad[i]);
	}
	p = "18446744073709551615.5";
	assert_int_equal(sz_parse_double(&p, &v), SZ_ERANGE);
	assert_true(v == 5.0);
}

static void
test_procfs_parse_word(void **state)
{
	const char *p = "  eth0 rest\n", *q;
	char w[8];

	(void)state;
	assert_int_equal(sz_parse_word(&p, w, sizeof(w)), SZ_OK);
	assert_string_equal(w, "eth0");
	assert_string_equal(p, " rest\n");
	assert_int_equal(sz_parse_word(&p, w, sizeof(w)), SZ_OK);
	assert_string_equal(w, "rest");
	q = p;
	assert_int_equal(sz_parse_word(&p, w, sizeof(w)), SZ_EPARSE);
	assert_ptr_equal(p, q);

	/* Truncated to fit, but the cursor passes the whole word. */
	p = "ListenOverflows 1";
	assert_int_equal(sz_parse_word(&p, w, 7), SZ_OK);
	assert_string_equal(w, "Listen");
	assert_string_equal(p, " 1");
}

static void
test_procfs_lines_and_blanks(void **state)
{
	const char *buf = "a\nb\n";

	(void)state;
	assert_string_equal(sz_next_line(buf), "b\n");
	assert_null(sz_next_line(sz_next_line(buf)));
	assert_null(sz_next_line("no newline"));
	assert_string_equal(sz_next_line("\n\nx"), "\nx");
	assert_string_equal(sz_skip_blanks(" \t x"), "x");
	assert_string_equal(sz_skip_blanks(" \n x"), "\n x");
}

static void
test_procfs_match_key(void **state)
{
	const char *p, *q;

	(void)state;
	p = "Tcp: RtoAlgorithm";
	assert_true(sz_match_key(&p, "Tcp"));
	assert_string_equal(p, " RtoAlgorithm");
	p = "some avg10=0.00";
	assert_true(sz_match_key(&p, "some"));
	assert_string_equal(p, " avg10=0.00");

	/* A longer key, a key at the end of the line, a prefix. */
	q = p = "TcpExt: SyncookiesSent";
	assert_false(sz_match_key(&p, "Tcp"));
	assert_ptr_equal(p, q);
	q = p = "Tcp\n";
	assert_false(sz_match_key(&p, "Tcp"));
	assert_ptr_equal(p, q);
	q = p = "Tc";
	assert_false(sz_match_key(&p, "Tcp"));
	assert_ptr_equal(p, q);
}

static void
load_psi(const char *root, const char *relpath, struct sz_psi *psi)
{
	char *buf;

	assert_int_equal(sz_procfs_read(root, relpath, &buf, NULL), SZ_OK);
	assert_int_equal(sz_procfs_parse_psi(buf, psi), SZ_OK);
	free(buf);
}

static void
test_procfs_psi_some_and_full(void **state)
{
	struct sz_psi psi;

	(void)state;
	load_psi(NODE, "proc/pressure/io", &psi);
	assert_true(psi.present);
	assert_true(psi.has_full);
	assert_int_equal(psi.some_total_us, 159886802);
	assert_int_equal(psi.full_total_us, 159229614);
	sz_assert_near(psi.some_avg10, 0.18, 1e-12);
	sz_assert_near(psi.full_avg10, 0.18, 1e-12);

	load_psi(PCP_PSI1, "proc/pressure/memory", &psi);
	assert_int_equal(psi.some_total_us, 3559632828u);
	assert_int_equal(psi.full_total_us, 3300487258u);
	sz_assert_near(psi.some_avg10, 70.24, 1e-12);
	sz_assert_near(psi.full_avg10, 57.59, 1e-12);

	load_psi(PCP_PSI2, "proc/pressure/cpu", &psi);
	assert_true(psi.has_full);
	assert_int_equal(psi.some_total_us, 424932863);
	assert_int_equal(psi.full_total_us, 387245317);
}

/* cpu before 5.13 has no "full" line. */
static void
test_procfs_psi_cpu_some_only(void **state)
{
	struct sz_psi psi;

	(void)state;
	load_psi(PCP_PSI1, "proc/pressure/cpu", &psi);
	assert_true(psi.present);
	assert_false(psi.has_full);
	assert_int_equal(psi.some_total_us, 157656722);
	sz_assert_near(psi.some_avg10, 2.04, 1e-12);
	assert_int_equal(psi.full_total_us, 0);
}

/* irq has only a "full" line; node_exporter's copy lacks the final newline. */
static void
test_procfs_psi_irq_full_only(void **state)
{
	struct sz_psi psi;

	(void)state;
	load_psi(NODE, "proc/pressure/irq", &psi);
	assert_true(psi.present);
	assert_true(psi.has_full);
	assert_int_equal(psi.full_total_us, 8494);
	assert_int_equal(psi.some_total_us, 0);

	load_psi(PCP_PSI2, "proc/pressure/irq", &psi);
	assert_int_equal(psi.full_total_us, 100648410);
}

static void
test_procfs_psi_malformed(void **state)
{
	static const char *const bad[] = {
		"",
		"\n",
		"hello\n",
		"some\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",
		/* truncated in the middle of a field */
		"some avg10=0.00 avg60=0.00 avg300=",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=12\n"
		"full avg10=0.00 avg60=0.",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-12\n",
		"some avg10=x avg60=0.00 avg300=0.00 total=12\n",
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=1\njunk\n",
		/* overflow */
		"some avg10=0.00 avg60=0.00 avg300=0.00 "
		"total=18446744073709551616\n",
	};
	struct sz_psi psi;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&psi, 0, sizeof(psi));
		assert_int_equal(sz_procfs_parse_psi(bad[i], &psi), SZ_EPARSE);
		assert_false(psi.present);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_procfs_read_whole_file),
		cmocka_unit_test(test_procfs_read_root_with_trailing_slash),
		cmocka_unit_test(test_procfs_read_missing_file),
		cmocka_unit_test(test_procfs_read_error_is_eio),
		cmocka_unit_test(test_procfs_read_over_cap),
		cmocka_unit_test_setup_teardown(test_procfs_read_empty_file,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test(test_procfs_read_i64_speed),
		cmocka_unit_test_setup_teardown(
		    test_procfs_read_i64_rejects_junk, scratch_setup, scratch_teardown),
		cmocka_unit_test(test_procfs_read_i64_live_unreadable),
		cmocka_unit_test(test_procfs_parse_u64_values),
		cmocka_unit_test(test_procfs_parse_u64_overflow),
		cmocka_unit_test(test_procfs_parse_u64_cursor_stays_on_failure),
		cmocka_unit_test(test_procfs_parse_i64_limits),
		cmocka_unit_test(test_procfs_parse_double_values),
		cmocka_unit_test(
		    test_procfs_parse_double_cursor_stays_on_failure),
		cmocka_unit_test(test_procfs_parse_word),
		cmocka_unit_test(test_procfs_lines_and_blanks),
		cmocka_unit_test(test_procfs_match_key),
		cmocka_unit_test(test_procfs_psi_some_and_full),
		cmocka_unit_test(test_procfs_psi_cpu_some_only),
		cmocka_unit_test(test_procfs_psi_irq_full_only),
		cmocka_unit_test(test_procfs_psi_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
