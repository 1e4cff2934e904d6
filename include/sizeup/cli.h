/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The command-line program (not part of libsizeup.a): one file per command
 * (src/cmd_*.c, as tmux's cmd-*.c), dispatched by src/main.c, sharing the
 * helpers of src/cli.c.  These files and the renderers are the only code
 * that talks to the user; each failure is one line on stderr and an exit
 * status of 1 (runtime) or 2 (usage).
 */
#ifndef SIZEUP_CLI_H
#define SIZEUP_CLI_H

#include "sizeup/config.h"

#define SZ_EXIT_USAGE 2
#define SZ_DEFAULT_CONFIG "/etc/sizeup.conf"

/* One command: its name, what it does, and its entry point. */
struct sz_command {
	const char *name;
	const char *usage;	/* its synopsis line(s) */
	int (*run)(int argc, char **argv);
};

extern const struct sz_command sz_cmd_diagnose;

/* "sizeup: <message> (see sizeup --help)" on stderr, exit 2. */
void sz_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* "sizeup: <message>" on stderr (the caller returns 1). */
void sz_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A number of seconds in [min, 24 h] for option opt, or a usage error. */
double sz_cli_seconds(const char *opt, const char *arg, double min);

/*
 * Load the configuration: path when given (it must exist and parse), else
 * /etc/sizeup.conf when there is one.  A bad file is a usage error.
 */
void sz_cli_load_config(struct sz_config *cfg, const char *path);

#endif
