/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup top (and sizeup with no command): the live screen.  Parses the
 * options, loads the configuration and hands over to the loop in tui.c.
 */
#include "config.h"

#include <getopt.h>
#include <stdbool.h>
#include <stdlib.h>

#include "sizeup/cli.h"
#include "sizeup/tui.h"
#include "sizeup/xmalloc.h"

#define MIN_INTERVAL 0.1	/* as diagnose: below, ticks are too coarse */

struct top_opts {
	double interval;
	const char *config;
	char **links;		/* IF=RATE, applied over the config file */
	size_t nlinks;
	char *pg;		/* --pg, over the config file's conninfo */
	const char *from;	/* --from: browse a snapshot log */
	bool watched;		/* --interval given */
};

static void
parse_opts(struct top_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "interval", required_argument, NULL, 'i' },
		{ "link-speed", required_argument, NULL, 'l' },
		{ "pg", required_argument, NULL, 'p' },
		{ "config", required_argument, NULL, 'c' },
		{ "from", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int ch;

	o->interval = 1;
	o->links = sz_xcalloc((size_t)argc + 1, sizeof(char *));
	while ((ch = sz_cli_getopt(argc, argv, longopts, &sz_cmd_top)) !=
	    -1) {
		switch (ch) {
		case 'i':
			o->interval = sz_cli_seconds("--interval", optarg,
			    MIN_INTERVAL);
			o->watched = true;
			break;
		case 'l':
			o->links[o->nlinks++] = optarg;
			break;
		case 'p':
			free(o->pg);
			o->pg = sz_cli_secret(optarg);
			break;
		case 'c':
			o->config = optarg;
			break;
		case 'f':
			o->from = optarg;
			break;
		default:
			abort();	/* sz_cli_getopt answered the rest */
		}
	}
	if (o->from != NULL && (o->watched || o->pg != NULL))
		sz_cli_usage_error("top --from browses recorded windows: "
		    "--interval and --pg do not apply");
}

static int
run(int argc, char **argv)
{
	struct top_opts o = { 0 };
	struct sz_config cfg;
	int rc;

	parse_opts(&o, argc, argv);
	sz_cli_configure(&cfg, o.config, o.pg, o.links, o.nlinks);
	free(o.links);
	rc = sz_tui_run(&cfg, o.interval, o.from);
	sz_config_fini(&cfg);
	return rc;
}

const struct sz_command sz_cmd_top = {
	"top",
	"sizeup [top] [--interval S] [--link-speed IF=RATE]...\n"
	"             [--pg CONNINFO] [--config FILE] [--from FILE]",
	run,
	"  (the default)       the live screen: verdict, cores, memory,\n"
	"                      disks, interfaces, processes; ? for the keys\n"
	"  --interval S        seconds between refreshes (default 1)\n"
	"  --link-speed IF=RATE  capacity of interface IF: 50mbit, 1gbit, 10g\n"
	"  --pg CONNINFO       PostgreSQL server: a libpq string or URI\n"
	"  --config FILE       configuration (default " SZ_DEFAULT_CONFIG ")\n"
	"  --from FILE         browse the windows sizeup record logged there\n",
};
