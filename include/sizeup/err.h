/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Error codes shared by every module.  Probes, parsers and the analyzer
 * return an enum sz_err; only main.c and the renderers turn one into words
 * for the user.  The numbers reach JSON output and logs, so the list is
 * append-only: never renumber or reuse a value.
 */
#ifndef SIZEUP_ERR_H
#define SIZEUP_ERR_H

enum sz_err {
	SZ_OK = 0,
	SZ_ENOENT = 1,	   /* source file or directory missing */
	SZ_EACCES = 2,	   /* permission denied */
	SZ_EPARSE = 3,	   /* malformed content */
	SZ_ENOMEM = 4,	   /* allocation failed (only where we do not abort) */
	SZ_ENOTBUILT = 5,  /* feature left out at configure time */
	SZ_EIO = 6,	   /* read or write failed */
	SZ_ELIB = 7,	   /* a library call (libproc2, libpq...) failed */
	SZ_EINVAL = 8,	   /* bad argument or configuration value */
	SZ_ETOOBIG = 9,	   /* input over a hard cap */
	SZ_ERANGE = 10,	   /* number out of range */
	SZ_ECONNECT = 11,  /* could not reach a server */
	SZ_EAUTH = 12,	   /* a server refused our credentials */
	SZ_ETIMEOUT = 13,  /* a source did not answer in time */
	SZ_ENOSPC = 14,	   /* no space left on device */
	SZ_ELOCK = 15,	   /* could not take a lock */
};

/* A short constant description of err ("no such file", ...). */
const char *sz_strerror(enum sz_err err);

/* The stable machine name of err ("ENOENT", ...), for JSON and logs. */
const char *sz_errname(enum sz_err err);

/* Map an errno value to the closest enum sz_err. */
enum sz_err sz_err_from_errno(int errnum);

#endif
