/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Allocation that aborts on failure (see xmalloc.h for why).
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sizeup/xmalloc.h"

static void
oom(size_t size)
{
	fprintf(stderr, "sizeup: out of memory allocating %zu bytes\n", size);
	abort();
}

void *
sz_xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		oom(size);
	return p;
}

void *
sz_xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		oom(nmemb * size);
	return p;
}

void *
sz_xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	void *p;

	size_t total;

	if (size != 0 && nmemb > SIZE_MAX / size)
		oom(SIZE_MAX);
	total = nmemb * size;
	p = realloc(ptr, total != 0 ? total : 1);
	if (p == NULL)
		oom(total);
	return p;
}

char *
sz_xstrdup(const char *s)
{
	size_t len = strlen(s) + 1;

	return memcpy(sz_xmalloc(len), s, len);
}
