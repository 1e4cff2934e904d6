/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the two ways of counting PostgreSQL backends share: the libpq probe
 * (probes/postgresql.c, built with libpq) and the process-title count
 * (probes/pg_titles.c, always built) that stands in for it without libpq,
 * without credentials, or when the server refuses.  Both fill a struct
 * sz_pg_sample; neither judges it.
 */
#ifndef SIZEUP_PG_H
#define SIZEUP_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sizeup/err.h"
#include "sizeup/probe.h"
#include "sizeup/sample.h"

#define SZ_PG_PROBE "postgresql"	/* the probe's name, either way */
#define SZ_PG_DEFAULT_PORT 5432

/*
 * Counts by name (databases, users), kept until the top SZ_PG_TOP are
 * handed to a sample.  Zero-initialize; sz_pg_tally_top() frees it.
 */
struct sz_pg_tally {
	struct sz_pg_count *v;
	size_t n, cap;
};

/* Add n to name's count.  Names longer than a PostgreSQL identifier are
 * cut to SZ_NAME_MAX - 1 bytes. */
void sz_pg_tally_add(struct sz_pg_tally *t, const char *name, size_t len,
    uint64_t n);

/* Move the SZ_PG_TOP largest counts (ties by name) into a new array for
 * a sample, *out (NULL when empty) and *nout; t is left empty. */
void sz_pg_tally_top(struct sz_pg_tally *t, struct sz_pg_count **out,
    size_t *nout);

/*
 * pg_stat_activity's state text as an enum sz_pg_state; an empty or
 * unknown state is SZ_PG_OTHER.
 */
enum sz_pg_state sz_pg_state_parse(const char *state);

/* What a backend's process title says. */
struct sz_pg_title {
	bool client;		/* a client backend, not a background one */
	const char *user;	/* into the title, not NUL-terminated */
	size_t user_len;
	const char *db;
	size_t db_len;
	enum sz_pg_state state;	/* a command tag is SZ_PG_ACTIVE */
	bool waiting;		/* "... waiting": for a heavyweight lock */
};

/*
 * Parse a process title, "postgres: [cluster: ]user database host(port)
 * activity" for a client backend ("[local]" for a Unix socket).
 * RETURNS true for a client backend's title, with out filled.
 */
bool sz_pg_title_parse(const char *title, struct sz_pg_title *out);

/* A port number ("5432", or the first of "5432,5433"), or 0. */
int sz_pg_port_parse(const char *s);

/* Counting from process titles; the state keeps a libproc2 handle. */
struct sz_pg_titles;

struct sz_pg_titles *sz_pg_titles_new(void);
void sz_pg_titles_free(struct sz_pg_titles *t);

/*
 * Count the client backends of the server that listens on port from the
 * process titles ("postgres: [cluster: ]user database host(port) state")
 * of the postmaster's children, and the established TCP connections to
 * that port (/proc/net/tcp and tcp6 below ctx's root).  The postmaster is
 * the postgres process whose listening socket is on the port (its
 * /proc/PID/fd: root, or the postgres user), else the one given the port
 * on its command line.  Fills out (source SZ_PG_SOURCE_TITLES, settings
 * unknown) on success; otherwise says why in why.
 * RETURNS SZ_OK, SZ_ENOENT (no such server found) or a read error.
 */
enum sz_err sz_pg_titles_count(struct sz_pg_titles *t,
    const struct sz_ctx *ctx, int port, struct sz_pg_sample *out,
    char *why, size_t whysz);

/*
 * Would counting titles find nothing for sure?  True when table (the
 * threads probe's reading of this sample) holds no process called
 * postgres, or, when this sample skipped the table, the last one read did
 * not: then the costly read of every command line is skipped (on a host
 * without PostgreSQL it was most of a TUI refresh), and why says so, as
 * sz_pg_titles_count() would.
 */
bool sz_pg_titles_absent(struct sz_pg_titles *t,
    const struct sz_threads_sample *table, int port, char *why, size_t whysz);

#endif
