/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of feed.c, the worker thread behind `sizeup top`: each sample
 * is taken against the previous one's thread table, bundles come without
 * the caller ever waiting on a sample, a slow source does not hold up
 * taking or stopping, and a changed interval applies at once.  A fake
 * source stands in for the probes, except in the last test, which samples
 * the live host.
 */
#include "config.h"

#include <poll.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "sizeup/feed.h"
#include "sizeup/sample.h"
#include "sizeup/xmalloc.h"

#define MARKS 16
#define NO_SLOW (-1)

/* A source whose sample n holds n processes, so a reference tells which
 * sample it came from. */
struct fake {
	atomic_int calls;
	long ref_mark[MARKS];	/* -1: called with no reference */
	int slow_call;		/* this call sleeps slow_s */
	double slow_s;
};

static void
fake_collect(void *arg, const struct sz_threads_sample *ref,
    struct sz_sample *s)
{
	struct fake *fk = arg;
	int n = atomic_fetch_add(&fk->calls, 1), i;

	if (n < MARKS)
		fk->ref_mark[n] = ref == NULL ? -1 : (long)ref->nprocs;
	if (n == fk->slow_call)
		smp_sleep_s(fk->slow_s);
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->wall);
	clock_gettime(CLOCK_BOOTTIME, &s->boot);
	s->hz = 100;
	s->threads.valid = true;
	s->threads.procs = sz_xcalloc((size_t)n + 1, sizeof(struct sz_task));
	for (i = 0; i < n; i++)
		s->threads.procs[i].pid = s->threads.procs[i].tid = i + 1;
	s->threads.nprocs = (size_t)n;
}

static struct sz_feed *
start_fake(struct fake *fk, double interval)
{
	struct sz_feed_source src = { fake_collect, NULL, fk };
	struct sz_config cfg;
	struct sz_feed *f;

	sz_config_init(&cfg);
	assert_int_equal(sz_feed_start(&f, &src, &cfg, interval), SZ_OK);
	sz_config_fini(&cfg);
	return f;
}

/* The next bundle within timeout seconds, or NULL. */
static struct sz_bundle *
wait_bundle(struct sz_feed *f, double timeout)
{
	double end = sz_monotonic_s() + timeout;
	struct pollfd p = { .fd = sz_feed_fd(f), .events = POLLIN };
	struct sz_bundle *b;

	for (;;) {
		b = sz_feed_take(f);
		if (b != NULL || sz_monotonic_s() >= end)
			return b;
		poll(&p, 1, (int)((end - sz_monotonic_s()) * 1000) + 1);
	}
}

static void
test_feed_each_sample_against_previous(void **state)
{
	struct fake fk = { .slow_call = NO_SLOW };
	struct sz_feed *f = start_fake(&fk, 0.05);
	struct sz_bundle *b;
	unsigned long last = 0;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		b = wait_bundle(f, 2);
		assert_non_null(b);
		assert_true(b->seq > last);
		last = b->seq;
		assert_ptr_equal(b->rep.rates, &b->rates);
		assert_true(b->rates.seconds > 0);
		assert_true(b->rates.threads.valid);
		assert_int_equal(b->rates.threads.total_procs, b->seq);
		sz_bundle_free(b);
	}
	assert_true(sz_feed_free(f, 1));
	/* the first sample has no reference, each later one the sample
	 * before it */
	assert_int_equal(fk.ref_mark[0], -1);
	for (i = 1; i < 4; i++)
		assert_int_equal(fk.ref_mark[i], i - 1);
}

static void
test_feed_untaken_bundle_replaced(void **state)
{
	struct fake fk = { .slow_call = NO_SLOW };
	struct sz_feed *f = start_fake(&fk, 0.05);
	struct sz_bundle *b;

	(void)state;
	smp_sleep_s(0.6);
	b = sz_feed_take(f);
	assert_non_null(b);
	assert_true(b->seq > 1);
	sz_bundle_free(b);
	assert_true(sz_feed_free(f, 1));
}

static void
test_feed_slow_source_never_blocks(void **state)
{
	/* static: a feed that cannot stop keeps using it */
	static struct fake fk = { .slow_call = 1, .slow_s = 3 };
	struct sz_feed *f = start_fake(&fk, 0.05);
	double t0;

	(void)state;
	while (atomic_load(&fk.calls) < 2)
		smp_sleep_s(0.01);
	/* the worker is asleep in its second sample */
	t0 = sz_monotonic_s();
	assert_null(sz_feed_take(f));
	sz_feed_set_interval(f, 0.1);
	assert_true(sz_monotonic_s() - t0 < 0.1);
	t0 = sz_monotonic_s();
	assert_false(sz_feed_free(f, 0.2));
	assert_true(sz_monotonic_s() - t0 < 1);
}

static void
test_feed_interval_change_applies_at_once(void **state)
{
	struct fake fk = { .slow_call = NO_SLOW };
	struct sz_feed *f = start_fake(&fk, 30);
	struct sz_bundle *b;
	double t0;

	(void)state;
	b = wait_bundle(f, 2);	/* the first comes after SZ_FEED_FIRST_S */
	assert_non_null(b);
	sz_bundle_free(b);
	t0 = sz_monotonic_s();
	sz_feed_set_interval(f, 0.1);
	b = wait_bundle(f, 5);
	assert_non_null(b);
	assert_true(sz_monotonic_s() - t0 < 2);
	sz_bundle_free(b);
	assert_true(sz_feed_free(f, 1));
}

static void
test_feed_live_host(void **state)
{
	struct sz_config cfg;
	struct sz_feed *f;
	struct sz_bundle *b;

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_feed_start_live(&f, &cfg, 0.2), SZ_OK);
	sz_config_fini(&cfg);
	b = wait_bundle(f, 5);
	assert_non_null(b);
	assert_true(b->rates.cpu.valid);
	assert_true(b->rates.cpu.ncores > 0);
	assert_true(b->rates.threads.valid);
	assert_true(b->rates.threads.total_procs > 0);
	sz_bundle_free(b);
	assert_true(sz_feed_free(f, 2));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_feed_each_sample_against_previous),
		cmocka_unit_test(test_feed_untaken_bundle_replaced),
		cmocka_unit_test(test_feed_interval_change_applies_at_once),
		cmocka_unit_test(test_feed_live_host),
		/* last: it leaves a worker asleep in its source */
		cmocka_unit_test(test_feed_slow_source_never_blocks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
