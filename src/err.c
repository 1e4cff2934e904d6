/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Names and descriptions of enum sz_err.  The tables are indexed by the
 * code, which is why codes are append-only.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>

#include "sizeup/err.h"

static const struct {
	const char *name;
	const char *text;
} err_table[] = {
	[SZ_OK] = { "OK", "no error" },
	[SZ_ENOENT] = { "ENOENT", "no such file" },
	[SZ_EACCES] = { "EACCES", "permission denied" },
	[SZ_EPARSE] = { "EPARSE", "malformed content" },
	[SZ_ENOMEM] = { "ENOMEM", "out of memory" },
	[SZ_ENOTBUILT] = { "ENOTBUILT", "not built in" },
	[SZ_EIO] = { "EIO", "input/output error" },
	[SZ_ELIB] = { "ELIB", "library call failed" },
	[SZ_EINVAL] = { "EINVAL", "invalid value" },
	[SZ_ETOOBIG] = { "ETOOBIG", "input too large" },
	[SZ_ERANGE] = { "ERANGE", "number out of range" },
	[SZ_ECONNECT] = { "ECONNECT", "could not connect" },
	[SZ_EAUTH] = { "EAUTH", "authentication failed" },
	[SZ_ETIMEOUT] = { "ETIMEOUT", "timed out" },
	[SZ_ENOSPC] = { "ENOSPC", "no space left on device" },
	[SZ_ELOCK] = { "ELOCK", "could not lock" },
};

#define NERR (sizeof(err_table) / sizeof(err_table[0]))

const char *
sz_strerror(enum sz_err err)
{
	if ((size_t)err >= NERR || err_table[err].text == NULL)
		return "unknown error";
	return err_table[err].text;
}

const char *
sz_errname(enum sz_err err)
{
	if ((size_t)err >= NERR || err_table[err].name == NULL)
		return "EUNKNOWN";
	return err_table[err].name;
}

enum sz_err
sz_err_from_errno(int errnum)
{
	switch (errnum) {
	case 0:
		return SZ_OK;
	case ENOENT:
	case ENOTDIR:
	case ESRCH:
		return SZ_ENOENT;
	case EACCES:
	case EPERM:
		return SZ_EACCES;
	case ENOMEM:
		return SZ_ENOMEM;
	case ENOSPC:
	case EDQUOT:
		return SZ_ENOSPC;
	case EINVAL:
		return SZ_EINVAL;
	case ERANGE:
	case EOVERFLOW:
		return SZ_ERANGE;
	case ETIMEDOUT:
		return SZ_ETIMEOUT;
	default:
		return SZ_EIO;
	}
}
