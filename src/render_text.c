/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The human report of `sizeup diagnose`: the verdict first, then its
 * evidence and advice, then one block per resource, sized for an
 * 80-column terminal: free text is wrapped, and names cut to a column are
 * cut between characters, never inside one.  Names from the host are
 * sanitized before printing so a process name cannot send escape sequences
 * to the terminal.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sizeup/render.h"
#include "sizeup/strsafe.h"

#define TOP_PROCS 5
#define SAFE_MAX 256
#define WIDTH 80

static const char *
safe(char *buf, const char *s)
{
	return sz_str_sanitize(buf, SAFE_MAX, s != NULL ? s : "");
}

/* s sanitized into at most width bytes (width < SAFE_MAX), for a "%-Ns"
 * column: "%-N.Ns" would cut a multi-byte character in two. */
static const char *
safe_cut(char *buf, size_t width, const char *s)
{
	return sz_str_sanitize(buf, width + 1, s != NULL ? s : "");
}

/* 1536 -> "1.5 KiB" (binary units, as free(1) and htop). */
static const char *
human_bytes(char *buf, size_t sz, double v)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB",
		"PiB" };
	size_t u = 0;

	while (v >= 1024 && u + 1 < sizeof(unit) / sizeof(unit[0]))
		v /= 1024, u++;
	snprintf(buf, sz, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

/*
 * Print text wrapped at word boundaries to WIDTH columns, every line
 * indented by `indent` columns; the first starts with `lead` (ASCII, at
 * most `indent` wide) in that space, as a list number.  A word longer than
 * a line is cut where it must be.  Text is sanitized UTF-8; columns are
 * counted per character, not per byte.
 */
static void
print_wrapped(FILE *out, const char *lead, int indent, const char *text)
{
	const char *p = text;
	int room = WIDTH - indent;

	while (*p != '\0') {
		const char *q = p, *brk = NULL;
		int cols = 0;

		while (*q != '\0' && cols < room) {
			if (*q == ' ')
				brk = q;
			if (((unsigned char)*q & 0xc0) != 0x80)
				cols++;
			q++;
		}
		while (((unsigned char)*q & 0xc0) == 0x80)
			q++;	/* finish the character at the edge */
		if (*q == '\0' || brk == NULL)
			brk = q;
		fprintf(out, "%-*s%.*s\n", indent, lead, (int)(brk - p), p);
		lead = "";
		p = brk;
		while (*p == ' ')
			p++;
	}
}

/* print_wrapped of a printf-formatted line. */
static void
emit(FILE *out, const char *lead, int indent, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
emit(FILE *out, const char *lead, int indent, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print_wrapped(out, lead, indent, buf);
}

static void
print_evidence(FILE *out, const struct sz_resource *res, double min_score)
{
	size_t i;

	for (i = 0; i < res->nev; i++) {
		const struct sz_evidence *e = &res->ev[i];
		char buf[SAFE_MAX];

		if (e->score < min_score)
			continue;
		/* %g would write 1100 refaults/s as 1.1e+03 */
		fprintf(out, e->value >= 1000 ? "  %-26s %9.0f  (threshold %g, "
		    "score %.2f)\n" : "  %-26s %9.3g  (threshold %g, score "
		    "%.2f)\n", e->metric, e->value, e->threshold, e->score);
		print_wrapped(out, "", 6, safe(buf, e->says));
	}
}

static void
print_verdict(FILE *out, const struct sz_report *rep)
{
	char buf[SAFE_MAX], also[SAFE_MAX * 2];
	size_t i, n = 0;

	if (rep->bound == SZ_BOUND_NONE) {
		fprintf(out, "Verdict: no bottleneck (confidence %.2f)\n",
		    rep->confidence);
		print_wrapped(out, "", 2, safe(buf, rep->summary));
		return;
	}
	fprintf(out, "Verdict: %s / %s (confidence %.2f)\n",
	    sz_bound_name(rep->bound), rep->kind, rep->confidence);
	print_wrapped(out, "", 2, safe(buf, rep->summary));
	fprintf(out, "  Would a bigger server help? %s\n",
	    sz_helps_name(rep->helps));
	fprintf(out, "\nAdvice:\n");
	for (i = 0; i < rep->nadvice; i++) {
		char lead[8];

		snprintf(lead, sizeof(lead), "  %zu.", i + 1);
		print_wrapped(out, lead, 6, rep->advice[i]);
	}
	for (i = 0; i < rep->nalso && n < sizeof(also); i++)
		n += (size_t)snprintf(also + n, sizeof(also) - n,
		    "%s%s / %s (score %.2f)", i ? ", " : "",
		    sz_bound_name(rep->also[i].bound), rep->also[i].kind,
		    rep->also[i].score);
	if (rep->nalso) {
		fputc('\n', out);
		print_wrapped(out, "Also:", 6, also);
	}
	fprintf(out, "\nEvidence (%s):\n", sz_bound_name(rep->bound));
	print_evidence(out, &rep->res[rep->bound], rep->th->bound / 2);
}

static void
print_cpu(FILE *out, const struct sz_rates *r)
{
	const struct sz_cpu_rates *c = &r->cpu;
	size_t i, col = 0;

	if (!c->valid)
		return;
	fprintf(out, "CPU      %3.0f%% busy: user %.0f%%, system %.0f%%, "
	    "iowait %.0f%%, steal %.0f%%\n", c->all.busy * 100,
	    (c->all.user + c->all.nice) * 100,
	    (c->all.system + c->all.irq + c->all.softirq) * 100,
	    c->all.iowait * 100, c->all.steal * 100);
	fprintf(out, "         run queue %.1f, blocked %.1f", c->runq_avg,
	    c->blocked_avg);
	if (c->psi.valid)
		fprintf(out, ", pressure %.0f%%", c->psi.some * 100);
	fputc('\n', out);
	/* one "id:busy%" cell per core, seven to a line (78 columns) */
	for (i = 0; i < c->ncores; i++) {
		fprintf(out, "%s%4d:%3.0f%%", col ? " " : "         ",
		    c->cores[i].id, c->cores[i].busy * 100);
		if (++col == 7 || i + 1 == c->ncores) {
			fputc('\n', out);
			col = 0;
		}
	}
}

static void
print_memory(FILE *out, const struct sz_rates *r)
{
	const struct sz_mem_rates *m = &r->mem;
	char a[32], t[32], s[32];

	if (!m->valid)
		return;
	emit(out, "Memory", 9, "%s available of %s (%.0f%% in use), swap %s "
	    "used", human_bytes(a, sizeof(a), (double)m->available_bytes),
	    human_bytes(t, sizeof(t), (double)m->total_bytes), m->used * 100,
	    human_bytes(s, sizeof(s), (double)m->swap_used_bytes));
	if (m->vm_valid)
		emit(out, "", 9, "%.0f refaults/s, %.0f major faults/s, swap "
		    "%.0f/%.0f pages/s in/out", m->refault_per_s,
		    m->majfault_per_s, m->swapin_per_s, m->swapout_per_s);
	if (m->psi.valid && m->psi.has_full)
		emit(out, "", 9, "memory pressure %.0f%% some, %.0f%% full",
		    m->psi.some * 100, m->psi.full * 100);
	else if (m->psi.valid)
		emit(out, "", 9, "memory pressure %.0f%% some",
		    m->psi.some * 100);
}

static void
print_disks(FILE *out, const struct sz_rates *r)
{
	const struct sz_disk_rates *d = &r->disk;
	size_t i, shown = 0;

	/* a table of fixed columns: 71 wide, so never wrapped mid-field */
	for (i = 0; i < d->ndisks; i++) {
		const struct sz_disk_rate *k = &d->disks[i];
		char name[SAFE_MAX], rb[32], wb[32];

		if (k->reads_per_s + k->writes_per_s <= 0 && k->util <= 0)
			continue;	/* idle loop and ram devices */
		if (shown++ == 0)
			fprintf(out, "Disks    %-10s %7s %10s %10s %5s %8s "
			    "%6s\n", "device", "IOPS", "read/s", "write/s",
			    "util", "wait ms", "queue");
		fprintf(out, "         %-10s %7.0f %10s %10s %4.0f%% %8.1f "
		    "%6.1f\n", safe_cut(name, 10, k->name),
		    k->reads_per_s + k->writes_per_s,
		    human_bytes(rb, sizeof(rb), k->read_bytes_per_s),
		    human_bytes(wb, sizeof(wb), k->write_bytes_per_s),
		    k->util * 100, k->await_ms, k->queue);
	}
	if (shown == 0 && d->valid)
		fprintf(out, "Disks    no I/O\n");
	if (d->psi.valid)
		fprintf(out, "         I/O pressure %.0f%% some, %.0f%% full\n",
		    d->psi.some * 100, d->psi.full * 100);
}

static void
print_network(FILE *out, const struct sz_rates *r)
{
	const struct sz_net_rates *n = &r->net;
	size_t i;

	for (i = 0; i < n->nifs; i++) {
		const struct sz_netif_rate *f = &n->ifs[i];
		char name[SAFE_MAX], cap[64] = "";

		if (f->capacity_bits_per_s > 0)
			snprintf(cap, sizeof(cap), "  %3.0f%% of %.0f Mbit/s",
			    (f->rx_util > f->tx_util ? f->rx_util :
			    f->tx_util) * 100, f->capacity_bits_per_s * 1e-6);
		emit(out, i ? "" : "Network", 9, "%-10s rx %8.2f Mbit/s  tx "
		    "%8.2f Mbit/s%s", safe_cut(name, 10, f->name),
		    f->rx_bytes_per_s * 8e-6, f->tx_bytes_per_s * 8e-6, cap);
	}
	if (n->tcp_valid)
		fprintf(out, "         TCP %.0f segments/s out, %.1f "
		    "retransmits/s\n", n->out_segs_per_s, n->retrans_per_s);
}

/* "name n, name n" of the top databases or users. */
static const char *
pg_tops(char *buf, size_t sz, const struct sz_pg_count *v, size_t n)
{
	char name[SAFE_MAX];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < n && len < sz; i++)
		len += (size_t)snprintf(buf + len, sz - len, "%s%s %llu",
		    i ? ", " : "", safe(name, v[i].name),
		    (unsigned long long)v[i].n);
	return buf;
}

static void
print_postgresql(FILE *out, const struct sz_rates *r)
{
	const struct sz_pg_rates *pg = &r->pg;
	const struct sz_pg_sample *p = pg->last;
	const char *src;
	char dbs[SAFE_MAX], users[SAFE_MAX], aborted[32] = "", other[32] = "";

	if (!pg->valid)
		return;
	src = p->source == SZ_PG_SOURCE_LIBPQ ? "libpq" : "process titles";
	if (pg->slots_known)
		emit(out, "Postgres", 9, "%.0f of %lld usable slots used "
		    "(max_connections %lld; %s, port %d)", pg->used_avg,
		    (long long)pg->usable, (long long)p->max_connections, src,
		    p->port);
	else
		emit(out, "Postgres", 9, "%llu client backends (slots unknown; "
		    "%s, port %d)", (unsigned long long)p->backends, src,
		    p->port);
	/* the rare states only when there are some */
	if (p->states[SZ_PG_IDLE_IN_XACT_ABORTED] > 0)
		snprintf(aborted, sizeof(aborted), " (%llu aborted)",
		    (unsigned long long)p->states[SZ_PG_IDLE_IN_XACT_ABORTED]);
	if (p->states[SZ_PG_FASTPATH] + p->states[SZ_PG_DISABLED] +
	    p->states[SZ_PG_OTHER] > 0)
		snprintf(other, sizeof(other), ", %llu other",
		    (unsigned long long)(p->states[SZ_PG_FASTPATH] +
		    p->states[SZ_PG_DISABLED] + p->states[SZ_PG_OTHER]));
	emit(out, "", 9, "%llu active (%llu waiting on a lock), %llu idle, "
	    "%llu idle in transaction%s%s",
	    (unsigned long long)p->states[SZ_PG_ACTIVE],
	    (unsigned long long)p->waiting_lock,
	    (unsigned long long)p->states[SZ_PG_IDLE],
	    (unsigned long long)(p->states[SZ_PG_IDLE_IN_XACT] +
	    p->states[SZ_PG_IDLE_IN_XACT_ABORTED]), aborted, other);
	if (p->oldest_xact_s >= 0)
		emit(out, "", 9, "oldest open transaction %.1f s",
		    p->oldest_xact_s);
	if (p->ndbs > 0)
		emit(out, "", 9, "databases: %s; users: %s",
		    pg_tops(dbs, sizeof(dbs), p->dbs, p->ndbs),
		    pg_tops(users, sizeof(users), p->users, p->nusers));
}

/* PostgreSQL slots, file descriptors and listen queues. */
static void
print_connections(FILE *out, const struct sz_rates *r)
{
	const struct sz_fd_rates *fd = &r->fd;
	const struct sz_net_rates *n = &r->net;
	char comm[SAFE_MAX];

	print_postgresql(out, r);
	if (fd->valid)
		emit(out, "Files", 9, "%llu of %llu file handles in use",
		    (unsigned long long)fd->allocated,
		    (unsigned long long)fd->max);
	if (fd->valid && fd->nprocs > 0 &&
	    fd->procs[0].soft_limit != UINT64_MAX)
		emit(out, "", 9, "fullest: %s (pid %d) %llu of its %llu "
		    "descriptors", safe(comm, fd->procs[0].comm),
		    fd->procs[0].pid, (unsigned long long)fd->procs[0].open,
		    (unsigned long long)fd->procs[0].soft_limit);
	if (n->listen_valid && (n->listen_overflows_per_s > 0 ||
	    n->listen_drops_per_s > 0))
		emit(out, "Listen", 9, "%.1f accept-queue overflows/s, %.1f "
		    "drops/s", n->listen_overflows_per_s,
		    n->listen_drops_per_s);
}

static void
print_processes(FILE *out, const struct sz_rates *r)
{
	const struct sz_thread_rates *t = &r->threads;
	size_t i;

	if (!t->valid || t->nprocs == 0)
		return;
	fprintf(out, "\nHottest processes (CPU in cores; %zu processes, %zu "
	    "threads)\n", t->total_procs, t->total_threads);
	fprintf(out, "  %7s %-16s %5s %4s %9s %-15s %5s %9s\n", "PID",
	    "COMMAND", "CPU", "THR", "HOT TID", "HOT THREAD", "CPU", "RSS");
	for (i = 0; i < t->nprocs && i < TOP_PROCS; i++) {
		const struct sz_task_rate *p = &t->procs[i];
		char comm[SAFE_MAX], hot[SAFE_MAX], rss[32];

		fprintf(out, "  %7d %-16s %5.2f %4d ", p->pid,
		    safe_cut(comm, 16, p->comm), p->cpu, p->nthreads);
		if (p->hot_tid)
			fprintf(out, "%9d %-15s %5.2f", p->hot_tid,
			    safe_cut(hot, 15, p->hot_comm != NULL ?
			    p->hot_comm : ""), p->hot_cpu);
		else
			fprintf(out, "%9s %-15s %5s", "-", "", "");
		fprintf(out, " %9s\n", human_bytes(rss, sizeof(rss),
		    (double)p->rss_bytes));
	}
}

static void
print_errors(FILE *out, const struct sz_rates *r)
{
	size_t i;

	if (r->last == NULL || r->last->nerrors == 0)
		return;
	fprintf(out, "\nNot measured:\n");
	for (i = 0; i < r->last->nerrors; i++) {
		const struct sz_sample_error *e = &r->last->errors[i];
		char probe[SAFE_MAX], msg[SAFE_MAX];

		emit(out, "", 2, "%s: %s", safe(probe, e->probe),
		    safe(msg, e->msg));
	}
}

enum sz_err
sz_render_text(FILE *out, const struct sz_report *rep)
{
	const struct sz_rates *r = rep->rates;
	char host[SAFE_MAX], mem[32];

	emit(out, "", 0, "sizeup %s on %s: %u CPUs, %s RAM, %.1f s window",
	    PACKAGE_VERSION, safe(host, r->host->hostname), r->host->cpus,
	    human_bytes(mem, sizeof(mem), (double)r->host->mem_total_bytes),
	    r->seconds);
	fputc('\n', out);
	print_verdict(out, rep);
	fputc('\n', out);
	print_cpu(out, r);
	print_memory(out, r);
	print_disks(out, r);
	print_network(out, r);
	print_connections(out, r);
	print_processes(out, r);
	print_errors(out, r);
	return ferror(out) ? SZ_EIO : SZ_OK;
}

void
sz_render_wrapped(FILE *out, const char *lead, int indent, const char *text)
{
	print_wrapped(out, lead, indent, text);
}
