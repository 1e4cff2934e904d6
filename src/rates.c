/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rates: a window of raw samples turned into shares, per-second figures
 * and per-thread CPU (see rates.h).  Every counter is differenced between
 * consecutive samples and a negative step counts as zero, so CPU hotplug,
 * iowait going backwards on NO_HZ kernels and interface resets never yield
 * a negative or 2^64-sized rate.  Cores, disks and interfaces are matched
 * by id or name, never by position: lists change between samples.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sizeup/rates.h"
#include "sizeup/xmalloc.h"

static uint64_t
delta(uint64_t before, uint64_t after)
{
	return after >= before ? after - before : 0;
}

static double
clamp01(double v)
{
	return v < 0 ? 0 : v > 1 ? 1 : v;
}

static double
ts_seconds(const struct timespec *ts)
{
	return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

/* ---- CPU ------------------------------------------------------------ */

/* Summed tick deltas of one core over the window. */
struct tick_acc {
	int id;
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	uint64_t guest, guest_nice;
};

static void
acc_ticks(struct tick_acc *acc, const struct sz_cpu_ticks *a,
    const struct sz_cpu_ticks *b)
{
	acc->user += delta(a->user, b->user);
	acc->nice += delta(a->nice, b->nice);
	acc->system += delta(a->system, b->system);
	acc->idle += delta(a->idle, b->idle);
	acc->iowait += delta(a->iowait, b->iowait);
	acc->irq += delta(a->irq, b->irq);
	acc->softirq += delta(a->softirq, b->softirq);
	acc->steal += delta(a->steal, b->steal);
	acc->guest += delta(a->guest, b->guest);
	acc->guest_nice += delta(a->guest_nice, b->guest_nice);
}

/*
 * Shares of a core's time.  The kernel counts guest time inside user (and
 * guest_nice inside nice), so guest is taken out of them rather than added
 * to the total a second time.
 */
static void
shares(struct sz_core_rate *out, const struct tick_acc *t)
{
	uint64_t guest = t->guest + t->guest_nice;
	uint64_t user = t->user >= t->guest ? t->user - t->guest : 0;
	uint64_t nice = t->nice >= t->guest_nice ? t->nice - t->guest_nice : 0;
	double total = (double)(t->user + t->nice + t->system + t->idle +
	    t->iowait + t->irq + t->softirq + t->steal);

	memset(out, 0, sizeof(*out));
	out->id = t->id;
	if (total <= 0) {
		/* a tickless core that logged nothing at all was idle */
		out->idle = 1;
		return;
	}
	out->user = user / total;
	out->nice = nice / total;
	out->guest = guest / total;
	out->system = t->system / total;
	out->irq = t->irq / total;
	out->softirq = t->softirq / total;
	out->iowait = t->iowait / total;
	out->steal = t->steal / total;
	out->idle = t->idle / total;
	out->busy = clamp01(out->user + out->nice + out->guest + out->system +
	    out->irq + out->softirq);
}

static void
psi_acc(uint64_t *some, uint64_t *full, const struct sz_psi *a,
    const struct sz_psi *b)
{
	if (!a->present || !b->present)
		return;
	*some += delta(a->some_total_us, b->some_total_us);
	*full += delta(a->full_total_us, b->full_total_us);
}

static void
psi_finish(struct sz_psi_rate *out, const struct sz_psi *last,
    uint64_t some_us, uint64_t full_us, double seconds)
{
	out->valid = last->present;
	out->has_full = last->has_full;
	if (!out->valid)
		return;
	out->some = clamp01((double)some_us / (seconds * 1e6));
	out->full = out->has_full ? clamp01((double)full_us / (seconds * 1e6))
				  : 0;
}

static void
cpu_rates(struct sz_cpu_rates *out, const struct sz_sample *const *win,
    size_t n, double seconds)
{
	const struct sz_cpu_sample *last = &win[n - 1]->cpu;
	struct tick_acc all = { .id = -1 };
	struct tick_acc *acc;
	uint64_t psi_some = 0, psi_full = 0, ctxt = 0;
	double runq = 0, blocked = 0;
	size_t i, k, nvalid = 0;

	if (!last->valid)
		return;
	acc = sz_xcalloc(last->ncores, sizeof(*acc));
	for (k = 0; k < last->ncores; k++)
		acc[k].id = last->cores[k].id;
	for (i = 0; i < n; i++) {
		const struct sz_cpu_sample *b = &win[i]->cpu;

		if (!b->valid)
			continue;
		/* procs_running counts sizeup itself, running to read it */
		runq += b->procs_running > 0 ? (double)b->procs_running - 1 : 0;
		blocked += (double)b->procs_blocked;
		nvalid++;
	}
	for (i = 1; i < n; i++) {
		const struct sz_cpu_sample *a = &win[i - 1]->cpu;
		const struct sz_cpu_sample *b = &win[i]->cpu;

		if (!a->valid || !b->valid)
			continue;
		acc_ticks(&all, &a->total, &b->total);
		ctxt += delta(a->ctxt, b->ctxt);
		psi_acc(&psi_some, &psi_full, &a->psi, &b->psi);
		for (k = 0; k < last->ncores; k++) {
			const struct sz_cpu_ticks *ta = sz_sample_core(a,
			    acc[k].id);
			const struct sz_cpu_ticks *tb = sz_sample_core(b,
			    acc[k].id);

			if (ta != NULL && tb != NULL)
				acc_ticks(&acc[k], ta, tb);
		}
	}
	out->valid = true;
	shares(&out->all, &all);
	out->cores = sz_xcalloc(last->ncores, sizeof(*out->cores));
	out->ncores = last->ncores;
	for (k = 0; k < last->ncores; k++)
		shares(&out->cores[k], &acc[k]);
	free(acc);
	out->ctxt_per_s = (double)ctxt / seconds;
	out->runq_avg = nvalid ? runq / (double)nvalid : 0;
	out->blocked_avg = nvalid ? blocked / (double)nvalid : 0;
	psi_finish(&out->psi, &last->psi, psi_some, psi_full, seconds);
}

/* ---- threads -------------------------------------------------------- */

static const struct sz_task *
find_task(const struct sz_task *v, size_t n, int key, bool by_tid)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = by_tid ? v[mid].tid : v[mid].pid;

		if (k == key)
			return &v[mid];
		if (k < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/*
 * CPU ticks a task used during the window.  A task absent from the first
 * sample counts from zero only if it was born inside the window; otherwise
 * it was simply not read then (its process was not in the thread set) and
 * its share of the window is unknown.
 */
static bool
task_ticks(const struct sz_task *t, const struct sz_task *v, size_t nv,
    bool by_tid, double born_after_ticks, uint64_t *ticks)
{
	const struct sz_task *old = find_task(v, nv, by_tid ? t->tid : t->pid,
	    by_tid);

	if (old != NULL && old->start_ticks == t->start_ticks) {
		*ticks = delta(old->cpu_ticks, t->cpu_ticks);
		return true;
	}
	if ((double)t->start_ticks >= born_after_ticks) {
		*ticks = t->cpu_ticks;
		return true;
	}
	return false;
}

static int
cmp_task_rate(const void *a, const void *b)
{
	const struct sz_task_rate *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? 1 : -1;
	return (x->tid > y->tid) - (x->tid < y->tid);
}

static void
task_rate(struct sz_task_rate *out, const struct sz_task *t, double cpu)
{
	memset(out, 0, sizeof(*out));
	out->pid = t->pid;
	out->tid = t->tid;
	out->comm = t->comm;
	out->state = t->state;
	out->nthreads = t->nthreads;
	out->processor = t->processor;
	out->rss_bytes = t->rss_bytes;
	out->cpu = cpu;
}

/* Rate every task of b against a, sort hottest first, return the count. */
static size_t
rate_tasks(struct sz_task_rate **out, const struct sz_task *bv, size_t nb,
    const struct sz_task *av, size_t na, bool by_tid, double born_after,
    double per_tick)
{
	struct sz_task_rate *v = sz_xcalloc(nb, sizeof(*v));
	size_t i, n = 0;
	uint64_t ticks;

	for (i = 0; i < nb; i++) {
		if (task_ticks(&bv[i], av, na, by_tid, born_after, &ticks))
			task_rate(&v[n++], &bv[i], (double)ticks * per_tick);
	}
	qsort(v, n, sizeof(*v), cmp_task_rate);
	*out = v;
	return n;
}

static int
cmp_rss(const void *a, const void *b)
{
	const struct sz_task_rate *x = a, *y = b;

	if (x->rss_bytes != y->rss_bytes)
		return x->rss_bytes < y->rss_bytes ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int
cmp_nthreads(const void *a, const void *b)
{
	const struct sz_task_rate *x = a, *y = b;

	if (x->nthreads != y->nthreads)
		return x->nthreads < y->nthreads ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Copy the first SZ_TOP_TASKS of v (n, sorted by cmp) to out. */
static size_t
keep_top(struct sz_task_rate *out, struct sz_task_rate *v, size_t n,
    int (*cmp)(const void *, const void *))
{
	size_t k = n < SZ_TOP_TASKS ? n : SZ_TOP_TASKS;

	if (cmp != NULL)
		qsort(v, n, sizeof(*v), cmp);
	memcpy(out, v, k * sizeof(*v));
	return k;
}

/* Name each process's hottest thread: threads (nt) are sorted hottest
 * first, so the first of a pid is its hottest. */
static void
attribute_threads(struct sz_task_rate *procs, size_t np,
    const struct sz_task_rate *threads, size_t nt)
{
	size_t i, j;

	for (i = 0; i < np; i++) {
		for (j = 0; j < nt; j++) {
			if (threads[j].pid == procs[i].pid) {
				procs[i].hot_tid = threads[j].tid;
				procs[i].hot_cpu = threads[j].cpu;
				procs[i].hot_comm = threads[j].comm;
				break;
			}
		}
	}
}

static void
thread_rates(struct sz_thread_rates *out, const struct sz_sample *first,
    const struct sz_sample *last, double seconds)
{
	const struct sz_threads_sample *a = &first->threads;
	const struct sz_threads_sample *b = &last->threads;
	struct sz_task_rate *procs, *threads;
	double hz = last->hz ? (double)last->hz : 100;
	double per_tick = 1.0 / (hz * seconds);
	/* one tick of slack: start times are truncated to ticks */
	double born_after = ts_seconds(&first->boot) * hz - 1;
	size_t np, nt, i;

	if (!a->valid || !b->valid)
		return;
	out->valid = true;
	out->total_procs = b->nprocs;
	/* the last sample reads only some threads; every process says how
	 * many it has */
	for (i = 0; i < b->nprocs; i++)
		out->total_threads += b->procs[i].nthreads > 0 ?
		    (size_t)b->procs[i].nthreads : 0;
	if (b->procs_total > 0) {	/* rebuilt from a record: trimmed */
		out->total_procs = b->procs_total;
		out->total_threads = b->threads_total;
	}
	np = rate_tasks(&procs, b->procs, b->nprocs, a->procs, a->nprocs,
	    false, born_after, per_tick);
	nt = rate_tasks(&threads, b->threads, b->nthreads, a->threads,
	    a->nthreads, true, born_after, per_tick);
	out->nthreads = keep_top(out->threads, threads, nt, NULL);
	out->nprocs = keep_top(out->procs, procs, np, NULL);
	out->nby_rss = keep_top(out->by_rss, procs, np, cmp_rss);
	out->nby_threads = keep_top(out->by_threads, procs, np, cmp_nthreads);
	attribute_threads(out->procs, out->nprocs, threads, nt);
	attribute_threads(out->by_rss, out->nby_rss, threads, nt);
	attribute_threads(out->by_threads, out->nby_threads, threads, nt);
	free(procs);
	free(threads);
}

/* ---- memory --------------------------------------------------------- */

static void
mem_rates(struct sz_mem_rates *out, const struct sz_sample *const *win,
    size_t n, double seconds)
{
	const struct sz_mem_sample *last = &win[n - 1]->mem;
	uint64_t swin = 0, swout = 0, majf = 0, refault = 0, scan = 0;
	uint64_t stall = 0, oom = 0, psi_some = 0, psi_full = 0;
	size_t i;

	if (last->valid) {
		out->valid = true;
		out->total_bytes = last->total_bytes;
		out->available_bytes = last->available_bytes;
		out->cached_bytes = last->cached_bytes;
		out->swap_total_bytes = last->swap_total_bytes;
		out->swap_used_bytes = delta(last->swap_free_bytes,
		    last->swap_total_bytes);
		out->used = last->total_bytes ? clamp01(1.0 -
		    (double)last->available_bytes /
		    (double)last->total_bytes) : 0;
	}
	for (i = 1; i < n; i++) {
		const struct sz_mem_sample *a = &win[i - 1]->mem;
		const struct sz_mem_sample *b = &win[i]->mem;

		psi_acc(&psi_some, &psi_full, &a->psi, &b->psi);
		if (!a->vm_valid || !b->vm_valid)
			continue;
		swin += delta(a->pswpin, b->pswpin);
		swout += delta(a->pswpout, b->pswpout);
		majf += delta(a->pgmajfault, b->pgmajfault);
		refault += delta(a->workingset_refault, b->workingset_refault);
		scan += delta(a->pgscan_direct, b->pgscan_direct);
		stall += delta(a->allocstall, b->allocstall);
		oom += delta(a->oom_kill, b->oom_kill);
	}
	out->vm_valid = last->vm_valid;
	out->swapin_per_s = (double)swin / seconds;
	out->swapout_per_s = (double)swout / seconds;
	out->majfault_per_s = (double)majf / seconds;
	out->refault_per_s = (double)refault / seconds;
	out->direct_scan_per_s = (double)scan / seconds;
	out->allocstall_per_s = (double)stall / seconds;
	out->oom_kills = oom;
	psi_finish(&out->psi, &last->psi, psi_some, psi_full, seconds);
}

/* ---- disks ---------------------------------------------------------- */

static void
disk_rates(struct sz_disk_rates *out, const struct sz_sample *const *win,
    size_t n, double seconds)
{
	const struct sz_disk_sample *last = &win[n - 1]->disk;
	uint64_t psi_some = 0, psi_full = 0;
	size_t i, k, nd = 0;

	for (i = 1; i < n; i++)
		psi_acc(&psi_some, &psi_full, &win[i - 1]->disk.psi,
		    &win[i]->disk.psi);
	psi_finish(&out->psi, &last->psi, psi_some, psi_full, seconds);
	if (!last->valid)
		return;
	out->valid = true;
	out->disks = sz_xcalloc(last->ndisks, sizeof(*out->disks));
	for (k = 0; k < last->ndisks; k++) {
		const struct sz_disk *d = &last->disks[k];
		struct sz_disk_rate *r = &out->disks[nd];
		uint64_t rd = 0, wr = 0, rb = 0, wb = 0, ms = 0, io = 0, wt = 0;

		if (d->partition)
			continue;	/* the whole device tells the load */
		for (i = 1; i < n; i++) {
			const struct sz_disk *a = sz_sample_disk(
			    &win[i - 1]->disk, d->name);
			const struct sz_disk *b = sz_sample_disk(&win[i]->disk,
			    d->name);

			if (a == NULL || b == NULL)
				continue;
			rd += delta(a->reads, b->reads);
			wr += delta(a->writes, b->writes);
			rb += delta(a->read_bytes, b->read_bytes);
			wb += delta(a->write_bytes, b->write_bytes);
			ms += delta(a->read_ms, b->read_ms) +
			    delta(a->write_ms, b->write_ms);
			io += delta(a->io_ms, b->io_ms);
			wt += delta(a->weighted_ms, b->weighted_ms);
		}
		r->name = d->name;
		r->reads_per_s = (double)rd / seconds;
		r->writes_per_s = (double)wr / seconds;
		r->read_bytes_per_s = (double)rb / seconds;
		r->write_bytes_per_s = (double)wb / seconds;
		r->util = clamp01((double)io / (seconds * 1000));
		r->await_ms = rd + wr ? (double)ms / (double)(rd + wr) : 0;
		r->queue = (double)wt / (seconds * 1000);
		nd++;
	}
	out->ndisks = nd;
}

/* ---- network -------------------------------------------------------- */

static void
net_rates(struct sz_net_rates *out, const struct sz_sample *const *win,
    size_t n, double seconds, const struct sz_config *cfg)
{
	const struct sz_net_sample *last = &win[n - 1]->net;
	uint64_t out_segs = 0, retrans = 0, ovf = 0, drops = 0;
	size_t i, k;

	for (i = 1; i < n; i++) {
		const struct sz_net_sample *a = &win[i - 1]->net;
		const struct sz_net_sample *b = &win[i]->net;

		if (a->tcp_valid && b->tcp_valid) {
			out_segs += delta(a->tcp_out_segs, b->tcp_out_segs);
			retrans += delta(a->tcp_retrans_segs,
			    b->tcp_retrans_segs);
		}
		if (a->listen_valid && b->listen_valid) {
			ovf += delta(a->listen_overflows, b->listen_overflows);
			drops += delta(a->listen_drops, b->listen_drops);
		}
	}
	out->tcp_valid = last->tcp_valid;
	out->out_segs_per_s = (double)out_segs / seconds;
	out->retrans_per_s = (double)retrans / seconds;
	out->listen_valid = last->listen_valid;
	out->listen_overflows_per_s = (double)ovf / seconds;
	out->listen_drops_per_s = (double)drops / seconds;
	if (!last->valid)
		return;
	out->valid = true;
	out->ifs = sz_xcalloc(last->nifs, sizeof(*out->ifs));
	out->nifs = last->nifs;
	for (k = 0; k < last->nifs; k++) {
		const struct sz_netif *f = &last->ifs[k];
		struct sz_netif_rate *r = &out->ifs[k];
		uint64_t rxb = 0, txb = 0, rxp = 0, txp = 0, rxd = 0, txd = 0;
		uint64_t errs = 0;
		double cap = cfg ? sz_config_link_speed(cfg, f->name) : 0;

		for (i = 1; i < n; i++) {
			const struct sz_netif *a = sz_sample_netif(
			    &win[i - 1]->net, f->name);
			const struct sz_netif *b = sz_sample_netif(&win[i]->net,
			    f->name);

			if (a == NULL || b == NULL)
				continue;
			rxb += delta(a->rx_bytes, b->rx_bytes);
			txb += delta(a->tx_bytes, b->tx_bytes);
			rxp += delta(a->rx_packets, b->rx_packets);
			txp += delta(a->tx_packets, b->tx_packets);
			rxd += delta(a->rx_drop, b->rx_drop);
			txd += delta(a->tx_drop, b->tx_drop);
			errs += delta(a->rx_errs, b->rx_errs) +
			    delta(a->tx_errs, b->tx_errs);
		}
		r->name = f->name;
		r->rx_bytes_per_s = (double)rxb / seconds;
		r->tx_bytes_per_s = (double)txb / seconds;
		r->rx_packets_per_s = (double)rxp / seconds;
		r->tx_packets_per_s = (double)txp / seconds;
		r->rx_drops_per_s = (double)rxd / seconds;
		r->tx_drops_per_s = (double)txd / seconds;
		r->errors_per_s = (double)errs / seconds;
		if (cap > 0) {
			r->capacity_source = "config";
		} else if (f->speed_mbit > 0) {
			cap = (double)f->speed_mbit * 1e6;
			r->capacity_source = "sysfs";
		}
		r->capacity_bits_per_s = cap;
		r->rx_util = cap > 0 ? r->rx_bytes_per_s * 8 / cap : -1;
		r->tx_util = cap > 0 ? r->tx_bytes_per_s * 8 / cap : -1;
	}
}

/* ---- connections ---------------------------------------------------- */

static void
pg_rates(struct sz_pg_rates *out, const struct sz_sample *const *win,
    size_t n)
{
	const struct sz_pg_sample *last = &win[n - 1]->pg;
	double sum = 0;
	size_t i, nread = 0;

	if (!last->valid)
		return;
	out->valid = true;
	out->last = last;
	for (i = 0; i < n; i++) {
		const struct sz_pg_sample *p = &win[i]->pg;

		if (!p->valid || p->source != last->source)
			continue;
		sum += (double)p->backends;
		if (p->backends > out->used_max)
			out->used_max = p->backends;
		nread++;
	}
	out->used_avg = sum / (double)nread;
	if (last->max_connections < 0 || last->superuser_reserved < 0 ||
	    last->reserved < 0)
		return;
	out->slots_known = true;
	out->usable = last->max_connections - last->superuser_reserved -
	    last->reserved;
	if (out->usable > 0)
		out->used = out->used_avg / (double)out->usable;
}

static double
fd_share(uint64_t open, uint64_t limit)
{
	if (limit == UINT64_MAX)
		return 0;
	return limit > 0 ? (double)open / (double)limit : 1;
}

static int
cmp_fd_used(const void *a, const void *b)
{
	const struct sz_fd_proc_rate *x = a, *y = b;

	if (x->used != y->used)
		return x->used < y->used ? 1 : -1;
	return (x->pid > y->pid) - (x->pid < y->pid);
}

static void
fd_rates(struct sz_fd_rates *out, const struct sz_sample *last)
{
	const struct sz_fd_sample *fd = &last->fd;
	struct sz_fd_proc_rate *v;
	size_t i;

	if (!fd->valid)
		return;
	out->valid = true;
	out->allocated = fd->allocated;
	out->max = fd->max;
	out->used = fd->max > 0 ? (double)fd->allocated / (double)fd->max : 0;
	out->nread = fd->nprocs;
	if (fd->nprocs == 0)
		return;
	v = sz_xcalloc(fd->nprocs, sizeof(*v));
	for (i = 0; i < fd->nprocs; i++) {
		const struct sz_fd_proc *p = &fd->procs[i];

		v[i].pid = p->pid;
		v[i].comm = p->comm;
		v[i].open = p->open;
		v[i].soft_limit = p->soft_limit;
		v[i].used = fd_share(p->open, p->soft_limit);
	}
	qsort(v, fd->nprocs, sizeof(*v), cmp_fd_used);
	out->nprocs = fd->nprocs < SZ_TOP_FDS ? fd->nprocs : SZ_TOP_FDS;
	memcpy(out->procs, v, out->nprocs * sizeof(*v));
	free(v);
}

/* ---- cgroups -------------------------------------------------------- */

static void
cgroup_rates(struct sz_cgroup_rates *out, const struct sz_sample *const *win,
    size_t n, double seconds)
{
	const struct sz_cgroup_sample *last = &win[n - 1]->cgroup;
	size_t i, k;

	if (!last->valid)
		return;
	out->valid = true;
	if (last->ngroups == 0)
		return;
	out->groups = sz_xcalloc(last->ngroups, sizeof(*out->groups));
	out->ngroups = last->ngroups;
	for (k = 0; k < last->ngroups; k++) {
		const struct sz_cgroup *g = &last->groups[k];
		struct sz_cgroup_rate *r = &out->groups[k];
		uint64_t per = 0, thr = 0, thr_ns = 0, use_ns = 0, hits = 0;
		uint64_t oom = 0, refault = 0;
		bool usage = g->has_usage;

		for (i = 1; i < n; i++) {
			const struct sz_cgroup *a = sz_sample_cgroup(
			    &win[i - 1]->cgroup, g->path);
			const struct sz_cgroup *b = sz_sample_cgroup(
			    &win[i]->cgroup, g->path);

			if (a == NULL || b == NULL)
				continue;
			per += delta(a->nr_periods, b->nr_periods);
			thr += delta(a->nr_throttled, b->nr_throttled);
			thr_ns += delta(a->throttled_ns, b->throttled_ns);
			if (a->has_usage && b->has_usage)
				use_ns += delta(a->usage_ns, b->usage_ns);
			else
				usage = false;
			hits += delta(a->mem_limit_hits, b->mem_limit_hits);
			oom += delta(a->mem_oom_kills, b->mem_oom_kills);
			if (a->has_mem_refaults && b->has_mem_refaults)
				refault += delta(a->mem_refaults,
				    b->mem_refaults);
		}
		r->path = g->path;
		r->version = g->version;
		r->cpu_limited = g->cpu_limited;
		if (g->cpu_limited) {
			r->quota_cores = (double)g->quota_us /
			    (double)g->period_us;
			r->periods = per;
			r->throttled = per > 0 ? clamp01((double)thr /
			    (double)per) : 0;
			r->throttled_s_per_s = (double)thr_ns / 1e9 / seconds;
			r->pids = g->pids;
			r->npids = g->npids < SZ_CGROUP_PIDS ? g->npids :
			    SZ_CGROUP_PIDS;
		}
		r->usage_cores = usage ? (double)use_ns / 1e9 / seconds : -1;
		r->mem_limited = g->mem_limited;
		if (g->mem_limited) {
			r->mem_limit_bytes = g->mem_limit_bytes;
			r->mem_usage_bytes = g->mem_usage_bytes;
			r->mem_used = g->has_mem_usage &&
			    g->mem_limit_bytes > 0 ?
			    (double)g->mem_usage_bytes /
			    (double)g->mem_limit_bytes : -1;
			r->limit_hits_per_s = (double)hits / seconds;
			r->oom_kills = oom;
			r->refaults_per_s = (double)refault / seconds;
		}
	}
}

/* ---- window --------------------------------------------------------- */

enum sz_err
sz_rates_compute(struct sz_rates *out, const struct sz_sample *const *win,
    size_t n, const struct sz_config *cfg)
{
	double seconds;

	memset(out, 0, sizeof(*out));
	if (n < 2)
		return SZ_EINVAL;
	seconds = sz_sample_elapsed(win[0], win[n - 1]);
	if (seconds <= 0)
		return SZ_EINVAL;
	out->seconds = seconds;
	out->nsamples = n;
	out->start_wall = win[0]->wall;
	out->end_wall = win[n - 1]->wall;
	out->host = &win[n - 1]->host;
	out->last = win[n - 1];
	cpu_rates(&out->cpu, win, n, seconds);
	thread_rates(&out->threads, win[0], win[n - 1], seconds);
	mem_rates(&out->mem, win, n, seconds);
	disk_rates(&out->disk, win, n, seconds);
	net_rates(&out->net, win, n, seconds, cfg);
	pg_rates(&out->pg, win, n);
	fd_rates(&out->fd, win[n - 1]);
	cgroup_rates(&out->cgroup, win, n, seconds);
	return SZ_OK;
}

void
sz_rates_fini(struct sz_rates *r)
{
	free(r->cpu.cores);
	free(r->disk.disks);
	free(r->net.ifs);
	free(r->cgroup.groups);
	r->cpu.cores = NULL;
	r->cgroup.groups = NULL;
	r->disk.disks = NULL;
	r->net.ifs = NULL;
}
