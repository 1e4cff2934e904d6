/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch directories for tests (see scratch.h).
 */
#include "config.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmocka_compat.h"
#include "scratch.h"

int
scratch_setup(void **state)
{
	char tmpl[] = "/tmp/sizeup-test.XXXXXX";

	if (mkdtemp(tmpl) == NULL)
		return -1;
	*state = strdup(tmpl);
	return *state == NULL ? -1 : 0;
}

static int
rm_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
scratch_remove(const char *dir)
{
	return nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int
scratch_teardown(void **state)
{
	int rc = scratch_remove(*state);

	free(*state);
	return rc;
}

void
scratch_write(const char *root, const char *relpath, const char *content)
{
	char path[4096];
	FILE *f;
	char *slash;

	snprintf(path, sizeof(path), "%s/%s", root, relpath);
	for (slash = strchr(path + strlen(root) + 1, '/'); slash != NULL;
	     slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		assert_true(mkdir(path, 0755) == 0 || access(path, F_OK) == 0);
		*slash = '/';
	}
	f = fopen(path, "w");
	assert_non_null(f);
	assert_true(fputs(content, f) >= 0);
	assert_int_equal(fclose(f), 0);
}
