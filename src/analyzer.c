/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analyzer (see analyzer.h).  For each resource it lists USE-method
 * evidence (utilization, saturation, errors) and pressure stall figures;
 * each piece scores exactly `bound` when its metric reaches its threshold,
 * rising to 1 at half as much again.  A resource binds when its best piece
 * reaches `bound`.  The primary verdict is the binding resource with the
 * highest score, unless a root-cause rule says another one explains it:
 * refaults and swapping make I/O and burn CPU in reclaim, so memory beats
 * a single hot thread, and busy disks when paging can be what keeps them
 * busy (else the disks are the verdict); a CPU-starved host queues
 * everywhere, so all-cores CPU beats io and network.  Connections that
 * pile up behind slow work (an accept queue, PostgreSQL backends busy on
 * CPU or disk) yield to the CPU, memory or disk that slows it; slots held
 * by idle clients or lock waits, and descriptor limits, are their own
 * cause.
 *
 * cgroups: a CPU quota that throttles its group while the host has idle
 * cores is the CPU verdict ("cpu-quota": the quota, not the host, binds),
 * ahead of a hot thread only when that thread runs under the quota; a
 * group at its memory limit that reads its evicted pages back or has
 * processes OOM-killed is the memory verdict ("cgroup-limit"), and an OOM
 * kill inside a limited group is that group's, not the host's.  Without
 * cgroup figures, pages thrashing while host RAM sits free still point to
 * a limit, unnamed.
 */
#include "config.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sizeup/analyzer.h"
#include "sizeup/strsafe.h"

/* Memory utilization alone never binds: Linux fills RAM with cache by
 * design, so only saturation (pressure, refaults, swap) or OOM kills do. */
#define MEM_USED_WEIGHT 0.9

/* Pages the kernel trims of its own accord score at most this share of
 * the bound: shown, never binding (see analyze_memory). */
#define RECLAIM_WEIGHT 0.9

/* Host memory this free while pages thrash means a limit below host RAM
 * (a cgroup) is what binds, and more RAM would not be used. */
#define CGROUP_LIMIT_AVAILABLE 0.25

/* A quota enforced in fewer periods than this in the window says nothing
 * yet: 10 are one second of a busy group at the default 100 ms period. */
#define CGROUP_MIN_PERIODS 10

/* Limit hits are shown against one per second: a group whose page cache
 * fills its limit hits it all the time, harmlessly, so they never bind by
 * themselves (refaults and OOM kills tell the harm). */
#define CGROUP_LIMIT_HITS_PER_S 1

/* Cgroup paths in evidence and summaries: longer ones keep their tail,
 * where the container's name is. */
#define CGROUP_SHOWN_MAX 96

/* A quiet host's summary names a metric at this share of the bound. */
#define NEAR_SHARE 0.8

/* Below this %util a device is not what stalled tasks wait for. */
#define STALLED_UTIL_MAX 0.5

/* Paging explains busy disks when the I/O it makes (reads; writes too
 * while the host swaps out) can be this share of their operations. */
#define PAGING_IO_SHARE 0.25

const char *
sz_bound_name(enum sz_bound b)
{
	static const char *const names[SZ_NBOUNDS] = {
		"none", "cpu", "memory", "io", "network", "connections",
	};

	return (unsigned)b < SZ_NBOUNDS ? names[b] : "none";
}

const char *
sz_helps_name(enum sz_helps h)
{
	switch (h) {
	case SZ_HELPS_YES:
		return "yes";
	case SZ_HELPS_NO:
		return "no";
	case SZ_HELPS_PARTLY:
		return "partly";
	default:
		return NULL;
	}
}

/*
 * A metric's score: bound * value / threshold up to the threshold, then a
 * ramp to 1 at half as much again, or at the metric's ceiling when it has
 * one below that (a share of time cannot pass 1, so a core 100% busy
 * against a 90% threshold is as bad as it gets).  ceiling 0: none.
 */
static double
metric_score(double value, double threshold, double ceiling, double bound)
{
	double r, top = 1.5;

	if (threshold <= 0 || !(value > 0))
		return 0;
	r = value / threshold;
	if (r <= 1)
		return bound * r;
	if (ceiling > threshold)
		top = fmin(top, ceiling / threshold);
	return bound + (1 - bound) * fmin(1, (r - 1) / (top - 1));
}

/*
 * Add a piece of evidence and return its score.  ceiling is the highest
 * value the metric can take (1 for a share of time, of a core, of a
 * link), or 0 for none; see metric_score().
 */
static double
evidence(struct sz_resource *res, double bound, double weight,
    double ceiling, const char *metric, double value, double threshold,
    const char *fmt, ...) __attribute__((format(printf, 8, 9)));

static double
evidence(struct sz_resource *res, double bound, double weight,
    double ceiling, const char *metric, double value, double threshold,
    const char *fmt, ...)
{
	struct sz_evidence *e;
	va_list ap;

	if (res->nev == SZ_MAX_EVIDENCE)
		return 0;
	e = &res->ev[res->nev++];
	e->metric = metric;
	e->value = value;
	e->threshold = threshold;
	e->score = weight * metric_score(value, threshold, ceiling, bound);
	va_start(ap, fmt);
	vsnprintf(e->says, sizeof(e->says), fmt, ap);
	va_end(ap);
	if (e->score > res->score)
		res->score = e->score;
	return e->score;
}

static void
advise(struct sz_resource *res, const char *text)
{
	if (res->nadvice < SZ_MAX_ADVICE)
		res->advice[res->nadvice++] = text;
}

static void
conclude(struct sz_resource *res, const char *kind, enum sz_helps helps,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
conclude(struct sz_resource *res, const char *kind, enum sz_helps helps,
    const char *fmt, ...)
{
	va_list ap;

	res->kind = kind;
	res->helps = helps;
	va_start(ap, fmt);
	vsnprintf(res->summary, sizeof(res->summary), fmt, ap);
	va_end(ap);
}

static double
pct(double share)
{
	return share * 100;
}

/*
 * The two pressure figures of a resource, under the metric names given:
 * some task stalled, every task stalled.  RETURNS the higher score, 0
 * without PSI.
 */
static double
psi_evidence(struct sz_resource *res, double bound,
    const struct sz_psi_rate *psi, const char *some_metric,
    const char *full_metric, const char *stalled, double some_th,
    double full_th)
{
	double some, full;

	if (!psi->valid)
		return 0;
	some = evidence(res, bound, 1, 0, some_metric, psi->some, some_th,
	    "some task %s %.0f%% of the time", stalled, pct(psi->some));
	full = evidence(res, bound, 1, 0, full_metric, psi->full, full_th,
	    "every task %s %.0f%% of the time", stalled, pct(psi->full));
	return fmax(some, full);
}

/* ---- cgroups -------------------------------------------------------- */

/* path, sanitized, in out: its last CGROUP_SHOWN_MAX bytes or so when it
 * is longer, after "...". */
static const char *
cgroup_name(char *out, size_t outsz, const char *path)
{
	char buf[SZ_CGROUP_PATH_MAX * 4];
	size_t len;

	sz_str_sanitize(buf, sizeof(buf), path);
	len = strlen(buf);
	if (len <= CGROUP_SHOWN_MAX) {
		snprintf(out, outsz, "%s", buf);
		return out;
	}
	/* the sanitizer writes ASCII escapes only, so any cut is clean */
	snprintf(out, outsz, "...%s", buf + len - (CGROUP_SHOWN_MAX - 3));
	return out;
}

/* The CPU-limited group throttled in the largest share of its periods,
 * or NULL. */
static const struct sz_cgroup_rate *
most_throttled(const struct sz_cgroup_rates *cg)
{
	const struct sz_cgroup_rate *best = NULL;
	size_t i;

	for (i = 0; i < cg->ngroups; i++) {
		const struct sz_cgroup_rate *g = &cg->groups[i];

		if (!g->cpu_limited || g->periods < CGROUP_MIN_PERIODS)
			continue;
		if (best == NULL || g->throttled > best->throttled ||
		    (g->throttled == best->throttled &&
		    g->throttled_s_per_s > best->throttled_s_per_s))
			best = g;
	}
	return best;
}

static bool
runs_in(const struct sz_cgroup_rate *g, int pid)
{
	size_t i;

	for (i = 0; g != NULL && i < g->npids; i++) {
		if (g->pids[i] == pid)
			return true;
	}
	return false;
}

/* Was the group at its memory limit in the window?  Hits say so even
 * when its usage could not be read. */
static bool
at_limit(const struct sz_cgroup_rate *g, const struct sz_thresholds *th)
{
	return g->mem_used >= th->mem_cgroup_used || g->limit_hits_per_s > 0;
}

/*
 * The memory-limited group most likely to bind: the one with the most
 * OOM kills, then, among groups at their limit, the one reading back the
 * most evicted pages, then the fullest.  NULL without one.
 */
static const struct sz_cgroup_rate *
tightest(const struct sz_cgroup_rates *cg, const struct sz_thresholds *th)
{
	const struct sz_cgroup_rate *best = NULL;
	double rf, best_rf = 0;
	size_t i;

	for (i = 0; i < cg->ngroups; i++) {
		const struct sz_cgroup_rate *g = &cg->groups[i];

		if (!g->mem_limited)
			continue;
		rf = at_limit(g, th) ? g->refaults_per_s : 0;
		if (best == NULL || g->oom_kills > best->oom_kills ||
		    (g->oom_kills == best->oom_kills && (rf > best_rf ||
		    (rf == best_rf && g->mem_used > best->mem_used)))) {
			best = g;
			best_rf = rf;
		}
	}
	return best;
}

/* OOM kills inside memory-limited groups in the window. */
static uint64_t
cgroup_oom_kills(const struct sz_cgroup_rates *cg)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < cg->ngroups; i++) {
		if (cg->groups[i].mem_limited)
			n += cg->groups[i].oom_kills;
	}
	return n;
}

static double
mib(uint64_t bytes)
{
	return (double)bytes / (1024.0 * 1024.0);
}

/* The name of process pid among the kept processes, or NULL. */
static const char *
process_comm(const struct sz_thread_rates *t, int pid)
{
	size_t i;

	for (i = 0; i < t->nprocs; i++) {
		if (t->procs[i].pid == pid)
			return t->procs[i].comm;
	}
	for (i = 0; i < t->nby_rss; i++) {
		if (t->by_rss[i].pid == pid)
			return t->by_rss[i].comm;
	}
	return NULL;
}

/* ---- cpu ------------------------------------------------------------ */

static void
analyze_cpu(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_cpu_rates *c = &r->cpu;
	const struct sz_task_rate *hot = NULL;
	const struct sz_cgroup_rate *q = most_throttled(&r->cgroup);
	double all, single = 0, steal, busy_weight, quota = 0;
	unsigned int ncpus;
	bool host_room, quota_wins;
	char comm[SZ_COMM_MAX * 4], cg[CGROUP_SHOWN_MAX + 8] = "", use[48];
	char pcomm[SZ_COMM_MAX * 4], who[SZ_COMM_MAX * 8 + 48] = "";

	if (!c->valid)
		return;
	ncpus = c->ncores > 0 ? (unsigned int)c->ncores : 1;
	all = evidence(res, th->bound, 1, 1, "cpu.util", c->all.busy,
	    th->cpu_util, "all %u cores together are %.0f%% busy", ncpus,
	    pct(c->all.busy));
	/* Saturation counts as far as the cores are busy: tasks queueing
	 * while cores sit idle (often in iowait) are bursts, not a CPU
	 * limit, and adding cores would not remove them. */
	busy_weight = fmin(1, c->all.busy / th->cpu_util);
	all = fmax(all, evidence(res, th->bound, busy_weight, 0,
	    "cpu.runq_per_cpu", c->runq_avg / ncpus, th->cpu_runq_per_cpu,
	    "%.1f runnable tasks per core on average", c->runq_avg / ncpus));
	if (c->psi.valid)
		all = fmax(all, evidence(res, th->bound, busy_weight, 0,
		    "cpu.psi_some", c->psi.some, th->cpu_psi_some,
		    "some task waited for a CPU %.0f%% of the time",
		    pct(c->psi.some)));
	steal = evidence(res, th->bound, 1, 0, "cpu.steal", c->all.steal,
	    th->cpu_steal, "the hypervisor took %.0f%% of CPU time (steal)",
	    pct(c->all.steal));

	/* One thread can use one core at most; with one core, the thread
	 * and the host are the same thing and "all-cores" says it. */
	if (r->threads.valid && r->threads.nthreads > 0 && ncpus > 1) {
		const char *pname;

		hot = &r->threads.threads[0];
		pname = process_comm(&r->threads, hot->pid);
		sz_str_sanitize(comm, sizeof(comm), hot->comm);
		sz_str_sanitize(pcomm, sizeof(pcomm), pname != NULL ? pname :
		    hot->comm);
		/* "python3 (pid 18941), worker-0 (tid 18985)": a thread's
		 * name is not its process's */
		if (strcmp(comm, pcomm) != 0)
			snprintf(who, sizeof(who), "%s (pid %d), %s (tid %d),",
			    pcomm, hot->pid, comm, hot->tid);
		else if (hot->tid != hot->pid)
			snprintf(who, sizeof(who), "%s (pid %d, tid %d)",
			    pcomm, hot->pid, hot->tid);
		else
			snprintf(who, sizeof(who), "%s (pid %d)", pcomm,
			    hot->pid);
		single = evidence(res, th->bound, 1, 1, "thread.cpu_max",
		    hot->cpu, th->cpu_thread,
		    "one thread of %s used %.0f%% of one core", who,
		    pct(hot->cpu));
	}
	if (q != NULL) {
		cgroup_name(cg, sizeof(cg), q->path);
		if (q->usage_cores >= 0)
			snprintf(use, sizeof(use), ", using %.2f cores",
			    q->usage_cores);
		else
			use[0] = '\0';
		quota = evidence(res, th->bound, 1, 1, "cgroup.cpu_throttled",
		    q->throttled, th->cpu_cgroup_throttled,
		    "cgroup %s (quota %.2f cores) was throttled in %.0f%% of "
		    "its periods, %.2f s/s%s", cg, q->quota_cores,
		    pct(q->throttled), q->throttled_s_per_s, use);
	}

	/*
	 * A throttled quota is the verdict while the host has cores to
	 * spare (else the host is full and more cores would help), and
	 * ahead of a hot thread only when that thread runs under it.
	 */
	host_room = c->all.busy < th->cpu_util;
	quota_wins = quota >= th->bound && host_room && (single < th->bound ||
	    runs_in(q, hot->pid));
	if (quota_wins) {
		double room = (1 - c->all.busy) * ncpus;

		conclude(res, "cpu-quota", SZ_HELPS_NO,
		    "cgroup %s is throttled in %.0f%% of its periods by its "
		    "CPU quota of %.2f cores while %.0f of %u cores idle", cg,
		    pct(q->throttled), q->quota_cores, round(room), ncpus);
		advise(res, "raise the group's CPU quota (cpu.max, "
			    "cpu.cfs_quota_us, docker --cpus, Kubernetes "
			    "limits.cpu): the host has cores it may not use");
		advise(res, "or run fewer threads in it: runtimes sized to "
			    "the host's cores (GOMAXPROCS, JVM "
			    "ActiveProcessorCount, worker counts) spend the "
			    "quota early in each period and wait out the rest");
		advise(res, "a bigger server will not help: the quota, not "
			    "the host, sets the limit");
	} else if (all >= th->bound && all >= steal) {
		conclude(res, "all-cores", SZ_HELPS_YES,
		    "all %u cores are %.0f%% busy with %.1f runnable tasks "
		    "per core", ncpus, pct(c->all.busy), c->runq_avg / ncpus);
		advise(res, "add cores (scale up) or hosts behind the load "
			    "balancer (scale out)");
		advise(res, "profile the hottest processes below: less work "
			    "per request also frees cores");
	} else if (single >= th->bound && c->all.busy < th->cpu_util) {
		/* idle capacity in cores, rounded: with one busy core of
		 * two, the other is "1 of 2" idle, not 0 */
		double room = (1 - c->all.busy) * ncpus;

		conclude(res, "single-thread", SZ_HELPS_NO,
		    "one thread of %s uses %.0f%% of a core while %.0f of %u "
		    "cores idle", who, pct(hot->cpu), round(room), ncpus);
		advise(res, "more cores will not help: this thread can use "
			    "one core at most");
		advise(res, "run one worker per core (cluster mode, a process "
			    "pool) or more instances behind the load balancer");
		advise(res, "move blocking or heavy work off the hot thread "
			    "(worker threads, a queue)");
	} else if (steal >= th->bound) {
		conclude(res, "steal", SZ_HELPS_PARTLY,
		    "the hypervisor takes %.0f%% of CPU time from this guest",
		    pct(c->all.steal));
		advise(res, "move to dedicated or less contended instances; a "
			    "bigger instance helps only if it is less shared");
	} else if (quota >= th->bound) {
		/* throttled on a busy host whose other figures stay below
		 * their thresholds: still the quota */
		conclude(res, "cpu-quota", SZ_HELPS_NO,
		    "cgroup %s is throttled in %.0f%% of its periods by its "
		    "CPU quota of %.2f cores", cg, pct(q->throttled),
		    q->quota_cores);
		advise(res, "raise the group's CPU quota (cpu.max, "
			    "cpu.cfs_quota_us, docker --cpus, Kubernetes "
			    "limits.cpu) or run fewer threads in it");
	}
}

/* ---- memory --------------------------------------------------------- */

static void
analyze_memory(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_mem_rates *m = &r->mem;
	const struct sz_cgroup_rate *g = tightest(&r->cgroup, th);
	double thrash = 0, swap = 0, oom = 0, cg_pages = 0, cg_oom = 0;
	uint64_t in_groups = cgroup_oom_kills(&r->cgroup);
	char cg[CGROUP_SHOWN_MAX + 8] = "";
	bool reclaim;

	if (!m->valid && !m->vm_valid && !m->psi.valid && g == NULL)
		return;
	/*
	 * Pages read back while host RAM is free, with the cgroups in view
	 * and none of them at its limit: the kernel trims the page cache of
	 * its own accord (proactive reclaim: DAMON, MGLRU aging, a balloon
	 * driver).  That costs some reads, but nothing runs short: the
	 * figures never bind alone; memory pressure still does.
	 */
	reclaim = r->cgroup.valid && m->valid &&
	    1 - m->used >= CGROUP_LIMIT_AVAILABLE &&
	    (g == NULL || !at_limit(g, th));
	if (m->valid)
		evidence(res, th->bound, MEM_USED_WEIGHT, 0, "mem.used",
		    m->used, th->mem_used,
		    "%.0f%% of RAM is in use (not available)", pct(m->used));
	thrash = psi_evidence(res, th->bound, &m->psi, "mem.psi_some",
	    "mem.psi_full", "stalled on memory", th->mem_psi_some,
	    th->mem_psi_full);
	if (m->vm_valid) {
		thrash = fmax(thrash, evidence(res, th->bound,
		    reclaim ? RECLAIM_WEIGHT * th->bound : 1, 0,
		    "mem.refault_per_s",
		    m->refault_per_s, th->mem_refault_per_s,
		    "%.0f evicted pages per second were read straight back%s",
		    m->refault_per_s, reclaim ? " (host RAM free, no memory "
		    "limit near: the kernel trims its cache)" : ""));
		thrash = fmax(thrash, evidence(res, th->bound,
		    reclaim ? RECLAIM_WEIGHT * th->bound : 1, 0,
		    "mem.majfault_per_s",
		    m->majfault_per_s, th->mem_majfault_per_s,
		    "%.0f major page faults per second", m->majfault_per_s));
		swap = evidence(res, th->bound, 1, 0, "mem.swap_per_s",
		    m->swapin_per_s + m->swapout_per_s, th->mem_swap_per_s,
		    "%.0f pages per second swapped in, %.0f out",
		    m->swapin_per_s, m->swapout_per_s);
		oom = evidence(res, th->bound, 1, 0, "mem.oom_kills",
		    (double)m->oom_kills, th->mem_oom_kills,
		    "%llu processes killed by the OOM killer",
		    (unsigned long long)m->oom_kills);
	}
	/* an idle group far below its limit is not worth a line */
	if (g != NULL && !at_limit(g, th) && g->oom_kills == 0 &&
	    g->refaults_per_s <= 0 &&
	    g->mem_used < NEAR_SHARE * th->mem_cgroup_used)
		g = NULL;
	if (g != NULL) {
		cgroup_name(cg, sizeof(cg), g->path);
		if (g->mem_used >= 0)
			evidence(res, th->bound, MEM_USED_WEIGHT, 0,
			    "cgroup.mem_used", g->mem_used,
			    th->mem_cgroup_used, "cgroup %s uses %.0f MiB of "
			    "its %.0f MiB memory limit", cg,
			    mib(g->mem_usage_bytes), mib(g->mem_limit_bytes));
		/* refaults bind only at the limit: below it, they are the
		 * host's pressure, not the group's */
		cg_pages = evidence(res, th->bound, at_limit(g, th) ? 1 : 0, 0,
		    "cgroup.mem_refault_per_s", g->refaults_per_s,
		    th->mem_refault_per_s, "%.0f evicted pages per second of "
		    "cgroup %s were read straight back", g->refaults_per_s,
		    cg);
		evidence(res, th->bound, 0, 0, "cgroup.mem_limit_hits_per_s",
		    g->limit_hits_per_s, CGROUP_LIMIT_HITS_PER_S,
		    "cgroup %s hit its memory limit %.0f times per second", cg,
		    g->limit_hits_per_s);
		cg_oom = evidence(res, th->bound, 1, 0, "cgroup.oom_kills",
		    (double)g->oom_kills, th->mem_oom_kills,
		    "%llu processes of cgroup %s were OOM-killed at its limit",
		    (unsigned long long)g->oom_kills, cg);
	}

	/* the host's count includes the kills inside limited groups */
	if (cg_oom >= th->bound && (double)(m->oom_kills > in_groups ?
	    m->oom_kills - in_groups : 0) < th->mem_oom_kills) {
		conclude(res, "cgroup-limit", SZ_HELPS_NO,
		    "the kernel killed %llu processes of cgroup %s at its "
		    "memory limit of %.0f MiB",
		    (unsigned long long)g->oom_kills, cg,
		    mib(g->mem_limit_bytes));
		advise(res, "raise the group's memory limit (memory.max, "
			    "memory.limit_in_bytes, docker --memory, "
			    "Kubernetes limits.memory)");
		advise(res, "or cap what grows inside it (fewer workers, "
			    "smaller caches, a heap limit below the group's)");
		advise(res, "a bigger server will not help: the limit, not "
			    "host RAM, runs out");
		return;
	}
	if (oom >= th->bound) {
		conclude(res, "oom", SZ_HELPS_YES,
		    "the kernel killed %llu processes for lack of memory",
		    (unsigned long long)m->oom_kills);
		advise(res, "add RAM, or cap the processes that grow (limits, "
			    "fewer workers)");
		return;
	}
	if (cg_pages >= th->bound) {
		conclude(res, "cgroup-limit", SZ_HELPS_NO,
		    "cgroup %s is at its memory limit of %.0f MiB: %.0f of its "
		    "evicted pages per second are read straight back", cg,
		    mib(g->mem_limit_bytes), g->refaults_per_s);
		advise(res, "raise the group's memory limit (memory.max, "
			    "memory.limit_in_bytes, docker --memory, "
			    "Kubernetes limits.memory) to hold its working "
			    "set");
		advise(res, "or shrink the working set; a bigger server's RAM "
			    "would sit unused behind the same limit");
		return;
	}
	if (fmax(thrash, swap) < th->bound)
		return;
	/* no group named (no cgroup figures, a soft limit such as
	 * memory.high, a group out of view): host RAM this free while tasks
	 * stall on memory still says a limit binds */
	if (m->valid && 1 - m->used >= CGROUP_LIMIT_AVAILABLE) {
		conclude(res, "cgroup-limit", SZ_HELPS_NO,
		    "pages are evicted and read back (%.0f refaults/s) while "
		    "%.0f%% of host RAM is available: a memory limit binds",
		    m->refault_per_s, pct(1 - m->used));
		advise(res, "raise the memory limit of the container or cgroup "
			    "(memory.max, memory.limit_in_bytes)");
		advise(res, "or shrink the working set; a bigger server's RAM "
			    "would sit unused behind the same limit");
	} else if (swap > thrash) {
		conclude(res, "swapping", SZ_HELPS_YES,
		    "the host swaps %.0f pages/s with %.0f%% of RAM in use",
		    m->swapin_per_s + m->swapout_per_s, pct(m->used));
		advise(res, "add RAM (scale up), or move work to other hosts");
	} else {
		conclude(res, "thrashing", SZ_HELPS_YES,
		    "the working set does not fit: %.0f refaults/s, %.0f major "
		    "faults/s, tasks stalled on memory %.0f%% of the time",
		    m->refault_per_s, m->majfault_per_s, pct(m->psi.some));
		advise(res, "add RAM (scale up) so the working set fits in the "
			    "page cache");
		advise(res, "the disk is busy because memory is short: faster "
			    "disks would only hide it");
	}
}

/* ---- io ------------------------------------------------------------- */

static void
analyze_io(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_disk_rates *d = &r->disk;
	const struct sz_disk_rate *busiest = NULL;
	double dev = 0, stall = 0;
	size_t i;

	for (i = 0; i < d->ndisks; i++) {
		if (busiest == NULL || d->disks[i].util > busiest->util)
			busiest = &d->disks[i];
	}
	if (busiest != NULL)
		dev = evidence(res, th->bound, 1, 1, "disk.util_max",
		    busiest->util, th->io_util,
		    "%s was busy %.0f%% of the time (%.0f IOPS, %.1f ms per "
		    "I/O, queue %.1f)", busiest->name, pct(busiest->util),
		    busiest->reads_per_s + busiest->writes_per_s,
		    busiest->await_ms, busiest->queue);
	stall = psi_evidence(res, th->bound, &d->psi, "io.psi_some",
	    "io.psi_full", "waited on I/O", th->io_psi_some, th->io_psi_full);
	if (r->cpu.valid)
		stall = fmax(stall, evidence(res, th->bound, 1, 0, "cpu.iowait",
		    r->cpu.all.iowait, th->io_iowait,
		    "CPUs sat idle waiting on I/O %.0f%% of the time "
		    "(%.1f tasks blocked)", pct(r->cpu.all.iowait),
		    r->cpu.blocked_avg));

	/* Tasks waiting on a device that is itself busy wait on the device
	 * (on SSDs and virtual disks %util under-reads, so pressure is the
	 * better saturation signal); waiting on an idle one means a limit
	 * upstream of it. */
	if (dev >= th->bound || (stall >= th->bound && busiest != NULL &&
	    busiest->util >= STALLED_UTIL_MAX)) {
		conclude(res, "device-saturated", SZ_HELPS_YES,
		    "%s is busy %.0f%% of the time and tasks wait on it "
		    "%.0f%% of the time: %.0f IOPS, %.1f ms per I/O, queue "
		    "%.1f", busiest->name, pct(busiest->util),
		    pct(d->psi.valid ? d->psi.some : r->cpu.all.iowait),
		    busiest->reads_per_s + busiest->writes_per_s,
		    busiest->await_ms, busiest->queue);
		advise(res, "faster or provisioned storage (NVMe, more IOPS); "
			    "a bigger server helps only with faster disks");
		advise(res, "batch small synchronous writes (group commit, "
			    "fewer fsyncs) to need fewer I/Os");
	} else if (stall >= th->bound) {
		conclude(res, "stalled", SZ_HELPS_PARTLY,
		    "tasks wait on I/O %.0f%% of the time while the busiest "
		    "device is only %.0f%% busy",
		    pct(d->psi.valid ? d->psi.some : r->cpu.all.iowait),
		    busiest ? pct(busiest->util) : 0);
		advise(res, "look for an I/O limit upstream (cloud volume "
			    "IOPS or throughput cap, cgroup io.max)");
		advise(res, "batch small synchronous writes (fewer fsyncs)");
	}
}

/* ---- network -------------------------------------------------------- */

static void
analyze_network(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_net_rates *n = &r->net;
	const struct sz_netif_rate *full = NULL, *lossy = NULL;
	double link = 0, drops = 0, retrans = 0, best_util = -1, worst = 0;
	size_t i;

	if (!n->valid)
		return;
	for (i = 0; i < n->nifs; i++) {
		const struct sz_netif_rate *f = &n->ifs[i];
		double u = fmax(f->rx_util, f->tx_util);
		double pkts = f->rx_packets_per_s + f->tx_packets_per_s;
		double ratio;

		if (f->capacity_bits_per_s > 0 && u > best_util)
			best_util = u, full = f;
		if (pkts < th->net_min_pkts_per_s)
			continue;
		ratio = (f->rx_drops_per_s + f->tx_drops_per_s) / pkts;
		if (lossy == NULL || ratio > worst)
			worst = ratio, lossy = f;
	}
	if (full != NULL)
		link = evidence(res, th->bound, 1, 1, "net.util_max",
		    best_util, th->net_util,
		    "%s carried %.1f Mbit/s in, %.1f out: %.0f%% of its "
		    "%.0f Mbit/s", full->name,
		    full->rx_bytes_per_s * 8e-6, full->tx_bytes_per_s * 8e-6,
		    pct(best_util), full->capacity_bits_per_s * 1e-6);
	if (lossy != NULL)
		drops = evidence(res, th->bound, 1, 0, "net.drop_ratio", worst,
		    th->net_drop_ratio, "%s dropped %.2f%% of its packets",
		    lossy->name, pct(worst));
	if (n->tcp_valid && n->out_segs_per_s >= th->net_min_pkts_per_s) {
		double ratio = n->retrans_per_s / n->out_segs_per_s;

		retrans = evidence(res, th->bound, 1, 0, "tcp.retrans_ratio",
		    ratio, th->net_retrans_ratio,
		    "%.1f%% of TCP segments were retransmitted (%.0f/s)",
		    pct(ratio), n->retrans_per_s);
	}

	if (link >= th->bound && link >= fmax(drops, retrans)) {
		conclude(res, "link-saturated", SZ_HELPS_PARTLY,
		    "%s runs at %.0f%% of its %.0f Mbit/s", full->name,
		    pct(best_util), full->capacity_bits_per_s * 1e-6);
		advise(res, "a faster link or NIC (bigger instances often come "
			    "with more bandwidth), or spread traffic over "
			    "more hosts");
		advise(res, "send less: compression, caching, a CDN for "
			    "static content");
	} else if (drops >= th->bound && drops >= retrans) {
		conclude(res, "drops", SZ_HELPS_PARTLY,
		    "%s drops %.2f%% of its packets", lossy->name, pct(worst));
		advise(res, "check ring buffers and softirq CPU (ethtool -g, "
			    "/proc/net/softnet_stat) before buying hardware");
	} else if (retrans >= th->bound) {
		conclude(res, "retransmits", SZ_HELPS_PARTLY,
		    "%.1f%% of TCP segments are retransmitted",
		    pct(n->retrans_per_s / n->out_segs_per_s));
		advise(res, "find the lossy or congested hop (a full link, a "
			    "shaper, a bad cable) before buying hardware");
	}
}

/* ---- connections ---------------------------------------------------- */

/* "Most" slots idle: then clients hoard connections a pooler would share. */
#define PG_IDLE_MOST 0.5
/* A quarter of the backends waiting on locks: contention holds the slots. */
#define PG_LOCKED_SHARE 0.25
/* A quarter idle inside a transaction: transactions wait on the client. */
#define PG_IN_XACT_SHARE 0.25

static double
share_of(uint64_t part, uint64_t whole)
{
	return whole > 0 ? (double)part / (double)whole : 0;
}

/* Backends idle, or idle in a transaction, of the last reading. */
static uint64_t
pg_idle(const struct sz_pg_sample *p)
{
	return p->states[SZ_PG_IDLE] + p->states[SZ_PG_IDLE_IN_XACT] +
	    p->states[SZ_PG_IDLE_IN_XACT_ABORTED];
}

static void
conclude_pg_slots(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_pg_rates *pg = &r->pg;
	const struct sz_pg_sample *p = pg->last;
	uint64_t idle = pg_idle(p);
	unsigned long long in_xact = (unsigned long long)(
	    p->states[SZ_PG_IDLE_IN_XACT] +
	    p->states[SZ_PG_IDLE_IN_XACT_ABORTED]);

	if (pg->slots_known && pg->usable > 0)
		conclude(res, "postgres-slots", SZ_HELPS_NO,
		    "%.0f of %lld usable PostgreSQL connection slots are in "
		    "use: %llu active, %llu idle, %llu idle in transaction, "
		    "%llu waiting on a lock", pg->used_avg,
		    (long long)pg->usable,
		    (unsigned long long)p->states[SZ_PG_ACTIVE],
		    (unsigned long long)p->states[SZ_PG_IDLE], in_xact,
		    (unsigned long long)p->waiting_lock);
	else
		conclude(res, "postgres-slots", SZ_HELPS_NO,
		    "PostgreSQL has no connection slot left: it turned sizeup "
		    "away with %llu client backends open",
		    (unsigned long long)p->backends);
	if (share_of(idle, p->backends) >= PG_IDLE_MOST)
		advise(res, "put a transaction-mode pooler in front (PgBouncer "
			    "pool_mode = transaction): most slots sit idle or "
			    "idle in a transaction, and a few server "
			    "connections can serve all these clients");
	else if (p->waits_known && share_of(p->active_on_cpu +
	    p->active_on_io, p->backends) >= PG_IDLE_MOST)
		advise(res, "queue clients in a pooler (PgBouncer) with fewer "
			    "server connections than clients: more busy "
			    "backends would only share the same CPUs and "
			    "disks");
	else
		advise(res, "find the slow statements that hold the slots "
			    "(pg_stat_statements, wait_event in "
			    "pg_stat_activity) and queue clients in a pooler "
			    "(PgBouncer) instead of opening more connections");
	if (share_of(p->waiting_lock, p->backends) >= PG_LOCKED_SHARE)
		advise(res, "find what the lock waiters queue behind "
			    "(pg_blocking_pids()) and keep the transactions "
			    "that take those locks short");
	if (p->oldest_xact_s >= th->conn_pg_xact_age_s ||
	    share_of(in_xact, p->backends) >= PG_IN_XACT_SHARE)
		advise(res, "shorten transactions: commit before waiting on "
			    "anything else, and set "
			    "idle_in_transaction_session_timeout so an idle "
			    "one cannot hold a slot");
	advise(res, "raise max_connections only with the memory for it: "
		    "every slot in use is a backend process with several MB "
		    "of its own plus work_mem for each sort or hash it runs, "
		    "and the server must be restarted");
}

static void
conclude_fd_limit(const struct sz_rates *r, struct sz_resource *res,
    bool system)
{
	const struct sz_fd_rates *fd = &r->fd;
	const struct sz_fd_proc_rate *p = &fd->procs[0];
	char comm[SZ_COMM_MAX * 4];

	if (system) {
		conclude(res, "fd-limit", SZ_HELPS_NO,
		    "%llu of the system's %llu file handles are in use: "
		    "opening files and sockets fails with ENFILE",
		    (unsigned long long)fd->allocated,
		    (unsigned long long)fd->max);
		advise(res, "raise fs.file-max (sysctl), and find which "
			    "processes hold the handles");
		return;
	}
	sz_str_sanitize(comm, sizeof(comm), p->comm);
	conclude(res, "fd-limit", SZ_HELPS_NO,
	    "%s (pid %d) has %llu files and sockets open of its limit of "
	    "%llu: new connections fail with EMFILE", comm, p->pid,
	    (unsigned long long)p->open, (unsigned long long)p->soft_limit);
	advise(res, "raise the process's nofile limit (LimitNOFILE= in its "
		    "systemd unit, limits.conf, ulimit -n) to match the "
		    "connections it must hold");
	advise(res, "if descriptors only ever grow, look for a leak "
		    "(ls -l /proc/PID/fd) before raising the limit");
}

static void
analyze_connections(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_resource *res)
{
	const struct sz_net_rates *n = &r->net;
	const struct sz_pg_rates *pg = &r->pg;
	const struct sz_fd_rates *fd = &r->fd;
	double acc = 0, slots = 0, fd_sys = 0, fd_proc = 0, top;
	char comm[SZ_COMM_MAX * 4];

	if (n->listen_valid)
		acc = evidence(res, th->bound, 1, 0,
		    "tcp.listen_overflows_per_s", n->listen_overflows_per_s,
		    th->conn_listen_overflows_per_s,
		    "%.1f connections per second overflowed a listen queue",
		    n->listen_overflows_per_s);
	if (pg->valid && pg->slots_known && pg->usable > 0)
		slots = evidence(res, th->bound, 1, 1, "pg.slots_used",
		    pg->used, th->conn_pg_slots, "%.1f of %lld usable "
		    "PostgreSQL slots in use on average (max_connections %lld)",
		    pg->used_avg, (long long)pg->usable,
		    (long long)pg->last->max_connections);
	else if (pg->valid && pg->last->refused_full)
		slots = evidence(res, th->bound, 1, 1, "pg.slots_used", 1,
		    th->conn_pg_slots, "PostgreSQL refused a connection: no "
		    "slot left");
	if (pg->valid && pg->last->oldest_xact_s >= 0)
		evidence(res, th->bound, 0, 0, "pg.oldest_xact_s",
		    pg->last->oldest_xact_s, th->conn_pg_xact_age_s,
		    "the oldest open transaction began %.0f s ago",
		    pg->last->oldest_xact_s);
	if (fd->valid)
		fd_sys = evidence(res, th->bound, 1, 1, "fd.system_used",
		    fd->used, th->conn_fd_system, "%llu of %llu file handles "
		    "of the system in use", (unsigned long long)fd->allocated,
		    (unsigned long long)fd->max);
	if (fd->nprocs > 0) {
		sz_str_sanitize(comm, sizeof(comm), fd->procs[0].comm);
		fd_proc = evidence(res, th->bound, 1, 1,
		    "fd.process_used", fd->procs[0].used, th->conn_fd_process,
		    "%s (pid %d) has %llu descriptors open of its soft limit "
		    "%llu", comm, fd->procs[0].pid,
		    (unsigned long long)fd->procs[0].open,
		    (unsigned long long)fd->procs[0].soft_limit);
	}

	top = fmax(fmax(acc, slots), fmax(fd_sys, fd_proc));
	if (top < th->bound)
		return;
	if (slots == top) {
		conclude_pg_slots(r, th, res);
	} else if (fd_proc == top || fd_sys == top) {
		conclude_fd_limit(r, res, fd_sys == top);
	} else {
		conclude(res, "accept-queue", SZ_HELPS_NO,
		    "listen queues overflow %.1f times per second: the server "
		    "does not accept connections fast enough",
		    n->listen_overflows_per_s);
		advise(res, "raise the listen backlog (net.core.somaxconn and "
			    "the server's own backlog setting)");
		advise(res, "accept faster: more acceptor threads or workers");
	}
}

/* ---- verdict -------------------------------------------------------- */

static bool
binds(const struct sz_report *rep, enum sz_bound b)
{
	return rep->res[b].kind != NULL;
}

static bool
kind_is(const struct sz_report *rep, enum sz_bound b, const char *kind)
{
	return binds(rep, b) && strcmp(rep->res[b].kind, kind) == 0;
}

/*
 * Are the connections a symptom of a slow host?  A listener that accepts
 * too slowly, or PostgreSQL slots held by backends busy on CPU or disk,
 * fill up because the work behind them is slow.  Slots held idle, idle in
 * a transaction or waiting on locks, and descriptor limits, are causes in
 * their own right.
 */
static bool
conn_symptom(const struct sz_report *rep)
{
	const struct sz_pg_rates *pg = &rep->rates->pg;
	const struct sz_pg_sample *p = pg->last;
	uint64_t busy;

	if (kind_is(rep, SZ_BOUND_CONNECTIONS, "accept-queue"))
		return true;
	if (!kind_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots") ||
	    !pg->valid)
		return false;
	/* process titles do not tell what active backends wait on */
	if (p->waits_known)
		busy = p->active_on_cpu + p->active_on_io;
	else if (p->states[SZ_PG_ACTIVE] > p->waiting_lock)
		busy = p->states[SZ_PG_ACTIVE] - p->waiting_lock;
	else
		busy = 0;
	return share_of(busy, p->backends) >= PG_IDLE_MOST;
}

/* The strongest of the resources slow work waits on, or connections. */
static enum sz_bound
slow_cause(const struct sz_report *rep, bool mem_pages)
{
	enum sz_bound cause = SZ_BOUND_CONNECTIONS;
	double best = 0;

	if (kind_is(rep, SZ_BOUND_CPU, "all-cores")) {
		cause = SZ_BOUND_CPU;
		best = rep->res[SZ_BOUND_CPU].score;
	}
	if (mem_pages && rep->res[SZ_BOUND_MEMORY].score > best) {
		cause = SZ_BOUND_MEMORY;
		best = rep->res[SZ_BOUND_MEMORY].score;
	}
	if (binds(rep, SZ_BOUND_IO) && rep->res[SZ_BOUND_IO].score > best)
		cause = SZ_BOUND_IO;
	return cause;
}

/*
 * Can paging be what keeps the disks busy?  Refaults, major faults and
 * swap-ins are reads, swap-outs writes.  A disk saturated by writes while
 * a few evicted pages are read back (an fsync-heavy database on a host
 * that trims its page cache) is busy on its own account.  Without disk
 * figures, paging gets the benefit of the doubt.
 */
static bool
paging_explains_io(const struct sz_rates *r)
{
	double reads = 0, writes = 0, paging;
	size_t i;

	for (i = 0; i < r->disk.ndisks; i++) {
		reads += r->disk.disks[i].reads_per_s;
		writes += r->disk.disks[i].writes_per_s;
	}
	if (reads + writes <= 0)
		return true;
	paging = reads + (r->mem.swapout_per_s > 0 ? writes : 0);
	return paging / (reads + writes) >= PAGING_IO_SHARE;
}

/* The binding resource that explains the others (see the file comment). */
static enum sz_bound
root_cause(const struct sz_report *rep)
{
	enum sz_bound b, best = SZ_BOUND_NONE;
	bool mem_pages = binds(rep, SZ_BOUND_MEMORY) &&
	    !kind_is(rep, SZ_BOUND_MEMORY, "oom");

	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		if (binds(rep, b) && (best == SZ_BOUND_NONE ||
		    rep->res[b].score > rep->res[best].score))
			best = b;
	}
	/* between paging and busy disks, what explains what decides, not
	 * which scores higher */
	if (mem_pages && binds(rep, SZ_BOUND_IO) &&
	    (best == SZ_BOUND_MEMORY || best == SZ_BOUND_IO))
		return paging_explains_io(rep->rates) ? SZ_BOUND_MEMORY :
		    SZ_BOUND_IO;
	if (mem_pages && kind_is(rep, SZ_BOUND_CPU, "single-thread"))
		return SZ_BOUND_MEMORY;
	if (kind_is(rep, SZ_BOUND_CPU, "all-cores") &&
	    (best == SZ_BOUND_IO || best == SZ_BOUND_NETWORK))
		return SZ_BOUND_CPU;
	if (best == SZ_BOUND_CONNECTIONS && conn_symptom(rep))
		return slow_cause(rep, mem_pages);
	return best;
}

static double
round2(double v)
{
	return round(v * 100) / 100;
}

/* The share of the four host resources with figures in the window. */
static double
measured_share(const struct sz_rates *r)
{
	int n = r->cpu.valid + (r->mem.valid || r->mem.vm_valid) +
	    (r->disk.valid || r->disk.psi.valid) + r->net.valid;

	return n / 4.0;
}

/* The piece of evidence closest to its threshold, or NULL. */
static const struct sz_evidence *
closest(const struct sz_report *rep)
{
	const struct sz_evidence *best = NULL;
	enum sz_bound b;
	size_t i;

	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		for (i = 0; i < rep->res[b].nev; i++) {
			const struct sz_evidence *e = &rep->res[b].ev[i];

			if (best == NULL || e->score > best->score)
				best = e;
		}
	}
	return best;
}

/*
 * A quiet host's summary: the headline figures, or, when something comes
 * within NEAR_SHARE of binding, what it is, so "quiet" never hides a disk
 * at 85% busy.
 */
static void
quiet_summary(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_report *rep)
{
	const struct sz_evidence *near = closest(rep);
	double disk = 0;
	size_t i;

	if (measured_share(r) == 0) {
		snprintf(rep->summary, sizeof(rep->summary),
		    "nothing could be measured: see the errors");
		return;
	}
	if (near != NULL && near->score >= NEAR_SHARE * th->bound) {
		snprintf(rep->summary, sizeof(rep->summary),
		    "nothing is past its threshold; closest: %.160s "
		    "(threshold %g)", near->says, near->threshold);
		return;
	}
	for (i = 0; i < r->disk.ndisks; i++)
		disk = fmax(disk, r->disk.disks[i].util);
	snprintf(rep->summary, sizeof(rep->summary),
	    "no resource is near its limit: CPU %.0f%% busy, %.0f%% of RAM "
	    "in use, busiest disk %.0f%% busy", pct(r->cpu.all.busy),
	    pct(r->mem.used), pct(disk));
}

void
sz_analyze(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_report *rep)
{
	const struct sz_resource *p;
	double runner_up = 0;
	enum sz_bound b;
	size_t i;

	memset(rep, 0, sizeof(*rep));
	rep->rates = r;
	rep->th = th;
	analyze_cpu(r, th, &rep->res[SZ_BOUND_CPU]);
	analyze_memory(r, th, &rep->res[SZ_BOUND_MEMORY]);
	analyze_io(r, th, &rep->res[SZ_BOUND_IO]);
	analyze_network(r, th, &rep->res[SZ_BOUND_NETWORK]);
	analyze_connections(r, th, &rep->res[SZ_BOUND_CONNECTIONS]);

	rep->bound = root_cause(rep);
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		if (b == rep->bound || !binds(rep, b))
			continue;
		rep->also[rep->nalso].bound = b;
		rep->also[rep->nalso].kind = rep->res[b].kind;
		rep->also[rep->nalso].score = round2(rep->res[b].score);
		rep->nalso++;
		runner_up = fmax(runner_up, rep->res[b].score);
	}
	if (rep->bound == SZ_BOUND_NONE) {
		double top = 0;

		for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++)
			top = fmax(top, rep->res[b].score);
		/* the further below the bound, the surer the all-clear; an
		 * all-clear on what could not be measured is worth less */
		rep->confidence = round2(fmin(0.99, 1 - 0.5 * top / th->bound) *
		    measured_share(r));
		quiet_summary(r, th, rep);
		return;
	}
	p = &rep->res[rep->bound];
	rep->kind = p->kind;
	rep->helps = p->helps;
	snprintf(rep->summary, sizeof(rep->summary), "%s", p->summary);
	for (i = 0; i < p->nadvice; i++)
		rep->advice[i] = p->advice[i];
	rep->nadvice = p->nadvice;
	/* surer the further above the bound, less sure with a close rival */
	rep->confidence = round2(fmin(0.99, fmax(0.3, 0.6 + 0.4 *
	    (p->score - th->bound) / (1 - th->bound) - 0.2 * runner_up)));
}
