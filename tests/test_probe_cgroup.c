/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the cgroup probe (probes/cgroup.c): coroot-node-agent's real
 * v1 and v2 cgroup files (tests/fixtures/coroot, see its SOURCE.md for
 * the values coroot asserts), and scratch trees for what those lack: no
 * cgroups mounted, a truncated cpu.stat, the counters and processes of a
 * v2 group, old-kernel layouts (no oom_kill before 4.13, one
 * workingset_refault before 5.9), nested groups and the walk's caps.  One
 * test walks this host's own /sys/fs/cgroup and reports what it costs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmocka_compat.h"
#include "scratch.h"

#include "sizeup/probe.h"
#include "sizeup/sample.h"

#define GIB (UINT64_C(1) << 30)

#define V1_DOCKER "/docker/" \
	"b43d92bf1e5c6f78bb9b7bc6f40721280299855ba692092716e3a1b6c0b86f3f"
#define V2_KUBE "/kubepods.slice/kubepods-besteffort.slice/" \
	"kubepods-besteffort-pod8712f785_1a3e_41ec_a00b_e2dcc77431cb.slice/" \
	"docker-73051af271105c07e1f493b34856a77e665e3b0b4fc72f76c807dfb" \
	"ffeb881bd.scope"
#define V2_DOCKER "/system.slice/" \
	"docker-ba7b10d15d16e10e3de7a2dcd408a3d971169ae303f46cfad4c5453c" \
	"6326fee2.scope"

/* A sample whose memory probe read host RAM of ram bytes (0: not read). */
static struct sz_sample *
sample_ram(uint64_t ram)
{
	struct sz_sample *s = sz_sample_new();

	s->mem.valid = ram > 0;
	s->mem.total_bytes = ram;
	return s;
}

/* Collect from root into a new sample; the probe's result in *err. */
static struct sz_sample *
collect(const char *root, uint64_t ram, enum sz_err *err)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sample_ram(ram);

	*err = sz_probe_cgroup.collect(NULL, ctx, s);
	sz_ctx_free(ctx);
	return s;
}

static void
test_probe_cgroup_v1_coroot(void **unused)
{
	const struct sz_cgroup *g;
	struct sz_sample *s;
	enum sz_err err;

	(void)unused;
	/* coroot's host: 64 GiB, so the 20 GiB limit is one */
	s = collect(FIXTURES "/coroot/v1", 64 * GIB, &err);
	assert_true(s->cgroup.valid);
	assert_int_equal(s->cgroup.version, 1);
	/* docker.service (quota -1, unlimited) and ssh.service are not
	 * limited; the container's cpu and memory parts are one entry */
	assert_int_equal(s->cgroup.ngroups, 1);
	g = &s->cgroup.groups[0];
	assert_string_equal(g->path, V1_DOCKER);
	assert_int_equal(g->version, 1);
	assert_true(g->cpu_limited);
	assert_int_equal(g->quota_us, 150000);
	assert_int_equal(g->period_us, 100000);
	assert_int_equal(g->nr_periods, 380975143);
	assert_int_equal(g->nr_throttled, 5583849);
	assert_int_equal(g->throttled_ns, UINT64_C(254005032764376));
	assert_true(g->has_usage);
	assert_int_equal(g->usage_ns, UINT64_C(107292866812141));
	assert_int_equal(g->npids, 0);
	assert_true(g->mem_limited);
	assert_int_equal(g->mem_limit_bytes, UINT64_C(21474836480));
	assert_false(g->has_mem_usage);
	assert_int_equal(g->mem_refaults, 0);
	/* usage_in_bytes, failcnt and oom_control are missing: one error
	 * naming the first of them */
	assert_int_equal(err, SZ_ENOENT);
	assert_int_equal(s->nerrors, 1);
	assert_string_equal(s->errors[0].probe, "cgroup");
	assert_int_equal(s->errors[0].code, SZ_ENOENT);
	assert_non_null(strstr(s->errors[0].msg, "memory.usage_in_bytes"));
	assert_non_null(strstr(s->errors[0].msg, "and 2 more"));
	assert_ptr_equal(sz_sample_cgroup(&s->cgroup, V1_DOCKER), g);
	assert_null(sz_sample_cgroup(&s->cgroup, "/system.slice"));
	sz_sample_free(s);

	/* on a 16 GiB host, 20 GiB is no limit: only the quota is kept */
	s = collect(FIXTURES "/coroot/v1", 16 * GIB, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->cgroup.ngroups, 1);
	assert_true(s->cgroup.groups[0].cpu_limited);
	assert_false(s->cgroup.groups[0].mem_limited);
	sz_sample_free(s);
}

static void
test_probe_cgroup_v2_coroot(void **unused)
{
	const struct sz_cgroup *kube, *dock;
	struct sz_sample *s;
	enum sz_err err;

	(void)unused;
	s = collect(FIXTURES "/coroot/v2", 64 * GIB, &err);
	assert_true(s->cgroup.valid);
	assert_int_equal(s->cgroup.version, 2);
	assert_int_equal(s->cgroup.ngroups, 2);
	kube = sz_sample_cgroup(&s->cgroup, V2_KUBE);
	dock = sz_sample_cgroup(&s->cgroup, V2_DOCKER);
	assert_non_null(kube);
	assert_non_null(dock);
	assert_int_equal(kube->version, 2);
	assert_true(kube->cpu_limited);
	assert_int_equal(kube->quota_us, 10000);
	assert_int_equal(kube->period_us, 100000);
	assert_int_equal(kube->nr_periods, 809036);
	assert_int_equal(kube->nr_throttled, 76);
	assert_int_equal(kube->throttled_ns, UINT64_C(363166000));
	assert_true(kube->has_usage);
	assert_int_equal(kube->usage_ns, UINT64_C(3795681254000));
	assert_false(kube->mem_limited);	/* memory.max "max" */
	assert_false(dock->cpu_limited);	/* cpu.max "max 100000" */
	assert_true(dock->mem_limited);
	assert_int_equal(dock->mem_limit_bytes, UINT64_C(4294967296));
	assert_true(dock->has_mem_usage);
	assert_int_equal(dock->mem_usage_bytes, 131047424);
	assert_int_equal(dock->mem_refaults, 0);
	/* the fixture has no memory.events */
	assert_int_equal(err, SZ_ENOENT);
	assert_int_equal(s->nerrors, 1);
	assert_non_null(strstr(s->errors[0].msg, "memory.events"));
	assert_non_null(strstr(s->errors[0].msg, V2_DOCKER));
	sz_sample_free(s);

	/* a 4 GiB limit on a 4 GiB host is none */
	s = collect(FIXTURES "/coroot/v2", 4 * GIB, &err);
	assert_int_equal(s->cgroup.ngroups, 1);
	assert_string_equal(s->cgroup.groups[0].path, V2_KUBE);
	assert_int_equal(s->nerrors, 0);
	sz_sample_free(s);
}

/* A root without /sys/fs/cgroup: one error, nothing else. */
static void
test_probe_cgroup_not_mounted(void **state)
{
	const char *root = *state;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(root, "sys/fs/cgroup/README", "an empty tmpfs\n");
	s = collect(root, 8 * GIB, &err);
	assert_int_equal(err, SZ_ENOENT);
	assert_false(s->cgroup.valid);
	assert_int_equal(s->cgroup.ngroups, 0);
	assert_int_equal(s->nerrors, 1);
	assert_non_null(strstr(s->errors[0].msg, "no cgroup hierarchy"));
	sz_sample_free(s);
}

/* A v2 tree: a quota on a parent throttles its children, whose processes
 * it lists; memory.events and the 5.9+ refault split. */
static void
test_probe_cgroup_v2_counters(void **state)
{
	const char *root = *state;
	const struct sz_cgroup *app, *db;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(root, "sys/fs/cgroup/cgroup.controllers", "cpu memory\n");
	scratch_write(root, "sys/fs/cgroup/cgroup.procs", "1\n2\n");
	scratch_write(root, "sys/fs/cgroup/app/cpu.max", "20000 100000\n");
	scratch_write(root, "sys/fs/cgroup/app/cpu.stat",
	    "usage_usec 2000000\nuser_usec 1500000\nsystem_usec 500000\n"
	    "nr_periods 50\nnr_throttled 40\nthrottled_usec 3000000\n"
	    "nr_bursts 0\nburst_usec 0\n");
	scratch_write(root, "sys/fs/cgroup/app/memory.max", "max\n");
	scratch_write(root, "sys/fs/cgroup/app/cgroup.procs", "4242\n");
	scratch_write(root, "sys/fs/cgroup/app/worker/cpu.max",
	    "max 100000\n");
	scratch_write(root, "sys/fs/cgroup/app/worker/cgroup.procs",
	    "4300\n4301\n");
	scratch_write(root, "sys/fs/cgroup/db/memory.max", "67108864\n");
	scratch_write(root, "sys/fs/cgroup/db/memory.current", "66060288\n");
	scratch_write(root, "sys/fs/cgroup/db/memory.events",
	    "low 0\nhigh 0\nmax 812\noom 3\noom_kill 2\noom_group_kill 0\n");
	scratch_write(root, "sys/fs/cgroup/db/memory.stat",
	    "anon 1000\nfile 2000\nworkingset_refault_anon 7\n"
	    "workingset_refault_file 90000\nworkingset_activate_anon 0\n");
	s = collect(root, 8 * GIB, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->cgroup.ngroups, 2);
	app = sz_sample_cgroup(&s->cgroup, "/app");
	db = sz_sample_cgroup(&s->cgroup, "/db");
	assert_non_null(app);
	assert_non_null(db);
	assert_null(sz_sample_cgroup(&s->cgroup, "/app/worker"));
	assert_int_equal(app->quota_us, 20000);
	assert_int_equal(app->nr_periods, 50);
	assert_int_equal(app->nr_throttled, 40);
	assert_int_equal(app->throttled_ns, UINT64_C(3000000000));
	assert_int_equal(app->usage_ns, UINT64_C(2000000000));
	/* its own process and its child's, not the root's */
	assert_int_equal(app->npids, 3);
	assert_int_equal(app->pids[0], 4242);
	assert_int_equal(app->pids[1], 4300);
	assert_int_equal(app->pids[2], 4301);
	assert_false(db->cpu_limited);
	assert_int_equal(db->npids, 0);
	assert_int_equal(db->mem_limit_bytes, 67108864);
	assert_int_equal(db->mem_usage_bytes, 66060288);
	assert_int_equal(db->mem_limit_hits, 812);
	assert_int_equal(db->mem_oom_kills, 2);
	assert_int_equal(db->mem_refaults, 90007);
	sz_sample_free(s);
}

/* Old kernels: v1 oom_control without oom_kill (before 4.13), v2 with one
 * workingset_refault (before 5.9), v1 cpu,cpuacct co-mounted. */
static void
test_probe_cgroup_old_layouts(void **state)
{
	const char *root = *state;
	const struct sz_cgroup *g;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(root, "v1/sys/fs/cgroup/cpu,cpuacct/web/cpu.cfs_quota_us",
	    "50000\n");
	scratch_write(root,
	    "v1/sys/fs/cgroup/cpu,cpuacct/web/cpu.cfs_period_us", "100000\n");
	scratch_write(root, "v1/sys/fs/cgroup/cpu,cpuacct/web/cpu.stat",
	    "nr_periods 100\nnr_throttled 30\nthrottled_time 1500000000\n");
	scratch_write(root, "v1/sys/fs/cgroup/cpu,cpuacct/web/cpuacct.usage",
	    "900000000\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/web/memory.limit_in_bytes",
	    "536870912\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/web/memory.usage_in_bytes",
	    "536000000\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/web/memory.failcnt",
	    "77\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/web/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/web/memory.stat",
	    "cache 1\nrss 2\nworkingset_refault_file 5\n"
	    "total_workingset_refault_anon 10\n"
	    "total_workingset_refault_file 600\n");
	scratch_write(root, "v1/sys/fs/cgroup/memory/idle/"
	    "memory.limit_in_bytes", "9223372036854771712\n");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/v1", root);
		s = collect(path, 0, &err);	/* host RAM not read */
	}
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->cgroup.version, 1);
	assert_int_equal(s->cgroup.ngroups, 1);
	g = &s->cgroup.groups[0];
	assert_string_equal(g->path, "/web");
	assert_true(g->cpu_limited);
	assert_int_equal(g->quota_us, 50000);
	assert_int_equal(g->nr_throttled, 30);
	assert_int_equal(g->throttled_ns, 1500000000);
	/* cpuacct found in the co-mounted hierarchy */
	assert_true(g->has_usage);
	assert_int_equal(g->usage_ns, 900000000);
	assert_true(g->mem_limited);
	assert_int_equal(g->mem_usage_bytes, 536000000);
	assert_int_equal(g->mem_limit_hits, 77);
	assert_int_equal(g->mem_oom_kills, 0);
	/* the hierarchical total, as the limit counts */
	assert_int_equal(g->mem_refaults, 610);
	sz_sample_free(s);

	scratch_write(root, "v2/sys/fs/cgroup/cgroup.controllers", "memory\n");
	scratch_write(root, "v2/sys/fs/cgroup/old/memory.max", "1048576\n");
	scratch_write(root, "v2/sys/fs/cgroup/old/memory.current", "900000\n");
	scratch_write(root, "v2/sys/fs/cgroup/old/memory.events",
	    "low 0\nhigh 0\nmax 4\noom 0\n");
	scratch_write(root, "v2/sys/fs/cgroup/old/memory.stat",
	    "anon 1\nworkingset_refault 321\nworkingset_activate 3\n");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/v2", root);
		s = collect(path, 8 * GIB, &err);
	}
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->cgroup.ngroups, 1);
	g = &s->cgroup.groups[0];
	assert_true(g->has_mem_refaults);
	assert_int_equal(g->mem_refaults, 321);
	assert_int_equal(g->mem_limit_hits, 4);
	/* no oom_kill line before 4.13 */
	assert_int_equal(g->mem_oom_kills, 0);
	sz_sample_free(s);

	/* under half its limit: memory.stat, the dear file, is not read */
	scratch_write(root, "v2/sys/fs/cgroup/old/memory.current", "1000\n");
	{
		char path[512];

		snprintf(path, sizeof(path), "%s/v2", root);
		s = collect(path, 8 * GIB, &err);
	}
	g = &s->cgroup.groups[0];
	assert_int_equal(g->mem_usage_bytes, 1000);
	assert_false(g->has_mem_refaults);
	assert_int_equal(g->mem_refaults, 0);
	assert_int_equal(g->mem_limit_hits, 4);
	sz_sample_free(s);
}

/* A truncated cpu.stat is an error naming the group and its file. */
static void
test_probe_cgroup_truncated(void **state)
{
	const char *root = *state;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(root, "sys/fs/cgroup/cpu/batch/cpu.cfs_quota_us",
	    "100000\n");
	scratch_write(root, "sys/fs/cgroup/cpu/batch/cpu.cfs_period_us",
	    "100000\n");
	scratch_write(root, "sys/fs/cgroup/cpu/batch/cpu.stat",
	    "nr_periods 12\nnr_throttled 3\nthrottled_ti");
	s = collect(root, 8 * GIB, &err);
	assert_int_equal(err, SZ_EPARSE);
	assert_true(s->cgroup.valid);
	assert_int_equal(s->cgroup.ngroups, 1);
	assert_true(s->cgroup.groups[0].cpu_limited);
	/* no memory controller mounted: said once; then the bad file */
	assert_int_equal(s->nerrors, 2);
	assert_non_null(strstr(s->errors[0].msg, "memory controller"));
	assert_int_equal(s->errors[1].code, SZ_EPARSE);
	assert_non_null(strstr(s->errors[1].msg, "/batch/cpu.stat"));
	sz_sample_free(s);
}

/* Deeper than the walk goes: the rest is left out, with one error. */
static void
test_probe_cgroup_depth_cap(void **state)
{
	const char *root = *state;
	char rel[1024];
	struct sz_sample *s;
	enum sz_err err;
	size_t len;
	int i;

	len = (size_t)snprintf(rel, sizeof(rel), "sys/fs/cgroup/memory");
	for (i = 0; i < 20; i++)
		len += (size_t)snprintf(rel + len, sizeof(rel) - len, "/d");
	snprintf(rel + len, sizeof(rel) - len, "/memory.limit_in_bytes");
	scratch_write(root, rel, "1048576\n");
	scratch_write(root, "sys/fs/cgroup/memory/d/memory.limit_in_bytes",
	    "2097152\n");
	scratch_write(root, "sys/fs/cgroup/memory/d/memory.usage_in_bytes",
	    "1\n");
	scratch_write(root, "sys/fs/cgroup/memory/d/memory.failcnt", "0\n");
	scratch_write(root, "sys/fs/cgroup/memory/d/memory.oom_control",
	    "oom_kill 0\n");
	scratch_write(root, "sys/fs/cgroup/memory/d/memory.stat", "cache 0\n");
	s = collect(root, 8 * GIB, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->cgroup.ngroups, 1);
	assert_string_equal(s->cgroup.groups[0].path, "/d");
	assert_int_equal(s->nerrors, 2);	/* no cpu; the cap */
	assert_int_equal(s->errors[1].code, SZ_ETOOBIG);
	sz_sample_free(s);
}

/* This host's own cgroups: whatever they are, the probe reads them
 * without a failure, and says what a sample costs. */
static void
test_probe_cgroup_live_cost(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new("/");
	struct timespec t0, t1;
	struct sz_sample *s;
	size_t i, n = 200, ngroups = 0;
	double us;

	(void)unused;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		s = sample_ram(64 * GIB);
		(void)sz_probe_cgroup.collect(NULL, ctx, s);
		ngroups = s->cgroup.ngroups;
		sz_sample_free(s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 +
	    (double)(t1.tv_nsec - t0.tv_nsec)) / 1e3 / (double)n;
	print_message("cgroup probe: %.0f us per sample, %zu limited "
	    "groups\n", us, ngroups);
	/* a generous bound: a runaway walk costs far more */
	assert_true(us < 100000);
	sz_ctx_free(ctx);
}

/*
 * Inside a container's cgroup namespace, /sys/fs/cgroup is the
 * container's own group: its cpu.max and memory.max are read at the root
 * of the view, shown as "/", with the processes under the quota.
 */
static void
test_probe_cgroup_namespace_root(void **state)
{
	const char *root = *state;
	const struct sz_cgroup *g;
	struct sz_sample *s;
	enum sz_err err;

	scratch_write(root, "sys/fs/cgroup/cgroup.controllers",
	    "cpu memory\n");
	scratch_write(root, "sys/fs/cgroup/cpu.max", "50000 100000\n");
	scratch_write(root, "sys/fs/cgroup/cpu.stat",
	    "usage_usec 2000000\nnr_periods 40\nnr_throttled 30\n"
	    "throttled_usec 900000\n");
	scratch_write(root, "sys/fs/cgroup/cgroup.procs", "1\n7\n");
	scratch_write(root, "sys/fs/cgroup/memory.max", "268435456\n");
	scratch_write(root, "sys/fs/cgroup/memory.current", "250000000\n");
	scratch_write(root, "sys/fs/cgroup/memory.events",
	    "low 0\nhigh 0\nmax 12\noom 0\noom_kill 1\n");
	scratch_write(root, "sys/fs/cgroup/memory.stat",
	    "workingset_refault_anon 5\nworkingset_refault_file 95\n");
	s = collect(root, 8 * GIB, &err);
	assert_int_equal(err, SZ_OK);
	assert_int_equal(s->nerrors, 0);
	assert_int_equal(s->cgroup.version, 2);
	assert_int_equal(s->cgroup.ngroups, 1);
	g = &s->cgroup.groups[0];
	assert_string_equal(g->path, "/");
	assert_true(g->cpu_limited);
	assert_int_equal(g->quota_us, 50000);
	assert_int_equal(g->period_us, 100000);
	assert_int_equal(g->nr_throttled, 30);
	assert_int_equal(g->throttled_ns, 900000000);
	assert_int_equal(g->npids, 2);
	assert_int_equal(g->pids[1], 7);
	assert_true(g->mem_limited);
	assert_int_equal(g->mem_limit_bytes, 268435456);
	assert_int_equal(g->mem_limit_hits, 12);
	assert_int_equal(g->mem_oom_kills, 1);
	assert_int_equal(g->mem_refaults, 100);
	sz_sample_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_cgroup_v1_coroot),
		cmocka_unit_test(test_probe_cgroup_v2_coroot),
		cmocka_unit_test_setup_teardown(test_probe_cgroup_not_mounted,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_cgroup_v2_counters,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_cgroup_old_layouts,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_cgroup_truncated,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_probe_cgroup_depth_cap,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(
		    test_probe_cgroup_namespace_root, scratch_setup,
		    scratch_teardown),
		cmocka_unit_test(test_probe_cgroup_live_cost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
