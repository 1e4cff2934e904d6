/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The threads probe: the process table through libproc2's pids API, one
 * entry per process and one per thread, with CPU ticks (utime + stime),
 * start time, state, last CPU, thread count and RSS.  The context says how
 * much to read (sz_ctx_task_scope): every thread, processes plus the
 * threads of the processes it wants, or nothing, so a caller can keep the
 * expensive per-thread pass to the busy processes.  Rates and the hottest
 * threads are computed by rates.c.
 *
 * Reads /proc/PID/stat and /proc/PID/task/TID/stat (libproc2 and, to
 * correct it, this file; both always the live /proc).  libproc2 is asked
 * only for items it takes from those stat files, so a reap opens nothing
 * else (a select does: see read_wanted()).
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/pids.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "threads"

/*
 * There cannot be more tasks than pids (PID_MAX_LIMIT is 2^22 on 64-bit
 * kernels): the hard cap of the task arrays.
 */
#define TASKS_MAX (1u << 22)

/* libproc2 takes a non-const array but never writes to it. */
static enum pids_item items[] = {
	PIDS_ID_TGID,
	PIDS_ID_TID,
	PIDS_CMD,
	PIDS_STATE,
	PIDS_NLWP,
	PIDS_PROCESSOR,
	PIDS_TICS_ALL,
	PIDS_TICS_BEGAN,
	PIDS_RSS,
};

enum {
	I_TGID,
	I_TID,
	I_CMD,
	I_STATE,
	I_NLWP,
	I_PROCESSOR,
	I_TICS_ALL,
	I_TICS_BEGAN,
	I_RSS,
	NITEMS
};

_Static_assert(sizeof(items) / sizeof(items[0]) == NITEMS,
    "items[] and its positions disagree");

/* Fields of /proc/PID/task/TID/stat, numbered from 1 as in proc(5). */
#define F_STATE 3
#define F_UTIME 14
#define F_STIME 15
#define F_PROCESSOR 39

struct threads_state {
	struct pids_info *info; /* NULL until the first read */
	uint64_t page_size;     /* the unit of stat's rss */
};

/* A growing array of tasks, handed over to the sample when complete. */
struct task_vec {
	struct sz_task *v;
	size_t n, cap;
};

static enum sz_err
threads_open(const struct sz_ctx *ctx, void **state)
{
	struct threads_state *st = sz_xcalloc(1, sizeof(*st));
	long page = sysconf(_SC_PAGESIZE);

	(void)ctx;
	st->page_size = page > 0 ? (uint64_t)page : 4096;
	*state = st;
	return SZ_OK;
}

static void
threads_close(void *state)
{
	struct threads_state *st = state;

	if (st == NULL)
		return;
	if (st->info != NULL)
		procps_pids_unref(&st->info);
	free(st);
}

/* Room for one more task, or NULL at the hard cap. */
static struct sz_task *
task_push(struct task_vec *vec)
{
	if (vec->n == vec->cap) {
		if (vec->cap >= TASKS_MAX)
			return NULL;
		vec->cap = vec->cap > 0 ? vec->cap * 2 : 512;
		vec->v = sz_xreallocarray(vec->v, vec->cap, sizeof(*vec->v));
	}
	return &vec->v[vec->n++];
}

/*
 * Give back the spare room of a finished array: a sample lives for a
 * whole refresh (or window), and the doubling leaves up to half unused.
 */
static void
task_fit(struct task_vec *vec)
{
	if (vec->n > 0 && vec->n < vec->cap) {
		vec->v = sz_xreallocarray(vec->v, vec->n, sizeof(*vec->v));
		vec->cap = vec->n;
	}
}

static enum sz_err
skip_fields(const char **p, int n)
{
	enum sz_err err = SZ_OK;
	char word[32];

	while (n-- > 0 && err == SZ_OK)
		err = sz_parse_word(p, word, sizeof(word));
	return err;
}

/*
 * Read a task's own stat file into t: its raw comm, state, last CPU and
 * CPU ticks.  The path is relative to "/" because this corrects entries
 * of libproc2, which always reads the live /proc.
 */
static enum sz_err
read_task_stat(int pid, int tid, struct sz_task *t)
{
	const char *lparen, *rparen, *p;
	uint64_t utime, stime;
	char path[64], *buf;
	char state[32];
	enum sz_err err;
	int64_t cpu;
	size_t n;

	snprintf(path, sizeof(path), "proc/%d/task/%d/stat", pid, tid);
	err = sz_procfs_read("/", path, &buf, NULL);
	if (err)
		return err;
	/*
	 * "TID (COMM) S ...": comm may hold any byte but NUL, ')' and
	 * newlines included, so it ends at the last ')' of the file.
	 */
	lparen = strchr(buf, '(');
	rparen = strrchr(buf, ')');
	if (lparen == NULL || rparen == NULL || rparen < lparen) {
		err = SZ_EPARSE;
		goto out;
	}
	p = rparen + 1;
	err = sz_parse_word(&p, state, sizeof(state));
	if (err)
		goto out;
	err = skip_fields(&p, F_UTIME - F_STATE - 1);
	if (err)
		goto out;
	err = sz_parse_u64(&p, &utime);
	if (err)
		goto out;
	err = sz_parse_u64(&p, &stime);
	if (err)
		goto out;
	err = skip_fields(&p, F_PROCESSOR - F_STIME - 1);
	if (err)
		goto out;
	err = sz_parse_i64(&p, &cpu);
	if (err)
		goto out;

	n = (size_t)(rparen - lparen - 1);
	if (n >= sizeof(t->comm))
		n = sizeof(t->comm) - 1;
	memcpy(t->comm, lparen + 1, n);
	t->comm[n] = '\0';
	t->state = state[0];
	t->processor = (int)cpu;
	t->cpu_ticks = utime + stime;
out:
	free(buf);
	return err;
}

/*
 * libproc2 4.0.2 escapes comm: bytes below 0x20 and DEL become '.', bytes
 * above 0x7f '?' (in a UTF-8 locale, '?' replaces whatever is not valid,
 * printable UTF-8).  The sample keeps the kernel's bytes (strsafe.c makes
 * them safe to show), so a comm that holds either mark is read again.
 * Few real names do, so this costs almost nothing.
 */
static void
unescape_comm(struct sz_task *t)
{
	struct sz_task raw;

	if (strpbrk(t->comm, ".?") == NULL)
		return;
	if (read_task_stat(t->pid, t->tid, &raw) == SZ_OK)
		memcpy(t->comm, raw.comm, sizeof(t->comm));
}

static void
copy_task(struct sz_task *t, const struct pids_stack *stack, uint64_t page_size)
{
	const struct pids_result *v = stack->head;
	const char *comm = v[I_CMD].result.str;

	t->pid = v[I_TGID].result.s_int;
	t->tid = v[I_TID].result.s_int;
	snprintf(t->comm, sizeof(t->comm), "%s", comm != NULL ? comm : "");
	t->state = (char)v[I_STATE].result.s_ch;
	t->nthreads = v[I_NLWP].result.s_int;
	t->processor = v[I_PROCESSOR].result.s_int;
	t->cpu_ticks = v[I_TICS_ALL].result.ull_int;
	t->start_ticks = v[I_TICS_BEGAN].result.ull_int;
	t->rss_bytes = (uint64_t)v[I_RSS].result.ul_int * page_size;
	unescape_comm(t);
}

/*
 * Add the threads of one fetch to threads, and the processes to procs
 * when procs is not NULL.
 *
 * libproc2 4.0.2 lists a thread group leader, with PIDS_FETCH_THREADS_TOO
 * as with PIDS_SELECT_PID_THREADS, with the values of /proc/PID/stat: the
 * whole process, the CPU time of every thread (exited ones too) included.
 * That is the process entry.  The leader thread's own counters are read
 * from /proc/PID/task/PID/stat; if that fails the process has just gone,
 * and so has its leader thread.
 */
static enum sz_err
add_tasks(const struct pids_fetch *f, uint64_t page_size,
    struct task_vec *procs, struct task_vec *threads)
{
	struct sz_task t, *slot;
	int i;

	for (i = 0; i < f->counts->total; i++) {
		copy_task(&t, f->stacks[i], page_size);
		if (t.tid == t.pid) {
			if (procs != NULL) {
				slot = task_push(procs);
				if (slot == NULL)
					return SZ_ETOOBIG;
				*slot = t;
			}
			if (read_task_stat(t.pid, t.tid, &t) != SZ_OK)
				continue;
		}
		slot = task_push(threads);
		if (slot == NULL)
			return SZ_ETOOBIG;
		*slot = t;
	}
	return SZ_OK;
}

/* Every process and every thread: one walk of /proc and its task dirs. */
static enum sz_err
read_all(struct threads_state *st, struct sz_sample *s, struct task_vec *procs,
    struct task_vec *threads)
{
	struct pids_fetch *f;

	errno = 0;
	f = procps_pids_reap(st->info, PIDS_FETCH_THREADS_TOO);
	if (f == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc", errno);
	return add_tasks(f, st->page_size, procs, threads);
}

/*
 * Every process, then the threads of the wanted ones, asked for one pid
 * at a time.  A PIDS_SELECT_PID_THREADS list makes libproc2 4.0.2 crash
 * (readdir() on a NULL DIR) when it holds a thread id, then a pid that
 * does not exist, then another task of the same group; a pid seen as a
 * process can be gone, or reused by a thread, by the time of the select.
 * A single-pid select carries nothing from one pid to the next.  A select
 * also reads /proc/PID/status and every task's statm (strace shows it; the
 * "threads" bit of PIDS_SELECT_PID_THREADS seems to reach readproc as
 * PROC_FILLMEM): more than a reap reads per task, but cheap for the few
 * processes a caller singles out.
 */
static enum sz_err
read_wanted(struct threads_state *st, const struct sz_ctx *ctx,
    struct sz_sample *s, struct task_vec *procs, struct task_vec *threads)
{
	struct pids_fetch *f;
	enum sz_err err;
	unsigned int pid;
	int i;
	size_t j;

	errno = 0;
	f = procps_pids_reap(st->info, PIDS_FETCH_TASKS_ONLY);
	if (f == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc", errno);
	for (i = 0; i < f->counts->total; i++) {
		struct sz_task *slot = task_push(procs);

		if (slot == NULL)
			return SZ_ETOOBIG;
		copy_task(slot, f->stacks[i], st->page_size);
	}

	/* f is reused by each select: procs holds the copies. */
	for (j = 0; j < procs->n; j++) {
		if (!sz_ctx_wants_threads(ctx, &procs->v[j]))
			continue;
		pid = (unsigned int)procs->v[j].pid;
		errno = 0;
		f = procps_pids_select(
		    st->info, &pid, 1, PIDS_SELECT_PID_THREADS);
		if (f == NULL)
			return sz_probe_lib_error(s, PROBE, "/proc", errno);
		err = add_tasks(f, st->page_size, NULL, threads);
		if (err)
			return err;
	}
	return SZ_OK;
}

static int
cmp_pid(const void *a, const void *b)
{
	const struct sz_task *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int
cmp_tid(const void *a, const void *b)
{
	const struct sz_task *x = a, *y = b;

	return (x->tid > y->tid) - (x->tid < y->tid);
}

static enum sz_err
threads_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	struct threads_state *st = state;
	struct task_vec procs = { 0 }, threads = { 0 };
	enum sz_err err;
	int rc;

	if (st->info == NULL) {
		rc = procps_pids_new(&st->info, items, NITEMS);
		if (rc < 0) {
			st->info = NULL;
			return sz_probe_lib_error(s, PROBE, "/proc", -rc);
		}
	}

	/* One reap of every task is cheaper than a select per process. */
	if (sz_ctx_task_scope(ctx) == SZ_TASKS_NONE)
		return SZ_OK;
	if (sz_ctx_task_scope(ctx) == SZ_TASKS_ALL)
		err = read_all(st, s, &procs, &threads);
	else
		err = read_wanted(st, ctx, s, &procs, &threads);
	if (err == SZ_ETOOBIG)
		sz_sample_add_error(
		    s, PROBE, err, "more than %u tasks", TASKS_MAX);
	if (err) {
		free(procs.v);
		free(threads.v);
		return err;
	}

	/*
	 * /proc lists pids in ascending order, but the sample's order is a
	 * promise, not an accident of readdir; and a group's threads come
	 * together, after their leader, so tids always need sorting.
	 */
	task_fit(&procs);
	task_fit(&threads);
	if (procs.n > 1)
		qsort(procs.v, procs.n, sizeof(*procs.v), cmp_pid);
	if (threads.n > 1)
		qsort(threads.v, threads.n, sizeof(*threads.v), cmp_tid);
	s->threads.procs = procs.v;
	s->threads.nprocs = procs.n;
	s->threads.threads = threads.v;
	s->threads.nthreads = threads.n;
	s->threads.valid = true;
	return SZ_OK;
}

const struct sz_probe_ops sz_probe_threads = {
	.name = PROBE,
	.flags = 0,
	.open = threads_open,
	.collect = threads_collect,
	.close = threads_close,
};
