/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * History: what many recorded windows say together, for `sizeup report`.
 * The records' live verdicts are counted, not re-analysed: how many
 * windows, the share bound by each resource and kind, the worst windows,
 * and at which hour of the day (UTC) each bottleneck appears.
 *
 * Aggregation is pure (records in, counts and shares out); the renderers
 * take the finished history as const and only lay it out.  Sits after
 * record.h's reader and before the report's text or JSON.
 */
#ifndef SIZEUP_HISTORY_H
#define SIZEUP_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>

#include "sizeup/analyzer.h"
#include "sizeup/err.h"
#include "sizeup/logfile.h"
#include "sizeup/record.h"

#define SZ_HISTORY_WORST 5	/* worst windows kept */
#define SZ_HISTORY_KINDS 32	/* distinct bound/kind pairs counted */
#define SZ_HISTORY_HOSTS 4	/* host names listed */

struct sz_history_kind {
	enum sz_bound bound;
	char kind[SZ_RECORD_KIND_MAX];
	size_t windows;
	double share;			/* of all windows */
};

struct sz_history_worst {
	struct sz_record rec;		/* its text is not kept */
	double score;			/* the primary score (see below) */
	char file[SZ_LOG_NAME_MAX];	/* where it is, with rec.line */
};

struct sz_history {
	/* the filter: windows that start in [since, until) */
	bool has_since, has_until;
	time_t since, until;

	size_t windows;			/* counted */
	size_t files;			/* read */
	size_t bad;			/* lines that are not records */
	size_t newer;			/* records of a newer schema */
	char first_bad_file[SZ_LOG_NAME_MAX];
	unsigned long first_bad_line;
	time_t first, last;		/* first start, last end */

	char hosts[SZ_HISTORY_HOSTS][SZ_HOST_MAX];
	size_t nhosts;
	bool more_hosts;		/* more names than SZ_HISTORY_HOSTS */

	size_t bound_windows[SZ_NBOUNDS]; /* by verdict; [NONE]: none */
	double bound_share[SZ_NBOUNDS];
	struct sz_history_kind kinds[SZ_HISTORY_KINDS]; /* by bound, then
							 * most windows */
	size_t nkinds;
	size_t other_kinds;		/* windows of kinds past the cap */

	size_t hour_windows[24];	/* windows starting in each UTC hour */
	size_t hour_bound[24][SZ_NBOUNDS];

	/* the highest primary scores, highest first: the bound resource's
	 * score, or for a window bound by nothing the highest score */
	struct sz_history_worst worst[SZ_HISTORY_WORST];
	size_t nworst;
};

/* An empty history counting the windows that start in [since, until);
 * since or until NULL: no bound on that side. */
void sz_history_init(struct sz_history *h, const time_t *since,
    const time_t *until);

/* Could a file of this UTC day hold windows inside the filter?  (A window
 * may start on the day before its file's.) */
bool sz_history_wants_day(const struct sz_history *h, time_t day);

/* Count the records of f, read from the file called name, that the
 * filter keeps, and its unreadable lines. */
void sz_history_add_file(struct sz_history *h, const struct sz_record_file *f,
    const char *name);

/* Count one record (from the file called name) if the filter keeps it. */
void sz_history_add(struct sz_history *h, const struct sz_record *rec,
    const char *name);

/* Work out the shares and order the kinds.  Call once, after the adds. */
void sz_history_finish(struct sz_history *h);

/* The report for an 80-column terminal.  RETURNS SZ_OK or SZ_EIO. */
enum sz_err sz_history_render_text(FILE *out, const struct sz_history *h);

/* The sizeup.report.v1 JSON document, with a trailing newline.
 * RETURNS SZ_OK, SZ_ENOMEM or SZ_EIO. */
enum sz_err sz_history_render_json(FILE *out, const struct sz_history *h);

#endif
