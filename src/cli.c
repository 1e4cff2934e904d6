/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Helpers shared by the commands: error lines, option values, the
 * configuration file.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "sizeup/cli.h"

#define MAX_SECONDS (24.0 * 3600)

void
sz_cli_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sizeup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see sizeup --help)\n", stderr);
	exit(SZ_EXIT_USAGE);
}

void
sz_cli_error(const char *fmt, ...)
{
	va_list ap;

	fputs("sizeup: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

double
sz_cli_seconds(const char *opt, const char *arg, double min)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(arg, &end);
	if (end == arg || *end != '\0' || errno != 0 || !isfinite(v) ||
	    v < min || v > MAX_SECONDS)
		sz_cli_usage_error("%s: '%s' is not a number of seconds from "
		    "%g to %g", opt, arg, min, MAX_SECONDS);
	return v;
}

void
sz_cli_load_config(struct sz_config *cfg, const char *path)
{
	const char *file = path != NULL ? path : SZ_DEFAULT_CONFIG;
	char msg[160];
	int line;

	if (path == NULL && access(file, F_OK) != 0)
		return;
	if (sz_config_load(cfg, file, &line, msg, sizeof(msg)) == SZ_OK)
		return;
	if (line > 0)
		sz_cli_usage_error("%s:%d: %s", file, line, msg);
	sz_cli_usage_error("%s: %s", file, msg);
}
