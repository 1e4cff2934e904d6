/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup report: read the snapshot logs of a directory back and say how
 * often each resource bound the host, the worst windows, and at which
 * hour of the day each bottleneck appears (text or JSON).  Lines that are
 * not records are counted, warned about in one line, and skipped.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sizeup/cli.h"
#include "sizeup/history.h"
#include "sizeup/logfile.h"
#include "sizeup/record.h"

struct report_opts {
	const char *dir, *config, *since, *until;
	bool json;
};

static void
parse_opts(struct report_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "since", required_argument, NULL, 's' },
		{ "until", required_argument, NULL, 'u' },
		{ "json", no_argument, NULL, 'j' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	while ((ch = sz_cli_getopt(argc, argv, longopts,
	    &sz_cmd_report)) != -1) {
		switch (ch) {
		case 'D':
			o->dir = optarg;
			break;
		case 's':
			o->since = optarg;
			break;
		case 'u':
			o->until = optarg;
			break;
		case 'j':
			o->json = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		default:
			abort();	/* sz_cli_getopt answered the rest */
		}
	}
}

/* A --since or --until value, or a usage error. */
static time_t
when(const char *opt, const char *arg, time_t now)
{
	time_t t;

	if (sz_parse_when(arg, now, &t) != SZ_OK)
		sz_cli_usage_error("%s: '%s' is not a time: want YYYY-MM-DD, "
		    "YYYY-MM-DDTHH:MM[:SS][Z] (UTC), or -Nd, -Nh, -Nm", opt,
		    arg);
	return t;
}

/* Read the logs of dir the filter wants into h.  RETURNS 0 or 1. */
static int
read_logs(struct sz_history *h, const char *dir)
{
	struct sz_record_file f;
	char path[PATH_MAX];
	char **names;
	enum sz_err err;
	size_t i, n;
	time_t day;
	int rc = EXIT_SUCCESS;

	err = sz_log_list(dir, &names, &n);
	if (err != SZ_OK) {
		sz_cli_error("report: cannot read %s: %s", dir,
		    errno ? strerror(errno) : sz_strerror(err));
		return EXIT_FAILURE;
	}
	for (i = 0; i < n && rc == EXIT_SUCCESS; i++) {
		if (!sz_log_name_day(names[i], &day) ||
		    !sz_history_wants_day(h, day))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, names[i]) >=
		    (int)sizeof(path)) {
			sz_cli_error("report: %s/%s: path too long", dir,
			    names[i]);
			rc = EXIT_FAILURE;
			break;
		}
		err = sz_record_read_file(path, 0, &f);
		if (err != SZ_OK) {
			sz_cli_error("report: cannot read %s: %s", path,
			    errno ? strerror(errno) : sz_strerror(err));
			rc = EXIT_FAILURE;
			break;
		}
		sz_history_add_file(h, &f, names[i]);
		sz_record_file_fini(&f);
	}
	sz_log_list_free(names, n);
	return rc;
}

static int
run(int argc, char **argv)
{
	struct report_opts o = { 0 };
	time_t now = time(NULL), since = 0, until = 0;
	struct sz_history h;
	struct sz_config cfg;
	const char *dir;
	enum sz_err err;
	int rc;

	parse_opts(&o, argc, argv);
	sz_config_init(&cfg);
	sz_cli_load_config(&cfg, o.config);
	dir = o.dir != NULL ? o.dir : cfg.log_dir != NULL ? cfg.log_dir :
	    SZ_LOG_DIR;
	if (o.since != NULL)
		since = when("--since", o.since, now);
	if (o.until != NULL)
		until = when("--until", o.until, now);
	if (o.since != NULL && o.until != NULL && since >= until)
		sz_cli_usage_error("--since %s is not before --until %s",
		    o.since, o.until);

	sz_history_init(&h, o.since ? &since : NULL, o.until ? &until : NULL);
	rc = read_logs(&h, dir);
	if (rc != EXIT_SUCCESS)
		goto out;
	sz_history_finish(&h);
	sz_cli_warn_skipped(h.bad, h.first_bad_file, h.first_bad_line,
	    h.newer);
	err = o.json ? sz_history_render_json(stdout, &h) :
	    sz_history_render_text(stdout, &h);
	if (err == SZ_OK && fflush(stdout) != 0)
		err = SZ_EIO;
	if (err != SZ_OK) {
		sz_cli_error("report: cannot write the report: %s",
		    errno ? strerror(errno) : sz_strerror(err));
		rc = EXIT_FAILURE;
	}
out:
	sz_config_fini(&cfg);
	return rc;
}

const struct sz_command sz_cmd_report = {
	"report",
	"sizeup report [--dir DIR] [--since WHEN] [--until WHEN] [--json]\n"
	"              [--config FILE]",
	run,
	"  --dir DIR           log directory (default " SZ_LOG_DIR ")\n"
	"  --since WHEN        windows from WHEN: YYYY-MM-DD, "
	"YYYY-MM-DDTHH:MM[:SS],\n"
	"                      in UTC, or -7d, -12h, -30m before now\n"
	"  --until WHEN        windows before WHEN\n"
	"  --json              print the sizeup.report.v1 JSON document\n"
	"  --config FILE       configuration (default " SZ_DEFAULT_CONFIG ")\n",
};
