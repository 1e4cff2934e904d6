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
#include <string.h>
#include <unistd.h>

#include "sizeup/cli.h"
#include "sizeup/xmalloc.h"

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

void
sz_cli_print(const char *s)
{
	if (fputs(s, stdout) == EOF || fflush(stdout) != 0) {
		sz_cli_error("cannot write to standard output: %s",
		    strerror(errno));
		exit(EXIT_FAILURE);
	}
}

int
sz_cli_getopt(int argc, char **argv, const struct option *longopts,
    const struct sz_command *cmd)
{
	int ch;

	opterr = 0;
	ch = getopt_long(argc, argv, ":h", longopts, NULL);
	if (ch == 'h') {
		sz_cli_print("usage: ");
		sz_cli_print(cmd->usage);
		sz_cli_print("\n");
		if (cmd->help != NULL)
			sz_cli_print(cmd->help);
		exit(EXIT_SUCCESS);
	}
	/* a leading ':' in the option string makes a missing value ':' */
	if (ch == ':')
		sz_cli_usage_error("%s: option '%s' needs a value", cmd->name,
		    argv[optind - 1]);
	if (ch == '?' && optopt != 0)
		sz_cli_usage_error("%s: unknown option '-%c'", cmd->name,
		    optopt);
	if (ch == '?')
		sz_cli_usage_error("%s: unknown option '%s'", cmd->name,
		    argv[optind - 1]);
	/* no command takes operands */
	if (ch == -1 && optind < argc)
		sz_cli_usage_error("%s: unexpected argument '%s'", cmd->name,
		    argv[optind]);
	return ch;
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
	/* the file's syntax is in the manual, not in --help */
	if (line > 0)
		sz_cli_error("%s:%d: %s (see sizeup(1), CONFIGURATION)", file,
		    line, msg);
	else
		sz_cli_error("%s: %s", file, msg);
	exit(SZ_EXIT_USAGE);
}

char *
sz_cli_secret(char *arg)
{
	char *copy = sz_xstrdup(arg);

	memset(arg, '*', strlen(arg));
	return copy;
}

void
sz_cli_configure(struct sz_config *cfg, const char *path, char *pg,
    char *const *links, size_t nlinks)
{
	size_t i;

	sz_config_init(cfg);
	sz_cli_load_config(cfg, path);
	if (pg != NULL) {
		free(cfg->pg_conninfo);
		cfg->pg_conninfo = pg;
	}
	for (i = 0; i < nlinks; i++) {
		if (sz_config_add_link(cfg, links[i]) != SZ_OK)
			sz_cli_usage_error("--link-speed '%s': want IF=RATE "
			    "with RATE like 50mbit, 1gbit or 10g", links[i]);
	}
}

void
sz_cli_warn_skipped(size_t bad, const char *where, unsigned long line,
    size_t newer)
{
	char a[256] = "", b[64] = "";

	if (bad > 0)
		snprintf(a, sizeof(a), "%zu line%s that %s not a record "
		    "(first: %s line %lu)", bad, bad == 1 ? "" : "s",
		    bad == 1 ? "is" : "are", where, line);
	if (newer > 0)
		snprintf(b, sizeof(b), "%zu record%s of a newer schema", newer,
		    newer == 1 ? "" : "s");
	if (bad > 0 || newer > 0)
		sz_cli_error("warning: skipped %s%s%s", a,
		    bad > 0 && newer > 0 ? " and " : "", b);
}
