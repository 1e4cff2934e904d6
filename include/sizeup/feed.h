/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The feed: a worker thread that samples the host every interval and
 * turns each pair of consecutive samples into a finished bundle (rates and
 * the analyzer's report), for an interactive screen that must never wait
 * on a probe.  The screen takes the newest bundle when it likes; a bundle
 * it has not taken is replaced by the next one.
 *
 * Each sample reads every process but only the threads of the processes
 * that used CPU since the previous sample (the first, none).  A thread's
 * CPU over a refresh needs its entry in the previous sample, so a process
 * busy over two refreshes in a row has its hottest thread named; one that
 * has just become busy has its threads read now, as baselines, and named
 * from the next refresh on (threads born in between count from zero and
 * are named at once).  Reading every thread up front would name them one
 * refresh sooner, at the cost of a pass over every thread of the host.
 *
 * Sits between the probes (through sz_collector) and the TUI; talks to
 * nobody and reads nothing itself.
 */
#ifndef SIZEUP_FEED_H
#define SIZEUP_FEED_H

#include <stdbool.h>

#include "sizeup/analyzer.h"
#include "sizeup/config.h"
#include "sizeup/err.h"
#include "sizeup/rates.h"
#include "sizeup/sample.h"

/* A refcounted sample (private to feed.c). */
struct sz_feed_sample;

/* One refresh: what happened between two consecutive samples. */
struct sz_bundle {
	unsigned long seq;		/* 1 for the first refresh */
	struct sz_rates rates;		/* borrows the last sample */
	struct sz_report rep;		/* borrows rates and the thresholds */
	struct sz_feed_sample *last;	/* private: what rates borrow */
};

/*
 * Where samples come from.  collect fills s (fresh from sz_sample_new)
 * with every process and the threads of the processes that used CPU since
 * ref (none when ref is NULL, the first sample); ref stays alive during
 * the call.  collect runs
 * in the worker thread and may take long.  close (optional) is called by
 * sz_feed_free() once the worker has stopped.
 */
struct sz_feed_source {
	void (*collect)(void *arg, const struct sz_threads_sample *ref,
	    struct sz_sample *s);
	void (*close)(void *arg);
	void *arg;
};

struct sz_feed;

/*
 * Start a worker sampling src every interval seconds (the first refresh
 * comes sooner, after at most SZ_FEED_FIRST_S).  cfg is copied (its
 * thresholds and link capacities).  On success *out owns the worker.
 * RETURNS SZ_OK, or the error of creating its pipe or thread.
 */
enum sz_err sz_feed_start(struct sz_feed **out,
    const struct sz_feed_source *src, const struct sz_config *cfg,
    double interval);

/* sz_feed_start() on the live host: the registered probes on "/". */
enum sz_err sz_feed_start_live(struct sz_feed **out,
    const struct sz_config *cfg, double interval);

#define SZ_FEED_FIRST_S 0.25	/* the first refresh, for a prompt screen */

/* A descriptor that becomes readable when a new bundle is ready. */
int sz_feed_fd(const struct sz_feed *f);

/*
 * The newest finished bundle not taken yet, or NULL; never blocks.  The
 * caller owns it: free it with sz_bundle_free() before sz_feed_free().
 */
struct sz_bundle *sz_feed_take(struct sz_feed *f);

/* Change the interval; it applies to the sample being waited for. */
void sz_feed_set_interval(struct sz_feed *f, double interval);

void sz_bundle_free(struct sz_bundle *b);

/*
 * Stop the worker, waiting at most grace seconds for the sample it may be
 * taking.  RETURNS true when it stopped and everything is freed; false
 * when it is stuck in a probe: it is then left running, detached, with
 * everything it uses (the feed included) left allocated, and the caller
 * should end the process soon.  NULL is a no-op (true).
 */
bool sz_feed_free(struct sz_feed *f, double grace);

#endif
