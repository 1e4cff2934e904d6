/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup diagnose: watch the live host for one window, analyze it, print
 * the report as text or JSON.
 */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sizeup/analyzer.h"
#include "sizeup/cli.h"
#include "sizeup/record.h"
#include "sizeup/rates.h"
#include "sizeup/render.h"
#include "sizeup/window.h"
#include "sizeup/xmalloc.h"

#define MIN_SECONDS 0.1

struct diagnose_opts {
	bool json;
	double duration, interval;
	const char *config;
	char **links;		/* IF=RATE, applied over the config file */
	size_t nlinks;
	char *pg;		/* --pg, over the config file's conninfo */
	const char *from;	/* --from: replay a recorded window */
	bool has_at;		/* --at: the one at this time */
	time_t at;
	bool watched;		/* --duration or --interval given */
};

static void
parse_opts(struct diagnose_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "duration", required_argument, NULL, 'd' },
		{ "interval", required_argument, NULL, 'i' },
		{ "link-speed", required_argument, NULL, 'l' },
		{ "config", required_argument, NULL, 'c' },
		{ "pg", required_argument, NULL, 'p' },
		{ "from", required_argument, NULL, 'f' },
		{ "at", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	bool interval_given = false;
	int ch;

	o->duration = 5;
	o->interval = 1;
	o->links = sz_xcalloc((size_t)argc + 1, sizeof(char *));
	while ((ch = sz_cli_getopt(argc, argv, longopts,
	    &sz_cmd_diagnose)) != -1) {
		switch (ch) {
		case 'j':
			o->json = true;
			break;
		case 'd':
			o->duration = sz_cli_seconds("--duration", optarg,
			    MIN_SECONDS);
			o->watched = true;
			break;
		case 'i':
			o->interval = sz_cli_seconds("--interval", optarg,
			    MIN_SECONDS);
			interval_given = true;
			o->watched = true;
			break;
		case 'l':
			o->links[o->nlinks++] = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'p':
			free(o->pg);
			o->pg = sz_cli_secret(optarg);
			break;
		case 'f':
			o->from = optarg;
			break;
		case 'a':
			if (sz_parse_when(optarg, time(NULL), &o->at) != SZ_OK)
				sz_cli_usage_error("--at: '%s' is not a time: "
				    "want YYYY-MM-DD[THH:MM[:SS]] (UTC) or "
				    "-Nd, -Nh, -Nm", optarg);
			o->has_at = true;
			break;
		default:
			abort();	/* sz_cli_getopt answered the rest */
		}
	}
	if (o->has_at && o->from == NULL)
		sz_cli_usage_error("--at needs --from FILE");
	if (o->from != NULL && (o->watched || o->pg != NULL))
		sz_cli_usage_error("--from replays a recorded window: "
		    "--duration, --interval and --pg do not apply");
	/* a window shorter than the default interval is one interval */
	if (!interval_given && o->interval > o->duration)
		o->interval = o->duration;
	if (o->interval > o->duration)
		sz_cli_usage_error("--interval %g is longer than --duration %g",
		    o->interval, o->duration);
}

static void
configure(struct sz_config *cfg, const struct diagnose_opts *o)
{
	sz_cli_configure(cfg, o->config, o->pg, o->links, o->nlinks);
}

/* A --link-speed for an interface the host does not have is a typo. */
static void
warn_unknown_links(const struct diagnose_opts *o, const struct sz_sample *s)
{
	size_t i, k, len;

	for (i = 0; i < o->nlinks; i++) {
		/* the name ends at the last '=', as sz_config_add_link()
		 * reads it (Linux allows '=' in interface names) */
		len = (size_t)(strrchr(o->links[i], '=') - o->links[i]);
		for (k = 0; k < s->net.nifs; k++) {
			if (strlen(s->net.ifs[k].name) == len &&
			    strncmp(s->net.ifs[k].name, o->links[i], len) == 0)
				break;
		}
		if (s->net.valid && k == s->net.nifs)
			sz_cli_error("warning: --link-speed: no interface "
			    "'%.*s' on this host", (int)len, o->links[i]);
	}
}

/*
 * The window to replay: the last record of o->from, or the one at o->at.
 * In text, a line first says which.  RETURNS an exit status.
 */
static int
replay_window(struct sz_window *w, const struct diagnose_opts *o)
{
	char start[SZ_UTC_MAX], end[SZ_UTC_MAX];
	struct sz_record_file f;
	const struct sz_record *rec;
	enum sz_err err;
	long i;

	err = sz_record_read_file(o->from, SZ_RECORD_KEEP_TEXT, &f);
	if (err != SZ_OK) {
		sz_cli_error("diagnose: cannot read %s: %s", o->from,
		    errno ? strerror(errno) : sz_strerror(err));
		return EXIT_FAILURE;
	}
	sz_cli_warn_skipped(f.bad, o->from, f.first_bad, f.newer);
	i = sz_record_pick(&f, o->has_at, o->at);
	if (i < 0) {
		sz_cli_error("diagnose: %s holds no record%s", o->from,
		    o->has_at ? " at or before that time" : "");
		sz_record_file_fini(&f);
		return EXIT_FAILURE;
	}
	rec = &f.recs[i];
	err = sz_record_window(rec->text, strlen(rec->text), w);
	if (err != SZ_OK)
		sz_cli_error("diagnose: %s line %lu: cannot rebuild its "
		    "window: %s", o->from, rec->line, sz_strerror(err));
	else if (!o->json)
		printf("Recorded window %s to %s (%s line %lu)\n\n",
		    sz_format_utc(start, sizeof(start), rec->start),
		    sz_format_utc(end, sizeof(end), rec->end), o->from,
		    rec->line);
	sz_record_file_fini(&f);
	return err == SZ_OK ? EXIT_SUCCESS : EXIT_FAILURE;
}

static int
run(int argc, char **argv)
{
	struct diagnose_opts o = { 0 };
	struct sz_window w = { 0 };
	struct sz_collector *c;
	struct sz_config cfg;
	struct sz_rates rates;
	struct sz_report rep;
	struct sz_ctx *ctx;
	enum sz_err err;
	int rc = EXIT_SUCCESS;

	parse_opts(&o, argc, argv);
	configure(&cfg, &o);

	if (o.from != NULL) {
		ctx = NULL;
		rc = replay_window(&w, &o);
		if (rc != EXIT_SUCCESS)
			goto out;
	} else {
		ctx = sz_ctx_new("/");
		sz_ctx_set_pg_conninfo(ctx, cfg.pg_conninfo);
		c = sz_collector_new(ctx);
		sz_window_watch(&w, c, ctx, o.duration, o.interval);
		sz_collector_free(c);
		warn_unknown_links(&o, w.samples[w.n - 1]);
	}

	err = sz_rates_compute(&rates, sz_window_const(&w), w.n, &cfg);
	if (err != SZ_OK) {
		sz_cli_error("diagnose: cannot compute rates: %s",
		    sz_strerror(err));
		rc = EXIT_FAILURE;
		goto out;
	}
	sz_analyze(&rates, &cfg.th, &rep);
	err = o.json ? sz_render_json(stdout, &rep) :
	    sz_render_text(stdout, &rep);
	if (err == SZ_OK && fflush(stdout) != 0)
		err = SZ_EIO;
	if (err != SZ_OK) {
		sz_cli_error("diagnose: cannot write the report: %s",
		    errno ? strerror(errno) : sz_strerror(err));
		rc = EXIT_FAILURE;
	}
	sz_rates_fini(&rates);
out:
	free(o.links);
	sz_window_fini(&w);
	sz_ctx_free(ctx);
	sz_config_fini(&cfg);
	return rc;
}

const struct sz_command sz_cmd_diagnose = {
	"diagnose",
	"sizeup diagnose [--json] [--duration S] [--interval S]\n"
	"                [--link-speed IF=RATE]... [--pg CONNINFO]\n"
	"                [--config FILE] [--from FILE [--at WHEN]]",
	run,
	"  --json              print the sizeup.diagnose.v1 JSON document\n"
	"  --duration S        seconds to watch (default 5)\n"
	"  --interval S        seconds between samples (default 1)\n"
	"  --link-speed IF=RATE  capacity of interface IF: 50mbit, 1gbit, 10g\n"
	"  --pg CONNINFO       PostgreSQL server: a libpq string or URI\n"
	"  --config FILE       configuration (default " SZ_DEFAULT_CONFIG ")\n"
	"  --from FILE         replay a window that sizeup record logged\n"
	"  --at WHEN           with --from, the window at WHEN (UTC):\n"
	"                      2026-12-03T09:05, 2026-12-03, or -2h\n",
};
