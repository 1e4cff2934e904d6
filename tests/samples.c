/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Builders of hand-made samples (see samples.h).  They fill struct
 * sz_sample exactly as the probes would, raw counters only, so the code
 * under test cannot tell them from a live host.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "sizeup/xmalloc.h"

static struct timespec
ts_at(double seconds)
{
	struct timespec ts;
	double whole = floor(seconds);

	ts.tv_sec = (time_t)whole;
	ts.tv_nsec = (long)((seconds - whole) * 1e9);
	return ts;
}

struct sz_sample *
smp_new(double t, unsigned int ncores)
{
	struct sz_sample *s = sz_sample_new();
	unsigned int i;

	s->mono = ts_at(t);
	s->boot = ts_at(SMP_BOOT_S + t);
	s->wall = ts_at(SMP_WALL0 + t);
	s->hz = SMP_HZ;
	snprintf(s->host.hostname, sizeof(s->host.hostname), "testhost");
	snprintf(s->host.kernel, sizeof(s->host.kernel), "6.1.0-test");
	s->host.cpus = ncores;
	s->host.mem_total_bytes = 16 * SMP_GIB;
	s->cpu.valid = true;
	s->cpu.total.id = -1;
	s->cpu.cores = sz_xcalloc(ncores, sizeof(*s->cpu.cores));
	s->cpu.ncores = ncores;
	for (i = 0; i < ncores; i++)
		s->cpu.cores[i].id = (int)i;
	return s;
}

void
smp_free(struct sz_sample **win, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sz_sample_free(win[i]);
		win[i] = NULL;
	}
}

static void
sum_cores(struct sz_cpu_sample *c)
{
	struct sz_cpu_ticks *t = &c->total;
	size_t i;

	memset(t, 0, sizeof(*t));
	t->id = -1;
	for (i = 0; i < c->ncores; i++) {
		const struct sz_cpu_ticks *k = &c->cores[i];

		t->user += k->user;
		t->nice += k->nice;
		t->system += k->system;
		t->idle += k->idle;
		t->iowait += k->iowait;
		t->irq += k->irq;
		t->softirq += k->softirq;
		t->steal += k->steal;
		t->guest += k->guest;
		t->guest_nice += k->guest_nice;
	}
}

void
smp_core(struct sz_sample *s, int id, const struct sz_cpu_ticks *t)
{
	struct sz_cpu_sample *c = &s->cpu;
	size_t i = 0;

	while (i < c->ncores && c->cores[i].id < id)
		i++;
	if (i == c->ncores || c->cores[i].id != id) {
		c->cores = sz_xreallocarray(c->cores, c->ncores + 1,
		    sizeof(*c->cores));
		memmove(&c->cores[i + 1], &c->cores[i],
		    (c->ncores - i) * sizeof(*c->cores));
		c->ncores++;
	}
	c->cores[i] = *t;
	c->cores[i].id = id;
	sum_cores(c);
}

void
smp_core_remove(struct sz_sample *s, int id)
{
	struct sz_cpu_sample *c = &s->cpu;
	size_t i;

	for (i = 0; i < c->ncores; i++) {
		if (c->cores[i].id != id)
			continue;
		memmove(&c->cores[i], &c->cores[i + 1],
		    (c->ncores - i - 1) * sizeof(*c->cores));
		c->ncores--;
		return;
	}
}

void
smp_procs(struct sz_sample *s, uint64_t running, uint64_t blocked)
{
	s->cpu.procs_running = running;
	s->cpu.procs_blocked = blocked;
}

void
smp_threads_read(struct sz_sample *s)
{
	s->threads.valid = true;
}

/* Insert a zeroed task with the given key into a sorted table. */
static struct sz_task *
insert_task(struct sz_task **v, size_t *n, int key, bool by_tid)
{
	size_t i = 0;

	while (i < *n && (by_tid ? (*v)[i].tid : (*v)[i].pid) < key)
		i++;
	*v = sz_xreallocarray(*v, *n + 1, sizeof(**v));
	memmove(&(*v)[i + 1], &(*v)[i], (*n - i) * sizeof(**v));
	(*n)++;
	memset(&(*v)[i], 0, sizeof(**v));
	return &(*v)[i];
}

static struct sz_task *
lookup_task(struct sz_task *v, size_t n, int pid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].pid == pid)
			return &v[i];
	}
	return NULL;
}

void
smp_thread(struct sz_sample *s, int pid, int tid, const char *comm,
    uint64_t cpu_ticks, uint64_t start_ticks, int cpu)
{
	struct sz_threads_sample *ts = &s->threads;
	struct sz_task *t, *p;
	size_t i;

	ts->valid = true;
	t = insert_task(&ts->threads, &ts->nthreads, tid, true);
	t->pid = pid;
	t->tid = tid;
	snprintf(t->comm, sizeof(t->comm), "%s", comm);
	t->state = 'R';
	t->processor = cpu;
	t->cpu_ticks = cpu_ticks;
	t->start_ticks = start_ticks;
	t->rss_bytes = 64 << 20;

	p = lookup_task(ts->procs, ts->nprocs, pid);
	if (p == NULL) {
		p = insert_task(&ts->procs, &ts->nprocs, pid, false);
		p->pid = pid;
		p->tid = pid;
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
		p->state = 'S';
		p->processor = cpu;
		p->start_ticks = start_ticks;
		p->rss_bytes = 64 << 20;
	}
	if (tid == pid) {
		snprintf(p->comm, sizeof(p->comm), "%s", comm);
		p->start_ticks = start_ticks;
	}
	p->cpu_ticks += cpu_ticks;
	p->nthreads = 0;
	for (i = 0; i < ts->nthreads; i++)
		p->nthreads += ts->threads[i].pid == pid;
	for (i = 0; i < ts->nthreads; i++) {
		if (ts->threads[i].pid == pid)
			ts->threads[i].nthreads = p->nthreads;
	}
}

void
smp_mem(struct sz_sample *s, uint64_t total, uint64_t available)
{
	struct sz_mem_sample *m = &s->mem;

	m->valid = true;
	m->total_bytes = total;
	m->available_bytes = available;
	m->free_bytes = available / 4;
	m->cached_bytes = available / 2;
	m->swap_total_bytes = 0;
	m->swap_free_bytes = 0;
	s->host.mem_total_bytes = total;
}

void
smp_vmstat(struct sz_sample *s, const struct smp_vm *vm)
{
	struct sz_mem_sample *m = &s->mem;

	m->vm_valid = true;
	m->pswpin = vm->pswpin;
	m->pswpout = vm->pswpout;
	m->pgmajfault = vm->pgmajfault;
	m->workingset_refault = vm->refault;
	m->oom_kill = vm->oom_kill;
}

void
smp_psi(struct sz_psi *p, uint64_t some_us, uint64_t full_us)
{
	p->present = true;
	p->has_full = true;
	p->some_total_us = some_us;
	p->full_total_us = full_us;
}

void
smp_disk(struct sz_sample *s, const char *name, const struct sz_disk *d)
{
	struct sz_disk_sample *ds = &s->disk;
	struct sz_disk *n;

	ds->valid = true;
	ds->disks = sz_xreallocarray(ds->disks, ds->ndisks + 1,
	    sizeof(*ds->disks));
	n = &ds->disks[ds->ndisks++];
	*n = *d;
	snprintf(n->name, sizeof(n->name), "%s", name);
}

void
smp_netif(struct sz_sample *s, const char *name, const struct sz_netif *f)
{
	struct sz_net_sample *ns = &s->net;
	struct sz_netif *n;

	ns->valid = true;
	ns->ifs = sz_xreallocarray(ns->ifs, ns->nifs + 1, sizeof(*ns->ifs));
	n = &ns->ifs[ns->nifs++];
	*n = *f;
	snprintf(n->name, sizeof(n->name), "%s", name);
}

struct sz_disk *
smp_find_disk(struct sz_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->disk.ndisks; i++) {
		if (strcmp(s->disk.disks[i].name, name) == 0)
			return &s->disk.disks[i];
	}
	return NULL;
}

const struct sz_task *
smp_find_task(const struct sz_task *v, size_t n, int tid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i].tid == tid)
			return &v[i];
	}
	return NULL;
}

struct sz_netif *
smp_find_netif(struct sz_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->net.nifs; i++) {
		if (strcmp(s->net.ifs[i].name, name) == 0)
			return &s->net.ifs[i];
	}
	return NULL;
}

void
smp_tcp(struct sz_sample *s, uint64_t out_segs, uint64_t retrans)
{
	s->net.tcp_valid = true;
	s->net.tcp_out_segs = out_segs;
	s->net.tcp_retrans_segs = retrans;
}

void
smp_listen(struct sz_sample *s, uint64_t overflows, uint64_t drops)
{
	s->net.listen_valid = true;
	s->net.listen_overflows = overflows;
	s->net.listen_drops = drops;
}

static struct sz_pg_count *
one_count(const char *name, uint64_t n)
{
	struct sz_pg_count *c = sz_xcalloc(1, sizeof(*c));

	snprintf(c->name, sizeof(c->name), "%s", name);
	c->n = n;
	return c;
}

void
smp_pg(struct sz_sample *s, int64_t max_connections,
    int64_t superuser_reserved, uint64_t active, uint64_t idle,
    uint64_t idle_in_xact)
{
	struct sz_pg_sample *pg = &s->pg;
	uint64_t n = active + idle + idle_in_xact;

	free(pg->dbs);
	free(pg->users);
	memset(pg, 0, sizeof(*pg));
	pg->valid = true;
	pg->source = SZ_PG_SOURCE_LIBPQ;
	pg->port = 5432;
	pg->backends = n;
	pg->states[SZ_PG_ACTIVE] = active;
	pg->states[SZ_PG_IDLE] = idle;
	pg->states[SZ_PG_IDLE_IN_XACT] = idle_in_xact;
	pg->waits_known = true;
	pg->oldest_xact_s = idle_in_xact > 0 || active > 0 ? 2.5 : -1;
	pg->max_connections = max_connections;
	pg->superuser_reserved = superuser_reserved;
	pg->reserved = 0;
	pg->tcp_established = -1;
	if (n > 0) {
		pg->dbs = one_count("shop", n);
		pg->ndbs = 1;
		pg->users = one_count("app", n);
		pg->nusers = 1;
	}
}

void
smp_fd(struct sz_sample *s, uint64_t allocated, uint64_t max)
{
	s->fd.valid = true;
	s->fd.allocated = allocated;
	s->fd.max = max;
}

void
smp_fd_proc(struct sz_sample *s, int pid, const char *comm, uint64_t open,
    uint64_t soft_limit)
{
	struct sz_fd_sample *fd = &s->fd;
	struct sz_fd_proc *p;

	fd->procs = sz_xreallocarray(fd->procs, fd->nprocs + 1,
	    sizeof(*fd->procs));
	p = &fd->procs[fd->nprocs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	p->open = open;
	p->soft_limit = soft_limit;
	p->hard_limit = soft_limit;
}

void
smp_sleep_s(double s)
{
	struct timespec ts = { (time_t)s,
		(long)((s - (double)(time_t)s) * 1e9) };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

struct sz_cgroup *
smp_cgroup(struct sz_sample *s, const char *path)
{
	struct sz_cgroup_sample *c = &s->cgroup;
	struct sz_cgroup *g;
	size_t i;

	c->valid = true;
	c->version = 2;
	for (i = 0; i < c->ngroups; i++) {
		if (strcmp(c->groups[i].path, path) == 0)
			return &c->groups[i];
	}
	c->groups = sz_xreallocarray(c->groups, c->ngroups + 1,
	    sizeof(*c->groups));
	g = &c->groups[c->ngroups++];
	memset(g, 0, sizeof(*g));
	snprintf(g->path, sizeof(g->path), "%s", path);
	g->version = 2;
	return g;
}

void
smp_cgroup_cpu(struct sz_sample *s, const char *path, uint64_t quota_us,
    uint64_t periods, uint64_t throttled, uint64_t throttled_us,
    uint64_t usage_us, int pid)
{
	struct sz_cgroup *g = smp_cgroup(s, path);

	g->cpu_limited = true;
	g->quota_us = quota_us;
	g->period_us = 100000;
	g->nr_periods = periods;
	g->nr_throttled = throttled;
	g->throttled_ns = throttled_us * 1000;
	g->has_usage = true;
	g->usage_ns = usage_us * 1000;
	g->npids = 0;
	if (pid != 0) {
		g->pids[0] = pid;
		g->npids = 1;
	}
}

void
smp_cgroup_mem(struct sz_sample *s, const char *path, uint64_t limit,
    uint64_t usage, uint64_t hits, uint64_t oom_kills, uint64_t refaults)
{
	struct sz_cgroup *g = smp_cgroup(s, path);

	g->mem_limited = true;
	g->mem_limit_bytes = limit;
	g->mem_usage_bytes = usage;
	g->has_mem_usage = true;
	g->mem_limit_hits = hits;
	g->mem_oom_kills = oom_kills;
	g->mem_refaults = refaults;
	g->has_mem_refaults = true;
}

/* The processes of the quiet host: pid, tid, comm, ticks in a and b. */
static const struct {
	int pid, tid;
	const char *comm;
	uint64_t ticks_a, ticks_b;
} quiet_tasks[] = {
	{ 1, 1, "systemd", 500, 502 },
	{ 812, 812, "nginx", 1000, 1020 },
	{ 812, 813, "nginx", 200, 230 },
	{ 900, 900, "postgres", 3000, 3040 },
};

void
smp_quiet(struct sz_sample *a, struct sz_sample *b)
{
	struct sz_sample *s[2] = { a, b };
	size_t i, k;
	int id;

	for (k = 0; k < 2; k++) {
		for (i = 0; i < sizeof(quiet_tasks) / sizeof(quiet_tasks[0]);
		    i++)
			smp_thread(s[k], quiet_tasks[i].pid, quiet_tasks[i].tid,
			    quiet_tasks[i].comm, k ? quiet_tasks[i].ticks_b :
			    quiet_tasks[i].ticks_a, SMP_START(-900), 0);
		smp_procs(s[k], 2, 0);
		smp_mem(s[k], 16 * SMP_GIB, 10 * SMP_GIB);
		smp_netif(s[k], "lo", &(struct sz_netif){
		    .rx_bytes = k * 1000000, .tx_bytes = k * 1000000,
		    .rx_packets = k * 1000, .tx_packets = k * 1000,
		    .speed_mbit = -1 });
	}
	for (id = 0; id < (int)b->cpu.ncores; id++)
		smp_core(b, id, &(struct sz_cpu_ticks){ .user = 40,
		    .system = 10, .idle = 950 });
	smp_psi(&a->cpu.psi, 0, 0);
	smp_psi(&b->cpu.psi, 100000, 0);
	smp_vmstat(a, &(struct smp_vm){ 0 });
	smp_vmstat(b, &(struct smp_vm){ .refault = 100, .pgmajfault = 50 });
	smp_psi(&a->mem.psi, 0, 0);
	smp_psi(&b->mem.psi, 20000, 5000);
	smp_disk(a, "sda", &(struct sz_disk){ 0 });
	smp_disk(a, "sda1", &(struct sz_disk){ .partition = true });
	smp_disk(b, "sda", &(struct sz_disk){ .reads = 2000, .writes = 3000,
	    .read_bytes = 2000 * 16384, .write_bytes = 3000 * 8192,
	    .read_ms = 1000, .write_ms = 2000, .io_ms = 500,
	    .weighted_ms = 3000 });
	smp_disk(b, "sda1", &(struct sz_disk){ .partition = true,
	    .reads = 2000, .writes = 3000, .io_ms = 500 });
	smp_psi(&a->disk.psi, 0, 0);
	smp_psi(&b->disk.psi, 100000, 30000);
	smp_netif(a, "eth0", &(struct sz_netif){ .speed_mbit = 1000 });
	smp_netif(b, "eth0", &(struct sz_netif){ .rx_bytes = 12500000,
	    .tx_bytes = 6000000, .rx_packets = 10000, .tx_packets = 8000,
	    .speed_mbit = 1000 });
	smp_tcp(a, 0, 0);
	smp_tcp(b, 10000, 5);
	smp_listen(a, 0, 0);
	smp_listen(b, 0, 0);
}

/* ---- scenarios ------------------------------------------------------ */

void
sc_init(struct scenario *sc, unsigned int ncores)
{
	memset(sc, 0, sizeof(*sc));
	sc->a = smp_new(0, ncores);
	sc->b = smp_new(SMP_QUIET_SECONDS, ncores);
	smp_quiet(sc->a, sc->b);
	sz_config_init(&sc->cfg);
}

const struct sz_report *
sc_run(struct scenario *sc)
{
	const struct sz_sample *w[2] = { sc->a, sc->b };

	sz_rates_fini(&sc->rates);
	assert_int_equal(sz_rates_compute(&sc->rates, w, 2, &sc->cfg), SZ_OK);
	sz_analyze(&sc->rates, &sc->cfg.th, &sc->rep);
	return &sc->rep;
}

void
sc_fini(struct scenario *sc)
{
	sz_rates_fini(&sc->rates);
	sz_config_fini(&sc->cfg);
	sz_sample_free(sc->a);
	sz_sample_free(sc->b);
}

/* ---- safe text ------------------------------------------------------ */

/*
 * The Bidi_Control characters of Unicode's PropList.txt, which reorder
 * the text around them without being seen ("Trojan Source").
 */
static const unsigned long bidi_controls[] = {
	0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e,
	0x2066, 0x2067, 0x2068, 0x2069,
};

/*
 * Length of the UTF-8 sequence at s that encodes a scalar value that is
 * neither a control character (C0, DEL, C1), nor a bidi control, nor
 * malformed, else 0.
 */
static size_t
safe_char_len(const unsigned char *s)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] < 0x20 || s[0] == 0x7f)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0)
		n = 2, cp = s[0] & 0x1f;
	else if ((s[0] & 0xf0) == 0xe0)
		n = 3, cp = s[0] & 0x0f;
	else if ((s[0] & 0xf8) == 0xf0)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) ||
	    (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
		return 0;
	for (i = 0; i < sizeof(bidi_controls) / sizeof(bidi_controls[0]); i++)
		if (cp == bidi_controls[i])
			return 0;
	return n;
}

void
smp_assert_safe_text(const char *s, bool nl)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n;

	while (*p != '\0') {
		if (nl && *p == '\n') {
			p++;
			continue;
		}
		n = safe_char_len(p);
		if (n == 0)
			fail_msg("unsafe byte 0x%02x at offset %td of "
			    "\"%.60s\"", *p, (const char *)p - s, s);
		p += n;
	}
}
