/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * struct sz_sample: the raw counters of one moment on the host, exactly as
 * the kernel reported them (ticks, sectors-as-bytes, cumulative packets,
 * PSI totals in microseconds).  Probes fill it; nothing in it is a rate or
 * a judgement.  Rates come from two samples (rates.c); verdicts from the
 * analyzer.  A sample owns every string and array it points to.
 *
 * Sits between probes/ (which write it) and rates.c / the snapshot log
 * (which read it).
 */
#ifndef SIZEUP_SAMPLE_H
#define SIZEUP_SAMPLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "sizeup/err.h"

#define SZ_COMM_MAX 64	   /* comm is 16 bytes on Linux; room for escapes */
#define SZ_NAME_MAX 64	   /* device and interface names */
#define SZ_HOST_MAX 256
#define SZ_ERRMSG_MAX 256
#define SZ_MAX_ERRORS 32

/* Pressure stall information of one resource (/proc/pressure/X). */
struct sz_psi {
	bool present;	       /* file read and parsed */
	bool has_full;	       /* a "full" line was there */
	uint64_t some_total_us; /* cumulative stall time, microseconds */
	uint64_t full_total_us;
	double some_avg10;     /* kernel's running average, percent (shown only) */
	double full_avg10;
};

/* One cpu line of /proc/stat, in USER_HZ ticks.  As the kernel reports it:
 * user includes guest and nice includes guest_nice. */
struct sz_cpu_ticks {
	int id;		/* core number; -1 for the summary line */
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
	uint64_t guest, guest_nice;
};

struct sz_cpu_sample {
	bool valid;			/* /proc/stat was read */
	struct sz_cpu_ticks total;	/* the "cpu" line */
	struct sz_cpu_ticks *cores;	/* online cores, ascending id */
	size_t ncores;
	uint64_t ctxt;			/* context switches since boot */
	uint64_t procs_running;		/* run queue, including running */
	uint64_t procs_blocked;		/* tasks in uninterruptible sleep on I/O */
	struct sz_psi psi;		/* /proc/pressure/cpu */
};

/* A process (tid == pid) or a thread, from /proc/PID[/task/TID]/stat. */
struct sz_task {
	int pid;		/* thread group id */
	int tid;
	char comm[SZ_COMM_MAX]; /* raw bytes as the kernel gave them */
	char state;		/* R, S, D, Z, I... */
	int nthreads;		/* of the process */
	int processor;		/* core it last ran on */
	uint64_t cpu_ticks;	/* utime + stime */
	uint64_t start_ticks;	/* start time after boot: tells tid reuse */
	uint64_t rss_bytes;
};

struct sz_threads_sample {
	bool valid;
	struct sz_task *procs;	 /* one entry per process, sorted by pid */
	size_t nprocs;
	struct sz_task *threads; /* every thread incl. leaders, sorted by tid */
	size_t nthreads;
	/* A window rebuilt from a snapshot log keeps only its hottest tasks:
	 * these are the host's processes and threads then (0: the tables are
	 * whole, as probes leave them). */
	size_t procs_total, threads_total;
};

struct sz_mem_sample {
	bool valid;			/* meminfo read */
	uint64_t total_bytes, free_bytes, available_bytes, cached_bytes;
	uint64_t swap_total_bytes, swap_free_bytes;
	bool vm_valid;			/* vmstat read */
	uint64_t pswpin, pswpout;	/* pages */
	uint64_t pgmajfault;
	uint64_t workingset_refault;	/* anon + file (5.9+) or the old sum */
	uint64_t pgscan_direct, allocstall;
	uint64_t oom_kill;		/* 4.13+; 0 when absent */
	struct sz_psi psi;		/* /proc/pressure/memory */
};

struct sz_disk {
	char name[SZ_NAME_MAX];
	bool partition;		 /* a partition, not a whole device */
	uint64_t reads, writes;	 /* completed I/Os */
	uint64_t read_bytes, write_bytes; /* sectors * 512 */
	uint64_t read_ms, write_ms;	 /* time spent on them */
	uint64_t io_ms;			 /* time with I/O in flight (%util) */
	uint64_t weighted_ms;		 /* sum of in-flight time (queue size) */
	uint64_t in_flight;
};

struct sz_disk_sample {
	bool valid;
	struct sz_disk *disks;	/* whole devices and partitions, in file order */
	size_t ndisks;
	struct sz_psi psi;	/* /proc/pressure/io */
};

struct sz_netif {
	char name[SZ_NAME_MAX];	/* may contain ':' and any UTF-8 */
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
	int64_t speed_mbit;	/* from sysfs; -1 when unknown */
};

struct sz_net_sample {
	bool valid;			/* /proc/net/dev read */
	struct sz_netif *ifs;
	size_t nifs;
	bool tcp_valid;			/* /proc/net/snmp Tcp: read */
	uint64_t tcp_out_segs, tcp_retrans_segs;
	uint64_t tcp_curr_estab;
	bool listen_valid;		/* /proc/net/netstat TcpExt: read */
	uint64_t listen_overflows, listen_drops;
};

/* The states of a client backend, as pg_stat_activity.state names them. */
enum sz_pg_state {
	SZ_PG_ACTIVE = 0,
	SZ_PG_IDLE,
	SZ_PG_IDLE_IN_XACT,		/* "idle in transaction" */
	SZ_PG_IDLE_IN_XACT_ABORTED,	/* "idle in transaction (aborted)" */
	SZ_PG_FASTPATH,			/* "fastpath function call" */
	SZ_PG_DISABLED,			/* track_activities is off for it */
	SZ_PG_OTHER,			/* still starting, or not reported */
	SZ_PG_NSTATES
};

/* Where the PostgreSQL figures came from. */
enum sz_pg_source {
	SZ_PG_SOURCE_NONE = 0,
	SZ_PG_SOURCE_LIBPQ,	/* pg_stat_activity and the settings */
	SZ_PG_SOURCE_TITLES,	/* process titles and /proc/net/tcp{,6} */
};

#define SZ_PG_TOP 5	/* databases and users kept, most connections first */

/* A database or role and its client backends. */
struct sz_pg_count {
	char name[SZ_NAME_MAX];	/* NAMEDATALEN is 64: never truncated */
	uint64_t n;
};

/*
 * Client backends of one PostgreSQL server (sizeup's own connection left
 * out).  The settings are -1 when unknown: process titles do not tell
 * them, and reserved_connections exists only from PostgreSQL 16 (0 is
 * recorded before).
 */
struct sz_pg_sample {
	bool valid;
	enum sz_pg_source source;
	int port;			/* the server's, 0 when unknown */
	uint64_t backends;		/* client backends, every state */
	uint64_t states[SZ_PG_NSTATES];
	uint64_t waiting_lock;		/* wait_event_type 'Lock' */
	bool waits_known;		/* the two below were read (libpq) */
	uint64_t active_on_cpu;		/* active with no wait event */
	uint64_t active_on_io;		/* active, wait_event_type 'IO' */
	uint64_t hidden;		/* of backends, those whose state the
					 * role may not see (SZ_PG_OTHER) */
	bool refused_full;		/* the server turned sizeup away:
					 * "too many clients" */
	double oldest_xact_s;		/* age of the oldest open transaction;
					 * -1 when none or unknown */
	int64_t max_connections;
	int64_t superuser_reserved;
	int64_t reserved;
	struct sz_pg_count *dbs;	/* at most SZ_PG_TOP */
	size_t ndbs;
	struct sz_pg_count *users;	/* at most SZ_PG_TOP */
	size_t nusers;
	int64_t tcp_established;	/* TCP connections to the port, -1
					 * when not read (titles only) */
};

/* A process's open descriptors against its soft RLIMIT_NOFILE. */
struct sz_fd_proc {
	int pid;
	char comm[SZ_COMM_MAX];
	uint64_t open;
	uint64_t soft_limit;	/* UINT64_MAX: unlimited */
	uint64_t hard_limit;
};

struct sz_fd_sample {
	bool valid;			/* /proc/sys/fs/file-nr read */
	uint64_t allocated;		/* file handles in use */
	uint64_t max;			/* fs.file-max */
	struct sz_fd_proc *procs;	/* the processes the context wants,
					 * by pid */
	size_t nprocs;
	size_t nunreadable;		/* wanted but not readable */
};

#define SZ_CGROUP_PATH_MAX 256	/* longer paths are left out, with an error */
#define SZ_CGROUP_PIDS 32	/* processes of a CPU-limited group kept */

/*
 * A cgroup with a CPU quota or a memory limit, cgroup v1 or v2, as its
 * files say.  Times are kept in nanoseconds whatever the file's unit (v1
 * throttled_time and cpuacct.usage are ns, v2 *_usec are microseconds).
 * In v1, the cpu and memory hierarchies are separate trees: a group
 * limited in both has one entry with both parts.
 */
struct sz_cgroup {
	char path[SZ_CGROUP_PATH_MAX];	/* below the controller root,
					 * "/docker/b43d..." */
	int version;			/* 1 or 2 */
	bool cpu_limited;		/* a CFS quota is set */
	uint64_t quota_us, period_us;	/* cfs_quota_us, cfs_period_us or
					 * cpu.max */
	uint64_t nr_periods, nr_throttled; /* cpu.stat */
	uint64_t throttled_ns;		/* throttled_time; throttled_usec */
	bool has_usage;			/* the CPU time below was read */
	uint64_t usage_ns;		/* cpuacct.usage; usage_usec */
	/* the group's processes (cgroup.procs, its descendants' too), for
	 * telling whether a hot thread runs under the quota: the first
	 * SZ_CGROUP_PIDS of npids */
	int pids[SZ_CGROUP_PIDS];
	size_t npids;
	bool mem_limited;		/* a memory limit below host RAM */
	uint64_t mem_limit_bytes;	/* memory.limit_in_bytes; memory.max */
	uint64_t mem_usage_bytes;	/* memory.usage_in_bytes; memory.current */
	bool has_mem_usage;
	uint64_t mem_limit_hits;	/* memory.failcnt; memory.events max */
	uint64_t mem_oom_kills;		/* oom_kill of memory.oom_control
					 * (4.13+) or memory.events */
	uint64_t mem_refaults;		/* memory.stat workingset_refault
					 * (anon + file since 5.9) */
	bool has_mem_refaults;		/* memory.stat was read */
};

struct sz_cgroup_sample {
	bool valid;			/* a cgroup hierarchy was walked */
	int version;			/* 1 or 2; 0 when none is mounted */
	struct sz_cgroup *groups;	/* limited groups only, walk order */
	size_t ngroups;
};

struct sz_host {
	char hostname[SZ_HOST_MAX];
	char kernel[SZ_HOST_MAX];
	unsigned int cpus;	/* online cpus */
	uint64_t mem_total_bytes;
};

/* A probe that could not read its source says so here; the rest goes on. */
struct sz_sample_error {
	char probe[16];
	enum sz_err code;
	char msg[SZ_ERRMSG_MAX];
};

struct sz_sample {
	struct timespec mono;	/* CLOCK_MONOTONIC when collected */
	struct timespec wall;	/* CLOCK_REALTIME when collected */
	struct timespec boot;	/* CLOCK_BOOTTIME: the clock of start_ticks */
	unsigned long hz;	/* USER_HZ for the tick counters */
	struct sz_host host;
	struct sz_cpu_sample cpu;
	struct sz_threads_sample threads;
	struct sz_mem_sample mem;
	struct sz_disk_sample disk;
	struct sz_net_sample net;
	struct sz_pg_sample pg;
	struct sz_fd_sample fd;
	struct sz_cgroup_sample cgroup;
	struct sz_sample_error errors[SZ_MAX_ERRORS];
	size_t nerrors;
};

/* A new, zeroed sample.  Free with sz_sample_free(). */
struct sz_sample *sz_sample_new(void);

/* Free a sample and everything it owns.  NULL is a no-op. */
void sz_sample_free(struct sz_sample *s);

/*
 * Record that probe could not collect something.  fmt is printf-style and
 * the message is truncated to SZ_ERRMSG_MAX; errors beyond SZ_MAX_ERRORS
 * are dropped (the first ones are the informative ones).
 */
void sz_sample_add_error(struct sz_sample *s, const char *probe,
    enum sz_err code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Seconds from a to b on the monotonic clock. */
double sz_sample_elapsed(const struct sz_sample *a, const struct sz_sample *b);

/* Now on the monotonic clock that stamps samples, in seconds. */
double sz_monotonic_s(void);

/* The core with this id (cores are sorted by id), the disk or interface
 * of this name, the limited cgroup of this path; NULL when there is none.
 * Lists change between samples, so code that pairs two samples matches
 * by these, never by position. */
const struct sz_cpu_ticks *sz_sample_core(const struct sz_cpu_sample *c,
    int id);
const struct sz_disk *sz_sample_disk(const struct sz_disk_sample *d,
    const char *name);
const struct sz_netif *sz_sample_netif(const struct sz_net_sample *n,
    const char *name);
const struct sz_cgroup *sz_sample_cgroup(const struct sz_cgroup_sample *c,
    const char *path);

#endif
