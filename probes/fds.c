/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The file-descriptor probe.  It copies the system-wide count of file
 * handles and its ceiling from /proc/sys/fs/file-nr and, for the processes
 * the context singles out, their open descriptors (/proc/PID/fd) and their
 * RLIMIT_NOFILE ("Max open files" of /proc/PID/limits) into struct
 * sz_fd_sample; the analyzer judges how close they are to the limits.
 *
 * Which processes: the ones whose threads the context wants
 * (sz_ctx_wants_threads()), taken from the process table the threads probe
 * read into the same sample just before, so this probe walks no process
 * table of its own.  During a window those are the processes that used CPU
 * (window.h): a server that has run out of descriptors still spins on
 * accept() and EMFILE, and the idle rest of the table is not worth the
 * reads.  It must therefore come after the threads probe in registry.c.
 * All paths are below sz_ctx_root().
 */
#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "fds"
#define FILE_NR "proc/sys/fs/file-nr"

/* More processes than this in one sample are left out: a bound on reads. */
#define MAX_PROCS 4096

/*
 * "allocated free max": handles allocated, allocated but unused (always 0
 * since Linux 2.6; the kernel frees them at once), and fs.file-max.
 */
static enum sz_err
read_file_nr(const char *root, struct sz_fd_sample *fd)
{
	uint64_t allocated, unused, max;
	const char *p;
	enum sz_err err;
	char *buf;

	err = sz_procfs_read(root, FILE_NR, &buf, NULL);
	if (err)
		return err;
	p = buf;
	err = sz_parse_u64(&p, &allocated);
	if (err == SZ_OK)
		err = sz_parse_u64(&p, &unused);
	if (err == SZ_OK)
		err = sz_parse_u64(&p, &max);
	free(buf);
	if (err)
		return err;
	fd->allocated = allocated >= unused ? allocated - unused : 0;
	fd->max = max;
	fd->valid = true;
	return SZ_OK;
}

/* A limit of /proc/PID/limits: a number or "unlimited". */
static enum sz_err
parse_limit(const char **p, uint64_t *out)
{
	const char *q = sz_skip_blanks(*p);

	if (strncmp(q, "unlimited", 9) == 0 && (q[9] == ' ' || q[9] == '\t' ||
	    q[9] == '\n' || q[9] == '\0')) {
		*out = UINT64_MAX;
		*p = q + 9;
		return SZ_OK;
	}
	return sz_parse_u64(p, out);
}

/*
 * The soft and hard limits of "Max open files" in a /proc/PID/limits
 * file: a header line, then one line per limit, "Limit" in a 26-column
 * field, then the soft limit, the hard limit and the units.
 */
static enum sz_err
parse_nofile(const char *buf, uint64_t *soft, uint64_t *hard)
{
	static const char key[] = "Max open files";
	const char *line, *p;
	enum sz_err err;

	for (line = buf; line != NULL; line = sz_next_line(line)) {
		if (strncmp(line, key, sizeof(key) - 1) != 0)
			continue;
		p = line + sizeof(key) - 1;
		err = parse_limit(&p, soft);
		if (err)
			return err;
		return parse_limit(&p, hard);
	}
	return SZ_EPARSE;
}

/* Read one process's descriptors and limits into out. */
static enum sz_err
read_proc(const char *root, const struct sz_task *t, struct sz_fd_proc *out)
{
	char path[64], *buf;
	enum sz_err err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "proc/%d/fd", t->pid);
	err = sz_procfs_count_fds(root, path, &out->open);
	if (err)
		return err;
	snprintf(path, sizeof(path), "proc/%d/limits", t->pid);
	err = sz_procfs_read(root, path, &buf, NULL);
	if (err)
		return err;
	err = parse_nofile(buf, &out->soft_limit, &out->hard_limit);
	free(buf);
	if (err)
		return err;
	out->pid = t->pid;
	memcpy(out->comm, t->comm, sizeof(out->comm));
	return SZ_OK;
}

static enum sz_err
fds_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	const char *root = sz_ctx_root(ctx);
	const struct sz_threads_sample *ts = &s->threads;
	struct sz_fd_sample *fd = &s->fd;
	enum sz_err err, first, bad_err = SZ_OK;
	size_t i, nbad = 0, cap = 0, nwanted = 0;
	int bad_pid = 0;

	(void)state;
	first = read_file_nr(root, fd);
	if (first)
		sz_sample_add_error(s, PROBE, first, "cannot read /%s: %s",
		    FILE_NR, sz_strerror(first));

	for (i = 0; ts->valid && i < ts->nprocs; i++) {
		struct sz_fd_proc *p;

		if (!sz_ctx_wants_threads(ctx, &ts->procs[i]))
			continue;
		if (++nwanted > MAX_PROCS)
			continue;
		if (fd->nprocs == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			fd->procs = sz_xreallocarray(fd->procs, cap,
			    sizeof(*fd->procs));
		}
		p = &fd->procs[fd->nprocs];
		err = read_proc(root, &ts->procs[i], p);
		if (err == SZ_OK) {
			fd->nprocs++;
		} else if (err == SZ_EACCES) {
			fd->nunreadable++;
		} else if (err != SZ_ENOENT && nbad++ == 0) {
			/* ENOENT: the process exited meanwhile */
			bad_err = err;
			bad_pid = ts->procs[i].pid;
		}
	}
	if (fd->nunreadable > 0)
		sz_sample_add_error(s, PROBE, SZ_EACCES,
		    "descriptors of %zu of %zu busy processes not readable "
		    "(other users' processes need root)", fd->nunreadable,
		    nwanted);
	if (nbad > 0)
		sz_sample_add_error(s, PROBE, bad_err,
		    "/proc/%d/fd or limits: %s (and %zu more)", bad_pid,
		    sz_strerror(bad_err), nbad - 1);
	if (nwanted > MAX_PROCS)
		sz_sample_add_error(s, PROBE, SZ_ETOOBIG,
		    "over %d busy processes, the rest left out", MAX_PROCS);
	return first;
}

const struct sz_probe_ops sz_probe_fds = {
	.name = PROBE,
	.collect = fds_collect,
};
