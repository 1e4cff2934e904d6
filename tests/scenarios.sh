#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The scenario suite (../shared/scenarios): real load on this host, then
# `sizeup diagnose --json` must give the right verdict.  It needs root and
# the suite next to the source tree; without them it says why and skips
# (exit 77), unless SZ_REQUIRE_SCENARIOS=1, when that is a failure.
set -u

shared=${SZ_SHARED:-${SZ_SRCDIR:-.}/../shared}
run=$shared/scenarios/run
skip=77
[ "${SZ_REQUIRE_SCENARIOS:-0}" = 1 ] && skip=99

if [ ! -x "$run" ]; then
	echo "SKIP: no scenario suite at $shared/scenarios"
	exit $skip
fi
if [ "$(id -u)" != 0 ]; then
	echo "SKIP: the scenario suite needs root (cgroups, namespaces)"
	exit $skip
fi
# The cases this build answers; SZ_SCENARIOS picks others.
default="idle cpu-all cpu-single io-fsync mem-thrash net-link pg-slots"
cases=${SZ_SCENARIOS:-$default}
# shellcheck disable=SC2086
exec "$run" --sizeup "${SIZEUP:?SIZEUP is not set}" $cases
