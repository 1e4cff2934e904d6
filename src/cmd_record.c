/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup record: watch the live host for one window, analyze it, append
 * its record to the day's snapshot log, then remove the logs older than
 * --keep-days.  Made for cron: one line on success (none with --quiet),
 * one line on stderr and exit 1 on failure, so cron mails it.
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
#include <unistd.h>

#include "sizeup/analyzer.h"
#include "sizeup/cli.h"
#include "sizeup/logfile.h"
#include "sizeup/rates.h"
#include "sizeup/record.h"
#include "sizeup/window.h"

#define MIN_SECONDS 0.1
#define MAX_KEEP_DAYS 36500

struct record_opts {
	const char *dir, *config;
	double duration;
	unsigned int keep_days;
	bool quiet;
};

static unsigned int
keep_days(const char *arg)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (arg[0] < '0' || arg[0] > '9' || *end != '\0' || errno != 0 ||
	    v > MAX_KEEP_DAYS)
		sz_cli_usage_error("--keep-days: '%s' is not a number of days "
		    "from 0 to %d", arg, MAX_KEEP_DAYS);
	return (unsigned int)v;
}

static void
parse_opts(struct record_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "dir", required_argument, NULL, 'D' },
		{ "duration", required_argument, NULL, 'd' },
		{ "keep-days", required_argument, NULL, 'k' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->duration = 5;
	o->keep_days = SZ_LOG_KEEP_DAYS;
	while ((ch = sz_cli_getopt(argc, argv, longopts,
	    &sz_cmd_record)) != -1) {
		switch (ch) {
		case 'D':
			o->dir = optarg;
			break;
		case 'd':
			o->duration = sz_cli_seconds("--duration", optarg,
			    MIN_SECONDS);
			break;
		case 'k':
			o->keep_days = keep_days(optarg);
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'c':
			o->config = optarg;
			break;
		default:
			abort();	/* sz_cli_getopt answered the rest */
		}
	}
	if (o->dir != NULL && o->dir[0] == '\0')
		sz_cli_usage_error("--dir: empty directory name");
}

/* errno's words when the call set it, else the code's. */
static const char *
why(enum sz_err err, int errnum)
{
	return errnum != 0 ? strerror(errnum) : sz_strerror(err);
}

/* Watch the host, analyze the window and format its record. */
static enum sz_err
take_record(const struct sz_config *cfg, double duration,
    struct sz_report *rep, char **line, size_t *len)
{
	struct sz_window w = { 0 };
	struct sz_collector *c;
	struct sz_rates rates;
	struct sz_ctx *ctx;
	enum sz_err err;

	ctx = sz_ctx_new("/");
	sz_ctx_set_pg_conninfo(ctx, cfg->pg_conninfo);
	c = sz_collector_new(ctx);
	sz_window_watch(&w, c, ctx, duration, duration < 1 ? duration : 1);
	sz_collector_free(c);
	err = sz_rates_compute(&rates, sz_window_const(&w), w.n, cfg);
	if (err == SZ_OK) {
		sz_analyze(&rates, &cfg->th, rep);
		err = sz_record_format(sz_window_const(&w), w.n, rep, line,
		    len);
		/* the caller shows the verdict: keep what it borrows */
		rep->rates = NULL;
		sz_rates_fini(&rates);
	}
	sz_window_fini(&w);
	sz_ctx_free(ctx);
	return err;
}

static int
run(int argc, char **argv)
{
	struct record_opts o = { 0 };
	char path[PATH_MAX], failed[SZ_LOG_NAME_MAX];
	const char *dir;
	struct sz_config cfg;
	struct sz_report rep;
	char *line = NULL;
	size_t len, removed;
	enum sz_err err;
	int fd = -1, rc = EXIT_FAILURE;

	parse_opts(&o, argc, argv);
	sz_config_init(&cfg);
	sz_cli_load_config(&cfg, o.config);
	dir = o.dir != NULL ? o.dir : cfg.log_dir != NULL ? cfg.log_dir :
	    SZ_LOG_DIR;

	/* open first: a directory that cannot take the record fails now,
	 * not after the window */
	err = sz_log_open(dir, time(NULL), &fd, path, sizeof(path));
	if (err != SZ_OK) {
		sz_cli_error("record: cannot open the log in %s: %s", dir,
		    why(err, errno));
		goto out;
	}
	err = take_record(&cfg, o.duration, &rep, &line, &len);
	if (err != SZ_OK) {
		sz_cli_error("record: cannot analyze the window: %s",
		    sz_strerror(err));
		goto out;
	}
	err = sz_log_append(fd, line, len);
	if (err == SZ_EPARSE) {
		sz_cli_error("record: %s does not end in a whole line: not "
		    "appending to it", path);
		goto out;
	}
	if (err != SZ_OK) {
		sz_cli_error("record: cannot append to %s: %s%s", path,
		    why(err, errno), err == SZ_ENOSPC ? " (nothing written)" :
		    "");
		goto out;
	}
	err = sz_log_prune(dir, time(NULL), o.keep_days, &removed, failed,
	    sizeof(failed));
	if (err != SZ_OK) {
		sz_cli_error("record: recorded, but cannot remove %s/%s: %s",
		    dir, failed, why(err, errno));
		goto out;
	}
	if (!o.quiet)
		printf("recorded %s%s%s (confidence %.2f) in %s, %zu bytes; "
		    "removed %zu old log%s\n", sz_bound_name(rep.bound),
		    rep.kind ? " / " : "", rep.kind ? rep.kind : "",
		    rep.confidence, path, len, removed,
		    removed == 1 ? "" : "s");
	rc = fflush(stdout) == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
out:
	if (fd >= 0 && close(fd) != 0 && rc == EXIT_SUCCESS) {
		sz_cli_error("record: cannot close %s: %s", path,
		    strerror(errno));
		rc = EXIT_FAILURE;
	}
	free(line);
	sz_config_fini(&cfg);
	return rc;
}

const struct sz_command sz_cmd_record = {
	"record",
	"sizeup record [--dir DIR] [--duration S] [--keep-days N] [--quiet]\n"
	"              [--config FILE]",
	run,
	"  --dir DIR           log directory (default " SZ_LOG_DIR ")\n"
	"  --duration S        seconds to watch (default 5)\n"
	"  --keep-days N       remove logs older than N days (default 28; 0 "
	"never)\n"
	"  --quiet             print nothing on success (for cron)\n"
	"  --config FILE       configuration (default " SZ_DEFAULT_CONFIG ")\n",
};
