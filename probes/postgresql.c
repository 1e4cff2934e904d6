/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The PostgreSQL probe (libpq).  Each sample counts the server's client
 * backends in pg_stat_activity by state, lock waits, database and user,
 * with the age of the oldest open transaction, leaving out sizeup's own
 * connection; the slot settings (max_connections,
 * superuser_reserved_connections, and reserved_connections from 16 on)
 * are read once per connection, as they change only with a restart.
 *
 * The server is the one the context names (sz_ctx_pg_conninfo(): --pg or
 * the configuration file), else libpq's PG* environment and defaults.
 * One connection is kept for the whole run and made again when it is
 * lost.  A sample never waits on the server longer than DEADLINE_S: the
 * connection and the query are driven without blocking (libpq's own
 * connect_timeout applies only to blocking connections) against one
 * deadline, and statement_timeout makes a slow server give up first.
 *
 * libpq itself is loaded (probes/pq_dyn.c) only when there is a server
 * to ask: one was named, or a postgres process runs here.
 *
 * When libpq cannot be used (it does not load, no credentials, a refusal,
 * a dead server, or the context turns it off) the backends are counted
 * from process titles (probes/pg_titles.c) and the sample's errors say
 * so and why.  No message
 * shows the connection string, and the password is scrubbed from every
 * message libpq makes.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <libpq-fe.h>

#include "sizeup/pg.h"
#include "sizeup/pq_dyn.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE SZ_PG_PROBE

/* The longest a sample waits on the server, connecting included. */
#define DEADLINE_S 2.0
/* The server cancels our query after this (ms): well inside the deadline. */
#define STATEMENT_TIMEOUT_MS "1000"
/* A server that did not answer in time is not asked again before this. */
#define RETRY_AFTER_TIMEOUT_S 10.0
/* Passwords shorter than this are not scrubbed: every message would be
 * riddled, and libpq never quotes a password in its messages anyway. */
#define MIN_SCRUB 4

struct pg_state {
	const struct sz_pq *pq;	/* NULL until libpq is needed */
	PGconn *conn;		/* NULL while not connected */
	char *conninfo;		/* NULL: the PG* environment */
	char *password;		/* to scrub from messages, or NULL */
	int port;		/* for the process-title count */
	bool named;		/* a server was named, not just defaulted */
	bool bad_conninfo;
	bool gave_up;		/* refused our credentials: not again */
	bool absent;		/* nothing listens where we connect */
	bool refused_full;	/* "too many clients" */
	double retry_at;	/* monotonic seconds */
	enum sz_err err;	/* the last failure and its message */
	char why[SZ_ERRMSG_MAX];
	int64_t max_connections, superuser_reserved, reserved;
	struct sz_pg_titles *titles;
};

static void
quiet_notices(void *arg, const char *message)
{
	(void)arg;
	(void)message;	/* only main.c and renderers talk to the user */
}

static void
free_secret(char *s)
{
	if (s == NULL)
		return;
	explicit_bzero(s, strlen(s));
	free(s);
}

/*
 * A libpq message made fit for the report: its first line (the others are
 * hints, or the same failure for the next address), single spaces, and
 * the password (should a server or libpq ever echo it) replaced.
 */
static void
tidy(const struct pg_state *st, char *out, size_t outsz, const char *msg)
{
	size_t n = 0, pwlen = st->password ? strlen(st->password) : 0;
	const char *p = msg;

	while (*p == '\n' || *p == ' ')
		p++;
	while (*p != '\0' && *p != '\n' && n + 1 < outsz) {
		if (pwlen >= MIN_SCRUB &&
		    strncmp(p, st->password, pwlen) == 0) {
			p += pwlen;
			if (n + 4 < outsz) {
				memcpy(out + n, "***", 3);
				n += 3;
			}
			continue;
		}
		if (*p == '\t' || *p == ' ') {
			if (n > 0 && out[n - 1] != ' ')
				out[n++] = ' ';
			p++;
			continue;
		}
		out[n++] = *p++;
	}
	while (n > 0 && out[n - 1] == ' ')
		n--;
	out[n] = '\0';
}

/*
 * Load libpq (include/sizeup/pq_dyn.h) if that was not done yet.
 * RETURNS whether st->pq can be used; if not, st->why says why.
 */
static bool
load_libpq(struct pg_state *st)
{
	if (st->pq == NULL)
		st->pq = sz_pq_load(st->why, sizeof(st->why));
	return st->pq != NULL;
}

/* Does conninfo look like a connection string (else: a database name)? */
static bool
is_conninfo(const char *s)
{
	return strchr(s, '=') != NULL || strncmp(s, "postgresql://", 13) == 0 ||
	    strncmp(s, "postgres://", 11) == 0;
}

/*
 * Take the password and the port from the connection string.  libpq's
 * parse errors quote the string, which may hold a password, so they are
 * never shown.
 */
static void
read_conninfo(struct pg_state *st)
{
	const struct sz_pq *pq;
	PQconninfoOption *opts, *o;
	const char *env_pw = getenv("PGPASSWORD");
	char *errmsg = NULL;
	int port = 0;

	if (st->conninfo != NULL && is_conninfo(st->conninfo) &&
	    load_libpq(st)) {
		pq = st->pq;
		opts = pq->PQconninfoParse(st->conninfo, &errmsg);
		if (opts == NULL) {
			st->bad_conninfo = true;
			pq->PQfreemem(errmsg);
			return;
		}
		for (o = opts; o->keyword != NULL; o++) {
			if (o->val == NULL || o->val[0] == '\0')
				continue;
			if (strcmp(o->keyword, "password") == 0)
				st->password = sz_xstrdup(o->val);
			else if (strcmp(o->keyword, "port") == 0)
				port = sz_pg_port_parse(o->val);
		}
		pq->PQconninfoFree(opts);
	}
	if (st->password == NULL && env_pw != NULL)
		st->password = sz_xstrdup(env_pw);
	if (port == 0)
		port = sz_pg_port_parse(getenv("PGPORT"));
	st->port = port > 0 ? port : SZ_PG_DEFAULT_PORT;
}

static enum sz_err
pg_open(const struct sz_ctx *ctx, void **state)
{
	struct pg_state *st = sz_xcalloc(1, sizeof(*st));
	static const char *const env[] = { "PGHOST", "PGHOSTADDR", "PGPORT",
		"PGDATABASE", "PGUSER", "PGSERVICE" };
	const char *conninfo = sz_ctx_pg_conninfo(ctx);
	size_t i;

	if (conninfo != NULL)
		st->conninfo = sz_xstrdup(conninfo);
	st->named = conninfo != NULL;
	for (i = 0; i < sizeof(env) / sizeof(env[0]); i++)
		st->named = st->named || getenv(env[i]) != NULL;
	read_conninfo(st);
	st->titles = sz_pg_titles_new();
	*state = st;
	return SZ_OK;
}

static void
drop(struct pg_state *st)
{
	if (st->conn != NULL)
		st->pq->PQfinish(st->conn);
	st->conn = NULL;
}

static void
pg_close(void *state)
{
	struct pg_state *st = state;

	if (st == NULL)
		return;
	drop(st);
	free_secret(st->conninfo);
	free_secret(st->password);
	sz_pg_titles_free(st->titles);
	free(st);
}

/* Wait until conn's socket is ready, or the deadline passes. */
static enum sz_err
wait_socket(const struct sz_pq *pq, PGconn *conn, bool for_write,
    double deadline)
{
	struct pollfd pfd = { .fd = pq->PQsocket(conn) };
	double left;
	int rc;

	if (pfd.fd < 0)
		return SZ_ECONNECT;
	pfd.events = for_write ? POLLOUT : POLLIN;
	for (;;) {
		left = deadline - sz_monotonic_s();
		if (left <= 0)
			return SZ_ETIMEOUT;
		rc = poll(&pfd, 1, (int)ceil(left * 1000));
		if (rc > 0)
			return SZ_OK;
		if (rc == 0)
			return SZ_ETIMEOUT;
		if (errno != EINTR)
			return SZ_EIO;
	}
}

/*
 * Send sql and wait for its one result, by the deadline.
 * RETURNS SZ_OK with *out, SZ_ETIMEOUT, SZ_ECONNECT (the connection
 * broke) or SZ_ELIB (the server answered with an error); st->why says
 * what happened.
 */
static enum sz_err
run_query(struct pg_state *st, const char *sql, double deadline,
    PGresult **out)
{
	const struct sz_pq *pq = st->pq;
	PGresult *r, *first = NULL;
	enum sz_err err = SZ_OK;

	*out = NULL;
	if (!pq->PQsendQuery(st->conn, sql)) {
		tidy(st, st->why, sizeof(st->why),
		    pq->PQerrorMessage(st->conn));
		return SZ_ECONNECT;
	}
	for (;;) {
		if (pq->PQisBusy(st->conn)) {
			err = wait_socket(pq, st->conn, false, deadline);
			if (err == SZ_OK && !pq->PQconsumeInput(st->conn))
				err = SZ_ECONNECT;
			if (err)
				break;
			continue;
		}
		r = pq->PQgetResult(st->conn);
		if (r == NULL)
			break;
		if (first == NULL)
			first = r;
		else
			pq->PQclear(r);
	}
	if (err == SZ_ETIMEOUT) {
		snprintf(st->why, sizeof(st->why), "no answer within %.0f s",
		    DEADLINE_S);
	} else if (err) {
		tidy(st, st->why, sizeof(st->why),
		    pq->PQerrorMessage(st->conn));
	} else if (first == NULL ||
	    pq->PQresultStatus(first) != PGRES_TUPLES_OK) {
		tidy(st, st->why, sizeof(st->why), first != NULL ?
		    pq->PQresultErrorMessage(first) :
		    pq->PQerrorMessage(st->conn));
		err = pq->PQstatus(st->conn) == CONNECTION_OK ? SZ_ELIB :
		    SZ_ECONNECT;
	}
	if (err) {
		pq->PQclear(first);
		return err;
	}
	*out = first;
	return SZ_OK;
}

static int64_t
int_value(const struct sz_pq *pq, const PGresult *r, int row, int col)
{
	const char *p = pq->PQgetvalue(r, row, col);
	int64_t v;

	return sz_parse_i64(&p, &v) == SZ_OK ? v : -1;
}

/*
 * The statement timeout for this session, and the settings that say how
 * many slots there are; reserved_connections is new in PostgreSQL 16.
 */
static const char settings_sql[] =
    "SELECT set_config('statement_timeout', '" STATEMENT_TIMEOUT_MS "', "
    "false), current_setting('max_connections'), "
    "current_setting('superuser_reserved_connections'), "
    "coalesce(current_setting('reserved_connections', true), '0')";

/* Was the server to be found on a Unix socket that does not exist? */
static bool
no_socket(const struct sz_pq *pq, PGconn *c)
{
	const char *host = pq->PQhost(c), *port = pq->PQport(c);
	char path[4096];
	struct stat sb;

	if (host == NULL || host[0] != '/' || port == NULL)
		return false;
	snprintf(path, sizeof(path), "%s/.s.PGSQL.%s", host,
	    port[0] != '\0' ? port : "5432");
	return stat(path, &sb) != 0 && errno == ENOENT;
}

/*
 * Why a connection failed.  Server messages follow its lc_messages, so
 * the English ones are only a second guess after what libpq knows.
 */
static enum sz_err
connect_failure(struct pg_state *st)
{
	const struct sz_pq *pq = st->pq;
	PGconn *c = st->conn;

	tidy(st, st->why, sizeof(st->why), pq->PQerrorMessage(c));
	st->absent = no_socket(st->pq, c) ||
	    strstr(st->why, "Connection refused") != NULL;
	st->refused_full = strstr(st->why, "too many clients") != NULL ||
	    strstr(st->why, "remaining connection slots are reserved") != NULL;
	/* after authentication: try again, a slot may free up */
	if (st->refused_full)
		return SZ_ECONNECT;
	if (pq->PQconnectionNeedsPassword(c) ||
	    pq->PQconnectionUsedPassword(c) ||
	    strstr(st->why, "authentication failed") != NULL ||
	    strstr(st->why, "no pg_hba.conf entry") != NULL ||
	    strstr(st->why, "does not exist") != NULL)
		return SZ_EAUTH;
	return SZ_ECONNECT;
}

static enum sz_err
pg_connect(struct pg_state *st, double deadline)
{
	/* ours before the string (it may name itself), the cap after it */
	const char *keys[] = { "fallback_application_name", "dbname",
		"connect_timeout", NULL };
	const char *vals[] = { "sizeup", st->conninfo ? st->conninfo : "",
		"2", NULL };
	const struct sz_pq *pq = st->pq;
	PostgresPollingStatusType ps = PGRES_POLLING_WRITING;
	enum sz_err err = SZ_OK;
	PGresult *r;

	st->absent = st->refused_full = false;
	st->conn = pq->PQconnectStartParams(keys, vals, 1);
	if (st->conn == NULL) {
		snprintf(st->why, sizeof(st->why), "libpq: out of memory");
		return SZ_ENOMEM;
	}
	pq->PQsetNoticeProcessor(st->conn, quiet_notices, NULL);
	if (pq->PQstatus(st->conn) == CONNECTION_BAD)
		ps = PGRES_POLLING_FAILED;
	while (ps != PGRES_POLLING_OK && ps != PGRES_POLLING_FAILED) {
		err = wait_socket(pq, st->conn, ps == PGRES_POLLING_WRITING,
		    deadline);
		if (err)
			break;
		ps = pq->PQconnectPoll(st->conn);
	}
	if (err == SZ_ETIMEOUT) {
		snprintf(st->why, sizeof(st->why), "connecting took over "
		    "%.0f s", DEADLINE_S);
	} else if (err) {
		snprintf(st->why, sizeof(st->why), "poll: %s", strerror(errno));
	} else if (ps == PGRES_POLLING_FAILED) {
		err = connect_failure(st);
	}
	if (err) {
		drop(st);
		return err;
	}
	err = run_query(st, settings_sql, deadline, &r);
	if (err) {
		drop(st);
		return err;
	}
	st->max_connections = int_value(pq, r, 0, 1);
	st->superuser_reserved = int_value(pq, r, 0, 2);
	st->reserved = int_value(pq, r, 0, 3);
	pq->PQclear(r);
	return SZ_OK;
}

/*
 * Client backends grouped by what the probe counts.  A role without
 * pg_read_all_stats sees other roles' sessions with a NULL backend_type
 * and state: those with a database are counted as backends in an unknown
 * state (background processes have none).
 */
static const char activity_sql[] =
    "SELECT backend_type IS NULL, coalesce(state, ''), "
    "coalesce(wait_event_type, ''), coalesce(datname, ''), "
    "coalesce(usename, ''), count(*), "
    "coalesce(round(extract(epoch FROM now() - min(xact_start))::numeric, "
    "3), -1) "
    "FROM pg_stat_activity "
    "WHERE (backend_type = 'client backend' OR "
    "(backend_type IS NULL AND datid IS NOT NULL)) "
    "AND pid <> pg_backend_pid() "
    "GROUP BY 1, 2, 3, 4, 5";

enum { C_HIDDEN, C_STATE, C_WAIT, C_DB, C_USER, C_COUNT, C_AGE, NCOLS };

static bool
is_true(const struct sz_pq *pq, const PGresult *r, int row, int col)
{
	return strcmp(pq->PQgetvalue(r, row, col), "t") == 0;
}

static enum sz_err
read_activity(struct pg_state *st, struct sz_pg_sample *pg, double deadline)
{
	const struct sz_pq *pq = st->pq;
	struct sz_pg_tally dbs = { 0 }, users = { 0 };
	enum sz_pg_state state;
	const char *p, *wait;
	enum sz_err err;
	PGresult *r;
	int64_t n;
	double age;
	int i;

	err = run_query(st, activity_sql, deadline, &r);
	if (err)
		return err;
	if (pq->PQnfields(r) != NCOLS) {
		pq->PQclear(r);
		snprintf(st->why, sizeof(st->why), "pg_stat_activity: "
		    "unexpected answer");
		return SZ_EPARSE;
	}
	memset(pg, 0, sizeof(*pg));
	pg->oldest_xact_s = -1;
	for (i = 0; i < pq->PQntuples(r); i++) {
		n = int_value(pq, r, i, C_COUNT);
		if (n <= 0)
			continue;
		state = is_true(pq, r, i, C_HIDDEN) ? SZ_PG_OTHER :
		    sz_pg_state_parse(pq->PQgetvalue(r, i, C_STATE));
		pg->backends += (uint64_t)n;
		pg->states[state] += (uint64_t)n;
		if (is_true(pq, r, i, C_HIDDEN))
			pg->hidden += (uint64_t)n;
		wait = pq->PQgetvalue(r, i, C_WAIT);
		if (strcmp(wait, "Lock") == 0)
			pg->waiting_lock += (uint64_t)n;
		if (state == SZ_PG_ACTIVE && wait[0] == '\0')
			pg->active_on_cpu += (uint64_t)n;
		if (state == SZ_PG_ACTIVE && strcmp(wait, "IO") == 0)
			pg->active_on_io += (uint64_t)n;
		sz_pg_tally_add(&dbs, pq->PQgetvalue(r, i, C_DB),
		    (size_t)pq->PQgetlength(r, i, C_DB), (uint64_t)n);
		sz_pg_tally_add(&users, pq->PQgetvalue(r, i, C_USER),
		    (size_t)pq->PQgetlength(r, i, C_USER), (uint64_t)n);
		p = pq->PQgetvalue(r, i, C_AGE);
		if (sz_parse_double(&p, &age) == SZ_OK &&
		    age > pg->oldest_xact_s)
			pg->oldest_xact_s = age;
	}
	pq->PQclear(r);
	sz_pg_tally_top(&dbs, &pg->dbs, &pg->ndbs);
	sz_pg_tally_top(&users, &pg->users, &pg->nusers);
	pg->valid = true;
	pg->waits_known = true;
	pg->source = SZ_PG_SOURCE_LIBPQ;
	pg->port = sz_pg_port_parse(pq->PQport(st->conn));
	pg->max_connections = st->max_connections;
	pg->superuser_reserved = st->superuser_reserved;
	pg->reserved = st->reserved;
	pg->tcp_established = -1;
	return SZ_OK;
}

/*
 * One reading through libpq: connect when needed (not before retry_at,
 * never again after a refusal of our credentials), query, and connect
 * once more if the connection was lost since the last sample.
 */
static enum sz_err
sample_libpq(struct pg_state *st, struct sz_pg_sample *pg)
{
	double deadline = sz_monotonic_s() + DEADLINE_S;
	char lost[SZ_ERRMSG_MAX] = "";
	enum sz_err err = SZ_OK;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (st->conn == NULL) {
			if (st->gave_up || sz_monotonic_s() < st->retry_at)
				return st->err;
			err = pg_connect(st, deadline);
			if (err == SZ_EAUTH)
				st->gave_up = true;
			if (err == SZ_ETIMEOUT)
				st->retry_at = sz_monotonic_s() + RETRY_AFTER_TIMEOUT_S;
			if (err)
				break;
		}
		err = read_activity(st, pg, deadline);
		if (err == SZ_OK)
			return SZ_OK;
		if (err != SZ_ECONNECT && err != SZ_ETIMEOUT)
			break;	/* the server answered: keep the connection */
		drop(st);
		if (err == SZ_ETIMEOUT) {
			st->retry_at = sz_monotonic_s() + RETRY_AFTER_TIMEOUT_S;
			break;
		}
		snprintf(lost, sizeof(lost), "connection lost (%.*s), then ",
		    (int)sizeof(lost) / 2, st->why);
	}
	if (lost[0] != '\0') {
		char msg[2 * SZ_ERRMSG_MAX];

		snprintf(msg, sizeof(msg), "%s%s", lost, st->why);
		snprintf(st->why, sizeof(st->why), "%.*s",
		    (int)sizeof(st->why) - 1, msg);
	}
	st->err = err;
	return err;
}

static enum sz_err
pg_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	struct pg_state *st = state;
	char why[SZ_ERRMSG_MAX];
	enum sz_err err, terr;
	bool no_titles;

	/* before libpq: a host without a server never loads it */
	no_titles = sz_pg_titles_absent(st->titles, &s->threads, st->port,
	    why, sizeof(why));
	if (!sz_ctx_pg_libpq(ctx)) {
		err = SZ_ENOTBUILT;
		snprintf(st->why, sizeof(st->why), "libpq is turned off");
	} else if (st->pq == NULL && !st->named && no_titles) {
		err = SZ_ENOENT;
		st->absent = true;
		snprintf(st->why, sizeof(st->why), "no server to connect to");
	} else if (!load_libpq(st)) {
		err = SZ_ELIB;
	} else if (st->bad_conninfo) {
		err = SZ_EINVAL;
		snprintf(st->why, sizeof(st->why), "the connection string "
		    "does not parse (not shown: it may hold a password)");
	} else {
		err = sample_libpq(st, &s->pg);
		if (err == SZ_OK) {
			if (s->pg.hidden > 0)
				sz_sample_add_error(s, PROBE, SZ_EACCES,
				    "the state of %llu backends is hidden from "
				    "role %s (grant it pg_read_all_stats)",
				    (unsigned long long)s->pg.hidden,
				    st->pq->PQuser(st->conn));
			return SZ_OK;
		}
	}

	if (no_titles)
		terr = SZ_ENOENT;
	else
		terr = sz_pg_titles_count(st->titles, ctx, st->port, &s->pg,
		    why, sizeof(why));
	/* no server here, and none was asked for: nothing to say */
	if (terr == SZ_ENOENT && !st->named && st->absent)
		return SZ_OK;
	if (terr) {
		sz_sample_add_error(s, PROBE, err, "process titles: %s; "
		    "libpq: %s", why, st->why);
		return err;
	}
	s->pg.refused_full = st->refused_full;
	sz_sample_add_error(s, PROBE, err, "counted from process titles on "
	    "port %d; libpq: %s", st->port, st->why);
	return err;
}

const struct sz_probe_ops sz_probe_postgresql = {
	.name = PROBE,
	.open = pg_open,
	.collect = pg_collect,
	.close = pg_close,
};
