/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Tests of the file-descriptor probe (probes/fds.c) on a root built in a
 * temporary directory: /proc/sys/fs/file-nr and, per process, a
 * /proc/PID/fd directory and a /proc/PID/limits file.  The processes come
 * from the sample's process table, as the threads probe leaves it; the
 * context says which of them to read.  One test counts this process's
 * own descriptors in the live /proc, where Linux 6.2 and later give the
 * count as the directory's size.
 */
#include "config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "scratch.h"

#include "sizeup/probe.h"
#include "sizeup/procfs.h"
#include "sizeup/sample.h"

#define LIMITS_HEAD                                                        \
	"Limit                     Soft Limit           Hard Limit           " \
	"Units     \n"                                                         \
	"Max cpu time              unlimited            unlimited            " \
	"seconds   \n"

static char root[64];

static void
write_file(const char *rel, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
make_dir(const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(mkdir(path, 0755), 0);
}

/* /proc/PID with n descriptors and a limits file (NULL: none). */
static void
make_proc(int pid, int nfds, const char *nofile_line)
{
	char rel[64], text[1024];
	int i;

	snprintf(rel, sizeof(rel), "proc/%d", pid);
	make_dir(rel);
	snprintf(rel, sizeof(rel), "proc/%d/fd", pid);
	make_dir(rel);
	for (i = 0; i < nfds; i++) {
		snprintf(rel, sizeof(rel), "proc/%d/fd/%d", pid, i);
		write_file(rel, "");
	}
	if (nofile_line == NULL)
		return;
	snprintf(rel, sizeof(rel), "proc/%d/limits", pid);
	snprintf(text, sizeof(text), "%s%s", LIMITS_HEAD, nofile_line);
	write_file(rel, text);
}

static int
setup(void **unused)
{
	(void)unused;
	snprintf(root, sizeof(root), "/tmp/sizeup-fds.XXXXXX");
	assert_non_null(mkdtemp(root));
	make_dir("proc");
	make_dir("proc/sys");
	make_dir("proc/sys/fs");
	write_file("proc/sys/fs/file-nr", "1234\t0\t100000\n");
	make_proc(100, 10, "Max open files            16                   "
	    "32                   files     \n");
	make_proc(200, 3, "Max open files            unlimited            "
	    "unlimited            files     \n");
	make_proc(400, 1, "Max open files            lots                 "
	    "32                   files     \n");
	return 0;
}

static int
teardown(void **unused)
{
	(void)unused;
	scratch_remove(root);
	return 0;
}

/* A sample whose process table holds these pids (300 has no /proc dir:
 * it exited between the threads probe and this one). */
static struct sz_sample *
sample_with_procs(void)
{
	static const int pids[] = { 100, 200, 300, 400 };
	struct sz_sample *s = sz_sample_new();
	size_t i;

	s->threads.valid = true;
	s->threads.nprocs = sizeof(pids) / sizeof(pids[0]);
	s->threads.procs = calloc(s->threads.nprocs, sizeof(struct sz_task));
	assert_non_null(s->threads.procs);
	for (i = 0; i < s->threads.nprocs; i++) {
		s->threads.procs[i].pid = pids[i];
		s->threads.procs[i].tid = pids[i];
		snprintf(s->threads.procs[i].comm, SZ_COMM_MAX, "proc%d",
		    pids[i]);
	}
	return s;
}

static void
test_probe_fds_every_process(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sample_with_procs();
	const struct sz_fd_sample *fd = &s->fd;

	(void)unused;
	assert_int_equal(sz_probe_fds.collect(NULL, ctx, s), SZ_OK);
	assert_true(fd->valid);
	assert_int_equal(fd->allocated, 1234);
	assert_int_equal(fd->max, 100000);
	assert_int_equal(fd->nprocs, 2);
	assert_int_equal(fd->procs[0].pid, 100);
	assert_string_equal(fd->procs[0].comm, "proc100");
	assert_int_equal(fd->procs[0].open, 10);
	assert_int_equal(fd->procs[0].soft_limit, 16);
	assert_int_equal(fd->procs[0].hard_limit, 32);
	assert_int_equal(fd->procs[1].pid, 200);
	assert_int_equal(fd->procs[1].open, 3);
	assert_true(fd->procs[1].soft_limit == UINT64_MAX);
	assert_true(fd->procs[1].hard_limit == UINT64_MAX);
	assert_int_equal(fd->nunreadable, 0);
	/* 300 is gone: no error; 400's limits do not parse: one */
	assert_int_equal(s->nerrors, 1);
	assert_string_equal(s->errors[0].probe, "fds");
	assert_int_equal(s->errors[0].code, SZ_EPARSE);
	assert_non_null(strstr(s->errors[0].msg, "/proc/400/"));
	sz_sample_free(s);
	sz_ctx_free(ctx);
}

/* Only the processes the context wants are read. */
static void
test_probe_fds_wanted_only(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sample_with_procs();
	const int want[] = { 200 };

	(void)unused;
	sz_ctx_set_task_scope(ctx, SZ_TASKS_PROCESSES);
	sz_ctx_set_thread_pids(ctx, want, 1);
	assert_int_equal(sz_probe_fds.collect(NULL, ctx, s), SZ_OK);
	assert_int_equal(s->fd.nprocs, 1);
	assert_int_equal(s->fd.procs[0].pid, 200);
	assert_int_equal(s->nerrors, 0);
	sz_sample_free(s);

	/* samples that skip the process table read no process */
	s = sample_with_procs();
	sz_ctx_set_task_scope(ctx, SZ_TASKS_NONE);
	assert_int_equal(sz_probe_fds.collect(NULL, ctx, s), SZ_OK);
	assert_int_equal(s->fd.nprocs, 0);
	assert_true(s->fd.valid);
	sz_sample_free(s);
	sz_ctx_free(ctx);
}

static void
test_probe_fds_bad_file_nr(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sz_sample_new();

	(void)unused;
	write_file("proc/sys/fs/file-nr", "1234\t0\n");
	assert_int_equal(sz_probe_fds.collect(NULL, ctx, s), SZ_EPARSE);
	assert_false(s->fd.valid);
	assert_int_equal(s->nerrors, 1);
	assert_non_null(strstr(s->errors[0].msg, "/proc/sys/fs/file-nr"));
	write_file("proc/sys/fs/file-nr", "1234\t0\t100000\n");
	sz_sample_free(s);
	sz_ctx_free(ctx);
}

static void
test_probe_fds_missing_file_nr(void **unused)
{
	struct sz_ctx *ctx = sz_ctx_new(root);
	struct sz_sample *s = sample_with_procs();
	char path[256];

	(void)unused;
	snprintf(path, sizeof(path), "%s/proc/sys/fs/file-nr", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(sz_probe_fds.collect(NULL, ctx, s), SZ_ENOENT);
	assert_false(s->fd.valid);
	/* the processes are still read */
	assert_int_equal(s->fd.nprocs, 2);
	write_file("proc/sys/fs/file-nr", "1234\t0\t100000\n");
	sz_sample_free(s);
	sz_ctx_free(ctx);
}

/* The live count (a directory size since 6.2) is the number of entries. */
static void
test_probe_fds_live_count(void **unused)
{
	uint64_t n = 0, listed = 0;
	struct dirent *d;
	DIR *dir;
	char path[64];

	(void)unused;
	snprintf(path, sizeof(path), "proc/%d/fd", (int)getpid());
	assert_int_equal(sz_procfs_count_fds("/", path, &n), SZ_OK);
	dir = opendir("/proc/self/fd");
	assert_non_null(dir);
	while ((d = readdir(dir)) != NULL)
		listed += d->d_name[0] != '.';
	closedir(dir);
	/* each count includes the one descriptor it opened to count */
	assert_int_equal(n, listed);
	assert_int_equal(sz_procfs_count_fds("/", "proc/0/fd", &n),
	    SZ_ENOENT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_fds_every_process),
		cmocka_unit_test(test_probe_fds_wanted_only),
		cmocka_unit_test(test_probe_fds_bad_file_nr),
		cmocka_unit_test(test_probe_fds_missing_file_nr),
		cmocka_unit_test(test_probe_fds_live_count),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
