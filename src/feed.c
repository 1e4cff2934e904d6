/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The feed (see feed.h): one worker thread takes a sample every interval
 * and publishes the rates and report between it and the previous one in a
 * one-slot mailbox, then writes a byte to a pipe so that the screen's
 * poll() wakes.  The screen never waits on a probe: it takes whatever
 * bundle is finished.
 *
 * A sample is shared by the worker (as the next baseline) and by the
 * bundle whose rates borrow its names, so it carries a reference count.
 * The worker blocks the asynchronous signals: they go to the screen's
 * thread, which owns the terminal.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "sizeup/feed.h"
#include "sizeup/probe.h"
#include "sizeup/xmalloc.h"

#define NS_PER_S 1000000000L

struct sz_feed_sample {
	struct sz_sample *s;
	atomic_int refs;
};

struct sz_feed {
	struct sz_feed_source src;
	struct sz_config cfg;	/* thresholds and links only */
	int pipe[2];		/* [0] polled by the screen */
	pthread_t thread;

	pthread_mutex_t lock;	/* guards what follows */
	pthread_cond_t wake;	/* interval, quit or done changed */
	double interval;
	bool quit;		/* asked to stop */
	bool done;		/* the worker has returned */
	struct sz_bundle *slot;	/* finished, not taken yet */
	unsigned long seq;
};

static struct sz_feed_sample *
sample_new(void)
{
	struct sz_feed_sample *fs = sz_xmalloc(sizeof(*fs));

	fs->s = sz_sample_new();
	atomic_init(&fs->refs, 1);
	return fs;
}

static struct sz_feed_sample *
sample_ref(struct sz_feed_sample *fs)
{
	atomic_fetch_add(&fs->refs, 1);
	return fs;
}

static void
sample_unref(struct sz_feed_sample *fs)
{
	if (fs == NULL || atomic_fetch_sub(&fs->refs, 1) != 1)
		return;
	sz_sample_free(fs->s);
	free(fs);
}

void
sz_bundle_free(struct sz_bundle *b)
{
	if (b == NULL)
		return;
	sz_rates_fini(&b->rates);
	sample_unref(b->last);
	free(b);
}

static struct timespec
ts_after(const struct timespec *t, double seconds)
{
	struct timespec r = *t;
	double whole = floor(seconds);

	r.tv_sec += (time_t)whole;
	r.tv_nsec += (long)((seconds - whole) * (double)NS_PER_S);
	if (r.tv_nsec >= NS_PER_S) {
		r.tv_sec++;
		r.tv_nsec -= NS_PER_S;
	}
	return r;
}

static bool
ts_passed(const struct timespec *due)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec > due->tv_sec ||
	    (now.tv_sec == due->tv_sec && now.tv_nsec >= due->tv_nsec);
}

/* The rates and report from a to b, or NULL when no time passed. */
static struct sz_bundle *
bundle_new(const struct sz_feed *f, struct sz_feed_sample *a,
    struct sz_feed_sample *b)
{
	const struct sz_sample *win[2] = { a->s, b->s };
	struct sz_bundle *bd = sz_xcalloc(1, sizeof(*bd));

	if (sz_rates_compute(&bd->rates, win, 2, &f->cfg) != SZ_OK) {
		sz_rates_fini(&bd->rates);
		free(bd);
		return NULL;
	}
	sz_analyze(&bd->rates, &f->cfg.th, &bd->rep);
	bd->last = sample_ref(b);
	return bd;
}

static void
publish(struct sz_feed *f, struct sz_bundle *b)
{
	struct sz_bundle *old;
	char byte = 0;

	if (b == NULL)
		return;
	pthread_mutex_lock(&f->lock);
	b->seq = ++f->seq;
	old = f->slot;
	f->slot = b;
	pthread_mutex_unlock(&f->lock);
	sz_bundle_free(old);
	if (write(f->pipe[1], &byte, 1) < 0) {
		/* full: it already says "ready" */
	}
}

/*
 * Wait until `wait` seconds after since (re-read: the interval may change
 * meanwhile).  RETURNS false when asked to quit.
 */
static bool
wait_due(struct sz_feed *f, const struct timespec *since, bool first)
{
	bool quit;

	pthread_mutex_lock(&f->lock);
	while (!f->quit) {
		double wait = first ? fmin(f->interval, SZ_FEED_FIRST_S) :
		    f->interval;
		struct timespec due = ts_after(since, wait);

		if (ts_passed(&due))
			break;
		pthread_cond_timedwait(&f->wake, &f->lock, &due);
	}
	quit = f->quit;
	pthread_mutex_unlock(&f->lock);
	return !quit;
}

static void *
worker(void *arg)
{
	struct sz_feed *f = arg;
	struct sz_feed_sample *prev = NULL, *cur;
	bool first = true;

	for (;;) {
		cur = sample_new();
		f->src.collect(f->src.arg, prev != NULL ? &prev->s->threads :
		    NULL, cur->s);
		if (prev != NULL)
			publish(f, bundle_new(f, prev, cur));
		sample_unref(prev);
		prev = cur;
		if (!wait_due(f, &cur->s->mono, first))
			break;
		first = false;
	}
	sample_unref(prev);
	pthread_mutex_lock(&f->lock);
	f->done = true;
	pthread_cond_broadcast(&f->wake);
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static void
copy_config(struct sz_config *dst, const struct sz_config *src)
{
	size_t i;

	sz_config_init(dst);
	dst->th = src->th;
	for (i = 0; i < src->nlinks; i++)
		dst->links[i] = src->links[i];
	dst->nlinks = src->nlinks;
}

/*
 * Start the thread with the asynchronous signals blocked (it inherits the
 * mask), so that they reach the thread that owns the terminal.  A fault
 * (and abort()) stays deliverable: blocked, it would kill the process
 * without running the handler that restores the terminal.
 */
static int
start_worker(struct sz_feed *f)
{
	static const int faults[] = { SIGSEGV, SIGBUS, SIGFPE, SIGILL,
		SIGABRT };
	sigset_t all, old;
	size_t i;
	int rc;

	sigfillset(&all);
	for (i = 0; i < sizeof(faults) / sizeof(faults[0]); i++)
		sigdelset(&all, faults[i]);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&f->thread, NULL, worker, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static void
feed_destroy(struct sz_feed *f)
{
	sz_bundle_free(f->slot);
	if (f->src.close != NULL)
		f->src.close(f->src.arg);
	close(f->pipe[0]);
	close(f->pipe[1]);
	pthread_cond_destroy(&f->wake);
	pthread_mutex_destroy(&f->lock);
	sz_config_fini(&f->cfg);
	free(f);
}

enum sz_err
sz_feed_start(struct sz_feed **out, const struct sz_feed_source *src,
    const struct sz_config *cfg, double interval)
{
	struct sz_feed *f = sz_xcalloc(1, sizeof(*f));
	pthread_condattr_t attr;
	int rc;

	*out = NULL;
	if (pipe2(f->pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		rc = errno;
		free(f);
		return sz_err_from_errno(rc);
	}
	f->src = *src;
	f->interval = interval;
	copy_config(&f->cfg, cfg);
	pthread_mutex_init(&f->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&f->wake, &attr);
	pthread_condattr_destroy(&attr);
	rc = start_worker(f);
	if (rc != 0) {
		f->src.close = NULL;	/* the caller keeps its source */
		feed_destroy(f);
		return sz_err_from_errno(rc);
	}
	*out = f;
	return SZ_OK;
}

int
sz_feed_fd(const struct sz_feed *f)
{
	return f->pipe[0];
}

struct sz_bundle *
sz_feed_take(struct sz_feed *f)
{
	struct sz_bundle *b;
	char buf[64];

	while (read(f->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&f->lock);
	b = f->slot;
	f->slot = NULL;
	pthread_mutex_unlock(&f->lock);
	return b;
}

void
sz_feed_set_interval(struct sz_feed *f, double interval)
{
	pthread_mutex_lock(&f->lock);
	f->interval = interval;
	pthread_cond_broadcast(&f->wake);
	pthread_mutex_unlock(&f->lock);
}

bool
sz_feed_free(struct sz_feed *f, double grace)
{
	struct timespec now, due;
	bool done;

	if (f == NULL)
		return true;
	clock_gettime(CLOCK_MONOTONIC, &now);
	due = ts_after(&now, grace);
	pthread_mutex_lock(&f->lock);
	f->quit = true;
	pthread_cond_broadcast(&f->wake);
	while (!f->done && pthread_cond_timedwait(&f->wake, &f->lock,
	    &due) != ETIMEDOUT)
		;
	done = f->done;
	pthread_mutex_unlock(&f->lock);
	if (!done) {
		pthread_detach(f->thread);
		return false;
	}
	pthread_join(f->thread, NULL);
	feed_destroy(f);
	return true;
}

/* ---- the live host --------------------------------------------------- */

struct live_source {
	struct sz_ctx *ctx;
	struct sz_collector *c;
};

static void
live_collect(void *arg, const struct sz_threads_sample *ref,
    struct sz_sample *s)
{
	struct live_source *l = arg;

	sz_ctx_set_task_scope(l->ctx, SZ_TASKS_PROCESSES);
	sz_ctx_set_thread_reference(l->ctx, ref);
	sz_collector_collect(l->c, s);
	sz_ctx_set_thread_reference(l->ctx, NULL);
}

static void
live_close(void *arg)
{
	struct live_source *l = arg;

	sz_collector_free(l->c);
	sz_ctx_free(l->ctx);
	free(l);
}

enum sz_err
sz_feed_start_live(struct sz_feed **out, const struct sz_config *cfg,
    double interval)
{
	struct live_source *l = sz_xmalloc(sizeof(*l));
	struct sz_feed_source src = { live_collect, live_close, l };
	enum sz_err err;

	l->ctx = sz_ctx_new("/");
	sz_ctx_set_pg_conninfo(l->ctx, cfg->pg_conninfo);
	l->c = sz_collector_new(l->ctx);
	err = sz_feed_start(out, &src, cfg, interval);
	if (err)
		live_close(l);
	return err;
}
