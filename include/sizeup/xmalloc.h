/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation wrappers that abort on out-of-memory, as tmux and htop do:
 * a monitor that cannot allocate a few kilobytes has nothing useful left to
 * say, and checking every small allocation would hide the real logic.
 */
#ifndef SIZEUP_XMALLOC_H
#define SIZEUP_XMALLOC_H

#include <stddef.h>

void *sz_xmalloc(size_t size);
void *sz_xcalloc(size_t nmemb, size_t size);
/* Like reallocarray(3): checks nmemb * size for overflow. */
void *sz_xreallocarray(void *ptr, size_t nmemb, size_t size);
char *sz_xstrdup(const char *s);

#endif
