/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The memory probe: sizes from /proc/meminfo and paging, reclaim and OOM
 * counters from /proc/vmstat, both through libproc2, topped up with the
 * vmstat counters libproc2 4.0.2 does not know by name (read through
 * procfs.c), and memory pressure from /proc/pressure/memory.  It fills
 * struct sz_mem_sample with raw values: bytes for sizes, cumulative event
 * counts for vmstat.
 *
 * Reads /proc/meminfo and /proc/vmstat (libproc2, always the live /proc),
 * ROOT/proc/vmstat and ROOT/proc/pressure/memory.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libproc2/meminfo.h>
#include <libproc2/vmstat.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "memory"
#define VMSTAT_PATH "proc/vmstat"

/*
 * Every meminfo item is in KiB (the kernel's "kB" is 1024 bytes).
 *
 * Cached is the kernel's "Cached:" line as printed: the page cache,
 * including tmpfs and shared memory, without Buffers or SwapCached.  It is
 * what PCP (mem.util.cached), node_exporter (node_memory_Cached_bytes) and
 * sar (kbcached) report, so the numbers compare one to one.  libproc2's
 * MEMINFO_MEM_CACHED_ALL adds SReclaimable, as free(1) does; that mix is a
 * presentation choice, and how much of the cache could be reclaimed is
 * what MemAvailable already answers.
 *
 * Available: libproc2 substitutes MemFree when the line is missing
 * (kernels before 3.14), zero, or above MemTotal (lxcfs and other
 * container views).  On those hosts available equals free, which
 * understates what could be reclaimed.
 */
static enum meminfo_item mem_items[] = {
	MEMINFO_MEM_TOTAL,
	MEMINFO_MEM_FREE,
	MEMINFO_MEM_AVAILABLE,
	MEMINFO_MEM_CACHED,
	MEMINFO_SWAP_TOTAL,
	MEMINFO_SWAP_FREE,
};

enum {
	M_TOTAL,
	M_FREE,
	M_AVAILABLE,
	M_CACHED,
	M_SWAP_TOTAL,
	M_SWAP_FREE,
	NMEM
};

/*
 * allocstall is counted per zone since 4.8 (allocstall_dma, _dma32,
 * _normal, _movable, _high on 32-bit); the sample keeps their sum.
 * libproc2 takes non-const arrays but never writes to them.
 */
static enum vmstat_item vm_items[] = {
	VMSTAT_PSWPIN,
	VMSTAT_PSWPOUT,
	VMSTAT_PGMAJFAULT,
	VMSTAT_PGSCAN_DIRECT,
	VMSTAT_OOM_KILL,
	VMSTAT_WORKINGSET_REFAULT,
	VMSTAT_ALLOCSTALL_DMA,
	VMSTAT_ALLOCSTALL_DMA32,
	VMSTAT_ALLOCSTALL_NORMAL,
	VMSTAT_ALLOCSTALL_MOVABLE,
	VMSTAT_ALLOCSTALL_HIGH,
};

enum {
	V_PSWPIN,
	V_PSWPOUT,
	V_PGMAJFAULT,
	V_PGSCAN_DIRECT,
	V_OOM_KILL,
	V_REFAULT,
	V_ALLOCSTALL_DMA,
	V_ALLOCSTALL_DMA32,
	V_ALLOCSTALL_NORMAL,
	V_ALLOCSTALL_MOVABLE,
	V_ALLOCSTALL_HIGH,
	NVM
};

_Static_assert(sizeof(mem_items) / sizeof(mem_items[0]) == NMEM,
    "mem_items[] and its positions disagree");
_Static_assert(sizeof(vm_items) / sizeof(vm_items[0]) == NVM,
    "vm_items[] and its positions disagree");

struct mem_state {
	struct meminfo_info *meminfo; /* NULL until read once */
	struct vmstat_info *vmstat;   /* NULL until read once */
};

static enum sz_err
mem_open(const struct sz_ctx *ctx, void **state)
{
	(void)ctx;
	*state = sz_xcalloc(1, sizeof(struct mem_state));
	return SZ_OK;
}

static void
mem_close(void *state)
{
	struct mem_state *st = state;

	if (st == NULL)
		return;
	if (st->meminfo != NULL)
		procps_meminfo_unref(&st->meminfo);
	if (st->vmstat != NULL)
		procps_vmstat_unref(&st->vmstat);
	free(st);
}

static enum sz_err
read_meminfo(struct mem_state *st, struct sz_sample *s)
{
	struct sz_mem_sample *m = &s->mem;
	const struct meminfo_result *v;
	struct meminfo_stack *stack;
	int rc;

	if (st->meminfo == NULL) {
		rc = procps_meminfo_new(&st->meminfo);
		if (rc < 0) {
			st->meminfo = NULL;
			return sz_probe_lib_error(s, PROBE,
			    "/proc/meminfo", -rc);
		}
	}
	errno = 0;
	stack = procps_meminfo_select(st->meminfo, mem_items, NMEM);
	if (stack == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc/meminfo", errno);
	v = stack->head;
	m->total_bytes = (uint64_t)v[M_TOTAL].result.ul_int * 1024;
	m->free_bytes = (uint64_t)v[M_FREE].result.ul_int * 1024;
	m->available_bytes = (uint64_t)v[M_AVAILABLE].result.ul_int * 1024;
	m->cached_bytes = (uint64_t)v[M_CACHED].result.ul_int * 1024;
	m->swap_total_bytes = (uint64_t)v[M_SWAP_TOTAL].result.ul_int * 1024;
	m->swap_free_bytes = (uint64_t)v[M_SWAP_FREE].result.ul_int * 1024;
	m->valid = true;
	return SZ_OK;
}

/*
 * Add the spellings of these counters that libproc2 4.0.2 has no item for,
 * read from ROOT/proc/vmstat.  Its table knows workingset_refault, which
 * 5.9 split into workingset_refault_anon and workingset_refault_file; and
 * it knows the 4.8+ layout of direct reclaim, while older kernels print
 * one allocstall and a pgscan_direct per zone.  A kernel prints one
 * spelling or the other, never both, so adding every line found here to
 * what libproc2 returned gives the right sum on every kernel.
 */
static enum sz_err
read_vmstat_extra(const struct sz_ctx *ctx, struct sz_sample *s)
{
	struct sz_mem_sample *m = &s->mem;
	const struct {
		const char *name;
		uint64_t *sum;
	} extra[] = {
		{ "workingset_refault_anon", &m->workingset_refault },
		{ "workingset_refault_file", &m->workingset_refault },
		{ "allocstall", &m->allocstall },
		{ "pgscan_direct_dma", &m->pgscan_direct },
		{ "pgscan_direct_dma32", &m->pgscan_direct },
		{ "pgscan_direct_normal", &m->pgscan_direct },
		{ "pgscan_direct_movable", &m->pgscan_direct },
		{ "pgscan_direct_high", &m->pgscan_direct },
	};
	const size_t nextra = sizeof(extra) / sizeof(extra[0]);
	enum sz_err err, line_err;
	const char *line, *p;
	char *buf = NULL;
	uint64_t v;
	size_t i;

	err = sz_procfs_read(sz_ctx_root(ctx), VMSTAT_PATH, &buf, NULL);
	if (err)
		goto out;
	for (line = buf; line != NULL; line = sz_next_line(line)) {
		for (i = 0; i < nextra; i++) {
			p = line;
			if (!sz_match_key(&p, extra[i].name))
				continue;
			/* A bad line is skipped; the others still count. */
			line_err = sz_parse_u64(&p, &v);
			if (line_err)
				err = line_err;
			else
				*extra[i].sum += v;
			break;
		}
	}
out:
	if (err)
		sz_sample_add_error(
		    s, PROBE, err, "%s: %s", VMSTAT_PATH, sz_strerror(err));
	free(buf);
	return err;
}

static enum sz_err
read_vmstat(struct mem_state *st, const struct sz_ctx *ctx, struct sz_sample *s)
{
	struct sz_mem_sample *m = &s->mem;
	const struct vmstat_result *v;
	struct vmstat_stack *stack;
	int rc, i;

	if (st->vmstat == NULL) {
		rc = procps_vmstat_new(&st->vmstat);
		if (rc < 0) {
			st->vmstat = NULL;
			return sz_probe_lib_error(s, PROBE,
			    "/proc/vmstat", -rc);
		}
	}
	errno = 0;
	stack = procps_vmstat_select(st->vmstat, vm_items, NVM);
	if (stack == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc/vmstat", errno);
	v = stack->head;
	m->pswpin = v[V_PSWPIN].result.ul_int;
	m->pswpout = v[V_PSWPOUT].result.ul_int;
	m->pgmajfault = v[V_PGMAJFAULT].result.ul_int;
	m->pgscan_direct = v[V_PGSCAN_DIRECT].result.ul_int;
	m->oom_kill = v[V_OOM_KILL].result.ul_int;
	m->workingset_refault = v[V_REFAULT].result.ul_int;
	m->allocstall = 0;
	for (i = V_ALLOCSTALL_DMA; i <= V_ALLOCSTALL_HIGH; i++)
		m->allocstall += v[i].result.ul_int;
	m->vm_valid = true;
	/* Without the top-up the libproc2 counters still stand. */
	return read_vmstat_extra(ctx, s);
}

static enum sz_err
mem_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	enum sz_err err, vm_err;

	err = read_meminfo(state, s);
	vm_err = read_vmstat(state, ctx, s);
	sz_probe_read_psi(ctx, s, PROBE, "memory", &s->mem.psi);
	return err ? err : vm_err;
}

const struct sz_probe_ops sz_probe_memory = {
	.name = PROBE,
	.flags = 0,
	.open = mem_open,
	.collect = mem_collect,
	.close = mem_close,
};
