/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The threads probe: the process table, one entry per process and one per
 * thread, with CPU ticks (utime + stime), start time, state, last CPU,
 * thread count and RSS.  The context says how much to read
 * (sz_ctx_task_scope): every thread, processes plus the threads of the
 * processes it wants, or nothing, so a caller can keep the expensive
 * per-thread pass to the busy processes.  Rates and the hottest threads
 * are computed by rates.c.
 *
 * Reads PID/stat and PID/task/TID/stat below root/proc (sz_ctx_root()),
 * one read() each, relative to a descriptor of that directory kept open,
 * as htop does.  Not through libproc2's pids API, unlike the other tables
 * of /proc: `sizeup top` reads every process every refresh, and that pass
 * is most of its cost.  A libproc2 reap also stat()s every /proc/PID, opens
 * it by absolute path and sscanf()s all 52 fields: with 1000 idle
 * processes of 4 threads read a second apart, the whole screen cost
 * 11.8-13.2 ms of CPU per refresh that way and 9.4-11.0 ms with this
 * reader (../shared/bench).  Its select read status and statm of every
 * task too, and
 * libproc2 4.0.2 needed three work-arounds here (escaped comm, the leader
 * listed with the whole process's counters, a crash on pid lists).  One
 * stat file holds everything this probe needs, and the path below a root
 * lets the tests read fixture trees.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "threads"

/*
 * There cannot be more tasks than pids (PID_MAX_LIMIT is 2^22 on 64-bit
 * kernels): the hard cap of the task arrays.
 */
#define TASKS_MAX (1u << 22)

/* A stat line: 52 fields of at most 20 digits and a comm of 64 bytes. */
#define STAT_MAX 2048

/* Fields of /proc/PID/stat, numbered from 1 as in proc(5). */
#define F_STATE 3
#define F_UTIME 14
#define F_STIME 15
#define F_NUM_THREADS 20
#define F_STARTTIME 22
#define F_RSS 24		/* pages */
#define F_PROCESSOR 39

struct threads_state {
	DIR *proc;		/* root/proc, rewound for each sample */
	uint64_t page_size;	/* the unit of stat's rss */
};

/* A growing array of tasks, handed over to the sample when complete. */
struct task_vec {
	struct sz_task *v;
	size_t n, cap;
};

/*
 * Stat files that exist but cannot be used (unreadable, malformed): the
 * task is left out and the sample says so once, naming the first.
 * Tasks that exit between readdir and read are not counted: that is
 * the normal life of a process table.
 */
struct skipped {
	size_t n;
	enum sz_err first_err;
	char first[48];
};

static enum sz_err
threads_open(const struct sz_ctx *ctx, void **state)
{
	const char *root = sz_ctx_root(ctx);
	struct threads_state *st;
	long page = sysconf(_SC_PAGESIZE);
	char path[4096];
	DIR *proc;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc", root) >=
	    sizeof(path))
		return SZ_ETOOBIG;
	proc = opendir(path);
	if (proc == NULL)
		return sz_err_from_errno(errno);
	st = sz_xcalloc(1, sizeof(*st));
	st->proc = proc;
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
	closedir(st->proc);
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

/* The pid or tid a /proc directory entry names, or -1. */
static int
entry_id(const char *name)
{
	const char *p = name;
	int64_t id;

	if (*p < '1' || *p > '9' || sz_parse_i64(&p, &id) != SZ_OK ||
	    *p != '\0' || id > INT32_MAX)
		return -1;
	return (int)id;
}

/* Move *p over n fields: blanks, then a run of anything else. */
static enum sz_err
skip_fields(const char **p, int n)
{
	const char *q = *p;

	while (n-- > 0) {
		q = sz_skip_blanks(q);
		if (*q == '\0' || *q == '\n')
			return SZ_EPARSE;
		while (*q != ' ' && *q != '\0' && *q != '\n')
			q++;
	}
	*p = q;
	return SZ_OK;
}

/*
 * Parse a stat line into t (all but pid and tid).  "PID (COMM) S ...":
 * comm may hold any byte but NUL, ')' and newlines included, so it ends
 * at the last ')' of the line; it is kept raw (strsafe.c makes it safe to
 * show).  The numeric fields are read in file order.
 */
static enum sz_err
parse_stat(const char *buf, uint64_t page_size, struct sz_task *t)
{
	static const int fields[] = { F_UTIME, F_STIME, F_NUM_THREADS,
		F_STARTTIME, F_RSS, F_PROCESSOR };
	enum { UTIME, STIME, NUM_THREADS, STARTTIME, RSS, PROCESSOR, NF };
	const char *lparen = strchr(buf, '('), *rparen = strrchr(buf, ')');
	const char *p;
	uint64_t v[NF];
	enum sz_err err;
	int at, i;
	size_t n;

	_Static_assert(sizeof(fields) / sizeof(fields[0]) == NF,
	    "fields[] and its positions disagree");
	if (lparen == NULL || rparen == NULL || rparen < lparen)
		return SZ_EPARSE;
	p = sz_skip_blanks(rparen + 1);
	if (*p == '\0' || *p == '\n' || p == rparen + 1)
		return SZ_EPARSE;
	t->state = *p++;
	at = F_STATE + 1;
	for (i = 0; i < NF; i++) {
		err = skip_fields(&p, fields[i] - at);
		if (err == SZ_OK)
			err = sz_parse_u64(&p, &v[i]);
		if (err)
			return err;
		at = fields[i] + 1;
	}
	n = (size_t)(rparen - lparen - 1);
	if (n >= sizeof(t->comm))
		n = sizeof(t->comm) - 1;
	memcpy(t->comm, lparen + 1, n);
	t->comm[n] = '\0';
	t->cpu_ticks = v[UTIME] + v[STIME];
	t->nthreads = v[NUM_THREADS] > INT32_MAX ? INT32_MAX :
	    (int)v[NUM_THREADS];
	t->start_ticks = v[STARTTIME];
	t->rss_bytes = v[RSS] > UINT64_MAX / page_size ? UINT64_MAX :
	    v[RSS] * page_size;
	t->processor = v[PROCESSOR] > INT32_MAX ? -1 : (int)v[PROCESSOR];
	return SZ_OK;
}

/* Did the task exit (or never exist) rather than fail to read? */
static bool
gone(enum sz_err err)
{
	return err == SZ_ENOENT;
}

static void
note_skipped(struct skipped *sk, const char *relpath, enum sz_err err)
{
	if (sk->n++ == 0) {
		sk->first_err = err;
		snprintf(sk->first, sizeof(sk->first), "%s", relpath);
	}
}

/*
 * Read the stat file at relpath (below root/proc) into t.  A task that
 * exits meanwhile fails with SZ_ENOENT (ENOENT or ESRCH).
 */
static enum sz_err
read_stat(const struct threads_state *st, const char *relpath,
    struct sz_task *t)
{
	char buf[STAT_MAX];
	ssize_t n;
	int fd;

	fd = openat(dirfd(st->proc), relpath, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return sz_err_from_errno(errno);
	do
		n = read(fd, buf, sizeof(buf) - 1);
	while (n < 0 && errno == EINTR);
	close(fd);
	if (n < 0)
		return errno == ESRCH ? SZ_ENOENT : sz_err_from_errno(errno);
	if (n == 0)
		return SZ_EPARSE;
	if ((size_t)n == sizeof(buf) - 1)
		return SZ_ETOOBIG;
	buf[n] = '\0';
	return parse_stat(buf, st->page_size, t);
}

/*
 * Add every thread of process pid (the leader included, with its own
 * counters, from PID/task/PID/stat) to threads.  A process or thread
 * gone meanwhile is skipped.
 */
static enum sz_err
add_threads(const struct threads_state *st, int pid, struct task_vec *threads,
    struct skipped *sk)
{
	struct sz_task *t;
	struct dirent *d;
	enum sz_err err;
	char path[48];
	DIR *dir;
	int fd, tid;

	snprintf(path, sizeof(path), "%d/task", pid);
	fd = openat(dirfd(st->proc), path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return SZ_OK;	/* gone, or a table without task dirs */
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return SZ_OK;
	}
	while ((d = readdir(dir)) != NULL) {
		tid = entry_id(d->d_name);
		if (tid < 0)
			continue;
		t = task_push(threads);
		if (t == NULL) {
			closedir(dir);
			return SZ_ETOOBIG;
		}
		snprintf(path, sizeof(path), "%d/task/%d/stat", pid, tid);
		err = read_stat(st, path, t);
		if (err) {
			threads->n--;	/* give the slot back */
			if (!gone(err))
				note_skipped(sk, path, err);
			continue;
		}
		t->pid = pid;
		t->tid = tid;
	}
	closedir(dir);
	return SZ_OK;
}

/*
 * Every process, and the threads of those the context wants, in one walk
 * of root/proc.
 */
static enum sz_err
read_table(struct threads_state *st, const struct sz_ctx *ctx,
    struct task_vec *procs, struct task_vec *threads, struct skipped *sk)
{
	struct sz_task *t;
	struct dirent *d;
	enum sz_err err;
	char path[32];
	int pid;

	rewinddir(st->proc);
	errno = 0;
	while ((d = readdir(st->proc)) != NULL) {
		pid = entry_id(d->d_name);
		if (pid < 0)
			continue;
		t = task_push(procs);
		if (t == NULL)
			return SZ_ETOOBIG;
		snprintf(path, sizeof(path), "%d/stat", pid);
		err = read_stat(st, path, t);
		if (err) {
			procs->n--;	/* give the slot back */
			if (!gone(err))
				note_skipped(sk, path, err);
			errno = 0;
			continue;
		}
		t->pid = t->tid = pid;
		if (sz_ctx_wants_threads(ctx, t)) {
			err = add_threads(st, pid, threads, sk);
			if (err)
				return err;
		}
		errno = 0;
	}
	return errno != 0 ? sz_err_from_errno(errno) : SZ_OK;
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
	struct skipped sk = { 0 };
	enum sz_err err;

	if (sz_ctx_task_scope(ctx) == SZ_TASKS_NONE)
		return SZ_OK;
	err = read_table(st, ctx, &procs, &threads, &sk);
	if (err == SZ_ETOOBIG)
		sz_sample_add_error(
		    s, PROBE, err, "more than %u tasks", TASKS_MAX);
	else if (err)
		sz_sample_add_error(s, PROBE, err, "proc: %s",
		    sz_strerror(err));
	if (err) {
		free(procs.v);
		free(threads.v);
		return err;
	}
	if (sk.n > 0)
		sz_sample_add_error(s, PROBE, sk.first_err,
		    "%zu task(s) left out: proc/%s: %s", sk.n, sk.first,
		    sz_strerror(sk.first_err));

	/*
	 * readdir lists pids in ascending order, but the sample's order is a
	 * promise, not an accident of readdir; and a group's threads come
	 * together, after their process, so tids always need sorting.
	 */
	if (procs.n > 1)
		qsort(procs.v, procs.n, sizeof(*procs.v), cmp_pid);
	if (threads.n > 1)
		qsort(threads.v, threads.n, sizeof(*threads.v), cmp_tid);
	task_fit(&procs);
	task_fit(&threads);
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
