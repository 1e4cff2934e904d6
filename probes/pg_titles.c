/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * PostgreSQL backends counted without a connection.  Every backend names
 * itself in its process title, "postgres: [cluster: ]user database
 * host(port) activity", where the activity is "idle", "idle in
 * transaction", a command tag ("SELECT") with " waiting" while it waits
 * for a lock, and so on (PostgreSQL's ps_status.c and postgres.c).  The
 * titles of one server's children give its client backends by state,
 * database and user; /proc/net/tcp and tcp6 give the established TCP
 * connections to its port.  The settings (max_connections...) are not in
 * any title and stay unknown.
 *
 * This is what probes/postgresql.c falls back to without credentials or
 * when the server refuses, and, in a build without libpq, the PostgreSQL
 * probe itself (sz_probe_pg_titles).  Also here: the counting helpers both
 * share (pg.h).  Reads the process table through libproc2 (the live
 * /proc) and /proc/net/{tcp,tcp6,unix} and /proc/PID/fd below
 * sz_ctx_root().
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libproc2/pids.h>

#include "sizeup/pg.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

/* ---- tallies and states -------------------------------------------- */

void
sz_pg_tally_add(struct sz_pg_tally *t, const char *name, size_t len,
    uint64_t n)
{
	struct sz_pg_count *c;
	size_t i;

	if (len >= sizeof(c->name))
		len = sizeof(c->name) - 1;
	for (i = 0; i < t->n; i++) {
		c = &t->v[i];
		if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0') {
			c->n += n;
			return;
		}
	}
	if (t->n == t->cap) {
		t->cap = t->cap > 0 ? 2 * t->cap : 8;
		t->v = sz_xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	c = &t->v[t->n++];
	memcpy(c->name, name, len);
	c->name[len] = '\0';
	c->n = n;
}

static int
cmp_count(const void *a, const void *b)
{
	const struct sz_pg_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

void
sz_pg_tally_top(struct sz_pg_tally *t, struct sz_pg_count **out,
    size_t *nout)
{
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_count);
	if (t->n > SZ_PG_TOP)
		t->n = SZ_PG_TOP;
	*out = t->n > 0 ? t->v : NULL;
	*nout = t->n;
	if (t->n == 0)
		free(t->v);
	memset(t, 0, sizeof(*t));
}

enum sz_pg_state
sz_pg_state_parse(const char *state)
{
	static const char *const names[] = {
		[SZ_PG_ACTIVE] = "active",
		[SZ_PG_IDLE] = "idle",
		[SZ_PG_IDLE_IN_XACT] = "idle in transaction",
		[SZ_PG_IDLE_IN_XACT_ABORTED] = "idle in transaction (aborted)",
		[SZ_PG_FASTPATH] = "fastpath function call",
		[SZ_PG_DISABLED] = "disabled",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(state, names[i]) == 0)
			return (enum sz_pg_state)i;
	}
	return SZ_PG_OTHER;
}

/* ---- titles --------------------------------------------------------- */

#define TITLE_PREFIX "postgres: "
#define MAX_WORDS 32

struct word {
	const char *p;
	size_t len;
};

static bool
word_is(const struct word *w, const char *s)
{
	return w->len == strlen(s) && memcmp(w->p, s, w->len) == 0;
}

/* A backend's client: "[local]" for a Unix socket, else "host(port)". */
static bool
is_client_host(const struct word *w)
{
	size_t i;

	if (word_is(w, "[local]"))
		return true;
	if (w->len < 4 || w->p[w->len - 1] != ')')
		return false;
	for (i = w->len - 1; i-- > 0;) {
		if (w->p[i] == '(')
			return i > 0 && i + 2 < w->len;
		if (w->p[i] < '0' || w->p[i] > '9')
			return false;
	}
	return false;
}

bool
sz_pg_title_parse(const char *title, struct sz_pg_title *out)
{
	struct word w[MAX_WORDS];
	const char *p, *act;
	size_t nw = 0, first = 0, host, end;
	char state[40];

	memset(out, 0, sizeof(*out));
	if (strncmp(title, TITLE_PREFIX, strlen(TITLE_PREFIX)) != 0)
		return false;
	p = title + strlen(TITLE_PREFIX);
	while (nw < MAX_WORDS) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		w[nw].p = p;
		while (*p != ' ' && *p != '\0')
			p++;
		w[nw].len = (size_t)(p - w[nw].p);
		nw++;
	}
	/* cluster_name, when set, comes first with a colon: "15/main:" */
	if (nw > 0 && w[0].p[w[0].len - 1] == ':')
		first = 1;
	for (host = first + 1; host < nw; host++) {
		if (is_client_host(&w[host]))
			break;
	}
	/* no client address: a background process ("checkpointer",
	 * "autovacuum worker db", "parallel worker for PID 42"); a
	 * walsender has one but holds no connection slot */
	if (host >= nw || host < first + 2 || word_is(&w[first], "walsender"))
		return false;
	out->client = true;
	out->user = w[first].p;
	out->user_len = w[first].len;
	/* the database is every word up to the host: names may hold spaces,
	 * user names are taken to end at the first */
	out->db = w[first + 1].p;
	out->db_len = (size_t)(w[host - 1].p + w[host - 1].len - out->db);
	act = host + 1 < nw ? w[host + 1].p : "";
	end = strlen(act);
	while (end > 0 && act[end - 1] == ' ')
		end--;
	if (end >= sizeof(state))
		end = sizeof(state) - 1;
	memcpy(state, act, end);
	state[end] = '\0';
	out->state = sz_pg_state_parse(state);
	if (out->state == SZ_PG_DISABLED)
		out->state = SZ_PG_ACTIVE;	/* a command named so */
	if (out->state != SZ_PG_OTHER)
		return true;
	/* no activity yet (or update_process_title = off), logging in, or
	 * a command tag: "SELECT", "UPDATE waiting" */
	if (end == 0 || strcmp(state, "authentication") == 0 ||
	    strcmp(state, "startup") == 0)
		return true;
	out->state = SZ_PG_ACTIVE;
	out->waiting = end > 8 && strcmp(state + end - 8, " waiting") == 0;
	return true;
}

/* ---- sockets -------------------------------------------------------- */

/* Hex digits, exactly len of them. */
static bool
parse_hex(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 16)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];
		unsigned int d;

		if (c >= '0' && c <= '9')
			d = (unsigned int)(c - '0');
		else if (c >= 'A' && c <= 'F')
			d = (unsigned int)(c - 'A' + 10);
		else if (c >= 'a' && c <= 'f')
			d = (unsigned int)(c - 'a' + 10);
		else
			return false;
		v = v << 4 | d;
	}
	*out = v;
	return true;
}

#define TCP_ESTABLISHED 0x01
#define TCP_LISTEN 0x0A
#define SO_ACCEPTCON_FLAG 0x10000	/* __SO_ACCEPTCON: a listening socket */
#define MAX_LISTEN 64

struct sockets {
	uint64_t established;	/* to the port */
	uint64_t listen[MAX_LISTEN];	/* inodes listening on the port */
	size_t nlisten;
};

static void
add_listen(struct sockets *sk, uint64_t inode)
{
	if (sk->nlisten < MAX_LISTEN)
		sk->listen[sk->nlisten++] = inode;
}

/*
 * One line of /proc/net/tcp or tcp6 ("sl local rem st tx:rx tr:when
 * retrnsmt uid timeout inode ..."), addresses and ports in hex, state in
 * hex as include/net/tcp_states.h numbers it.
 */
static enum sz_err
tcp_line(const char *line, int port, struct sockets *sk)
{
	char w[6][48];
	const char *p = line, *colon;
	uint64_t local, st, inode;
	enum sz_err err = SZ_OK;
	size_t i;

	for (i = 0; i < 6 && err == SZ_OK; i++)
		err = sz_parse_word(&p, w[i], sizeof(w[i]));
	/* w: sl local rem st tx:rx tr:when; then retrnsmt uid timeout inode */
	for (i = 0; i < 3 && err == SZ_OK; i++)
		err = sz_parse_word(&p, w[5], sizeof(w[5]));
	if (err == SZ_OK)
		err = sz_parse_u64(&p, &inode);
	if (err)
		return err;
	colon = strrchr(w[1], ':');
	if (colon == NULL || !parse_hex(colon + 1, strlen(colon + 1), &local) ||
	    !parse_hex(w[3], strlen(w[3]), &st))
		return SZ_EPARSE;
	if (local != (uint64_t)port)
		return SZ_OK;
	if (st == TCP_ESTABLISHED)
		sk->established++;
	else if (st == TCP_LISTEN)
		add_listen(sk, inode);
	return SZ_OK;
}

static enum sz_err
read_tcp(const char *root, const char *relpath, int port, struct sockets *sk)
{
	const char *line;
	enum sz_err err;
	char *buf;

	err = sz_procfs_read(root, relpath, &buf, NULL);
	if (err)
		return err;
	for (line = sz_next_line(buf); line != NULL && err == SZ_OK;
	     line = sz_next_line(line))
		err = tcp_line(line, port, sk);
	free(buf);
	return err;
}

/*
 * Listening Unix sockets named .s.PGSQL.PORT in /proc/net/unix ("Num
 * RefCount Protocol Flags Type St Inode Path"): a server that listens on
 * no TCP address still has one.
 */
static enum sz_err
read_unix(const char *root, int port, struct sockets *sk)
{
	char w[6][48], path[4096], suffix[32];
	const char *line, *p;
	uint64_t flags, inode;
	enum sz_err err;
	size_t i, n, ns;
	char *buf;

	snprintf(suffix, sizeof(suffix), "/.s.PGSQL.%d", port);
	ns = strlen(suffix);
	err = sz_procfs_read(root, "proc/net/unix", &buf, NULL);
	if (err)
		return err;
	for (line = sz_next_line(buf); line != NULL;
	     line = sz_next_line(line)) {
		p = line;
		for (i = 0, err = SZ_OK; i < 6 && err == SZ_OK; i++)
			err = sz_parse_word(&p, w[i], sizeof(w[i]));
		if (err == SZ_OK)
			err = sz_parse_u64(&p, &inode);
		if (err)
			break;
		if (sz_parse_word(&p, path, sizeof(path)) != SZ_OK)
			continue;	/* unnamed */
		if (!parse_hex(w[3], strlen(w[3]), &flags) ||
		    !(flags & SO_ACCEPTCON_FLAG))
			continue;
		n = strlen(path);
		if (n >= ns && strcmp(path + n - ns, suffix) == 0)
			add_listen(sk, inode);
	}
	free(buf);
	return err;
}

/* ---- the process table ---------------------------------------------- */

struct sz_pg_titles {
	struct pids_info *info;
	bool absent;	/* the last process table read had no postgres */
};

static enum pids_item items[] = {
	PIDS_ID_PID,
	PIDS_ID_PPID,
	PIDS_CMD,
	PIDS_CMDLINE,
};

enum { I_PID, I_PPID, I_CMD, I_CMDLINE, NITEMS };

_Static_assert(sizeof(items) / sizeof(items[0]) == NITEMS,
    "items[] and its positions disagree");

struct sz_pg_titles *
sz_pg_titles_new(void)
{
	return sz_xcalloc(1, sizeof(struct sz_pg_titles));
}

void
sz_pg_titles_free(struct sz_pg_titles *t)
{
	if (t == NULL)
		return;
	if (t->info != NULL)
		procps_pids_unref(&t->info);
	free(t);
}

/* Was the postmaster told its port on the command line ("-p 5432",
 * "-p5432", "--port=5432", "-c port=5432")? */
static bool
cmdline_port(const char *cmdline, int port)
{
	char want[16];
	const char *p = cmdline;
	struct word prev = { "", 0 }, w;
	size_t n;

	n = (size_t)snprintf(want, sizeof(want), "%d", port);
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		w.p = p;
		while (*p != ' ' && *p != '\0')
			p++;
		w.len = (size_t)(p - w.p);
		if (w.len == 0)
			break;
		if ((word_is(&prev, "-p") && w.len == n &&
		    memcmp(w.p, want, n) == 0) ||
		    (w.len == n + 2 && memcmp(w.p, "-p", 2) == 0 &&
		    memcmp(w.p + 2, want, n) == 0) ||
		    (w.len == n + 7 && memcmp(w.p, "--port=", 7) == 0 &&
		    memcmp(w.p + 7, want, n) == 0) ||
		    (word_is(&prev, "-c") && w.len == n + 5 &&
		    memcmp(w.p, "port=", 5) == 0 &&
		    memcmp(w.p + 5, want, n) == 0))
			return true;
		prev = w;
	}
	return false;
}

static bool
is_postgres(const char *comm)
{
	return strcmp(comm, "postgres") == 0 || strcmp(comm, "postmaster") == 0;
}

/*
 * Does this postmaster serve the port: one of its sockets listens there
 * (its /proc/PID/fd is readable by root and the postgres user), or it was
 * given the port on its command line?  *unreadable is set when the
 * sockets could not be read.
 */
static bool
serves_port(const char *root, int pid, const char *cmdline, int port,
    const struct sockets *sk, bool *unreadable)
{
	uint64_t *inodes;
	char path[32];
	size_t n, i, j;
	bool found = false;

	snprintf(path, sizeof(path), "proc/%d/fd", pid);
	*unreadable = sz_procfs_fd_sockets(root, path, &inodes, &n) != SZ_OK;
	if (!*unreadable) {
		for (i = 0; i < n && !found; i++) {
			for (j = 0; j < sk->nlisten && !found; j++)
				found = inodes[i] == sk->listen[j];
		}
		free(inodes);
	}
	return found || cmdline_port(cmdline, port);
}

static bool
has_pid(const int *v, size_t n, int pid)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i] == pid)
			return true;
	}
	return false;
}

/* Tally the client backends among the children of the postmasters. */
static void
count_backends(const struct pids_fetch *f, const int *masters,
    size_t nmasters, struct sz_pg_sample *out)
{
	struct sz_pg_tally dbs = { 0 }, users = { 0 };
	struct sz_pg_title t;
	int i;

	for (i = 0; i < f->counts->total; i++) {
		const struct pids_result *v = f->stacks[i]->head;
		const char *title = v[I_CMDLINE].result.str;

		if (title == NULL ||
		    !has_pid(masters, nmasters, v[I_PPID].result.s_int) ||
		    !sz_pg_title_parse(title, &t))
			continue;
		out->backends++;
		out->states[t.state]++;
		out->waiting_lock += t.waiting;
		sz_pg_tally_add(&dbs, t.db, t.db_len, 1);
		sz_pg_tally_add(&users, t.user, t.user_len, 1);
	}
	sz_pg_tally_top(&dbs, &out->dbs, &out->ndbs);
	sz_pg_tally_top(&users, &out->users, &out->nusers);
}

bool
sz_pg_titles_absent(struct sz_pg_titles *t,
    const struct sz_threads_sample *table, int port, char *why, size_t whysz)
{
	size_t i;

	/* samples that skip the process table keep the last answer */
	if (table->valid) {
		t->absent = true;
		for (i = 0; i < table->nprocs && t->absent; i++)
			t->absent = !is_postgres(table->procs[i].comm);
	}
	if (t->absent)
		snprintf(why, whysz, "no PostgreSQL server on port %d in the "
		    "process table", port);
	return t->absent;
}

enum sz_err
sz_pg_titles_count(struct sz_pg_titles *t, const struct sz_ctx *ctx,
    int port, struct sz_pg_sample *out, char *why, size_t whysz)
{
	const char *root = sz_ctx_root(ctx);
	struct sockets sk = { 0 };
	struct pids_fetch *f;
	enum sz_err err, tcp_err;
	size_t nmasters = 0, nunreadable = 0;
	int *masters = NULL, i, rc;
	bool unreadable;

	if (t->info == NULL) {
		rc = procps_pids_new(&t->info, items, NITEMS);
		if (rc < 0) {
			t->info = NULL;
			snprintf(why, whysz, "libproc2: /proc: %s",
			    strerror(-rc));
			return sz_err_from_errno(-rc);
		}
	}
	tcp_err = read_tcp(root, "proc/net/tcp", port, &sk);
	err = read_tcp(root, "proc/net/tcp6", port, &sk);
	if (tcp_err == SZ_OK && err != SZ_ENOENT)	/* no IPv6: no tcp6 */
		tcp_err = err;
	(void)read_unix(root, port, &sk);	/* only helps find the server */

	errno = 0;
	f = procps_pids_reap(t->info, PIDS_FETCH_TASKS_ONLY);
	if (f == NULL) {
		err = errno != 0 ? sz_err_from_errno(errno) : SZ_ELIB;
		snprintf(why, whysz, "libproc2: /proc: %s",
		    errno != 0 ? strerror(errno) : "read failed");
		return err;
	}
	masters = sz_xcalloc((size_t)f->counts->total + 1, sizeof(int));
	for (i = 0; i < f->counts->total; i++) {
		const struct pids_result *v = f->stacks[i]->head;
		const char *comm = v[I_CMD].result.str;
		const char *cmdline = v[I_CMDLINE].result.str;

		/* the postmaster keeps its command line; children retitle */
		if (comm == NULL || cmdline == NULL || !is_postgres(comm) ||
		    strncmp(cmdline, TITLE_PREFIX, strlen(TITLE_PREFIX)) == 0)
			continue;
		if (serves_port(root, v[I_PID].result.s_int, cmdline, port,
		    &sk, &unreadable))
			masters[nmasters++] = v[I_PID].result.s_int;
		else
			nunreadable += unreadable;
	}
	if (nmasters == 0) {
		snprintf(why, whysz, "no PostgreSQL server on port %d in the "
		    "process table%s", port, nunreadable > 0 ? " (telling "
		    "which postgres listens there needs root)" : "");
		free(masters);
		return SZ_ENOENT;
	}
	memset(out, 0, sizeof(*out));
	count_backends(f, masters, nmasters, out);
	free(masters);
	out->valid = true;
	out->source = SZ_PG_SOURCE_TITLES;
	out->port = port;
	out->oldest_xact_s = -1;
	out->max_connections = -1;
	out->superuser_reserved = -1;
	out->reserved = -1;
	out->tcp_established = tcp_err == SZ_OK ? (int64_t)sk.established : -1;
	return SZ_OK;
}

int
sz_pg_port_parse(const char *s)
{
	int v = 0;

	if (s == NULL || *s < '0' || *s > '9')
		return 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (*s - '0');
		if (v > 65535)
			return 0;
	}
	/* a list for several hosts ("5432,5433"): the first */
	return (*s == '\0' || *s == ',') && v > 0 ? v : 0;
}

/* ---- the probe without libpq ---------------------------------------- */

struct titles_state {
	struct sz_pg_titles *titles;
	int port;
};

static enum sz_err
titles_open(const struct sz_ctx *ctx, void **state)
{
	struct titles_state *st = sz_xcalloc(1, sizeof(*st));
	int port = sz_pg_port_parse(getenv("PGPORT"));

	(void)ctx;
	st->titles = sz_pg_titles_new();
	st->port = port > 0 ? port : SZ_PG_DEFAULT_PORT;
	*state = st;
	return SZ_OK;
}

static void
titles_close(void *state)
{
	struct titles_state *st = state;

	if (st == NULL)
		return;
	sz_pg_titles_free(st->titles);
	free(st);
}

/*
 * Without libpq a connection string cannot be read, so the port is
 * PGPORT's or the default; a host without a server there gets no error
 * unless a server was asked for.
 */
static enum sz_err
titles_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	struct titles_state *st = state;
	bool asked = sz_ctx_pg_conninfo(ctx) != NULL;
	char why[SZ_ERRMSG_MAX];
	enum sz_err err;

	if (sz_pg_titles_absent(st->titles, &s->threads, st->port, why,
	    sizeof(why)))
		err = SZ_ENOENT;
	else
		err = sz_pg_titles_count(st->titles, ctx, st->port, &s->pg,
		    why, sizeof(why));
	if (err == SZ_ENOENT && !asked)
		return SZ_OK;
	if (err) {
		sz_sample_add_error(s, SZ_PG_PROBE, err, "%s", why);
		return err;
	}
	sz_sample_add_error(s, SZ_PG_PROBE, SZ_ENOTBUILT, "built without "
	    "libpq: counted from process titles on port %d%s", st->port,
	    asked ? " (the connection string is not read)" : "");
	return SZ_OK;
}

const struct sz_probe_ops sz_probe_pg_titles = {
	.name = SZ_PG_PROBE,
	.open = titles_open,
	.collect = titles_collect,
	.close = titles_close,
};
