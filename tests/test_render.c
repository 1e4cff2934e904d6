/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the renderers.  The JSON document is written to an
 * open_memstream buffer, parsed back with jansson and checked against the
 * sizeup.diagnose.v1 contract (SPEC section 5); the text report is compared
 * with tests/golden/report.txt and held to 80 columns.  Hostile process,
 * host and interface names (quotes, newlines, escape sequences, invalid
 * UTF-8, C1 controls) must come out as valid JSON and harmless text.
 */
#include "config.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "sizeup/analyzer.h"
#include "sizeup/config.h"
#include "sizeup/rates.h"
#include "sizeup/render.h"

#define GOLDEN FIXTURES "/../golden/report.txt"

/* A thread of its own process running for the whole window. */
static void
busy_process(struct scenario *sc, int pid, const char *comm, uint64_t ticks)
{
	smp_thread(sc->a, pid, pid, comm, 100, SMP_START(-300), 0);
	smp_thread(sc->b, pid, pid, comm, 100 + ticks, SMP_START(-300), 1);
}

/*
 * A database host whose working set outgrew RAM: memory thrashes, sda is
 * saturated by the refaults (also listed), postgres is the busiest
 * process, and the netflow probe was not built.
 */
static void
sc_thrashing_db(struct scenario *sc)
{
	struct sz_disk *sda;
	int id;

	sc_init(sc, 4);
	smp_mem(sc->b, 16 * SMP_GIB, 16 * SMP_GIB * 4 / 100);
	smp_vmstat(sc->b, &(struct smp_vm){ .refault = 11000,
	    .pgmajfault = 900 });
	smp_psi(&sc->b->mem.psi, 1200000, 300000);
	for (id = 0; id < 4; id++)
		smp_core(sc->b, id, &(struct sz_cpu_ticks){ .user = 150,
		    .system = 60, .iowait = 300, .idle = 490 });
	smp_procs(sc->b, 3, 6);
	sda = smp_find_disk(sc->b, "sda");
	sda->reads = 20000;
	sda->writes = 10000;
	sda->read_bytes = (uint64_t)20000 * 8192;
	sda->write_bytes = (uint64_t)10000 * 16384;
	sda->read_ms = 50000;
	sda->write_ms = 40000;
	sda->io_ms = 10000;
	sda->weighted_ms = 80000;
	smp_psi(&sc->b->disk.psi, 6000000, 2000000);
	busy_process(sc, 2001, "postgres", 450);
	smp_thread(sc->a, 2001, 2002, "postgres", 10, SMP_START(-300), 2);
	smp_thread(sc->b, 2001, 2002, "postgres", 130, SMP_START(-300), 3);
	busy_process(sc, 2100, "pg_dump", 120);
	sz_sample_add_error(sc->b, "netflow", SZ_ENOTBUILT,
	    "built without libpcap");
}

static const char *const hostile[] = {
	"quote\"q",
	"back\\slash",
	"new\nline",
	"\x1b[2J",
	"bad\xff\xc3\x28",
	"c1\xc2\x9bx",
	"tab\tdel\x7f",
	/* sanitized to 17 bytes: 16 end inside the second e-acute */
	"\x01\x01\x01" "a\xc3\xa9\xc3\xa9",
	/* RLO: would show as "xhs.png" */
	"x\xe2\x80\xae" "gnp.sh",
};

#define NHOSTILE (sizeof(hostile) / sizeof(hostile[0]))

/* What sz_str_sanitize makes of each hostile name. */
static const char *const hostile_safe[] = {
	"quote\"q",
	"back\\slash",
	"new\\x0aline",
	"\\x1b[2J",
	"bad\xef\xbf\xbd\xef\xbf\xbd(",
	"c1\xef\xbf\xbd\xef\xbf\xbdx",
	"tab\\x09del\\x7f",
	"\\x01\\x01\\x01a\xc3\xa9\xc3\xa9",
	"x\\u202egnp.sh",
};

/*
 * A host named with an escape sequence, whose hottest thread calls
 * itself ESC [ 2 J, beside processes with every other kind of bad name and
 * an interface whose name carries an OSC sequence.
 */
static void
sc_hostile(struct scenario *sc)
{
	size_t i;
	int id;

	sc_init(sc, 4);
	snprintf(sc->b->host.hostname, sizeof(sc->b->host.hostname),
	    "db\x1b[31m1\n");
	smp_core(sc->b, 3, &(struct sz_cpu_ticks){ .user = 990, .idle = 10 });
	for (i = 0; i < NHOSTILE; i++)
		busy_process(sc, 6000 + (int)i, hostile[i],
		    i == 3 ? 990 : 50 + i);
	for (id = 0; id < 2; id++) {
		smp_netif(id ? sc->b : sc->a, "ev\x1b]0;pwn\x07il",
		    &(struct sz_netif){ .rx_bytes = (uint64_t)id * 10000,
		    .speed_mbit = 100 });
		/* 15 bytes; the first 10 end inside the fifth e-acute */
		smp_netif(id ? sc->b : sc->a, "x\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9",
		    &(struct sz_netif){ .tx_bytes = (uint64_t)id * 20000,
		    .speed_mbit = 100 });
	}
	sz_sample_add_error(sc->b, "post\x1bgres", SZ_ECONNECT,
	    "server said \"%s\"", "\x1b[2Jno\xff");
}

/* Render rep as JSON into a NUL-terminated heap buffer. */
static char *
render_json(const struct sz_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sz_render_json(f, rep), SZ_OK);
	assert_int_equal(fclose(f), 0);
	assert_true(len > 0 && buf[len - 1] == '\n');
	return buf;
}

static char *
render_text(const struct sz_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(sz_render_text(f, rep), SZ_OK);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static json_t *
parse(const char *text)
{
	json_error_t err;
	json_t *doc = json_loads(text, 0, &err);

	if (doc == NULL)
		fail_msg("invalid JSON at line %d: %s", err.line, err.text);
	return doc;
}

/* No line longer than 80 columns (one column per code point). */
static void
assert_80_columns(const char *text)
{
	const char *line = text;
	size_t cols = 0;
	const char *p;

	for (p = text; *p != '\0'; p++) {
		if (*p == '\n') {
			if (cols > 80)
				fail_msg("%zu columns: %.*s", cols,
				    (int)(p - line), line);
			cols = 0;
			line = p + 1;
		} else if (((unsigned char)*p & 0xc0) != 0x80) {
			cols++;
		}
	}
	assert_int_equal(cols, 0);	/* ends with a newline */
}

/* Every string in the decoded document, keys too, is safe text. */
static void
assert_json_strings_safe(json_t *j)
{
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_string(j)) {
		assert_int_equal(strlen(json_string_value(j)),
		    json_string_length(j));
		smp_assert_safe_text(json_string_value(j), false);
	} else if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			smp_assert_safe_text(key, false);
			assert_json_strings_safe(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_json_strings_safe(v);
	}
}

/* Shares anywhere in the document are fractions, 0..1 (or null). */
static void
assert_fractions(json_t *j)
{
	static const char *const shares[] = { "busy", "user", "nice",
		"system", "irq", "softirq", "iowait", "steal", "guest", "idle",
		"util", "rx_util", "tx_util", "used", "some", "full",
		"confidence", "score", NULL };
	const char *key;
	json_t *v;
	size_t i;

	if (json_is_object(j)) {
		json_object_foreach(j, key, v) {
			for (i = 0; shares[i] != NULL; i++) {
				if (strcmp(key, shares[i]) != 0 ||
				    json_is_null(v))
					continue;
				if (!json_is_number(v))
					fail_msg("\"%s\" is not a number", key);
				if (json_number_value(v) < 0 ||
				    json_number_value(v) > 1)
					fail_msg("\"%s\": %g is not a fraction",
					    key, json_number_value(v));
			}
			assert_fractions(v);
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			assert_fractions(v);
	}
}

/* obj[key] exists and has the given jansson type; returns it. */
static json_t *
get(json_t *obj, const char *key, json_type type)
{
	json_t *v;

	if (!json_is_object(obj))
		fail_msg("looking up \"%s\" in a non-object", key);
	v = json_object_get(obj, key);
	if (v == NULL)
		fail_msg("key \"%s\" missing", key);
	if (json_typeof(v) != type &&
	    !(type == JSON_REAL && json_typeof(v) == JSON_INTEGER))
		fail_msg("key \"%s\" has type %d, expected %d", key,
		    (int)json_typeof(v), (int)type);
	return v;
}

static const char *
get_str(json_t *obj, const char *key)
{
	return json_string_value(get(obj, key, JSON_STRING));
}

static double
get_num(json_t *obj, const char *key)
{
	return json_number_value(get(obj, key, JSON_REAL));
}

/* The resource block: score, evidence entries with their four keys. */
static void
check_resource(json_t *res, const char *name)
{
	json_t *ev, *e;
	size_t i;

	if (!json_is_object(res))
		fail_msg("resources.%s is not an object", name);
	get(res, "score", JSON_REAL);
	ev = get(res, "evidence", JSON_ARRAY);
	json_array_foreach(ev, i, e) {
		get(e, "metric", JSON_STRING);
		get(e, "value", JSON_REAL);
		get(e, "threshold", JSON_REAL);
		get(e, "says", JSON_STRING);
	}
}

/* ---- JSON ----------------------------------------------------------- */

/* Every key SPEC section 5 requires, with its type, on a quiet host. */
static void
test_render_json_contract_quiet(void **state)
{
	struct scenario sc;
	json_t *doc, *host, *win, *v, *res, *procs, *p;
	char *text;
	size_t i;

	(void)state;
	sc_init(&sc, 4);
	text = render_json(sc_run(&sc));
	doc = parse(text);

	assert_string_equal(get_str(doc, "schema"), "sizeup.diagnose.v1");
	assert_string_equal(get_str(doc, "version"), PACKAGE_VERSION);

	host = get(doc, "host", JSON_OBJECT);
	assert_string_equal(get_str(host, "hostname"), "testhost");
	assert_string_equal(get_str(host, "kernel"), "6.1.0-test");
	assert_int_equal(json_integer_value(get(host, "cpus", JSON_INTEGER)),
	    4);
	assert_true(json_integer_value(get(host, "mem_total_bytes",
	    JSON_INTEGER)) == (json_int_t)(16 * SMP_GIB));

	win = get(doc, "window", JSON_OBJECT);
	assert_string_equal(get_str(win, "start"), "2026-12-03T09:00:00Z");
	assert_string_equal(get_str(win, "end"), "2026-12-03T09:00:10Z");
	sz_assert_near(get_num(win, "seconds"), 10, 1e-9);
	assert_int_equal(json_integer_value(get(win, "samples",
	    JSON_INTEGER)), 2);

	v = get(doc, "verdict", JSON_OBJECT);
	assert_string_equal(get_str(v, "bound"), "none");
	get(v, "kind", JSON_NULL);
	get(v, "bigger_server_helps", JSON_NULL);
	sz_assert_near(get_num(v, "confidence"), 0.82, 1e-9);
	assert_true(strncmp(get_str(v, "summary"), "no resource", 11) == 0);
	assert_int_equal(json_array_size(get(v, "advice", JSON_ARRAY)), 0);
	assert_int_equal(json_array_size(get(v, "also", JSON_ARRAY)), 0);

	res = get(doc, "resources", JSON_OBJECT);
	check_resource(get(res, "cpu", JSON_OBJECT), "cpu");
	check_resource(get(res, "memory", JSON_OBJECT), "memory");
	check_resource(get(res, "io", JSON_OBJECT), "io");
	check_resource(get(res, "network", JSON_OBJECT), "network");
	check_resource(get(res, "connections", JSON_OBJECT), "connections");
	assert_int_equal(json_object_size(res), 5);

	procs = get(doc, "processes", JSON_ARRAY);
	assert_int_equal(json_array_size(procs), 3);
	json_array_foreach(procs, i, p) {
		get(p, "pid", JSON_INTEGER);
		get(p, "comm", JSON_STRING);
		get(p, "cpu_cores", JSON_REAL);
	}
	/* hottest first: nginx's two threads used 20 + 30 of 1000 ticks */
	p = json_array_get(procs, 0);
	assert_int_equal(json_integer_value(get(p, "pid", JSON_INTEGER)), 812);
	assert_string_equal(get_str(p, "comm"), "nginx");
	sz_assert_near(get_num(p, "cpu_cores"), 0.05, 1e-9);
	assert_int_equal(json_integer_value(get(p, "threads", JSON_INTEGER)),
	    2);
	assert_int_equal(json_integer_value(get(p, "hot_tid", JSON_INTEGER)),
	    813);
	sz_assert_near(get_num(p, "hot_thread_cpu_cores"), 0.03, 1e-9);
	assert_string_equal(get_str(p, "hot_thread_comm"), "nginx");
	assert_int_equal(json_array_size(get(doc, "errors", JSON_ARRAY)), 0);

	json_decref(doc);
	free(text);
	sc_fini(&sc);
}

/* Ratios are fractions: 5% busy is 0.05, and so on everywhere. */
static void
test_render_json_ratios_are_fractions(void **state)
{
	struct scenario sc;
	json_t *doc, *res, *cpu, *ev, *e, *dev, *eth0, *ifs, *f;
	char *text;
	size_t i;

	(void)state;
	sc_thrashing_db(&sc);
	text = render_json(sc_run(&sc));
	doc = parse(text);
	assert_fractions(doc);

	res = get(doc, "resources", JSON_OBJECT);
	cpu = get(res, "cpu", JSON_OBJECT);
	sz_assert_near(get_num(get(cpu, "all", JSON_OBJECT), "iowait"), 0.3,
	    1e-9);
	sz_assert_near(get_num(get(res, "memory", JSON_OBJECT), "used"), 0.96,
	    1e-4);
	dev = json_array_get(get(get(res, "io", JSON_OBJECT), "devices",
	    JSON_ARRAY), 0);
	assert_string_equal(get_str(dev, "name"), "sda");
	sz_assert_near(get_num(dev, "util"), 1, 1e-9);
	sz_assert_near(get_num(dev, "await_ms"), 3, 1e-9);
	ifs = get(get(res, "network", JSON_OBJECT), "interfaces", JSON_ARRAY);
	eth0 = NULL;
	json_array_foreach(ifs, i, f) {
		if (strcmp(get_str(f, "name"), "eth0") == 0)
			eth0 = f;
		else
			get(f, "rx_util", JSON_NULL);	/* lo: unknown */
	}
	assert_non_null(eth0);
	sz_assert_near(get_num(eth0, "rx_util"), 0.01, 1e-9);
	assert_string_equal(get_str(eth0, "capacity_source"), "sysfs");
	ev = get(cpu, "evidence", JSON_ARRAY);
	json_array_foreach(ev, i, e) {
		if (strcmp(get_str(e, "metric"), "cpu.util") == 0)
			sz_assert_near(get_num(e, "value"), 0.21, 1e-9);
	}
	json_decref(doc);
	free(text);
	sc_fini(&sc);
}

/* A verdict with a rival: bound, kind, answer, advice and `also`. */
static void
test_render_json_verdict_and_also(void **state)
{
	struct scenario sc;
	json_t *doc, *v, *also, *a, *advice, *ev, *e;
	char *text;
	size_t i, found = 0;

	(void)state;
	sc_thrashing_db(&sc);
	text = render_json(sc_run(&sc));
	doc = parse(text);
	v = get(doc, "verdict", JSON_OBJECT);
	assert_string_equal(get_str(v, "bound"), "memory");
	assert_string_equal(get_str(v, "kind"), "thrashing");
	assert_string_equal(get_str(v, "bigger_server_helps"), "yes");
	sz_assert_near(get_num(v, "confidence"), sc.rep.confidence, 1e-9);
	advice = get(v, "advice", JSON_ARRAY);
	assert_int_equal(json_array_size(advice), sc.rep.nadvice);
	assert_true(json_array_size(advice) > 0);
	json_array_foreach(advice, i, a)
		assert_true(json_is_string(a));
	also = get(v, "also", JSON_ARRAY);
	assert_int_equal(json_array_size(also), 1);
	a = json_array_get(also, 0);
	assert_string_equal(get_str(a, "bound"), "io");
	assert_string_equal(get_str(a, "kind"), "device-saturated");
	sz_assert_near(get_num(a, "score"), 1, 1e-9);

	ev = get(get(get(doc, "resources", JSON_OBJECT), "memory",
	    JSON_OBJECT), "evidence", JSON_ARRAY);
	json_array_foreach(ev, i, e) {
		if (strcmp(get_str(e, "metric"), "mem.psi_some") != 0)
			continue;
		sz_assert_near(get_num(e, "value"), 0.12, 1e-9);
		sz_assert_near(get_num(e, "threshold"), 0.10, 1e-9);
		assert_string_equal(get_str(e, "says"),
		    "some task stalled on memory 12% of the time");
		found++;
	}
	assert_int_equal(found, 1);
	json_decref(doc);
	free(text);
	sc_fini(&sc);
}

/* A probe's error reaches "errors" with its probe, code and message. */
static void
test_render_json_errors(void **state)
{
	struct scenario sc;
	json_t *doc, *errors, *e;
	char *text;

	(void)state;
	sc_thrashing_db(&sc);
	text = render_json(sc_run(&sc));
	doc = parse(text);
	errors = get(doc, "errors", JSON_ARRAY);
	assert_int_equal(json_array_size(errors), 1);
	e = json_array_get(errors, 0);
	assert_string_equal(get_str(e, "probe"), "netflow");
	assert_string_equal(get_str(e, "code"), "ENOTBUILT");
	assert_string_equal(get_str(e, "message"), "built without libpcap");
	json_decref(doc);
	free(text);
	sc_fini(&sc);
}

/*
 * Hostile names: the output is valid JSON with no raw control byte, every
 * decoded string is safe text, quotes and backslashes round-trip exactly,
 * and the rest comes back as sz_str_sanitize spelled it.
 */
static void
test_render_json_hostile_names(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	json_t *doc, *procs, *p, *v, *errors;
	char *text;
	size_t i, k, seen = 0;

	(void)state;
	sc_hostile(&sc);
	rep = sc_run(&sc);
	assert_int_equal(rep->bound, SZ_BOUND_CPU);
	assert_string_equal(rep->kind, "single-thread");
	text = render_json(rep);
	smp_assert_safe_text(text, true);
	doc = parse(text);
	assert_json_strings_safe(doc);

	procs = get(doc, "processes", JSON_ARRAY);
	json_array_foreach(procs, i, p) {
		int pid = (int)json_integer_value(get(p, "pid", JSON_INTEGER));

		if (pid < 6000 || pid >= 6000 + (int)NHOSTILE)
			continue;
		k = (size_t)(pid - 6000);
		assert_string_equal(get_str(p, "comm"), hostile_safe[k]);
		/* each is its own hottest thread */
		assert_string_equal(get_str(p, "hot_thread_comm"),
		    hostile_safe[k]);
		seen++;
	}
	assert_int_equal(seen, NHOSTILE);

	v = get(doc, "verdict", JSON_OBJECT);
	assert_non_null(strstr(get_str(v, "summary"),
	    "one thread of \\x1b[2J (pid 6003)"));
	assert_string_equal(get_str(get(doc, "host", JSON_OBJECT),
	    "hostname"), "db\\x1b[31m1\\x0a");
	errors = get(doc, "errors", JSON_ARRAY);
	assert_string_equal(get_str(json_array_get(errors, 0), "probe"),
	    "post\\x1bgres");
	assert_string_equal(get_str(json_array_get(errors, 0), "message"),
	    "server said \"\\x1b[2Jno\xef\xbf\xbd\"");
	json_decref(doc);
	free(text);
	sc_fini(&sc);
}

/*
 * A PostgreSQL server out of slots, with a database named to harm a
 * terminal, and nginx near its descriptor limit.
 */
static void
sc_connections(struct scenario *sc)
{
	sc_init(sc, 4);
	smp_pg(sc->a, 20, 3, 3, 12, 2);
	smp_pg(sc->b, 20, 3, 3, 12, 2);
	sc->b->pg.waiting_lock = 1;
	snprintf(sc->b->pg.dbs[0].name, SZ_NAME_MAX, "\x1b[2Jshop\xff");
	smp_fd(sc->b, 4096, 1000000);
	smp_fd_proc(sc->b, 812, "nginx", 700, 1024);
	smp_fd_proc(sc->b, 900, "postgres", 40, UINT64_MAX);
}

/* The connections resource: slots, states, tops, descriptors. */
static void
test_render_json_connections(void **state)
{
	struct scenario sc;
	json_t *doc, *conn, *pg, *states, *fd, *procs, *dbs;
	char *text;

	(void)state;
	sc_connections(&sc);
	text = render_json(sc_run(&sc));
	doc = parse(text);
	assert_string_equal(get_str(get(doc, "verdict", JSON_OBJECT),
	    "kind"), "postgres-slots");
	conn = get(get(doc, "resources", JSON_OBJECT), "connections",
	    JSON_OBJECT);
	check_resource(conn, "connections");
	pg = get(conn, "postgresql", JSON_OBJECT);
	assert_string_equal(get_str(pg, "source"), "libpq");
	sz_assert_near(get_num(pg, "max_connections"), 20, 0);
	sz_assert_near(get_num(pg, "superuser_reserved_connections"), 3, 0);
	sz_assert_near(get_num(pg, "reserved_connections"), 0, 0);
	sz_assert_near(get_num(pg, "usable_slots"), 17, 0);
	sz_assert_near(get_num(pg, "used_slots"), 17, 0);
	sz_assert_near(get_num(pg, "used"), 1, 0);
	sz_assert_near(get_num(pg, "waiting_on_lock"), 1, 0);
	sz_assert_near(get_num(pg, "oldest_transaction_age_s"), 2.5, 0);
	assert_true(json_is_null(get(pg, "tcp_established", JSON_NULL)));
	states = get(pg, "states", JSON_OBJECT);
	assert_int_equal(json_object_size(states), SZ_PG_NSTATES);
	sz_assert_near(get_num(states, "active"), 3, 0);
	sz_assert_near(get_num(states, "idle"), 12, 0);
	sz_assert_near(get_num(states, "idle_in_transaction"), 2, 0);
	sz_assert_near(get_num(states, "idle_in_transaction_aborted"), 0, 0);
	dbs = get(pg, "databases", JSON_ARRAY);
	assert_int_equal(json_array_size(dbs), 1);
	assert_string_equal(get_str(json_array_get(dbs, 0), "name"),
	    "\\x1b[2Jshop\xef\xbf\xbd");
	fd = get(conn, "file_descriptors", JSON_OBJECT);
	sz_assert_near(get_num(fd, "allocated"), 4096, 0);
	sz_assert_near(get_num(fd, "max"), 1000000, 0);
	procs = get(fd, "processes", JSON_ARRAY);
	assert_int_equal(json_array_size(procs), 2);
	assert_string_equal(get_str(json_array_get(procs, 0), "comm"),
	    "nginx");
	sz_assert_near(get_num(json_array_get(procs, 0), "soft_limit"), 1024,
	    0);
	assert_true(json_is_null(get(json_array_get(procs, 1), "soft_limit",
	    JSON_NULL)));
	json_decref(doc);
	free(text);

	text = render_text(&sc.rep);
	smp_assert_safe_text(text, true);
	assert_80_columns(text);
	assert_non_null(strstr(text, "Postgres 17 of 17 usable slots used "
	    "(max_connections 20; libpq, port 5432)\n"));
	assert_non_null(strstr(text, "\n         3 active (1 waiting on a "
	    "lock), 12 idle, 2 idle in transaction\n"));
	assert_non_null(strstr(text, "databases: \\x1b[2Jshop\xef\xbf\xbd "
	    "17; users: app 17\n"));
	assert_non_null(strstr(text, "Files    4096 of 1000000 file handles "
	    "in use\n         fullest: nginx (pid 812) 700 of its 1024 "
	    "descriptors\n"));
	free(text);
	sc_fini(&sc);
}

/* ---- text ----------------------------------------------------------- */

/* Replace every occurrence of PACKAGE_VERSION so releases keep golden. */
static char *
unversion(const char *text)
{
	const char *ver = PACKAGE_VERSION, *tag = "@VERSION@", *p;
	size_t n = 0, vl = strlen(ver);
	char *out = malloc(strlen(text) * 2 + 16);

	assert_non_null(out);
	for (p = text; *p != '\0';) {
		if (strncmp(p, ver, vl) == 0) {
			memcpy(out + n, tag, strlen(tag));
			n += strlen(tag);
			p += vl;
		} else {
			out[n++] = *p++;
		}
	}
	out[n] = '\0';
	return out;
}

/* The whole file, or NULL if it cannot be opened. */
static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (f == NULL)
		return NULL;
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len >= 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

/*
 * The thrashing database host, as text, is exactly the golden report.
 * On a mismatch the output is left in report.txt.actual to diff.
 */
static void
test_render_text_golden(void **state)
{
	struct scenario sc;
	char *text, *got, *want;
	FILE *f;

	(void)state;
	sc_thrashing_db(&sc);
	text = render_text(sc_run(&sc));
	got = unversion(text);
	want = slurp(GOLDEN);
	if (want == NULL || strcmp(got, want) != 0) {
		f = fopen("report.txt.actual", "w");
		if (f != NULL) {
			fputs(got, f);
			fclose(f);
		}
		fail_msg("text report differs from %s (see "
		    "report.txt.actual)", GOLDEN);
	}
	free(want);
	free(got);
	free(text);
	sc_fini(&sc);
}

/* Every verdict's report fits 80 columns and holds no control byte. */
static void
test_render_text_80_columns(void **state)
{
	struct scenario sc;
	char *text;
	int id, round;

	(void)state;
	for (round = 0; round < 4; round++) {
		switch (round) {
		case 0:
			sc_thrashing_db(&sc);
			break;
		case 1:
			sc_hostile(&sc);
			break;
		case 2:
			/* 64 busy cores, a saturated link, a long error */
			sc_init(&sc, 64);
			for (id = 0; id < 64; id++)
				smp_core(sc.b, id, &(struct sz_cpu_ticks){
				    .user = 990, .idle = 10 });
			smp_find_netif(sc.b, "eth0")->tx_bytes = 1240000000;
			smp_find_netif(sc.b, "eth0")->tx_packets = 900000;
			smp_listen(sc.b, 100, 100);
			smp_tcp(sc.b, 100000, 9000);
			sz_sample_add_error(sc.b, "postgresql", SZ_ECONNECT,
			    "connection to server at \"db.internal.example."
			    "com\" (10.0.0.7), port 5432 failed: Connection "
			    "refused. Is the server running on that host and "
			    "accepting TCP/IP connections?");
			break;
		default:
			/* a single-thread verdict with a long name */
			sc_init(&sc, 16);
			smp_core(sc.b, 9, &(struct sz_cpu_ticks){
			    .user = 995, .idle = 5 });
			busy_process(&sc, 4194304, "\x1b\x1b\x1b\x1b\x1b"
			    "\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b\x1b", 995);
			break;
		}
		text = render_text(sc_run(&sc));
		smp_assert_safe_text(text, true);
		assert_80_columns(text);
		free(text);
		sc_fini(&sc);
	}
}

/* Hostile names reach the text report only as harmless text. */
static void
test_render_text_hostile_names(void **state)
{
	struct scenario sc;
	char *text;

	(void)state;
	sc_hostile(&sc);
	text = render_text(sc_run(&sc));
	smp_assert_safe_text(text, true);
	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "on db\\x1b[31m1\\x0a:"));
	assert_non_null(strstr(text, "one thread of \\x1b[2J (pid 6003)"));
	assert_non_null(strstr(text, "tab\\x09del\\x7f"));
	/* cut to its 16-byte column before the e-acute, not inside it */
	assert_non_null(strstr(text, " \\x01\\x01\\x01a\xc3\xa9  "));
	assert_non_null(strstr(text, "post\\x1bgres"));
	assert_non_null(strstr(text, " x\\u202egnp.sh "));
	free(text);
	sc_fini(&sc);
}

/* A quiet host's report says so and lists no advice. */
static void
test_render_text_quiet(void **state)
{
	struct scenario sc;
	char *text;

	(void)state;
	sc_init(&sc, 4);
	text = render_text(sc_run(&sc));
	assert_non_null(strstr(text,
	    "Verdict: no bottleneck (confidence 0.82)\n"));
	assert_null(strstr(text, "Advice:"));
	assert_null(strstr(text, "Not measured:"));
	assert_80_columns(text);
	free(text);
	sc_fini(&sc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render_json_contract_quiet),
		cmocka_unit_test(test_render_json_ratios_are_fractions),
		cmocka_unit_test(test_render_json_verdict_and_also),
		cmocka_unit_test(test_render_json_errors),
		cmocka_unit_test(test_render_json_hostile_names),
		cmocka_unit_test(test_render_json_connections),
		cmocka_unit_test(test_render_text_golden),
		cmocka_unit_test(test_render_text_80_columns),
		cmocka_unit_test(test_render_text_hostile_names),
		cmocka_unit_test(test_render_text_quiet),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
