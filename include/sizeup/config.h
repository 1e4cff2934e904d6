/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Configuration: the analyzer's thresholds (one table, with defaults drawn
 * from established practice), link capacities, the PostgreSQL connection
 * string and the log directory.  Read from an INI file by inih; command-line
 * options are applied on top by main.c.
 *
 * [thresholds]  name = value     (names as in sz_threshold_table)
 * [links]       eth0 = 1gbit
 * [postgresql]  conninfo = ...
 * [record]      dir = /var/log/sizeup
 */
#ifndef SIZEUP_CONFIG_H
#define SIZEUP_CONFIG_H

#include <stddef.h>

#include "sizeup/err.h"

struct sz_thresholds {
	double bound;		   /* score at which a resource binds */
	double cpu_util;	   /* mean busy share of all cores */
	double cpu_runq_per_cpu;   /* runnable tasks per core */
	double cpu_psi_some;	   /* share of time some task waited for CPU */
	double cpu_thread;	   /* one thread's CPU, in cores */
	double cpu_steal;	   /* share of time stolen by the hypervisor */
	double cpu_cgroup_throttled; /* throttled periods of a CPU quota */
	double mem_used;	   /* 1 - MemAvailable / MemTotal */
	double mem_psi_some;
	double mem_psi_full;
	double mem_refault_per_s;  /* workingset refaults, pages/s */
	double mem_majfault_per_s;
	double mem_swap_per_s;	   /* pages swapped in + out per second */
	double mem_oom_kills;	   /* OOM kills in the window */
	double mem_cgroup_used;	   /* a cgroup's usage / its limit */
	double io_util;		   /* busiest whole device's %util */
	double io_psi_some;
	double io_psi_full;
	double io_iowait;	   /* share of CPU time in iowait */
	double net_util;	   /* busiest direction's share of capacity */
	double net_drop_ratio;	   /* dropped / packets */
	double net_retrans_ratio;  /* TCP retransmitted / sent segments */
	double net_min_pkts_per_s; /* below this, ratios are noise */
	double conn_listen_overflows_per_s;
	double conn_pg_slots;	   /* PostgreSQL slots used / usable */
	double conn_pg_xact_age_s; /* an open transaction this old is long */
	double conn_fd_system;	   /* file handles / fs.file-max */
	double conn_fd_process;	   /* a process's open fds / its soft limit */
};

/* One entry of the threshold table: config key, offset, default, source. */
struct sz_threshold_def {
	const char *name;
	size_t offset;
	double def;
	const char *why;
	double max;	/* highest value that makes sense; 0: no limit */
};

/* The table entry of threshold name, or NULL. */
const struct sz_threshold_def *sz_threshold_find(const char *name);

extern const struct sz_threshold_def sz_threshold_table[];

#define SZ_MAX_LINKS 32

struct sz_link_speed {
	char name[64];
	double bits_per_s;
};

struct sz_config {
	struct sz_thresholds th;
	struct sz_link_speed links[SZ_MAX_LINKS];
	size_t nlinks;
	char *pg_conninfo;	/* NULL when not set */
	char *log_dir;		/* NULL: the default */
};

/* Defaults for everything.  Free the strings with sz_config_fini(). */
void sz_config_init(struct sz_config *cfg);
void sz_config_fini(struct sz_config *cfg);

/*
 * Read an INI file over cfg.  On error, *line is the first bad line (0 when
 * the file could not be opened or read) and msg says what is wrong.
 * RETURNS SZ_OK, SZ_ENOENT, SZ_EACCES, SZ_EIO (not readable, e.g. a
 * directory) or SZ_EINVAL.
 */
enum sz_err sz_config_load(struct sz_config *cfg, const char *path, int *line,
    char *msg, size_t msgsz);

/* Set a threshold by its table name.  RETURNS SZ_OK, SZ_EINVAL (unknown
 * name, not a positive number) or SZ_ERANGE (above its maximum). */
enum sz_err sz_config_set_threshold(struct sz_config *cfg, const char *name,
    const char *value);

/*
 * Parse a link rate in bits/s with a required unit: "50mbit", "1gbit",
 * "10g", "100m", "2.5gbit", "64kbit", "1t" (case-insensitive, decimal
 * multiples).  RETURNS SZ_OK, or SZ_EINVAL for no unit or below 1 kbit.
 */
enum sz_err sz_parse_rate(const char *s, double *bits_per_s);

/* Add or replace a link capacity from "IF=RATE".  RETURNS SZ_OK,
 * SZ_EINVAL or SZ_ETOOBIG (more than SZ_MAX_LINKS). */
enum sz_err sz_config_add_link(struct sz_config *cfg, const char *spec);

/* The capacity configured for ifname in bits/s, or 0. */
double sz_config_link_speed(const struct sz_config *cfg, const char *ifname);

#endif
