#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Snapshot logs with the real binary: `sizeup record` appends whole lines
# whatever happens (20 writers at once, kill -9 in a loop, a full file
# system), `--keep-days` removes old logs and nothing else, `sizeup report`
# counts a corrupt line and reports the rest, and `diagnose --from` gives
# the verdict the live run recorded.
set -u

: "${SIZEUP:?SIZEUP is not set}"
tmp=$(mktemp -d)
pids="" mnt=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	[ -n "$mnt" ] && umount "$mnt" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "${SZ_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# lines_ok FILE N: FILE is exactly N lines, each a sizeup.record.v1
# object, and ends in a newline (no torn tail).
lines_ok() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
data = open(sys.argv[1], "rb").read()
lines = data.split(b"\n")
if data and not data.endswith(b"\n"):
    sys.exit("torn tail: %r" % data[-40:])
lines = [l for l in lines[:-1]] if data else []
for l in lines:
    d = json.loads(l)
    assert d["schema"] == "sizeup.record.v1", d.get("schema")
if sys.argv[2] != "any" and len(lines) != int(sys.argv[2]):
    sys.exit("%d lines, want %s" % (len(lines), sys.argv[2]))
EOF
}

today=$(date -u +%Y%m%d)
rec() { "$SIZEUP" record --duration 0.2 --quiet "$@"; }

# ---- record twice, read back ----------------------------------------
expect "record" 0 "$SIZEUP" record --dir "$tmp/a" --duration 0.3
grep -q "^recorded .* in $tmp/a/sizeup-$today.jsonl, [0-9]* bytes" \
	"$tmp/out" && [ "$(wc -l <"$tmp/out")" = 1 ] &&
	ok "record says what it did in one line" ||
	not_ok "record says what it did in one line ($(cat "$tmp/out"))"
expect "record --quiet" 0 rec --dir "$tmp/a"
check "--quiet prints nothing" test ! -s "$tmp/out"
check "two records, two whole lines" lines_ok "$tmp/a/sizeup-$today.jsonl" 2
expect "report" 0 "$SIZEUP" report --dir "$tmp/a" --json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "sizeup.report.v1" and d["windows"] == 2, d
assert sum(b["windows"] for b in d["bounds"].values()) == 2
assert len(d["hours"]) == 24' "$tmp/out" &&
	ok "report reads both windows" || not_ok "report reads both windows"
expect "report text" 0 "$SIZEUP" report --dir "$tmp/a"
grep -q "^sizeup report: 2 windows" "$tmp/out" &&
	! awk 'length($0) > 80 { bad = 1 } END { exit !bad }' "$tmp/out" &&
	ok "text report: 2 windows, 80 columns" ||
	not_ok "text report: 2 windows, 80 columns"

# ---- 20 writers at once ----------------------------------------------
i=0 bg=""
while [ $i -lt 20 ]; do
	rec --dir "$tmp/c" &
	bg="$bg $!"
	i=$((i + 1))
done
failed=0
for p in $bg; do wait "$p" || failed=$((failed + 1)); done
check "20 concurrent writers all succeed" test $failed = 0
check "20 concurrent writers: exactly 20 valid lines" \
	lines_ok "$tmp/c/sizeup-$today.jsonl" 20

# ---- kill -9 in a loop -------------------------------------------------
# Each run watches 0.2 s after a 0.2 s look at the processes, then
# writes; the kills land before, during and after the write.
i=0
while [ $i -lt 40 ]; do
	"$SIZEUP" record --duration 0.2 --quiet --dir "$tmp/k" &
	p=$!
	sleep "0.$(( (i * 37) % 6 + 3 ))$(( i % 10 ))"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	i=$((i + 1))
done
n=$(cat "$tmp/k/sizeup-$today.jsonl" 2>/dev/null | wc -l)
echo "# $n of 40 killed runs wrote their record"
check "kill -9 leaves only whole lines" \
	lines_ok "$tmp/k/sizeup-$today.jsonl" any
rec --dir "$tmp/k"
check "and the next record appends after them" \
	lines_ok "$tmp/k/sizeup-$today.jsonl" $((n + 1))

# ---- a full file system --------------------------------------------
if [ "$(id -u)" = 0 ] && mkdir "$tmp/full" &&
    mount -t tmpfs -o size=48k,nr_inodes=16 sizeup-test "$tmp/full"; then
	mnt=$tmp/full
	log=$mnt/logs/sizeup-$today.jsonl
	n=0 st=0
	while [ $n -lt 200 ]; do
		sum=$(md5sum "$log" 2>/dev/null)
		rec --dir "$mnt/logs" 2>"$tmp/err"
		st=$?
		[ $st != 0 ] && break
		n=$((n + 1))
	done
	echo "# $n records fit in 48 KB"
	check "a full disk: exit 1" test $st = 1
	[ "$(wc -l <"$tmp/err")" = 1 ] &&
	    grep -qi "^sizeup: record: cannot append to .*: no space left" \
	    "$tmp/err" && ok "a full disk: one clear line" ||
		not_ok "a full disk: one clear line ($(cat "$tmp/err"))"
	check "a full disk: earlier records untouched" \
		test "$(md5sum "$log" 2>/dev/null)" = "$sum"
	check "a full disk: $n whole lines" lines_ok "$log" $n
	umount "$mnt" && mnt=""
else
	echo "# skipped the full-disk case: needs root to mount a tmpfs"
fi

# ---- a corrupt line in the middle --------------------------------------
mkdir "$tmp/bad"
head -n 1 "$tmp/a/sizeup-$today.jsonl" >"$tmp/bad/sizeup-$today.jsonl"
printf '{"schema":"sizeup.record.v1","window":{"sta\n' \
	>>"$tmp/bad/sizeup-$today.jsonl"
tail -n 1 "$tmp/a/sizeup-$today.jsonl" >>"$tmp/bad/sizeup-$today.jsonl"
expect "report with a corrupt line" 0 "$SIZEUP" report --dir "$tmp/bad" \
	--json
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["windows"] == 2 and d["skipped"]["not_records"] == 1, d' \
	"$tmp/out" && ok "the corrupt line is counted, the rest reported" ||
	not_ok "the corrupt line is counted, the rest reported"
[ "$(wc -l <"$tmp/err")" = 1 ] &&
    grep -q "^sizeup: warning: skipped 1 line that is not a record (first: sizeup-$today.jsonl line 2)" \
    "$tmp/err" && ok "one warning line names it" ||
	not_ok "one warning line names it ($(cat "$tmp/err"))"

# ---- --keep-days ---------------------------------------------------------
d=$tmp/keep
mkdir "$d" "$d/sizeup-20000103.jsonl.d"
old=$(date -u -d '-4 days' +%Y%m%d)
edge=$(date -u -d '-3 days' +%Y%m%d)
for f in "sizeup-$old.jsonl" "sizeup-$edge.jsonl" sizeup-20000101.jsonl \
    sizeup-20000101.jsonl.gz sizeup-2000.jsonl sizeup-20001301.jsonl \
    notes.txt sizeup.conf; do
	echo '{}' >"$d/$f"
done
ln -s notes.txt "$d/sizeup-20000102.jsonl"
rec --dir "$d" --keep-days 3
check "--keep-days removes the old logs" \
	test ! -e "$d/sizeup-$old.jsonl" -a ! -e "$d/sizeup-20000101.jsonl"
kept=0
for f in "sizeup-$edge.jsonl" "sizeup-$today.jsonl" sizeup-20000101.jsonl.gz \
    sizeup-2000.jsonl sizeup-20001301.jsonl notes.txt sizeup.conf \
    sizeup-20000102.jsonl sizeup-20000103.jsonl.d; do
	[ -e "$d/$f" ] || [ -L "$d/$f" ] || { echo "# removed: $f"; kept=1; }
done
check "--keep-days removes nothing else" test $kept = 0
rec --dir "$d" --keep-days 0
check "--keep-days 0 keeps everything" test -e "$d/sizeup-$edge.jsonl"

# ---- diagnose --from gives the live verdict ------------------------------
# A thread that burns a core makes the second window cpu-bound on a host
# with more than one core (single-thread) or with one (all-cores), unless
# other load on the host says otherwise: what counts is that the replay
# says what the live run said.
rec --dir "$tmp/r" --duration 0.5
python3 -c 'while True: pass' &
pids="$pids $!"
sleep 0.5
rec --dir "$tmp/r" --duration 2
kill $pids 2>/dev/null
pids=""
log=$tmp/r/sizeup-$today.jsonl
same_verdict() {	# same_verdict LINE REPLAY.json
	python3 - "$log" "$1" "$2" <<'EOF'
import json, sys
rec = json.loads(open(sys.argv[1]).read().splitlines()[int(sys.argv[2]) - 1])
rep = json.load(open(sys.argv[3]))
v, w = rec["verdict"], rep["verdict"]
for k in ("bound", "kind", "confidence", "bigger_server_helps", "summary"):
    assert v.get(k) == w.get(k), (k, v.get(k), w.get(k))
assert [(a["bound"], a["score"]) for a in v.get("also", [])] == \
    [(a["bound"], a["score"]) for a in w["also"]]
for r, o in rec["resources"].items():
    assert o["score"] == rep["resources"][r]["score"], r
assert rep["window"]["start"] == rec["window"]["start"]
print("# line %s: %s %s" % (sys.argv[2], v["bound"], v.get("kind") or ""))
EOF
}
expect "diagnose --from (last record)" 0 "$SIZEUP" diagnose --from "$log" \
	--json
check "diagnose --from: the live verdict of the last window" \
	same_verdict 2 "$tmp/out"
first=$(head -n 1 "$log" | python3 -c '
import json, sys; print(json.load(sys.stdin)["window"]["start"])')
expect "diagnose --from --at" 0 "$SIZEUP" diagnose --from "$log" \
	--at "$first" --json
check "--at picks the window that holds the time" same_verdict 1 "$tmp/out"
expect "diagnose --from, text" 0 "$SIZEUP" diagnose --from "$log"
grep -q "^Recorded window .* ($log line 2)" "$tmp/out" &&
	grep -q "^Verdict: cpu / " "$tmp/out" &&
	ok "text replay names the window" || not_ok "text replay names the window"

# ---- --since and --until --------------------------------------------------
mkdir "$tmp/w"
head -n 1 "$log" | python3 -c '
import json, sys
rec = json.loads(sys.stdin.read())
for day, hour in (("02", 23), ("03", 0), ("03", 9), ("03", 18)):
    rec["window"]["start"] = "2020-06-%sT%02d:00:00Z" % (day, hour)
    rec["window"]["end"] = "2020-06-%sT%02d:00:01Z" % (day, hour)
    with open(sys.argv[1] + "/sizeup-202006%s.jsonl" % day, "a") as f:
        f.write(json.dumps(rec) + "\n")' "$tmp/w"
windows() {	# windows ARGS...: the report's window count
	"$SIZEUP" report --dir "$tmp/w" --json "$@" | python3 -c '
import json, sys; print(json.load(sys.stdin)["windows"])'
}
check "report: all 4 windows" test "$(windows)" = 4
check "--since a day" test "$(windows --since 2020-06-03)" = 3
check "--until a time" test "$(windows --until 2020-06-03T09:00)" = 2
check "--since and --until" \
	test "$(windows --since 2020-06-03T00:00:00Z --until 2020-06-03T12:00)" = 2
check "--since relative" test "$(windows --since -1d)" = 0

# ---- usage and runtime errors ---------------------------------------------
expect "record into a file, not a directory" 1 "$SIZEUP" record \
	--dir /etc/passwd/x --duration 0.2
expect "record with a bad --keep-days" 2 "$SIZEUP" record --keep-days 1x
expect "record with a stray argument" 2 "$SIZEUP" record now
expect "report of a missing directory" 1 "$SIZEUP" report \
	--dir "$tmp/none"
expect "report --since nonsense" 2 "$SIZEUP" report --since yesterday
expect "report --since after --until" 2 "$SIZEUP" report \
	--since 2026-12-03 --until 2026-12-02
expect "--at without --from" 2 "$SIZEUP" diagnose --at 2026-12-03
expect "--from with --duration" 2 "$SIZEUP" diagnose --from "$log" \
	--duration 1
expect "--from a missing file" 1 "$SIZEUP" diagnose --from "$tmp/none"
: >"$tmp/empty.jsonl"
expect "--from a file without records" 1 "$SIZEUP" diagnose \
	--from "$tmp/empty.jsonl"
expect "--at before every record" 1 "$SIZEUP" diagnose --from "$log" \
	--at 2000-01-01

finish
