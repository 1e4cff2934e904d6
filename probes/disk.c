/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The disk probe: the cumulative I/O counters of every block device in
 * /proc/diskstats, whole disks and partitions told apart, read through
 * libproc2's diskstats API; and I/O pressure from /proc/pressure/io.  It
 * fills struct sz_disk_sample; IOPS, throughput, %util, await and queue
 * size are rates.c's business.
 *
 * Reads /proc/diskstats and /sys/block (libproc2, always the live tree)
 * and ROOT/proc/pressure/io.
 */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libproc2/diskstats.h>

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/xmalloc.h"

#define PROBE "disk"
#define SYS_BLOCK "/sys/block/"

/*
 * The first 11 counters of a line are the same in the 14-field layout,
 * the 18-field one (4.18+, discards) and the 20-field one (5.5+, flushes);
 * libproc2 reads those and ignores the rest.  Times are milliseconds.
 * libproc2 takes a non-const array but never writes to it.
 */
static enum diskstats_item items[] = {
	DISKSTATS_NAME,
	DISKSTATS_TYPE,
	DISKSTATS_READS,
	DISKSTATS_READ_SECTORS,
	DISKSTATS_READ_TIME,
	DISKSTATS_WRITES,
	DISKSTATS_WRITE_SECTORS,
	DISKSTATS_WRITE_TIME,
	DISKSTATS_IO_INPROGRESS,
	DISKSTATS_IO_TIME,
	DISKSTATS_WEIGHTED_TIME,
};

enum {
	I_NAME,
	I_TYPE,
	I_READS,
	I_READ_SECTORS,
	I_READ_TIME,
	I_WRITES,
	I_WRITE_SECTORS,
	I_WRITE_TIME,
	I_IN_FLIGHT,
	I_IO_TIME,
	I_WEIGHTED_TIME,
	NITEMS
};

_Static_assert(sizeof(items) / sizeof(items[0]) == NITEMS,
    "items[] and its positions disagree");

/*
 * /proc/diskstats counts sectors of 512 bytes whatever the device's
 * logical block size: the block layer's sector is always 512 bytes
 * (Documentation/admin-guide/iostats.rst).
 */
#define SECTOR_BYTES 512

struct disk_state {
	struct diskstats_info *info; /* NULL until read once */
};

static enum sz_err
disk_open(const struct sz_ctx *ctx, void **state)
{
	(void)ctx;
	*state = sz_xcalloc(1, sizeof(struct disk_state));
	return SZ_OK;
}

static void
disk_close(void *state)
{
	struct disk_state *st = state;

	if (st == NULL)
		return;
	if (st->info != NULL)
		procps_diskstats_unref(&st->info);
	free(st);
}

/*
 * libproc2 calls a device a whole disk when /sys/block has an entry of
 * the same name, and a partition otherwise (every device is a disk when
 * /sys/block cannot be read).  sysfs spells a '/' in a device name as '!'
 * (cciss/c0d0 is /sys/block/cciss!c0d0), which libproc2 4.0.2 does not
 * do, so it calls every such disk a partition.  Look again for those, in
 * the same live /sys/block that libproc2 read.
 */
static bool
is_slashed_disk(const char *name)
{
	char path[sizeof(SYS_BLOCK) + SZ_NAME_MAX];
	char *c;

	if (strchr(name, '/') == NULL)
		return false;
	snprintf(path, sizeof(path), SYS_BLOCK "%s", name);
	for (c = path + strlen(SYS_BLOCK); *c != '\0'; c++) {
		if (*c == '/')
			*c = '!';
	}
	return access(path, F_OK) == 0;
}

static void
copy_disk(struct sz_disk *d, const struct diskstats_stack *stack)
{
	const struct diskstats_result *v = stack->head;

	snprintf(d->name, sizeof(d->name), "%s", v[I_NAME].result.str);
	d->partition = v[I_TYPE].result.s_int == DISKSTATS_TYPE_PARTITION;
	if (d->partition && is_slashed_disk(d->name))
		d->partition = false;
	d->reads = v[I_READS].result.ul_int;
	d->writes = v[I_WRITES].result.ul_int;
	d->read_bytes =
	    (uint64_t)v[I_READ_SECTORS].result.ul_int * SECTOR_BYTES;
	d->write_bytes =
	    (uint64_t)v[I_WRITE_SECTORS].result.ul_int * SECTOR_BYTES;
	d->read_ms = v[I_READ_TIME].result.ul_int;
	d->write_ms = v[I_WRITE_TIME].result.ul_int;
	d->io_ms = v[I_IO_TIME].result.ul_int;
	d->weighted_ms = v[I_WEIGHTED_TIME].result.ul_int;
	/* An unsigned int in the kernel, an int in libproc2. */
	d->in_flight = (unsigned int)v[I_IN_FLIGHT].result.s_int;
}

/*
 * libproc2 rejects the whole file when one line has fewer than 14 fields
 * (ERANGE).  It keeps a device it has once seen after the device goes
 * away, with its last counters, and lists devices in the order it first
 * saw them: file order, unless devices come and go.
 */
static enum sz_err
read_diskstats(struct disk_state *st, struct sz_sample *s)
{
	struct sz_disk_sample *disk = &s->disk;
	struct diskstats_reaped *r;
	size_t i;
	int rc;

	if (st->info == NULL) {
		rc = procps_diskstats_new(&st->info);
		if (rc < 0) {
			st->info = NULL;
			return sz_probe_lib_error(s, PROBE,
			    "/proc/diskstats", -rc);
		}
	}
	errno = 0;
	r = procps_diskstats_reap(st->info, items, NITEMS);
	if (r == NULL)
		return sz_probe_lib_error(s, PROBE, "/proc/diskstats", errno);
	disk->ndisks = r->total > 0 ? (size_t)r->total : 0;
	disk->disks = NULL;
	if (disk->ndisks > 0)
		disk->disks = sz_xcalloc(disk->ndisks, sizeof(*disk->disks));
	for (i = 0; i < disk->ndisks; i++)
		copy_disk(&disk->disks[i], r->stacks[i]);
	disk->valid = true;
	return SZ_OK;
}

static enum sz_err
disk_collect(void *state, const struct sz_ctx *ctx, struct sz_sample *s)
{
	enum sz_err err;

	err = read_diskstats(state, s);
	sz_probe_read_psi(ctx, s, PROBE, "io", &s->disk.psi);
	return err;
}

const struct sz_probe_ops sz_probe_disk = {
	.name = PROBE,
	.flags = 0,
	.open = disk_open,
	.collect = disk_collect,
	.close = disk_close,
};
