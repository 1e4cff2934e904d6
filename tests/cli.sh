#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The command-line contract of the real binary: exit codes 0/1/2 with one
# line on stderr, valid JSON whatever the processes are called, and a
# report that goes on when a source is missing.
set -u

: "${SIZEUP:?SIZEUP is not set}"
tmp=$(mktemp -d)
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "${SZ_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

json_check() {  # json_check FILE PYTHON-EXPR: the expression holds for d
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if eval("(" + sys.argv[2] + ")") else 1)' "$1" "$2"
}

expect "--version" 0 "$SIZEUP" --version
grep -qx "sizeup [0-9][0-9.]*" "$tmp/out" && ok "--version prints the version" ||
	not_ok "--version prints the version"
expect "--help" 0 "$SIZEUP" --help
# No command runs top, which needs a terminal: here it has none.
expect "no command, no terminal" 1 "$SIZEUP"
expect "top without a terminal" 1 "$SIZEUP" top
expect "top: bad --interval" 2 "$SIZEUP" top --interval 0
expect "options alone go to top" 2 "$SIZEUP" --bogus
expect "top --from with --interval" 2 "$SIZEUP" top --from x --interval 2
expect "unknown command" 2 "$SIZEUP" frobnicate
expect "bad --duration" 2 "$SIZEUP" diagnose --duration abc
expect "negative --interval" 2 "$SIZEUP" diagnose --interval -1
expect "--interval above --duration" 2 "$SIZEUP" diagnose --duration 1 \
	--interval 2
expect "bad --link-speed" 2 "$SIZEUP" diagnose --link-speed eth0=fast
expect "stray argument" 2 "$SIZEUP" diagnose extra
expect "unknown option" 2 "$SIZEUP" diagnose --bogus
expect "option without its value" 2 "$SIZEUP" diagnose --config
expect "a rate without a unit" 2 "$SIZEUP" diagnose --link-speed lo=100
expect "diagnose --help" 0 "$SIZEUP" diagnose --help
grep -q -- '--link-speed IF=RATE' "$tmp/out" && ok "diagnose --help lists options" ||
	not_ok "diagnose --help lists options"
"$SIZEUP" diagnose --duration 0.3 --link-speed nosuchif0=1g >/dev/null \
	2>"$tmp/err"
[ $? = 0 ] && grep -q "no interface 'nosuchif0'" "$tmp/err" &&
	ok "--link-speed for a missing interface warns" ||
	not_ok "--link-speed for a missing interface warns"
expect "--duration shorter than the default interval" 0 "$SIZEUP" \
	diagnose --duration 0.3 --json
expect "missing --config" 2 "$SIZEUP" diagnose --config "$tmp/none.conf"
printf '[thresholds]\ncpu_util = 0.9\nno_such_key = 1\n' >"$tmp/bad.conf"
expect "bad config key" 2 "$SIZEUP" diagnose --config "$tmp/bad.conf"
grep -q 'bad.conf:3:' "$tmp/err" && ok "config error names its line" ||
	not_ok "config error names its line"

# A process whose name is hostile: escape sequence, quote, backslash,
# newline and an invalid UTF-8 byte.  It burns CPU so it is among the
# hottest processes that the report names.
python3 -c '
import ctypes, os
name = b"\x1b[2J\"q\\\n\xff"
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
while True:
    pass' &
pids="$pids $!"
sleep 0.3

expect "diagnose --json" 0 "$SIZEUP" diagnose --json --duration 1 \
	--interval 0.5 --link-speed lo=1gbit
cp "$tmp/out" "$tmp/d.json"
json_check "$tmp/d.json" 'd["schema"] == "sizeup.diagnose.v1"' &&
	ok "JSON is valid and carries its schema" ||
	not_ok "JSON is valid and carries its schema"
json_check "$tmp/d.json" 'd["window"]["samples"] == 3 and
	0.9 < d["window"]["seconds"] < 1.5' &&
	ok "window: 3 samples over 1 s" || not_ok "window: 3 samples over 1 s"
json_check "$tmp/d.json" 'd["verdict"]["bound"] in
	("none", "cpu", "memory", "io", "network", "connections")' &&
	ok "verdict bound is one of the six" ||
	not_ok "verdict bound is one of the six"
json_check "$tmp/d.json" 'any(p["comm"].startswith("\\x1b[2J") and
	"\ufffd" in p["comm"] for p in d["processes"])' &&
	ok "hostile name escaped and kept" ||
	not_ok "hostile name escaped and kept"
json_check "$tmp/d.json" '[i for i in d["resources"]["network"]["interfaces"]
	if i["name"] == "lo"][0]["capacity_source"] == "config"' &&
	ok "--link-speed sets the capacity" ||
	not_ok "--link-speed sets the capacity"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/d.json"; then
	not_ok "no raw ESC byte in JSON"
else
	ok "no raw ESC byte in JSON"
fi

expect "diagnose text" 0 "$SIZEUP" diagnose --duration 0.5 --interval 0.5
grep -q '^Verdict: ' "$tmp/out" && ok "text report starts with the verdict" ||
	not_ok "text report starts with the verdict"
if LC_ALL=C grep -q "$(printf '\033')" "$tmp/out"; then
	not_ok "no raw ESC byte in the text report"
else
	ok "no raw ESC byte in the text report"
fi
if awk 'length($0) > 80 { bad = 1 } END { exit !bad }' "$tmp/out"; then
	not_ok "text report fits 80 columns"
else
	ok "text report fits 80 columns"
fi

if [ -w /dev/full ]; then
	"$SIZEUP" diagnose --duration 0.2 --interval 0.2 >/dev/full \
		2>"$tmp/err"
	st=$?
	if [ $st = 1 ] && [ "$(wc -l <"$tmp/err")" = 1 ]; then
		ok "a full disk gives exit 1 and one line"
	else
		not_ok "a full disk gives exit 1 and one line (exit $st)"
	fi
fi

# No PSI (old kernel, some containers): hide /proc/pressure in a private
# mount namespace; the report must still come, naming what is missing.
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
    [ -d /proc/pressure ]; then
	unshare -m sh -c 'mount --make-rprivate / &&
		mount -t tmpfs none /proc/pressure &&
		exec "$0" diagnose --json --duration 0.5 --interval 0.5' \
		"$SIZEUP" >"$tmp/nopsi.json" 2>"$tmp/err"
	st=$?
	if [ $st = 0 ] && json_check "$tmp/nopsi.json" \
	    'len([e for e in d["errors"] if "pressure" in e["message"]]) >= 3
	     and d["resources"]["cpu"]["psi"] is None
	     and d["resources"]["cpu"]["cores"]'; then
		ok "no PSI: errors listed, the rest reported"
	else
		not_ok "no PSI: errors listed, the rest reported (exit $st)"
	fi
else
	echo "# skipped the no-PSI case: needs root, unshare and PSI"
fi

# A PostgreSQL server named but not there: a report all the same, the
# failure under errors, and the connection string nowhere in it.
expect "--pg to no server" 0 "$SIZEUP" diagnose --json --duration 0.2 \
	--interval 0.2 --pg "host=$tmp port=1 password=not-shown-9x"
json_check "$tmp/out" '[e for e in d["errors"] if e["probe"] == "postgresql"
	and "libpq" in e["message"]]' &&
	ok "--pg failure named under errors" ||
	not_ok "--pg failure named under errors"
if grep -q 'not-shown-9x' "$tmp/out" "$tmp/err"; then
	not_ok "--pg password not in the report"
else
	ok "--pg password not in the report"
fi

finish
