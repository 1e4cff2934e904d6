/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The list of probes, in collection order.  Optional probes join under
 * their HAVE_ macro, and only here.
 */
#include "config.h"

#include <stddef.h>

#include "sizeup/probe.h"

const struct sz_probe_ops *const sz_probes[] = {
	&sz_probe_cpu,
	&sz_probe_threads,
	&sz_probe_memory,
	&sz_probe_disk,
	&sz_probe_net,
	&sz_probe_cgroup,	/* after memory: it compares limits to host RAM */
	&sz_probe_fds,		/* after threads: it reads the process table */
#ifdef HAVE_LIBPQ
	&sz_probe_postgresql,
#else
	&sz_probe_pg_titles,	/* the same counts from process titles */
#endif
	NULL,
};
