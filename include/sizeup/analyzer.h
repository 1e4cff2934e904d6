/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The analyzer: rates and thresholds in, a verdict with its evidence out.
 * It follows the USE method (utilization, saturation, errors) with pressure
 * stall information and per-thread attribution, scores every resource from
 * 0 to 1, and picks the root cause among the resources that bind.  Pure:
 * no I/O, no clock, no globals, so it runs the same on live, recorded and
 * hand-made samples.
 */
#ifndef SIZEUP_ANALYZER_H
#define SIZEUP_ANALYZER_H

#include <stddef.h>

#include "sizeup/config.h"
#include "sizeup/rates.h"

enum sz_bound {
	SZ_BOUND_NONE = 0,
	SZ_BOUND_CPU,
	SZ_BOUND_MEMORY,
	SZ_BOUND_IO,
	SZ_BOUND_NETWORK,
	SZ_BOUND_CONNECTIONS,
	SZ_NBOUNDS
};

enum sz_helps {
	SZ_HELPS_NULL = 0,	/* no verdict, no answer */
	SZ_HELPS_YES,
	SZ_HELPS_NO,
	SZ_HELPS_PARTLY
};

#define SZ_MAX_EVIDENCE 12
#define SZ_MAX_ADVICE 4
#define SZ_SAYS_MAX 200
#define SZ_SUMMARY_MAX 240

struct sz_evidence {
	const char *metric;	/* stable name, e.g. "thread.cpu_max" */
	double value;
	double threshold;
	double score;		/* this metric's contribution, 0..1 */
	char says[SZ_SAYS_MAX];
};

struct sz_resource {
	double score;			/* max of its evidence scores */
	const char *kind;		/* when it binds, else NULL */
	enum sz_helps helps;
	char summary[SZ_SUMMARY_MAX];
	const char *advice[SZ_MAX_ADVICE];
	size_t nadvice;
	struct sz_evidence ev[SZ_MAX_EVIDENCE];
	size_t nev;
};

struct sz_also {
	enum sz_bound bound;
	const char *kind;
	double score;
};

struct sz_report {
	enum sz_bound bound;
	const char *kind;		/* NULL for none */
	double confidence;
	enum sz_helps helps;
	char summary[SZ_SUMMARY_MAX];
	const char *advice[SZ_MAX_ADVICE];
	size_t nadvice;
	struct sz_also also[SZ_NBOUNDS];
	size_t nalso;
	struct sz_resource res[SZ_NBOUNDS];	/* [SZ_BOUND_NONE] unused */
	const struct sz_rates *rates;		/* borrowed */
	const struct sz_thresholds *th;		/* borrowed */
};

/* Fill rep from r under th.  rep borrows r and th: keep them alive. */
void sz_analyze(const struct sz_rates *r, const struct sz_thresholds *th,
    struct sz_report *rep);

/* "cpu", "memory", ... and "none".  Stable: JSON and logs use them. */
const char *sz_bound_name(enum sz_bound b);
/* "yes", "no", "partly", or NULL for SZ_HELPS_NULL. */
const char *sz_helps_name(enum sz_helps h);

#endif
