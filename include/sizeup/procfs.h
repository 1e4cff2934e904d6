/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and parsing of /proc and /sys text files that libproc2 does not
 * cover (pressure, net, sysfs, cgroups).  Paths are relative to a root directory
 * ("/" live, a fixture tree in tests), the run-time form of sysstat's
 * prefix.  The number parsers follow curl's strparse: they count digits
 * themselves, check for overflow and advance the cursor only on success,
 * so a caller can never walk past a malformed field by accident.
 */
#ifndef SIZEUP_PROCFS_H
#define SIZEUP_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sizeup/err.h"

struct sz_psi;

/* Hard cap on one file read: /proc/net/dev of a router is a few hundred KB. */
#define SZ_PROCFS_MAX_BYTES (8u << 20)

/*
 * Read root/relpath whole into a new NUL-terminated buffer.
 * IN:  root      directory the path is relative to ("/" for the live host)
 *      relpath   path below root, without a leading slash ("proc/net/dev")
 * OUT: *buf      malloc'd content, owned by the caller (NULL on error)
 *      *len      bytes read, not counting the NUL (may be NULL)
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES, SZ_EIO or SZ_ETOOBIG.
 */
enum sz_err sz_procfs_read(const char *root, const char *relpath, char **buf,
    size_t *len);

/*
 * Read a file holding one signed decimal integer (sysfs "speed" is -1 for
 * an unknown speed; some drivers answer EINVAL on read).
 * RETURNS SZ_OK, an error of sz_procfs_read(), SZ_EPARSE or SZ_ERANGE.
 */
enum sz_err sz_procfs_read_i64(const char *root, const char *relpath,
    int64_t *out);

/*
 * The number of entries of the directory root/relpath, meant for
 * /proc/PID/fd: the open descriptors of a process.
 * RETURNS SZ_OK, SZ_ENOENT (the process is gone), SZ_EACCES (another
 * user's process, without root) or SZ_EIO.
 */
enum sz_err sz_procfs_count_fds(const char *root, const char *relpath,
    uint64_t *out);

/* Hard cap on the socket inodes sz_procfs_fd_sockets() returns. */
#define SZ_PROCFS_MAX_FDS 65536

/*
 * The inodes of the sockets open in the directory root/relpath, a
 * /proc/PID/fd ("socket:[INODE]" links), as a new array *inodes of *n
 * (NULL and 0 when there are none).
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES or SZ_EIO.
 */
enum sz_err sz_procfs_fd_sockets(const char *root, const char *relpath,
    uint64_t **inodes, size_t *n);

/*
 * The names of the subdirectories of root/relpath (a cgroup's children),
 * as a new array *names of *n new strings, at most max of them; free each
 * name and the array.  "." and ".." are left out, and so is every entry
 * that is not a directory.
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES, SZ_EIO, or SZ_ETOOBIG when there
 * were more than max (the first max are returned).
 */
enum sz_err sz_procfs_subdirs(const char *root, const char *relpath,
    size_t max, char ***names, size_t *n);

/* Is root/relpath a directory (following symlinks)?  Unreadable: no. */
bool sz_procfs_is_dir(const char *root, const char *relpath);

/* Skip blanks (spaces and tabs, never a newline). */
const char *sz_skip_blanks(const char *p);

/* The start of the next line, or NULL when p is on the last line. */
const char *sz_next_line(const char *p);

/*
 * Parse an unsigned decimal after optional blanks; the number must end at a
 * blank, newline or NUL.  On success *p moves past the number.
 * RETURNS SZ_OK, SZ_EPARSE (no digits, bad terminator) or SZ_ERANGE.
 */
enum sz_err sz_parse_u64(const char **p, uint64_t *out);
enum sz_err sz_parse_i64(const char **p, int64_t *out);
enum sz_err sz_parse_double(const char **p, double *out);

/*
 * Copy the next blank-delimited word into out (NUL-terminated, truncated to
 * outsz - 1).  RETURNS SZ_EPARSE at end of line or input.
 */
enum sz_err sz_parse_word(const char **p, char *out, size_t outsz);

/*
 * Does line (up to its newline) start with key followed by a blank or ':'?
 * On success *p points just past key (and past a ':' if one follows).
 */
int sz_match_key(const char **p, const char *key);

/*
 * Parse a /proc/pressure/{cpu,memory,io} file: "some avg10=.. avg60=..
 * avg300=.. total=N" and, since 5.13 for cpu, a "full" line.
 * RETURNS SZ_OK or SZ_EPARSE; out->present is set on success.
 */
enum sz_err sz_procfs_parse_psi(const char *buf, struct sz_psi *out);

#endif
