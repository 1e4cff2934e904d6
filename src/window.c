/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Taking a window of samples (see window.h): the sampling schedule and the
 * thread-set policy that keeps a diagnosis cheap on hosts with many
 * threads.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <time.h>

#include "sizeup/window.h"
#include "sizeup/xmalloc.h"

size_t
sz_window_size(double duration, double interval)
{
	double steps = ceil(duration / interval - 1e-9);

	return steps < 1 ? 2 : (size_t)steps + 1;
}

/* The busy processes are found this long before the window starts. */
#define PRE_SECONDS 0.2

static struct timespec
deadline(const struct timespec *start, double offset)
{
	struct timespec ts = *start;
	double whole = floor(offset);

	ts.tv_sec += (time_t)whole;
	ts.tv_nsec += (long)((offset - whole) * 1e9);
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

/* Sleep until `offset` seconds after `start` on the monotonic clock. */
static void
sleep_until(const struct timespec *start, double offset)
{
	struct timespec next = deadline(start, offset);

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
	    NULL) == EINTR)
		;
}

void
sz_window_watch(struct sz_window *w, struct sz_collector *c,
    struct sz_ctx *ctx, double duration, double interval)
{
	struct sz_sample *pre = sz_sample_new();
	struct timespec start;
	size_t i;

	w->n = sz_window_size(duration, interval);
	w->samples = sz_xcalloc(w->n, sizeof(*w->samples));

	/* processes only, so the first sample knows who uses CPU */
	sz_ctx_set_task_scope(ctx, SZ_TASKS_PROCESSES);
	clock_gettime(CLOCK_MONOTONIC, &start);
	sz_collector_collect(c, pre);
	sleep_until(&start, PRE_SECONDS);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (i = 0; i < w->n; i++) {
		if (i > 0)
			sleep_until(&start, fmin((double)i * interval,
			    duration));
		if (i == 0) {
			sz_ctx_set_thread_reference(ctx, &pre->threads);
		} else if (i + 1 < w->n) {
			sz_ctx_set_task_scope(ctx, SZ_TASKS_NONE);
		} else {
			/* the first sample holds the threads' baselines;
			 * processes started since count from zero */
			sz_ctx_set_task_scope(ctx, SZ_TASKS_PROCESSES);
			sz_ctx_set_thread_reference(ctx,
			    &w->samples[0]->threads);
		}
		w->samples[i] = sz_sample_new();
		sz_collector_collect(c, w->samples[i]);
	}
	sz_ctx_set_thread_reference(ctx, NULL);
	sz_ctx_set_task_scope(ctx, SZ_TASKS_ALL);
	sz_sample_free(pre);
}

void
sz_window_fini(struct sz_window *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		sz_sample_free(w->samples[i]);
	free(w->samples);
	w->samples = NULL;
	w->n = 0;
}

const struct sz_sample *const *
sz_window_const(const struct sz_window *w)
{
	return (const struct sz_sample *const *)w->samples;
}
