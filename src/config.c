/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: the one table of analyzer thresholds with their defaults
 * and where each default comes from, link capacities, and the INI file
 * reader (inih does the syntax; this file only maps keys to fields).
 */
#include "config.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sizeup/config.h"
#include "sizeup/xmalloc.h"

#define TH(field) offsetof(struct sz_thresholds, field)

/*
 * Every metric scores exactly `bound` when it reaches its threshold, so the
 * thresholds below are the points at which established tools start to call
 * a resource a problem.
 */
const struct sz_threshold_def sz_threshold_table[] = {
	{ "bound", TH(bound), 0.70,
	    "score at which a resource is called a bottleneck", 1 },
	{ "cpu_util", TH(cpu_util), 0.90,
	    "atop cpucritperc 90; USE method: sustained >90% busy", 1 },
	{ "cpu_runq_per_cpu", TH(cpu_runq_per_cpu), 1.5,
	    "vmstat r above the core count means waiting (Gregg, USE)", 0 },
	{ "cpu_psi_some", TH(cpu_psi_some), 0.20,
	    "tasks waited for a CPU a fifth of the time (PSI docs)", 1 },
	{ "cpu_thread", TH(cpu_thread), 0.90,
	    "one thread at 90% of a core cannot go faster by itself", 1 },
	{ "cpu_steal", TH(cpu_steal), 0.10,
	    "10% stolen time: the hypervisor is short of CPU", 1 },
	{ "cpu_cgroup_throttled", TH(cpu_cgroup_throttled), 0.25,
	    "a quota throttles a quarter of its periods (kubernetes-mixin "
	    "CPUThrottlingHigh alerts at 25%)", 1 },
	{ "mem_used", TH(mem_used), 0.95,
	    "MemAvailable under 5% of MemTotal (netdata ram_available)", 1 },
	{ "mem_psi_some", TH(mem_psi_some), 0.10,
	    "10% of time stalled on memory (PSI docs, oomd)", 1 },
	{ "mem_psi_full", TH(mem_psi_full), 0.05,
	    "5% of time with every task stalled on memory", 1 },
	{ "mem_refault_per_s", TH(mem_refault_per_s), 1000,
	    "4 MB/s of evicted pages read straight back (4 KiB pages)", 0 },
	{ "mem_majfault_per_s", TH(mem_majfault_per_s), 500,
	    "sustained major faults: pages read from disk on access", 0 },
	{ "mem_swap_per_s", TH(mem_swap_per_s), 100,
	    "sar -W pswpin/s + pswpout/s in the hundreds", 0 },
	{ "mem_oom_kills", TH(mem_oom_kills), 1,
	    "any OOM kill in the window", 0 },
	{ "mem_cgroup_used", TH(mem_cgroup_used), 0.90,
	    "a cgroup within 10% of its limit reclaims its own pages "
	    "(cAdvisor working set vs. limit alerts at 80-90%)", 1 },
	{ "io_util", TH(io_util), 0.90,
	    "atop dskcritperc 90; iostat %util near 100", 1 },
	{ "io_psi_some", TH(io_psi_some), 0.20,
	    "a fifth of the time some task waited on I/O", 1 },
	{ "io_psi_full", TH(io_psi_full), 0.10,
	    "10% of time with every task waiting on I/O", 1 },
	{ "io_iowait", TH(io_iowait), 0.20,
	    "a fifth of CPU time idle waiting on I/O (sar %iowait)", 1 },
	{ "net_util", TH(net_util), 0.85,
	    "a link above 85% on average is full at its peaks", 1 },
	{ "net_drop_ratio", TH(net_drop_ratio), 0.01,
	    "1% of packets dropped", 1 },
	{ "net_retrans_ratio", TH(net_retrans_ratio), 0.02,
	    "2% of TCP segments retransmitted", 1 },
	{ "net_min_pkts_per_s", TH(net_min_pkts_per_s), 100,
	    "below 100 packets/s, loss ratios are noise", 0 },
	{ "conn_listen_overflows_per_s", TH(conn_listen_overflows_per_s), 1,
	    "any sustained accept-queue overflow drops connections", 0 },
	{ "conn_pg_slots", TH(conn_pg_slots), 0.90,
	    "munin postgres_connections: critical at 90% of max_connections "
	    "less the reserved slots", 1 },
	{ "conn_pg_xact_age_s", TH(conn_pg_xact_age_s), 60,
	    "a transaction open a minute holds its slot, locks and old row "
	    "versions (check_postgres txn_time)", 0 },
	{ "conn_fd_system", TH(conn_fd_system), 0.90,
	    "file handles at 90% of fs.file-max (Linuxfabrik "
	    "file-descriptors warns at 90)", 1 },
	{ "conn_fd_process", TH(conn_fd_process), 0.90,
	    "a process at 90% of its RLIMIT_NOFILE is one burst from EMFILE",
	    1 },
	{ NULL, 0, 0, NULL, 0 },
};

const struct sz_threshold_def *
sz_threshold_find(const char *name)
{
	const struct sz_threshold_def *d;

	for (d = sz_threshold_table; d->name != NULL; d++) {
		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

static double *
th_field(struct sz_thresholds *th, const struct sz_threshold_def *d)
{
	return (double *)((char *)th + d->offset);
}

void
sz_config_init(struct sz_config *cfg)
{
	const struct sz_threshold_def *d;

	memset(cfg, 0, sizeof(*cfg));
	for (d = sz_threshold_table; d->name != NULL; d++)
		*th_field(&cfg->th, d) = d->def;
}

void
sz_config_fini(struct sz_config *cfg)
{
	free(cfg->pg_conninfo);
	free(cfg->log_dir);
	cfg->pg_conninfo = NULL;
	cfg->log_dir = NULL;
}

static enum sz_err
parse_double(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v))
		return SZ_EINVAL;
	while (*end == ' ' || *end == '\t')
		end++;
	if (*end != '\0')
		return SZ_EINVAL;
	*out = v;
	return SZ_OK;
}

enum sz_err
sz_config_set_threshold(struct sz_config *cfg, const char *name,
    const char *value)
{
	const struct sz_threshold_def *d = sz_threshold_find(name);
	double v;

	if (d == NULL || parse_double(value, &v) != SZ_OK || v <= 0)
		return SZ_EINVAL;
	if (d->max > 0 && v > d->max)
		return SZ_ERANGE;
	/* scores live in [0, 1]: a bound of 1 could never be met */
	if (d->offset == TH(bound) && v >= 1)
		return SZ_ERANGE;
	*th_field(&cfg->th, d) = v;
	return SZ_OK;
}

enum sz_err
sz_parse_rate(const char *s, double *bits_per_s)
{
	/* A unit is required: a bare "100" reads as bytes to some and bits
	 * to others, and no link runs below a kilobit. */
	static const struct {
		const char *suffix;
		double mult;
	} units[] = {
		{ "k", 1e3 }, { "kbit", 1e3 },
		{ "m", 1e6 }, { "mbit", 1e6 },
		{ "g", 1e9 }, { "gbit", 1e9 },
		{ "t", 1e12 }, { "tbit", 1e12 },
	};
	char *end;
	double v;
	size_t i;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || errno != 0 || !isfinite(v) || v <= 0)
		return SZ_EINVAL;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcasecmp(end, units[i].suffix) == 0) {
			if (v * units[i].mult < 1e3)
				return SZ_EINVAL;
			*bits_per_s = v * units[i].mult;
			return SZ_OK;
		}
	}
	return SZ_EINVAL;
}

static enum sz_err
set_link(struct sz_config *cfg, const char *name, size_t namelen,
    const char *rate)
{
	double bps;
	size_t i;

	if (namelen == 0 || namelen >= sizeof(cfg->links[0].name))
		return SZ_EINVAL;
	if (sz_parse_rate(rate, &bps) != SZ_OK)
		return SZ_EINVAL;
	for (i = 0; i < cfg->nlinks; i++) {
		if (strlen(cfg->links[i].name) == namelen &&
		    memcmp(cfg->links[i].name, name, namelen) == 0)
			break;
	}
	if (i == cfg->nlinks) {
		if (cfg->nlinks == SZ_MAX_LINKS)
			return SZ_ETOOBIG;
		cfg->nlinks++;
	}
	memcpy(cfg->links[i].name, name, namelen);
	cfg->links[i].name[namelen] = '\0';
	cfg->links[i].bits_per_s = bps;
	return SZ_OK;
}

enum sz_err
sz_config_add_link(struct sz_config *cfg, const char *spec)
{
	const char *eq = strrchr(spec, '=');

	if (eq == NULL)
		return SZ_EINVAL;
	return set_link(cfg, spec, (size_t)(eq - spec), eq + 1);
}

double
sz_config_link_speed(const struct sz_config *cfg, const char *ifname)
{
	size_t i;

	for (i = 0; i < cfg->nlinks; i++) {
		if (strcmp(cfg->links[i].name, ifname) == 0)
			return cfg->links[i].bits_per_s;
	}
	return 0;
}

struct load_state {
	struct sz_config *cfg;
	FILE *f;
	int lineno;		/* lines read so far, counted as inih does */
	int bad_line;		/* the first line on_entry refused, or 0 */
	char *msg;
	size_t msgsz;
};

/* inih reader: fgets that counts lines, so that a refusal knows its line
 * (the installed inih is built without INI_HANDLER_LINENO). */
static char *
read_line(char *str, int num, void *stream)
{
	struct load_state *st = stream;
	char *s = fgets(str, num, st->f);

	if (s != NULL)
		st->lineno++;
	return s;
}

static void
replace_str(char **dst, const char *value)
{
	free(*dst);
	*dst = sz_xstrdup(value);
}

/* Say what is wrong with one entry, as precisely as we know. */
static void
describe(char *msg, size_t msgsz, const char *section, const char *name,
    const char *value, enum sz_err err)
{
	static const char *const sections[] = { "thresholds", "links",
		"postgresql", "record" };
	const struct sz_threshold_def *d = sz_threshold_find(name);
	bool known = strcmp(section, "links") == 0 ||
	    (strcmp(section, "thresholds") == 0 && d != NULL);
	bool section_known = false;
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		section_known |= strcmp(section, sections[i]) == 0;
	if (section[0] == '\0')
		snprintf(msg, msgsz, "%s: a key outside any section (sections: "
		    "thresholds, links, postgresql, record)", name);
	else if (!section_known)
		snprintf(msg, msgsz, "[%s]: unknown section (sections: "
		    "thresholds, links, postgresql, record)", section);
	else if (err == SZ_ETOOBIG)
		snprintf(msg, msgsz, "[%s] %s: more than %d links", section,
		    name, SZ_MAX_LINKS);
	else if (!known)
		snprintf(msg, msgsz, "[%s] %s: unknown key", section, name);
	else if (strcmp(section, "links") == 0)
		snprintf(msg, msgsz, "[links] %s: '%.40s' is not a rate like "
		    "50mbit, 1gbit or 10g", name, value);
	else if (d->offset == TH(bound))
		snprintf(msg, msgsz, "[thresholds] bound: '%.40s' is not a "
		    "number above 0 and below 1", value);
	else if (d->max > 0)
		snprintf(msg, msgsz, "[thresholds] %s: '%.40s' is not a "
		    "number above 0 and at most %g (a fraction, not a "
		    "percentage)", name, value, d->max);
	else
		snprintf(msg, msgsz, "[thresholds] %s: '%.40s' is not a "
		    "number above 0", name, value);
}

/* inih callback: nonzero means the line was understood. */
static int
on_entry(void *user, const char *section, const char *name,
    const char *value)
{
	struct load_state *st = user;
	struct sz_config *cfg = st->cfg;
	enum sz_err err = SZ_EINVAL;

	if (strcmp(section, "thresholds") == 0)
		err = sz_config_set_threshold(cfg, name, value);
	else if (strcmp(section, "links") == 0)
		err = set_link(cfg, name, strlen(name), value);
	else if (strcmp(section, "postgresql") == 0 &&
	    strcmp(name, "conninfo") == 0) {
		replace_str(&cfg->pg_conninfo, value);
		err = SZ_OK;
	} else if (strcmp(section, "record") == 0 && strcmp(name, "dir") == 0) {
		replace_str(&cfg->log_dir, value);
		err = SZ_OK;
	}
	if (err != SZ_OK && st->bad_line == 0) {
		st->bad_line = st->lineno;
		describe(st->msg, st->msgsz, section, name, value, err);
	}
	return err == SZ_OK;
}

enum sz_err
sz_config_load(struct sz_config *cfg, const char *path, int *line, char *msg,
    size_t msgsz)
{
	struct load_state st = { cfg, NULL, 0, 0, msg, msgsz };
	int rc, saved;
	bool failed;

	msg[0] = '\0';
	*line = 0;
	st.f = fopen(path, "r");
	if (st.f == NULL) {
		saved = errno;	/* snprintf may change errno */
		snprintf(msg, msgsz, "%s", strerror(saved));
		return saved == ENOENT ? SZ_ENOENT :
		    saved == EACCES ? SZ_EACCES : SZ_EIO;
	}
	rc = ini_parse_stream(read_line, &st, on_entry, &st);
	/* a directory opens fine and fails on the first read */
	failed = ferror(st.f) != 0;
	saved = errno;
	fclose(st.f);
	if (failed) {
		snprintf(msg, msgsz, "%s", strerror(saved));
		return SZ_EIO;
	}
	if (rc == 0)
		return SZ_OK;
	*line = rc > 0 ? rc : 0;
	/* the message is about the line reported: inih reports the first
	 * bad line, which may be a syntax error before any refused entry */
	if (rc != st.bad_line)
		snprintf(msg, msgsz, "%s", rc > 0 ? "syntax error" :
		    "cannot read the file");
	return SZ_EINVAL;
}
