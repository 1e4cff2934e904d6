/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Scratch directories for tests that need files of their own (malformed
 * /proc files, config files, fake process trees): made under /tmp and
 * removed with everything in them.
 */
#ifndef SIZEUP_TESTS_SCRATCH_H
#define SIZEUP_TESTS_SCRATCH_H

/* cmocka setup: a new scratch directory in *state (freed by teardown). */
int scratch_setup(void **state);

/* cmocka teardown: remove the directory of scratch_setup() and free it. */
int scratch_teardown(void **state);

/* Remove dir and everything below it.  RETURNS 0 or -1. */
int scratch_remove(const char *dir);

/* Write root/relpath with content, creating its directories; fails the
 * test on error. */
void scratch_write(const char *root, const char *relpath, const char *content);

#endif
