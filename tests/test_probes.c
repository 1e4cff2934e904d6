/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the libproc2-backed probes (cpu, memory and disk) and of the
 * threads probe on the live /proc (its fixture-tree tests are in
 * tests/test_probe_threads.c).
 *
 * The threads probe is tested live, on this very process: a thread that
 * burns CPU under a hostile name.  The others read fixture trees from
 * tests/fixtures (see the SOURCE.md of each case).  libproc2 always reads
 * the real /proc, so the program first runs the live group, then enters a
 * private mount namespace and, for each case, bind-mounts the fixture's
 * stat, meminfo, vmstat and diskstats over their /proc counterparts (the
 * rest of /proc stays real: libproc2 also reads cpuinfo and self) and a
 * tmpfs over /sys/block naming the case's whole disks.  Where the
 * namespace is not permitted the fixture group is skipped (exit 77).
 * Expected values come from the tools that shipped the fixtures
 * (node_exporter's e2e output, PCP's qa/1024.out and qa/821.out,
 * sysstat's mpstat output) or, where none did, from the files themselves.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "samples.h"

#include "sizeup/probe.h"
#include "sizeup/sample.h"

/* ---------------------------------------------------------------- helpers */

/* Run a probe once with a fresh state, as the collector would. */
static struct sz_sample *
collect_once(const struct sz_probe_ops *ops, const struct sz_ctx *ctx)
{
	struct sz_sample *s = sz_sample_new();
	void *state = NULL;

	assert_int_equal(ops->open(ctx, &state), SZ_OK);
	(void)ops->collect(state, ctx, s);
	ops->close(state);
	return s;
}

/* How many errors probe recorded in s; *first is the first one's code. */
static size_t
errors_of(const struct sz_sample *s, const char *probe, enum sz_err *first)
{
	size_t i, n = 0;

	for (i = 0; i < s->nerrors; i++) {
		if (strcmp(s->errors[i].probe, probe) != 0)
			continue;
		if (n++ == 0 && first != NULL)
			*first = s->errors[i].code;
	}
	return n;
}

static const struct sz_disk *
find_disk(const struct sz_sample *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->disk.ndisks; i++) {
		if (strcmp(s->disk.disks[i].name, name) == 0)
			return &s->disk.disks[i];
	}
	fail_msg("disk %s not in the sample", name);
	return NULL;
}

static void
assert_sorted(const struct sz_threads_sample *t)
{
	size_t i;

	for (i = 1; i < t->nprocs; i++)
		assert_true(t->procs[i - 1].pid < t->procs[i].pid);
	for (i = 1; i < t->nthreads; i++)
		assert_true(t->threads[i - 1].tid < t->threads[i].tid);
}

/* -------------------------------------------------------- threads, live */

/* An escape sequence, the ')' and '(' that delimit comm in stat, a
 * newline and a byte that is not UTF-8: 13 of comm's 15 bytes. */
#define HOSTILE "\033[31mhot)\n(x\377"

struct burner {
	pthread_t thread;
	atomic_int tid;
	atomic_bool park; /* stop burning, stay alive */
	atomic_bool quit;
};

static void *
burn(void *arg)
{
	struct burner *b = arg;
	const struct timespec nap = { 0, 1000000 };
	volatile unsigned long spin = 0;

	prctl(PR_SET_NAME, HOSTILE, 0, 0, 0);
	atomic_store(&b->tid, gettid());
	while (!atomic_load(&b->park))
		spin++;
	while (!atomic_load(&b->quit))
		nanosleep(&nap, NULL);
	return NULL;
}

/* The CPU time of a thread, 0 if the clock cannot be read. */
static double
thread_cpu_s(pthread_t thread)
{
	struct timespec ts = { 0, 0 };
	clockid_t clock;

	if (pthread_getcpuclockid(thread, &clock) == 0)
		(void)clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
test_probes_threads_hostile_name(void **unused)
{
	const struct timespec nap = { 0, 10000000 };
	const struct sz_task *t1, *t2, *leader, *proc;
	struct sz_sample *s1 = sz_sample_new(), *s2 = sz_sample_new();
	struct sz_ctx *ctx = sz_ctx_new("/");
	struct burner b = { 0 };
	enum sz_err err1, err2;
	void *state = NULL;
	double start;
	int i;

	(void)unused;
	assert_int_equal(pthread_create(&b.thread, NULL, burn, &b), 0);
	while (atomic_load(&b.tid) == 0)
		nanosleep(&nap, NULL);

	/* No assertion until the burner is joined: a failure must not
	 * leave it spinning for the rest of the run. */
	(void)sz_probe_threads.open(ctx, &state);
	err1 = sz_probe_threads.collect(state, ctx, s1);
	/* At least 30 ticks of 10 ms, whatever else the host is doing. */
	start = thread_cpu_s(b.thread);
	for (i = 0; i < 3000 && thread_cpu_s(b.thread) - start < 0.3; i++)
		nanosleep(&nap, NULL);
	/* Parked, the burner's counters hold still during the read. */
	atomic_store(&b.park, true);
	nanosleep(&nap, NULL);
	err2 = sz_probe_threads.collect(state, ctx, s2);
	sz_probe_threads.close(state);
	atomic_store(&b.quit, true);
	pthread_join(b.thread, NULL);

	assert_int_equal(err1, SZ_OK);
	assert_int_equal(err2, SZ_OK);
	assert_true(s2->threads.valid);
	assert_sorted(&s2->threads);
	t1 = smp_find_task(s1->threads.threads, s1->threads.nthreads, b.tid);
	t2 = smp_find_task(s2->threads.threads, s2->threads.nthreads, b.tid);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_int_equal(t2->pid, getpid());
	/* The kernel's bytes, raw: not cut at ')', nor escaped the way
	 * libproc2 does (".[31mhot).(x?"). */
	assert_memory_equal(t2->comm, HOSTILE, sizeof(HOSTILE));
	assert_int_equal(t2->start_ticks, t1->start_ticks);
	assert_true(t2->cpu_ticks >= t1->cpu_ticks + 20);

	/*
	 * The process counts every thread; its leader thread only itself.
	 * A reader that gave the process's values to the leader (libproc2
	 * 4.0.2 does) would make leader + burner exceed the process by the
	 * burner's ticks (at least 20, asserted above).  Ten ticks of
	 * slack: the process is read before its threads, and the burner
	 * keeps running in between, longer on a loaded host.
	 */
	proc = smp_find_task(s2->threads.procs, s2->threads.nprocs, getpid());
	leader = smp_find_task(s2->threads.threads, s2->threads.nthreads, getpid());
	assert_non_null(proc);
	assert_non_null(leader);
	assert_true(proc->nthreads >= 2);
	assert_int_equal(leader->pid, getpid());
	assert_string_equal(leader->comm, proc->comm);
	assert_true(leader->cpu_ticks + t2->cpu_ticks <= proc->cpu_ticks + 10);
	assert_true(proc->rss_bytes > 0);
	assert_int_equal(leader->rss_bytes, proc->rss_bytes);

	sz_sample_free(s1);
	sz_sample_free(s2);
	sz_ctx_free(ctx);
}

static size_t
threads_of_others(const struct sz_sample *s, int pid)
{
	size_t i, n = 0;

	for (i = 0; i < s->threads.nthreads; i++)
		n += s->threads.threads[i].pid != pid;
	return n;
}

static void
test_probes_threads_restricted(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new("/");
	const int self = getpid();
	const int wanted[] = { 999999999, self };
	struct sz_sample *s;

	(void)unused;
	/* Every process, threads of this one only. */
	sz_ctx_set_task_scope(ctx, SZ_TASKS_PROCESSES);
	sz_ctx_set_thread_pids(ctx, &self, 1);
	s = collect_once(&sz_probe_threads, ctx);
	assert_true(s->threads.valid);
	assert_sorted(&s->threads);
	assert_non_null(smp_find_task(s->threads.procs, s->threads.nprocs, 1));
	assert_non_null(
	    smp_find_task(s->threads.threads, s->threads.nthreads, self));
	assert_int_equal(threads_of_others(s, self), 0);
	sz_sample_free(s);

	/* A pid that does not exist is no trouble. */
	sz_ctx_set_thread_pids(ctx, wanted, 2);
	s = collect_once(&sz_probe_threads, ctx);
	assert_true(s->threads.valid);
	assert_non_null(
	    smp_find_task(s->threads.threads, s->threads.nthreads, self));
	assert_int_equal(threads_of_others(s, self), 0);
	sz_sample_free(s);

	/* An empty set: processes only. */
	sz_ctx_set_thread_pids(ctx, wanted, 0);
	s = collect_once(&sz_probe_threads, ctx);
	assert_true(s->threads.valid);
	assert_true(s->threads.nprocs > 1);
	assert_int_equal(s->threads.nthreads, 0);
	sz_sample_free(s);

	/* No process table at all. */
	sz_ctx_set_task_scope(ctx, SZ_TASKS_NONE);
	s = collect_once(&sz_probe_threads, ctx);
	assert_false(s->threads.valid);
	assert_int_equal(s->threads.nprocs, 0);
	sz_sample_free(s);

	/* The default: every thread of every process. */
	sz_ctx_set_task_scope(ctx, SZ_TASKS_ALL);
	s = collect_once(&sz_probe_threads, ctx);
	assert_non_null(smp_find_task(s->threads.threads, s->threads.nthreads, 1));
	assert_true(s->threads.nthreads >= s->threads.nprocs);
	sz_sample_free(s);
	sz_ctx_free(ctx);
}

/* ---------------------------------------------------- fixture plumbing */

static const char *const proc_files[] = {
	"stat",
	"meminfo",
	"vmstat",
	"diskstats",
};

#define NPROC_FILES (sizeof(proc_files) / sizeof(proc_files[0]))

/* A fixture case: its directory below FIXTURES, the whole disks to show
 * in /sys/block (sysfs spelling: '/' as '!'), and the context of a test. */
struct fixture {
	const char *dir;
	const char *const *disks;
	struct sz_ctx *ctx;
};

static int
fixture_setup(void **state)
{
	struct fixture *fx = *state;
	char src[PATH_MAX], dst[PATH_MAX];
	size_t i;

	snprintf(src, sizeof(src), "%s/%s", FIXTURES, fx->dir);
	fx->ctx = sz_ctx_new(src);
	for (i = 0; i < NPROC_FILES; i++) {
		snprintf(src, sizeof(src), "%s/%s/proc/%s", FIXTURES, fx->dir,
		    proc_files[i]);
		snprintf(dst, sizeof(dst), "/proc/%s", proc_files[i]);
		if (access(src, F_OK) != 0)
			continue;
		if (mount(src, dst, "none", MS_BIND, NULL) != 0) {
			print_error("bind %s: %s\n", src, strerror(errno));
			return -1;
		}
	}
	if (mount("sizeup-test", "/sys/block", "tmpfs", 0, "size=64k") != 0) {
		print_error("tmpfs on /sys/block: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; fx->disks != NULL && fx->disks[i] != NULL; i++) {
		snprintf(dst, sizeof(dst), "/sys/block/%s", fx->disks[i]);
		if (mkdir(dst, 0755) != 0)
			return -1;
	}
	return 0;
}

static int
fixture_teardown(void **state)
{
	struct fixture *fx = *state;
	char dst[PATH_MAX];
	size_t i;

	/* EINVAL: nothing was mounted there for this case. */
	for (i = 0; i < NPROC_FILES; i++) {
		snprintf(dst, sizeof(dst), "/proc/%s", proc_files[i]);
		(void)umount2(dst, MNT_DETACH);
	}
	(void)umount2("/sys/block", MNT_DETACH);
	sz_ctx_free(fx->ctx);
	fx->ctx = NULL;
	return 0;
}

static const struct sz_ctx *
ctx_of(void **state)
{
	return ((struct fixture *)*state)->ctx;
}

/* ------------------------------------------------------------------ cpu */

static void
test_probes_cpu_node_exporter(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_cpu, ctx_of(state));
	const struct sz_cpu_sample *cpu = &s->cpu;
	size_t i;

	assert_int_equal(errors_of(s, "cpu", NULL), 0);
	assert_true(cpu->valid);
	assert_int_equal(cpu->ncores, 8);
	for (i = 0; i < cpu->ncores; i++)
		assert_int_equal(cpu->cores[i].id, (int)i);

	/*
	 * "cpu0 44490 19 21045 1087069 220 1 3410 0 2 1".  node_exporter:
	 * node_cpu_seconds_total{cpu="0",mode="user"} 444.9 and
	 * node_cpu_guest_seconds_total{cpu="0",mode="user"} 0.02.  user
	 * still holds guest: libproc2 4.0.2 does not subtract it.
	 */
	assert_int_equal(cpu->cores[0].user, 44490);
	sz_assert_near(cpu->cores[0].user / 100.0, 444.9, 1e-9);
	sz_assert_near(cpu->cores[0].nice / 100.0, 0.19, 1e-9);
	sz_assert_near(cpu->cores[0].system / 100.0, 210.45, 1e-9);
	sz_assert_near(cpu->cores[0].idle / 100.0, 10870.69, 1e-9);
	sz_assert_near(cpu->cores[0].iowait / 100.0, 2.2, 1e-9);
	sz_assert_near(cpu->cores[0].irq / 100.0, 0.01, 1e-9);
	sz_assert_near(cpu->cores[0].softirq / 100.0, 34.1, 1e-9);
	assert_int_equal(cpu->cores[0].steal, 0);
	sz_assert_near(cpu->cores[0].guest / 100.0, 0.02, 1e-9);
	sz_assert_near(cpu->cores[0].guest_nice / 100.0, 0.01, 1e-9);
	/* cpu7: guest 0.09 s, guest_nice 0.08 s. */
	assert_int_equal(cpu->cores[7].guest, 9);
	assert_int_equal(cpu->cores[7].guest_nice, 8);

	/* "cpu  301854 612 111922 8979004 3552 2 3944 0 44 36" */
	assert_int_equal(cpu->total.id, -1);
	assert_int_equal(cpu->total.user, 301854);
	assert_int_equal(cpu->total.idle, 8979004);
	assert_int_equal(cpu->total.guest, 44);
	assert_int_equal(cpu->total.guest_nice, 36);

	/* node_context_switches_total 3.8014093e+07, node_procs_running 2,
	 * node_procs_blocked 0 */
	assert_int_equal(cpu->ctxt, 38014093);
	assert_int_equal(cpu->procs_running, 2);
	assert_int_equal(cpu->procs_blocked, 0);

	/* node_pressure_cpu_waiting_seconds_total 14.036781 */
	assert_true(cpu->psi.present);
	assert_int_equal(cpu->psi.some_total_us, 14036781);
	assert_true(cpu->psi.has_full);
	assert_int_equal(cpu->psi.full_total_us, 0);
	sz_sample_free(s);
}

/* Overwrite dst with the content of FIXTURES/rel (same inode). */
static void
refill(const char *dst, const char *rel)
{
	char path[PATH_MAX], buf[8192];
	ssize_t n;
	int in, out;

	snprintf(path, sizeof(path), "%s/%s", FIXTURES, rel);
	in = open(path, O_RDONLY);
	out = open(dst, O_WRONLY | O_TRUNC);
	assert_true(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		assert_int_equal(write(out, buf, (size_t)n), n);
	close(in);
	close(out);
}

/*
 * sysstat's root1 -> root2 -> root3: CPU 8 goes offline, then CPU 6.  One
 * probe state reads the three, as it would on a live host: libproc2 keeps
 * /proc/stat open, so the fixtures are written in turn into one file
 * bind-mounted there.
 */
static void
test_probes_cpu_offline_cores(void **unused)
{
	char file[] = "/tmp/sizeup-test-stat.XXXXXX";
	struct sz_ctx *ctx = sz_ctx_new(FIXTURES "/sysstat/root1");
	struct sz_sample *s1 = sz_sample_new(), *s2 = sz_sample_new();
	struct sz_sample *s3 = sz_sample_new();
	const struct sz_cpu_ticks *a, *b;
	void *state = NULL;
	int fd;

	(void)unused;
	fd = mkstemp(file);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(mount(file, "/proc/stat", "none", MS_BIND, NULL), 0);

	assert_int_equal(sz_probe_cpu.open(ctx, &state), SZ_OK);
	refill(file, "sysstat/root1/proc/stat");
	assert_int_equal(sz_probe_cpu.collect(state, ctx, s1), SZ_OK);
	refill(file, "sysstat/root2/proc/stat");
	assert_int_equal(sz_probe_cpu.collect(state, ctx, s2), SZ_OK);
	refill(file, "sysstat/root3/proc/stat");
	assert_int_equal(sz_probe_cpu.collect(state, ctx, s3), SZ_OK);
	sz_probe_cpu.close(state);
	(void)umount2("/proc/stat", MNT_DETACH);
	unlink(file);

	assert_int_equal(s1->cpu.ncores, 9);
	assert_int_equal(s1->cpu.cores[8].id, 8);
	assert_int_equal(s2->cpu.ncores, 8);
	assert_int_equal(s2->cpu.cores[7].id, 7);
	assert_int_equal(s3->cpu.ncores, 7);
	assert_int_equal(s3->cpu.cores[5].id, 5);
	assert_int_equal(s3->cpu.cores[6].id, 7);
	assert_int_equal(s3->cpu.cores[6].user, 16395);
	assert_int_equal(s3->cpu.ctxt, 134044213);

	/* mpstat from root1, first interval, CPU 3: %nice 99.55 from nice
	 * +3103, system +2, irq +10, softirq +2 (3117 ticks). */
	a = &s1->cpu.cores[3];
	b = &s2->cpu.cores[3];
	assert_int_equal(b->nice - a->nice, 3103);
	assert_int_equal(b->system - a->system, 2);
	assert_int_equal(b->irq - a->irq, 10);
	assert_int_equal(b->softirq - a->softirq, 2);
	assert_int_equal(b->user - a->user, 0);
	assert_int_equal(b->idle - a->idle, 0);

	sz_sample_free(s1);
	sz_sample_free(s2);
	sz_sample_free(s3);
	sz_ctx_free(ctx);
}

/* 480 CPUs, 9-value lines (no guest_nice, before 2.6.33), no PSI. */
static void
test_probes_cpu_480_cores(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_cpu, ctx_of(state));
	const struct sz_cpu_sample *cpu = &s->cpu;
	enum sz_err code = SZ_OK;

	assert_true(cpu->valid);
	assert_int_equal(cpu->ncores, 480);
	assert_int_equal(cpu->cores[479].id, 479);
	/* "cpu240 449 4 1984 1808045 90 0 30 0 0" */
	assert_int_equal(cpu->cores[240].id, 240);
	assert_int_equal(cpu->cores[240].user, 449);
	assert_int_equal(cpu->cores[240].nice, 4);
	assert_int_equal(cpu->cores[240].system, 1984);
	assert_int_equal(cpu->cores[240].idle, 1808045);
	assert_int_equal(cpu->cores[240].iowait, 90);
	assert_int_equal(cpu->cores[240].softirq, 30);
	assert_int_equal(cpu->cores[240].guest, 0);
	/* No guest_nice column: 0, also past the 32 CPUs for which
	 * libproc2 4.0.2 initialises it. */
	assert_int_equal(cpu->cores[240].guest_nice, 0);
	assert_int_equal(cpu->cores[479].guest_nice, 0);
	assert_int_equal(cpu->total.guest_nice, 0);
	assert_int_equal(cpu->total.idle, 869208946);
	assert_int_equal(cpu->ctxt, 18908765);

	/* No proc/pressure in this tree: one error, the rest is there. */
	assert_int_equal(errors_of(s, "cpu", &code), 1);
	assert_int_equal(code, SZ_ENOENT);
	assert_false(cpu->psi.present);
	sz_sample_free(s);
}

/*
 * sysstat root6: 7-value cpu lines (no steal, before 2.6.11), which
 * libproc2 refuses (ERANGE), and no /proc/pressure.  The cpu part is
 * invalid and says why; the other probes read the same old tree fine.
 */
static void
test_probes_cpu_old_layout(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_cpu, ctx_of(state));
	struct sz_sample *m = collect_once(&sz_probe_memory, ctx_of(state));
	struct sz_sample *d = collect_once(&sz_probe_disk, ctx_of(state));
	enum sz_err code = SZ_OK;

	assert_false(s->cpu.valid);
	assert_int_equal(s->cpu.ncores, 0);
	assert_null(s->cpu.cores);
	assert_int_equal(errors_of(s, "cpu", &code), 2);
	assert_int_equal(code, SZ_ERANGE);
	assert_false(s->cpu.psi.present);

	assert_true(m->mem.valid);
	assert_int_equal(m->mem.total_bytes, 8144960ull * 1024);
	assert_true(m->mem.vm_valid);
	assert_int_equal(errors_of(m, "memory", &code), 1);
	assert_int_equal(code, SZ_ENOENT);

	assert_true(d->disk.valid);
	assert_int_equal(d->disk.ndisks, 20);
	/* "8 0 sda 49601 2822 3195498 623970 12180 9784 821088 117109 0
	 * 32862 714408 100 100 100 100": an 18-field line. */
	assert_int_equal(find_disk(d, "sda")->reads, 49601);
	assert_int_equal(find_disk(d, "sda")->weighted_ms, 714408);
	sz_sample_free(s);
	sz_sample_free(m);
	sz_sample_free(d);
}

/* ----------------------------------------------------------------- disk */

/* node_exporter: 14-, 18- (sdb) and 20-field (sdc) lines mixed. */
static void
test_probes_disk_mixed_layouts(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_disk, ctx_of(state));
	const struct sz_disk *d;

	assert_int_equal(errors_of(s, "disk", NULL), 0);
	assert_true(s->disk.valid);
	assert_int_equal(s->disk.ndisks, 51);
	/* File order. */
	assert_string_equal(s->disk.disks[0].name, "ram0");
	assert_string_equal(s->disk.disks[50].name, "sdc1");

	/* node_disk_*{device="sda"}: reads 2.5354637e+07, read_bytes
	 * 5.13713216512e+11, read_time 18492.372 s, writes 2.8444756e+07,
	 * written_bytes 2.58916880384e+11, write_time 63877.96 s, io_time
	 * 9653.88 s, io_time_weighted 82621.804 s, io_now 0. */
	d = find_disk(s, "sda");
	assert_false(d->partition);
	assert_int_equal(d->reads, 25354637);
	assert_int_equal(d->read_bytes, 513713216512ull);
	assert_int_equal(d->read_ms, 18492372);
	assert_int_equal(d->writes, 28444756);
	assert_int_equal(d->write_bytes, 258916880384ull);
	assert_int_equal(d->write_ms, 63877960);
	assert_int_equal(d->io_ms, 9653880);
	assert_int_equal(d->weighted_ms, 82621804);
	assert_int_equal(d->in_flight, 0);
	assert_true(find_disk(s, "sda1")->partition);

	/* 18 fields: read_bytes 4.944782848e+09, io_time 60.73 s. */
	d = find_disk(s, "sdb");
	assert_false(d->partition);
	assert_int_equal(d->read_bytes, 4944782848ull);
	assert_int_equal(d->io_ms, 60730);
	assert_int_equal(d->weighted_ms, 67070);
	/* 20 fields: read_bytes 8.48782848e+08, io_time_weighted 17.07 s. */
	d = find_disk(s, "sdc");
	assert_int_equal(d->read_bytes, 848782848ull);
	assert_int_equal(d->weighted_ms, 17070);
	assert_true(find_disk(s, "sdc1")->partition);
	/* nvme: reads 47114, written_bytes 2.0199236096e+10. */
	d = find_disk(s, "nvme0n1");
	assert_false(d->partition);
	assert_int_equal(d->reads, 47114);
	assert_int_equal(d->write_bytes, 20199236096ull);
	assert_true(find_disk(s, "nvme0n1p1")->partition);

	/* node_pressure_io_{waiting,stalled}_seconds_total */
	assert_true(s->disk.psi.present);
	assert_int_equal(s->disk.psi.some_total_us, 159886802);
	assert_int_equal(s->disk.psi.full_total_us, 159229614);
	sz_sample_free(s);
}

/*
 * PCP blkdev-root-003: cciss/ names, whose sysfs entry is cciss!c0d0.
 * PCP qa/1024.out (KiB for bytes): cciss/c0d0 read 177, read_bytes 2372,
 * read_rawactive 529, avactive 372, aveq 529; partition cciss/c0d0p1 read
 * 34, read_bytes 448, avactive 107.
 */
static void
test_probes_disk_cciss_names(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_disk, ctx_of(state));
	const struct sz_disk *d;

	assert_true(s->disk.valid);
	assert_int_equal(s->disk.ndisks, 81);
	d = find_disk(s, "cciss/c0d0");
	assert_false(d->partition);
	assert_int_equal(d->reads, 177);
	assert_int_equal(d->read_bytes, 2372 * 1024);
	assert_int_equal(d->read_ms, 529);
	assert_int_equal(d->writes, 0);
	assert_int_equal(d->io_ms, 372);
	assert_int_equal(d->weighted_ms, 529);
	d = find_disk(s, "cciss/c0d0p1");
	assert_true(d->partition);
	assert_int_equal(d->reads, 34);
	assert_int_equal(d->read_bytes, 448 * 1024);
	assert_int_equal(d->io_ms, 107);
	assert_false(find_disk(s, "sda")->partition);
	assert_true(find_disk(s, "sda1")->partition);
	sz_sample_free(s);
}

/*
 * PCP blkdev-root-007, the 20-field layout of 5.5+.  qa/1024.out: sda
 * read 101, read_bytes 3568 (KiB, rounded down from 7137 sectors),
 * read_rawactive 15, avactive 54, aveq 16; vda read 21066, write_bytes
 * 936156 (from 1872313 sectors); partitions vda1 and vda2.
 */
static void
test_probes_disk_20_fields(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_disk, ctx_of(state));
	const struct sz_disk *d;

	assert_true(s->disk.valid);
	assert_int_equal(s->disk.ndisks, 11);
	d = find_disk(s, "sda");
	assert_int_equal(d->reads, 101);
	assert_int_equal(d->read_bytes, 7137 * 512);
	assert_int_equal(d->read_bytes / 1024, 3568);
	assert_int_equal(d->read_ms, 15);
	assert_int_equal(d->io_ms, 54);
	assert_int_equal(d->weighted_ms, 16);
	d = find_disk(s, "vda");
	assert_false(d->partition);
	assert_int_equal(d->reads, 21066);
	assert_int_equal(d->write_bytes, 1872313ull * 512);
	assert_int_equal(d->write_bytes / 1024, 936156);
	assert_true(find_disk(s, "vda1")->partition);
	assert_true(find_disk(s, "vda2")->partition);
	sz_sample_free(s);
}

/* --------------------------------------------------------------- memory */

/*
 * PCP meminfo-root-005 against qa/821.out (KiB): physmem 16050940,
 * freemem 2496772, available 10749228, cached 7246776, swapTotal 8093692,
 * swapFree 8092924; vmstat pswpin 0, pswpout 58, pgmajfault 37373,
 * pgscan_direct 39699, allocstall_movable 125 (the other zones 0),
 * workingset_refault 1029558 (the pre-5.9 single counter), no oom_kill.
 */
static void
test_probes_memory_pcp(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_memory, ctx_of(state));
	const struct sz_mem_sample *m = &s->mem;
	enum sz_err code = SZ_OK;

	assert_true(m->valid);
	assert_int_equal(m->total_bytes, 16050940ull * 1024);
	assert_int_equal(m->free_bytes, 2496772ull * 1024);
	assert_int_equal(m->available_bytes, 10749228ull * 1024);
	assert_int_equal(m->cached_bytes, 7246776ull * 1024);
	assert_int_equal(m->swap_total_bytes, 8093692ull * 1024);
	assert_int_equal(m->swap_free_bytes, 8092924ull * 1024);
	assert_true(m->vm_valid);
	assert_int_equal(m->pswpin, 0);
	assert_int_equal(m->pswpout, 58);
	assert_int_equal(m->pgmajfault, 37373);
	assert_int_equal(m->pgscan_direct, 39699);
	assert_int_equal(m->allocstall, 125);
	assert_int_equal(m->workingset_refault, 1029558);
	assert_int_equal(m->oom_kill, 0);
	/* No proc/pressure in this tree. */
	assert_int_equal(errors_of(s, "memory", &code), 1);
	assert_int_equal(code, SZ_ENOENT);
	assert_false(m->psi.present);
	sz_sample_free(s);
}

/*
 * node_exporter's tree is from a pre-4.8 kernel: one allocstall, a
 * pgscan_direct per zone (dma32 67, normal 6796), and no MemAvailable,
 * for which libproc2 substitutes MemFree.  node_exporter: MemTotal
 * 3.831959552e+09 B, Cached 9.53229312e+08 B, SwapFree 3.23108864e+09 B,
 * pswpin 1476, pswpout 35045, pgmajfault 507162, oom_kill 0, memory
 * pressure 0 and 0.
 */
static void
test_probes_memory_old_kernel(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_memory, ctx_of(state));
	const struct sz_mem_sample *m = &s->mem;

	assert_int_equal(errors_of(s, "memory", NULL), 0);
	assert_int_equal(m->total_bytes, 3831959552ull);
	assert_int_equal(m->cached_bytes, 953229312ull);
	assert_int_equal(m->swap_total_bytes, 4294963200ull);
	assert_int_equal(m->swap_free_bytes, 3231088640ull);
	assert_int_equal(m->free_bytes, 225472ull * 1024);
	assert_int_equal(m->available_bytes, m->free_bytes);
	assert_int_equal(m->pswpin, 1476);
	assert_int_equal(m->pswpout, 35045);
	assert_int_equal(m->pgmajfault, 507162);
	assert_int_equal(m->allocstall, 83165);
	assert_int_equal(m->pgscan_direct, 67 + 6796);
	assert_int_equal(m->workingset_refault, 157066);
	assert_int_equal(m->oom_kill, 0);
	assert_true(m->psi.present);
	assert_true(m->psi.has_full);
	assert_int_equal(m->psi.some_total_us, 0);
	sz_sample_free(s);
}

/* 5.9+ splits workingset_refault into _anon and _file (hand-made from
 * PCP meminfo-root-007: 4096 and 123456). */
static void
test_probes_memory_refault_split(void **state)
{
	struct sz_sample *s = collect_once(&sz_probe_memory, ctx_of(state));

	assert_true(s->mem.vm_valid);
	assert_int_equal(s->mem.workingset_refault, 4096 + 123456);
	assert_int_equal(s->mem.pgmajfault, 940);
	assert_int_equal(s->mem.allocstall, 0);
	sz_sample_free(s);
}

/* ------------------------------------------------------------ truncated */

/*
 * Hand-made: a cpu1 line cut short, a diskstats line with 3 of its 11
 * counters, an empty vmstat, a meminfo cut inside a key, a PSI line
 * without its total and no memory or io PSI.  Nothing crashes, every
 * failure is recorded and what could be read is there.
 */
static void
test_probes_truncated(void **state)
{
	struct sz_sample *c = collect_once(&sz_probe_cpu, ctx_of(state));
	struct sz_sample *m = collect_once(&sz_probe_memory, ctx_of(state));
	struct sz_sample *d = collect_once(&sz_probe_disk, ctx_of(state));
	enum sz_err code = SZ_OK;

	/* libproc2 takes the short cpu1 line for the end of the list. */
	assert_true(c->cpu.valid);
	assert_int_equal(c->cpu.ncores, 1);
	assert_int_equal(c->cpu.cores[0].user, 100);
	assert_int_equal(c->cpu.ctxt, 12345);
	assert_int_equal(c->cpu.procs_running, 3);
	assert_int_equal(c->cpu.procs_blocked, 1);
	assert_int_equal(errors_of(c, "cpu", &code), 1);
	assert_int_equal(code, SZ_EPARSE);
	assert_false(c->cpu.psi.present);

	assert_true(m->mem.valid);
	assert_int_equal(m->mem.total_bytes, 1000 * 1024);
	assert_int_equal(m->mem.free_bytes, 500 * 1024);
	assert_false(m->mem.vm_valid);
	assert_int_equal(errors_of(m, "memory", &code), 2);
	assert_int_equal(code, SZ_EIO);

	/* libproc2 refuses the whole file for one short line. */
	assert_false(d->disk.valid);
	assert_int_equal(d->disk.ndisks, 0);
	assert_int_equal(errors_of(d, "disk", &code), 2);
	assert_int_equal(code, SZ_ERANGE);

	sz_sample_free(c);
	sz_sample_free(m);
	sz_sample_free(d);
}

/* ------------------------------------------------------------------ main */

static const char *const node_exporter_disks[] = {
	"sda",
	"sdb",
	"sdc",
	"nvme0n1",
	"dm-0",
	"vda",
	"sr0",
	NULL,
};
static const char *const blkdev3_disks[] = {
	"sda",
	"sdb",
	"cciss!c0d0",
	"cciss!c0d1",
	"md0",
	"dm-0",
	NULL,
};
static const char *const blkdev7_disks[] = {
	"sda",
	"sdb",
	"sdc",
	"vda",
	"sr0",
	"dm-0",
	"zram0",
	NULL,
};
static const char *const root6_disks[] = { "sda", NULL };
static const char *const truncated_disks[] = { "sda", "sdb", NULL };

static struct fixture fx_node_exporter = {
	.dir = "node_exporter",
	.disks = node_exporter_disks,
};
static struct fixture fx_bigsys = { .dir = "pcp/bigsys-hpbl920gen8" };
static struct fixture fx_root6 = {
	.dir = "sysstat/root6",
	.disks = root6_disks,
};
static struct fixture fx_blkdev3 = {
	.dir = "pcp/blkdev-root-003",
	.disks = blkdev3_disks,
};
static struct fixture fx_blkdev7 = {
	.dir = "pcp/blkdev-root-007",
	.disks = blkdev7_disks,
};
static struct fixture fx_meminfo5 = { .dir = "pcp/meminfo-root-005" };
static struct fixture fx_refault = { .dir = "handmade/refault-split" };
static struct fixture fx_truncated = {
	.dir = "handmade/truncated",
	.disks = truncated_disks,
};

#define FIXTURE_TEST(f, fx)                                                    \
	cmocka_unit_test_prestate_setup_teardown(                              \
	    f, fixture_setup, fixture_teardown, &(fx))

/* A private mount namespace, so that binds never reach the host. */
static int
enter_mount_namespace(void)
{
	/* The cases cover /sys/block with a tmpfs of their own. */
	if (access("/sys/block", F_OK) != 0) {
		printf("skip fixture tests: no /sys/block to cover\n");
		return -1;
	}
	if (unshare(CLONE_NEWNS) != 0) {
		printf("skip fixture tests: unshare(CLONE_NEWNS): %s\n",
		    strerror(errno));
		return -1;
	}
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
		printf("skip fixture tests: making / private: %s\n",
		    strerror(errno));
		return -1;
	}
	return 0;
}

int
main(void)
{
	const struct CMUnitTest live[] = {
		cmocka_unit_test(test_probes_threads_hostile_name),
		cmocka_unit_test(test_probes_threads_restricted),
	};
	const struct CMUnitTest fixtures[] = {
		FIXTURE_TEST(test_probes_cpu_node_exporter, fx_node_exporter),
		cmocka_unit_test(test_probes_cpu_offline_cores),
		FIXTURE_TEST(test_probes_cpu_480_cores, fx_bigsys),
		FIXTURE_TEST(test_probes_cpu_old_layout, fx_root6),
		FIXTURE_TEST(test_probes_disk_mixed_layouts, fx_node_exporter),
		FIXTURE_TEST(test_probes_disk_cciss_names, fx_blkdev3),
		FIXTURE_TEST(test_probes_disk_20_fields, fx_blkdev7),
		FIXTURE_TEST(test_probes_memory_pcp, fx_meminfo5),
		FIXTURE_TEST(test_probes_memory_old_kernel, fx_node_exporter),
		FIXTURE_TEST(test_probes_memory_refault_split, fx_refault),
		FIXTURE_TEST(test_probes_truncated, fx_truncated),
	};
	int failed;

	failed = cmocka_run_group_tests_name("live", live, NULL, NULL);
	if (enter_mount_namespace() != 0)
		return failed ? 1 : SZ_EXIT_SKIP;
	failed += cmocka_run_group_tests_name("fixtures", fixtures, NULL, NULL);
	return failed ? 1 : 0;
}
