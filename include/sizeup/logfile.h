/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot log directory: one file per UTC day, sizeup-YYYYMMDD.jsonl,
 * each a sequence of whole record lines (record.h).  Appends take an
 * exclusive flock(2) on the file and go out as one write(2) to an O_APPEND
 * descriptor; a short write (a full disk) is truncated away under the same
 * lock, and a tail left by a writer killed inside write(2) is removed by
 * the next append, so concurrent writers, a full disk or kill -9 never
 * leave a torn or interleaved line, and lines before it are never touched.
 * Readers take a shared lock (sz_record_read_file).
 *
 * Used by `sizeup record` (open, append, prune) and `sizeup report`
 * (list).  Only the files whose names match exactly are ever pruned.
 */
#ifndef SIZEUP_LOGFILE_H
#define SIZEUP_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "sizeup/err.h"

#define SZ_LOG_DIR "/var/log/sizeup"
#define SZ_LOG_KEEP_DAYS 28

/* "sizeup-YYYYMMDD.jsonl" and its NUL */
#define SZ_LOG_NAME_MAX 24

/* How long a writer or reader waits for the lock, in milliseconds. */
#define SZ_LOG_LOCK_WAIT_MS 10000

/* The name of the log file of t's UTC day into buf (SZ_LOG_NAME_MAX). */
void sz_log_name(char *buf, size_t size, time_t t);

/* Is name a log file's name?  If so, *day is its day's 00:00 UTC. */
bool sz_log_name_day(const char *name, time_t *day);

/*
 * Open the log file of now's UTC day in dir for appending, creating it
 * (mode 0644) and dir itself (0755, not its parents) when missing.  The
 * file's path goes to path (pathsz bytes).
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES, SZ_ENOSPC, SZ_ETOOBIG (path too
 * long) or SZ_EIO; errno tells more.
 */
enum sz_err sz_log_open(const char *dir, time_t now, int *fd, char *path,
    size_t pathsz);

/*
 * Lock fd with flock(op) (LOCK_SH or LOCK_EX), retrying for at most
 * SZ_LOG_LOCK_WAIT_MS.  RETURNS SZ_OK, SZ_ELOCK (held too long) or SZ_EIO.
 */
enum sz_err sz_log_lock(int fd, int op);

/*
 * Append line (len bytes, ending in '\n') to fd from sz_log_open() as one
 * write under an exclusive lock, then flush it to the device
 * (fdatasync: a record taken before a crash stays, and no file system
 * leaves a run of NULs in its place).  An unfinished last line (a writer
 * killed inside its write) is cut off first; a write that falls short is
 * cut off again, so the file always ends after a whole line.
 * RETURNS SZ_OK, SZ_ENOSPC (also for a short write), SZ_ELOCK, SZ_EPARSE
 * (the file ends in a line longer than any record: not appended) or
 * SZ_EIO; errno tells more.
 */
enum sz_err sz_log_append(int fd, const char *line, size_t len);

/*
 * Remove the log files of dir whose every record is more than keep_days
 * days old: today's file (UTC) and the keep_days before it stay.
 * keep_days 0 keeps everything.  Only regular files whose names match
 * sizeup-YYYYMMDD.jsonl are removed.  *removed counts them; the name of
 * the first that could not be removed goes to failed.
 * RETURNS SZ_OK or the error of the first failure (errno tells more).
 */
enum sz_err sz_log_prune(const char *dir, time_t now, unsigned int keep_days,
    size_t *removed, char *failed, size_t failedsz);

/*
 * The names of the log files of dir, oldest first.  Free with
 * sz_log_list_free().
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES or SZ_EIO (errno tells more).
 */
enum sz_err sz_log_list(const char *dir, char ***names, size_t *n);
void sz_log_list_free(char **names, size_t n);

#endif
