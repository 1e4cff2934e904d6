/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the threads probe (probes/threads.c) on process tables below a
 * root: real stat lines from prometheus/procfs and PCP (tests/fixtures,
 * see their SOURCE.md) and a table built in a scratch directory with
 * threads, malformed and vanished tasks.  The live tests (a hostile thread
 * name, the task scopes) are in tests/test_probes.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "scratch.h"

#include "sizeup/probe.h"
#include "sizeup/sample.h"

/*
 * A stat line as the kernel writes it: the fields this probe reads set,
 * every other field a distinct filler, so a parser that counts one field
 * off reads a wrong value.
 */
static void
stat_line(char *buf, size_t bufsz, int pid, const char *comm, char state,
    unsigned long utime, unsigned long stime, int nthreads,
    unsigned long start, unsigned long rss, int cpu)
{
	size_t off;
	int f;

	off = (size_t)snprintf(buf, bufsz, "%d (%s) %c", pid, comm, state);
	for (f = 4; f <= 52 && off < bufsz; f++) {
		unsigned long v = 1000 + (unsigned long)f;

		switch (f) {
		case 14: v = utime; break;
		case 15: v = stime; break;
		case 20: v = (unsigned long)nthreads; break;
		case 22: v = start; break;
		case 24: v = rss; break;
		case 39: v = (unsigned long)cpu; break;
		default: break;
		}
		off += (size_t)snprintf(buf + off, bufsz - off, " %lu", v);
	}
	if (off < bufsz)
		snprintf(buf + off, bufsz - off, "\n");
}

static void
write_stat(const char *root, const char *relpath, int pid, const char *comm,
    char state, unsigned long utime, unsigned long stime, int nthreads,
    unsigned long start, unsigned long rss, int cpu)
{
	char line[1024];

	stat_line(line, sizeof(line), pid, comm, state, utime, stime,
	    nthreads, start, rss, cpu);
	scratch_write(root, relpath, line);
}

/* One sample of the threads probe over root, with the given scope. */
static struct sz_sample *
collect(const char *root, enum sz_task_scope scope, const int *pids,
    size_t npids)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sz_sample_new();
	void *state = NULL;

	sz_ctx_set_task_scope(ctx, scope);
	sz_ctx_set_thread_pids(ctx, pids, npids);
	assert_int_equal(sz_probe_threads.open(ctx, &state), SZ_OK);
	(void)sz_probe_threads.collect(state, ctx, s);
	sz_probe_threads.close(state);
	sz_ctx_free(ctx);
	return s;
}

static void
assert_task(const struct sz_task *t, int pid, int tid, const char *comm,
    char state, uint64_t ticks, int nthreads, uint64_t start,
    uint64_t rss_pages, int cpu)
{
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);

	assert_non_null(t);
	assert_int_equal(t->pid, pid);
	assert_int_equal(t->tid, tid);
	assert_string_equal(t->comm, comm);
	assert_int_equal(t->state, state);
	assert_int_equal(t->cpu_ticks, ticks);
	assert_int_equal(t->nthreads, nthreads);
	assert_int_equal(t->start_ticks, start);
	assert_int_equal(t->rss_bytes, rss_pages * page);
	assert_int_equal(t->processor, cpu);
}

/* ------------------------------------------------------------ fixtures */

static void
test_threads_procfs_fixture(void **unused)
{
	struct sz_sample *s = collect(FIXTURES "/procfs", SZ_TASKS_ALL,
	    NULL, 0);
	const struct sz_threads_sample *t = &s->threads;

	(void)unused;
	assert_true(t->valid);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(t->nprocs, 3);
	/* the directory names the pid, not the line's own pid field (1020) */
	assert_task(&t->procs[0], 584, 584, "(a b ) ( c d) ", 'R', 0, 1,
	    10839175, 155, 5);
	assert_task(&t->procs[1], 26231, 26231, "vim", 'R', 1677 + 44, 1,
	    82375, 1981, 0);
	/* a last CPU of 2^63 - 1 holds in no int: unknown */
	assert_task(&t->procs[2], 26232, 26232, "ata_sff", 'S', 0, 1, 5, 0,
	    -1);
	/* the fixtures have no task directories */
	assert_int_equal(t->nthreads, 0);
	sz_sample_free(s);
}

static void
test_threads_big_pid(void **unused)
{
	struct sz_sample *s = collect(FIXTURES "/pcp/procpid-big-pid-001",
	    SZ_TASKS_PROCESSES, NULL, 0);

	(void)unused;
	assert_true(s->threads.valid);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->threads.nprocs, 1);
	assert_task(&s->threads.procs[0], 9876868, 9876868, "sleep", 'S', 0,
	    1, 2501566, 202, 1);
	sz_sample_free(s);
}

/* ------------------------------------------------------ a built table */

/*
 * 4242: a process of three threads, whose stat sums them (and a thread
 * that exited), with task/4242 and task/4243 and a task/4244 that is gone.
 * 4300: a name with ')', '(' and a newline.  777 and 778: malformed, left
 * out and reported.  900: a directory without stat (exited).  self,
 * 0123 and 12abc are not pids.
 */
static int
setup_table(void **state)
{
	const char *root;

	if (scratch_setup(state) != 0)
		return -1;
	root = *state;
	write_stat(root, "proc/4242/stat", 4242, "pool", 'S', 700, 300, 3,
	    5000, 2048, 1);
	write_stat(root, "proc/4242/task/4242/stat", 4242, "pool", 'S', 10, 5,
	    3, 5000, 2048, 0);
	write_stat(root, "proc/4242/task/4243/stat", 4243, "pool worker", 'R',
	    600, 250, 3, 5001, 2048, 1);
	scratch_write(root, "proc/4242/task/4244/.gone", "");
	write_stat(root, "proc/4300/stat", 4300, "a)\n(b", 'D', 3, 4, 1, 6000,
	    10, 0);
	scratch_write(root, "proc/777/stat", "777 (broken) ");
	scratch_write(root, "proc/778/stat", "778 (short) S 1 2 3\n");
	scratch_write(root, "proc/900/.gone", "");
	write_stat(root, "proc/self/stat", 4242, "pool", 'S', 1, 1, 3, 5000,
	    1, 1);
	write_stat(root, "proc/0123/stat", 123, "zero", 'S', 1, 1, 1, 1, 1, 1);
	write_stat(root, "proc/12abc/stat", 12, "abc", 'S', 1, 1, 1, 1, 1, 1);
	return 0;
}

static void
test_threads_table_processes(void **state)
{
	static const int pids[] = { 4242 };
	struct sz_sample *s = collect(*state, SZ_TASKS_PROCESSES, pids, 1);
	const struct sz_threads_sample *t = &s->threads;

	assert_true(t->valid);
	assert_int_equal(t->nprocs, 2);
	assert_task(&t->procs[0], 4242, 4242, "pool", 'S', 1000, 3, 5000,
	    2048, 1);
	assert_task(&t->procs[1], 4300, 4300, "a)\n(b", 'D', 7, 1, 6000, 10,
	    0);

	/* the leader with its own counters, not the whole process's */
	assert_int_equal(t->nthreads, 2);
	assert_task(&t->threads[0], 4242, 4242, "pool", 'S', 15, 3, 5000,
	    2048, 0);
	assert_task(&t->threads[1], 4242, 4243, "pool worker", 'R', 850, 3,
	    5001, 2048, 1);

	/* two malformed stat files: one line, naming the first read (the
	 * order of a scratch directory is the file system's) */
	assert_int_equal(s->nerrors, 1);
	assert_string_equal(s->errors[0].probe, "threads");
	assert_int_equal(s->errors[0].code, SZ_EPARSE);
	assert_non_null(strstr(s->errors[0].msg, "2 task(s) left out"));
	assert_true(strstr(s->errors[0].msg, "proc/777/stat: ") != NULL ||
	    strstr(s->errors[0].msg, "proc/778/stat: ") != NULL);
	sz_sample_free(s);
}

static void
test_threads_table_scopes(void **state)
{
	struct sz_sample *s;

	/* every thread: those of 4242 (4300 has no task directory) */
	s = collect(*state, SZ_TASKS_ALL, NULL, 0);
	assert_int_equal(s->threads.nprocs, 2);
	assert_int_equal(s->threads.nthreads, 2);
	assert_non_null(smp_find_task(s->threads.threads, 2, 4243));
	sz_sample_free(s);

	/* processes only */
	s = collect(*state, SZ_TASKS_PROCESSES, NULL, 0);
	assert_true(s->threads.valid);
	assert_int_equal(s->threads.nprocs, 2);
	assert_int_equal(s->threads.nthreads, 0);
	sz_sample_free(s);

	/* nothing: not read, no error */
	s = collect(*state, SZ_TASKS_NONE, NULL, 0);
	assert_false(s->threads.valid);
	assert_int_equal(s->threads.nprocs, 0);
	assert_int_equal(s->nerrors, 0);
	sz_sample_free(s);
}

/* A root without proc (a container that hides it): open says why. */
static void
test_threads_no_proc(void **state)
{
	struct sz_ctx *ctx = sz_ctx_new(*state);
	void *st = NULL;

	assert_int_equal(sz_probe_threads.open(ctx, &st), SZ_ENOENT);
	sz_ctx_free(ctx);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_threads_procfs_fixture),
		cmocka_unit_test(test_threads_big_pid),
		cmocka_unit_test_setup_teardown(test_threads_table_processes,
		    setup_table, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_threads_table_scopes,
		    setup_table, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_threads_no_proc,
		    scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
