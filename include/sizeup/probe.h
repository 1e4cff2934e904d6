/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The probe interface.  A probe is a const descriptor (htop's MeterClass,
 * tmux's cmd_entry): optional open/close around a required collect that
 * copies raw counters from one source into a struct sz_sample.  A probe
 * never prints, never computes a rate and never decides anything; when it
 * cannot read its source it records an error in the sample and returns.
 *
 * probes/registry.c lists the probes; sz_collector runs them in order.
 */
#ifndef SIZEUP_PROBE_H
#define SIZEUP_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "sizeup/err.h"
#include "sizeup/sample.h"

/* Opaque: where to read from and what the probes may need to know. */
struct sz_ctx;

#define SZ_PROBE_OPTIONAL 0x1u	/* failure to open is not worth an error */

struct sz_probe_ops {
	const char *name;   /* stable key: CLI, JSON, logs */
	unsigned int flags; /* SZ_PROBE_* */
	enum sz_err (*open)(const struct sz_ctx *, void **state); /* optional */
	enum sz_err (*collect)(void *state, const struct sz_ctx *,
	    struct sz_sample *);				     /* required */
	void (*close)(void *state); /* optional, accepts NULL */
};

/* The probes, one file each under probes/. */
extern const struct sz_probe_ops sz_probe_cpu;
extern const struct sz_probe_ops sz_probe_threads;
extern const struct sz_probe_ops sz_probe_memory;
extern const struct sz_probe_ops sz_probe_disk;
extern const struct sz_probe_ops sz_probe_net;
extern const struct sz_probe_ops sz_probe_fds;
extern const struct sz_probe_ops sz_probe_cgroup;
extern const struct sz_probe_ops sz_probe_postgresql;	/* with libpq */
extern const struct sz_probe_ops sz_probe_pg_titles;	/* without */

/* NULL-terminated list of every probe built in (probes/registry.c). */
extern const struct sz_probe_ops *const sz_probes[];

/*
 * A context reading from root ("/" for the live host; a fixture tree in
 * tests; procfs.c readers and the threads probe honour it, libproc2
 * always reads /proc).
 * The string is copied.  Free with sz_ctx_free().
 */
struct sz_ctx *sz_ctx_new(const char *root);
void sz_ctx_free(struct sz_ctx *ctx);
const char *sz_ctx_root(const struct sz_ctx *ctx);

/*
 * How much of the process table the threads probe reads.  Every thread of
 * a busy host costs several times every process, so callers read threads
 * only where they are worth attributing, and skip the table in samples
 * whose processes nobody will look at.
 */
enum sz_task_scope {
	SZ_TASKS_ALL = 0,	/* every process and thread (the default) */
	SZ_TASKS_PROCESSES,	/* processes; threads as the filters below */
	SZ_TASKS_NONE,		/* no process table at all */
};

void sz_ctx_set_task_scope(struct sz_ctx *ctx, enum sz_task_scope scope);
enum sz_task_scope sz_ctx_task_scope(const struct sz_ctx *ctx);

/*
 * With SZ_TASKS_PROCESSES, read the threads of these processes (the array
 * is copied; NULL clears the list).
 */
void sz_ctx_set_thread_pids(struct sz_ctx *ctx, const int *pids, size_t n);

/*
 * With SZ_TASKS_PROCESSES, also read the threads of every process that
 * used CPU since ref was taken, or started since (ref is borrowed and must
 * stay alive while set; NULL clears it).
 */
void sz_ctx_set_thread_reference(struct sz_ctx *ctx,
    const struct sz_threads_sample *ref);

/* Does the context want the threads of this process (just read)? */
bool sz_ctx_wants_threads(const struct sz_ctx *ctx,
    const struct sz_task *proc);

/*
 * The PostgreSQL server to watch: a libpq connection string or URI (copied;
 * NULL means the PG* environment on the local socket).  The string may
 * hold a password: the probes never print it.
 */
void sz_ctx_set_pg_conninfo(struct sz_ctx *ctx, const char *conninfo);
const char *sz_ctx_pg_conninfo(const struct sz_ctx *ctx);

/*
 * Whether the PostgreSQL probe may use libpq (the default) or must count
 * backends from process titles.  Tests turn libpq off to check the
 * fallback against a server that libpq could reach.
 */
void sz_ctx_set_pg_libpq(struct sz_ctx *ctx, bool enabled);
bool sz_ctx_pg_libpq(const struct sz_ctx *ctx);

/*
 * Helpers shared by the probes (probes/common.c).
 *
 * Read /proc/pressure/<resource> below ctx's root into out.  PSI is
 * optional (kernels before 4.20, CONFIG_PSI=n, psi=0 on the command line,
 * some containers): when it cannot be read, record why for probe in s and
 * leave out->present false.
 */
void sz_probe_read_psi(const struct sz_ctx *ctx, struct sz_sample *s,
    const char *probe, const char *resource, struct sz_psi *out);

/*
 * Record a libproc2 failure for probe in s.  libproc2 reports -errno from
 * its _new functions and sets errno otherwise (sometimes to 0): pass the
 * positive errno, or 0.  what names the source ("/proc/stat").
 * RETURNS the sz_err recorded.
 */
enum sz_err sz_probe_lib_error(struct sz_sample *s, const char *probe,
    const char *what, int errnum);

/* Runs every registered probe, keeping each one's state between samples. */
struct sz_collector;

/* Open every probe.  A probe whose open fails is skipped and its error is
 * repeated in every sample it would have filled. */
struct sz_collector *sz_collector_new(const struct sz_ctx *ctx);

/* Fill s (fresh from sz_sample_new) with one reading of every probe. */
void sz_collector_collect(struct sz_collector *c, struct sz_sample *s);

/* Close every probe.  NULL is a no-op. */
void sz_collector_free(struct sz_collector *c);

#endif
