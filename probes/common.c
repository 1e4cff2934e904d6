/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the probes share: reading a pressure file and reporting a libproc2
 * failure, each the same for every probe that needs it.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"

void
sz_probe_read_psi(const struct sz_ctx *ctx, struct sz_sample *s,
    const char *probe, const char *resource, struct sz_psi *out)
{
	char path[64], *buf = NULL;
	enum sz_err err;

	snprintf(path, sizeof(path), "proc/pressure/%s", resource);
	err = sz_procfs_read(sz_ctx_root(ctx), path, &buf, NULL);
	if (err)
		goto out;
	err = sz_procfs_parse_psi(buf, out);
out:
	if (err)
		sz_sample_add_error(s, probe, err, "/%s: %s", path,
		    sz_strerror(err));
	free(buf);
}

enum sz_err
sz_probe_lib_error(struct sz_sample *s, const char *probe, const char *what,
    int errnum)
{
	enum sz_err err = errnum != 0 ? sz_err_from_errno(errnum) : SZ_ELIB;

	sz_sample_add_error(s, probe, err, "libproc2: %s: %s", what,
	    errnum != 0 ? strerror(errnum) : "read failed");
	return err;
}
