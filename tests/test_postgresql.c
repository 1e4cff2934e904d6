/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the PostgreSQL probe (probes/postgresql.c and the process-title
 * count of probes/pg_titles.c) against a real server, started by
 * tests/postgresql.sh, which says where it is in SZ_PG_HOST (the socket
 * directory), SZ_PG_PORT and SZ_PG_DATA.  The server runs with
 * max_connections 20 and superuser_reserved_connections 3, and role sz_pw
 * must give its password over TCP.
 *
 * The tests open sessions in known states with libpq and check that both
 * ways of counting find exactly them; fill every usable slot and check the
 * verdict; give a wrong password and look for it everywhere sizeup
 * writes, the process list included; stop a backend and then the server
 * under the probe and check that a sample never waits more than two
 * seconds and the report goes on.  The server is stopped by the last test.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "cmocka_compat.h"
#include "samples.h"

#include "sizeup/analyzer.h"
#include "sizeup/config.h"
#include "sizeup/pg.h"
#include "sizeup/probe.h"
#include "sizeup/rates.h"
#include "sizeup/render.h"
#include "sizeup/sample.h"
#include "sizeup/window.h"

#define WRONG_PW "WRONG-pw-Zq81x"
#define RIGHT_PW "right-pw-K3v9"
#define MAX_SESSIONS 32

static const char *pg_host;	/* the socket directory */
static int pg_port;
static const char *pg_data;
static PGconn *admin;		/* postgres@postgres over the socket */
static PGconn *sessions[MAX_SESSIONS];
static size_t nsessions;

static PGconn *
connect_as(const char *user, const char *db, bool tcp)
{
	char info[512];
	PGconn *c;

	snprintf(info, sizeof(info), "host=%s port=%d user=%s dbname=%s",
	    tcp ? "127.0.0.1" : pg_host, pg_port, user, db);
	c = PQconnectdb(info);
	if (PQstatus(c) != CONNECTION_OK)
		fail_msg("connect %s@%s: %s", user, db, PQerrorMessage(c));
	return c;
}

/* A session that the test's teardown closes. */
static PGconn *
session(const char *user, const char *db, bool tcp)
{
	PGconn *c = connect_as(user, db, tcp);

	assert_true(nsessions < MAX_SESSIONS);
	sessions[nsessions++] = c;
	return c;
}

static void
exec_ok(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);

	if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(c));
	PQclear(r);
}

/* A statement that fails, leaving its transaction aborted. */
static void
exec_fails(PGconn *c, const char *sql)
{
	PGresult *r = PQexec(c, sql);

	assert_int_equal(PQresultStatus(r), PGRES_FATAL_ERROR);
	PQclear(r);
}

/* Start sql and leave it running. */
static void
send_async(PGconn *c, const char *sql)
{
	if (!PQsendQuery(c, sql))
		fail_msg("%s: %s", sql, PQerrorMessage(c));
}

static long
admin_count(const char *sql)
{
	PGresult *r = PQexec(admin, sql);
	long n;

	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(admin));
	n = strtol(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return n;
}

/* Wait up to 10 s for the admin query to count want. */
static void
wait_count(const char *sql, long want)
{
	double end = sz_monotonic_s() + 10;
	long got;

	while ((got = admin_count(sql)) != want && sz_monotonic_s() < end)
		smp_sleep_s(0.05);
	if (got != want)
		fail_msg("%s: %ld, expected %ld", sql, got, want);
}

#define OTHERS "SELECT count(*) FROM pg_stat_activity WHERE backend_type = " \
	"'client backend' AND pid <> pg_backend_pid()"

/* Close the test's sessions and wait for their backends to be gone. */
static int
close_sessions(void **unused)
{
	size_t i;

	(void)unused;
	for (i = 0; i < nsessions; i++)
		PQfinish(sessions[i]);
	nsessions = 0;
	if (admin != NULL && PQstatus(admin) == CONNECTION_OK) {
		/* a backend in pg_sleep() notices its client is gone only
		 * when the statement ends */
		exec_ok(admin, "SELECT pg_terminate_backend(pid) FROM "
		    "pg_stat_activity WHERE backend_type = 'client backend' "
		    "AND pid <> pg_backend_pid()");
		wait_count(OTHERS, 0);
		smp_sleep_s(0.2);	/* the process outlives its stats entry */
	}
	return 0;
}

static int
group_setup(void **unused)
{
	(void)unused;
	admin = connect_as("postgres", "postgres", false);
	exec_ok(admin, "CREATE ROLE alice LOGIN");
	exec_ok(admin, "CREATE ROLE bob LOGIN");
	exec_ok(admin, "CREATE ROLE sz_pw LOGIN PASSWORD '" RIGHT_PW "'");
	exec_ok(admin, "CREATE DATABASE appdb");
	exec_ok(admin, "CREATE TABLE t (i int)");
	exec_ok(admin, "ALTER TABLE t OWNER TO bob");
	return 0;
}

static int
group_teardown(void **unused)
{
	(void)unused;
	PQfinish(admin);
	return 0;
}

/*
 * The sessions of the state tests, besides the admin session (postgres,
 * database postgres, idle, over the socket):
 *   alice@appdb: two idle, one idle in transaction (TCP, the oldest);
 *   bob@postgres: one idle in transaction holding a lock on t, one
 *     waiting for that lock (TCP), one in an aborted transaction, two in
 *     pg_sleep (TCP);
 *   postgres@appdb: one with track_activities off ("disabled").
 */
static double
open_known_states(void)
{
	PGconn *holder, *c;
	double began;

	session("alice", "appdb", false);
	session("alice", "appdb", false);
	c = session("alice", "appdb", true);
	began = sz_monotonic_s();
	exec_ok(c, "BEGIN");
	exec_ok(c, "SELECT 1");
	holder = session("bob", "postgres", false);
	exec_ok(holder, "BEGIN");
	exec_ok(holder, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
	send_async(session("bob", "postgres", true), "SELECT count(*) FROM t");
	c = session("bob", "postgres", false);
	exec_ok(c, "BEGIN");
	exec_fails(c, "SELECT 1/0");
	send_async(session("bob", "postgres", true), "SELECT pg_sleep(60)");
	send_async(session("bob", "postgres", true), "SELECT pg_sleep(60)");
	c = session("postgres", "appdb", false);
	exec_ok(c, "SET track_activities = off");

	wait_count("SELECT count(*) FROM pg_stat_activity WHERE "
	    "wait_event_type = 'Lock'", 1);
	wait_count("SELECT count(*) FROM pg_stat_activity WHERE "
	    "state = 'active' AND pid <> pg_backend_pid()", 3);
	/* titles change just after the statistics; and let the oldest
	 * transaction be more than a second old */
	smp_sleep_s(1.1);
	return began;
}

static struct sz_ctx *
ctx_for(const char *conninfo, bool libpq)
{
	struct sz_ctx *ctx = sz_ctx_new("/");

	sz_ctx_set_pg_conninfo(ctx, conninfo);
	sz_ctx_set_pg_libpq(ctx, libpq);
	return ctx;
}

static char *
socket_conninfo(char *buf, size_t sz)
{
	snprintf(buf, sz, "host=%s port=%d user=postgres dbname=postgres",
	    pg_host, pg_port);
	return buf;
}

/* One collect of the probe alone. */
static struct sz_sample *
probe_once(void *state, const struct sz_ctx *ctx, enum sz_err *err)
{
	struct sz_sample *s = sz_sample_new();

	*err = sz_probe_postgresql.collect(state, ctx, s);
	return s;
}

static const struct sz_sample_error *
pg_error(const struct sz_sample *s)
{
	size_t i;

	for (i = 0; i < s->nerrors; i++) {
		if (strcmp(s->errors[i].probe, SZ_PG_PROBE) == 0)
			return &s->errors[i];
	}
	return NULL;
}

static void
assert_count(const struct sz_pg_count *v, size_t n, size_t i,
    const char *name, uint64_t count)
{
	assert_true(i < n);
	assert_string_equal(v[i].name, name);
	assert_int_equal(v[i].n, count);
}

/* What both sources must agree on: names, lock waits, the tally. */
static void
assert_common(const struct sz_pg_sample *pg)
{
	assert_true(pg->valid);
	assert_int_equal(pg->port, pg_port);
	assert_int_equal(pg->backends, 10);
	assert_int_equal(pg->states[SZ_PG_ACTIVE], 3);
	assert_int_equal(pg->states[SZ_PG_IDLE_IN_XACT], 2);
	assert_int_equal(pg->states[SZ_PG_IDLE_IN_XACT_ABORTED], 1);
	assert_int_equal(pg->states[SZ_PG_FASTPATH], 0);
	assert_int_equal(pg->states[SZ_PG_OTHER], 0);
	assert_int_equal(pg->waiting_lock, 1);
	assert_int_equal(pg->ndbs, 2);
	assert_count(pg->dbs, pg->ndbs, 0, "postgres", 6);
	assert_count(pg->dbs, pg->ndbs, 1, "appdb", 4);
	assert_int_equal(pg->nusers, 3);
	assert_count(pg->users, pg->nusers, 0, "bob", 5);
	assert_count(pg->users, pg->nusers, 1, "alice", 3);
	assert_count(pg->users, pg->nusers, 2, "postgres", 2);
}

/* ---- libpq ---------------------------------------------------------- */

static void
test_postgresql_states_libpq(void **unused)
{
	struct sz_sample *s;
	struct sz_ctx *ctx;
	char info[256];
	double began, age;
	enum sz_err err;
	void *st;

	(void)unused;
	began = open_known_states();
	ctx = ctx_for(socket_conninfo(info, sizeof(info)), true);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	age = sz_monotonic_s() - began;
	assert_int_equal(err, SZ_OK);
	assert_null(pg_error(s));

	assert_int_equal(s->pg.source, SZ_PG_SOURCE_LIBPQ);
	assert_common(&s->pg);
	/* sizeup's own session (idle, postgres@postgres) is left out */
	assert_int_equal(s->pg.states[SZ_PG_IDLE], 3);
	assert_int_equal(s->pg.states[SZ_PG_DISABLED], 1);
	assert_true(s->pg.waits_known);
	/* pg_sleep waits on a timeout, the lock waiter on a lock */
	assert_int_equal(s->pg.active_on_cpu, 0);
	assert_int_equal(s->pg.active_on_io, 0);
	assert_int_equal(s->pg.hidden, 0);
	assert_false(s->pg.refused_full);
	assert_int_equal(s->pg.max_connections, 20);
	assert_int_equal(s->pg.superuser_reserved, 3);
	assert_int_equal(s->pg.reserved, 0);	/* 15: none; 16: default 0 */
	assert_int_equal(s->pg.tcp_established, -1);
	if (s->pg.oldest_xact_s < 1.0 || s->pg.oldest_xact_s > age + 0.5)
		fail_msg("oldest transaction %.3f s, expected 1..%.3f",
		    s->pg.oldest_xact_s, age + 0.5);

	/* the connection is kept: a second sample reads the same */
	sz_sample_free(s);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_OK);
	assert_common(&s->pg);
	assert_int_equal(admin_count("SELECT count(*) FROM pg_stat_activity "
	    "WHERE application_name = 'sizeup'"), 1);
	sz_sample_free(s);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);
}

/* ---- process titles ------------------------------------------------- */

static void
test_postgresql_states_titles(void **unused)
{
	struct sz_sample *s;
	struct sz_ctx *ctx;
	char info[256];
	enum sz_err err;
	void *st;

	(void)unused;
	open_known_states();
	ctx = ctx_for(socket_conninfo(info, sizeof(info)), false);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_ENOTBUILT);
	assert_non_null(pg_error(s));
	assert_non_null(strstr(pg_error(s)->msg, "process titles"));
	assert_non_null(strstr(pg_error(s)->msg, "libpq is turned off"));

	assert_int_equal(s->pg.source, SZ_PG_SOURCE_TITLES);
	assert_common(&s->pg);
	/* no session of sizeup's here; titles cannot tell "disabled" */
	assert_int_equal(s->pg.states[SZ_PG_IDLE], 4);
	assert_int_equal(s->pg.states[SZ_PG_DISABLED], 0);
	assert_false(s->pg.waits_known);
	assert_int_equal(s->pg.tcp_established, 4);
	assert_int_equal(s->pg.max_connections, -1);
	assert_true(s->pg.oldest_xact_s < 0);
	/* libpq was never used */
	assert_int_equal(admin_count("SELECT count(*) FROM pg_stat_activity "
	    "WHERE application_name = 'sizeup'"), 0);
	sz_sample_free(s);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);
}

/* A server on a port where none listens is not found by its titles. */
static void
test_postgresql_titles_other_port(void **unused)
{
	struct sz_pg_titles *t = sz_pg_titles_new();
	struct sz_ctx *ctx = sz_ctx_new("/");
	struct sz_pg_sample pg = { 0 };
	char why[SZ_ERRMSG_MAX];
	int other = pg_port == 1 ? 2 : pg_port - 1;

	(void)unused;
	assert_int_equal(sz_pg_titles_count(t, ctx, pg_port, &pg, why,
	    sizeof(why)), SZ_OK);
	assert_int_equal(pg.backends, 1);	/* the admin session */
	free(pg.dbs);
	free(pg.users);
	memset(&pg, 0, sizeof(pg));
	assert_int_equal(sz_pg_titles_count(t, ctx, other, &pg, why,
	    sizeof(why)), SZ_ENOENT);
	assert_false(pg.valid);
	assert_non_null(strstr(why, "no PostgreSQL server on port"));
	sz_pg_titles_free(t);
	sz_ctx_free(ctx);
}

/* ---- every usable slot ---------------------------------------------- */

static bool
contains_any(const char *const *v, size_t n, const char *needle)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strstr(v[i], needle) != NULL)
			return true;
	}
	return false;
}

static json_t *
report_json(const struct sz_report *rep)
{
	json_error_t jerr;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *doc;

	assert_non_null(f);
	assert_int_equal(sz_render_json(f, rep), SZ_OK);
	fclose(f);
	doc = json_loads(buf, 0, &jerr);
	if (doc == NULL)
		fail_msg("invalid JSON: %s", jerr.text);
	free(buf);
	return doc;
}

static json_int_t
jint(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

/* Watch a short window with every probe and analyze it. */
static void
diagnose(struct sz_ctx *ctx, struct sz_window *w, struct sz_config *cfg,
    struct sz_rates *rates, struct sz_report *rep)
{
	struct sz_collector *c = sz_collector_new(ctx);

	sz_window_watch(w, c, ctx, 0.4, 0.2);
	sz_collector_free(c);
	sz_config_init(cfg);
	assert_int_equal(sz_rates_compute(rates, sz_window_const(w), w->n,
	    cfg), SZ_OK);
	sz_analyze(rates, &cfg->th, rep);
}

static void
test_postgresql_slots_full(void **unused)
{
	struct sz_window w = { 0 };
	struct sz_config cfg;
	struct sz_rates rates;
	struct sz_report rep;
	const struct sz_resource *res;
	struct sz_ctx *ctx;
	json_t *doc, *pg;
	char info[256];
	PGconn *extra;
	int i;

	(void)unused;
	open_known_states();
	/* 10 client backends with the admin's; 7 more fill the 17 usable
	 * slots (sizeup, a superuser, takes one of the reserved ones) */
	for (i = 0; i < 7; i++)
		session("alice", "appdb", false);
	wait_count(OTHERS, 16);	/* the admin's own is not counted */

	/* the server agrees: an 18th ordinary session is turned away */
	snprintf(info, sizeof(info), "host=%s port=%d user=alice dbname=appdb",
	    pg_host, pg_port);
	extra = PQconnectdb(info);
	assert_int_equal(PQstatus(extra), CONNECTION_BAD);
	assert_non_null(strstr(PQerrorMessage(extra), "reserved"));
	PQfinish(extra);

	ctx = ctx_for(socket_conninfo(info, sizeof(info)), true);
	diagnose(ctx, &w, &cfg, &rates, &rep);
	assert_true(rates.pg.valid);
	assert_true(rates.pg.slots_known);
	assert_int_equal(rates.pg.usable, 17);
	sz_assert_near(rates.pg.used_avg, 17, 1e-9);
	assert_int_equal(rates.pg.used_max, 17);

	res = &rep.res[SZ_BOUND_CONNECTIONS];
	assert_non_null(res->kind);
	assert_string_equal(res->kind, "postgres-slots");
	assert_int_equal(res->helps, SZ_HELPS_NO);
	assert_true(res->score >= cfg.th.bound);
	/* 13 of 17 idle or idle in a transaction: a pooler, and the cost
	 * of more slots; the transactions are young and few */
	assert_true(contains_any(res->advice, res->nadvice,
	    "transaction-mode pooler"));
	assert_true(contains_any(res->advice, res->nadvice, "memory"));
	assert_false(contains_any(res->advice, res->nadvice,
	    "shorten transactions"));
	/* the host is otherwise quiet, unless other tests load it now */
	if (rep.nalso == 0) {
		assert_int_equal(rep.bound, SZ_BOUND_CONNECTIONS);
		assert_string_equal(rep.kind, "postgres-slots");
		assert_int_equal(rep.helps, SZ_HELPS_NO);
	} else if (rep.bound != SZ_BOUND_CONNECTIONS) {
		printf("note: %s also binds on this busy host\n",
		    sz_bound_name(rep.bound));
	}

	doc = report_json(&rep);
	pg = json_object_get(json_object_get(json_object_get(doc,
	    "resources"), "connections"), "postgresql");
	assert_true(json_is_object(pg));
	assert_string_equal(json_string_value(json_object_get(pg, "source")),
	    "libpq");
	assert_int_equal(jint(pg, "max_connections"), 20);
	assert_int_equal(jint(pg, "usable_slots"), 17);
	assert_int_equal(jint(pg, "used_slots_max"), 17);
	assert_int_equal(jint(pg, "backends"), 17);
	assert_int_equal(jint(json_object_get(pg, "states"), "idle"), 10);
	assert_int_equal(jint(pg, "waiting_on_lock"), 1);
	json_decref(doc);

	sz_rates_fini(&rates);
	sz_window_fini(&w);
	sz_config_fini(&cfg);
	sz_ctx_free(ctx);
}

/* ---- credentials ----------------------------------------------------- */

static void
assert_no_password(const char *text, const char *where)
{
	if (strstr(text, WRONG_PW) != NULL)
		fail_msg("the password is in %s: %s", where, text);
}

static void
test_postgresql_wrong_password(void **unused)
{
	struct sz_sample *s;
	struct sz_ctx *ctx;
	char info[256];
	enum sz_err err;
	double t0;
	size_t i;
	void *st;

	(void)unused;
	snprintf(info, sizeof(info), "host=127.0.0.1 port=%d user=sz_pw "
	    "password=" WRONG_PW " dbname=postgres", pg_port);
	ctx = ctx_for(info, true);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_EAUTH);
	assert_non_null(pg_error(s));
	assert_non_null(strstr(pg_error(s)->msg,
	    "password authentication failed"));
	assert_non_null(strstr(pg_error(s)->msg, "process titles"));
	for (i = 0; i < s->nerrors; i++)
		assert_no_password(s->errors[i].msg, "an error");
	/* the titles still count the admin session */
	assert_int_equal(s->pg.source, SZ_PG_SOURCE_TITLES);
	assert_int_equal(s->pg.backends, 1);

	/* refused credentials are not tried again in this run */
	sz_sample_free(s);
	t0 = sz_monotonic_s();
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_EAUTH);
	assert_true(sz_monotonic_s() - t0 < 1);
	assert_int_equal(admin_count("SELECT count(*) FROM pg_stat_activity "
	    "WHERE usename = 'sz_pw'"), 0);
	sz_sample_free(s);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);

	/* a string libpq cannot read: its parse error quotes it, so the
	 * report says only that */
	ctx = ctx_for("password=" WRONG_PW " port", true);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_EINVAL);
	assert_non_null(strstr(pg_error(s)->msg, "does not parse"));
	for (i = 0; i < s->nerrors; i++)
		assert_no_password(s->errors[i].msg, "an error");
	sz_sample_free(s);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);

	/* and the right one gets in */
	snprintf(info, sizeof(info), "postgresql://sz_pw:" RIGHT_PW
	    "@127.0.0.1:%d/postgres", pg_port);
	ctx = ctx_for(info, true);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->pg.source, SZ_PG_SOURCE_LIBPQ);
	sz_sample_free(s);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	assert_non_null(buf);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* The program, as run: not in its output, its errors, or `ps`. */
static void
test_postgresql_password_not_in_ps(void **unused)
{
	char uri[256], out[64], err[64], cmdline[4096], path[64];
	const char *bin = getenv("SIZEUP");
	char *text;
	int status, fd;
	ssize_t n, i;
	pid_t pid;

	(void)unused;
	if (bin == NULL)
		skip();
	snprintf(uri, sizeof(uri), "postgresql://sz_pw:" WRONG_PW
	    "@127.0.0.1:%d/postgres", pg_port);
	snprintf(out, sizeof(out), "/tmp/sizeup-pgtest-out.%d", (int)getpid());
	snprintf(err, sizeof(err), "/tmp/sizeup-pgtest-err.%d", (int)getpid());
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(126);
		execl(bin, bin, "diagnose", "--json", "--duration", "1.5",
		    "--interval", "0.5", "--pg", uri, (char *)NULL);
		_exit(127);
	}
	smp_sleep_s(0.7);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, cmdline, sizeof(cmdline) - 1);
	close(fd);
	assert_true(n > 0);
	for (i = 0; i < n; i++) {
		if (cmdline[i] == '\0')
			cmdline[i] = ' ';
	}
	cmdline[n] = '\0';
	assert_non_null(strstr(cmdline, "--pg"));
	assert_no_password(cmdline, "the process list");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	text = slurp(out);
	unlink(out);
	assert_no_password(text, "the report");
	assert_non_null(strstr(text, "password authentication failed"));
	assert_non_null(strstr(text, "\"process-titles\""));
	free(text);
	text = slurp(err);
	unlink(err);
	assert_no_password(text, "stderr");
	assert_string_equal(text, "");
	free(text);
}

/* ---- a hung backend, then a dead server ----------------------------- */

static int
sizeup_backend(void)
{
	return (int)admin_count("SELECT coalesce(max(pid), 0) FROM "
	    "pg_stat_activity WHERE application_name = 'sizeup'");
}

static void
test_postgresql_hung_backend(void **unused)
{
	struct sz_sample *s;
	struct sz_ctx *ctx;
	char info[256];
	enum sz_err err;
	double t0, took, titles;
	int pid;
	void *st;

	(void)unused;
	ctx = ctx_for(socket_conninfo(info, sizeof(info)), true);
	assert_int_equal(sz_probe_postgresql.open(ctx, &st), SZ_OK);
	s = probe_once(st, ctx, &err);
	assert_int_equal(err, SZ_OK);
	sz_sample_free(s);

	pid = sizeup_backend();
	assert_true(pid > 0);
	assert_int_equal(kill(pid, SIGSTOP), 0);
	t0 = sz_monotonic_s();
	s = probe_once(st, ctx, &err);
	took = sz_monotonic_s() - t0;
	kill(pid, SIGCONT);
	assert_int_equal(err, SZ_ETIMEOUT);
	assert_non_null(strstr(pg_error(s)->msg, "no answer within 2 s"));
	/* the titles still count what they can */
	assert_int_equal(s->pg.source, SZ_PG_SOURCE_TITLES);
	sz_sample_free(s);

	/* not asked again at once: the next sample counts titles only */
	t0 = sz_monotonic_s();
	s = probe_once(st, ctx, &err);
	titles = sz_monotonic_s() - t0;
	assert_int_equal(err, SZ_ETIMEOUT);
	assert_true(titles < 1);
	sz_sample_free(s);
	/* the hung sample waited out the 2 s deadline, and no more */
	if (took < 1.95 || took > 2 + titles + 0.25)
		fail_msg("a sample waited %.2f s on a hung backend (titles "
		    "take %.2f s)", took, titles);
	sz_probe_postgresql.close(st);
	sz_ctx_free(ctx);
}

static pid_t
postmaster_pid(void)
{
	char path[512], *text;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/postmaster.pid", pg_data);
	text = slurp(path);
	pid = (pid_t)strtol(text, NULL, 10);
	free(text);
	return pid;
}

/* The server stops between two samples: a clear error, and a report. */
static void
test_postgresql_server_stops(void **unused)
{
	struct sz_collector *c;
	struct sz_sample *a, *b;
	const struct sz_sample *w[2];
	const struct sz_sample_error *e;
	struct sz_config cfg;
	struct sz_rates rates;
	struct sz_report rep;
	struct sz_ctx *ctx;
	char info[256], *buf = NULL;
	size_t len = 0;
	double t0, end;
	json_t *doc, *conn;
	FILE *f;
	pid_t pm;

	(void)unused;
	ctx = ctx_for(socket_conninfo(info, sizeof(info)), true);
	c = sz_collector_new(ctx);
	a = sz_sample_new();
	sz_collector_collect(c, a);
	assert_true(a->pg.valid);
	assert_int_equal(a->pg.source, SZ_PG_SOURCE_LIBPQ);

	/* fast shutdown: every session is ended, then the server */
	PQfinish(admin);
	admin = NULL;
	pm = postmaster_pid();
	assert_true(pm > 0);
	assert_int_equal(kill(pm, SIGINT), 0);
	end = sz_monotonic_s() + 30;
	while (kill(pm, 0) == 0 && sz_monotonic_s() < end)
		smp_sleep_s(0.05);
	assert_int_not_equal(kill(pm, 0), 0);

	b = sz_sample_new();
	t0 = sz_monotonic_s();
	sz_collector_collect(c, b);
	assert_true(sz_monotonic_s() - t0 < 2.5);
	sz_collector_free(c);
	assert_false(b->pg.valid);
	e = pg_error(b);
	assert_non_null(e);
	assert_int_equal(e->code, SZ_ECONNECT);
	assert_non_null(strstr(e->msg, "connection lost"));
	assert_non_null(strstr(e->msg, "no PostgreSQL server on port"));

	/* the rest of the report goes on */
	w[0] = a;
	w[1] = b;
	sz_config_init(&cfg);
	/* the samples are milliseconds apart: enough for a report */
	assert_int_equal(sz_rates_compute(&rates, w, 2, &cfg), SZ_OK);
	sz_analyze(&rates, &cfg.th, &rep);
	assert_false(rates.pg.valid);
	doc = report_json(&rep);
	conn = json_object_get(json_object_get(doc, "resources"),
	    "connections");
	assert_true(json_is_null(json_object_get(conn, "postgresql")));
	assert_true(json_is_object(json_object_get(conn,
	    "file_descriptors")));
	json_decref(doc);
	f = open_memstream(&buf, &len);
	assert_int_equal(sz_render_text(f, &rep), SZ_OK);
	fclose(f);
	assert_non_null(strstr(buf, "connection lost"));
	free(buf);

	sz_rates_fini(&rates);
	sz_config_fini(&cfg);
	sz_sample_free(a);
	sz_sample_free(b);
	sz_ctx_free(ctx);
}

/* ---- titles, parsed ------------------------------------------------- */

static void
title_is(const char *title, const char *user, const char *db,
    enum sz_pg_state state, bool waiting)
{
	struct sz_pg_title t;

	if (!sz_pg_title_parse(title, &t))
		fail_msg("'%s' is not a client backend's title", title);
	assert_int_equal(t.user_len, strlen(user));
	assert_memory_equal(t.user, user, t.user_len);
	assert_int_equal(t.db_len, strlen(db));
	assert_memory_equal(t.db, db, t.db_len);
	assert_int_equal(t.state, state);
	assert_int_equal(t.waiting, waiting);
}

static void
test_postgresql_title_parse(void **unused)
{
	static const char *const not_clients[] = {
		"postgres: checkpointer ",
		"postgres: 15/main: autovacuum worker appdb",
		"postgres: parallel worker for PID 4242",
		"postgres: walsender repl 10.0.0.2(51234) streaming 0/3000148",
		"postgres: logical replication launcher ",
		"/usr/lib/postgresql/15/bin/postgres -D /var/lib/pg -p 5432",
		"postgres: ",
		"nginx: worker process",
	};
	struct sz_pg_title t;
	size_t i;

	(void)unused;
	title_is("postgres: app shop 127.0.0.1(60000) idle", "app", "shop",
	    SZ_PG_IDLE, false);
	title_is("postgres: 15/main: app shop [local] idle in transaction",
	    "app", "shop", SZ_PG_IDLE_IN_XACT, false);
	title_is("postgres: app shop ::1(4312) idle in transaction (aborted)",
	    "app", "shop", SZ_PG_IDLE_IN_XACT_ABORTED, false);
	title_is("postgres: app shop db1.example(5000) UPDATE waiting  ",
	    "app", "shop", SZ_PG_ACTIVE, true);
	title_is("postgres: app shop [local] SELECT", "app", "shop",
	    SZ_PG_ACTIVE, false);
	title_is("postgres: app shop [local] fastpath function call", "app",
	    "shop", SZ_PG_FASTPATH, false);
	title_is("postgres: app shop [local] authentication", "app", "shop",
	    SZ_PG_OTHER, false);
	title_is("postgres: app shop [local]", "app", "shop", SZ_PG_OTHER,
	    false);
	title_is("postgres: app my shop [local] idle", "app", "my shop",
	    SZ_PG_IDLE, false);
	for (i = 0; i < sizeof(not_clients) / sizeof(not_clients[0]); i++) {
		if (sz_pg_title_parse(not_clients[i], &t))
			fail_msg("'%s' taken for a client backend",
			    not_clients[i]);
	}
	assert_int_equal(sz_pg_port_parse("5432"), 5432);
	assert_int_equal(sz_pg_port_parse("5433,5434"), 5433);
	assert_int_equal(sz_pg_port_parse("99999"), 0);
	assert_int_equal(sz_pg_port_parse("x"), 0);
	assert_int_equal(sz_pg_port_parse(NULL), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postgresql_title_parse),
		cmocka_unit_test_teardown(test_postgresql_states_libpq,
		    close_sessions),
		cmocka_unit_test_teardown(test_postgresql_states_titles,
		    close_sessions),
		cmocka_unit_test(test_postgresql_titles_other_port),
		cmocka_unit_test_teardown(test_postgresql_slots_full,
		    close_sessions),
		cmocka_unit_test(test_postgresql_wrong_password),
		cmocka_unit_test(test_postgresql_password_not_in_ps),
		cmocka_unit_test(test_postgresql_hung_backend),
		cmocka_unit_test(test_postgresql_server_stops),
	};
	const char *port = getenv("SZ_PG_PORT");

	pg_host = getenv("SZ_PG_HOST");
	pg_data = getenv("SZ_PG_DATA");
	if (pg_host == NULL || port == NULL || pg_data == NULL) {
		printf("SKIP: no server: run through tests/postgresql.sh\n");
		return SZ_EXIT_SKIP;
	}
	pg_port = sz_pg_port_parse(port);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
