/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sizeup: entry point.  Finds the command and hands it the rest of the
 * arguments (no command, or options alone, run top); --help and --version
 * are answered here.  Exit status: 0 when the command did its job
 * (whatever the verdict), 1 for a runtime failure, 2 for a usage error.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/cli.h"

static const struct sz_command *const commands[] = {
	&sz_cmd_top,
	&sz_cmd_diagnose,
	&sz_cmd_record,
	&sz_cmd_report,
	NULL,
};

static const char intro[] =
    "sizeup tells what holds this host back (CPU, memory, disk I/O,\n"
    "network, connections) and whether a bigger server would help.\n";

static const char outro[] =
    "Exit status: 0 done (whatever the verdict), 1 runtime failure,\n"
    "2 usage error.  See sizeup(1).\n";

/* Every command's synopsis, then its options. */
static void
help(void)
{
	const struct sz_command *const *c;

	sz_cli_print(intro);
	for (c = commands; *c != NULL; c++) {
		sz_cli_print("\n");
		sz_cli_print((*c)->usage);
		sz_cli_print("\n");
		if ((*c)->help != NULL)
			sz_cli_print((*c)->help);
	}
	sz_cli_print("\nsizeup --help | --version\n\n");
	sz_cli_print(outro);
}

int
main(int argc, char **argv)
{
	const struct sz_command *const *c;

	/* no command, or options only: the live screen */
	if (argc < 2)
		return sz_cmd_top.run(argc, argv);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		help();
		return EXIT_SUCCESS;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		sz_cli_print("sizeup " PACKAGE_VERSION "\n");
		return EXIT_SUCCESS;
	}
	for (c = commands; *c != NULL; c++) {
		if (strcmp(argv[1], (*c)->name) == 0)
			return (*c)->run(argc - 1, argv + 1);
	}
	if (argv[1][0] == '-')
		return sz_cmd_top.run(argc, argv);
	sz_cli_usage_error("unknown command '%s'", argv[1]);
}
