/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The interactive screen of `sizeup top` (ncursesw; not part of
 * libsizeup.a).  src/tui.c owns the terminal and the loop: it sets the
 * terminal up and restores it on every way out, reads keys, takes finished
 * bundles from the feed and keeps the view state below.  src/render_tui.c
 * draws one const report under that view: it never reads /proc, calls a
 * probe or computes a figure the rates and the analyzer did not produce.
 */
#ifndef SIZEUP_TUI_H
#define SIZEUP_TUI_H

#include <stdbool.h>

#include "sizeup/analyzer.h"
#include "sizeup/config.h"

/* The process list's order (`s`). */
enum sz_tui_sort {
	SZ_SORT_CPU = 0,	/* CPU over the last refresh */
	SZ_SORT_MEMORY,		/* resident memory */
	SZ_SORT_THREADS,	/* thread count */
	SZ_NSORTS
};

/* What covers the main screen. */
enum sz_tui_overlay {
	SZ_OVERLAY_NONE = 0,
	SZ_OVERLAY_HELP,	/* `?` */
	SZ_OVERLAY_EVIDENCE,	/* `e`: the diagnose report of this refresh */
	SZ_OVERLAY_SORT,	/* `s`: the sort chooser */
};

struct sz_tui_view {
	bool utf8;		/* the locale is UTF-8: block glyphs */
	bool color;		/* colours (has_colors() and no NO_COLOR) */
	bool paused;
	double interval;	/* seconds between refreshes */
	double age;		/* seconds since the report's last sample */
	bool stale;		/* no refresh for a while: a probe is slow */
	enum sz_tui_sort sort;
	enum sz_tui_overlay overlay;
	int scroll;		/* first line shown in the evidence overlay */
	enum sz_tui_sort sort_cursor;	/* highlighted in the chooser */
	const char *replay;	/* --from: which record is shown, else NULL */
};

/* "cpu", "memory", "threads". */
const char *sz_tui_sort_name(enum sz_tui_sort sort);

/* Define the colour pairs; call after start_color() when v->color. */
void sz_tui_colors_init(void);

/*
 * Draw rep (NULL until the first refresh) on stdscr under v, without
 * calling refresh().  Everything is clipped to the screen, however small.
 * RETURNS the largest useful v->scroll for the overlay shown (0 if none).
 */
int sz_tui_draw(const struct sz_tui_view *v, const struct sz_report *rep);

/*
 * Run the screen on the controlling terminal until `q` or a signal,
 * refreshing every interval seconds under cfg's thresholds; or, with
 * from, browsing the records of that snapshot log (sizeup record), each
 * window judged again under cfg, the left and right arrows stepping
 * through them.  Says why on stderr when the terminal cannot host it (not
 * a terminal, TERM unset or unable to move the cursor) or the log has no
 * record.  A terminating signal restores the terminal and is raised
 * again, so the parent sees it.
 * RETURNS 0, or 1 on a runtime failure.
 */
int sz_tui_run(const struct sz_config *cfg, double interval,
    const char *from);

#endif
