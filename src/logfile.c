/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The snapshot log directory (see logfile.h): naming the daily files,
 * appending whole lines under flock(2), pruning old days, listing them.
 *
 * Why the append is safe: every sizeup writer holds the exclusive lock
 * from looking at the file's end to writing its line, so writers never
 * interleave; the line goes out in one write(2); the size before it is
 * known under the lock, so a write cut short by a full disk is truncated
 * back to a whole line before anyone else can append.  A writer killed
 * inside write(2) (SIGKILL stops a write between pages) cannot clean up:
 * the next writer finds the file not ending in '\n' and cuts the tail
 * back to the last newline, which is as far as that write got.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sizeup/logfile.h"
#include "sizeup/record.h"
#include "sizeup/xmalloc.h"

#define PREFIX "sizeup-"
#define SUFFIX ".jsonl"
#define DAY_S 86400

void
sz_log_name(char *buf, size_t size, time_t t)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, size, PREFIX "%Y%m%d" SUFFIX, &tm) == 0)
		snprintf(buf, size, PREFIX "00000000" SUFFIX);
}

bool
sz_log_name_day(const char *name, time_t *day)
{
	const char *d = name + strlen(PREFIX);
	char iso[11];
	size_t i;

	if (strlen(name) != strlen(PREFIX) + 8 + strlen(SUFFIX) ||
	    strncmp(name, PREFIX, strlen(PREFIX)) != 0 ||
	    strcmp(d + 8, SUFFIX) != 0)
		return false;
	for (i = 0; i < 8; i++) {
		if (d[i] < '0' || d[i] > '9')
			return false;
	}
	snprintf(iso, sizeof(iso), "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	return sz_parse_utc(iso, day) == SZ_OK;
}

/* Make the new file's name durable too (best effort: the record's own
 * fdatasync is what reports a failing device). */
static void
sync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

enum sz_err
sz_log_open(const char *dir, time_t now, int *fd, char *path, size_t pathsz)
{
	/* O_NOFOLLOW: root must not append through a link planted in a
	 * directory others can write to */
	const int flags = O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
	char name[SZ_LOG_NAME_MAX];
	bool created = true;
	int n;

	*fd = -1;
	sz_log_name(name, sizeof(name), now);
	n = snprintf(path, pathsz, "%s/%s", dir, name);
	if (n < 0 || (size_t)n >= pathsz) {
		errno = ENAMETOOLONG;
		return SZ_ETOOBIG;
	}
	*fd = open(path, flags | O_EXCL, 0644);
	if (*fd < 0 && errno == ENOENT) {
		if (mkdir(dir, 0755) != 0 && errno != EEXIST)
			return sz_err_from_errno(errno);
		*fd = open(path, flags | O_EXCL, 0644);
	}
	if (*fd < 0 && errno == EEXIST) {
		created = false;
		*fd = open(path, flags, 0644);
	}
	if (*fd < 0)
		return sz_err_from_errno(errno);
	if (created)
		sync_dir(dir);
	return SZ_OK;
}

enum sz_err
sz_log_lock(int fd, int op)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	int waited_ms = 0;

	for (;;) {
		if (flock(fd, op | LOCK_NB) == 0)
			return SZ_OK;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return SZ_EIO;
		if (waited_ms >= SZ_LOG_LOCK_WAIT_MS) {
			errno = 0;	/* sz_strerror() says it better */
			return SZ_ELOCK;
		}
		nanosleep(&pause, NULL);
		waited_ms += 10;
	}
}

/*
 * If the file (size bytes) does not end in '\n', a writer was killed
 * inside its write: cut the file back to its last newline, no further
 * back than the longest record.  *size becomes the new size.
 */
static enum sz_err
cut_torn_tail(int fd, off_t *size)
{
	char buf[4096];
	off_t pos = *size, end = -1;
	ssize_t n, i;

	if (pos == 0)
		return SZ_OK;
	if (pread(fd, buf, 1, pos - 1) != 1)
		return SZ_EIO;
	if (buf[0] == '\n')
		return SZ_OK;
	while (pos > 0 && end < 0 && *size - pos < (off_t)SZ_RECORD_LINE_MAX) {
		n = pos < (off_t)sizeof(buf) ? (ssize_t)pos :
		    (ssize_t)sizeof(buf);
		if (pread(fd, buf, (size_t)n, pos - n) != n)
			return SZ_EIO;
		pos -= n;
		for (i = n - 1; i >= 0 && end < 0; i--) {
			if (buf[i] == '\n')
				end = pos + i + 1;
		}
	}
	if (end < 0 && pos > 0) {
		errno = EINVAL;
		return SZ_EPARSE;	/* not our file: leave it alone */
	}
	if (end < 0)
		end = 0;
	if (ftruncate(fd, end) != 0)
		return sz_err_from_errno(errno);
	*size = end;
	return SZ_OK;
}

enum sz_err
sz_log_append(int fd, const char *line, size_t len)
{
	enum sz_err err;
	struct stat st;
	ssize_t n = -1;
	int saved = 0;

	err = sz_log_lock(fd, LOCK_EX);
	if (err != SZ_OK)
		return err;
	if (fstat(fd, &st) != 0) {
		err = sz_err_from_errno(errno);
		saved = errno;
		goto unlock;
	}
	err = cut_torn_tail(fd, &st.st_size);
	if (err != SZ_OK) {
		saved = errno;
		goto unlock;
	}
	do
		n = write(fd, line, len);
	while (n < 0 && errno == EINTR);	/* EINTR: nothing written */
	if (n < 0) {
		saved = errno;
		err = sz_err_from_errno(errno);
	} else if ((size_t)n < len) {
		/* the usual cause; the kernel says no more about it */
		saved = ENOSPC;
		err = SZ_ENOSPC;
		if (ftruncate(fd, st.st_size) != 0)
			saved = errno;	/* the next append cuts it */
	}
unlock:
	(void)flock(fd, LOCK_UN);
	if (err == SZ_OK && fdatasync(fd) != 0) {
		saved = errno;
		err = sz_err_from_errno(errno);
	}
	errno = saved;
	return err;
}

enum sz_err
sz_log_prune(const char *dir, time_t now, unsigned int keep_days,
    size_t *removed, char *failed, size_t failedsz)
{
	time_t cutoff = now - now % DAY_S - (time_t)keep_days * DAY_S, day;
	enum sz_err err = SZ_OK;
	const struct dirent *de;
	struct stat st;
	int dfd, saved = 0;
	DIR *d;

	*removed = 0;
	if (failedsz > 0)
		failed[0] = '\0';
	if (keep_days == 0)
		return SZ_OK;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return sz_err_from_errno(errno);
	d = fdopendir(dfd);
	if (d == NULL) {
		saved = errno;
		close(dfd);
		errno = saved;
		return sz_err_from_errno(errno);
	}
	while ((de = readdir(d)) != NULL) {
		if (!sz_log_name_day(de->d_name, &day) || day >= cutoff)
			continue;
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (unlinkat(dfd, de->d_name, 0) == 0) {
			(*removed)++;
		} else if (errno != ENOENT && err == SZ_OK) {
			/* ENOENT: another writer's prune was first */
			saved = errno;
			err = sz_err_from_errno(errno);
			snprintf(failed, failedsz, "%s", de->d_name);
		}
	}
	closedir(d);
	errno = saved;
	return err;
}

static int
cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum sz_err
sz_log_list(const char *dir, char ***names, size_t *n)
{
	const struct dirent *de;
	size_t cap = 0;
	time_t day;
	DIR *d;

	*names = NULL;
	*n = 0;
	d = opendir(dir);
	if (d == NULL)
		return sz_err_from_errno(errno);
	while ((de = readdir(d)) != NULL) {
		if (!sz_log_name_day(de->d_name, &day))
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 32;
			*names = sz_xreallocarray(*names, cap, sizeof(**names));
		}
		(*names)[(*n)++] = sz_xstrdup(de->d_name);
	}
	closedir(d);
	if (*n > 0)
		qsort(*names, *n, sizeof(**names), cmp_name);
	return SZ_OK;
}

void
sz_log_list_free(char **names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}
