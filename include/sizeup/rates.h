/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Rates: what happened during a window of samples, per second, per core,
 * per device, per thread.  Counters are differenced between consecutive
 * samples and summed, so a counter that goes backwards in one interval
 * (CPU hotplug, iowait on NO_HZ kernels, an interface reset) adds zero
 * there and the rest of the window still counts.  Thread CPU comes from the
 * first and last samples (the only ones that keep their thread tables).
 *
 * Reads struct sz_sample; feeds the analyzer and the renderers.  Names in
 * the rates are borrowed from the window's last sample.
 */
#ifndef SIZEUP_RATES_H
#define SIZEUP_RATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sizeup/config.h"
#include "sizeup/sample.h"

/* Shares of one core's time (or of all cores' for the summary), 0..1. */
struct sz_core_rate {
	int id;
	double user;	/* excluding guest */
	double nice;	/* excluding guest_nice */
	double system, irq, softirq, iowait, steal, idle;
	double guest;	/* guest + guest_nice */
	double busy;	/* user + nice + system + irq + softirq + guest */
};

/* PSI over the window: share of wall time stalled, from total= deltas. */
struct sz_psi_rate {
	bool valid;
	bool has_full;
	double some, full;
};

struct sz_cpu_rates {
	bool valid;
	struct sz_core_rate all;
	struct sz_core_rate *cores;	/* cores seen in the last sample */
	size_t ncores;
	double ctxt_per_s;
	double runq_avg;	/* mean procs_running over the samples */
	double blocked_avg;	/* mean procs_blocked */
	struct sz_psi_rate psi;
};

struct sz_task_rate {
	int pid, tid;
	const char *comm;	/* borrowed from the last sample */
	char state;
	int nthreads;
	int processor;
	double cpu;		/* in cores: 1.0 is one core fully used */
	uint64_t rss_bytes;
	int hot_tid;		/* processes: their hottest thread, or 0 */
	double hot_cpu;		/* and its CPU in cores */
	const char *hot_comm;	/* and its name (borrowed), or NULL */
};

#define SZ_TOP_TASKS 32

struct sz_thread_rates {
	bool valid;
	struct sz_task_rate procs[SZ_TOP_TASKS];   /* hottest first */
	size_t nprocs;
	struct sz_task_rate threads[SZ_TOP_TASKS]; /* hottest first */
	size_t nthreads;
	size_t total_procs, total_threads;	   /* in the last sample */
	/* the processes with the most resident memory and the most threads,
	 * largest first, with their CPU and hottest thread as in procs */
	struct sz_task_rate by_rss[SZ_TOP_TASKS];
	size_t nby_rss;
	struct sz_task_rate by_threads[SZ_TOP_TASKS];
	size_t nby_threads;
};

struct sz_mem_rates {
	bool valid;
	uint64_t total_bytes, available_bytes, cached_bytes;
	uint64_t swap_total_bytes, swap_used_bytes;
	double used;		/* 1 - available / total */
	bool vm_valid;
	double swapin_per_s, swapout_per_s;	/* pages */
	double majfault_per_s, refault_per_s;
	double direct_scan_per_s, allocstall_per_s;
	uint64_t oom_kills;	/* in the window */
	struct sz_psi_rate psi;
};

struct sz_disk_rate {
	const char *name;
	double reads_per_s, writes_per_s;
	double read_bytes_per_s, write_bytes_per_s;
	double util;		/* share of time with I/O in flight */
	double await_ms;	/* mean time per completed I/O */
	double queue;		/* mean number of I/Os in flight */
};

struct sz_disk_rates {
	bool valid;
	struct sz_disk_rate *disks;	/* whole devices only */
	size_t ndisks;
	struct sz_psi_rate psi;
};

struct sz_netif_rate {
	const char *name;
	double rx_bytes_per_s, tx_bytes_per_s;
	double rx_packets_per_s, tx_packets_per_s;
	double rx_drops_per_s, tx_drops_per_s;
	double errors_per_s;
	double capacity_bits_per_s;	/* 0 when unknown */
	const char *capacity_source;	/* "sysfs", "config" or NULL */
	double rx_util, tx_util;	/* share of capacity; -1 unknown */
};

struct sz_net_rates {
	bool valid;
	struct sz_netif_rate *ifs;
	size_t nifs;
	bool tcp_valid;
	double out_segs_per_s, retrans_per_s;
	bool listen_valid;
	double listen_overflows_per_s, listen_drops_per_s;
};

/*
 * PostgreSQL's connection slots.  The reading is the last sample's (its
 * states, databases, users); the slots used are averaged over the samples
 * that read them from the same source, one moment being a poor measure of
 * a pool that churns.
 */
struct sz_pg_rates {
	bool valid;
	const struct sz_pg_sample *last;	/* borrowed */
	bool slots_known;	/* the settings were read */
	int64_t usable;		/* max_connections - superuser_reserved -
				 * reserved: what applications may use */
	double used_avg;	/* client backends, mean */
	uint64_t used_max;
	double used;		/* used_avg / usable; 0 when not known */
};

/* A process's descriptors against its soft limit. */
struct sz_fd_proc_rate {
	int pid;
	const char *comm;	/* borrowed from the last sample */
	uint64_t open;
	uint64_t soft_limit;	/* UINT64_MAX: unlimited */
	double used;		/* open / soft_limit */
};

#define SZ_TOP_FDS 5

struct sz_fd_rates {
	bool valid;		/* file-nr read in the last sample */
	uint64_t allocated, max;
	double used;		/* allocated / max */
	struct sz_fd_proc_rate procs[SZ_TOP_FDS];	/* fullest first */
	size_t nprocs;
	size_t nread;		/* processes read in the last sample */
};

/*
 * A cgroup with a CPU quota or a memory limit over the window (the groups
 * of the last sample; counters of earlier samples matched by path).
 */
struct sz_cgroup_rate {
	const char *path;	/* borrowed from the last sample */
	int version;
	bool cpu_limited;
	double quota_cores;	/* quota / period */
	uint64_t periods;	/* enforcement periods in the window */
	double throttled;	/* throttled periods / periods; 0 without any */
	double throttled_s_per_s; /* time its tasks sat throttled */
	double usage_cores;	/* CPU used, in cores; -1 when unknown */
	const int *pids;	/* borrowed: some of its processes */
	size_t npids;		/* of pids (at most SZ_CGROUP_PIDS) */
	bool mem_limited;
	uint64_t mem_limit_bytes, mem_usage_bytes; /* last sample */
	double mem_used;	/* usage / limit; -1 when unknown */
	double limit_hits_per_s; /* v2 memory.events max, v1 failcnt */
	uint64_t oom_kills;	/* in the window */
	double refaults_per_s;	/* pages */
};

struct sz_cgroup_rates {
	bool valid;		/* the last sample walked the cgroups */
	struct sz_cgroup_rate *groups;
	size_t ngroups;
};

struct sz_rates {
	double seconds;
	size_t nsamples;
	struct timespec start_wall, end_wall;
	const struct sz_host *host;	/* borrowed from the last sample */
	struct sz_cpu_rates cpu;
	struct sz_thread_rates threads;
	struct sz_mem_rates mem;
	struct sz_disk_rates disk;
	struct sz_net_rates net;
	struct sz_pg_rates pg;
	struct sz_fd_rates fd;
	struct sz_cgroup_rates cgroup;
	const struct sz_sample *last;	/* for its errors */
};

/*
 * Derive rates from a window of n >= 2 samples in time order.  The samples
 * must outlive out.  Link capacities come from cfg when given there, else
 * from sysfs.
 * RETURNS SZ_OK or SZ_EINVAL (fewer than two samples, no time elapsed).
 */
enum sz_err sz_rates_compute(struct sz_rates *out,
    const struct sz_sample *const *win, size_t n, const struct sz_config *cfg);

/* Free what sz_rates_compute allocated.  Safe on a zeroed struct. */
void sz_rates_fini(struct sz_rates *r);

#endif
