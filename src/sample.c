/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Life cycle of struct sz_sample and its error list.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sizeup/sample.h"
#include "sizeup/xmalloc.h"

struct sz_sample *
sz_sample_new(void)
{
	return sz_xcalloc(1, sizeof(struct sz_sample));
}

void
sz_sample_free(struct sz_sample *s)
{
	if (s == NULL)
		return;
	free(s->cpu.cores);
	free(s->threads.procs);
	free(s->threads.threads);
	free(s->disk.disks);
	free(s->net.ifs);
	free(s->pg.dbs);
	free(s->pg.users);
	free(s->fd.procs);
	free(s->cgroup.groups);
	free(s);
}

void
sz_sample_add_error(struct sz_sample *s, const char *probe, enum sz_err code,
    const char *fmt, ...)
{
	struct sz_sample_error *e;
	va_list ap;

	if (s->nerrors >= SZ_MAX_ERRORS)
		return;
	e = &s->errors[s->nerrors++];
	snprintf(e->probe, sizeof(e->probe), "%s", probe);
	e->code = code;
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	va_end(ap);
}

double
sz_sample_elapsed(const struct sz_sample *a, const struct sz_sample *b)
{
	return (double)(b->mono.tv_sec - a->mono.tv_sec) +
	    (double)(b->mono.tv_nsec - a->mono.tv_nsec) / 1e9;
}

double
sz_monotonic_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

const struct sz_cpu_ticks *
sz_sample_core(const struct sz_cpu_sample *c, int id)
{
	size_t lo = 0, hi = c->ncores;

	while (lo < hi) {	/* cores are sorted by id */
		size_t mid = lo + (hi - lo) / 2;

		if (c->cores[mid].id == id)
			return &c->cores[mid];
		if (c->cores[mid].id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct sz_disk *
sz_sample_disk(const struct sz_disk_sample *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->ndisks; i++) {
		if (strcmp(d->disks[i].name, name) == 0)
			return &d->disks[i];
	}
	return NULL;
}

const struct sz_netif *
sz_sample_netif(const struct sz_net_sample *n, const char *name)
{
	size_t i;

	for (i = 0; i < n->nifs; i++) {
		if (strcmp(n->ifs[i].name, name) == 0)
			return &n->ifs[i];
	}
	return NULL;
}

const struct sz_cgroup *
sz_sample_cgroup(const struct sz_cgroup_sample *c, const char *path)
{
	size_t i;

	/* limited groups are few: a few dozen on the busiest hosts */
	for (i = 0; i < c->ngroups; i++) {
		if (strcmp(c->groups[i].path, path) == 0)
			return &c->groups[i];
	}
	return NULL;
}
