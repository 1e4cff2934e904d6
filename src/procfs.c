/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Reading and parsing of the /proc and /sys text files that libproc2 does
 * not cover: /proc/pressure/{cpu,memory,io}, /proc/net/{dev,snmp,netstat},
 * /proc/net/{tcp,tcp6,unix}, /proc/sys/fs/file-nr, /proc/PID/{fd,limits}
 * sysfs attributes such as /sys/class/net/IF/speed, and the files and
 * directories of the cgroup trees below /sys/fs/cgroup.  Probes call
 * these helpers; nothing here knows what a counter means.
 *
 * Files are read whole, relative to a root directory, with a hard size cap.
 * The number parsers scan digits themselves instead of calling strtoull()
 * and strtod(): those accept a sign on unsigned input, skip newlines as
 * leading white space (walking into the next line) and, for strtod(),
 * follow LC_NUMERIC, which a curses front end takes from the environment
 * with setlocale().  The kernel always writes plain ASCII decimals.
 */
#include "config.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "sizeup/procfs.h"
#include "sizeup/sample.h"
#include "sizeup/xmalloc.h"

/* Most files here fit in one page; bigger ones double from there. */
#define READ_START 4096

static enum sz_err
read_fd(int fd, char **bufp, size_t *lenp)
{
	size_t cap = READ_START, len = 0;
	char *buf = sz_xmalloc(cap);
	enum sz_err err = SZ_OK;
	ssize_t n;

	/*
	 * st_size is 0 for /proc files, so read until EOF.  The buffer grows
	 * to at most the cap plus one byte (to see that the file is longer)
	 * plus the NUL.
	 */
	for (;;) {
		if (len + 1 == cap) {
			if (cap > (SZ_PROCFS_MAX_BYTES + 2) / 2)
				cap = SZ_PROCFS_MAX_BYTES + 2;
			else
				cap *= 2;
			buf = sz_xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			/* Including sysfs attributes that refuse to be read,
			 * such as speed of a link that is down (EINVAL). */
			err = SZ_EIO;
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > SZ_PROCFS_MAX_BYTES) {
			err = SZ_ETOOBIG;
			goto out;
		}
	}
	buf[len] = '\0';
out:
	if (err) {
		free(buf);
		buf = NULL;
		len = 0;
	}
	*bufp = buf;
	*lenp = len;
	return err;
}

/* root/relpath, malloc'd. */
static char *
make_path(const char *root, const char *relpath)
{
	size_t rootlen = strlen(root);
	const char *sep = rootlen > 0 && root[rootlen - 1] == '/' ? "" : "/";
	size_t pathsz = rootlen + strlen(sep) + strlen(relpath) + 1;
	char *path = sz_xmalloc(pathsz);

	snprintf(path, pathsz, "%s%s%s", root, sep, relpath);
	return path;
}

/* Open root/relpath with flags; on failure *err is SZ_ENOENT, SZ_EACCES
 * or SZ_EIO and the result is -1. */
static int
open_at_root(const char *root, const char *relpath, int flags,
    enum sz_err *err)
{
	char *path = make_path(root, relpath);
	int fd = open(path, flags | O_CLOEXEC);

	*err = SZ_OK;
	if (fd < 0) {
		*err = sz_err_from_errno(errno);
		if (*err != SZ_ENOENT && *err != SZ_EACCES)
			*err = SZ_EIO;
	}
	free(path);
	return fd;
}

/* The directory root/relpath, listed; NULL with *err set on failure. */
static DIR *
open_dir_at_root(const char *root, const char *relpath, enum sz_err *err)
{
	int fd = open_at_root(root, relpath, O_RDONLY | O_DIRECTORY, err);
	DIR *dir;

	if (fd < 0)
		return NULL;
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		*err = SZ_EIO;
	}
	return dir;
}

enum sz_err
sz_procfs_read(const char *root, const char *relpath, char **buf,
    size_t *len)
{
	enum sz_err err;
	size_t n;
	int fd;

	*buf = NULL;
	fd = open_at_root(root, relpath, O_RDONLY, &err);
	if (fd < 0)
		return err;
	err = read_fd(fd, buf, &n);
	close(fd);
	if (err == SZ_OK && len != NULL)
		*len = n;
	return err;
}

enum sz_err
sz_procfs_count_fds(const char *root, const char *relpath, uint64_t *out)
{
	struct statfs sfs;
	struct dirent *d;
	struct stat st;
	enum sz_err err;
	uint64_t n = 0;
	DIR *dir;
	int fd;

	fd = open_at_root(root, relpath, O_RDONLY | O_DIRECTORY, &err);
	if (fd < 0)
		return err;
	/*
	 * Since Linux 6.2 the size of a /proc/PID/fd directory is the number
	 * of descriptors open in it, so a process with 100,000 sockets costs
	 * two system calls.  Before, and in fixture trees, the size means
	 * something else: count the entries.
	 */
	if (fstatfs(fd, &sfs) == 0 && sfs.f_type == PROC_SUPER_MAGIC &&
	    fstat(fd, &st) == 0 && st.st_size > 0) {
		close(fd);
		*out = (uint64_t)st.st_size;
		return SZ_OK;
	}
	dir = fdopendir(fd);
	if (dir == NULL) {
		close(fd);
		return SZ_EIO;
	}
	errno = 0;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
			n++;
	}
	/* a process that exits while it is listed ends the listing early */
	err = errno == 0 ? SZ_OK : errno == ENOENT ? SZ_ENOENT : SZ_EIO;
	closedir(dir);
	if (err == SZ_OK)
		*out = n;
	return err;
}

enum sz_err
sz_procfs_read_i64(const char *root, const char *relpath, int64_t *out)
{
	const char *p;
	char *buf;
	enum sz_err err;
	int64_t v;

	err = sz_procfs_read(root, relpath, &buf, NULL);
	if (err)
		return err;
	p = buf;
	err = sz_parse_i64(&p, &v);
	if (err)
		goto out;
	p = sz_skip_blanks(p);
	if (*p == '\n')
		p++;
	if (*p != '\0') {
		err = SZ_EPARSE;
		goto out;
	}
	*out = v;
out:
	free(buf);
	return err;
}

const char *
sz_skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

const char *
sz_next_line(const char *p)
{
	const char *nl = strchr(p, '\n');

	if (nl == NULL || nl[1] == '\0')
		return NULL;
	return nl + 1;
}

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Where a number or word may end. */
static bool
is_field_end(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\0';
}

/*
 * Scan the decimal digits at p, with an overflow check that needs no
 * errno (curl's strparse).  On success *out is the value and *end points
 * past the digits; on SZ_EPARSE (no digits) or SZ_ERANGE neither is set.
 */
static enum sz_err
scan_digits(const char *p, uint64_t *out, const char **end)
{
	const char *q;
	unsigned int d;
	uint64_t v = 0;

	for (q = p; is_digit(*q); q++) {
		d = (unsigned int)(*q - '0');
		if (v > (UINT64_MAX - d) / 10)
			return SZ_ERANGE;
		v = v * 10 + d;
	}
	if (q == p)
		return SZ_EPARSE;
	*out = v;
	*end = q;
	return SZ_OK;
}

/* Optional blanks, an optional '-' when allowed, then digits: the shared
 * front half of the number parsers, with scan_digits' contract. */
static enum sz_err
scan_number(const char *p, bool allow_minus, bool *neg, uint64_t *v,
    const char **end)
{
	p = sz_skip_blanks(p);
	*neg = allow_minus && *p == '-';
	if (*neg)
		p++;
	return scan_digits(p, v, end);
}

enum sz_err
sz_parse_u64(const char **p, uint64_t *out)
{
	const char *end;
	enum sz_err err;
	uint64_t v;
	bool neg;

	err = scan_number(*p, false, &neg, &v, &end);
	if (err)
		return err;
	if (!is_field_end(*end))
		return SZ_EPARSE;
	*out = v;
	*p = end;
	return SZ_OK;
}

enum sz_err
sz_parse_i64(const char **p, int64_t *out)
{
	const char *end;
	enum sz_err err;
	uint64_t v;
	bool neg;

	err = scan_number(*p, true, &neg, &v, &end);
	if (err)
		return err;
	if (!is_field_end(*end))
		return SZ_EPARSE;
	if (v > (uint64_t)INT64_MAX + neg)
		return SZ_ERANGE;
	/* -(INT64_MIN) does not fit, so negate in unsigned arithmetic. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	*p = end;
	return SZ_OK;
}

/*
 * A fixed-point decimal, [-]digits[.digits], as the kernel prints PSI
 * averages ("%lu.%02lu").  All digits are gathered into one integer that
 * is divided by a power of ten once: exact (correctly rounded) for up to
 * 15 significant digits, and independent of the locale.
 */
enum sz_err
sz_parse_double(const char **p, double *out)
{
	const char *end, *digits;
	uint64_t mant, frac = 0;
	double scale = 1.0;
	ptrdiff_t nfrac = 0;
	enum sz_err err;
	bool neg;

	err = scan_number(*p, true, &neg, &mant, &end);
	if (err)
		return err;
	if (*end == '.') {
		digits = end + 1;
		err = scan_digits(digits, &frac, &end);
		if (err)
			return err;
		nfrac = end - digits;
	}
	if (!is_field_end(*end))
		return SZ_EPARSE;
	for (; nfrac > 0; nfrac--) {
		if (mant > UINT64_MAX / 10)
			return SZ_ERANGE;
		mant *= 10;
		scale *= 10.0;
	}
	if (mant > UINT64_MAX - frac)
		return SZ_ERANGE;
	*out = (double)(mant + frac) / scale;
	if (neg)
		*out = -*out;
	*p = end;
	return SZ_OK;
}

enum sz_err
sz_parse_word(const char **p, char *out, size_t outsz)
{
	const char *start = sz_skip_blanks(*p), *end = start;
	size_t n;

	assert(outsz > 0);
	while (!is_field_end(*end))
		end++;
	if (end == start)
		return SZ_EPARSE;
	n = (size_t)(end - start);
	if (n > outsz - 1)
		n = outsz - 1;
	memcpy(out, start, n);
	out[n] = '\0';
	*p = end;
	return SZ_OK;
}

int
sz_match_key(const char **p, const char *key)
{
	size_t n = strlen(key);
	const char *q = *p;

	if (strncmp(q, key, n) != 0)
		return 0;
	q += n;
	if (*q == ':')
		q++;
	else if (*q != ' ' && *q != '\t')
		return 0;
	*p = q;
	return 1;
}

/*
 * The fields after "some" or "full": avg10=A avg60=B avg300=C total=T.
 * Taken by name; avg60 and avg300 are skipped, as are fields a later
 * kernel may add.  total (microseconds) is required, avg10 is not.
 */
static enum sz_err
parse_psi_fields(const char *p, double *avg10, uint64_t *total)
{
	bool have_total = false;
	enum sz_err err;
	char word[32];

	for (;;) {
		p = sz_skip_blanks(p);
		if (*p == '\n' || *p == '\0')
			break;
		if (strncmp(p, "avg10=", 6) == 0) {
			p += 6;
			err = sz_parse_double(&p, avg10);
		} else if (strncmp(p, "total=", 6) == 0) {
			p += 6;
			err = sz_parse_u64(&p, total);
			have_total = err == SZ_OK;
		} else {
			err = sz_parse_word(&p, word, sizeof(word));
		}
		if (err)
			return err;
	}
	return have_total ? SZ_OK : SZ_EPARSE;
}

enum sz_err
sz_procfs_parse_psi(const char *buf, struct sz_psi *out)
{
	struct sz_psi psi = { 0 };
	const char *line, *p;
	enum sz_err err;

	/*
	 * cpu has only a "some" line before 5.13; irq (6.1+) has only a
	 * "full" line.  Either alone is a complete file, but every line must
	 * be one of the two, so an empty file fails on its first line.
	 */
	for (line = buf; line != NULL; line = sz_next_line(line)) {
		p = line;
		if (sz_match_key(&p, "some")) {
			err = parse_psi_fields(p, &psi.some_avg10,
			    &psi.some_total_us);
		} else if (sz_match_key(&p, "full")) {
			err = parse_psi_fields(p, &psi.full_avg10,
			    &psi.full_total_us);
			psi.has_full = true;
		} else {
			err = SZ_EPARSE;
		}
		if (err)
			return SZ_EPARSE;
	}
	psi.present = true;
	*out = psi;
	return SZ_OK;
}

enum sz_err
sz_procfs_fd_sockets(const char *root, const char *relpath, uint64_t **inodes,
    size_t *n)
{
	uint64_t *v = NULL, ino;
	size_t nv = 0, cap = 0;
	const char *end;
	char link[64];
	struct dirent *d;
	enum sz_err err;
	ssize_t len;
	DIR *dir;

	*inodes = NULL;
	*n = 0;
	dir = open_dir_at_root(root, relpath, &err);
	if (dir == NULL)
		return err;
	while ((d = readdir(dir)) != NULL) {
		len = readlinkat(dirfd(dir), d->d_name, link, sizeof(link) - 1);
		if (len <= 0)
			continue;	/* ".", "..", or closed meanwhile */
		link[len] = '\0';
		/* "socket:[12345]", the inode of /proc/net/{tcp,unix} */
		if (strncmp(link, "socket:[", 8) != 0)
			continue;
		if (scan_digits(link + 8, &ino, &end) != SZ_OK ||
		    strcmp(end, "]") != 0)
			continue;
		if (nv == cap) {
			if (cap >= SZ_PROCFS_MAX_FDS)
				break;
			cap = cap > 0 ? 2 * cap : 16;
			v = sz_xreallocarray(v, cap, sizeof(*v));
		}
		v[nv++] = ino;
	}
	closedir(dir);
	*inodes = v;
	*n = nv;
	return SZ_OK;
}

bool
sz_procfs_is_dir(const char *root, const char *relpath)
{
	char *path = make_path(root, relpath);
	struct stat st;
	bool dir = stat(path, &st) == 0 && S_ISDIR(st.st_mode);

	free(path);
	return dir;
}

enum sz_err
sz_procfs_subdirs(const char *root, const char *relpath, size_t max,
    char ***names, size_t *n)
{
	char **v = NULL;
	size_t nv = 0, cap = 0;
	struct dirent *d;
	struct stat st;
	enum sz_err err = SZ_OK;
	DIR *dir;

	*names = NULL;
	*n = 0;
	dir = open_dir_at_root(root, relpath, &err);
	if (dir == NULL)
		return err;
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		/* cgroupfs, tmpfs and ext4 fill d_type; others may not */
		if (d->d_type == DT_UNKNOWN) {
			if (fstatat(dirfd(dir), d->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 || !S_ISDIR(st.st_mode))
				continue;
		} else if (d->d_type != DT_DIR) {
			continue;
		}
		if (nv == max) {
			err = SZ_ETOOBIG;
			break;
		}
		if (nv == cap) {
			cap = cap > 0 ? 2 * cap : 16;
			v = sz_xreallocarray(v, cap, sizeof(*v));
		}
		v[nv++] = sz_xstrdup(d->d_name);
	}
	closedir(dir);
	*names = v;
	*n = nv;
	return err;
}
