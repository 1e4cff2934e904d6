/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A window: the samples taken over `duration` seconds, one every
 * `interval`.  The process table is the costly part of a sample (every
 * thread of a busy host costs several times every process), and only the
 * first and last samples' tables are used, so: a process-only reading
 * 0.2 s before the window tells which processes use CPU; the first sample
 * reads their threads; the samples in between skip the table; the last
 * reads the threads of the processes busy since the first.  Per-thread CPU
 * over the window comes from the first and last samples.
 */
#ifndef SIZEUP_WINDOW_H
#define SIZEUP_WINDOW_H

#include <stddef.h>

#include "sizeup/probe.h"
#include "sizeup/sample.h"

struct sz_window {
	struct sz_sample **samples;	/* owned, in time order */
	size_t n;
};

/* How many samples a window of duration/interval takes (at least 2). */
size_t sz_window_size(double duration, double interval);

/*
 * Collect a window with c (opened on ctx), sleeping on the monotonic clock
 * between samples; deadlines count from the start, so there is no drift
 * and the last sample lands on the duration.  ctx's thread set is changed
 * while it runs and left unset.  Free with sz_window_fini().
 */
void sz_window_watch(struct sz_window *w, struct sz_collector *c,
    struct sz_ctx *ctx, double duration, double interval);

/* Free the samples.  Safe on a zeroed window. */
void sz_window_fini(struct sz_window *w);

/* The samples as the const array sz_rates_compute() takes. */
const struct sz_sample *const *sz_window_const(const struct sz_window *w);

#endif
