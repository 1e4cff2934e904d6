/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshot records: one window of samples and its verdict as one JSON line
 * of schema sizeup.record.v1, and back.  `sizeup record` writes them (the
 * snapshot-log renderer of the pipeline), `sizeup report` reads their
 * verdicts, and `sizeup diagnose --from` rebuilds the window from them so
 * that rates and the analyzer run again on the past as they ran live.
 *
 * A record holds the host, the window, the live verdict (its advice the
 * analyzer gives again), every resource's score and the evidence of those
 * that bind, the SZ_RECORD_TASKS hottest processes and threads that used
 * CPU (and each kept process's hottest thread) with their ticks in the
 * first and last samples, and the counters: for host-wide counters and
 * busy disks and interfaces the first sample's raw values and the last
 * sample's as differences from them; per-core ticks as differences only;
 * the last sample's gauges (memory, file handles and the fullest
 * descriptor table, the size of the process table, the PostgreSQL
 * backends by state, slot settings and top databases and users), the
 * counters of the limited cgroups (first values and differences, with
 * their limits and those of their processes that are kept) and probe
 * errors; the run queue and PostgreSQL client backends of every
 * sample.  Idle devices and interfaces, partitions and tasks that used no
 * CPU are left out.  The format is in sizeup(1), SNAPSHOT LOGS.
 *
 * Size: on a 16-core host a record is about 1.6 KB at rest and 2.1 KB
 * working (tests/test_record.c), 460 and 600 KB a day at one every 5
 * minutes.  About 1 KB would need the per-core ticks and the first
 * sample's raw values left out: the first are the per-core view of a
 * replay, the second give the averages between consecutive records.
 *
 * The window rebuilt from a record has the live number of samples: the
 * first, copies of it, copies of the last, and the last, each with the
 * run queue read at its moment.  Rates sum counter differences between
 * consecutive samples, so the rebuilt window gives the live rates exactly
 * unless a counter went backwards inside the window (live rates count the
 * step down as zero and the rest of the window; from first and last only
 * the net change is known, and a net drop counts as zero) or a probe
 * failed in a middle sample.
 *
 * Readers ignore members and array fields they do not know, so later
 * versions add them under the same schema; a record of a newer schema
 * (sizeup.record.v2...) is counted and skipped, never misread.
 */
#ifndef SIZEUP_RECORD_H
#define SIZEUP_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sizeup/analyzer.h"
#include "sizeup/err.h"
#include "sizeup/sample.h"
#include "sizeup/window.h"

#define SZ_RECORD_SCHEMA "sizeup.record.v1"

/* Processes and threads a record keeps, hottest first (the text report
 * shows five); each kept process also keeps its hottest thread. */
#define SZ_RECORD_TASKS 5

/* A line longer than this is not a record (one is about 2 KB; a host with
 * hundreds of busy disks makes it a few tens of KB). */
#define SZ_RECORD_LINE_MAX (4u << 20)

#define SZ_RECORD_KIND_MAX 32

struct sz_record_also {
	enum sz_bound bound;
	char kind[SZ_RECORD_KIND_MAX];
	double score;
};

/* What a record says about its window, without the counters. */
struct sz_record {
	unsigned long line;		/* 1-based line number in its file */
	char hostname[SZ_HOST_MAX];
	time_t start, end;		/* wall clock of the first and last
					 * samples, whole seconds */
	double seconds;			/* length of the window */
	size_t nsamples;
	enum sz_bound bound;		/* the live verdict */
	char kind[SZ_RECORD_KIND_MAX];	/* "" for none */
	double confidence;
	enum sz_helps helps;
	char summary[SZ_SUMMARY_MAX];
	double score[SZ_NBOUNDS];	/* per resource; [SZ_BOUND_NONE] 0 */
	struct sz_record_also also[SZ_NBOUNDS];
	size_t nalso;
	char *text;			/* the line, when kept (see below) */
};

/*
 * Format the record of a window of n >= 2 samples and the report the
 * analyzer made of it: one line of JSON ending in '\n', without NUL bytes.
 * Strings from the host are sanitized (sz_str_sanitize).  *line is owned
 * by the caller and *len is its length.
 * RETURNS SZ_OK, SZ_EINVAL (fewer than two samples) or SZ_ENOMEM.
 */
enum sz_err sz_record_format(const struct sz_sample *const *win, size_t n,
    const struct sz_report *rep, char **line, size_t *len);

/*
 * Parse what a record says (not its counters) from line (len bytes, with
 * or without its newline) into rec; rec->text is left NULL.
 * RETURNS SZ_OK, SZ_EPARSE (not JSON, not a record, a required member
 * missing or of the wrong type) or SZ_ERANGE (a record of a newer schema
 * than this version reads).
 */
enum sz_err sz_record_parse(const char *line, size_t len,
    struct sz_record *rec);

/*
 * Rebuild the window of a record line: samples owned by w, free them with
 * sz_window_fini().  Works on the line alone, so a caller can keep lines
 * and rebuild only the windows it shows.
 * RETURNS SZ_OK, SZ_EPARSE (no or malformed counters), SZ_ERANGE (newer
 * schema) or SZ_ETOOBIG (more samples or entries than a record can hold).
 */
enum sz_err sz_record_window(const char *line, size_t len,
    struct sz_window *w);

/* The records of one log file, in file order. */
struct sz_record_file {
	struct sz_record *recs;
	size_t n;
	size_t bad;			/* lines that are not records */
	size_t newer;			/* records of a newer schema */
	unsigned long first_bad;	/* line number of the first bad one */
};

#define SZ_RECORD_KEEP_TEXT 0x1u	/* keep each line in rec->text */

/*
 * Read every record of the log file at path into out (zeroed first).
 * Lines that do not parse are counted, never fatal: a line of a newer
 * schema in out->newer, any other in out->bad.  The file is read under a
 * shared lock so that no append is half seen.  With SZ_RECORD_KEEP_TEXT
 * each record keeps its line, for sz_record_window().  Free with
 * sz_record_file_fini().
 * RETURNS SZ_OK, or SZ_ENOENT, SZ_EACCES, SZ_EIO when the file cannot be
 * opened or read (errno tells more).
 */
enum sz_err sz_record_read_file(const char *path, unsigned int flags,
    struct sz_record_file *out);

/* Free what sz_record_read_file() allocated.  Safe on a zeroed struct. */
void sz_record_file_fini(struct sz_record_file *f);

/*
 * The record to replay: without use_at the last one in the file; with it,
 * the one that started last at or before at (the window that holds at,
 * if one does, else the nearest one before it).
 * RETURNS its index, or -1 when there is none.
 */
long sz_record_pick(const struct sz_record_file *f, bool use_at, time_t at);

/*
 * Times, all in UTC (the log files are named by UTC day).
 *
 * sz_parse_utc reads "YYYY-MM-DD" (its midnight), "YYYY-MM-DDTHH:MM" and
 * "YYYY-MM-DDTHH:MM:SS", each optionally ending in "Z", and rejects dates
 * that do not exist.  RETURNS SZ_OK or SZ_EINVAL.
 */
enum sz_err sz_parse_utc(const char *s, time_t *out);

/*
 * A time for --since, --until and --at: what sz_parse_utc reads, or
 * "-Nd", "-Nh", "-Nm": N days, hours or minutes before now.
 * RETURNS SZ_OK, SZ_EINVAL or SZ_ERANGE (more than a century back).
 */
enum sz_err sz_parse_when(const char *s, time_t now, time_t *out);

#define SZ_UTC_MAX 32

/* t as "YYYY-MM-DDTHH:MM:SSZ" in buf (SZ_UTC_MAX bytes will do).
 * RETURNS buf. */
char *sz_format_utc(char *buf, size_t size, time_t t);

#endif
