/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Hand-made samples for the rates, analyzer and renderer tests.  Each
 * builder sets one thing on a struct sz_sample the way a probe would, so a
 * test reads as a scenario: a sample at t seconds, its cores' ticks, a
 * thread, a disk, an interface, PSI totals, vmstat counters.
 *
 * Clocks: a sample "at t" has CLOCK_MONOTONIC t, CLOCK_BOOTTIME
 * SMP_BOOT_S + t and CLOCK_REALTIME SMP_WALL0 + t; tick counters are in
 * SMP_HZ.  Tests usually start every counter at zero in the first sample,
 * so the last sample's counters are what happened in the window.
 */
#ifndef SIZEUP_TESTS_SAMPLES_H
#define SIZEUP_TESTS_SAMPLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sizeup/analyzer.h"
#include "sizeup/config.h"
#include "sizeup/rates.h"
#include "sizeup/sample.h"

#define SMP_HZ 100
#define SMP_BOOT_S 1000		/* seconds from boot to t = 0 */
#define SMP_WALL0 1796288400	/* 2026-12-03T09:00:00Z */

/* Ticks of a task started s seconds after t = 0 (negative: before). */
#define SMP_START(s) ((uint64_t)((SMP_BOOT_S + (s)) * SMP_HZ))

/* A sample at t seconds of a host "testhost" with ncores online cores
 * (ids 0..ncores-1, all ticks zero) and 16 GiB of RAM; only the CPU part
 * is valid.  Free with sz_sample_free(). */
struct sz_sample *smp_new(double t, unsigned int ncores);

/* Free the n samples of a window. */
void smp_free(struct sz_sample **win, size_t n);

/* Set the ticks of core id (added if missing, kept sorted) and make the
 * summary "cpu" line the sum of all cores again. */
void smp_core(struct sz_sample *s, int id, const struct sz_cpu_ticks *t);

/* Take core id offline: it disappears from the per-core lines. */
void smp_core_remove(struct sz_sample *s, int id);

/* Run queue as /proc/stat reports it (procs_running counts the reader). */
void smp_procs(struct sz_sample *s, uint64_t running, uint64_t blocked);

/* Mark the thread table as read (even if it stays empty). */
void smp_threads_read(struct sz_sample *s);

/*
 * Add thread tid of process pid: its comm, its CPU ticks since it started
 * and its start time in ticks after boot.  The process entry is created on
 * the first thread of pid (taking that thread's start time, or the
 * leader's, tid == pid) and sums the CPU ticks of its threads.  Tables
 * stay sorted.  The thread last ran on core `cpu`.
 */
void smp_thread(struct sz_sample *s, int pid, int tid, const char *comm,
    uint64_t cpu_ticks, uint64_t start_ticks, int cpu);

/* MemTotal and MemAvailable in bytes; no swap. */
void smp_mem(struct sz_sample *s, uint64_t total, uint64_t available);

/* /proc/vmstat counters (pages, events). */
struct smp_vm {
	uint64_t pswpin, pswpout, pgmajfault, refault, oom_kill;
};
void smp_vmstat(struct sz_sample *s, const struct smp_vm *vm);

/* A pressure file with these total= values, in microseconds. */
void smp_psi(struct sz_psi *p, uint64_t some_us, uint64_t full_us);

/* Add a disk: name and counters from d (its name field is ignored). */
void smp_disk(struct sz_sample *s, const char *name, const struct sz_disk *d);

/* Add an interface: name and counters from f (its name is ignored). */
void smp_netif(struct sz_sample *s, const char *name,
    const struct sz_netif *f);

/* The disk or interface of that name in s, to change its counters. */
struct sz_disk *smp_find_disk(struct sz_sample *s, const char *name);
struct sz_netif *smp_find_netif(struct sz_sample *s, const char *name);

/* The task with that tid in v (n entries), or NULL.  In a process array
 * tid == pid. */
const struct sz_task *smp_find_task(const struct sz_task *v, size_t n,
    int tid);

/* /proc/net/snmp Tcp: OutSegs and RetransSegs. */
void smp_tcp(struct sz_sample *s, uint64_t out_segs, uint64_t retrans);

/* /proc/net/netstat TcpExt: ListenOverflows and ListenDrops. */
void smp_listen(struct sz_sample *s, uint64_t overflows, uint64_t drops);

/*
 * A PostgreSQL reading through libpq: max_connections and
 * superuser_reserved_connections (reserved_connections 0), and client
 * backends active, idle and idle in a transaction, in database "shop" of
 * user "app".  Other fields (lock waits, what active backends wait on)
 * are set on s->pg directly.
 */
void smp_pg(struct sz_sample *s, int64_t max_connections,
    int64_t superuser_reserved, uint64_t active, uint64_t idle,
    uint64_t idle_in_xact);

/* /proc/sys/fs/file-nr: handles allocated, and fs.file-max. */
void smp_fd(struct sz_sample *s, uint64_t allocated, uint64_t max);

/* A process's open descriptors and soft RLIMIT_NOFILE (UINT64_MAX:
 * unlimited), as the fds probe reads them; processes in pid order. */
void smp_fd_proc(struct sz_sample *s, int pid, const char *comm,
    uint64_t open, uint64_t soft_limit);

/* Sleep s seconds, resuming after signals. */
void smp_sleep_s(double s);

/* The group at path in s, added (unlimited, v2) when it is not there:
 * to change what the helpers below set. */
struct sz_cgroup *smp_cgroup(struct sz_sample *s, const char *path);

/*
 * A cgroup v2 group as the cgroup probe leaves it (the sample's cgroups
 * become valid).  smp_cgroup_cpu: a CPU quota of quota_us per 100 ms
 * period with cpu.stat counters (usage in microseconds, as cpu.stat) and
 * pid inside it (0: none).  smp_cgroup_mem: a memory limit with its
 * usage and memory.events / memory.stat counters.  Both on the same path
 * make one group limited both ways.
 */
void smp_cgroup_cpu(struct sz_sample *s, const char *path, uint64_t quota_us,
    uint64_t periods, uint64_t throttled, uint64_t throttled_us,
    uint64_t usage_us, int pid);
void smp_cgroup_mem(struct sz_sample *s, const char *path, uint64_t limit,
    uint64_t usage, uint64_t hits, uint64_t oom_kills, uint64_t refaults);

/*
 * A quiet host between a (at 0 s) and b (at 10 s), both made by smp_new()
 * with the same number of cores: every core 5% busy, one runnable task
 * besides the reader, a few small processes, 16 GiB RAM with 10 GiB
 * available, little paging, sda 5% busy, eth0 at 1% of 1 Gbit/s, 0.05%
 * TCP retransmits, no listen overflows, PSI near zero.  Its counters
 * (but the tasks' CPU times) are zero in a.  Scenario tests start here and
 * change what their story needs.
 */
void smp_quiet(struct sz_sample *a, struct sz_sample *b);

#define SMP_QUIET_SECONDS 10
#define SMP_GIB (UINT64_C(1) << 30)

/*
 * A scenario: a quiet host (smp_quiet) over SMP_QUIET_SECONDS that a test
 * changes to tell its story, then analyzes.  sc_run() may be called again
 * after further changes; sc_fini() frees everything.
 */
struct scenario {
	struct sz_sample *a, *b;
	struct sz_config cfg;
	struct sz_rates rates;
	struct sz_report rep;
};

void sc_init(struct scenario *sc, unsigned int ncores);
const struct sz_report *sc_run(struct scenario *sc);
void sc_fini(struct scenario *sc);

/*
 * Fail unless s is valid UTF-8 without control characters (C0, DEL, C1;
 * newlines allowed when nl) or bidi controls (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069).  Written apart from strsafe.c on
 * purpose, so the sanitizer is checked against an independent reading of
 * the rules.
 */
void smp_assert_safe_text(const char *s, bool nl);

#endif
