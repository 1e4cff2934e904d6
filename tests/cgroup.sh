#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# cgroup limits under real load, checked through the real binary: a busy
# loop in a cgroup with a CPU quota of 0.2 cores must give cpu/cpu-quota
# naming the group, and a reader of a 200 MiB file in a cgroup limited to
# 64 MiB memory/cgroup-limit naming it; a bigger server helps neither.
# Works on cgroup v2 and v1 (hybrid too).  Needs root and the cpu and
# memory controllers: without them it skips (77), except under CI=true,
# where a skip would hide a failure.  Every group it makes is emptied and
# removed on any exit.
set -u

: "${SIZEUP:?SIZEUP is not set}"

skip() {
	if [ "${CI:-}" = true ]; then
		echo "not ok - $1 (CI=true: a skip is a failure)"
		exit 1
	fi
	echo "skip: $1"
	exit 77
}

[ "$(id -u)" = 0 ] || skip "needs root to make cgroups"
command -v python3 >/dev/null 2>&1 || skip "needs python3"

CG=/sys/fs/cgroup
if [ -f "$CG/cgroup.controllers" ]; then v=2; else v=1; fi
tmp=$(mktemp -d)
data=""
groups=""	# the groups made, innermost first
loads=""	# the load's processes

# Kill what runs in group $1 until it is empty (a killed task leaves its
# cgroup only once it has exited), then remove it.
# cgroup files have no size, so test what they hold.
drain() {
	i=0
	while [ -d "$1" ] && [ -n "$(cat "$1/cgroup.procs" 2>/dev/null)" ] &&
	    [ $i -lt 50 ]; do
		xargs kill -9 <"$1/cgroup.procs" 2>/dev/null
		sleep 0.1
		i=$((i + 1))
	done
	[ ! -d "$1" ] || rmdir "$1" ||
		echo "# could not remove $1: $(cat "$1/cgroup.procs")"
}

cleanup() {
	for p in $loads; do kill -9 "$p" 2>/dev/null; done
	for g in $groups; do drain "$g"; done
	wait 2>/dev/null
	rm -rf "$tmp"
	[ -n "$data" ] && rm -f "$data"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

. "${SZ_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# make_group CONTROLLER NAME: a new group in $grp, or skip.
make_group() {
	if [ $v = 2 ]; then
		grep -qw "$1" "$CG/cgroup.controllers" ||
			skip "cgroup v2 without the $1 controller"
		echo "+$1" >"$CG/cgroup.subtree_control" 2>/dev/null ||
			skip "cannot enable $1 in $CG/cgroup.subtree_control"
		grp=$CG/$2
	else
		[ -d "$CG/$1" ] || skip "cgroup v1 $1 controller not mounted"
		grp=$CG/$1/$2
	fi
	mkdir "$grp" || skip "cannot make $grp"
	groups="$grp $groups"
}

# run_in GROUP CMD...: run CMD in the background inside GROUP.
run_in() {
	g=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec "$@"' sh "$g" "$@" &
	loads="$loads $!"
}

# verdict FILE BOUND KIND NAME: the verdict is BOUND/KIND, a bigger server
# does not help, and the summary and the evidence name NAME.  When other
# load fills the host's cores meanwhile (make -j check runs the other
# shell tests beside this one), more cores would help and all-cores is
# the right verdict: then the group must still be named, with a score at
# the bound, in the evidence of BOUND, and KIND must stand under "also"
# when it is another resource's.
verdict() {
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
bound, kind, name = sys.argv[2:5]
v, res = d["verdict"], d["resources"]
ev = res[bound]["evidence"]
named = any(name in e["says"] and e["score"] >= 0.7 for e in ev)
ok = (v["bound"] == bound and v["kind"] == kind and
      v["bigger_server_helps"] == "no" and named and name in v["summary"])
busy = res["cpu"].get("all", {}).get("busy", 0) >= 0.9
if not ok and busy and v["kind"] == "all-cores":
    ok = named and (bound == "cpu" or
                    any(a["bound"] == bound and a["kind"] == kind
                        for a in v["also"]))
    print("# the host was %.0f%% busy with other load: all-cores, and %s"
          % (100 * res["cpu"]["all"]["busy"], "the group named" if ok
             else "the group not named"))
if not ok:
    print("# got %s/%s/%s: %s" % (v["bound"], v["kind"],
          v["bigger_server_helps"], v["summary"]))
sys.exit(0 if ok else 1)' "$@"
}

# ---- a CPU quota of 0.2 cores ----------------------------------------

grpname=sizeup-test-$$-cpu
make_group cpu "$grpname"
if [ $v = 2 ]; then
	echo "20000 100000" >"$grp/cpu.max"
else
	echo 100000 >"$grp/cpu.cfs_period_us"
	echo 20000 >"$grp/cpu.cfs_quota_us"
fi
run_in "$grp" sh -c 'while :; do :; done'
sleep 1
"$SIZEUP" diagnose --json --duration 3 >"$tmp/cpu.json" 2>"$tmp/err"
check "diagnose under a CPU quota exits 0" [ $? = 0 ]
check "a 0.2-core quota: cpu/cpu-quota naming /$grpname, no bigger server" \
	verdict "$tmp/cpu.json" cpu cpu-quota "/$grpname"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
g = [g for g in d["resources"]["cpu"]["cgroups"] if g["path"] == sys.argv[2]]
sys.exit(0 if g and abs(g[0]["quota_cores"] - 0.2) < 1e-9 and
         g[0]["throttled"] > 0.5 else 1)' "$tmp/cpu.json" "/$grpname" &&
	ok "the group's quota and throttling in resources.cpu.cgroups" ||
	not_ok "the group's quota and throttling in resources.cpu.cgroups"
for p in $loads; do kill -9 "$p" 2>/dev/null; done
loads=""
drain "$grp"

# ---- a memory limit of 64 MiB, a 200 MiB file read over and over ------

# The file must be on a disk (on tmpfs its pages are memory, not cache),
# and written past the page cache: a cached page stays charged to the
# group that cached it, here the test's, and the reader would never
# fill its own limit.
data=$(mktemp /var/tmp/sizeup-cgroup.XXXXXX) || skip "no /var/tmp"
[ "$(stat -f -c %T /var/tmp)" != tmpfs ] || skip "/var/tmp is tmpfs"
dd if=/dev/zero of="$data" bs=1M count=200 status=none oflag=direct ||
	skip "cannot write a 200 MiB file with O_DIRECT"
grpname=sizeup-test-$$-mem
make_group memory "$grpname"
if [ $v = 2 ]; then
	echo $((64 << 20)) >"$grp/memory.max"
else
	echo $((64 << 20)) >"$grp/memory.limit_in_bytes"
fi
run_in "$grp" sh -c 'while :; do cat "$1" >/dev/null; done' sh "$data"
sleep 3
"$SIZEUP" diagnose --json --duration 3 >"$tmp/mem.json" 2>"$tmp/err"
check "diagnose under a memory limit exits 0" [ $? = 0 ]
check "a 64 MiB limit: memory/cgroup-limit naming /$grpname, no bigger server" \
	verdict "$tmp/mem.json" memory cgroup-limit "/$grpname"

finish
