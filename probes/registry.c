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
	NULL,
};
