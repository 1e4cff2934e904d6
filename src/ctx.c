/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct sz_ctx: what every probe may consult while collecting (the root
 * its procfs reads are relative to, how much of the process table is
 * worth reading, and which PostgreSQL server to watch).  Opaque outside
 * this file.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "sizeup/probe.h"
#include "sizeup/xmalloc.h"

struct sz_ctx {
	char *root;
	enum sz_task_scope scope;
	int *thread_pids;	/* sorted */
	size_t nthread_pids;
	const struct sz_threads_sample *ref;
	char *pg_conninfo;	/* may hold a password */
	bool pg_no_libpq;
};

struct sz_ctx *
sz_ctx_new(const char *root)
{
	struct sz_ctx *ctx = sz_xcalloc(1, sizeof(*ctx));

	ctx->root = sz_xstrdup(root != NULL ? root : "/");
	return ctx;
}

void
sz_ctx_free(struct sz_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->root);
	free(ctx->thread_pids);
	sz_ctx_set_pg_conninfo(ctx, NULL);
	free(ctx);
}

const char *
sz_ctx_root(const struct sz_ctx *ctx)
{
	return ctx->root;
}

void
sz_ctx_set_task_scope(struct sz_ctx *ctx, enum sz_task_scope scope)
{
	ctx->scope = scope;
}

enum sz_task_scope
sz_ctx_task_scope(const struct sz_ctx *ctx)
{
	return ctx->scope;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

void
sz_ctx_set_thread_pids(struct sz_ctx *ctx, const int *pids, size_t n)
{
	free(ctx->thread_pids);
	ctx->thread_pids = NULL;
	ctx->nthread_pids = 0;
	if (pids == NULL || n == 0)
		return;
	ctx->thread_pids = sz_xreallocarray(NULL, n, sizeof(int));
	memcpy(ctx->thread_pids, pids, n * sizeof(int));
	qsort(ctx->thread_pids, n, sizeof(int), cmp_int);
	ctx->nthread_pids = n;
}

void
sz_ctx_set_thread_reference(struct sz_ctx *ctx,
    const struct sz_threads_sample *ref)
{
	ctx->ref = ref;
}

static int
cmp_task_pid(const void *key, const void *elem)
{
	int pid = *(const int *)key, other = ((const struct sz_task *)elem)->pid;

	return (pid > other) - (pid < other);
}

/* Did proc use CPU since the reference, or start after it? */
static bool
busy_since(const struct sz_threads_sample *ref, const struct sz_task *proc)
{
	const struct sz_task *old;

	if (!ref->valid)
		return false;
	old = bsearch(&proc->pid, ref->procs, ref->nprocs, sizeof(*old),
	    cmp_task_pid);
	return old == NULL || old->start_ticks != proc->start_ticks ||
	    proc->cpu_ticks > old->cpu_ticks;
}

bool
sz_ctx_wants_threads(const struct sz_ctx *ctx, const struct sz_task *proc)
{
	switch (ctx->scope) {
	case SZ_TASKS_ALL:
		return true;
	case SZ_TASKS_NONE:
		return false;
	default:
		break;
	}
	if (ctx->thread_pids != NULL && bsearch(&proc->pid, ctx->thread_pids,
	    ctx->nthread_pids, sizeof(int), cmp_int) != NULL)
		return true;
	return ctx->ref != NULL && busy_since(ctx->ref, proc);
}

void
sz_ctx_set_pg_conninfo(struct sz_ctx *ctx, const char *conninfo)
{
	if (ctx->pg_conninfo != NULL) {
		/* it may hold a password: leave no copy in freed memory */
		explicit_bzero(ctx->pg_conninfo, strlen(ctx->pg_conninfo));
		free(ctx->pg_conninfo);
	}
	ctx->pg_conninfo = conninfo != NULL ? sz_xstrdup(conninfo) : NULL;
}

const char *
sz_ctx_pg_conninfo(const struct sz_ctx *ctx)
{
	return ctx->pg_conninfo;
}

void
sz_ctx_set_pg_libpq(struct sz_ctx *ctx, bool enabled)
{
	ctx->pg_no_libpq = !enabled;
}

bool
sz_ctx_pg_libpq(const struct sz_ctx *ctx)
{
	return !ctx->pg_no_libpq;
}
