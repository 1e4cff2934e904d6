/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup.record.v1 lines (see record.h): written with jansson from a
 * window and its report, read back into what the record says and, on
 * demand, into the window itself.
 *
 * Counters are JSON integers.  A uint64_t is stored as the json_int_t of
 * the same bits, and a difference "last - first" in wrapping arithmetic,
 * so first + difference gives the last value back exactly whatever the
 * counters did.  Counter arrays follow a field table; trailing zeros are
 * left out, so readers take a missing field as zero and ignore fields
 * beyond the ones they know (later versions may append).
 *
 * Reading trusts nothing: every member is type-checked, every array
 * bounded, and a line that breaks a rule is not a record.
 */
#include "config.h"

#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "sizeup/logfile.h"
#include "sizeup/rates.h"
#include "sizeup/record.h"
#include "sizeup/strsafe.h"
#include "sizeup/xmalloc.h"

#define SCHEMA_PREFIX "sizeup.record.v"
#define SCHEMA_VERSION 1

/* Bounds on what a line may ask a reader to allocate. */
#define MAX_SAMPLES (24 * 3600 + 1)	/* a day, one sample a second */
#define MAX_ENTRIES 65536		/* cores, disks, interfaces, tasks */

#define NS_PER_S INT64_C(1000000000)

/* ---- field tables --------------------------------------------------- */

#define FIELDS(a) (a), (sizeof(a) / sizeof((a)[0]))

/* The order of /proc/stat. */
static const size_t tick_fields[] = {
	offsetof(struct sz_cpu_ticks, user),
	offsetof(struct sz_cpu_ticks, nice),
	offsetof(struct sz_cpu_ticks, system),
	offsetof(struct sz_cpu_ticks, idle),
	offsetof(struct sz_cpu_ticks, iowait),
	offsetof(struct sz_cpu_ticks, irq),
	offsetof(struct sz_cpu_ticks, softirq),
	offsetof(struct sz_cpu_ticks, steal),
	offsetof(struct sz_cpu_ticks, guest),
	offsetof(struct sz_cpu_ticks, guest_nice),
};

static const size_t mem_fields[] = {
	offsetof(struct sz_mem_sample, total_bytes),
	offsetof(struct sz_mem_sample, free_bytes),
	offsetof(struct sz_mem_sample, available_bytes),
	offsetof(struct sz_mem_sample, cached_bytes),
	offsetof(struct sz_mem_sample, swap_total_bytes),
	offsetof(struct sz_mem_sample, swap_free_bytes),
};

static const size_t vm_fields[] = {
	offsetof(struct sz_mem_sample, pswpin),
	offsetof(struct sz_mem_sample, pswpout),
	offsetof(struct sz_mem_sample, pgmajfault),
	offsetof(struct sz_mem_sample, workingset_refault),
	offsetof(struct sz_mem_sample, pgscan_direct),
	offsetof(struct sz_mem_sample, allocstall),
	offsetof(struct sz_mem_sample, oom_kill),
};

static const size_t disk_fields[] = {
	offsetof(struct sz_disk, reads),
	offsetof(struct sz_disk, writes),
	offsetof(struct sz_disk, read_bytes),
	offsetof(struct sz_disk, write_bytes),
	offsetof(struct sz_disk, read_ms),
	offsetof(struct sz_disk, write_ms),
	offsetof(struct sz_disk, io_ms),
	offsetof(struct sz_disk, weighted_ms),
	offsetof(struct sz_disk, in_flight),
};

static const size_t netif_fields[] = {
	offsetof(struct sz_netif, rx_bytes),
	offsetof(struct sz_netif, rx_packets),
	offsetof(struct sz_netif, rx_errs),
	offsetof(struct sz_netif, rx_drop),
	offsetof(struct sz_netif, tx_bytes),
	offsetof(struct sz_netif, tx_packets),
	offsetof(struct sz_netif, tx_errs),
	offsetof(struct sz_netif, tx_drop),
};

/* The states of pg_stat_activity, in enum sz_pg_state order. */
static const size_t pg_state_fields[] = {
	offsetof(struct sz_pg_sample, states[SZ_PG_ACTIVE]),
	offsetof(struct sz_pg_sample, states[SZ_PG_IDLE]),
	offsetof(struct sz_pg_sample, states[SZ_PG_IDLE_IN_XACT]),
	offsetof(struct sz_pg_sample, states[SZ_PG_IDLE_IN_XACT_ABORTED]),
	offsetof(struct sz_pg_sample, states[SZ_PG_FASTPATH]),
	offsetof(struct sz_pg_sample, states[SZ_PG_DISABLED]),
	offsetof(struct sz_pg_sample, states[SZ_PG_OTHER]),
};

/* The counters of a limited cgroup. */
static const size_t cg_fields[] = {
	offsetof(struct sz_cgroup, nr_periods),
	offsetof(struct sz_cgroup, nr_throttled),
	offsetof(struct sz_cgroup, throttled_ns),
	offsetof(struct sz_cgroup, usage_ns),
	offsetof(struct sz_cgroup, mem_limit_hits),
	offsetof(struct sz_cgroup, mem_oom_kills),
	offsetof(struct sz_cgroup, mem_refaults),
};

/* Its settings and gauges, read from the last sample. */
static const size_t cg_gauges[] = {
	offsetof(struct sz_cgroup, quota_us),
	offsetof(struct sz_cgroup, period_us),
	offsetof(struct sz_cgroup, mem_limit_bytes),
	offsetof(struct sz_cgroup, mem_usage_bytes),
};

/* The flags of a cgroup entry. */
#define CG_CPU 0x1
#define CG_USAGE 0x2
#define CG_MEM 0x4
#define CG_MEM_USAGE 0x8
#define CG_MEM_REFAULTS 0x10	/* in both samples */

/* Bounds on the cgroups a line may hold (the probe keeps 256). */
#define MAX_CGROUPS 4096

#define MAX_FIELDS 10

static uint64_t *
field(void *base, size_t off)
{
	return (uint64_t *)((char *)base + off);
}

static uint64_t
cfield(const void *base, size_t off)
{
	return *(const uint64_t *)((const char *)base + off);
}

/* ---- writing -------------------------------------------------------- */

static json_t *
jstr(const char *s)
{
	char buf[1024];

	return json_string(sz_str_sanitize(buf, sizeof(buf), s));
}

static json_t *
jreal(double v)
{
	return json_real(isfinite(v) ? round(v * 1e4) / 1e4 : 0);
}

static json_t *
jint(uint64_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *
jtime(time_t t)
{
	char buf[SZ_UTC_MAX];

	return json_string(sz_format_utc(buf, sizeof(buf), t));
}

static int64_t
ts_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * NS_PER_S + ts->tv_nsec;
}

static json_t *
pair(json_t *a, json_t *b)
{
	json_t *v = json_array();

	json_array_append_new(v, a);
	json_array_append_new(v, b);
	return v;
}

/*
 * The fields of b (first == NULL) or their differences from first, as an
 * array without its trailing zeros.
 */
static json_t *
fields_json(const void *first, const void *b, const size_t *off, size_t n)
{
	uint64_t v[MAX_FIELDS];
	json_t *a = json_array();
	size_t i, len = 0;

	assert(n <= MAX_FIELDS);
	for (i = 0; i < n; i++) {
		v[i] = cfield(b, off[i]);
		if (first != NULL)
			v[i] -= cfield(first, off[i]);
		if (v[i] != 0)
			len = i + 1;
	}
	for (i = 0; i < len; i++)
		json_array_append_new(a, jint(v[i]));
	return a;
}

/* Set key of obj to the first fields of a and the differences of b. */
static void
set_fields(json_t *obj, const char *key, const char *dkey, const void *a,
    const void *b, const size_t *off, size_t n)
{
	json_object_set_new(obj, key, fields_json(NULL, a, off, n));
	json_object_set_new(obj, dkey, fields_json(a, b, off, n));
}

static bool
all_equal(const void *a, const void *b, const size_t *off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (cfield(a, off[i]) != cfield(b, off[i]))
			return false;
	}
	return true;
}

static json_t *
host_json(const struct sz_host *h)
{
	json_t *o = json_object();

	json_object_set_new(o, "hostname", jstr(h->hostname));
	json_object_set_new(o, "kernel", jstr(h->kernel));
	json_object_set_new(o, "cpus", json_integer(h->cpus));
	json_object_set_new(o, "mem_total_bytes", jint(h->mem_total_bytes));
	return o;
}

static json_t *
window_json(const struct sz_rates *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "start", jtime(r->start_wall.tv_sec));
	json_object_set_new(o, "end", jtime(r->end_wall.tv_sec));
	json_object_set_new(o, "seconds", jreal(r->seconds));
	json_object_set_new(o, "samples", jint(r->nsamples));
	return o;
}

/* Like the diagnose document's verdict, without the advice (the analyzer
 * gives it again) and without the members that would be null or empty. */
static json_t *
verdict_json(const struct sz_report *rep)
{
	json_t *v = json_object(), *also;
	size_t i;

	json_object_set_new(v, "bound", json_string(sz_bound_name(rep->bound)));
	if (rep->kind != NULL)
		json_object_set_new(v, "kind", jstr(rep->kind));
	json_object_set_new(v, "confidence", jreal(rep->confidence));
	if (sz_helps_name(rep->helps) != NULL)
		json_object_set_new(v, "bigger_server_helps",
		    json_string(sz_helps_name(rep->helps)));
	json_object_set_new(v, "summary", jstr(rep->summary));
	if (rep->nalso == 0)
		return v;
	also = json_array();
	for (i = 0; i < rep->nalso; i++) {
		json_t *a = json_object();

		json_object_set_new(a, "bound",
		    json_string(sz_bound_name(rep->also[i].bound)));
		json_object_set_new(a, "kind", jstr(rep->also[i].kind));
		json_object_set_new(a, "score", jreal(rep->also[i].score));
		json_array_append_new(also, a);
	}
	json_object_set_new(v, "also", also);
	return v;
}

/* Every resource's score; the evidence of those that bind, as
 * [metric, value, threshold, score]. */
static json_t *
resources_json(const struct sz_report *rep)
{
	json_t *o = json_object();
	enum sz_bound b;
	size_t i;

	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		const struct sz_resource *res = &rep->res[b];
		json_t *r = json_object(), *ev;

		json_object_set_new(r, "score", jreal(res->score));
		if (res->kind != NULL) {
			ev = json_array();
			for (i = 0; i < res->nev; i++) {
				const struct sz_evidence *e = &res->ev[i];
				json_t *a = pair(json_string(e->metric),
				    jreal(e->value));

				json_array_append_new(a, jreal(e->threshold));
				json_array_append_new(a, jreal(e->score));
				json_array_append_new(ev, a);
			}
			json_object_set_new(r, "evidence", ev);
		}
		json_object_set_new(o, sz_bound_name(b), r);
	}
	return o;
}

static int
cmp_task_key(const void *key, const void *elem, bool by_tid)
{
	int k = *(const int *)key;
	const struct sz_task *t = elem;
	int v = by_tid ? t->tid : t->pid;

	return (k > v) - (k < v);
}

static int
cmp_pid(const void *key, const void *elem)
{
	return cmp_task_key(key, elem, false);
}

static int
cmp_tid(const void *key, const void *elem)
{
	return cmp_task_key(key, elem, true);
}

/* A task of a table sorted by pid (processes) or tid (threads). */
static const struct sz_task *
lookup(const struct sz_task *v, size_t n, int key, bool by_tid)
{
	if (n == 0)
		return NULL;
	return bsearch(&key, v, n, sizeof(*v), by_tid ? cmp_tid : cmp_pid);
}

/*
 * A task's CPU ticks as [..., first or null, last - first]: first is null
 * when the task was born inside the window (rates count it from zero).
 */
static void
append_ticks(json_t *a, const struct sz_task *t, const struct sz_task *old)
{
	if (old != NULL && old->start_ticks == t->start_ticks) {
		json_array_append_new(a, jint(old->cpu_ticks));
		json_array_append_new(a, jint(t->cpu_ticks - old->cpu_ticks));
	} else {
		json_array_append_new(a, json_null());
		json_array_append_new(a, jint(t->cpu_ticks));
	}
}

static json_t *
state_json(char state)
{
	char s[2] = { state ? state : '?', '\0' };

	return jstr(s);
}

/* [pid, comm, state, threads, rss_bytes, last cpu, first ticks,
 * difference] */
static json_t *
process_json(const struct sz_task *t, const struct sz_threads_sample *a)
{
	json_t *o = pair(json_integer(t->pid), jstr(t->comm));

	json_array_append_new(o, state_json(t->state));
	json_array_append_new(o, json_integer(t->nthreads));
	json_array_append_new(o, jint(t->rss_bytes));
	json_array_append_new(o, json_integer(t->processor));
	append_ticks(o, t, lookup(a->procs, a->nprocs, t->pid, false));
	return o;
}

static bool
same_task(const struct sz_task *x, const struct sz_task *y)
{
	if (x == NULL || y == NULL)
		return x == y;
	return x->tid == y->tid && x->state == y->state &&
	    x->processor == y->processor && x->cpu_ticks == y->cpu_ticks &&
	    x->start_ticks == y->start_ticks &&
	    strcmp(x->comm, y->comm) == 0;
}

/*
 * Is thread t (of the last sample) the only thread of process p, and
 * equal to it in both samples?  Then a record keeps it as its tid alone.
 */
static bool
twin(const struct sz_task *t, const struct sz_task *p,
    const struct sz_threads_sample *a)
{
	return p != NULL && p->nthreads == 1 && same_task(t, p) &&
	    same_task(lookup(a->threads, a->nthreads, t->tid, true),
	    lookup(a->procs, a->nprocs, p->pid, false));
}

/* [tid, pid, comm, state, last cpu, first ticks, difference] */
static json_t *
thread_json(const struct sz_task *t, const struct sz_threads_sample *a)
{
	json_t *o = pair(json_integer(t->tid), json_integer(t->pid));

	json_array_append_new(o, jstr(t->comm));
	json_array_append_new(o, state_json(t->state));
	json_array_append_new(o, json_integer(t->processor));
	append_ticks(o, t, lookup(a->threads, a->nthreads, t->tid, true));
	return o;
}

/*
 * The hottest processes and threads as rates ranked them (those that used
 * CPU), with their raw ticks from the first and last samples; each kept
 * process brings its hottest thread, so a replay names it too.  The only
 * thread of a kept process, equal to it, is kept as its tid alone.
 */
static void
tasks_json(json_t *doc, const struct sz_rates *r, const struct sz_sample *a,
    const struct sz_sample *b)
{
	const struct sz_thread_rates *t = &r->threads;
	json_t *procs = json_array(), *threads = json_array();
	const struct sz_task *kept[SZ_RECORD_TASKS] = { NULL };
	int tids[2 * SZ_RECORD_TASKS];
	size_t i, j, np, ntids = 0;

	/* tasks that used no CPU say nothing about the window */
	for (np = 0; np < t->nprocs && np < SZ_RECORD_TASKS &&
	    t->procs[np].cpu > 0; np++)
		;
	for (i = 0; i < t->nthreads && i < SZ_RECORD_TASKS &&
	    t->threads[i].cpu > 0; i++)
		tids[ntids++] = t->threads[i].tid;
	for (i = 0; i < np; i++) {
		const struct sz_task *p = lookup(b->threads.procs,
		    b->threads.nprocs, t->procs[i].pid, false);

		kept[i] = p;
		if (p != NULL)
			json_array_append_new(procs, process_json(p,
			    &a->threads));
		for (j = 0; j < ntids && tids[j] != t->procs[i].hot_tid; j++)
			;
		if (t->procs[i].hot_tid != 0 && j == ntids)
			tids[ntids++] = t->procs[i].hot_tid;
	}
	for (i = 0; i < ntids; i++) {
		const struct sz_task *th = lookup(b->threads.threads,
		    b->threads.nthreads, tids[i], true);

		for (j = 0; j < np && (kept[j] == NULL ||
		    kept[j]->pid != tids[i]); j++)
			;
		if (th != NULL && j < np && twin(th, kept[j], &a->threads))
			json_array_append_new(threads, json_integer(th->tid));
		else if (th != NULL)
			json_array_append_new(threads, thread_json(th,
			    &a->threads));
	}
	json_object_set_new(doc, "processes", procs);
	json_object_set_new(doc, "threads", threads);
}

/* Per-core tick differences, and the core ids unless they are 0..n-1. */
static void
cores_json(json_t *o, const struct sz_cpu_sample *a,
    const struct sz_cpu_sample *b)
{
	json_t *cores = json_array(), *ids = json_array();
	bool plain = true;
	size_t i;

	for (i = 0; i < b->ncores; i++) {
		const struct sz_cpu_ticks *k = &b->cores[i];
		const struct sz_cpu_ticks *old = sz_sample_core(a, k->id);

		/* a core that came online inside the window counts idle */
		json_array_append_new(cores, fields_json(old ? old : k, k,
		    FIELDS(tick_fields)));
		json_array_append_new(ids, json_integer(k->id));
		plain = plain && k->id == (int)i;
	}
	json_object_set_new(o, "cores", cores);
	if (plain)
		json_decref(ids);
	else
		json_object_set_new(o, "core_ids", ids);
}

/* procs_running and procs_blocked of every sample (null: not read). */
static void
runq_json(json_t *o, const struct sz_sample *const *win, size_t n)
{
	json_t *run = json_array(), *blk = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		const struct sz_cpu_sample *c = &win[i]->cpu;

		json_array_append_new(run, c->valid ? jint(c->procs_running) :
		    json_null());
		json_array_append_new(blk, c->valid ? jint(c->procs_blocked) :
		    json_null());
	}
	json_object_set_new(o, "running", run);
	json_object_set_new(o, "blocked", blk);
}

/* [some, full, some difference, full difference], full null without a
 * "full" line. */
static json_t *
psi_json(const struct sz_psi *a, const struct sz_psi *b)
{
	json_t *v = pair(jint(a->some_total_us), b->has_full ?
	    jint(a->full_total_us) : json_null());

	json_array_append_new(v, jint(b->some_total_us - a->some_total_us));
	json_array_append_new(v, b->has_full ? jint(b->full_total_us -
	    a->full_total_us) : json_null());
	return v;
}

/*
 * Whole devices that did I/O in the window: [name, first, differences].
 * Idle ones (a host may have dozens of loop and ram devices) and
 * partitions (rates use whole devices) are left out.
 */
static json_t *
disks_json(const struct sz_disk_sample *a, const struct sz_disk_sample *b)
{
	json_t *v = json_array(), *e;
	size_t i;

	for (i = 0; i < b->ndisks; i++) {
		const struct sz_disk *d = &b->disks[i];
		const struct sz_disk *old = sz_sample_disk(a, d->name);

		if (d->partition || old == NULL ||
		    all_equal(old, d, FIELDS(disk_fields)))
			continue;
		e = json_array();
		json_array_append_new(e, jstr(d->name));
		json_array_append_new(e, fields_json(NULL, old,
		    FIELDS(disk_fields)));
		json_array_append_new(e, fields_json(old, d,
		    FIELDS(disk_fields)));
		json_array_append_new(v, e);
	}
	return v;
}

/* Interfaces that moved a packet: [name, speed_mbit, first, differences]. */
static json_t *
ifs_json(const struct sz_net_sample *a, const struct sz_net_sample *b)
{
	json_t *v = json_array(), *e;
	size_t i;

	for (i = 0; i < b->nifs; i++) {
		const struct sz_netif *f = &b->ifs[i];
		const struct sz_netif *old = sz_sample_netif(a, f->name);

		if (old == NULL || all_equal(old, f, FIELDS(netif_fields)))
			continue;
		e = pair(jstr(f->name), json_integer(f->speed_mbit));
		json_array_append_new(e, fields_json(NULL, old,
		    FIELDS(netif_fields)));
		json_array_append_new(e, fields_json(old, f,
		    FIELDS(netif_fields)));
		json_array_append_new(v, e);
	}
	return v;
}

/* [a, b, a difference, b difference] */
static json_t *
two_counters(uint64_t a1, uint64_t b1, uint64_t a2, uint64_t b2)
{
	json_t *v = pair(jint(a1), jint(b1));

	json_array_append_new(v, jint(a2 - a1));
	json_array_append_new(v, jint(b2 - b1));
	return v;
}

static json_t *
counters_json(const struct sz_sample *const *win, size_t n)
{
	const struct sz_sample *a = win[0], *b = win[n - 1];
	json_t *o = json_object(), *psi = json_object();

	json_object_set_new(o, "hz", jint(b->hz));
	json_object_set_new(o, "mono_ns", pair(json_integer(ts_ns(&a->mono)),
	    json_integer(ts_ns(&b->mono) - ts_ns(&a->mono))));
	/* CLOCK_BOOTTIME - CLOCK_MONOTONIC: time spent suspended */
	json_object_set_new(o, "boot_mono_ns", json_integer(ts_ns(&a->boot) -
	    ts_ns(&a->mono)));
	if (a->cpu.valid && b->cpu.valid) {
		set_fields(o, "cpu", "cpu_d", &a->cpu.total, &b->cpu.total,
		    FIELDS(tick_fields));
		cores_json(o, &a->cpu, &b->cpu);
		json_object_set_new(o, "ctxt", pair(jint(a->cpu.ctxt),
		    jint(b->cpu.ctxt - a->cpu.ctxt)));
		runq_json(o, win, n);
	}
	if (a->cpu.psi.present && b->cpu.psi.present)
		json_object_set_new(psi, "cpu", psi_json(&a->cpu.psi,
		    &b->cpu.psi));
	if (a->mem.psi.present && b->mem.psi.present)
		json_object_set_new(psi, "memory", psi_json(&a->mem.psi,
		    &b->mem.psi));
	if (a->disk.psi.present && b->disk.psi.present)
		json_object_set_new(psi, "io", psi_json(&a->disk.psi,
		    &b->disk.psi));
	json_object_set_new(o, "psi", psi);
	if (b->mem.valid)
		json_object_set_new(o, "mem", fields_json(NULL, &b->mem,
		    FIELDS(mem_fields)));
	if (a->mem.vm_valid && b->mem.vm_valid)
		set_fields(o, "vm", "vm_d", &a->mem, &b->mem,
		    FIELDS(vm_fields));
	if (b->disk.valid)
		json_object_set_new(o, "disks", disks_json(&a->disk, &b->disk));
	if (b->net.valid)
		json_object_set_new(o, "ifs", ifs_json(&a->net, &b->net));
	if (a->net.tcp_valid && b->net.tcp_valid)
		json_object_set_new(o, "tcp", two_counters(a->net.tcp_out_segs,
		    a->net.tcp_retrans_segs, b->net.tcp_out_segs,
		    b->net.tcp_retrans_segs));
	if (a->net.listen_valid && b->net.listen_valid)
		json_object_set_new(o, "listen", two_counters(
		    a->net.listen_overflows, a->net.listen_drops,
		    b->net.listen_overflows, b->net.listen_drops));
	return o;
}

/*
 * File handles of the last sample: "fd" [allocated, max] and "fd_top",
 * the process with the fullest descriptor table as rates found it:
 * [pid, comm, open, soft limit, hard limit] (a limit of -1: unlimited).
 */
static void
fd_json(json_t *o, const struct sz_fd_rates *r, const struct sz_fd_sample *s)
{
	const struct sz_fd_proc *p = NULL;
	json_t *top;
	size_t i;

	if (!s->valid)
		return;
	json_object_set_new(o, "fd", pair(jint(s->allocated), jint(s->max)));
	for (i = 0; r->nprocs > 0 && i < s->nprocs && p == NULL; i++) {
		if (s->procs[i].pid == r->procs[0].pid)
			p = &s->procs[i];
	}
	if (p == NULL)
		return;
	top = pair(json_integer(p->pid), jstr(p->comm));
	json_array_append_new(top, jint(p->open));
	json_array_append_new(top, jint(p->soft_limit));
	json_array_append_new(top, jint(p->hard_limit));
	json_object_set_new(o, "fd_top", top);
}

/* Is pid among the tasks the record keeps (see tasks_json())? */
static bool
kept_pid(const struct sz_rates *r, int pid)
{
	const struct sz_thread_rates *t = &r->threads;
	size_t i;

	for (i = 0; t->valid && i < SZ_RECORD_TASKS; i++) {
		if ((i < t->nprocs && t->procs[i].pid == pid) ||
		    (i < t->nthreads && t->threads[i].pid == pid))
			return true;
	}
	return false;
}

/*
 * The limited cgroups of the last sample: "cg_version" and "cgroups",
 * entries [path, flags, gauges, first, differences, pids]; flags are
 * CG_*, gauges cg_gauges and counters cg_fields.  A group the first
 * sample lacks (made inside the window) counts from the last sample: no
 * change.  Of its processes, only those among the kept tasks: they are
 * what a replay can attribute.
 */
static void
cgroups_json(json_t *o, const struct sz_rates *r, const struct sz_sample *a,
    const struct sz_sample *b)
{
	const struct sz_cgroup_sample *cb = &b->cgroup;
	json_t *v, *e, *pids;
	size_t i, k;

	if (!cb->valid)
		return;
	json_object_set_new(o, "cg_version", json_integer(cb->version));
	v = json_array();
	for (i = 0; i < cb->ngroups; i++) {
		const struct sz_cgroup *g = &cb->groups[i];
		const struct sz_cgroup *old = sz_sample_cgroup(&a->cgroup,
		    g->path);
		int flags = (g->cpu_limited ? CG_CPU : 0) |
		    (g->has_usage ? CG_USAGE : 0) |
		    (g->mem_limited ? CG_MEM : 0) |
		    (g->has_mem_usage ? CG_MEM_USAGE : 0);

		if (old == NULL)
			old = g;
		if (g->has_mem_refaults && old->has_mem_refaults)
			flags |= CG_MEM_REFAULTS;
		e = pair(jstr(g->path), json_integer(flags));
		json_array_append_new(e, fields_json(NULL, g,
		    FIELDS(cg_gauges)));
		json_array_append_new(e, fields_json(NULL, old,
		    FIELDS(cg_fields)));
		json_array_append_new(e, fields_json(old, g,
		    FIELDS(cg_fields)));
		pids = json_array();
		for (k = 0; k < g->npids && k < SZ_CGROUP_PIDS; k++) {
			if (kept_pid(r, g->pids[k]))
				json_array_append_new(pids,
				    json_integer(g->pids[k]));
		}
		json_array_append_new(e, pids);
		json_array_append_new(v, e);
	}
	json_object_set_new(o, "cgroups", v);
}

/* [[name, backends]] of a PostgreSQL top list. */
static json_t *
pg_counts_json(const struct sz_pg_count *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, pair(jstr(v[i].name), jint(v[i].n)));
	return a;
}

/*
 * The PostgreSQL section (see the SNAPSHOT LOGS section of sizeup(1)):
 * the last sample's figures, and the client backends of every sample
 * (null where not read, or read from another source: rates skip those).
 */
static void
pg_json(json_t *o, const struct sz_sample *const *win, size_t n)
{
	const struct sz_pg_sample *p = &win[n - 1]->pg;
	json_t *pg, *last, *nv;
	size_t i;

	if (!p->valid)
		return;
	pg = json_object();
	last = pair(json_integer(p->source), json_integer(p->port));
	json_array_append_new(last, jint(p->waiting_lock));
	json_array_append_new(last, jint(p->hidden));
	json_array_append_new(last, json_integer(p->refused_full));
	json_array_append_new(last, json_integer(p->max_connections));
	json_array_append_new(last, json_integer(p->superuser_reserved));
	json_array_append_new(last, json_integer(p->reserved));
	json_array_append_new(last, json_integer(p->tcp_established));
	json_array_append_new(last, p->oldest_xact_s >= 0 &&
	    isfinite(p->oldest_xact_s) ? json_real(p->oldest_xact_s) :
	    json_integer(-1));
	json_object_set_new(pg, "last", last);
	json_object_set_new(pg, "states", fields_json(NULL, p,
	    FIELDS(pg_state_fields)));
	if (p->waits_known)
		json_object_set_new(pg, "waits", pair(jint(p->active_on_cpu),
		    jint(p->active_on_io)));
	nv = json_array();
	for (i = 0; i < n; i++) {
		const struct sz_pg_sample *q = &win[i]->pg;

		json_array_append_new(nv, q->valid && q->source == p->source ?
		    jint(q->backends) : json_null());
	}
	json_object_set_new(pg, "backends", nv);
	if (p->ndbs > 0)
		json_object_set_new(pg, "dbs", pg_counts_json(p->dbs,
		    p->ndbs));
	if (p->nusers > 0)
		json_object_set_new(pg, "users", pg_counts_json(p->users,
		    p->nusers));
	json_object_set_new(o, "pg", pg);
}

static json_t *
errors_json(const struct sz_sample *s)
{
	json_t *v = json_array();
	size_t i;

	for (i = 0; i < s->nerrors; i++) {
		const struct sz_sample_error *e = &s->errors[i];
		json_t *a = pair(jstr(e->probe), json_string(
		    sz_errname(e->code)));

		json_array_append_new(a, jstr(e->msg));
		json_array_append_new(v, a);
	}
	return v;
}

enum sz_err
sz_record_format(const struct sz_sample *const *win, size_t n,
    const struct sz_report *rep, char **line, size_t *len)
{
	const struct sz_rates *r = rep->rates;
	json_t *doc, *c;
	char *text;
	size_t l;

	*line = NULL;
	*len = 0;
	if (n < 2)
		return SZ_EINVAL;
	doc = json_object();
	json_object_set_new(doc, "schema", json_string(SZ_RECORD_SCHEMA));
	json_object_set_new(doc, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(doc, "host", host_json(&win[n - 1]->host));
	json_object_set_new(doc, "window", window_json(r));
	json_object_set_new(doc, "verdict", verdict_json(rep));
	json_object_set_new(doc, "resources", resources_json(rep));
	if (r->threads.valid)
		tasks_json(doc, r, win[0], win[n - 1]);
	c = counters_json(win, n);
	if (r->threads.valid)	/* the tables the tasks were kept from */
		json_object_set_new(c, "tasks", pair(jint(
		    r->threads.total_procs), jint(r->threads.total_threads)));
	fd_json(c, &r->fd, &win[n - 1]->fd);
	cgroups_json(c, r, win[0], win[n - 1]);
	pg_json(c, win, n);
	json_object_set_new(doc, "counters", c);
	if (win[n - 1]->nerrors > 0)
		json_object_set_new(doc, "errors", errors_json(win[n - 1]));
	text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (text == NULL)
		return SZ_ENOMEM;
	/* strings escape their control characters and, without
	 * JSON_INDENT, nothing else breaks a line: one line, no NUL */
	l = strlen(text);
	*line = sz_xmalloc(l + 2);
	memcpy(*line, text, l);
	(*line)[l] = '\n';
	(*line)[l + 1] = '\0';
	*len = l + 1;
	free(text);
	return SZ_OK;
}

/* ---- reading: what the record says ---------------------------------- */

/* The schema of a parsed line: SZ_OK for v1, SZ_ERANGE for a newer one. */
static enum sz_err
check_schema(const json_t *doc)
{
	const char *s = json_string_value(json_object_get(doc, "schema"));
	unsigned long v;
	char *end;

	if (s == NULL || strncmp(s, SCHEMA_PREFIX,
	    strlen(SCHEMA_PREFIX)) != 0)
		return SZ_EPARSE;
	s += strlen(SCHEMA_PREFIX);
	if (!isdigit((unsigned char)*s))
		return SZ_EPARSE;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end != '\0' || errno != 0 || v < SCHEMA_VERSION)
		return v > SCHEMA_VERSION ? SZ_ERANGE : SZ_EPARSE;
	return v == SCHEMA_VERSION ? SZ_OK : SZ_ERANGE;
}

static enum sz_err
load(const char *line, size_t len, json_t **doc)
{
	enum sz_err err;

	*doc = json_loadb(line, len, 0, NULL);
	if (*doc == NULL)
		return SZ_EPARSE;
	err = json_is_object(*doc) ? check_schema(*doc) : SZ_EPARSE;
	if (err != SZ_OK) {
		json_decref(*doc);
		*doc = NULL;
	}
	return err;
}

/* Copy an optional string member into a fixed buffer (sanitized again:
 * a record is input like any other). */
static void
get_str(const json_t *obj, const char *key, char *out, size_t outsz)
{
	const char *s = json_string_value(json_object_get(obj, key));

	sz_str_sanitize(out, outsz, s != NULL ? s : "");
}

static double
get_real(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static enum sz_bound
bound_of(const char *name)
{
	enum sz_bound b;

	for (b = SZ_BOUND_NONE; name != NULL && b < SZ_NBOUNDS; b++) {
		if (strcmp(name, sz_bound_name(b)) == 0)
			return b;
	}
	return SZ_NBOUNDS;
}

static enum sz_helps
helps_of(const char *name)
{
	enum sz_helps h;

	for (h = SZ_HELPS_YES; name != NULL && h <= SZ_HELPS_PARTLY; h++) {
		if (strcmp(name, sz_helps_name(h)) == 0)
			return h;
	}
	return SZ_HELPS_NULL;
}

static enum sz_err
parse_doc(const json_t *doc, struct sz_record *rec)
{
	const json_t *win = json_object_get(doc, "window");
	const json_t *v = json_object_get(doc, "verdict");
	const json_t *res = json_object_get(doc, "resources"), *a;
	const char *start, *end;
	enum sz_bound b;
	size_t i;

	start = json_string_value(json_object_get(win, "start"));
	end = json_string_value(json_object_get(win, "end"));
	if (start == NULL || sz_parse_utc(start, &rec->start) != SZ_OK)
		return SZ_EPARSE;
	if (end == NULL || sz_parse_utc(end, &rec->end) != SZ_OK ||
	    rec->end < rec->start)
		rec->end = rec->start;
	rec->seconds = get_real(win, "seconds");
	if (json_integer_value(json_object_get(win, "samples")) > 0)
		rec->nsamples = (size_t)json_integer_value(json_object_get(win,
		    "samples"));
	rec->bound = bound_of(json_string_value(json_object_get(v, "bound")));
	if (rec->bound == SZ_NBOUNDS)
		return SZ_EPARSE;
	get_str(json_object_get(doc, "host"), "hostname", rec->hostname,
	    sizeof(rec->hostname));
	get_str(v, "kind", rec->kind, sizeof(rec->kind));
	get_str(v, "summary", rec->summary, sizeof(rec->summary));
	rec->confidence = get_real(v, "confidence");
	rec->helps = helps_of(json_string_value(json_object_get(v,
	    "bigger_server_helps")));
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++)
		rec->score[b] = get_real(json_object_get(res,
		    sz_bound_name(b)), "score");
	json_array_foreach(json_object_get(v, "also"), i, a) {
		struct sz_record_also *al;

		b = bound_of(json_string_value(json_object_get(a, "bound")));
		if (b == SZ_NBOUNDS || b == SZ_BOUND_NONE)
			continue;	/* a resource of a later version */
		if (rec->nalso == SZ_NBOUNDS)
			break;
		al = &rec->also[rec->nalso++];
		al->bound = b;
		get_str(a, "kind", al->kind, sizeof(al->kind));
		al->score = get_real(a, "score");
	}
	return SZ_OK;
}

enum sz_err
sz_record_parse(const char *line, size_t len, struct sz_record *rec)
{
	enum sz_err err;
	json_t *doc;

	memset(rec, 0, sizeof(*rec));
	err = load(line, len, &doc);
	if (err != SZ_OK)
		return err;
	err = parse_doc(doc, rec);
	json_decref(doc);
	return err;
}

/* ---- reading: the window -------------------------------------------- */

/* Element i of an array of integers; a missing element is zero. */
static bool
get_u64(const json_t *arr, size_t i, uint64_t *out)
{
	const json_t *v = json_array_get(arr, i);

	*out = 0;
	if (v == NULL)
		return json_is_array(arr);
	if (!json_is_integer(v))
		return false;
	*out = (uint64_t)json_integer_value(v);
	return true;
}

/*
 * Fill the fields of a from first (raw values) and those of b from first
 * plus the differences in d.  Without first, d holds differences alone:
 * a gets zero and b the difference, or, for a counter that went
 * backwards, a gets the step and b zero (rates count a step down as zero,
 * as they did live).
 */
static bool
get_fields(const json_t *first, const json_t *d, void *a, void *b,
    const size_t *off, size_t n)
{
	uint64_t x, dx;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!get_u64(d, i, &dx))
			return false;
		if (first != NULL) {
			if (!get_u64(first, i, &x))
				return false;
			*field(a, off[i]) = x;
			*field(b, off[i]) = x + dx;
		} else if ((int64_t)dx >= 0) {
			*field(a, off[i]) = 0;
			*field(b, off[i]) = dx;
		} else {
			*field(a, off[i]) = -dx;
			*field(b, off[i]) = 0;
		}
	}
	return true;
}

/* Raw values of fields into s. */
static bool
get_values(const json_t *v, void *s, const size_t *off, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!get_u64(v, i, field(s, off[i])))
			return false;
	}
	return true;
}

/* [x, dx]: x into *a, x + dx into *b. */
static bool
get_pair(const json_t *v, uint64_t *a, uint64_t *b)
{
	uint64_t d;

	if (json_array_size(v) < 2 || !get_u64(v, 0, a) || !get_u64(v, 1, &d))
		return false;
	*b = *a + d;
	return true;
}

/* [x, y, dx, dy]: the first values and the last ones. */
static bool
get_two(const json_t *v, uint64_t *x1, uint64_t *y1, uint64_t *x2,
    uint64_t *y2)
{
	uint64_t dx, dy;

	if (json_array_size(v) < 4 || !get_u64(v, 0, x1) ||
	    !get_u64(v, 1, y1) || !get_u64(v, 2, &dx) || !get_u64(v, 3, &dy))
		return false;
	*x2 = *x1 + dx;
	*y2 = *y1 + dy;
	return true;
}

static void
ns_ts(struct timespec *ts, int64_t ns)
{
	ts->tv_sec = (time_t)(ns / NS_PER_S);
	ts->tv_nsec = (long)(ns % NS_PER_S);
}

/* The two ends of the window being rebuilt, and what they come from. */
struct rebuild {
	const json_t *doc, *c;		/* the record and its counters */
	struct sz_sample *a, *b;
};

static enum sz_err
rebuild_clocks(struct rebuild *rb)
{
	const json_t *win = json_object_get(rb->doc, "window");
	const json_t *boot = json_object_get(rb->c, "boot_mono_ns");
	const json_t *hz = json_object_get(rb->c, "hz");
	const char *start, *end;
	uint64_t mono, mono_b;

	if (!get_pair(json_object_get(rb->c, "mono_ns"), &mono, &mono_b) ||
	    !json_is_integer(boot) || !json_is_integer(hz))
		return SZ_EPARSE;
	/* the clocks are below 2^62 ns (146 years) */
	if ((int64_t)mono < 0 || (int64_t)mono_b <= (int64_t)mono ||
	    (int64_t)mono_b > INT64_MAX / 2 ||
	    json_integer_value(boot) < 0 ||
	    json_integer_value(boot) > INT64_MAX / 2 ||
	    json_integer_value(hz) <= 0 || json_integer_value(hz) > 1000000)
		return SZ_EPARSE;
	ns_ts(&rb->a->mono, (int64_t)mono);
	ns_ts(&rb->b->mono, (int64_t)mono_b);
	ns_ts(&rb->a->boot, (int64_t)mono + json_integer_value(boot));
	ns_ts(&rb->b->boot, (int64_t)mono_b + json_integer_value(boot));
	rb->a->hz = rb->b->hz = (unsigned long)json_integer_value(hz);
	start = json_string_value(json_object_get(win, "start"));
	end = json_string_value(json_object_get(win, "end"));
	if (start == NULL || end == NULL ||
	    sz_parse_utc(start, &rb->a->wall.tv_sec) != SZ_OK ||
	    sz_parse_utc(end, &rb->b->wall.tv_sec) != SZ_OK)
		return SZ_EPARSE;
	return SZ_OK;
}

static void
rebuild_host(struct rebuild *rb)
{
	const json_t *h = json_object_get(rb->doc, "host");
	struct sz_host *host = &rb->b->host;

	get_str(h, "hostname", host->hostname, sizeof(host->hostname));
	get_str(h, "kernel", host->kernel, sizeof(host->kernel));
	host->cpus = (unsigned int)json_integer_value(json_object_get(h,
	    "cpus"));
	host->mem_total_bytes = (uint64_t)json_integer_value(
	    json_object_get(h, "mem_total_bytes"));
	rb->a->host = *host;
}

static enum sz_err
rebuild_cpu(struct rebuild *rb)
{
	const json_t *cores = json_object_get(rb->c, "cores");
	const json_t *ids = json_object_get(rb->c, "core_ids"), *k;
	struct sz_cpu_sample *a = &rb->a->cpu, *b = &rb->b->cpu;
	size_t i, n = json_array_size(cores);

	if (json_object_get(rb->c, "cpu") == NULL)
		return SZ_OK;
	if (n > MAX_ENTRIES)
		return SZ_ETOOBIG;
	if (!json_is_array(cores) || (ids != NULL &&
	    json_array_size(ids) != n) ||
	    !get_fields(json_object_get(rb->c, "cpu"),
	    json_object_get(rb->c, "cpu_d"), &a->total, &b->total,
	    FIELDS(tick_fields)) ||
	    !get_pair(json_object_get(rb->c, "ctxt"), &a->ctxt, &b->ctxt))
		return SZ_EPARSE;
	a->valid = b->valid = true;
	a->total.id = b->total.id = -1;
	a->cores = sz_xcalloc(n, sizeof(*a->cores));
	b->cores = sz_xcalloc(n, sizeof(*b->cores));
	a->ncores = b->ncores = n;
	json_array_foreach(cores, i, k) {
		const json_t *id = json_array_get(ids, i);

		if ((ids != NULL && !json_is_integer(id)) ||
		    !get_fields(NULL, k, &a->cores[i], &b->cores[i],
		    FIELDS(tick_fields)))
			return SZ_EPARSE;
		a->cores[i].id = b->cores[i].id = ids != NULL ?
		    (int)json_integer_value(id) : (int)i;
	}
	return SZ_OK;
}

/* [some, full, some difference, full difference]; full null without a
 * "full" line. */
static bool
get_psi(const json_t *v, struct sz_psi *a, struct sz_psi *b)
{
	bool full;

	if (v == NULL)
		return true;
	full = !json_is_null(json_array_get(v, 1));
	if (!full) {
		uint64_t some, dsome;

		if (json_array_size(v) < 3 || !get_u64(v, 0, &some) ||
		    !get_u64(v, 2, &dsome))
			return false;
		a->some_total_us = some;
		b->some_total_us = some + dsome;
	} else if (!get_two(v, &a->some_total_us, &a->full_total_us,
	    &b->some_total_us, &b->full_total_us)) {
		return false;
	}
	a->present = b->present = true;
	a->has_full = b->has_full = full;
	return true;
}

static enum sz_err
rebuild_mem(struct rebuild *rb)
{
	const json_t *psi = json_object_get(rb->c, "psi");
	const json_t *mem = json_object_get(rb->c, "mem");
	const json_t *vm = json_object_get(rb->c, "vm");
	struct sz_mem_sample *a = &rb->a->mem, *b = &rb->b->mem;

	if (!get_psi(json_object_get(psi, "cpu"), &rb->a->cpu.psi,
	    &rb->b->cpu.psi) ||
	    !get_psi(json_object_get(psi, "memory"), &a->psi, &b->psi) ||
	    !get_psi(json_object_get(psi, "io"), &rb->a->disk.psi,
	    &rb->b->disk.psi))
		return SZ_EPARSE;
	if (mem != NULL) {
		/* gauges: rates read them from the last sample only */
		if (!json_is_array(mem) || !get_values(mem, b,
		    FIELDS(mem_fields)) || !get_values(mem, a,
		    FIELDS(mem_fields)))
			return SZ_EPARSE;
		a->valid = b->valid = true;
	}
	if (vm != NULL) {
		if (!json_is_array(vm) || !get_fields(vm,
		    json_object_get(rb->c, "vm_d"), a, b, FIELDS(vm_fields)))
			return SZ_EPARSE;
		a->vm_valid = b->vm_valid = true;
	}
	return SZ_OK;
}

/*
 * The entries of an array of [name, ...] into two new tables of elemsz
 * bytes whose name field is at name_off (SZ_NAME_MAX bytes); fill() reads
 * the rest of entry e into element i of both.
 */
static enum sz_err
rebuild_named(const json_t *v, void **a, void **b, size_t *n, size_t elemsz,
    size_t name_off, bool (*fill)(const json_t *e, void *x, void *y))
{
	const json_t *e;
	size_t i;

	if (!json_is_array(v))
		return SZ_EPARSE;
	if (json_array_size(v) > MAX_ENTRIES)
		return SZ_ETOOBIG;
	*n = json_array_size(v);
	*a = sz_xcalloc(*n, elemsz);
	*b = sz_xcalloc(*n, elemsz);
	json_array_foreach(v, i, e) {
		char *x = (char *)*a + i * elemsz, *y = (char *)*b + i * elemsz;
		const char *name = json_string_value(json_array_get(e, 0));

		if (name == NULL || !fill(e, x, y))
			return SZ_EPARSE;
		sz_str_sanitize(x + name_off, SZ_NAME_MAX, name);
		memcpy(y + name_off, x + name_off, SZ_NAME_MAX);
	}
	return SZ_OK;
}

/* [name, first, differences] */
static bool
fill_disk(const json_t *e, void *x, void *y)
{
	return json_is_array(json_array_get(e, 1)) &&
	    get_fields(json_array_get(e, 1), json_array_get(e, 2), x, y,
	    FIELDS(disk_fields));
}

/* [name, speed, first, differences] */
static bool
fill_netif(const json_t *e, void *x, void *y)
{
	const json_t *speed = json_array_get(e, 1);
	struct sz_netif *a = x, *b = y;

	if (!json_is_integer(speed) || !json_is_array(json_array_get(e, 2)))
		return false;
	a->speed_mbit = b->speed_mbit = json_integer_value(speed);
	return get_fields(json_array_get(e, 2), json_array_get(e, 3), x, y,
	    FIELDS(netif_fields));
}

static enum sz_err
rebuild_io_net(struct rebuild *rb)
{
	const json_t *disks = json_object_get(rb->c, "disks");
	const json_t *ifs = json_object_get(rb->c, "ifs");
	const json_t *tcp = json_object_get(rb->c, "tcp");
	const json_t *lst = json_object_get(rb->c, "listen");
	struct sz_sample *a = rb->a, *b = rb->b;
	enum sz_err err;

	if (disks != NULL) {
		a->disk.valid = b->disk.valid = true;
		err = rebuild_named(disks, (void **)&a->disk.disks,
		    (void **)&b->disk.disks, &a->disk.ndisks,
		    sizeof(struct sz_disk), offsetof(struct sz_disk, name),
		    fill_disk);
		b->disk.ndisks = a->disk.ndisks;
		if (err != SZ_OK)
			return err;
	}
	if (ifs != NULL) {
		a->net.valid = b->net.valid = true;
		err = rebuild_named(ifs, (void **)&a->net.ifs,
		    (void **)&b->net.ifs, &a->net.nifs,
		    sizeof(struct sz_netif), offsetof(struct sz_netif, name),
		    fill_netif);
		b->net.nifs = a->net.nifs;
		if (err != SZ_OK)
			return err;
	}
	if (tcp != NULL) {
		if (!get_two(tcp, &a->net.tcp_out_segs,
		    &a->net.tcp_retrans_segs, &b->net.tcp_out_segs,
		    &b->net.tcp_retrans_segs))
			return SZ_EPARSE;
		a->net.tcp_valid = b->net.tcp_valid = true;
	}
	if (lst != NULL) {
		if (!get_two(lst, &a->net.listen_overflows,
		    &a->net.listen_drops, &b->net.listen_overflows,
		    &b->net.listen_drops))
			return SZ_EPARSE;
		a->net.listen_valid = b->net.listen_valid = true;
	}
	return SZ_OK;
}

/* Where the members of a task entry are; -1 for a member it lacks. */
struct task_layout {
	int pid, tid, comm, state, nthreads, rss, processor, ticks;
};

/* [pid, comm, state, threads, rss_bytes, last cpu, first, difference] */
static const struct task_layout proc_layout = {
	.pid = 0, .tid = -1, .comm = 1, .state = 2, .nthreads = 3, .rss = 4,
	.processor = 5, .ticks = 6,
};

/* [tid, pid, comm, state, last cpu, first, difference] */
static const struct task_layout thread_layout = {
	.pid = 1, .tid = 0, .comm = 2, .state = 3, .nthreads = -1, .rss = -1,
	.processor = 4, .ticks = 5,
};

/* Integer element at of e into *out; true and untouched when at < 0. */
static bool
get_int(const json_t *e, int at, int64_t *out)
{
	const json_t *v = json_array_get(e, (size_t)at);

	if (at < 0)
		return true;
	if (!json_is_integer(v))
		return false;
	*out = json_integer_value(v);
	return true;
}

/*
 * Add the task of entry e to the tables: to the last sample's with its
 * last ticks, and, when it was read in the first sample too (first ticks
 * not null), to the first sample's, with the same start time.  A task born
 * inside the window starts at the first sample's boot time, so rates
 * count it from zero as they did live.
 */
static bool
add_task(const json_t *e, const struct task_layout *l, uint64_t born,
    struct sz_task *av, size_t *na, struct sz_task *bv, size_t *nb)
{
	const char *comm = json_string_value(json_array_get(e, l->comm));
	const char *st = json_string_value(json_array_get(e, l->state));
	const json_t *first = json_array_get(e, (size_t)l->ticks);
	int64_t pid = 0, tid = 0, nth = 0, rss = 0, cpu = 0, x = 0, d = 0;
	struct sz_task t = { 0 };

	if (comm == NULL || st == NULL || first == NULL ||
	    !get_int(e, l->pid, &pid) || !get_int(e, l->tid, &tid) ||
	    !get_int(e, l->nthreads, &nth) || !get_int(e, l->rss, &rss) ||
	    !get_int(e, l->processor, &cpu) ||
	    (!json_is_null(first) && !get_int(e, l->ticks, &x)) ||
	    !get_int(e, l->ticks + 1, &d))
		return false;
	t.pid = (int)pid;
	t.tid = l->tid < 0 ? (int)pid : (int)tid;
	sz_str_sanitize(t.comm, sizeof(t.comm), comm);
	t.state = st[0];
	t.nthreads = (int)nth;
	t.rss_bytes = (uint64_t)rss;
	t.processor = (int)cpu;
	t.start_ticks = json_is_null(first) ? born : 0;
	t.cpu_ticks = (uint64_t)x + (uint64_t)d;
	bv[(*nb)++] = t;
	if (!json_is_null(first)) {
		t.cpu_ticks = (uint64_t)x;
		av[(*na)++] = t;
	}
	return true;
}

static struct sz_task *
find_pid(struct sz_task *v, size_t n, int64_t pid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].pid == pid)
			return &v[i];
	}
	return NULL;
}

/* A thread kept as its tid alone: the only thread of the process with
 * that pid, equal to it (the processes are read first). */
static bool
add_twin(int64_t tid, struct sz_threads_sample *a, struct sz_threads_sample *b)
{
	const struct sz_task *p = find_pid(b->procs, b->nprocs, tid);
	const struct sz_task *old = find_pid(a->procs, a->nprocs, tid);

	if (p == NULL)
		return false;
	b->threads[b->nthreads++] = *p;
	if (old != NULL)
		a->threads[a->nthreads++] = *old;
	return true;
}

static int
cmp_task_pid(const void *x, const void *y)
{
	const struct sz_task *a = x, *b = y;

	return (a->pid > b->pid) - (a->pid < b->pid);
}

static int
cmp_task_tid(const void *x, const void *y)
{
	const struct sz_task *a = x, *b = y;

	return (a->tid > b->tid) - (a->tid < b->tid);
}

static enum sz_err
rebuild_tasks(struct rebuild *rb)
{
	const json_t *procs = json_object_get(rb->doc, "processes");
	const json_t *threads = json_object_get(rb->doc, "threads");
	struct sz_threads_sample *a = &rb->a->threads, *b = &rb->b->threads;
	const struct sz_sample *s = rb->a;
	size_t i, np = json_array_size(procs), nt = json_array_size(threads);
	uint64_t tp = 0, tt = 0, born;
	const json_t *e;

	if (procs == NULL)
		return SZ_OK;
	if (!json_is_array(procs) || !json_is_array(threads))
		return SZ_EPARSE;
	if (np > MAX_ENTRIES || nt > MAX_ENTRIES)
		return SZ_ETOOBIG;
	born = (uint64_t)floor(((double)s->boot.tv_sec +
	    (double)s->boot.tv_nsec / 1e9) * (double)s->hz);
	a->valid = b->valid = true;
	a->procs = sz_xcalloc(np, sizeof(*a->procs));
	b->procs = sz_xcalloc(np, sizeof(*b->procs));
	a->threads = sz_xcalloc(nt, sizeof(*a->threads));
	b->threads = sz_xcalloc(nt, sizeof(*b->threads));
	json_array_foreach(procs, i, e) {
		if (!add_task(e, &proc_layout, born, a->procs, &a->nprocs,
		    b->procs, &b->nprocs))
			return SZ_EPARSE;
	}
	json_array_foreach(threads, i, e) {
		bool ok = json_is_integer(e) ?
		    add_twin(json_integer_value(e), a, b) :
		    add_task(e, &thread_layout, born, a->threads,
		    &a->nthreads, b->threads, &b->nthreads);

		if (!ok)
			return SZ_EPARSE;
	}
	qsort(a->procs, a->nprocs, sizeof(*a->procs), cmp_task_pid);
	qsort(b->procs, b->nprocs, sizeof(*b->procs), cmp_task_pid);
	qsort(a->threads, a->nthreads, sizeof(*a->threads), cmp_task_tid);
	qsort(b->threads, b->nthreads, sizeof(*b->threads), cmp_task_tid);
	/* the table the tasks were kept from */
	if (json_is_array(json_object_get(rb->c, "tasks")) &&
	    get_u64(json_object_get(rb->c, "tasks"), 0, &tp) &&
	    get_u64(json_object_get(rb->c, "tasks"), 1, &tt)) {
		b->procs_total = (size_t)tp;
		b->threads_total = (size_t)tt;
	}
	return SZ_OK;
}

/* "fd" and "fd_top" (see fd_json()) into the last sample. */
static enum sz_err
rebuild_fd(struct rebuild *rb)
{
	const json_t *fd = json_object_get(rb->c, "fd");
	const json_t *top = json_object_get(rb->c, "fd_top");
	struct sz_fd_sample *s = &rb->b->fd;
	const char *comm = json_string_value(json_array_get(top, 1));
	struct sz_fd_proc *p;
	int64_t pid = 0;

	if (fd == NULL)
		return SZ_OK;
	if (json_array_size(fd) < 2 || !get_u64(fd, 0, &s->allocated) ||
	    !get_u64(fd, 1, &s->max))
		return SZ_EPARSE;
	s->valid = true;
	if (top == NULL)
		return SZ_OK;
	s->procs = p = sz_xcalloc(1, sizeof(*s->procs));
	s->nprocs = 1;
	if (comm == NULL || !get_int(top, 0, &pid) ||
	    json_array_size(top) < 5 || !get_u64(top, 2, &p->open) ||
	    !get_u64(top, 3, &p->soft_limit) ||
	    !get_u64(top, 4, &p->hard_limit))
		return SZ_EPARSE;
	p->pid = (int)pid;
	sz_str_sanitize(p->comm, sizeof(p->comm), comm);
	return SZ_OK;
}

/* One entry of "cgroups" (see cgroups_json()) into x (first sample) and
 * y (last). */
static bool
fill_cgroup(const json_t *e, struct sz_cgroup *x, struct sz_cgroup *y,
    int version)
{
	const char *path = json_string_value(json_array_get(e, 0));
	const json_t *flags = json_array_get(e, 1);
	const json_t *pids = json_array_get(e, 5), *p;
	int64_t f;
	size_t i;

	if (path == NULL || !json_is_integer(flags) ||
	    !json_is_array(json_array_get(e, 2)) ||
	    !json_is_array(json_array_get(e, 3)) || !json_is_array(pids) ||
	    json_array_size(pids) > SZ_CGROUP_PIDS ||
	    !get_values(json_array_get(e, 2), y, FIELDS(cg_gauges)) ||
	    !get_fields(json_array_get(e, 3), json_array_get(e, 4), x, y,
	    FIELDS(cg_fields)))
		return false;
	f = json_integer_value(flags);
	if ((f & CG_CPU) && y->period_us == 0)
		return false;	/* rates divide by it */
	sz_str_sanitize(y->path, sizeof(y->path), path);
	y->version = version;
	y->cpu_limited = (f & CG_CPU) != 0;
	y->has_usage = (f & CG_USAGE) != 0;
	y->mem_limited = (f & CG_MEM) != 0;
	y->has_mem_usage = (f & CG_MEM_USAGE) != 0;
	y->has_mem_refaults = (f & CG_MEM_REFAULTS) != 0;
	json_array_foreach(pids, i, p) {
		if (!json_is_integer(p))
			return false;
		y->pids[i] = (int)json_integer_value(p);
	}
	y->npids = json_array_size(pids);
	/* the settings and gauges are the last sample's in both */
	memcpy(x->path, y->path, sizeof(x->path));
	x->version = y->version;
	x->cpu_limited = y->cpu_limited;
	x->has_usage = y->has_usage;
	x->mem_limited = y->mem_limited;
	x->has_mem_usage = y->has_mem_usage;
	x->has_mem_refaults = y->has_mem_refaults;
	x->quota_us = y->quota_us;
	x->period_us = y->period_us;
	x->mem_limit_bytes = y->mem_limit_bytes;
	x->mem_usage_bytes = y->mem_usage_bytes;
	memcpy(x->pids, y->pids, sizeof(x->pids));
	x->npids = y->npids;
	return true;
}

/* "cg_version" and "cgroups" into both ends of the window; absent in
 * records of versions before them and when no hierarchy was walked. */
static enum sz_err
rebuild_cgroups(struct rebuild *rb)
{
	const json_t *ver = json_object_get(rb->c, "cg_version");
	const json_t *v = json_object_get(rb->c, "cgroups"), *e;
	struct sz_cgroup_sample *a = &rb->a->cgroup, *b = &rb->b->cgroup;
	size_t i, n;

	if (ver == NULL && v == NULL)
		return SZ_OK;
	if (!json_is_integer(ver) || json_integer_value(ver) < 1 ||
	    json_integer_value(ver) > 2 || !json_is_array(v))
		return SZ_EPARSE;
	n = json_array_size(v);
	if (n > MAX_CGROUPS)
		return SZ_ETOOBIG;
	a->valid = b->valid = true;
	a->version = b->version = (int)json_integer_value(ver);
	a->groups = sz_xcalloc(n, sizeof(*a->groups));
	b->groups = sz_xcalloc(n, sizeof(*b->groups));
	a->ngroups = b->ngroups = n;
	json_array_foreach(v, i, e) {
		if (!fill_cgroup(e, &a->groups[i], &b->groups[i], b->version))
			return SZ_EPARSE;
	}
	return SZ_OK;
}

/* A top list (see pg_counts_json()) into *v and *n. */
static bool
get_pg_counts(const json_t *a, struct sz_pg_count **v, size_t *n)
{
	const json_t *e;
	size_t i;

	if (a == NULL)
		return true;
	if (!json_is_array(a) || json_array_size(a) > SZ_PG_TOP)
		return false;
	*v = sz_xcalloc(SZ_PG_TOP, sizeof(**v));
	json_array_foreach(a, i, e) {
		const char *name = json_string_value(json_array_get(e, 0));

		if (name == NULL || !get_u64(e, 1, &(*v)[i].n))
			return false;
		sz_str_sanitize((*v)[i].name, sizeof((*v)[i].name), name);
		*n = i + 1;
	}
	return true;
}

/*
 * "pg" (see pg_json()) into the last sample; absent in records of
 * versions before it, and when the last sample had no PostgreSQL reading.
 * The backends of the other samples are set by assemble().
 */
static enum sz_err
rebuild_pg(struct rebuild *rb)
{
	const json_t *pg = json_object_get(rb->c, "pg");
	const json_t *last = json_object_get(pg, "last");
	const json_t *waits = json_object_get(pg, "waits");
	const json_t *old = json_array_get(last, 9);
	struct sz_pg_sample *p = &rb->b->pg;
	int64_t v[9];
	int k;

	if (pg == NULL)
		return SZ_OK;
	if (json_array_size(last) < 10 || !json_is_number(old))
		return SZ_EPARSE;
	for (k = 0; k < 9; k++) {
		if (!get_int(last, k, &v[k]))
			return SZ_EPARSE;
	}
	if (v[0] <= SZ_PG_SOURCE_NONE || v[0] > SZ_PG_SOURCE_TITLES ||
	    v[1] < 0 || v[1] > 65535 ||
	    !get_values(json_object_get(pg, "states"), p,
	    FIELDS(pg_state_fields)) ||
	    (waits != NULL && (json_array_size(waits) < 2 ||
	    !get_u64(waits, 0, &p->active_on_cpu) ||
	    !get_u64(waits, 1, &p->active_on_io))) ||
	    !get_pg_counts(json_object_get(pg, "dbs"), &p->dbs, &p->ndbs) ||
	    !get_pg_counts(json_object_get(pg, "users"), &p->users,
	    &p->nusers))
		return SZ_EPARSE;
	p->valid = true;
	p->source = (enum sz_pg_source)v[0];
	p->port = (int)v[1];
	p->waiting_lock = (uint64_t)v[2];
	p->hidden = (uint64_t)v[3];
	p->refused_full = v[4] != 0;
	p->max_connections = v[5];
	p->superuser_reserved = v[6];
	p->reserved = v[7];
	p->tcp_established = v[8];
	p->oldest_xact_s = json_number_value(old);
	p->waits_known = waits != NULL;
	return SZ_OK;
}

/*
 * The client backends of sample k of the n in w (see pg_json()), with the
 * last sample's other figures; the last one's must be there.
 */
static enum sz_err
assemble_pg(const json_t *c, size_t n, struct sz_window *w)
{
	const json_t *nv = json_object_get(json_object_get(c, "pg"),
	    "backends");
	const struct sz_pg_sample *last = &w->samples[n - 1]->pg;
	size_t k;

	if (!last->valid)
		return SZ_OK;
	if (json_array_size(nv) != n ||
	    json_is_null(json_array_get(nv, n - 1)))
		return SZ_EPARSE;
	for (k = 0; k < n; k++) {
		struct sz_pg_sample *p = &w->samples[k]->pg;
		const json_t *e = json_array_get(nv, k);

		if (k + 1 < n) {
			*p = *last;
			p->dbs = p->users = NULL;
			p->ndbs = p->nusers = 0;
			p->valid = !json_is_null(e);
		}
		if (p->valid && !get_u64(nv, k, &p->backends))
			return SZ_EPARSE;
	}
	return SZ_OK;
}

static enum sz_err
err_of(const char *name)
{
	int e;

	/* the codes are append-only and their table has no holes */
	for (e = SZ_OK; name != NULL && strcmp(sz_errname(e), "EUNKNOWN");
	    e++) {
		if (strcmp(name, sz_errname(e)) == 0)
			return e;
	}
	return SZ_EIO;
}

/* The last sample's probe errors: [probe, code name, message]. */
static enum sz_err
rebuild_errors(struct rebuild *rb)
{
	const json_t *v = json_object_get(rb->doc, "errors"), *e;
	struct sz_sample *b = rb->b;
	size_t i;

	if (v != NULL && !json_is_array(v))
		return SZ_EPARSE;
	json_array_foreach(v, i, e) {
		const char *probe = json_string_value(json_array_get(e, 0));
		const char *code = json_string_value(json_array_get(e, 1));
		const char *msg = json_string_value(json_array_get(e, 2));
		struct sz_sample_error *se;

		if (probe == NULL || msg == NULL)
			return SZ_EPARSE;
		if (b->nerrors == SZ_MAX_ERRORS)
			break;
		se = &b->errors[b->nerrors++];
		sz_str_sanitize(se->probe, sizeof(se->probe), probe);
		se->code = err_of(code);
		sz_str_sanitize(se->msg, sizeof(se->msg), msg);
	}
	return SZ_OK;
}

static void *
dup_array(const void *v, size_t n, size_t size)
{
	void *p = sz_xcalloc(n, size);

	if (n > 0)
		memcpy(p, v, n * size);
	return p;
}

/*
 * A sample in the middle of the window: the counters of src (the first
 * or the last sample), no process table, no errors.  Every array the
 * copied parts own is duplicated.
 */
static struct sz_sample *
middle_sample(const struct sz_sample *src)
{
	struct sz_sample *s = sz_sample_new();

	s->mono = src->mono;
	s->wall = src->wall;
	s->boot = src->boot;
	s->hz = src->hz;
	s->host = src->host;
	s->cpu = src->cpu;
	s->cpu.cores = dup_array(src->cpu.cores, src->cpu.ncores,
	    sizeof(*src->cpu.cores));
	s->mem = src->mem;
	s->disk = src->disk;
	s->disk.disks = dup_array(src->disk.disks, src->disk.ndisks,
	    sizeof(*src->disk.disks));
	s->net = src->net;
	s->net.ifs = dup_array(src->net.ifs, src->net.nifs,
	    sizeof(*src->net.ifs));
	s->cgroup = src->cgroup;
	s->cgroup.groups = dup_array(src->cgroup.groups, src->cgroup.ngroups,
	    sizeof(*src->cgroup.groups));
	return s;
}

/* procs_running and procs_blocked of one sample. */
struct runq {
	bool valid;	/* false: its CPU was not read */
	uint64_t running, blocked;
};

static enum sz_err
get_runq(const json_t *c, size_t n, struct runq *q)
{
	const json_t *run = json_object_get(c, "running");
	const json_t *blk = json_object_get(c, "blocked");
	size_t k;

	if (json_array_size(run) != n || json_array_size(blk) != n)
		return SZ_EPARSE;
	for (k = 0; k < n; k++) {
		q[k].valid = !json_is_null(json_array_get(run, k));
		if (q[k].valid != !json_is_null(json_array_get(blk, k)) ||
		    (q[k].valid && (!get_u64(run, k, &q[k].running) ||
		    !get_u64(blk, k, &q[k].blocked))))
			return SZ_EPARSE;
	}
	return q[0].valid && q[n - 1].valid ? SZ_OK : SZ_EPARSE;
}

/*
 * Assemble the n samples: the first, copies of it, copies of the last,
 * and the last, so that the whole change of every counter falls in one
 * step, the last step between two samples whose CPU was read (rates skip
 * a step from or to a sample without it, as they did live).
 */
static enum sz_err
assemble(struct rebuild *rb, size_t n, struct sz_window *w)
{
	bool cpu = rb->a->cpu.valid;
	struct runq *q = sz_xcalloc(n, sizeof(*q));
	size_t k, jump = n - 1;
	enum sz_err err;

	err = cpu ? get_runq(rb->c, n, q) : SZ_OK;
	if (err != SZ_OK)
		goto out;
	while (cpu && jump > 1 && !(q[jump - 1].valid && q[jump].valid))
		jump--;
	w->samples = sz_xcalloc(n, sizeof(*w->samples));
	w->n = n;
	w->samples[0] = rb->a;
	w->samples[n - 1] = rb->b;
	rb->a = rb->b = NULL;	/* the window owns them now */
	for (k = 1; k + 1 < n; k++)
		w->samples[k] = middle_sample(w->samples[k < jump ? 0 : n - 1]);
	for (k = 0; cpu && k < n; k++) {
		w->samples[k]->cpu.valid = q[k].valid;
		w->samples[k]->cpu.procs_running = q[k].running;
		w->samples[k]->cpu.procs_blocked = q[k].blocked;
	}
	err = assemble_pg(rb->c, n, w);
out:
	free(q);
	return err;
}

enum sz_err
sz_record_window(const char *line, size_t len, struct sz_window *w)
{
	struct rebuild rb = { 0 };
	const json_t *n;
	enum sz_err err;
	json_t *doc;

	memset(w, 0, sizeof(*w));
	err = load(line, len, &doc);
	if (err != SZ_OK)
		return err;
	rb.doc = doc;
	rb.c = json_object_get(doc, "counters");
	n = json_object_get(json_object_get(doc, "window"), "samples");
	if (!json_is_object(rb.c) || !json_is_integer(n) ||
	    json_integer_value(n) < 2) {
		err = SZ_EPARSE;
		goto out;
	}
	if (json_integer_value(n) > MAX_SAMPLES) {
		err = SZ_ETOOBIG;
		goto out;
	}
	rb.a = sz_sample_new();
	rb.b = sz_sample_new();
	err = rebuild_clocks(&rb);
	if (err != SZ_OK)
		goto out;
	rebuild_host(&rb);
	err = rebuild_cpu(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_mem(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_io_net(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_tasks(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_fd(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_cgroups(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_pg(&rb);
	if (err != SZ_OK)
		goto out;
	err = rebuild_errors(&rb);
	if (err != SZ_OK)
		goto out;
	err = assemble(&rb, (size_t)json_integer_value(n), w);
out:
	sz_sample_free(rb.a);
	sz_sample_free(rb.b);
	if (err != SZ_OK)
		sz_window_fini(w);
	json_decref(doc);
	return err;
}

/* ---- log files ------------------------------------------------------ */

/* Records a file may hold: a year of one a second, several times over. */
#define MAX_RECORDS (1u << 26)

static void
count_bad(struct sz_record_file *f, unsigned long lineno)
{
	if (f->bad++ == 0)
		f->first_bad = lineno;
}

/* Take the line ending at lineno: a record, a newer one, or a bad line. */
static enum sz_err
take_line(struct sz_record_file *f, const char *line, size_t len,
    bool toolong, unsigned long lineno, unsigned int flags, size_t *cap)
{
	struct sz_record rec;
	enum sz_err err;

	if (len == 0 && !toolong)
		return SZ_OK;	/* an empty line holds nothing to count */
	err = toolong ? SZ_ETOOBIG : sz_record_parse(line, len, &rec);
	if (err == SZ_ERANGE) {
		f->newer++;
		return SZ_OK;
	}
	if (err != SZ_OK) {
		count_bad(f, lineno);
		return SZ_OK;
	}
	if (f->n == MAX_RECORDS)
		return SZ_ETOOBIG;
	if (f->n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		f->recs = sz_xreallocarray(f->recs, *cap, sizeof(*f->recs));
	}
	rec.line = lineno;
	if (flags & SZ_RECORD_KEEP_TEXT) {
		rec.text = sz_xmalloc(len + 1);
		memcpy(rec.text, line, len);
		rec.text[len] = '\0';
	}
	f->recs[f->n++] = rec;
	return SZ_OK;
}

enum sz_err
sz_record_read_file(const char *path, unsigned int flags,
    struct sz_record_file *out)
{
	unsigned long lineno = 1;
	size_t len = 0, cap = 0;
	enum sz_err err = SZ_OK;
	bool toolong = false;
	char *buf;
	FILE *fp;
	int fd, c;

	memset(out, 0, sizeof(*out));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sz_err_from_errno(errno);
	/* under the lock no append is half seen; without it (a writer
	 * stuck for seconds) read what is there: a torn line is counted */
	(void)sz_log_lock(fd, LOCK_SH);
	fp = fdopen(fd, "r");
	if (fp == NULL) {
		err = sz_err_from_errno(errno);
		close(fd);
		return err;
	}
	buf = sz_xmalloc(SZ_RECORD_LINE_MAX);
	while (err == SZ_OK && (c = getc(fp)) != EOF) {
		if (c != '\n') {
			if (len < SZ_RECORD_LINE_MAX)
				buf[len++] = (char)c;
			else
				toolong = true;
			continue;
		}
		err = take_line(out, buf, len, toolong, lineno++, flags, &cap);
		len = 0;
		toolong = false;
	}
	/* a last line without its newline: torn by a crash, or written by
	 * another tool; it counts if it parses */
	if (err == SZ_OK)
		err = take_line(out, buf, len, toolong, lineno, flags, &cap);
	if (err == SZ_OK && ferror(fp))
		err = SZ_EIO;
	free(buf);
	fclose(fp);
	if (err != SZ_OK)
		sz_record_file_fini(out);
	return err;
}

void
sz_record_file_fini(struct sz_record_file *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->recs[i].text);
	free(f->recs);
	memset(f, 0, sizeof(*f));
}

long
sz_record_pick(const struct sz_record_file *f, bool use_at, time_t at)
{
	long best = -1;
	size_t i;

	if (!use_at)
		return f->n > 0 ? (long)f->n - 1 : -1;
	/* the latest start at or before at: the window that holds at, if
	 * one does, else the last one before it */
	for (i = 0; i < f->n; i++) {
		if (f->recs[i].start <= at && (best < 0 ||
		    f->recs[i].start >= f->recs[best].start))
			best = (long)i;
	}
	return best;
}

/* ---- times ---------------------------------------------------------- */

/* n decimal digits at *p into *out; *p moves past them. */
static bool
digits(const char **p, int n, int *out)
{
	int v = 0;

	while (n-- > 0) {
		if (!isdigit((unsigned char)**p))
			return false;
		v = v * 10 + (*(*p)++ - '0');
	}
	*out = v;
	return true;
}

enum sz_err
sz_parse_utc(const char *s, time_t *out)
{
	struct tm tm = { 0 }, back;
	const char *p = s;
	time_t t;

	if (!digits(&p, 4, &tm.tm_year) || *p++ != '-' ||
	    !digits(&p, 2, &tm.tm_mon) || *p++ != '-' ||
	    !digits(&p, 2, &tm.tm_mday))
		return SZ_EINVAL;
	if (*p == 'T') {
		p++;
		if (!digits(&p, 2, &tm.tm_hour) || *p++ != ':' ||
		    !digits(&p, 2, &tm.tm_min))
			return SZ_EINVAL;
		if (*p == ':' && (p++, !digits(&p, 2, &tm.tm_sec)))
			return SZ_EINVAL;
		if (*p == 'Z')
			p++;
	}
	if (*p != '\0')
		return SZ_EINVAL;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	back = tm;
	t = timegm(&tm);
	/* timegm normalizes: a date that moved (Feb 30, 25:00) was wrong */
	if (t == (time_t)-1 || tm.tm_year != back.tm_year ||
	    tm.tm_mon != back.tm_mon || tm.tm_mday != back.tm_mday ||
	    tm.tm_hour != back.tm_hour || tm.tm_min != back.tm_min ||
	    tm.tm_sec != back.tm_sec)
		return SZ_EINVAL;
	*out = t;
	return SZ_OK;
}

enum sz_err
sz_parse_when(const char *s, time_t now, time_t *out)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = { { 'd', 86400 }, { 'h', 3600 }, { 'm', 60 } };
	unsigned long n;
	char *end;
	size_t i;

	if (s[0] != '-')
		return sz_parse_utc(s, out);
	if (!isdigit((unsigned char)s[1]))
		return SZ_EINVAL;
	errno = 0;
	n = strtoul(s + 1, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (end[0] != units[i].unit || end[1] != '\0')
			continue;
		/* a hundred years back is as far as it goes */
		if (errno != 0 || n > 36500UL * 86400 / units[i].seconds)
			return SZ_ERANGE;
		*out = now - (time_t)n * units[i].seconds;
		return SZ_OK;
	}
	return SZ_EINVAL;
}

char *
sz_format_utc(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, size, "?");
	return buf;
}
