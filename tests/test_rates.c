/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Unit tests of rates.c: hand-made windows of samples (samples.c) turned
 * into shares per core, PSI shares, disk and link figures and per-thread
 * CPU.  Expected values are worked out by hand in the comments, so a wrong
 * formula fails here rather than in a verdict.
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmocka_compat.h"
#include "samples.h"
#include "sizeup/config.h"
#include "sizeup/probe.h"
#include "sizeup/rates.h"

#define EPS 1e-9

static void
compute(struct sz_rates *r, struct sz_sample **win, size_t n,
    const struct sz_config *cfg)
{
	enum sz_err err = sz_rates_compute(r,
	    (const struct sz_sample *const *)win, n, cfg);

	assert_int_equal(err, SZ_OK);
}

static double
share_sum(const struct sz_core_rate *c)
{
	return c->user + c->nice + c->guest + c->system + c->irq +
	    c->softirq + c->iowait + c->steal + c->idle;
}

/* Every share is a fraction: no negative, no 2^64-sized value, no NaN. */
static void
assert_fractions(const struct sz_core_rate *c)
{
	const double v[] = { c->user, c->nice, c->guest, c->system, c->irq,
		c->softirq, c->iowait, c->steal, c->idle, c->busy };
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (!(v[i] >= 0 && v[i] <= 1))
			fail_msg("core %d share %zu is %g", c->id, i, v[i]);
	}
}

static const struct sz_task_rate *
find_thread(const struct sz_rates *r, int tid)
{
	size_t i;

	for (i = 0; i < r->threads.nthreads; i++) {
		if (r->threads.threads[i].tid == tid)
			return &r->threads.threads[i];
	}
	return NULL;
}

static const struct sz_task_rate *
find_proc(const struct sz_rates *r, int pid)
{
	size_t i;

	for (i = 0; i < r->threads.nprocs; i++) {
		if (r->threads.procs[i].pid == pid)
			return &r->threads.procs[i];
	}
	return NULL;
}

/*
 * Two cores for 10 s (1000 ticks each).  Core 0 runs a VM: user 600 of
 * which guest 200.  Core 1 runs a niced VM: nice 300 of which guest_nice
 * 100.  The kernel counts guest inside user, so the core's time is 1000
 * ticks, not 1200, and guest is shown once, apart from user.
 */
static void
test_rates_guest_not_counted_twice(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;

	(void)state;
	smp_core(w[1], 0, &(struct sz_cpu_ticks){ .user = 600, .guest = 200,
	    .system = 100, .irq = 50, .softirq = 50, .idle = 200 });
	smp_core(w[1], 1, &(struct sz_cpu_ticks){ .user = 100, .nice = 300,
	    .guest_nice = 100, .idle = 600 });
	compute(&r, w, 2, NULL);

	assert_true(r.cpu.valid);
	assert_int_equal(r.cpu.ncores, 2);
	assert_int_equal(r.cpu.cores[0].id, 0);
	sz_assert_near(r.cpu.cores[0].user, 0.40, EPS);
	sz_assert_near(r.cpu.cores[0].guest, 0.20, EPS);
	sz_assert_near(r.cpu.cores[0].system, 0.10, EPS);
	sz_assert_near(r.cpu.cores[0].irq, 0.05, EPS);
	sz_assert_near(r.cpu.cores[0].softirq, 0.05, EPS);
	sz_assert_near(r.cpu.cores[0].idle, 0.20, EPS);
	sz_assert_near(r.cpu.cores[0].busy, 0.80, EPS);
	sz_assert_near(share_sum(&r.cpu.cores[0]), 1, EPS);

	assert_int_equal(r.cpu.cores[1].id, 1);
	sz_assert_near(r.cpu.cores[1].user, 0.10, EPS);
	sz_assert_near(r.cpu.cores[1].nice, 0.20, EPS);
	sz_assert_near(r.cpu.cores[1].guest, 0.10, EPS);
	sz_assert_near(r.cpu.cores[1].idle, 0.60, EPS);
	sz_assert_near(r.cpu.cores[1].busy, 0.40, EPS);
	sz_assert_near(share_sum(&r.cpu.cores[1]), 1, EPS);

	/* the "cpu" line: 2000 ticks, user 700 - 200, guest 200 + 100 */
	sz_assert_near(r.cpu.all.user, 0.25, EPS);
	sz_assert_near(r.cpu.all.nice, 0.10, EPS);
	sz_assert_near(r.cpu.all.guest, 0.15, EPS);
	sz_assert_near(r.cpu.all.idle, 0.40, EPS);
	sz_assert_near(r.cpu.all.busy, 0.60, EPS);
	sz_assert_near(share_sum(&r.cpu.all), 1, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Steal and iowait are time the core did not work for us: not busy. */
static void
test_rates_steal_and_iowait_not_busy(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 1) };
	struct sz_rates r;

	(void)state;
	smp_core(w[1], 0, &(struct sz_cpu_ticks){ .user = 300, .steal = 250,
	    .iowait = 150, .idle = 300 });
	compute(&r, w, 2, NULL);
	sz_assert_near(r.cpu.all.steal, 0.25, EPS);
	sz_assert_near(r.cpu.all.iowait, 0.15, EPS);
	sz_assert_near(r.cpu.all.busy, 0.30, EPS);
	sz_assert_near(r.cpu.cores[0].busy, 0.30, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * CPU hotplug: core 1 is offline in the middle sample and comes back with
 * idle lower than before (the kernel's idle source differs for offline
 * cores).  Both intervals lack core 1, so it adds nothing; core 0 and the
 * rest of the window still count.
 */
static void
test_rates_core_missing_in_middle_sample(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 2), smp_new(5, 2),
		smp_new(10, 2) };
	struct sz_rates r;
	size_t k;

	(void)state;
	smp_core(w[0], 1, &(struct sz_cpu_ticks){ .user = 1000, .idle = 1000 });
	smp_core(w[1], 0, &(struct sz_cpu_ticks){ .user = 250, .idle = 250 });
	smp_core_remove(w[1], 1);
	smp_core(w[2], 0, &(struct sz_cpu_ticks){ .user = 500, .idle = 500 });
	smp_core(w[2], 1, &(struct sz_cpu_ticks){ .user = 1100, .idle = 900 });
	compute(&r, w, 3, NULL);

	assert_int_equal(r.cpu.ncores, 2);
	sz_assert_near(r.cpu.cores[0].busy, 0.5, EPS);
	sz_assert_near(r.cpu.cores[1].busy, 0, EPS);
	sz_assert_near(r.cpu.cores[1].idle, 1, EPS);
	for (k = 0; k < r.cpu.ncores; k++)
		assert_fractions(&r.cpu.cores[k]);
	/*
	 * The summary line (the sum of the online cores here) drops from
	 * 1000/1000 to 250/250, which adds zero, then grows by 1350 user
	 * and 1150 idle: 1350 / 2500.
	 */
	sz_assert_near(r.cpu.all.user, 0.54, EPS);
	assert_fractions(&r.cpu.all);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/* A core that only appears in the last sample has no interval: idle. */
static void
test_rates_core_new_in_last_sample(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 2) };
	struct sz_rates r;

	(void)state;
	smp_core(w[1], 0, &(struct sz_cpu_ticks){ .user = 1000 });
	smp_core(w[1], 1, &(struct sz_cpu_ticks){ .user = 5000 });
	compute(&r, w, 2, NULL);
	assert_int_equal(r.cpu.ncores, 2);
	sz_assert_near(r.cpu.cores[0].busy, 1, EPS);
	sz_assert_near(r.cpu.cores[1].busy, 0, EPS);
	sz_assert_near(r.cpu.cores[1].idle, 1, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * iowait goes backwards on NO_HZ kernels.  The decreasing step adds zero;
 * the next step counts: user 200, iowait 50, idle 200 of 450 ticks.
 */
static void
test_rates_iowait_backwards_adds_zero(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 1), smp_new(1, 1),
		smp_new(2, 1) };
	struct sz_rates r;

	(void)state;
	smp_core(w[0], 0, &(struct sz_cpu_ticks){ .iowait = 500 });
	smp_core(w[1], 0, &(struct sz_cpu_ticks){ .user = 100, .iowait = 400,
	    .idle = 100 });
	smp_core(w[2], 0, &(struct sz_cpu_ticks){ .user = 200, .iowait = 450,
	    .idle = 200 });
	compute(&r, w, 3, NULL);
	sz_assert_near(r.cpu.cores[0].iowait, 50.0 / 450, EPS);
	sz_assert_near(r.cpu.cores[0].user, 200.0 / 450, EPS);
	sz_assert_near(r.cpu.cores[0].idle, 200.0 / 450, EPS);
	sz_assert_near(r.cpu.all.iowait, 50.0 / 450, EPS);
	assert_fractions(&r.cpu.cores[0]);
	assert_fractions(&r.cpu.all);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/*
 * An interface is reset (driver reload) in the second interval: its
 * counters restart near zero.  That interval adds zero; the first one's
 * 1 MB in 5 s over the 10 s window gives 100 kB/s, never 2^64/10.
 */
static void
test_rates_netif_counter_reset_adds_zero(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 1), smp_new(5, 1),
		smp_new(10, 1) };
	struct sz_rates r;

	(void)state;
	smp_netif(w[0], "eth0", &(struct sz_netif){ .rx_bytes = 1000000,
	    .tx_bytes = 400000, .rx_packets = 1000, .tx_drop = 7,
	    .speed_mbit = 1000 });
	smp_netif(w[1], "eth0", &(struct sz_netif){ .rx_bytes = 2000000,
	    .tx_bytes = 900000, .rx_packets = 2000, .tx_drop = 9,
	    .speed_mbit = 1000 });
	smp_netif(w[2], "eth0", &(struct sz_netif){ .rx_bytes = 5000,
	    .tx_bytes = 1000, .rx_packets = 5, .tx_drop = 0,
	    .speed_mbit = 1000 });
	compute(&r, w, 3, NULL);
	assert_int_equal(r.net.nifs, 1);
	sz_assert_near(r.net.ifs[0].rx_bytes_per_s, 100000, EPS);
	sz_assert_near(r.net.ifs[0].tx_bytes_per_s, 50000, EPS);
	sz_assert_near(r.net.ifs[0].rx_packets_per_s, 100, EPS);
	sz_assert_near(r.net.ifs[0].tx_drops_per_s, 0.2, EPS);
	sz_assert_near(r.net.ifs[0].rx_util, 100000 * 8 / 1e9, EPS);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/* PSI shares come from total= deltas over the window's wall time. */
static void
test_rates_psi_share_from_totals(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 1), smp_new(5, 1),
		smp_new(10, 1) };
	struct sz_rates r;

	(void)state;
	/* cpu: 1.5 s + 1 s of some, 0.5 s + 0.5 s of full in 10 s */
	smp_psi(&w[0]->cpu.psi, 7000000, 3000000);
	smp_psi(&w[1]->cpu.psi, 8500000, 3500000);
	smp_psi(&w[2]->cpu.psi, 9500000, 4000000);
	/* memory: no "full" line (kernel without it) */
	smp_psi(&w[0]->mem.psi, 0, 0);
	smp_psi(&w[1]->mem.psi, 2000000, 0);
	smp_psi(&w[2]->mem.psi, 4000000, 0);
	w[0]->mem.psi.has_full = w[1]->mem.psi.has_full = false;
	w[2]->mem.psi.has_full = false;
	/* io: a counter that went backwards adds zero, not 2^64 */
	smp_psi(&w[0]->disk.psi, 5000000, 0);
	smp_psi(&w[1]->disk.psi, 1000000, 0);
	smp_psi(&w[2]->disk.psi, 1500000, 0);
	compute(&r, w, 3, NULL);

	assert_true(r.cpu.psi.valid);
	assert_true(r.cpu.psi.has_full);
	sz_assert_near(r.cpu.psi.some, 0.25, EPS);
	sz_assert_near(r.cpu.psi.full, 0.10, EPS);
	assert_true(r.mem.psi.valid);
	assert_false(r.mem.psi.has_full);
	sz_assert_near(r.mem.psi.some, 0.40, EPS);
	sz_assert_near(r.mem.psi.full, 0, EPS);
	assert_true(r.disk.psi.valid);
	sz_assert_near(r.disk.psi.some, 0.05, EPS);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/* No pressure file in the last sample (old kernel): no PSI figure. */
static void
test_rates_psi_absent_is_invalid(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 1) };
	struct sz_rates r;

	(void)state;
	compute(&r, w, 2, NULL);
	assert_false(r.cpu.psi.valid);
	assert_false(r.mem.psi.valid);
	assert_false(r.disk.psi.valid);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * sda for 10 s, from non-zero counters: 1500 reads + 500 writes (200
 * IOPS), 3000 + 1000 ms spent on them (2 ms per I/O), 8000 ms with I/O in
 * flight (80% util), 25000 ms of in-flight time summed (queue 2.5).
 */
static void
test_rates_disk_util_await_queue(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 1) };
	struct sz_rates r;
	const struct sz_disk_rate *d;

	(void)state;
	smp_disk(w[0], "sda", &(struct sz_disk){ .reads = 10000,
	    .writes = 20000, .read_bytes = 1 << 30, .write_bytes = 1 << 29,
	    .read_ms = 40000, .write_ms = 90000, .io_ms = 500000,
	    .weighted_ms = 700000 });
	smp_disk(w[1], "sda", &(struct sz_disk){ .reads = 11500,
	    .writes = 20500, .read_bytes = (1 << 30) + 1500 * 4096,
	    .write_bytes = (1 << 29) + 500 * 65536, .read_ms = 43000,
	    .write_ms = 91000, .io_ms = 508000, .weighted_ms = 725000 });
	compute(&r, w, 2, NULL);
	assert_true(r.disk.valid);
	assert_int_equal(r.disk.ndisks, 1);
	d = &r.disk.disks[0];
	assert_string_equal(d->name, "sda");
	sz_assert_near(d->reads_per_s, 150, EPS);
	sz_assert_near(d->writes_per_s, 50, EPS);
	sz_assert_near(d->read_bytes_per_s, 1500 * 4096 / 10.0, EPS);
	sz_assert_near(d->write_bytes_per_s, 500 * 65536 / 10.0, EPS);
	sz_assert_near(d->await_ms, 2.0, EPS);
	sz_assert_near(d->util, 0.80, EPS);
	sz_assert_near(d->queue, 2.5, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* An idle disk has no I/O to average: await 0, not NaN; util capped. */
static void
test_rates_disk_idle_and_overfull(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(2, 1) };
	struct sz_rates r;

	(void)state;
	smp_disk(w[0], "loop0", &(struct sz_disk){ .reads = 7 });
	smp_disk(w[0], "vda", &(struct sz_disk){ .io_ms = 100 });
	smp_disk(w[1], "loop0", &(struct sz_disk){ .reads = 7 });
	/* io_ms ran ahead of the clock by 50 ms: still 100% */
	smp_disk(w[1], "vda", &(struct sz_disk){ .reads = 10,
	    .read_ms = 30, .io_ms = 2150 });
	compute(&r, w, 2, NULL);
	assert_int_equal(r.disk.ndisks, 2);
	assert_string_equal(r.disk.disks[0].name, "loop0");
	sz_assert_near(r.disk.disks[0].await_ms, 0, EPS);
	sz_assert_near(r.disk.disks[0].util, 0, EPS);
	assert_string_equal(r.disk.disks[1].name, "vda");
	sz_assert_near(r.disk.disks[1].util, 1, EPS);
	sz_assert_near(r.disk.disks[1].await_ms, 3, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Partitions repeat their disk's I/O: only whole devices are rated. */
static void
test_rates_disk_partitions_excluded(void **state)
{
	static const struct {
		const char *name;
		bool partition;
	} devs[] = {
		{ "sda", false }, { "sda1", true }, { "sda2", true },
		{ "nvme0n1", false }, { "nvme0n1p1", true },
	};
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 1) };
	struct sz_rates r;
	size_t i, k;

	(void)state;
	/* device i is busy i + 1 seconds of the 10 */
	for (k = 0; k < 2; k++) {
		for (i = 0; i < 5; i++)
			smp_disk(w[k], devs[i].name, &(struct sz_disk){
			    .partition = devs[i].partition,
			    .io_ms = k * 1000 * (i + 1) });
	}
	compute(&r, w, 2, NULL);
	assert_int_equal(r.disk.ndisks, 2);
	assert_string_equal(r.disk.disks[0].name, "sda");
	sz_assert_near(r.disk.disks[0].util, 0.1, EPS);
	assert_string_equal(r.disk.disks[1].name, "nvme0n1");
	sz_assert_near(r.disk.disks[1].util, 0.4, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * eth0's driver says 1000 Mbit/s but the uplink is shaped to 100 Mbit/s,
 * as the config says: 10 MB/s out is 80% of the link, not 8%.  eth1 has
 * only its sysfs speed; tun0 has neither, so its share is unknown (-1).
 */
static void
test_rates_link_capacity_config_beats_sysfs(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(10, 1) };
	struct sz_config cfg;
	struct sz_rates r;
	size_t k;

	(void)state;
	sz_config_init(&cfg);
	assert_int_equal(sz_config_add_link(&cfg, "eth0=100mbit"), SZ_OK);
	for (k = 0; k < 2; k++) {
		smp_netif(w[k], "eth0", &(struct sz_netif){
		    .tx_bytes = k * 100000000, .rx_bytes = k * 25000000,
		    .speed_mbit = 1000 });
		smp_netif(w[k], "eth1", &(struct sz_netif){
		    .tx_bytes = k * 100000000, .speed_mbit = 1000 });
		smp_netif(w[k], "tun0", &(struct sz_netif){
		    .tx_bytes = k * 100000000, .speed_mbit = -1 });
	}
	compute(&r, w, 2, &cfg);
	assert_int_equal(r.net.nifs, 3);
	assert_string_equal(r.net.ifs[0].name, "eth0");
	sz_assert_near(r.net.ifs[0].capacity_bits_per_s, 100e6, EPS);
	assert_string_equal(r.net.ifs[0].capacity_source, "config");
	sz_assert_near(r.net.ifs[0].tx_util, 0.80, EPS);
	sz_assert_near(r.net.ifs[0].rx_util, 0.20, EPS);
	sz_assert_near(r.net.ifs[1].capacity_bits_per_s, 1000e6, EPS);
	assert_string_equal(r.net.ifs[1].capacity_source, "sysfs");
	sz_assert_near(r.net.ifs[1].tx_util, 0.08, EPS);
	sz_assert_near(r.net.ifs[2].capacity_bits_per_s, 0, EPS);
	assert_null(r.net.ifs[2].capacity_source);
	sz_assert_near(r.net.ifs[2].tx_util, -1, EPS);
	sz_assert_near(r.net.ifs[2].rx_util, -1, EPS);
	sz_rates_fini(&r);

	/* without a config, sysfs is all there is */
	compute(&r, w, 2, NULL);
	assert_string_equal(r.net.ifs[0].capacity_source, "sysfs");
	sz_assert_near(r.net.ifs[0].tx_util, 0.08, EPS);
	sz_rates_fini(&r);
	sz_config_fini(&cfg);
	smp_free(w, 2);
}

/* TCP and listen-queue counters per second. */
static void
test_rates_tcp_and_listen(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(4, 1) };
	struct sz_rates r;

	(void)state;
	smp_netif(w[0], "eth0", &(struct sz_netif){ .speed_mbit = -1 });
	smp_netif(w[1], "eth0", &(struct sz_netif){ .speed_mbit = -1 });
	smp_tcp(w[0], 1000, 10);
	smp_tcp(w[1], 9000, 90);
	smp_listen(w[0], 3, 4);
	smp_listen(w[1], 23, 44);
	compute(&r, w, 2, NULL);
	assert_true(r.net.tcp_valid);
	sz_assert_near(r.net.out_segs_per_s, 2000, EPS);
	sz_assert_near(r.net.retrans_per_s, 20, EPS);
	assert_true(r.net.listen_valid);
	sz_assert_near(r.net.listen_overflows_per_s, 5, EPS);
	sz_assert_near(r.net.listen_drops_per_s, 10, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * PostgreSQL slots: used is the mean over the samples that read the same
 * source as the last (a libpq reading, then one from titles, then libpq
 * again); states come from the last sample.  Usable slots leave out the
 * reserved ones.
 */
static void
test_rates_pg_slots(void **state)
{
	struct sz_sample *w[4] = { smp_new(0, 1), smp_new(1, 1),
		smp_new(2, 1), smp_new(3, 1) };
	struct sz_rates r;

	(void)state;
	smp_pg(w[0], 50, 3, 10, 0, 0);
	smp_pg(w[1], 50, 3, 40, 0, 0);
	w[1]->pg.source = SZ_PG_SOURCE_TITLES;
	smp_pg(w[3], 50, 3, 5, 24, 1);
	w[3]->pg.reserved = 2;
	compute(&r, w, 4, NULL);
	assert_true(r.pg.valid);
	assert_ptr_equal(r.pg.last, &w[3]->pg);
	assert_true(r.pg.slots_known);
	assert_int_equal(r.pg.usable, 45);
	sz_assert_near(r.pg.used_avg, 20, EPS);	/* (10 + 30) / 2 */
	assert_int_equal(r.pg.used_max, 30);
	sz_assert_near(r.pg.used, 20.0 / 45, EPS);
	sz_rates_fini(&r);

	/* a last sample without a reading: nothing to say */
	w[3]->pg.valid = false;
	compute(&r, w, 4, NULL);
	assert_false(r.pg.valid);
	sz_rates_fini(&r);
	smp_free(w, 4);
}

/* Memory: used is 1 - available / total; vmstat counters per second. */
static void
test_rates_memory(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(5, 1) };
	struct sz_rates r;

	(void)state;
	smp_mem(w[0], 8 * SMP_GIB, 4 * SMP_GIB);
	smp_mem(w[1], 8 * SMP_GIB, 2 * SMP_GIB);
	w[1]->mem.swap_total_bytes = 4 * SMP_GIB;
	w[1]->mem.swap_free_bytes = 3 * SMP_GIB;
	smp_vmstat(w[0], &(struct smp_vm){ .pswpin = 100, .pswpout = 200,
	    .pgmajfault = 1000, .refault = 5000, .oom_kill = 2 });
	smp_vmstat(w[1], &(struct smp_vm){ .pswpin = 600, .pswpout = 1200,
	    .pgmajfault = 3500, .refault = 20000, .oom_kill = 3 });
	compute(&r, w, 2, NULL);
	assert_true(r.mem.valid);
	sz_assert_near(r.mem.used, 0.75, EPS);
	assert_true(r.mem.swap_used_bytes == SMP_GIB);
	assert_true(r.mem.vm_valid);
	sz_assert_near(r.mem.swapin_per_s, 100, EPS);
	sz_assert_near(r.mem.swapout_per_s, 200, EPS);
	sz_assert_near(r.mem.majfault_per_s, 500, EPS);
	sz_assert_near(r.mem.refault_per_s, 3000, EPS);
	assert_int_equal(r.mem.oom_kills, 1);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Run queue: procs_running counts the reader, which is taken off. */
static void
test_rates_run_queue_and_ctxt(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 2), smp_new(1, 2),
		smp_new(2, 2) };
	struct sz_rates r;

	(void)state;
	smp_procs(w[0], 3, 0);
	smp_procs(w[1], 5, 2);
	smp_procs(w[2], 7, 4);
	w[0]->cpu.ctxt = 1000;
	w[1]->cpu.ctxt = 5000;
	w[2]->cpu.ctxt = 9000;
	compute(&r, w, 3, NULL);
	sz_assert_near(r.cpu.runq_avg, 4, EPS);
	sz_assert_near(r.cpu.blocked_avg, 2, EPS);
	sz_assert_near(r.cpu.ctxt_per_s, 4000, EPS);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/*
 * Process 100 has two threads over 10 s at 100 Hz: tid 101 used 500
 * ticks (half a core), tid 102 990 (0.99 core).  Threads are rated by tid,
 * hottest first; the process sums them.
 */
static void
test_rates_thread_cpu_by_tid(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;

	(void)state;
	smp_thread(w[0], 100, 100, "app", 40, SMP_START(-60), 0);
	smp_thread(w[0], 100, 101, "app-io", 1000, SMP_START(-60), 0);
	smp_thread(w[0], 100, 102, "app-cpu", 2000, SMP_START(-60), 1);
	smp_thread(w[1], 100, 100, "app", 40, SMP_START(-60), 0);
	smp_thread(w[1], 100, 101, "app-io", 1500, SMP_START(-60), 1);
	smp_thread(w[1], 100, 102, "app-cpu", 2990, SMP_START(-60), 0);
	compute(&r, w, 2, NULL);

	assert_true(r.threads.valid);
	assert_int_equal(r.threads.total_threads, 3);
	assert_int_equal(r.threads.total_procs, 1);
	assert_int_equal(r.threads.nthreads, 3);
	assert_int_equal(r.threads.threads[0].tid, 102);
	sz_assert_near(r.threads.threads[0].cpu, 0.99, EPS);
	assert_string_equal(r.threads.threads[0].comm, "app-cpu");
	assert_int_equal(r.threads.threads[0].pid, 100);
	assert_int_equal(r.threads.threads[0].processor, 0);
	assert_int_equal(r.threads.threads[1].tid, 101);
	sz_assert_near(r.threads.threads[1].cpu, 0.50, EPS);
	assert_int_equal(r.threads.threads[2].tid, 100);
	sz_assert_near(r.threads.threads[2].cpu, 0, EPS);
	assert_int_equal(r.threads.nprocs, 1);
	sz_assert_near(r.threads.procs[0].cpu, 1.49, EPS);
	assert_int_equal(r.threads.procs[0].nthreads, 3);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * tid 200 exits and its number is reused by a new process started 4 s
 * into the window, which used 300 ticks.  Start times tell them apart: the
 * new one counts from zero (0.3 core), not 300 - 5000 clamped to zero.
 */
static void
test_rates_thread_tid_reuse(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;
	const struct sz_task_rate *t, *p;

	(void)state;
	smp_thread(w[0], 200, 200, "old", 5000, SMP_START(-100), 0);
	smp_thread(w[1], 200, 200, "new", 300, SMP_START(4), 0);
	compute(&r, w, 2, NULL);
	t = find_thread(&r, 200);
	assert_non_null(t);
	assert_string_equal(t->comm, "new");
	sz_assert_near(t->cpu, 0.30, EPS);
	p = find_proc(&r, 200);
	assert_non_null(p);
	sz_assert_near(p->cpu, 0.30, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * Same tid, different start time, but the newcomer claims to have started
 * before the window: it cannot be rated (its CPU before the window is
 * unknown), so it is left out rather than given 50 s of CPU.
 */
static void
test_rates_thread_reused_early_excluded(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;

	(void)state;
	smp_thread(w[0], 210, 210, "a", 100, SMP_START(-100), 0);
	smp_thread(w[1], 210, 210, "b", 5000, SMP_START(-50), 0);
	compute(&r, w, 2, NULL);
	assert_null(find_thread(&r, 210));
	assert_null(find_proc(&r, 210));
	assert_int_equal(r.threads.total_threads, 1);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* A thread born 2 s into the window counts all its ticks. */
static void
test_rates_thread_born_in_window(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;
	const struct sz_task_rate *t;

	(void)state;
	smp_thread(w[0], 300, 300, "server", 100, SMP_START(-500), 0);
	smp_thread(w[1], 300, 300, "server", 150, SMP_START(-500), 0);
	smp_thread(w[1], 300, 301, "worker", 400, SMP_START(2), 1);
	/* born in the very tick of the first sample: still in the window */
	smp_thread(w[1], 300, 302, "worker", 50, SMP_START(0), 1);
	compute(&r, w, 2, NULL);
	t = find_thread(&r, 301);
	assert_non_null(t);
	sz_assert_near(t->cpu, 0.40, EPS);
	t = find_thread(&r, 302);
	assert_non_null(t);
	sz_assert_near(t->cpu, 0.05, EPS);
	assert_int_equal(r.threads.threads[0].tid, 301);
	assert_int_equal(r.threads.procs[0].hot_tid, 301);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * Thread 401 existed before the window but was not read in the first
 * sample (its process was outside the thread set then).  Its 900 s of CPU
 * since it started must not be charged to this 10 s window.
 */
static void
test_rates_thread_not_read_first_excluded(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;
	const struct sz_task_rate *p;

	(void)state;
	smp_thread(w[0], 400, 400, "db", 1000, SMP_START(-900), 0);
	smp_thread(w[1], 400, 400, "db", 1100, SMP_START(-900), 0);
	smp_thread(w[1], 400, 401, "db-writer", 90000, SMP_START(-900), 1);
	/* one tick before the window (the slack is one tick): not born in it */
	smp_thread(w[1], 400, 402, "db-reader", 20000,
	    SMP_START(0) - 2, 1);
	compute(&r, w, 2, NULL);
	assert_null(find_thread(&r, 401));
	assert_null(find_thread(&r, 402));
	assert_non_null(find_thread(&r, 400));
	assert_int_equal(r.threads.nthreads, 1);
	assert_int_equal(r.threads.total_threads, 3);
	p = find_proc(&r, 400);
	assert_non_null(p);
	assert_int_equal(p->hot_tid, 400);
	sz_assert_near(p->hot_cpu, 0.10, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * Each process names its hottest thread: pid 500's threads use 0.1, 0.9
 * and 0.3 cores, pid 600's only thread 0.5.
 */
static void
test_rates_hot_tid_per_process(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 4), smp_new(10, 4) };
	struct sz_rates r;
	const struct sz_task_rate *p;

	(void)state;
	smp_thread(w[0], 500, 500, "java", 0, SMP_START(-10), 0);
	smp_thread(w[0], 500, 501, "GC", 0, SMP_START(-10), 1);
	smp_thread(w[0], 500, 502, "C2", 0, SMP_START(-10), 2);
	smp_thread(w[0], 600, 600, "redis", 0, SMP_START(-10), 3);
	smp_thread(w[1], 500, 500, "java", 100, SMP_START(-10), 0);
	smp_thread(w[1], 500, 501, "GC", 900, SMP_START(-10), 1);
	smp_thread(w[1], 500, 502, "C2", 300, SMP_START(-10), 2);
	smp_thread(w[1], 600, 600, "redis", 500, SMP_START(-10), 3);
	compute(&r, w, 2, NULL);
	assert_int_equal(r.threads.nprocs, 2);
	assert_int_equal(r.threads.procs[0].pid, 500);
	sz_assert_near(r.threads.procs[0].cpu, 1.3, EPS);
	p = find_proc(&r, 500);
	assert_int_equal(p->hot_tid, 501);
	sz_assert_near(p->hot_cpu, 0.9, EPS);
	assert_string_equal(p->hot_comm, "GC");
	p = find_proc(&r, 600);
	assert_int_equal(p->hot_tid, 600);
	sz_assert_near(p->hot_cpu, 0.5, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* 40 processes: the top SZ_TOP_TASKS are kept, hottest first. */
static void
test_rates_top_tasks_capped(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 4), smp_new(10, 4) };
	struct sz_rates r;
	int i;

	(void)state;
	for (i = 1; i <= 40; i++) {
		smp_thread(w[0], 1000 + i, 1000 + i, "w", 0, SMP_START(-1), 0);
		smp_thread(w[1], 1000 + i, 1000 + i, "w", (uint64_t)i * 10,
		    SMP_START(-1), 0);
	}
	compute(&r, w, 2, NULL);
	assert_int_equal(r.threads.total_procs, 40);
	assert_int_equal(r.threads.nprocs, SZ_TOP_TASKS);
	assert_int_equal(r.threads.nthreads, SZ_TOP_TASKS);
	assert_int_equal(r.threads.procs[0].pid, 1040);
	sz_assert_near(r.threads.procs[0].cpu, 0.40, EPS);
	assert_int_equal(r.threads.procs[SZ_TOP_TASKS - 1].pid, 1009);
	assert_int_equal(r.threads.threads[0].tid, 1040);
	assert_int_equal(r.threads.procs[0].hot_tid, 1040);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Set the resident memory of process pid in s. */
static void
set_rss(struct sz_sample *s, int pid, uint64_t bytes)
{
	size_t i;

	for (i = 0; i < s->threads.nprocs; i++) {
		if (s->threads.procs[i].pid == pid)
			s->threads.procs[i].rss_bytes = bytes;
	}
}

/* The other orders rank every process, each with its hottest thread. */
static void
test_rates_ranked_by_rss_and_threads(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 4), smp_new(10, 4) };
	struct sz_rates r;
	int i;

	(void)state;
	for (i = 0; i < 2; i++) {
		smp_thread(w[i], 700, 700, "big", 0, SMP_START(-10), 0);
		smp_thread(w[i], 800, 800, "many", 0, SMP_START(-10), 0);
		smp_thread(w[i], 800, 801, "many", 0, SMP_START(-10), 1);
		smp_thread(w[i], 800, 802, "many", (uint64_t)i * 200,
		    SMP_START(-10), 2);
		smp_thread(w[i], 900, 900, "hot", (uint64_t)i * 500,
		    SMP_START(-10), 3);
		set_rss(w[i], 700, (uint64_t)8 << 30);
		set_rss(w[i], 800, (uint64_t)1 << 20);
		set_rss(w[i], 900, (uint64_t)2 << 20);
	}
	compute(&r, w, 2, NULL);
	assert_int_equal(r.threads.nprocs, 3);
	assert_int_equal(r.threads.procs[0].pid, 900);
	assert_int_equal(r.threads.nby_rss, 3);
	assert_int_equal(r.threads.by_rss[0].pid, 700);
	assert_int_equal(r.threads.by_rss[1].pid, 900);
	assert_int_equal(r.threads.by_rss[2].pid, 800);
	assert_int_equal(r.threads.nby_threads, 3);
	assert_int_equal(r.threads.by_threads[0].pid, 800);
	assert_int_equal(r.threads.by_threads[0].nthreads, 3);
	assert_int_equal(r.threads.by_threads[0].hot_tid, 802);
	sz_assert_near(r.threads.by_threads[0].hot_cpu, 0.2, EPS);
	sz_assert_near(r.threads.by_rss[1].cpu, 0.5, EPS);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Thread tables missing from either end: no thread rates at all. */
static void
test_rates_threads_need_both_ends(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 2), smp_new(10, 2) };
	struct sz_rates r;

	(void)state;
	smp_thread(w[1], 1, 1, "init", 10, SMP_START(-900), 0);
	compute(&r, w, 2, NULL);
	assert_false(r.threads.valid);
	assert_int_equal(r.threads.nthreads, 0);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/*
 * Which processes get their threads read in the window's last sample
 * (sz_ctx_wants_threads against the first sample): those whose CPU time
 * grew (20), whose pid was reused (30) or that are new (40); not the idle
 * one (10).  Without thread data the per-thread rates above are blind, so
 * this rule decides what the analyzer can attribute.
 */
static void
test_rates_thread_reference(void **state)
{
	struct sz_sample *a = smp_new(0, 1), *b = smp_new(1, 1);
	struct sz_ctx *ctx = sz_ctx_new("/");
	const int pid10 = 10;
	size_t i;
	int wanted = 0;

	(void)state;
	smp_thread(a, 10, 10, "idle", 100, SMP_START(-50), 0);
	smp_thread(a, 20, 20, "busy", 200, SMP_START(-50), 0);
	smp_thread(a, 30, 30, "gone", 300, SMP_START(-50), 0);
	smp_thread(b, 10, 10, "idle", 100, SMP_START(-50), 0);
	smp_thread(b, 20, 20, "busy", 250, SMP_START(-50), 0);
	smp_thread(b, 30, 30, "reused", 400, SMP_START(0.5), 0);
	smp_thread(b, 40, 40, "new", 5, SMP_START(0.5), 0);

	/* the default reads every thread */
	for (i = 0; i < b->threads.nprocs; i++)
		assert_true(sz_ctx_wants_threads(ctx, &b->threads.procs[i]));

	sz_ctx_set_task_scope(ctx, SZ_TASKS_PROCESSES);
	sz_ctx_set_thread_reference(ctx, &a->threads);
	for (i = 0; i < b->threads.nprocs; i++) {
		const struct sz_task *p = &b->threads.procs[i];

		if (sz_ctx_wants_threads(ctx, p))
			wanted |= 1 << (p->pid / 10);
		else
			assert_int_equal(p->pid, 10);
	}
	assert_int_equal(wanted, (1 << 2) | (1 << 3) | (1 << 4));

	/* an explicit pid list adds to the reference */
	sz_ctx_set_thread_pids(ctx, &pid10, 1);
	assert_true(sz_ctx_wants_threads(ctx, &b->threads.procs[0]));

	/* nothing ran at all: no process is wanted */
	sz_ctx_set_thread_pids(ctx, NULL, 0);
	sz_ctx_set_thread_reference(ctx, &b->threads);
	for (i = 0; i < b->threads.nprocs; i++)
		assert_false(sz_ctx_wants_threads(ctx, &b->threads.procs[i]));

	/* no process table at all */
	sz_ctx_set_task_scope(ctx, SZ_TASKS_NONE);
	assert_false(sz_ctx_wants_threads(ctx, &b->threads.procs[3]));
	sz_ctx_free(ctx);
	sz_sample_free(a);
	sz_sample_free(b);
}

static void
test_rates_fewer_than_two_samples(void **state)
{
	struct sz_sample *w[2] = { smp_new(0, 1), smp_new(0, 1) };
	struct sz_rates r;

	(void)state;
	assert_int_equal(sz_rates_compute(&r,
	    (const struct sz_sample *const *)w, 1, NULL), SZ_EINVAL);
	sz_rates_fini(&r);
	assert_int_equal(sz_rates_compute(&r,
	    (const struct sz_sample *const *)w, 0, NULL), SZ_EINVAL);
	sz_rates_fini(&r);
	/* two samples, but no time between them */
	assert_int_equal(sz_rates_compute(&r,
	    (const struct sz_sample *const *)w, 2, NULL), SZ_EINVAL);
	sz_rates_fini(&r);
	smp_free(w, 2);
}

/* Window bounds and borrowed pointers. */
static void
test_rates_window_fields(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 1), smp_new(2.5, 1),
		smp_new(5, 1) };
	struct sz_rates r;

	(void)state;
	compute(&r, w, 3, NULL);
	sz_assert_near(r.seconds, 5, EPS);
	assert_int_equal(r.nsamples, 3);
	assert_int_equal(r.start_wall.tv_sec, SMP_WALL0);
	assert_int_equal(r.end_wall.tv_sec, SMP_WALL0 + 5);
	assert_ptr_equal(r.host, &w[2]->host);
	assert_ptr_equal(r.last, w[2]);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

/*
 * cgroup rates over three samples, matched by path: a quota's throttled
 * share and time, CPU used, a memory limit's hits, OOM kills and
 * refaults; a group missing from the middle sample counts only the steps
 * it was in, a counter that goes back adds zero.
 */
static void
test_rates_cgroups(void **state)
{
	struct sz_sample *w[3] = { smp_new(0, 2), smp_new(5, 2),
		smp_new(10, 2) };
	const struct sz_cgroup_rate *app, *db;
	struct sz_rates r;

	(void)state;
	smp_cgroup_cpu(w[0], "/app", 20000, 1000, 100, 0, 5000000, 0);
	smp_cgroup_cpu(w[1], "/app", 20000, 1050, 140, 3000000, 6000000, 0);
	smp_cgroup_cpu(w[2], "/app", 20000, 1100, 180, 6000000, 7000000, 42);
	smp_cgroup_mem(w[0], "/db", 1000000, 500000, 10, 0, 1000);
	/* w[1] lacks /db: the step from it and to it add nothing */
	smp_cgroup_mem(w[2], "/db", 1000000, 950000, 60, 2, 26000);
	smp_cgroup_mem(w[1], "/other", 1000, 10, 0, 0, 0);
	compute(&r, w, 3, NULL);
	assert_true(r.cgroup.valid);
	assert_int_equal(r.cgroup.ngroups, 2);
	app = &r.cgroup.groups[0];
	db = &r.cgroup.groups[1];
	assert_string_equal(app->path, "/app");
	assert_ptr_equal(app->path, w[2]->cgroup.groups[0].path);
	assert_true(app->cpu_limited);
	assert_false(app->mem_limited);
	sz_assert_near(app->quota_cores, 0.2, EPS);
	assert_int_equal(app->periods, 100);
	sz_assert_near(app->throttled, 0.8, EPS);	/* 80 of 100 */
	sz_assert_near(app->throttled_s_per_s, 0.6, EPS); /* 6 s in 10 */
	sz_assert_near(app->usage_cores, 0.2, EPS);	/* 2 s in 10 */
	assert_int_equal(app->npids, 1);
	assert_int_equal(app->pids[0], 42);
	assert_string_equal(db->path, "/db");
	assert_false(db->cpu_limited);
	assert_true(db->mem_limited);
	assert_int_equal(db->mem_limit_bytes, 1000000);
	assert_int_equal(db->mem_usage_bytes, 950000);
	sz_assert_near(db->mem_used, 0.95, EPS);
	/* no step had /db at both ends */
	sz_assert_near(db->limit_hits_per_s, 0, EPS);
	assert_int_equal(db->oom_kills, 0);
	sz_assert_near(db->refaults_per_s, 0, EPS);
	sz_rates_fini(&r);

	/* with /db in the middle too, the whole change counts; a refault
	 * counter going back (a group recreated) adds zero */
	smp_cgroup_mem(w[1], "/db", 1000000, 900000, 30, 1, 500);
	compute(&r, w, 3, NULL);
	db = &r.cgroup.groups[1];
	sz_assert_near(db->limit_hits_per_s, 5, EPS);	/* 50 in 10 s */
	assert_int_equal(db->oom_kills, 2);
	sz_assert_near(db->refaults_per_s, 2550, EPS);	/* 0 + 25500 */
	sz_rates_fini(&r);

	/* the middle sample did not read /db's memory.stat (the group was
	 * under half its limit): neither step knows its refaults */
	smp_cgroup(w[1], "/db")->has_mem_refaults = false;
	compute(&r, w, 3, NULL);
	db = &r.cgroup.groups[1];
	sz_assert_near(db->limit_hits_per_s, 5, EPS);
	sz_assert_near(db->refaults_per_s, 0, EPS);
	sz_rates_fini(&r);

	/* a sample that did not walk the cgroups: not valid */
	w[2]->cgroup.valid = false;
	compute(&r, w, 3, NULL);
	assert_false(r.cgroup.valid);
	assert_int_equal(r.cgroup.ngroups, 0);
	sz_rates_fini(&r);
	smp_free(w, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates_guest_not_counted_twice),
		cmocka_unit_test(test_rates_steal_and_iowait_not_busy),
		cmocka_unit_test(test_rates_core_missing_in_middle_sample),
		cmocka_unit_test(test_rates_core_new_in_last_sample),
		cmocka_unit_test(test_rates_iowait_backwards_adds_zero),
		cmocka_unit_test(test_rates_netif_counter_reset_adds_zero),
		cmocka_unit_test(test_rates_psi_share_from_totals),
		cmocka_unit_test(test_rates_psi_absent_is_invalid),
		cmocka_unit_test(test_rates_disk_util_await_queue),
		cmocka_unit_test(test_rates_disk_idle_and_overfull),
		cmocka_unit_test(test_rates_disk_partitions_excluded),
		cmocka_unit_test(test_rates_link_capacity_config_beats_sysfs),
		cmocka_unit_test(test_rates_tcp_and_listen),
		cmocka_unit_test(test_rates_pg_slots),
		cmocka_unit_test(test_rates_memory),
		cmocka_unit_test(test_rates_run_queue_and_ctxt),
		cmocka_unit_test(test_rates_thread_cpu_by_tid),
		cmocka_unit_test(test_rates_thread_tid_reuse),
		cmocka_unit_test(test_rates_thread_reused_early_excluded),
		cmocka_unit_test(test_rates_thread_born_in_window),
		cmocka_unit_test(test_rates_thread_not_read_first_excluded),
		cmocka_unit_test(test_rates_hot_tid_per_process),
		cmocka_unit_test(test_rates_top_tasks_capped),
		cmocka_unit_test(test_rates_ranked_by_rss_and_threads),
		cmocka_unit_test(test_rates_threads_need_both_ends),
		cmocka_unit_test(test_rates_thread_reference),
		cmocka_unit_test(test_rates_fewer_than_two_samples),
		cmocka_unit_test(test_rates_window_fields),
		cmocka_unit_test(test_rates_cgroups),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
