/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The sizeup.diagnose.v1 JSON document (SPEC section 5), built with
 * jansson.  Every string that came from the host (process and device
 * names, summaries quoting them) passes sz_str_sanitize first, so the
 * output is valid JSON whatever bytes a process put in its name.  Reals are
 * rounded to four decimals: the figures are measurements, not exact values.
 */
#include "config.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

#include "sizeup/render.h"
#include "sizeup/strsafe.h"

#define SCHEMA "sizeup.diagnose.v1"

static json_t *
jstr(const char *s)
{
	char buf[1024];
	json_t *j;

	if (s == NULL)
		return json_null();
	j = json_string(sz_str_sanitize(buf, sizeof(buf), s));
	return j != NULL ? j : json_null();
}

static json_t *
jreal(double v)
{
	if (!isfinite(v))
		return json_null();
	return json_real(round(v * 1e4) / 1e4);
}

static json_t *
jtime(const struct timespec *ts)
{
	char buf[32];
	struct tm tm;

	if (gmtime_r(&ts->tv_sec, &tm) == NULL ||
	    strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return json_null();
	return json_string(buf);
}

/* json_object_set_new that tolerates a NULL value (allocation failure). */
static void
set(json_t *obj, const char *key, json_t *val)
{
	json_object_set_new(obj, key, val != NULL ? val : json_null());
}

static json_t *
psi_json(const struct sz_psi_rate *p)
{
	json_t *o;

	if (!p->valid)
		return json_null();
	o = json_object();
	set(o, "some", jreal(p->some));
	set(o, "full", p->has_full ? jreal(p->full) : json_null());
	return o;
}

static json_t *
evidence_json(const struct sz_resource *res)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < res->nev; i++) {
		const struct sz_evidence *e = &res->ev[i];
		json_t *o = json_object();

		set(o, "metric", json_string(e->metric));
		set(o, "value", jreal(e->value));
		set(o, "threshold", jreal(e->threshold));
		set(o, "score", jreal(e->score));
		set(o, "says", jstr(e->says));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
resource_json(const struct sz_report *rep, enum sz_bound b)
{
	const struct sz_resource *res = &rep->res[b];
	json_t *o = json_object();

	set(o, "score", jreal(res->score));
	set(o, "kind", jstr(res->kind));
	set(o, "evidence", evidence_json(res));
	return o;
}

static json_t *
task_json(const struct sz_task_rate *t, bool process)
{
	json_t *o = json_object();
	char state[2] = { t->state ? t->state : '?', '\0' };

	set(o, "pid", json_integer(t->pid));
	if (!process)
		set(o, "tid", json_integer(t->tid));
	set(o, "comm", jstr(t->comm));
	set(o, "state", jstr(state));
	set(o, "cpu_cores", jreal(t->cpu));
	if (process) {
		set(o, "threads", json_integer(t->nthreads));
		set(o, "rss_bytes", json_integer((json_int_t)t->rss_bytes));
		set(o, "hot_tid", t->hot_tid ? json_integer(t->hot_tid) :
		    json_null());
		set(o, "hot_thread_comm", t->hot_tid && t->hot_comm != NULL ?
		    jstr(t->hot_comm) : json_null());
		set(o, "hot_thread_cpu_cores", t->hot_tid ? jreal(t->hot_cpu) :
		    json_null());
	} else {
		set(o, "last_cpu", json_integer(t->processor));
	}
	return o;
}

static void
core_fields(json_t *o, const struct sz_core_rate *c)
{
	set(o, "busy", jreal(c->busy));
	set(o, "user", jreal(c->user));
	set(o, "nice", jreal(c->nice));
	set(o, "system", jreal(c->system));
	set(o, "irq", jreal(c->irq));
	set(o, "softirq", jreal(c->softirq));
	set(o, "iowait", jreal(c->iowait));
	set(o, "steal", jreal(c->steal));
	set(o, "guest", jreal(c->guest));
	set(o, "idle", jreal(c->idle));
}

/* The limited cgroups of one kind (CPU quota or memory limit). */
static json_t *
cgroups_json(const struct sz_cgroup_rates *cg, bool cpu)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < cg->ngroups; i++) {
		const struct sz_cgroup_rate *g = &cg->groups[i];
		json_t *o;

		if (cpu ? !g->cpu_limited : !g->mem_limited)
			continue;
		o = json_object();
		set(o, "path", jstr(g->path));
		set(o, "cgroup_version", json_integer(g->version));
		if (cpu) {
			set(o, "quota_cores", jreal(g->quota_cores));
			set(o, "periods", json_integer((json_int_t)g->periods));
			set(o, "throttled", jreal(g->throttled));
			set(o, "throttled_s_per_s",
			    jreal(g->throttled_s_per_s));
			set(o, "usage_cores", g->usage_cores >= 0 ?
			    jreal(g->usage_cores) : json_null());
		} else {
			set(o, "limit_bytes",
			    json_integer((json_int_t)g->mem_limit_bytes));
			set(o, "usage_bytes", g->mem_used >= 0 ? json_integer(
			    (json_int_t)g->mem_usage_bytes) : json_null());
			set(o, "used", g->mem_used >= 0 ? jreal(g->mem_used) :
			    json_null());
			set(o, "limit_hits_per_s", jreal(g->limit_hits_per_s));
			set(o, "oom_kills",
			    json_integer((json_int_t)g->oom_kills));
			set(o, "refaults_per_s", jreal(g->refaults_per_s));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
cpu_json(const struct sz_report *rep)
{
	const struct sz_cpu_rates *c = &rep->rates->cpu;
	const struct sz_thread_rates *t = &rep->rates->threads;
	json_t *o = resource_json(rep, SZ_BOUND_CPU);
	json_t *cores = json_array(), *threads = json_array(), *all;
	size_t i;

	if (!c->valid)
		return o;
	all = json_object();
	core_fields(all, &c->all);
	set(o, "all", all);
	for (i = 0; i < c->ncores; i++) {
		json_t *core = json_object();

		set(core, "id", json_integer(c->cores[i].id));
		core_fields(core, &c->cores[i]);
		json_array_append_new(cores, core);
	}
	set(o, "cores", cores);
	set(o, "run_queue", jreal(c->runq_avg));
	set(o, "blocked", jreal(c->blocked_avg));
	set(o, "context_switches_per_s", jreal(c->ctxt_per_s));
	set(o, "psi", psi_json(&c->psi));
	for (i = 0; t->valid && i < t->nthreads && i < 10; i++)
		json_array_append_new(threads, task_json(&t->threads[i],
		    false));
	set(o, "hottest_threads", threads);
	if (rep->rates->cgroup.valid)
		set(o, "cgroups", cgroups_json(&rep->rates->cgroup, true));
	return o;
}

static json_t *
memory_json(const struct sz_report *rep)
{
	const struct sz_mem_rates *m = &rep->rates->mem;
	json_t *o = resource_json(rep, SZ_BOUND_MEMORY);

	if (m->valid) {
		set(o, "total_bytes", json_integer((json_int_t)m->total_bytes));
		set(o, "available_bytes",
		    json_integer((json_int_t)m->available_bytes));
		set(o, "cached_bytes",
		    json_integer((json_int_t)m->cached_bytes));
		set(o, "swap_total_bytes",
		    json_integer((json_int_t)m->swap_total_bytes));
		set(o, "swap_used_bytes",
		    json_integer((json_int_t)m->swap_used_bytes));
		set(o, "used", jreal(m->used));
	}
	if (m->vm_valid) {
		set(o, "swap_in_pages_per_s", jreal(m->swapin_per_s));
		set(o, "swap_out_pages_per_s", jreal(m->swapout_per_s));
		set(o, "major_faults_per_s", jreal(m->majfault_per_s));
		set(o, "refaults_per_s", jreal(m->refault_per_s));
		set(o, "direct_reclaim_scans_per_s",
		    jreal(m->direct_scan_per_s));
		set(o, "alloc_stalls_per_s", jreal(m->allocstall_per_s));
		set(o, "oom_kills", json_integer((json_int_t)m->oom_kills));
	}
	set(o, "psi", psi_json(&m->psi));
	if (rep->rates->cgroup.valid)
		set(o, "cgroups", cgroups_json(&rep->rates->cgroup, false));
	return o;
}

static json_t *
io_json(const struct sz_report *rep)
{
	const struct sz_disk_rates *d = &rep->rates->disk;
	json_t *o = resource_json(rep, SZ_BOUND_IO);
	json_t *devs = json_array();
	size_t i;

	for (i = 0; i < d->ndisks; i++) {
		const struct sz_disk_rate *r = &d->disks[i];
		json_t *dev = json_object();

		set(dev, "name", jstr(r->name));
		set(dev, "reads_per_s", jreal(r->reads_per_s));
		set(dev, "writes_per_s", jreal(r->writes_per_s));
		set(dev, "read_bytes_per_s", jreal(r->read_bytes_per_s));
		set(dev, "write_bytes_per_s", jreal(r->write_bytes_per_s));
		set(dev, "util", jreal(r->util));
		set(dev, "await_ms", jreal(r->await_ms));
		set(dev, "queue", jreal(r->queue));
		json_array_append_new(devs, dev);
	}
	set(o, "devices", devs);
	set(o, "psi", psi_json(&d->psi));
	return o;
}

static json_t *
network_json(const struct sz_report *rep)
{
	const struct sz_net_rates *n = &rep->rates->net;
	json_t *o = resource_json(rep, SZ_BOUND_NETWORK);
	json_t *ifs = json_array();
	size_t i;

	for (i = 0; i < n->nifs; i++) {
		const struct sz_netif_rate *f = &n->ifs[i];
		json_t *j = json_object();
		bool cap = f->capacity_bits_per_s > 0;

		set(j, "name", jstr(f->name));
		set(j, "rx_bytes_per_s", jreal(f->rx_bytes_per_s));
		set(j, "tx_bytes_per_s", jreal(f->tx_bytes_per_s));
		set(j, "rx_packets_per_s", jreal(f->rx_packets_per_s));
		set(j, "tx_packets_per_s", jreal(f->tx_packets_per_s));
		set(j, "rx_drops_per_s", jreal(f->rx_drops_per_s));
		set(j, "tx_drops_per_s", jreal(f->tx_drops_per_s));
		set(j, "errors_per_s", jreal(f->errors_per_s));
		set(j, "capacity_bits_per_s",
		    cap ? jreal(f->capacity_bits_per_s) : json_null());
		set(j, "capacity_source", jstr(f->capacity_source));
		set(j, "rx_util", cap ? jreal(f->rx_util) : json_null());
		set(j, "tx_util", cap ? jreal(f->tx_util) : json_null());
		json_array_append_new(ifs, j);
	}
	set(o, "interfaces", ifs);
	if (n->tcp_valid) {
		set(o, "tcp_out_segments_per_s", jreal(n->out_segs_per_s));
		set(o, "tcp_retransmits_per_s", jreal(n->retrans_per_s));
	}
	return o;
}

static json_t *
jcount(uint64_t n)
{
	return json_integer((json_int_t)n);
}

/* A setting or figure that may be unknown (negative). */
static json_t *
jknown(int64_t v)
{
	return v >= 0 ? json_integer((json_int_t)v) : json_null();
}

static json_t *
pg_counts_json(const struct sz_pg_count *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_t *o = json_object();

		set(o, "name", jstr(v[i].name));
		set(o, "connections", jcount(v[i].n));
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *
postgresql_json(const struct sz_pg_rates *pg)
{
	static const char *const state_keys[SZ_PG_NSTATES] = {
		[SZ_PG_ACTIVE] = "active",
		[SZ_PG_IDLE] = "idle",
		[SZ_PG_IDLE_IN_XACT] = "idle_in_transaction",
		[SZ_PG_IDLE_IN_XACT_ABORTED] = "idle_in_transaction_aborted",
		[SZ_PG_FASTPATH] = "fastpath_function_call",
		[SZ_PG_DISABLED] = "disabled",
		[SZ_PG_OTHER] = "other",
	};
	const struct sz_pg_sample *p = pg->last;
	json_t *o, *states;
	size_t i;

	if (!pg->valid)
		return json_null();
	o = json_object();
	set(o, "source", json_string(p->source == SZ_PG_SOURCE_LIBPQ ?
	    "libpq" : "process-titles"));
	set(o, "port", p->port > 0 ? json_integer(p->port) : json_null());
	set(o, "max_connections", jknown(p->max_connections));
	set(o, "superuser_reserved_connections",
	    jknown(p->superuser_reserved));
	set(o, "reserved_connections", jknown(p->reserved));
	set(o, "usable_slots", pg->slots_known ? jknown(pg->usable) :
	    json_null());
	set(o, "used_slots", jreal(pg->used_avg));
	set(o, "used_slots_max", jcount(pg->used_max));
	set(o, "used", pg->slots_known && pg->usable > 0 ? jreal(pg->used) :
	    json_null());
	set(o, "backends", jcount(p->backends));
	states = json_object();
	for (i = 0; i < SZ_PG_NSTATES; i++)
		set(states, state_keys[i], jcount(p->states[i]));
	set(o, "states", states);
	set(o, "waiting_on_lock", jcount(p->waiting_lock));
	set(o, "active_on_cpu", p->waits_known ? jcount(p->active_on_cpu) :
	    json_null());
	set(o, "active_on_io", p->waits_known ? jcount(p->active_on_io) :
	    json_null());
	set(o, "hidden", jcount(p->hidden));
	set(o, "oldest_transaction_age_s", p->oldest_xact_s >= 0 ?
	    jreal(p->oldest_xact_s) : json_null());
	set(o, "databases", pg_counts_json(p->dbs, p->ndbs));
	set(o, "users", pg_counts_json(p->users, p->nusers));
	set(o, "tcp_established", jknown(p->tcp_established));
	set(o, "refused_sizeup", json_boolean(p->refused_full));
	return o;
}

static json_t *
fds_json(const struct sz_fd_rates *fd)
{
	json_t *o, *procs;
	size_t i;

	if (!fd->valid)
		return json_null();
	o = json_object();
	set(o, "allocated", jcount(fd->allocated));
	set(o, "max", jcount(fd->max));
	set(o, "used", jreal(fd->used));
	set(o, "processes_read", jcount(fd->nread));
	procs = json_array();
	for (i = 0; i < fd->nprocs; i++) {
		const struct sz_fd_proc_rate *p = &fd->procs[i];
		json_t *j = json_object();

		set(j, "pid", json_integer(p->pid));
		set(j, "comm", jstr(p->comm));
		set(j, "open", jcount(p->open));
		set(j, "soft_limit", p->soft_limit == UINT64_MAX ?
		    json_null() : jcount(p->soft_limit));
		set(j, "used", jreal(p->used));
		json_array_append_new(procs, j);
	}
	set(o, "processes", procs);
	return o;
}

static json_t *
connections_json(const struct sz_report *rep)
{
	const struct sz_net_rates *n = &rep->rates->net;
	json_t *o = resource_json(rep, SZ_BOUND_CONNECTIONS);

	if (n->listen_valid) {
		set(o, "listen_overflows_per_s",
		    jreal(n->listen_overflows_per_s));
		set(o, "listen_drops_per_s", jreal(n->listen_drops_per_s));
	}
	set(o, "postgresql", postgresql_json(&rep->rates->pg));
	set(o, "file_descriptors", fds_json(&rep->rates->fd));
	return o;
}

static json_t *
verdict_json(const struct sz_report *rep)
{
	json_t *v = json_object(), *advice = json_array(), *also;
	size_t i;

	set(v, "bound", json_string(sz_bound_name(rep->bound)));
	set(v, "kind", jstr(rep->kind));
	set(v, "confidence", jreal(rep->confidence));
	set(v, "bigger_server_helps", jstr(sz_helps_name(rep->helps)));
	set(v, "summary", jstr(rep->summary));
	for (i = 0; i < rep->nadvice; i++)
		json_array_append_new(advice, jstr(rep->advice[i]));
	set(v, "advice", advice);
	also = json_array();
	for (i = 0; i < rep->nalso; i++) {
		json_t *a = json_object();

		set(a, "bound", json_string(sz_bound_name(rep->also[i].bound)));
		set(a, "kind", jstr(rep->also[i].kind));
		set(a, "score", jreal(rep->also[i].score));
		json_array_append_new(also, a);
	}
	set(v, "also", also);
	return v;
}

static json_t *
report_json(const struct sz_report *rep)
{
	const struct sz_rates *r = rep->rates;
	const struct sz_thread_rates *t = &r->threads;
	json_t *doc = json_object(), *host = json_object();
	json_t *win = json_object(), *res = json_object();
	json_t *procs = json_array(), *errors = json_array();
	size_t i;

	set(doc, "schema", json_string(SCHEMA));
	set(doc, "version", json_string(PACKAGE_VERSION));
	set(host, "hostname", jstr(r->host->hostname));
	set(host, "kernel", jstr(r->host->kernel));
	set(host, "cpus", json_integer(r->host->cpus));
	set(host, "mem_total_bytes",
	    json_integer((json_int_t)r->host->mem_total_bytes));
	set(doc, "host", host);
	set(win, "start", jtime(&r->start_wall));
	set(win, "end", jtime(&r->end_wall));
	set(win, "seconds", jreal(r->seconds));
	set(win, "samples", json_integer((json_int_t)r->nsamples));
	set(doc, "window", win);
	set(doc, "verdict", verdict_json(rep));
	set(res, "cpu", cpu_json(rep));
	set(res, "memory", memory_json(rep));
	set(res, "io", io_json(rep));
	set(res, "network", network_json(rep));
	set(res, "connections", connections_json(rep));
	set(doc, "resources", res);
	for (i = 0; t->valid && i < t->nprocs && i < 10; i++)
		json_array_append_new(procs, task_json(&t->procs[i], true));
	set(doc, "processes", procs);
	for (i = 0; r->last != NULL && i < r->last->nerrors; i++) {
		const struct sz_sample_error *e = &r->last->errors[i];
		json_t *o = json_object();

		set(o, "probe", jstr(e->probe));
		set(o, "code", json_string(sz_errname(e->code)));
		set(o, "message", jstr(e->msg));
		json_array_append_new(errors, o);
	}
	set(doc, "errors", errors);
	return doc;
}

enum sz_err
sz_render_json(FILE *out, const struct sz_report *rep)
{
	return sz_render_json_doc(out, report_json(rep));
}

enum sz_err
sz_render_json_doc(FILE *out, json_t *doc)
{
	int rc;

	if (doc == NULL)
		return SZ_ENOMEM;
	rc = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(12));
	json_decref(doc);
	if (rc != 0 || fputc('\n', out) == EOF)
		return SZ_EIO;
	return SZ_OK;
}
