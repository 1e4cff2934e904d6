/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The collector opens every registered probe once and runs them in order
 * for each sample, stamping the sample's clocks and host identity.  A probe
 * that failed to open is data, not a crash: its error is repeated in every
 * sample so the report always says why that part is missing.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "sizeup/probe.h"
#include "sizeup/xmalloc.h"

struct sz_collector {
	const struct sz_ctx *ctx;
	size_t nprobes;
	void **state;
	enum sz_err *open_err;
};

struct sz_collector *
sz_collector_new(const struct sz_ctx *ctx)
{
	struct sz_collector *c = sz_xcalloc(1, sizeof(*c));
	size_t i;

	c->ctx = ctx;
	while (sz_probes[c->nprobes] != NULL)
		c->nprobes++;
	c->state = sz_xcalloc(c->nprobes, sizeof(void *));
	c->open_err = sz_xcalloc(c->nprobes, sizeof(enum sz_err));
	for (i = 0; i < c->nprobes; i++) {
		if (sz_probes[i]->open != NULL)
			c->open_err[i] = sz_probes[i]->open(ctx, &c->state[i]);
	}
	return c;
}

static void
stamp_host(struct sz_sample *s)
{
	struct utsname u;
	long n;

	if (gethostname(s->host.hostname, sizeof(s->host.hostname)) != 0)
		strcpy(s->host.hostname, "unknown");
	s->host.hostname[sizeof(s->host.hostname) - 1] = '\0';
	if (uname(&u) == 0)
		snprintf(s->host.kernel, sizeof(s->host.kernel), "%s",
		    u.release);
	n = sysconf(_SC_NPROCESSORS_ONLN);
	s->host.cpus = n > 0 ? (unsigned int)n : 1;
	n = sysconf(_SC_CLK_TCK);
	s->hz = n > 0 ? (unsigned long)n : 100;
}

void
sz_collector_collect(struct sz_collector *c, struct sz_sample *s)
{
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->wall);
	clock_gettime(CLOCK_BOOTTIME, &s->boot);
	stamp_host(s);
	for (i = 0; i < c->nprobes; i++) {
		const struct sz_probe_ops *p = sz_probes[i];

		if (c->open_err[i] != SZ_OK) {
			if (!(p->flags & SZ_PROBE_OPTIONAL))
				sz_sample_add_error(s, p->name, c->open_err[i],
				    "%s", sz_strerror(c->open_err[i]));
			continue;
		}
		(void)p->collect(c->state[i], c->ctx, s);
	}
	if (s->mem.valid)
		s->host.mem_total_bytes = s->mem.total_bytes;
}

void
sz_collector_free(struct sz_collector *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nprobes; i++) {
		if (sz_probes[i]->close != NULL && c->open_err[i] == SZ_OK)
			sz_probes[i]->close(c->state[i]);
	}
	free(c->state);
	free(c->open_err);
	free(c);
}
