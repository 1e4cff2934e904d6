/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the history behind `sizeup report` (history.c): counting
 * recorded verdicts by resource, kind and UTC hour, the worst windows,
 * the --since/--until filter, skipped lines, and the text (80 columns)
 * and sizeup.report.v1 JSON layouts.  Records are made in code.
 */
#include "config.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_compat.h"
#include "sizeup/history.h"

#define DAY0 1796256000		/* 2026-12-03T00:00:00Z */
#define HOUR 3600

static struct sz_record
rec(time_t start, enum sz_bound bound, const char *kind, double score)
{
	struct sz_record r;

	memset(&r, 0, sizeof(r));
	r.start = start;
	r.end = start + 5;
	r.seconds = 5;
	r.nsamples = 6;
	r.bound = bound;
	snprintf(r.kind, sizeof(r.kind), "%s", kind);
	snprintf(r.hostname, sizeof(r.hostname), "db1");
	snprintf(r.summary, sizeof(r.summary), "%s %s at %ld",
	    sz_bound_name(bound), kind, (long)start);
	r.confidence = 0.8;
	r.score[bound == SZ_BOUND_NONE ? SZ_BOUND_IO : bound] = score;
	r.line = (unsigned long)(start - DAY0) / 300 + 1;
	return r;
}

/* A day: quiet nights, CPU-bound mornings, one thrashing afternoon. */
static void
day(struct sz_history *h)
{
	struct sz_record r;
	int i;

	for (i = 0; i < 6; i++) {
		r = rec(DAY0 + i * HOUR, SZ_BOUND_NONE, "", 0.1 * i);
		sz_history_add(h, &r, "sizeup-20261203.jsonl");
	}
	r = rec(DAY0 + 9 * HOUR, SZ_BOUND_CPU, "all-cores", 0.9);
	sz_history_add(h, &r, "sizeup-20261203.jsonl");
	r = rec(DAY0 + 9 * HOUR + 300, SZ_BOUND_CPU, "all-cores", 0.95);
	sz_history_add(h, &r, "sizeup-20261203.jsonl");
	r = rec(DAY0 + 10 * HOUR, SZ_BOUND_CPU, "single-thread", 0.8);
	sz_history_add(h, &r, "sizeup-20261203.jsonl");
	r = rec(DAY0 + 15 * HOUR, SZ_BOUND_MEMORY, "thrashing", 0.99);
	sz_history_add(h, &r, "sizeup-20261203.jsonl");
}

static void
test_history_counts_and_shares(void **state)
{
	struct sz_history h;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	day(&h);
	sz_history_finish(&h);
	assert_int_equal(h.windows, 10);
	assert_int_equal(h.nhosts, 1);
	assert_int_equal(h.first, DAY0);
	assert_int_equal(h.last, DAY0 + 15 * HOUR + 5);
	assert_int_equal(h.bound_windows[SZ_BOUND_NONE], 6);
	assert_int_equal(h.bound_windows[SZ_BOUND_CPU], 3);
	sz_assert_near(h.bound_share[SZ_BOUND_CPU], 0.3, 1e-12);
	sz_assert_near(h.bound_share[SZ_BOUND_MEMORY], 0.1, 1e-12);
	sz_assert_near(h.bound_share[SZ_BOUND_IO], 0, 0);
	assert_int_equal(h.nkinds, 3);
	/* by resource, then most windows first */
	assert_int_equal(h.kinds[0].bound, SZ_BOUND_CPU);
	assert_string_equal(h.kinds[0].kind, "all-cores");
	assert_int_equal(h.kinds[0].windows, 2);
	sz_assert_near(h.kinds[0].share, 0.2, 1e-12);
	assert_string_equal(h.kinds[1].kind, "single-thread");
	assert_string_equal(h.kinds[2].kind, "thrashing");
	assert_int_equal(h.hour_windows[9], 2);
	assert_int_equal(h.hour_bound[9][SZ_BOUND_CPU], 2);
	assert_int_equal(h.hour_bound[3][SZ_BOUND_NONE], 1);
	assert_int_equal(h.hour_windows[20], 0);
}

static void
test_history_worst(void **state)
{
	struct sz_history h;
	struct sz_record r;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	day(&h);
	/* an equal score later in time goes after the earlier one */
	r = rec(DAY0 + 20 * HOUR, SZ_BOUND_CPU, "all-cores", 0.95);
	sz_history_add(&h, &r, "sizeup-20261203.jsonl");
	sz_history_finish(&h);
	assert_int_equal(h.nworst, SZ_HISTORY_WORST);
	sz_assert_near(h.worst[0].score, 0.99, 1e-12);
	assert_string_equal(h.worst[0].rec.kind, "thrashing");
	sz_assert_near(h.worst[1].score, 0.95, 1e-12);
	assert_int_equal(h.worst[1].rec.start, DAY0 + 9 * HOUR + 300);
	assert_int_equal(h.worst[2].rec.start, DAY0 + 20 * HOUR);
	sz_assert_near(h.worst[3].score, 0.9, 1e-12);
	sz_assert_near(h.worst[4].score, 0.8, 1e-12);
	assert_string_equal(h.worst[0].file, "sizeup-20261203.jsonl");
	assert_int_equal(h.worst[0].rec.line, 15 * 12 + 1);

	/* a window bound by nothing ranks by its highest score */
	sz_history_init(&h, NULL, NULL);
	r = rec(DAY0, SZ_BOUND_NONE, "", 0.6);
	r.score[SZ_BOUND_CPU] = 0.3;
	sz_history_add(&h, &r, "x");
	sz_assert_near(h.worst[0].score, 0.6, 1e-12);
}

static void
test_history_filter(void **state)
{
	time_t since = DAY0 + 9 * HOUR, until = DAY0 + 15 * HOUR;
	struct sz_history h;

	(void)state;
	sz_history_init(&h, &since, &until);
	day(&h);
	sz_history_finish(&h);
	/* [since, until): 09:00 and 09:05 and 10:00, not 15:00 */
	assert_int_equal(h.windows, 3);
	assert_int_equal(h.bound_windows[SZ_BOUND_MEMORY], 0);
	/* files: the day before's may end in a window started after its
	 * midnight; none of the day after's starts before until */
	assert_true(sz_history_wants_day(&h, DAY0));
	assert_true(sz_history_wants_day(&h, DAY0 - 86400));
	assert_false(sz_history_wants_day(&h, DAY0 - 2 * 86400));
	assert_false(sz_history_wants_day(&h, DAY0 + 86400));
	sz_history_init(&h, NULL, NULL);
	assert_true(sz_history_wants_day(&h, 0));
}

static void
test_history_skipped_lines(void **state)
{
	struct sz_record recs[2] = {
		rec(DAY0, SZ_BOUND_NONE, "", 0.1),
		rec(DAY0 + 300, SZ_BOUND_IO, "stalled", 0.8),
	};
	struct sz_record_file good = { .recs = recs, .n = 2 };
	struct sz_record_file bad = { .recs = recs, .n = 1, .bad = 2,
		.newer = 1, .first_bad = 17 };
	struct sz_history h;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	sz_history_add_file(&h, &good, "sizeup-20261202.jsonl");
	sz_history_add_file(&h, &bad, "sizeup-20261203.jsonl");
	sz_history_add_file(&h, &bad, "sizeup-20261204.jsonl");
	sz_history_finish(&h);
	assert_int_equal(h.files, 3);
	assert_int_equal(h.windows, 4);
	assert_int_equal(h.bad, 4);
	assert_int_equal(h.newer, 2);
	assert_string_equal(h.first_bad_file, "sizeup-20261203.jsonl");
	assert_int_equal(h.first_bad_line, 17);
}

static char *
render(const struct sz_history *h, bool json)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(json ? sz_history_render_json(f, h) :
	    sz_history_render_text(f, h), SZ_OK);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Columns of each line, counted per UTF-8 character. */
static void
assert_fits_80(const char *text)
{
	int cols = 0;

	for (; *text != '\0'; text++) {
		if (*text == '\n') {
			cols = 0;
			continue;
		}
		if (((unsigned char)*text & 0xc0) != 0x80 && ++cols > 80)
			fail_msg("a line is wider than 80 columns");
	}
}

static void
test_history_text(void **state)
{
	struct sz_history h;
	struct sz_record r;
	char *text;
	int hours = 0;
	const char *p;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	day(&h);
	r = rec(DAY0 + 16 * HOUR, SZ_BOUND_IO, "device-saturated", 0.97);
	/* one word longer than a line */
	memset(r.summary, 'w', sizeof(r.summary) - 1);
	r.summary[sizeof(r.summary) - 1] = '\0';
	sz_history_add(&h, &r, "sizeup-20261203.jsonl");
	h.bad = 1;
	snprintf(h.first_bad_file, sizeof(h.first_bad_file), "f.jsonl");
	h.first_bad_line = 3;
	sz_history_finish(&h);
	text = render(&h, false);
	assert_fits_80(text);
	assert_non_null(strstr(text, "11 windows of db1 in 0 files"));
	assert_non_null(strstr(text, "2026-12-03T00:00:00Z to "
	    "2026-12-03T16:00:05Z"));
	assert_non_null(strstr(text, "skipped 1 line that is not a record "
	    "(first: f.jsonl line 3)"));
	assert_non_null(strstr(text, "\n  cpu                               3"
	    "     27%\n    all-cores                       2     18%\n"
	    "    single-thread                   1      9%\n  memory  "));
	assert_non_null(strstr(text, "\n  nothing (none)                    6"
	    "     55%\n"));
	assert_non_null(strstr(text, "2026-12-03T15:00:00Z  memory / "
	    "thrashing, score 0.99\n      memory thrashing at"));
	assert_null(strstr(text, "network    "));	/* no such window */
	for (p = strstr(text, "\n    09 "); p != NULL; p = NULL)
		assert_true(strncmp(p, "\n    09        2     2      -", 29)
		    == 0);
	for (p = text; (p = strstr(p, "\n    ")) != NULL; p++)
		hours += p[5] >= '0' && p[5] <= '2' && p[7] == ' ';
	assert_int_equal(hours, 24);
	free(text);
}

static void
test_history_json(void **state)
{
	struct sz_history h;
	json_t *doc, *cpu, *hours;
	char *text;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	day(&h);
	h.newer = 2;
	sz_history_finish(&h);
	text = render(&h, true);
	doc = json_loads(text, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "schema")),
	    "sizeup.report.v1");
	assert_int_equal(json_integer_value(json_object_get(doc, "windows")),
	    10);
	assert_string_equal(json_string_value(json_array_get(
	    json_object_get(doc, "hosts"), 0)), "db1");
	assert_true(json_is_null(json_object_get(doc, "since")));
	assert_true(json_is_false(json_object_get(doc, "more_hosts")));
	assert_string_equal(json_string_value(json_object_get(doc, "first")),
	    "2026-12-03T00:00:00Z");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    doc, "skipped"), "newer_schema")), 2);
	cpu = json_object_get(json_object_get(doc, "bounds"), "cpu");
	sz_assert_near(json_real_value(json_object_get(cpu, "share")), 0.3,
	    1e-12);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(cpu, "kinds"), "all-cores"), "windows")), 2);
	assert_null(json_object_get(json_object_get(json_object_get(doc,
	    "bounds"), "none"), "kinds"));
	assert_int_equal(json_array_size(json_object_get(doc, "worst")), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(doc, "worst"), 0), "kind")), "thrashing");
	assert_true(json_is_null(json_object_get(json_array_get(
	    json_object_get(doc, "worst"), 4), "kind")));
	hours = json_object_get(doc, "hours");
	assert_int_equal(json_array_size(hours), 24);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_array_get(hours, 9), "bound"), "cpu")), 2);
	json_decref(doc);
	free(text);
}

static void
test_history_empty_and_hosts(void **state)
{
	static const char *const names[] = { "a", "b", "a", "c", "d", "e" };
	struct sz_history h;
	struct sz_record r;
	json_t *doc;
	char *text;
	size_t i;

	(void)state;
	sz_history_init(&h, NULL, NULL);
	sz_history_finish(&h);
	text = render(&h, false);
	assert_string_equal(text, "sizeup report: 0 windows in 0 files\n");
	free(text);
	text = render(&h, true);
	doc = json_loads(text, 0, NULL);
	assert_true(json_is_null(json_object_get(doc, "first")));
	assert_int_equal(json_array_size(json_object_get(doc, "worst")), 0);
	json_decref(doc);
	free(text);

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		r = rec(DAY0 + (time_t)i, SZ_BOUND_NONE, "", 0);
		snprintf(r.hostname, sizeof(r.hostname), "%s", names[i]);
		sz_history_add(&h, &r, "x");
	}
	sz_history_finish(&h);
	text = render(&h, false);
	assert_non_null(strstr(text, "6 windows of a, b, c, d and others "));
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_history_counts_and_shares),
		cmocka_unit_test(test_history_worst),
		cmocka_unit_test(test_history_filter),
		cmocka_unit_test(test_history_skipped_lines),
		cmocka_unit_test(test_history_text),
		cmocka_unit_test(test_history_json),
		cmocka_unit_test(test_history_empty_and_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
