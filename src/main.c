/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup: entry point.  Finds the command and hands it the rest of the
 * arguments; --help and --version are answered here.  Exit status: 0 when
 * the command did its job (whatever the verdict), 1 for a runtime failure,
 * 2 for a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/cli.h"

static const struct sz_command *const commands[] = {
	&sz_cmd_diagnose,
	NULL,
};

static const char help_text[] =
    "\n"
    "sizeup tells what holds this host back (CPU, memory, disk I/O,\n"
    "network, connections) and whether a bigger server would help.\n"
    "\n"
    "  diagnose            watch the host for a few seconds and report\n"
    "    --json            print the sizeup.diagnose.v1 JSON document\n"
    "    --duration S      seconds to watch (default 5)\n"
    "    --interval S      seconds between samples (default 1)\n"
    "    --link-speed IF=RATE  capacity of IF: 50mbit, 1gbit, 10g\n"
    "    --config FILE     configuration (default " SZ_DEFAULT_CONFIG ")\n"
    "\n"
    "Exit status: 0 done (whatever the verdict), 1 runtime failure,\n"
    "2 usage error.  See sizeup(1).\n";

static void
usage(FILE *out)
{
	const struct sz_command *const *c;

	for (c = commands; *c != NULL; c++)
		fprintf(out, "%s %s\n", c == commands ? "usage:" : "      ",
		    (*c)->usage);
	fprintf(out, "       sizeup --help | --version\n");
}

int
main(int argc, char **argv)
{
	const struct sz_command *const *c;

	if (argc < 2)
		sz_cli_usage_error("a command is needed; the TUI (sizeup top) "
				   "is not built yet, try sizeup diagnose");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		fputs(help_text, stdout);
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("sizeup %s\n", PACKAGE_VERSION);
		return EXIT_SUCCESS;
	}
	for (c = commands; *c != NULL; c++) {
		if (strcmp(argv[1], (*c)->name) == 0)
			return (*c)->run(argc - 1, argv + 1);
	}
	sz_cli_usage_error("unknown command '%s'", argv[1]);
}
