/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The cpu probe: raw tick counters of every online core and of the summary
 * line of /proc/stat, with context switches and the running and blocked
 * task counts, read through libproc2's stat API; and CPU pressure from
 * /proc/pressure/cpu through procfs.c.  It fills struct sz_cpu_sample and
 * leaves every subtraction and ratio to rates.c.
 *
 * Reads /proc/stat (libproc2, always the live /proc) and
 * ROOT/proc/pressure/cpu.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libproc2/stat.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "cpu"

/*
 * What one reap returns, summary and per core alike.  The SYS_ items ride
 * along on every stack so that the counters come from the same read of
 * /proc/stat as the ticks (procps_stat_get() would read the file again).
 * libproc2 takes a non-const array but never writes to it.
 *
 * USER and NICE are what the kernel prints: user includes guest and nice
 * includes guest_nice (kernel/sched/cputime.c, account_guest_time()).
 * libproc2 4.0.2 passes them through unchanged, as
 * test_probes_cpu_node_exporter checks against the raw fixture.  (Its
 * derived STAT_TIC_SUM_TOTAL adds guest and guest_nice once more, counting
 * them twice; this probe does not use the derived items.)  The sample
 * keeps the kernel's meaning, and rates.c subtracts guest from user and
 * guest_nice from nice exactly once, so guest time is counted once.
 */
static enum stat_item items[] = {
	STAT_TIC_ID,
	STAT_TIC_USER,
	STAT_TIC_NICE,
	STAT_TIC_SYSTEM,
	STAT_TIC_IDLE,
	STAT_TIC_IOWAIT,
	STAT_TIC_IRQ,
	STAT_TIC_SOFTIRQ,
	STAT_TIC_STOLEN,
	STAT_TIC_GUEST,
	STAT_TIC_GUEST_NICE,
	STAT_SYS_CTX_SWITCHES,
	STAT_SYS_PROC_RUNNING,
	STAT_SYS_PROC_BLOCKED,
};

/* Positions in items[]: a stack holds its results in that order. */
enum {
	I_ID,
	I_USER,
	I_NICE,
	I_SYSTEM,
	I_IDLE,
	I_IOWAIT,
	I_IRQ,
	I_SOFTIRQ,
	I_STOLEN,
	I_GUEST,
	I_GUEST_NICE,
	I_CTXT,
	I_RUNNING,
	I_BLOCKED,
	NITEMS
};

_Static_assert(sizeof(items) / sizeof(items[0]) == NITEMS,
    "items[] and its positions disagree");

struct cpu_state {
	struct stat_info *info; /* NULL until /proc/stat was read once */
};

static enum sz_err
cpu_open(const struct sz_ctx *ctx, void **state)
{
	(void)ctx;
	*state = sz_xcalloc(1, sizeof(struct cpu_state));
	return SZ_OK;
}

static void
cpu_close(void *state)
{
	struct cpu_state *st = state;

	if (st == NULL)
		return;
	if (st->info != NULL)
		procps_stat_unref(&st->info);
	free(st);
}

static void
copy_ticks(struct sz_cpu_ticks *t, const struct stat_stack *stack)
{
	const struct stat_result *v = stack->head;

	t->user = v[I_USER].result.ull_int;
	t->nice = v[I_NICE].result.ull_int;
	t->system = v[I_SYSTEM].result.ull_int;
	t->idle = v[I_IDLE].result.ull_int;
	t->iowait = v[I_IOWAIT].result.ull_int;
	t->irq = v[I_IRQ].result.ull_int;
	t->softirq = v[I_SOFTIRQ].result.ull_int;
	t->steal = v[I_STOLEN].result.ull_int;
	t->guest = v[I_GUEST].result.ull_int;
	t->guest_nice = v[I_GUEST_NICE].result.ull_int;
}

/*
 * libproc2 fails with ERANGE when the summary line has fewer than 8
 * values (kernels before 2.6.11 print no steal column) and stops at the
 * first cpuN line it cannot parse, as if the rest were offline.  libproc2
 * keeps /proc/stat open between reads; a failed open is retried at the
 * next sample.
 */
static enum sz_err
read_stat(struct cpu_state *st, struct sz_sample *s)
{
	struct sz_cpu_sample *cpu = &s->cpu;
	const struct stat_stack *sum;
	struct stat_reaped *r;
	size_t i;
	int rc;

	if (st->info == NULL) {
		rc = procps_stat_new(&st->info);
		if (rc < 0) {
			st->info = NULL;
			return sz_probe_lib_error(s, PROBE, "/proc/stat", -rc);
		}
	}
	errno = 0;
	r = procps_stat_reap(st->info, STAT_REAP_CPUS_ONLY, items, NITEMS);
	if (r == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc/stat", errno);

	sum = r->summary;
	cpu->total.id = -1;
	copy_ticks(&cpu->total, sum);
	cpu->ctxt = sum->head[I_CTXT].result.ul_int;
	cpu->procs_running = sum->head[I_RUNNING].result.ul_int;
	cpu->procs_blocked = sum->head[I_BLOCKED].result.ul_int;

	/*
	 * One stack per cpuN line, in file order.  The kernel prints online
	 * CPUs in ascending id order and leaves offline ones out, so ids
	 * may have gaps and ncores may change from one sample to the next.
	 */
	cpu->ncores = r->cpus->total > 0 ? (size_t)r->cpus->total : 0;
	cpu->cores = NULL;
	if (cpu->ncores > 0)
		cpu->cores = sz_xcalloc(cpu->ncores, sizeof(*cpu->cores));
	for (i = 0; i < cpu->ncores; i++) {
		cpu->cores[i].id = r->cpus->stacks[i]->head[I_ID].result.s_int;
		copy_ticks(&cpu->cores[i], r->cpus->stacks[i]);
		/*
		 * Kernels before 2.6.33 print no guest_nice.  libproc2
		 * leaves it 0 in the summary, but grows its per-CPU table
		 * with realloc() and leaves it uninitialised from the 33rd
		 * CPU on.  No core can hold more than the summary, which
		 * adds up every CPU.
		 */
		if (cpu->total.guest_nice == 0)
			cpu->cores[i].guest_nice = 0;
	}
	cpu->valid = true;
	return SZ_OK;
}

static enum sz_err
cpu_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	enum sz_err err;

	err = read_stat(state, s);
	sz_probe_read_psi(ctx, s, PROBE, "cpu", &s->cpu.psi);
	return err;
}

const struct sz_probe_ops sz_probe_cpu = {
	.name = PROBE,
	.flags = 0,
	.open = cpu_open,
	.collect = cpu_collect,
	.close = cpu_close,
};
