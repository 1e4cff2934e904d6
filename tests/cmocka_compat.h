/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * cmocka 1.1 needs these headers before <cmocka.h>.  Shims for cmocka 2.0's
 * renamed assertions live here too, so tests use one spelling.
 */
#ifndef SIZEUP_CMOCKA_COMPAT_H
#define SIZEUP_CMOCKA_COMPAT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

/* 2.0 spells the double comparison assert_double_equal as well; 1.1 has
 * assert_float_equal only from 1.1.6.  Ours compares within epsilon. */
#define sz_assert_near(a, b, eps)                                          \
	do {                                                               \
		double sz_a_ = (a), sz_b_ = (b), sz_e_ = (eps);            \
		if (!(sz_a_ - sz_b_ <= sz_e_ && sz_b_ - sz_a_ <= sz_e_))   \
			fail_msg("%s = %.9g, expected %.9g (+-%g)", #a,    \
			    sz_a_, sz_b_, sz_e_);                          \
	} while (0)

/* Automake's test driver reads exit status 77 as "skipped". */
#define SZ_EXIT_SKIP 77

#endif
