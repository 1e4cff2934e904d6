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

#include <getopt.h>

#include "sizeup/config.h"

#define SZ_EXIT_USAGE 2
#define SZ_DEFAULT_CONFIG "/etc/sizeup.conf"

/* One command: its name, what it does, and its entry point. */
struct sz_command {
	const char *name;
	const char *usage;	/* its synopsis line(s) */
	int (*run)(int argc, char **argv);
	const char *help;	/* its options, one per line, or NULL */
};

extern const struct sz_command sz_cmd_diagnose;
extern const struct sz_command sz_cmd_top;
extern const struct sz_command sz_cmd_record;
extern const struct sz_command sz_cmd_report;

/* "sizeup: <message> (see sizeup --help)" on stderr, exit 2. */
void sz_cli_usage_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

/* "sizeup: <message>" on stderr (the caller returns 1). */
void sz_cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * getopt_long(3) for command cmd, with -h/--help answered from its help
 * text (exit 0) and an unknown option, a missing value or an operand
 * (no command takes one) reported as one usage-error line instead of
 * getopt's two.  longopts need no "help".
 */
int sz_cli_getopt(int argc, char **argv, const struct option *longopts,
    const struct sz_command *cmd);

/* Write s to stdout; exit 1 with one line if stdout cannot take it. */
void sz_cli_print(const char *s);

/* A number of seconds in [min, 24 h] for option opt, or a usage error. */
double sz_cli_seconds(const char *opt, const char *arg, double min);

/*
 * Load the configuration: path when given (it must exist and parse), else
 * /etc/sizeup.conf when there is one.  A bad file is a usage error.
 */
void sz_cli_load_config(struct sz_config *cfg, const char *path);

/*
 * A copy of an option's value that may hold a password (--pg), which is
 * then blanked out of the process list (/proc/PID/cmdline).  The caller
 * frees the copy.
 */
char *sz_cli_secret(char *arg);

/*
 * sz_cli_load_config() into a fresh cfg, then the command line over it:
 * pg (owned, moved into cfg; NULL keeps the file's) and the nlinks
 * "IF=RATE" of links.  A bad value is a usage error.  Free cfg with
 * sz_config_fini().
 */
void sz_cli_configure(struct sz_config *cfg, const char *path, char *pg,
    char *const *links, size_t nlinks);

/*
 * The one warning line of a snapshot-log reader: "skipped N lines that
 * are not records (first: WHERE line L) and M records of a newer schema",
 * naming only what there is; nothing when both counts are 0.
 */
void sz_cli_warn_skipped(size_t bad, const char *where, unsigned long line,
    size_t newer);

#endif
