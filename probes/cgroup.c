/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cgroup probe.  It walks the cgroup trees below ROOT/sys/fs/cgroup
 * and copies into struct sz_cgroup_sample the counters of the groups that
 * carry a limit: a CFS quota (throttled periods and time, CPU used, and
 * the processes inside, so the analyzer can tell whether a hot thread
 * runs under the quota) or a memory limit below host RAM (usage, limit
 * hits, OOM kills, refaults).  Groups without a limit are walked through
 * and left out: a systemd host has hundreds of them and only a few limits.
 *
 * cgroup v2 (ROOT/sys/fs/cgroup/cgroup.controllers exists): cpu.max,
 * cpu.stat, cgroup.procs, memory.max, memory.current, memory.events and
 * memory.stat of each group, in one walk.  cgroup v1: the cpu hierarchy
 * (cpu/ or cpu,cpuacct/: cpu.cfs_quota_us, cpu.cfs_period_us, cpu.stat,
 * cgroup.procs, and cpuacct.usage from the cpuacct hierarchy, which is
 * often the same directory) and the memory hierarchy (memory/:
 * memory.limit_in_bytes, memory.usage_in_bytes, memory.failcnt,
 * memory.oom_control, memory.stat), in two walks whose groups are merged
 * by path.  A hybrid host (v1 controllers beside an empty v2 tree at
 * unified/) is a v1 host here: its v2 tree has no controllers.
 *
 * The probe runs on every refresh of `sizeup top`, so each directory
 * costs one small read (the limit file) and only limited groups cost
 * more.  The walk stops at MAX_DEPTH levels and MAX_DIRS directories.
 * The probe decides nothing: whether a quota or a limit binds is the
 * analyzer's call.
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "cgroup"
#define CG_ROOT "sys/fs/cgroup"

/* Deeper than any container runtime nests (kubepods: 4 levels). */
#define MAX_DEPTH 16
/* Directories visited per hierarchy: a bound on reads per sample. */
#define MAX_DIRS 8192
/* Limited groups kept; beyond any real host. */
#define MAX_GROUPS 256

/*
 * v1 prints "no limit" as PAGE_COUNTER_MAX pages in bytes:
 * 9223372036854771712 with 4 KiB pages, a little less with larger ones.
 * Anything from 2^62 up is that.
 */
#define V1_UNLIMITED (UINT64_C(1) << 62)

#define PATH_BUF 4096

enum walk_what { WALK_CPU = 1, WALK_MEM = 2 };

struct walk {
	const char *root;	/* the context's root */
	struct sz_sample *s;
	int version;
	const char *dir;	/* the hierarchy: "sys/fs/cgroup/cpu" */
	const char *acct;	/* v1: the cpuacct hierarchy, or NULL */
	unsigned int what;	/* WALK_* */
	uint64_t host_ram;	/* 0 when unknown */
	size_t ndirs;
	size_t cap;		/* allocated groups */
	bool capped;		/* a cap left directories or groups out */
	size_t nbad;		/* files of limited groups missing or bad */
	enum sz_err bad_err;
	char bad_file[160];
	size_t nunreadable;	/* limit files not readable (EACCES) */
	size_t anc[MAX_DEPTH + 1]; /* CPU-limited groups above, innermost
				    * last, as indexes into groups */
	size_t nanc;
};

/* dir + rel + "/" + file into buf; false when it does not fit. */
static bool
file_path(char *buf, const char *dir, const char *rel, const char *file)
{
	int n = snprintf(buf, PATH_BUF, "%s%s/%s", dir, rel, file);

	return n > 0 && n < PATH_BUF;
}

/* Note a file of a limited group that is missing or malformed. */
static void
bad_file(struct walk *w, const char *rel, const char *file, enum sz_err err)
{
	if (w->nbad++ > 0)
		return;
	w->bad_err = err;
	snprintf(w->bad_file, sizeof(w->bad_file), "%.100s/%s",
	    rel[0] != '\0' ? rel : "/", file);
}

/* A file holding one unsigned number, then a newline. */
static enum sz_err
read_u64(const struct walk *w, const char *dir, const char *rel,
    const char *file, uint64_t *out)
{
	char path[PATH_BUF], *buf;
	const char *p;
	enum sz_err err;

	if (!file_path(path, dir, rel, file))
		return SZ_ETOOBIG;
	err = sz_procfs_read(w->root, path, &buf, NULL);
	if (err)
		return err;
	p = buf;
	err = sz_parse_u64(&p, out);
	free(buf);
	return err;
}

/*
 * "key value" lines (cpu.stat, memory.stat, memory.events,
 * memory.oom_control): the value of each wanted key that is there, and a
 * bit in *found for it.  Other keys, which kernels add over time, are
 * skipped.
 */
struct keyval {
	const char *key;
	uint64_t *out;
};

static enum sz_err
read_keyed(const struct walk *w, const char *dir, const char *rel,
    const char *file, const struct keyval *kv, size_t nkv,
    unsigned int *found)
{
	char path[PATH_BUF], *buf;
	const char *line, *p;
	enum sz_err err = SZ_OK;
	uint64_t v;
	size_t i;

	*found = 0;
	if (!file_path(path, dir, rel, file))
		return SZ_ETOOBIG;
	err = sz_procfs_read(w->root, path, &buf, NULL);
	if (err)
		return err;
	for (line = buf; line != NULL && *line != '\0';
	     line = sz_next_line(line)) {
		for (i = 0; i < nkv; i++) {
			p = line;
			if (!sz_match_key(&p, kv[i].key))
				continue;
			if (sz_parse_u64(&p, &v) != SZ_OK) {
				err = SZ_EPARSE;
				break;
			}
			*kv[i].out = v;
			*found |= 1u << i;
			break;
		}
	}
	free(buf);
	return err;
}

/* The entry of the group at rel: an existing one (v1 merges the cpu and
 * memory walks by path) or a new one; NULL past MAX_GROUPS. */
static struct sz_cgroup *
group_at(struct walk *w, const char *rel)
{
	struct sz_cgroup_sample *c = &w->s->cgroup;
	const char *path = rel[0] != '\0' ? rel : "/";
	struct sz_cgroup *g;
	size_t i;

	for (i = 0; i < c->ngroups; i++) {
		if (strcmp(c->groups[i].path, path) == 0)
			return &c->groups[i];
	}
	if (c->ngroups == MAX_GROUPS) {
		w->capped = true;
		return NULL;
	}
	if (c->ngroups == w->cap) {
		w->cap = w->cap > 0 ? 2 * w->cap : 8;
		c->groups = sz_xreallocarray(c->groups, w->cap,
		    sizeof(*c->groups));
	}
	g = &c->groups[c->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->path, sizeof(g->path), "%s", path);
	g->version = w->version;
	return g;
}

/*
 * Read the limit file of the group at rel into *buf (the caller frees
 * it).  RETURNS false when it cannot: absent (no such controller for the
 * group) or unreadable, which w counts.
 */
static bool
read_limit_file(struct walk *w, const char *rel, const char *file,
    char **buf)
{
	char path[PATH_BUF];
	enum sz_err err;

	*buf = NULL;
	if (!file_path(path, w->dir, rel, file))
		return false;
	err = sz_procfs_read(w->root, path, buf, NULL);
	if (err == SZ_EACCES)
		w->nunreadable++;
	return err == SZ_OK;
}

/* The quota of the group at rel, in microseconds per period; false when
 * it has none (or it cannot be read: then w says why). */
static bool
cpu_quota(struct walk *w, const char *rel, uint64_t *quota, uint64_t *period)
{
	char *buf = NULL, word[32];
	const char *p;
	enum sz_err err;
	int64_t q;

	if (w->version == 1) {
		/* coroot's fixtures end in a blank line: take the number
		 * and leave the rest */
		if (!read_limit_file(w, rel, "cpu.cfs_quota_us", &buf))
			return false;
		p = buf;
		err = sz_parse_i64(&p, &q);
		free(buf);
		if (err)
			bad_file(w, rel, "cpu.cfs_quota_us", err);
		if (err || q <= 0)	/* -1: no quota */
			return false;
		*quota = (uint64_t)q;
		err = read_u64(w, w->dir, rel, "cpu.cfs_period_us", period);
		if (err)
			bad_file(w, rel, "cpu.cfs_period_us", err);
		return err == SZ_OK && *period > 0;
	}
	/* cpu.max: "max 100000" or "QUOTA PERIOD"; absent without the cpu
	 * controller enabled for the group */
	if (!read_limit_file(w, rel, "cpu.max", &buf))
		return false;
	p = buf;
	err = sz_parse_word(&p, word, sizeof(word));
	if (err == SZ_OK && strcmp(word, "max") == 0) {
		free(buf);
		return false;
	}
	p = buf;
	err = sz_parse_u64(&p, quota);
	if (err == SZ_OK)
		err = sz_parse_u64(&p, period);
	free(buf);
	if (err || *period == 0) {
		bad_file(w, rel, "cpu.max", err ? err : SZ_EPARSE);
		return false;
	}
	return true;
}

static void
read_cpu(struct walk *w, const char *rel, struct sz_cgroup *g)
{
	uint64_t throttled = 0, usage = 0;
	const struct keyval v1[] = {
		{ "nr_periods", &g->nr_periods },
		{ "nr_throttled", &g->nr_throttled },
		{ "throttled_time", &throttled },	/* ns */
	};
	const struct keyval v2[] = {
		{ "nr_periods", &g->nr_periods },
		{ "nr_throttled", &g->nr_throttled },
		{ "throttled_usec", &throttled },
		{ "usage_usec", &usage },
	};
	unsigned int found;
	enum sz_err err;

	if (w->version == 1) {
		err = read_keyed(w, w->dir, rel, "cpu.stat", v1, 3, &found);
		if (err == SZ_OK && found != 07)
			err = SZ_EPARSE;
		g->throttled_ns = throttled;
		/* optional: the cpuacct controller may not be mounted */
		if (w->acct != NULL && read_u64(w, w->acct, rel,
		    "cpuacct.usage", &usage) == SZ_OK) {
			g->has_usage = true;
			g->usage_ns = usage;
		}
	} else {
		err = read_keyed(w, w->dir, rel, "cpu.stat", v2, 4, &found);
		if (err == SZ_OK && found != 017)
			err = SZ_EPARSE;
		g->throttled_ns = throttled * 1000;
		g->usage_ns = usage * 1000;
		g->has_usage = err == SZ_OK;
	}
	if (err)
		bad_file(w, rel, "cpu.stat", err);
}

/* The memory limit of the group at rel, when it has one below host RAM. */
static bool
mem_limit(struct walk *w, const char *rel, uint64_t *limit)
{
	const char *file = w->version == 1 ? "memory.limit_in_bytes" :
	    "memory.max";
	char *buf = NULL;
	const char *p;
	enum sz_err err;

	/* v2: no memory.max without the memory controller for the group */
	if (!read_limit_file(w, rel, file, &buf))
		return false;
	p = buf;
	err = strncmp(buf, "max", 3) == 0 ? SZ_ERANGE : sz_parse_u64(&p,
	    limit);
	free(buf);
	if (err == SZ_EPARSE)
		bad_file(w, rel, file, err);
	/* a limit at or above host RAM binds after the host does */
	return err == SZ_OK && *limit < V1_UNLIMITED &&
	    (w->host_ram == 0 || *limit < w->host_ram);
}

static void
read_mem(struct walk *w, const char *rel, struct sz_cgroup *g)
{
	uint64_t anon = 0, file = 0, old = 0, tanon = 0, tfile = 0, told = 0;
	const struct keyval stat[] = {
		{ "workingset_refault_anon", &anon },	/* 5.9+ */
		{ "workingset_refault_file", &file },
		{ "workingset_refault", &old },		/* before 5.9 */
		/* v1: the group and its descendants, as its limit counts */
		{ "total_workingset_refault_anon", &tanon },
		{ "total_workingset_refault_file", &tfile },
		{ "total_workingset_refault", &told },
	};
	const struct keyval events[] = {
		{ "max", &g->mem_limit_hits },
		{ "oom_kill", &g->mem_oom_kills },
	};
	const struct keyval oom[] = {
		{ "oom_kill", &g->mem_oom_kills },	/* 4.13+ */
	};
	unsigned int found;
	enum sz_err err;

	err = read_u64(w, w->dir, rel, w->version == 1 ?
	    "memory.usage_in_bytes" : "memory.current", &g->mem_usage_bytes);
	g->has_mem_usage = err == SZ_OK;
	if (err)
		bad_file(w, rel, w->version == 1 ? "memory.usage_in_bytes" :
		    "memory.current", err);
	if (w->version == 1) {
		err = read_u64(w, w->dir, rel, "memory.failcnt",
		    &g->mem_limit_hits);
		if (err)
			bad_file(w, rel, "memory.failcnt", err);
		err = read_keyed(w, w->dir, rel, "memory.oom_control", oom, 1,
		    &found);
		if (err)
			bad_file(w, rel, "memory.oom_control", err);
	} else {
		err = read_keyed(w, w->dir, rel, "memory.events", events, 2,
		    &found);
		if (err)
			bad_file(w, rel, "memory.events", err);
	}
	/*
	 * memory.stat is the dear file (reading it flushes the kernel's
	 * per-CPU statistics): it is read only when the group fills at
	 * least half its limit, below which its refaults are not the
	 * limit's doing.
	 */
	if (g->has_mem_usage && g->mem_usage_bytes < g->mem_limit_bytes / 2)
		return;
	err = read_keyed(w, w->dir, rel, "memory.stat", stat, 6, &found);
	if (err) {
		bad_file(w, rel, "memory.stat", err);
		return;
	}
	g->has_mem_refaults = true;
	/* a kernel prints the split counters or the old sum, never both */
	if (found & 070)
		g->mem_refaults = tanon + tfile + told;
	else
		g->mem_refaults = anon + file + old;
}

/* Append the processes of the group at rel to every CPU-limited group
 * it is inside (a quota throttles its whole subtree). */
static void
read_procs(struct walk *w, const char *rel)
{
	struct sz_cgroup_sample *c = &w->s->cgroup;
	char path[PATH_BUF], *buf = NULL;
	const char *line, *p;
	uint64_t pid;
	size_t k;

	if (!file_path(path, w->dir, rel, "cgroup.procs") ||
	    sz_procfs_read(w->root, path, &buf, NULL) != SZ_OK)
		return;	/* a group emptied and removed meanwhile */
	for (line = buf; line != NULL && *line != '\0';
	     line = sz_next_line(line)) {
		p = line;
		if (sz_parse_u64(&p, &pid) != SZ_OK || pid > INT32_MAX)
			continue;
		for (k = 0; k < w->nanc; k++) {
			struct sz_cgroup *g = &c->groups[w->anc[k]];

			if (g->npids < SZ_CGROUP_PIDS)
				g->pids[g->npids] = (int)pid;
			g->npids++;
		}
	}
	free(buf);
}

/* The group at rel (below w->dir; "" for the root) and its subtree. */
static void
visit(struct walk *w, char *rel, size_t rellen, int depth)
{
	size_t nanc = w->nanc, i, n = 0;
	uint64_t quota = 0, period = 0, limit = 0;
	struct sz_cgroup *g;
	char **names = NULL;
	char path[PATH_BUF];
	enum sz_err err;

	if (++w->ndirs > MAX_DIRS) {
		w->capped = true;
		return;
	}
	/*
	 * The host's root group has no limit (v2 has no cpu.max or
	 * memory.max there, v1 says -1 and "unlimited"), but inside a
	 * container's cgroup namespace the root of the view is the
	 * container's own group, whose limits are the ones that bind: read
	 * them at every depth.
	 */
	if ((w->what & WALK_CPU) && cpu_quota(w, rel, &quota, &period)) {
		g = group_at(w, rel);
		if (g != NULL) {
			g->cpu_limited = true;
			g->quota_us = quota;
			g->period_us = period;
			read_cpu(w, rel, g);
			w->anc[w->nanc++] = (size_t)(g - w->s->cgroup.groups);
		}
	}
	if ((w->what & WALK_MEM) && mem_limit(w, rel, &limit)) {
		g = group_at(w, rel);
		if (g != NULL) {
			g->mem_limited = true;
			g->mem_limit_bytes = limit;
			read_mem(w, rel, g);
		}
	}
	if (w->nanc > 0)
		read_procs(w, rel);

	if (snprintf(path, sizeof(path), "%s%s", w->dir, rel) >=
	    (int)sizeof(path))
		goto out;
	err = sz_procfs_subdirs(w->root, path, MAX_DIRS, &names, &n);
	if (err == SZ_ETOOBIG)
		w->capped = true;
	for (i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (depth == MAX_DEPTH || rellen + 1 + len >=
		    SZ_CGROUP_PATH_MAX) {
			/* deeper or longer than a group entry can hold */
			w->capped = true;
			continue;
		}
		rel[rellen] = '/';
		memcpy(rel + rellen + 1, names[i], len + 1);
		visit(w, rel, rellen + 1 + len, depth + 1);
		rel[rellen] = '\0';
	}
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	w->nanc = nanc;
}

/* Walk one hierarchy, then say what it could not read. */
static void
walk(struct walk *w, const char *dir, const char *acct, unsigned int what)
{
	char rel[SZ_CGROUP_PATH_MAX] = "";

	w->dir = dir;
	w->acct = acct;
	w->what = what;
	w->ndirs = 0;
	w->nanc = 0;
	visit(w, rel, 0, 0);
}

/* The v1 hierarchy of a controller: the first of dirs that is a
 * directory, or NULL.  cpu and cpuacct are often one hierarchy, mounted
 * at "cpu,cpuacct" with "cpu" and "cpuacct" as symlinks to it. */
static const char *
v1_dir(const char *root, const char *const *dirs)
{
	size_t i;

	for (i = 0; dirs[i] != NULL; i++) {
		if (sz_procfs_is_dir(root, dirs[i]))
			return dirs[i];
	}
	return NULL;
}

static enum sz_err
cgroup_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	static const char *const cpu_dirs[] = { CG_ROOT "/cpu",
		CG_ROOT "/cpu,cpuacct", NULL };
	static const char *const acct_dirs[] = { CG_ROOT "/cpuacct",
		CG_ROOT "/cpu,cpuacct", NULL };
	static const char *const mem_dirs[] = { CG_ROOT "/memory", NULL };
	struct walk w = { 0 };
	const char *cpu, *mem;
	char *buf = NULL;

	(void)state;
	w.root = sz_ctx_root(ctx);
	w.s = s;
	w.host_ram = s->mem.valid ? s->mem.total_bytes : 0;
	if (sz_procfs_read(w.root, CG_ROOT "/cgroup.controllers", &buf,
	    NULL) == SZ_OK) {
		free(buf);
		w.version = 2;
		walk(&w, CG_ROOT, NULL, WALK_CPU | WALK_MEM);
	} else {
		cpu = v1_dir(w.root, cpu_dirs);
		mem = v1_dir(w.root, mem_dirs);
		if (cpu == NULL && mem == NULL) {
			/* containers without /sys/fs/cgroup, chroots: one
			 * line, not one per file */
			sz_sample_add_error(s, PROBE, SZ_ENOENT,
			    "no cgroup hierarchy mounted at /%s", CG_ROOT);
			return SZ_ENOENT;
		}
		w.version = 1;
		if (cpu != NULL)
			walk(&w, cpu, v1_dir(w.root, acct_dirs), WALK_CPU);
		else
			sz_sample_add_error(s, PROBE, SZ_ENOENT,
			    "cgroup v1 cpu controller not mounted: CPU quotas "
			    "not read");
		if (mem != NULL)
			walk(&w, mem, NULL, WALK_MEM);
		else
			sz_sample_add_error(s, PROBE, SZ_ENOENT,
			    "cgroup v1 memory controller not mounted: memory "
			    "limits not read");
	}
	s->cgroup.valid = true;
	s->cgroup.version = w.version;
	if (w.nbad > 0)
		sz_sample_add_error(s, PROBE, w.bad_err,
		    "limited cgroup %s: %s (and %zu more)", w.bad_file,
		    sz_strerror(w.bad_err), w.nbad - 1);
	if (w.nunreadable > 0)
		sz_sample_add_error(s, PROBE, SZ_EACCES,
		    "limits of %zu cgroups not readable", w.nunreadable);
	if (w.capped)
		sz_sample_add_error(s, PROBE, SZ_ETOOBIG,
		    "over %d cgroups, %d levels or %d limited groups: the "
		    "rest left out", MAX_DIRS, MAX_DEPTH, MAX_GROUPS);
	return w.nbad > 0 ? w.bad_err : SZ_OK;
}

const struct sz_probe_ops sz_probe_cgroup = {
	.name = PROBE,
	.collect = cgroup_collect,
};
