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

#include "sizeup/analyzer.h"
#include "sizeup/cli.h"
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
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->duration = 5;
	o->interval = 1;
	o->links = sz_xcalloc((size_t)argc + 1, sizeof(char *));
	while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			o->json = true;
			break;
		case 'd':
			o->duration = sz_cli_seconds("--duration", optarg,
			    MIN_SECONDS);
			break;
		case 'i':
			o->interval = sz_cli_seconds("--interval", optarg,
			    MIN_SECONDS);
			break;
		case 'l':
			o->links[o->nlinks++] = optarg;
			break;
		case 'c':
			o->config = optarg;
			break;
		default:
			sz_cli_usage_error("diagnose: bad option");
		}
	}
	if (optind < argc)
		sz_cli_usage_error("diagnose: unexpected argument '%s'",
		    argv[optind]);
	if (o->interval > o->duration)
		sz_cli_usage_error("--interval %g is longer than --duration %g",
		    o->interval, o->duration);
}

static void
configure(struct sz_config *cfg, const struct diagnose_opts *o)
{
	size_t i;

	sz_config_init(cfg);
	sz_cli_load_config(cfg, o->config);
	for (i = 0; i < o->nlinks; i++) {
		if (sz_config_add_link(cfg, o->links[i]) != SZ_OK)
			sz_cli_usage_error("--link-speed '%s': want IF=RATE "
			    "with RATE like 50mbit, 1gbit or 10g",
			    o->links[i]);
	}
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
	free(o.links);

	ctx = sz_ctx_new("/");
	c = sz_collector_new(ctx);
	sz_window_watch(&w, c, ctx, o.duration, o.interval);
	sz_collector_free(c);

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
	sz_window_fini(&w);
	sz_ctx_free(ctx);
	sz_config_fini(&cfg);
	return rc;
}

const struct sz_command sz_cmd_diagnose = {
	"diagnose",
	"sizeup diagnose [--json] [--duration S] [--interval S]\n"
	"                [--link-speed IF=RATE]... [--config FILE]",
	run,
};
