/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of the analyzer: every verdict it can give, on hand-made
 * windows.  Each scenario starts from the quiet host of samples.c (four
 * cores, 10 s, nothing near a limit) and changes what its story needs, so
 * the expected bound, kind and answer follow from that story alone.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "sizeup/analyzer.h"
#include "sizeup/config.h"
#include "sizeup/rates.h"

/* A window of two samples 10 s apart, and what comes out of it. */
static const char *
or_null(const char *s)
{
	return s != NULL ? s : "(null)";
}

/* The exact verdict, or a failure that shows what came out instead. */
static void
verdict_is(const struct sz_report *rep, enum sz_bound bound,
    const char *kind, enum sz_helps helps)
{
	if (rep->bound == bound && strcmp(or_null(rep->kind),
	    or_null(kind)) == 0 && rep->helps == helps)
		return;
	fail_msg("verdict %s/%s/%s, expected %s/%s/%s (scores cpu %.2f "
	    "memory %.2f io %.2f network %.2f connections %.2f): %s",
	    sz_bound_name(rep->bound), or_null(rep->kind),
	    or_null(sz_helps_name(rep->helps)), sz_bound_name(bound),
	    or_null(kind), or_null(sz_helps_name(helps)),
	    rep->res[SZ_BOUND_CPU].score, rep->res[SZ_BOUND_MEMORY].score,
	    rep->res[SZ_BOUND_IO].score, rep->res[SZ_BOUND_NETWORK].score,
	    rep->res[SZ_BOUND_CONNECTIONS].score, rep->summary);
}

static const struct sz_evidence *
find_evidence(const struct sz_report *rep, enum sz_bound b,
    const char *metric)
{
	const struct sz_resource *res = &rep->res[b];
	size_t i;

	for (i = 0; i < res->nev; i++) {
		if (strcmp(res->ev[i].metric, metric) == 0)
			return &res->ev[i];
	}
	return NULL;
}

static void
assert_contains(const char *haystack, const char *needle)
{
	if (strstr(haystack, needle) == NULL)
		fail_msg("\"%s\" does not contain \"%s\"", haystack, needle);
}

/* Set every core of b to the same ticks. */
static void
all_cores(struct sz_sample *b, const struct sz_cpu_ticks *t)
{
	int id;

	for (id = 0; id < (int)b->cpu.ncores; id++)
		smp_core(b, id, t);
}

/* A thread of its own process running for the whole window. */
static void
hot_thread(struct scenario *sc, int pid, const char *comm, uint64_t ticks,
    int cpu_a, int cpu_b)
{
	smp_thread(sc->a, pid, pid, comm, 7000, SMP_START(-300), cpu_a);
	smp_thread(sc->b, pid, pid, comm, 7000 + ticks, SMP_START(-300),
	    cpu_b);
}

/* ---- none ----------------------------------------------------------- */

/*
 * The quiet host: nothing binds.  The highest score is RAM in use (37.5%
 * of 95%, times 0.9: 0.249), so confidence is 1 - 0.5 * 0.249 / 0.7.
 */
static void
test_analyzer_quiet_host_is_none(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	enum sz_bound b;

	(void)state;
	sc_init(&sc, 4);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_null(rep->kind);
	assert_null(sz_helps_name(rep->helps));
	assert_int_equal(rep->nalso, 0);
	assert_int_equal(rep->nadvice, 0);
	sz_assert_near(rep->confidence, 0.82, 1e-9);
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		assert_null(rep->res[b].kind);
		assert_true(rep->res[b].score < rep->th->bound);
	}
	assert_string_equal(rep->summary, "no resource is near its limit: "
	    "CPU 5% busy, 38% of RAM in use, busiest disk 5% busy");
	sc_fini(&sc);
}

/*
 * Quiet, but a disk at 85% busy (threshold 90%) is near binding: the
 * summary names it instead of calling the host far from its limits.
 */
static void
test_analyzer_quiet_names_the_closest(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	struct sz_disk *sda;

	(void)state;
	sc_init(&sc, 4);
	sda = smp_find_disk(sc.b, "sda");
	sda->writes = 20000;
	sda->write_ms = 10000;
	sda->io_ms = 8500;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_contains(rep->summary, "nothing is past its threshold; "
	    "closest: sda was busy 85% of the time (");
	assert_contains(rep->summary, "(threshold 0.9)");
	sc_fini(&sc);
}

/* Busy is not bound: 80% CPU, a 60% busy disk and a half-full link. */
static void
test_analyzer_busy_below_thresholds_is_none(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 700, .system = 100,
	    .idle = 200 });
	smp_procs(sc.b, 5, 0);
	smp_procs(sc.a, 5, 0);
	smp_find_disk(sc.b, "sda")->io_ms = 6000;
	smp_find_netif(sc.b, "eth0")->tx_bytes = 625000000;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	/* 0.8 / 0.9 of the bound is the top score here */
	sz_assert_near(rep->res[SZ_BOUND_CPU].score, 0.7 * 0.8 / 0.9, 1e-9);
	assert_true(rep->confidence > 0.5 && rep->confidence < 0.9);
	sc_fini(&sc);
}

/* Linux fills RAM with cache: 99% in use without pressure is no verdict. */
static void
test_analyzer_memory_used_alone_is_none(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB / 100);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_non_null(find_evidence(rep, SZ_BOUND_MEMORY, "mem.used"));
	assert_true(rep->res[SZ_BOUND_MEMORY].score < 0.7);
	sc_fini(&sc);
}

/* ---- cpu ------------------------------------------------------------ */

/* Every core 99% busy, three runnable tasks per core: more cores help. */
static void
test_analyzer_cpu_all_cores(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;
	int i;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 900, .system = 90,
	    .idle = 10 });
	smp_procs(sc.a, 13, 0);
	smp_procs(sc.b, 13, 0);
	for (i = 0; i < 8; i++)
		hot_thread(&sc, 3000 + i, "cc1", 490, i % 4, (i + 1) % 4);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "all-cores", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 0);
	assert_int_equal(rep->nadvice, 2);
	/* runq 12 / 4 cores = 3, twice its threshold: score 1 */
	sz_assert_near(rep->res[SZ_BOUND_CPU].score, 1, 1e-9);
	sz_assert_near(rep->confidence, 0.99, 1e-9);
	e = find_evidence(rep, SZ_BOUND_CPU, "cpu.util");
	assert_non_null(e);
	sz_assert_near(e->value, 0.99, 1e-9);
	sz_assert_near(e->threshold, 0.90, 1e-9);
	assert_string_equal(rep->summary, "all 4 cores are 99% busy with "
	    "3.0 runnable tasks per core");
	sc_fini(&sc);
}

/*
 * node (pid 4242) keeps core 2 99% busy; the other three cores idle at
 * 5%.  The host is 28.5% busy: a bigger server does not help.
 */
static void
test_analyzer_cpu_single_thread(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	smp_core(sc.b, 2, &(struct sz_cpu_ticks){ .user = 950, .system = 40,
	    .idle = 10 });
	hot_thread(&sc, 4242, "node", 990, 2, 2);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "single-thread", SZ_HELPS_NO);
	assert_int_equal(rep->nalso, 0);
	assert_true(rep->nadvice >= 2);
	e = find_evidence(rep, SZ_BOUND_CPU, "thread.cpu_max");
	assert_non_null(e);
	sz_assert_near(e->value, 0.99, 1e-9);
	sz_assert_near(e->threshold, 0.90, 1e-9);
	/* a share ramps from the bound at 0.9 to 1 at its ceiling, 1.0:
	 * 0.7 + 0.3 * (0.99 - 0.9) / (1 - 0.9) */
	sz_assert_near(e->score, 0.97, 1e-9);
	assert_string_equal(e->says,
	    "one thread of node (pid 4242) used 99% of one core");
	/* 4 x (1 - 0.285) = 2.86 cores' worth of room */
	assert_string_equal(rep->summary, "one thread of node (pid 4242) "
	    "uses 99% of a core while 3 of 4 cores idle");
	sc_fini(&sc);

	/* a worker thread with a name of its own: the process keeps its */
	sc_init(&sc, 4);
	smp_core(sc.b, 2, &(struct sz_cpu_ticks){ .user = 950, .system = 40,
	    .idle = 10 });
	smp_thread(sc.a, 5150, 5150, "python3", 100, SMP_START(-300), 0);
	smp_thread(sc.b, 5150, 5150, "python3", 101, SMP_START(-300), 0);
	smp_thread(sc.a, 5150, 5160, "worker-0", 7000, SMP_START(-300), 2);
	smp_thread(sc.b, 5150, 5160, "worker-0", 7990, SMP_START(-300), 2);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "single-thread", SZ_HELPS_NO);
	assert_string_equal(rep->summary, "one thread of python3 (pid 5150), "
	    "worker-0 (tid 5160), uses 99% of a core while 3 of 4 cores "
	    "idle");
	sc_fini(&sc);
}

/*
 * The same thread, but the scheduler moves it around: each core carries
 * a quarter of it and none looks full.  Thread attribution still finds it.
 */
static void
test_analyzer_cpu_single_thread_migrating(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	size_t k;
	int id;

	(void)state;
	sc_init(&sc, 4);
	for (id = 0; id < 4; id++)
		smp_core(sc.b, id, &(struct sz_cpu_ticks){
		    .user = 40 + (id < 2 ? 248 : 247), .system = 10,
		    .idle = 950 - (id < 2 ? 248 : 247) });
	hot_thread(&sc, 777, "ruby", 990, 0, 3);
	rep = sc_run(&sc);
	for (k = 0; k < sc.rates.cpu.ncores; k++)
		assert_true(sc.rates.cpu.cores[k].busy < 0.35);
	verdict_is(rep, SZ_BOUND_CPU, "single-thread", SZ_HELPS_NO);
	assert_contains(rep->summary, "ruby (pid 777)");
	sc_fini(&sc);
}

/* On a 2-core host the other core is the room: "1 of 2 cores". */
static void
test_analyzer_cpu_single_thread_two_cores(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 2);
	smp_core(sc.b, 1, &(struct sz_cpu_ticks){ .user = 990, .idle = 10 });
	hot_thread(&sc, 4242, "node", 990, 1, 1);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "single-thread", SZ_HELPS_NO);
	assert_contains(rep->summary, "while 1 of 2 cores idle");
	sc_fini(&sc);
}

/*
 * One CPU: the hot thread is the whole host.  That is all-cores (more
 * cores do help the rest of the host), never single-thread.
 */
static void
test_analyzer_cpu_one_cpu_host_not_single_thread(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 1);
	smp_core(sc.b, 0, &(struct sz_cpu_ticks){ .user = 980, .system = 10,
	    .idle = 10 });
	hot_thread(&sc, 4242, "node", 980, 0, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "all-cores", SZ_HELPS_YES);
	assert_null(find_evidence(rep, SZ_BOUND_CPU, "thread.cpu_max"));
	assert_contains(rep->summary, "99% busy");
	sc_fini(&sc);
}

/*
 * Eight tasks per core wait to run while the cores are only 30% busy
 * (bursts, tasks woken together after I/O): more cores would not remove
 * the queue, so it is no CPU verdict.
 */
static void
test_analyzer_cpu_queue_on_idle_cores_is_none(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 250, .system = 50,
	    .idle = 700 });
	smp_procs(sc.a, 33, 0);
	smp_procs(sc.b, 33, 0);
	rep = sc_run(&sc);
	assert_non_null(find_evidence(rep, SZ_BOUND_CPU, "cpu.runq_per_cpu"));
	sz_assert_near(find_evidence(rep, SZ_BOUND_CPU,
	    "cpu.runq_per_cpu")->value, 8, 1e-9);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	sc_fini(&sc);
}

/* The hypervisor takes 30% of every core: partly. */
static void
test_analyzer_cpu_steal(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 200, .system = 50,
	    .steal = 300, .idle = 450 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "steal", SZ_HELPS_PARTLY);
	e = find_evidence(rep, SZ_BOUND_CPU, "cpu.steal");
	assert_non_null(e);
	sz_assert_near(e->value, 0.30, 1e-9);
	sz_assert_near(e->score, 1, 1e-9);
	assert_string_equal(rep->summary,
	    "the hypervisor takes 30% of CPU time from this guest");
	sc_fini(&sc);
}

/* ---- memory --------------------------------------------------------- */

/* The working set does not fit: refaults, major faults, memory PSI. */
static void
test_analyzer_memory_thrashing(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 3 / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 30000,
	    .pgmajfault = 8000 });
	smp_psi(&sc.b->mem.psi, 4000000, 1500000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "thrashing", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 0);
	sz_assert_near(find_evidence(rep, SZ_BOUND_MEMORY,
	    "mem.refault_per_s")->value, 3000, 1e-9);
	assert_string_equal(rep->summary, "the working set does not fit: "
	    "3000 refaults/s, 800 major faults/s, tasks stalled on memory "
	    "40% of the time");
	sc_fini(&sc);
}

/*
 * Thrashing makes I/O: the disk is 100% busy and scores higher than
 * memory, but memory is the root cause; io is listed under `also`.
 */
static void
test_analyzer_memory_beats_io(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 4 / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 11000,
	    .pgmajfault = 50 });
	smp_psi(&sc.b->mem.psi, 1200000, 0);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 40, .system = 10,
	    .iowait = 300, .idle = 650 });
	smp_find_disk(sc.b, "sda")->io_ms = 10000;
	smp_psi(&sc.b->disk.psi, 6000000, 2000000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "thrashing", SZ_HELPS_YES);
	/* memory: psi some 0.12 / 0.10 = 1.2 -> 0.7 + 0.3 * 0.4 */
	sz_assert_near(rep->res[SZ_BOUND_MEMORY].score, 0.82, 1e-9);
	sz_assert_near(rep->res[SZ_BOUND_IO].score, 1, 1e-9);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_IO);
	assert_string_equal(rep->also[0].kind, "device-saturated");
	sz_assert_near(rep->also[0].score, 1, 1e-9);
	/* 0.6 + 0.4 * 0.12 / 0.3 - 0.2 * 1 (a strong rival) */
	sz_assert_near(rep->confidence, 0.56, 1e-9);
	sc_fini(&sc);
}

/*
 * A disk busy with reads and writes, 98% of RAM available and 1537
 * refaults/s (figures of the io-fsync scenario on a host whose page cache
 * is trimmed): the refaults bind memory on their own.
 */
static const struct sz_report *
paging_and_disk(struct scenario *sc, uint64_t reads, uint64_t writes)
{
	struct sz_disk *sda;

	sc_init(sc, 2);
	smp_mem(sc->b, 16 * SMP_GIB, 16 * SMP_GIB * 98 / 100);
	smp_vmstat(sc->b, &(struct smp_vm){ .refault = 15370,
	    .pgmajfault = 74 });
	all_cores(sc->b, &(struct sz_cpu_ticks){ .user = 100, .system = 200,
	    .iowait = 340, .idle = 360 });
	sda = smp_find_disk(sc->b, "sda");
	sda->reads = reads;
	sda->writes = writes;
	sda->io_ms = 7600;
	smp_psi(&sc->b->disk.psi, 5800000, 3350000);
	return sc_run(sc);
}

/*
 * 45 reads/s cannot be what keeps 35000 fsync'd writes/s busy: io is the
 * verdict, memory listed under `also`.  With reads a third of the
 * operations, paging can be the load and memory is the verdict.
 */
static void
test_analyzer_io_beats_sparse_refaults(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	rep = paging_and_disk(&sc, 450, 350950);
	verdict_is(rep, SZ_BOUND_IO, "device-saturated", SZ_HELPS_YES);
	sz_assert_near(rep->res[SZ_BOUND_MEMORY].score, 1, 1e-9);
	assert_string_equal(rep->res[SZ_BOUND_MEMORY].kind, "cgroup-limit");
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_MEMORY);
	sc_fini(&sc);

	rep = paging_and_disk(&sc, 100000, 200000);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_IO);
	sc_fini(&sc);
}

/*
 * kswapd burns a core while memory thrashes: the hot thread is a symptom.
 * CPU scores 0.97 and memory 0.73, but memory is the verdict.
 */
static void
test_analyzer_memory_beats_single_thread(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 5 / 100);
	smp_psi(&sc.b->mem.psi, 1050000, 0);
	smp_core(sc.b, 0, &(struct sz_cpu_ticks){ .system = 990, .idle = 10 });
	hot_thread(&sc, 90, "kswapd0", 990, 0, 0);
	rep = sc_run(&sc);
	assert_string_equal(rep->res[SZ_BOUND_CPU].kind, "single-thread");
	assert_true(rep->res[SZ_BOUND_CPU].score >
	    rep->res[SZ_BOUND_MEMORY].score);
	verdict_is(rep, SZ_BOUND_MEMORY, "thrashing", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_CPU);
	assert_string_equal(rep->also[0].kind, "single-thread");
	sc_fini(&sc);
}

/* Swapping: 500 pages/s in and out, little else. */
static void
test_analyzer_memory_swapping(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 2 / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .pswpin = 2000, .pswpout = 3000,
	    .refault = 100 });
	smp_psi(&sc.b->mem.psi, 500000, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "swapping", SZ_HELPS_YES);
	assert_string_equal(rep->summary,
	    "the host swaps 500 pages/s with 98% of RAM in use");
	sc_fini(&sc);
}

/* The OOM killer struck while RAM was exhausted. */
static void
test_analyzer_memory_oom(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 100, .oom_kill = 1 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "oom", SZ_HELPS_YES);
	e = find_evidence(rep, SZ_BOUND_MEMORY, "mem.oom_kills");
	assert_non_null(e);
	sz_assert_near(e->value, 1, 1e-9);
	sz_assert_near(e->score, 0.7, 1e-9);
	sc_fini(&sc);
}

/*
 * Pages thrash while 75% of host RAM is available: a cgroup limit binds,
 * and a bigger server's RAM would sit unused behind it.
 */
static void
test_analyzer_memory_cgroup_limit(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 12 * SMP_GIB);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 30000,
	    .pgmajfault = 2000 });
	smp_psi(&sc.b->mem.psi, 3000000, 1000000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	assert_contains(rep->summary, "3000 refaults/s");
	assert_contains(rep->summary, "75% of host RAM is available");
	sc_fini(&sc);
}

/* ---- cgroups -------------------------------------------------------- */

/*
 * A quota of half a core throttles /docker/web in 60 of its 100 periods
 * while the host's four cores idle: the quota binds, not the host.
 */
static void
test_analyzer_cpu_quota(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	smp_cgroup_cpu(sc.a, "/docker/web", 50000, 0, 0, 0, 0, 0);
	smp_cgroup_cpu(sc.b, "/docker/web", 50000, 100, 60, 3000000,
	    5000000, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "cpu-quota", SZ_HELPS_NO);
	e = find_evidence(rep, SZ_BOUND_CPU, "cgroup.cpu_throttled");
	assert_non_null(e);
	sz_assert_near(e->value, 0.6, 1e-9);
	sz_assert_near(e->threshold, 0.25, 1e-9);
	sz_assert_near(e->score, 1, 1e-9);
	assert_string_equal(e->says, "cgroup /docker/web (quota 0.50 cores) "
	    "was throttled in 60% of its periods, 0.30 s/s, using 0.50 "
	    "cores");
	assert_string_equal(rep->summary, "cgroup /docker/web is throttled "
	    "in 60% of its periods by its CPU quota of 0.50 cores while 4 "
	    "of 4 cores idle");
	assert_true(rep->nadvice >= 2);
	assert_contains(rep->advice[0], "quota");
	sc_fini(&sc);

	/* 10% of periods throttled: below the threshold, a quiet host */
	sc_init(&sc, 4);
	smp_cgroup_cpu(sc.a, "/docker/web", 50000, 0, 0, 0, 0, 0);
	smp_cgroup_cpu(sc.b, "/docker/web", 50000, 100, 10, 500000, 4000000,
	    0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	e = find_evidence(rep, SZ_BOUND_CPU, "cgroup.cpu_throttled");
	assert_non_null(e);
	sz_assert_near(e->score, 0.7 * 0.1 / 0.25, 1e-9);
	sc_fini(&sc);

	/* throttled in 5 of 5 periods: too few to tell anything */
	sc_init(&sc, 4);
	smp_cgroup_cpu(sc.a, "/docker/web", 50000, 0, 0, 0, 0, 0);
	smp_cgroup_cpu(sc.b, "/docker/web", 50000, 5, 5, 250000, 250000, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_null(find_evidence(rep, SZ_BOUND_CPU, "cgroup.cpu_throttled"));
	sc_fini(&sc);
}

/* The host's cores are 95% busy: throttled or not, more cores help. */
static void
test_analyzer_cpu_quota_host_full(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 900, .system = 50,
	    .idle = 50 });
	smp_procs(sc.b, 9, 0);
	smp_cgroup_cpu(sc.a, "/docker/web", 50000, 0, 0, 0, 0, 0);
	smp_cgroup_cpu(sc.b, "/docker/web", 50000, 100, 60, 3000000,
	    5000000, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "all-cores", SZ_HELPS_YES);
	assert_non_null(find_evidence(rep, SZ_BOUND_CPU,
	    "cgroup.cpu_throttled"));
	sc_fini(&sc);
}

/*
 * node (pid 4242) uses a full core and /app, with a quota of one core,
 * is throttled in half its periods.  When node runs in /app, the quota
 * is what holds it; when it runs elsewhere, its own thread is.
 */
static void
test_analyzer_cpu_quota_vs_single_thread(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	int pid;

	(void)state;
	for (pid = 4242; pid <= 4243; pid++) {
		sc_init(&sc, 4);
		smp_core(sc.b, 2, &(struct sz_cpu_ticks){ .user = 950,
		    .system = 40, .idle = 10 });
		hot_thread(&sc, 4242, "node", 990, 2, 2);
		smp_cgroup_cpu(sc.a, "/app", 100000, 0, 0, 0, 0, pid);
		smp_cgroup_cpu(sc.b, "/app", 100000, 100, 50, 4000000,
		    9900000, pid);
		rep = sc_run(&sc);
		if (pid == 4242) {
			verdict_is(rep, SZ_BOUND_CPU, "cpu-quota",
			    SZ_HELPS_NO);
			assert_contains(rep->summary, "cgroup /app");
		} else {
			verdict_is(rep, SZ_BOUND_CPU, "single-thread",
			    SZ_HELPS_NO);
		}
		sc_fini(&sc);
	}
}

/* Host RAM 75% free, pages thrash: the figures of a limited group. */
static void
thrash_under_limit(struct scenario *sc, uint64_t usage, uint64_t hits)
{
	sc_init(sc, 4);
	smp_mem(sc->b, 16 * SMP_GIB, 12 * SMP_GIB);
	smp_vmstat(sc->b, &(struct smp_vm){ .refault = 30000,
	    .pgmajfault = 2000 });
	smp_psi(&sc->b->mem.psi, 3000000, 1000000);
	smp_cgroup_mem(sc->a, "/docker/db", 256 << 20, usage, 0, 0, 0);
	smp_cgroup_mem(sc->b, "/docker/db", 256 << 20, usage, hits, 0,
	    28000);
}

/*
 * /docker/db sits at its 256 MiB limit and reads 2800 evicted pages a
 * second back: the verdict names it.  Below its limit, its refaults are
 * not its limit's doing, and the unnamed inference remains.
 */
static void
test_analyzer_memory_cgroup_named(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	thrash_under_limit(&sc, 250 << 20, 500);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	assert_string_equal(rep->summary, "cgroup /docker/db is at its memory "
	    "limit of 256 MiB: 2800 of its evicted pages per second are read "
	    "straight back");
	e = find_evidence(rep, SZ_BOUND_MEMORY, "cgroup.mem_refault_per_s");
	assert_non_null(e);
	sz_assert_near(e->value, 2800, 1e-9);
	sz_assert_near(e->score, 1, 1e-9);
	e = find_evidence(rep, SZ_BOUND_MEMORY, "cgroup.mem_used");
	assert_non_null(e);
	sz_assert_near(e->value, 250.0 / 256.0, 1e-9);
	e = find_evidence(rep, SZ_BOUND_MEMORY, "cgroup.mem_limit_hits_per_s");
	assert_non_null(e);
	sz_assert_near(e->value, 50, 1e-9);
	sz_assert_near(e->score, 0, 1e-9);
	sc_fini(&sc);

	/* half full, no limit hits: not the group's limit */
	thrash_under_limit(&sc, 128 << 20, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	assert_contains(rep->summary, "75% of host RAM is available");
	e = find_evidence(rep, SZ_BOUND_MEMORY, "cgroup.mem_refault_per_s");
	assert_non_null(e);
	sz_assert_near(e->score, 0, 1e-9);
	sc_fini(&sc);

	/* usage unknown (v1 without usage_in_bytes), but limit hits: at it */
	thrash_under_limit(&sc, 0, 500);
	sc.b->cgroup.groups[0].has_mem_usage = false;
	rep = sc_run(&sc);
	assert_contains(rep->summary, "cgroup /docker/db is at its memory");
	assert_null(find_evidence(rep, SZ_BOUND_MEMORY, "cgroup.mem_used"));
	sc_fini(&sc);
}

/*
 * Evicted pages read back (1600/s) with 98% of host RAM free, nobody
 * stalled on memory, and the cgroups in view with none near its limit:
 * the kernel trims its page cache of its own accord (this is what DAMON
 * does on the machine the scenario suite runs on).  Not a bottleneck.
 * Without cgroup figures the same pages still suggest an unnamed limit.
 */
static void
test_analyzer_memory_reclaim_not_a_limit(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 98 / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 16000,
	    .pgmajfault = 50 });
	smp_cgroup_mem(sc.a, "/docker/db", 1 << 30, 100 << 20, 0, 0, 0);
	smp_cgroup_mem(sc.b, "/docker/db", 1 << 30, 100 << 20, 0, 0, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	e = find_evidence(rep, SZ_BOUND_MEMORY, "mem.refault_per_s");
	assert_non_null(e);
	sz_assert_near(e->value, 1600, 1e-9);
	assert_true(e->score < rep->res[SZ_BOUND_MEMORY].score + 1e-9);
	assert_true(e->score < 0.7);
	assert_contains(e->says, "the kernel trims its cache");
	sc_fini(&sc);

	sc_init(&sc, 4);
	smp_mem(sc.b, 16 * SMP_GIB, 16 * SMP_GIB * 98 / 100);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 16000,
	    .pgmajfault = 50 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	sc_fini(&sc);
}

/*
 * The OOM killer struck inside /batch, limited to 512 MiB, on a host with
 * RAM to spare: the group's limit, not the host's RAM.  A kill outside
 * any limited group on top of it is the host's.
 */
static void
test_analyzer_memory_cgroup_oom(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 100, .oom_kill = 1 });
	smp_cgroup_mem(sc.a, "/batch", 512 << 20, 500 << 20, 0, 0, 0);
	smp_cgroup_mem(sc.b, "/batch", 512 << 20, 100 << 20, 40, 1, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "cgroup-limit", SZ_HELPS_NO);
	assert_string_equal(rep->summary, "the kernel killed 1 processes of "
	    "cgroup /batch at its memory limit of 512 MiB");
	sc_fini(&sc);

	sc_init(&sc, 4);
	smp_vmstat(sc.b, &(struct smp_vm){ .refault = 100, .oom_kill = 2 });
	smp_cgroup_mem(sc.a, "/batch", 512 << 20, 500 << 20, 0, 0, 0);
	smp_cgroup_mem(sc.b, "/batch", 512 << 20, 100 << 20, 40, 1, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_MEMORY, "oom", SZ_HELPS_YES);
	sc_fini(&sc);
}

/* ---- io ------------------------------------------------------------- */

/* sda is 98% busy at 5000 IOPS, 2 ms each, queue 4. */
static void
test_analyzer_io_device_saturated(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;
	struct sz_disk *sda;

	(void)state;
	sc_init(&sc, 4);
	sda = smp_find_disk(sc.b, "sda");
	sda->reads = 30000;
	sda->writes = 20000;
	sda->read_ms = 40000;
	sda->write_ms = 60000;
	sda->io_ms = 9800;
	sda->weighted_ms = 40000;
	smp_psi(&sc.b->disk.psi, 5000000, 1000000);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 40, .system = 10,
	    .iowait = 200, .idle = 750 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_IO, "device-saturated", SZ_HELPS_YES);
	e = find_evidence(rep, SZ_BOUND_IO, "disk.util_max");
	assert_non_null(e);
	sz_assert_near(e->value, 0.98, 1e-9);
	sz_assert_near(e->threshold, 0.90, 1e-9);
	sz_assert_near(e->score, 0.7 + 0.3 * (0.98 - 0.9) / (1 - 0.9), 1e-9);
	assert_string_equal(e->says, "sda was busy 98% of the time (5000 "
	    "IOPS, 2.0 ms per I/O, queue 4.0)");
	assert_contains(rep->summary, "sda is busy 98% of the time");
	assert_contains(rep->summary, "5000 IOPS, 2.0 ms per I/O, queue 4.0");
	sc_fini(&sc);
}

/*
 * Tasks wait on I/O 45% of the time but sda is only 20% busy: something
 * upstream (a volume's IOPS cap, io.max) throttles.
 */
static void
test_analyzer_io_stalled(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_find_disk(sc.b, "sda")->io_ms = 2000;
	smp_psi(&sc.b->disk.psi, 4500000, 1500000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_IO, "stalled", SZ_HELPS_PARTLY);
	assert_contains(rep->summary, "wait on I/O 45% of the time");
	assert_contains(rep->summary, "20% busy");
	sc_fini(&sc);
}

/*
 * An SSD that serves I/O in parallel reads only 70% busy while tasks
 * wait on it 45% of the time: pressure on a busy device is the device.
 */
static void
test_analyzer_io_busy_ssd_with_pressure(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_find_disk(sc.b, "sda")->io_ms = 7000;
	smp_psi(&sc.b->disk.psi, 4500000, 1500000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_IO, "device-saturated", SZ_HELPS_YES);
	assert_contains(rep->summary, "sda is busy 70% of the time");
	sc_fini(&sc);
}

/* The same on a kernel without PSI: iowait tells it, and says so. */
static void
test_analyzer_io_stalled_without_psi(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	memset(&sc.a->disk.psi, 0, sizeof(sc.a->disk.psi));
	memset(&sc.b->disk.psi, 0, sizeof(sc.b->disk.psi));
	smp_find_disk(sc.b, "sda")->io_ms = 2000;
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 40, .system = 10,
	    .iowait = 400, .idle = 550 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_IO, "stalled", SZ_HELPS_PARTLY);
	assert_null(find_evidence(rep, SZ_BOUND_IO, "io.psi_some"));
	assert_contains(rep->summary, "40% of the time");
	assert_contains(rep->summary, "20% busy");
	sc_fini(&sc);
}

/* ---- network -------------------------------------------------------- */

/* eth0 sends 120 MB/s on a 1 Gbit/s link: 96%. */
static void
test_analyzer_network_link_saturated(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	struct sz_netif *eth0;

	(void)state;
	sc_init(&sc, 4);
	eth0 = smp_find_netif(sc.b, "eth0");
	eth0->tx_bytes = 1200000000;
	eth0->tx_packets = 800000;
	eth0->rx_packets = 400000;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NETWORK, "link-saturated", SZ_HELPS_PARTLY);
	sz_assert_near(find_evidence(rep, SZ_BOUND_NETWORK,
	    "net.util_max")->value, 0.96, 1e-9);
	assert_string_equal(rep->summary,
	    "eth0 runs at 96% of its 1000 Mbit/s");
	sc_fini(&sc);
}

/* The link is full only by the config's capacity (a shaped uplink). */
static void
test_analyzer_network_link_from_config(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_find_netif(sc.b, "eth0")->tx_bytes = 115000000;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_int_equal(sz_config_add_link(&sc.cfg, "eth0=100mbit"), SZ_OK);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NETWORK, "link-saturated", SZ_HELPS_PARTLY);
	assert_string_equal(rep->summary, "eth0 runs at 92% of its 100 Mbit/s");
	sc_fini(&sc);
}

/* eth0 drops 2% of its packets. */
static void
test_analyzer_network_drops(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	struct sz_netif *eth0;

	(void)state;
	sc_init(&sc, 4);
	eth0 = smp_find_netif(sc.b, "eth0");
	eth0->rx_packets = 100000;
	eth0->tx_packets = 50000;
	eth0->rx_drop = 3000;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NETWORK, "drops", SZ_HELPS_PARTLY);
	sz_assert_near(find_evidence(rep, SZ_BOUND_NETWORK,
	    "net.drop_ratio")->value, 0.02, 1e-9);
	assert_string_equal(rep->summary, "eth0 drops 2.00% of its packets");
	sc_fini(&sc);
}

/* 5% of TCP segments are sent again. */
static void
test_analyzer_network_retransmits(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_tcp(sc.b, 100000, 5000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NETWORK, "retransmits", SZ_HELPS_PARTLY);
	sz_assert_near(find_evidence(rep, SZ_BOUND_NETWORK,
	    "tcp.retrans_ratio")->value, 0.05, 1e-9);
	assert_string_equal(rep->summary,
	    "5.0% of TCP segments are retransmitted");
	sc_fini(&sc);
}

/*
 * Below net_min_pkts_per_s ratios are noise: 5 of 50 segments resent and
 * half of a sleepy interface's 5 packets/s dropped raise no alarm.
 */
static void
test_analyzer_network_sparse_traffic_no_alarm(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	size_t k;

	(void)state;
	sc_init(&sc, 4);
	smp_tcp(sc.b, 500, 50);
	smp_netif(sc.a, "wg0", &(struct sz_netif){ .speed_mbit = -1 });
	smp_netif(sc.b, "wg0", &(struct sz_netif){ .rx_packets = 30,
	    .tx_packets = 20, .rx_drop = 25, .speed_mbit = -1 });
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_null(find_evidence(rep, SZ_BOUND_NETWORK, "tcp.retrans_ratio"));
	for (k = 0; k < rep->res[SZ_BOUND_NETWORK].nev; k++)
		assert_null(strstr(rep->res[SZ_BOUND_NETWORK].ev[k].says,
		    "wg0"));

	/* the same ratios at 100 segments/s do count */
	smp_tcp(sc.b, 1000, 100);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NETWORK, "retransmits", SZ_HELPS_PARTLY);
	sc_fini(&sc);
}

/* ---- connections ---------------------------------------------------- */

/* Five connections a second overflow a listen queue. */
static void
test_analyzer_connections_accept_queue(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_listen(sc.b, 50, 50);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "accept-queue", SZ_HELPS_NO);
	sz_assert_near(find_evidence(rep, SZ_BOUND_CONNECTIONS,
	    "tcp.listen_overflows_per_s")->value, 5, 1e-9);
	sc_fini(&sc);
}

static bool
advice_has(const struct sz_report *rep, const char *needle)
{
	size_t i;

	for (i = 0; i < rep->nadvice; i++) {
		if (strstr(rep->advice[i], needle) != NULL)
			return true;
	}
	return false;
}

/* The same PostgreSQL reading in both samples. */
static void
both_pg(struct scenario *sc, uint64_t active, uint64_t idle,
    uint64_t idle_in_xact)
{
	smp_pg(sc->a, 100, 3, active, idle, idle_in_xact);
	smp_pg(sc->b, 100, 3, active, idle, idle_in_xact);
}

/*
 * 95 of the 97 usable slots (100 - 3 reserved) are taken, 85 of them by
 * idle clients: a transaction-mode pooler, not a bigger server.
 */
static void
test_analyzer_connections_pg_slots_idle(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	const struct sz_evidence *e;

	(void)state;
	sc_init(&sc, 4);
	both_pg(&sc, 10, 70, 15);
	sc.b->pg.oldest_xact_s = 300;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots", SZ_HELPS_NO);
	e = find_evidence(rep, SZ_BOUND_CONNECTIONS, "pg.slots_used");
	assert_non_null(e);
	sz_assert_near(e->value, 95.0 / 97, 1e-9);
	sz_assert_near(e->threshold, 0.90, 1e-9);
	assert_true(rep->res[SZ_BOUND_CONNECTIONS].score >= 0.7);
	assert_string_equal(rep->summary, "95 of 97 usable PostgreSQL "
	    "connection slots are in use: 10 active, 70 idle, 15 idle in "
	    "transaction, 0 waiting on a lock");
	assert_true(advice_has(rep, "transaction-mode pooler"));
	assert_true(advice_has(rep, "shorten transactions"));
	assert_true(advice_has(rep, "memory"));
	assert_false(advice_has(rep, "pg_blocking_pids"));
	sz_assert_near(find_evidence(rep, SZ_BOUND_CONNECTIONS,
	    "pg.oldest_xact_s")->value, 300, 1e-9);
	sc_fini(&sc);

	/* young transactions, few idle in them: no such advice */
	sc_init(&sc, 4);
	both_pg(&sc, 10, 70, 15);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots", SZ_HELPS_NO);
	assert_false(advice_has(rep, "shorten transactions"));
	sc_fini(&sc);
}

/* 85 of 97 slots (88%): busy, but not full. */
static void
test_analyzer_connections_pg_slots_below(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	both_pg(&sc, 10, 75, 0);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_true(rep->res[SZ_BOUND_CONNECTIONS].score < 0.7);
	sc_fini(&sc);
}

/* Slots held by lock waiters: find the holder. */
static void
test_analyzer_connections_pg_lock_waits(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	both_pg(&sc, 60, 35, 2);
	sc.b->pg.waiting_lock = 50;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots", SZ_HELPS_NO);
	assert_true(advice_has(rep, "pg_blocking_pids"));
	assert_true(advice_has(rep, "find the slow statements"));
	sc_fini(&sc);
}

/* All cores 93% busy (score 0.79) while every slot is in use. */
static void
busy_cpu_full_slots(struct scenario *sc, uint64_t on_cpu)
{
	all_cores(sc->b, &(struct sz_cpu_ticks){ .user = 900, .system = 30,
	    .idle = 70 });
	both_pg(sc, 90, 5, 2);
	sc->a->pg.active_on_cpu = on_cpu;
	sc->b->pg.active_on_cpu = on_cpu;
}

/*
 * The backends holding the slots run on a CPU-starved host: the slots
 * fill because queries are slow, so CPU is the verdict although the slots
 * score higher.
 */
static void
test_analyzer_connections_busy_slots_yield_to_cpu(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	busy_cpu_full_slots(&sc, 85);
	rep = sc_run(&sc);
	assert_true(rep->res[SZ_BOUND_CONNECTIONS].score >
	    rep->res[SZ_BOUND_CPU].score);
	verdict_is(rep, SZ_BOUND_CPU, "all-cores", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_CONNECTIONS);
	assert_string_equal(rep->also[0].kind, "postgres-slots");
	sc_fini(&sc);
}

/* The same host, but the active backends wait on sleeps and clients, not
 * on the CPU: the slots are the cause. */
static void
test_analyzer_connections_held_slots_beat_cpu(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	busy_cpu_full_slots(&sc, 3);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots", SZ_HELPS_NO);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_CPU);
	sc_fini(&sc);
}

/* sizeup itself was turned away, counted from titles: slots unknown. */
static void
test_analyzer_connections_refused_titles(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	both_pg(&sc, 5, 90, 0);
	sc.b->pg.source = SZ_PG_SOURCE_TITLES;
	sc.b->pg.max_connections = -1;
	sc.b->pg.superuser_reserved = -1;
	sc.b->pg.reserved = -1;
	sc.b->pg.waits_known = false;
	sc.b->pg.refused_full = true;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "postgres-slots", SZ_HELPS_NO);
	assert_false(rep->rates->pg.slots_known);
	assert_string_equal(rep->summary, "PostgreSQL has no connection slot "
	    "left: it turned sizeup away with 95 client backends open");
	sc_fini(&sc);

	/* without the refusal, counts alone do not judge the slots */
	sc_init(&sc, 4);
	both_pg(&sc, 5, 90, 0);
	sc.b->pg.max_connections = -1;
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	sc_fini(&sc);
}

/* nginx holds 1000 of its 1024 descriptors. */
static void
test_analyzer_connections_fd_process(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_fd(sc.b, 5000, 1000000);
	smp_fd_proc(sc.b, 812, "nginx", 1000, 1024);
	smp_fd_proc(sc.b, 900, "postgres", 30, UINT64_MAX);
	smp_fd_proc(sc.b, 950, "redis", 100, 10000);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "fd-limit", SZ_HELPS_NO);
	assert_string_equal(rep->summary, "nginx (pid 812) has 1000 files "
	    "and sockets open of its limit of 1024: new connections fail "
	    "with EMFILE");
	sz_assert_near(find_evidence(rep, SZ_BOUND_CONNECTIONS,
	    "fd.process_used")->value, 1000.0 / 1024, 1e-9);
	assert_true(advice_has(rep, "LimitNOFILE="));
	/* the fullest first; unlimited counts as empty */
	assert_int_equal(rep->rates->fd.nprocs, 3);
	assert_int_equal(rep->rates->fd.procs[1].pid, 950);
	sz_assert_near(rep->rates->fd.procs[2].used, 0, 1e-12);
	sc_fini(&sc);
}

static void
test_analyzer_connections_fd_system(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_fd(sc.b, 95000, 100000);
	smp_fd_proc(sc.b, 812, "nginx", 100, 1024);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CONNECTIONS, "fd-limit", SZ_HELPS_NO);
	assert_true(advice_has(rep, "fs.file-max"));
	assert_string_equal(rep->summary, "95000 of the system's 100000 file "
	    "handles are in use: opening files and sockets fails with ENFILE");
	sc_fini(&sc);
}

/* ---- root cause and configuration ----------------------------------- */

/*
 * All cores busy (score 0.97) and the disk saturated (score 1): a
 * CPU-starved host queues everywhere, so CPU is the verdict.
 */
static void
test_analyzer_all_cores_beats_io(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	all_cores(sc.b, &(struct sz_cpu_ticks){ .user = 950, .system = 40,
	    .idle = 10 });
	smp_find_disk(sc.b, "sda")->io_ms = 10000;
	smp_psi(&sc.b->disk.psi, 6000000, 2000000);
	rep = sc_run(&sc);
	sz_assert_near(rep->res[SZ_BOUND_CPU].score, 0.97, 1e-9);
	sz_assert_near(rep->res[SZ_BOUND_IO].score, 1, 1e-9);
	verdict_is(rep, SZ_BOUND_CPU, "all-cores", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_IO);
	assert_string_equal(rep->also[0].kind, "device-saturated");
	sc_fini(&sc);
}

/*
 * A thread at 80% of a core is below the default 90%; an operator who
 * sets cpu_thread = 0.75 gets a single-thread verdict from the same data.
 */
static void
test_analyzer_threshold_override(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;

	(void)state;
	sc_init(&sc, 4);
	smp_core(sc.b, 1, &(struct sz_cpu_ticks){ .user = 840, .idle = 160 });
	hot_thread(&sc, 5150, "python3", 800, 1, 1);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_int_equal(sz_config_set_threshold(&sc.cfg, "cpu_thread",
	    "0.75"), SZ_OK);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_CPU, "single-thread", SZ_HELPS_NO);
	sz_assert_near(find_evidence(rep, SZ_BOUND_CPU,
	    "thread.cpu_max")->threshold, 0.75, 1e-9);
	sc_fini(&sc);
}

/*
 * Every piece of evidence names its metric, value, threshold and a
 * sentence; a resource's score is its best piece's.
 */
static void
test_analyzer_evidence_complete(void **state)
{
	struct scenario sc;
	const struct sz_report *rep;
	enum sz_bound b;
	size_t i;

	(void)state;
	sc_init(&sc, 4);
	smp_find_disk(sc.b, "sda")->io_ms = 9800;
	smp_listen(sc.b, 10, 10);
	rep = sc_run(&sc);
	verdict_is(rep, SZ_BOUND_IO, "device-saturated", SZ_HELPS_YES);
	assert_int_equal(rep->nalso, 1);
	assert_int_equal(rep->also[0].bound, SZ_BOUND_CONNECTIONS);
	for (b = SZ_BOUND_CPU; b < SZ_NBOUNDS; b++) {
		const struct sz_resource *res = &rep->res[b];
		double best = 0;

		assert_true(res->nev > 0);
		for (i = 0; i < res->nev; i++) {
			const struct sz_evidence *e = &res->ev[i];

			assert_non_null(e->metric);
			assert_non_null(strchr(e->metric, '.'));
			assert_true(e->threshold > 0);
			assert_true(e->score >= 0 && e->score <= 1);
			assert_true(strlen(e->says) > 10);
			best = fmax(best, e->score);
		}
		sz_assert_near(res->score, best, 1e-12);
	}
	sc_fini(&sc);
}

/*
 * Nothing measured at all (every probe failed): none, no crash, and no
 * confident all-clear: the summary sends the reader to the errors.
 */
static void
test_analyzer_nothing_measured(void **state)
{
	struct sz_sample *w[2] = { sz_sample_new(), sz_sample_new() };
	struct sz_config cfg;
	struct sz_rates r;
	struct sz_report rep;

	(void)state;
	w[1]->mono.tv_sec = 5;
	sz_config_init(&cfg);
	assert_int_equal(sz_rates_compute(&r,
	    (const struct sz_sample *const *)w, 2, &cfg), SZ_OK);
	sz_analyze(&r, &cfg.th, &rep);
	verdict_is(&rep, SZ_BOUND_NONE, NULL, SZ_HELPS_NULL);
	assert_int_equal(rep.nalso, 0);
	sz_assert_near(rep.confidence, 0, 1e-12);
	assert_string_equal(rep.summary,
	    "nothing could be measured: see the errors");
	sz_rates_fini(&r);
	smp_free(w, 2);
}

static void
test_analyzer_names(void **state)
{
	(void)state;
	assert_string_equal(sz_bound_name(SZ_BOUND_NONE), "none");
	assert_string_equal(sz_bound_name(SZ_BOUND_CPU), "cpu");
	assert_string_equal(sz_bound_name(SZ_BOUND_MEMORY), "memory");
	assert_string_equal(sz_bound_name(SZ_BOUND_IO), "io");
	assert_string_equal(sz_bound_name(SZ_BOUND_NETWORK), "network");
	assert_string_equal(sz_bound_name(SZ_BOUND_CONNECTIONS),
	    "connections");
	assert_string_equal(sz_bound_name(SZ_NBOUNDS), "none");
	assert_string_equal(sz_helps_name(SZ_HELPS_YES), "yes");
	assert_string_equal(sz_helps_name(SZ_HELPS_NO), "no");
	assert_string_equal(sz_helps_name(SZ_HELPS_PARTLY), "partly");
	assert_null(sz_helps_name(SZ_HELPS_NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyzer_quiet_host_is_none),
		cmocka_unit_test(test_analyzer_busy_below_thresholds_is_none),
		cmocka_unit_test(test_analyzer_memory_used_alone_is_none),
		cmocka_unit_test(test_analyzer_cpu_all_cores),
		cmocka_unit_test(test_analyzer_cpu_single_thread),
		cmocka_unit_test(test_analyzer_cpu_single_thread_migrating),
		cmocka_unit_test(test_analyzer_cpu_single_thread_two_cores),
		cmocka_unit_test(
		    test_analyzer_cpu_one_cpu_host_not_single_thread),
		cmocka_unit_test(test_analyzer_cpu_queue_on_idle_cores_is_none),
		cmocka_unit_test(test_analyzer_cpu_steal),
		cmocka_unit_test(test_analyzer_memory_thrashing),
		cmocka_unit_test(test_analyzer_memory_beats_io),
		cmocka_unit_test(test_analyzer_io_beats_sparse_refaults),
		cmocka_unit_test(test_analyzer_memory_beats_single_thread),
		cmocka_unit_test(test_analyzer_memory_swapping),
		cmocka_unit_test(test_analyzer_memory_oom),
		cmocka_unit_test(test_analyzer_memory_cgroup_limit),
		cmocka_unit_test(test_analyzer_cpu_quota),
		cmocka_unit_test(test_analyzer_cpu_quota_host_full),
		cmocka_unit_test(test_analyzer_cpu_quota_vs_single_thread),
		cmocka_unit_test(test_analyzer_memory_cgroup_named),
		cmocka_unit_test(test_analyzer_memory_reclaim_not_a_limit),
		cmocka_unit_test(test_analyzer_memory_cgroup_oom),
		cmocka_unit_test(test_analyzer_quiet_names_the_closest),
		cmocka_unit_test(test_analyzer_io_device_saturated),
		cmocka_unit_test(test_analyzer_io_stalled),
		cmocka_unit_test(test_analyzer_io_stalled_without_psi),
		cmocka_unit_test(test_analyzer_io_busy_ssd_with_pressure),
		cmocka_unit_test(test_analyzer_network_link_saturated),
		cmocka_unit_test(test_analyzer_network_link_from_config),
		cmocka_unit_test(test_analyzer_network_drops),
		cmocka_unit_test(test_analyzer_network_retransmits),
		cmocka_unit_test(
		    test_analyzer_network_sparse_traffic_no_alarm),
		cmocka_unit_test(test_analyzer_connections_accept_queue),
		cmocka_unit_test(test_analyzer_connections_pg_slots_idle),
		cmocka_unit_test(test_analyzer_connections_pg_slots_below),
		cmocka_unit_test(test_analyzer_connections_pg_lock_waits),
		cmocka_unit_test(
		    test_analyzer_connections_busy_slots_yield_to_cpu),
		cmocka_unit_test(test_analyzer_connections_held_slots_beat_cpu),
		cmocka_unit_test(test_analyzer_connections_refused_titles),
		cmocka_unit_test(test_analyzer_connections_fd_process),
		cmocka_unit_test(test_analyzer_connections_fd_system),
		cmocka_unit_test(test_analyzer_all_cores_beats_io),
		cmocka_unit_test(test_analyzer_threshold_override),
		cmocka_unit_test(test_analyzer_evidence_complete),
		cmocka_unit_test(test_analyzer_nothing_measured),
		cmocka_unit_test(test_analyzer_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
