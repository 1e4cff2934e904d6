#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The live screen of the real binary, driven in tmux (send-keys,
# capture-pane): the verdict line, one bar or cell per online core, the
# keys, resizes, the hottest thread of a busy process, a hostile process
# name, NO_COLOR, TERM=dumb, SIGTERM and SIGHUP, and a 256-CPU /proc/stat
# that must fit on 80x24.  Each session runs `sizeup top` in a shell that
# then prints "EXITED <status> tty-<same|changed>", comparing `stty -g`
# before and after, so a test can tell that the terminal was put back.
# Skips (77) without tmux.
set -u

: "${SIZEUP:?SIZEUP is not set}"
: "${SZ_SRCDIR:=$(dirname "$0")/..}"
if ! command -v tmux >/dev/null || ! command -v python3 >/dev/null; then
	echo "# skipped: needs tmux and python3"
	exit 77
fi

tmp=$(mktemp -d)
sock="$tmp/tmux.sock"	# goes with $tmp
pids=""
T() { tmux -S "$sock" -f /dev/null "$@"; }
cleanup() {
	T kill-server 2>/dev/null
	for p in $pids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

. "${SZ_SRCDIR:-$(dirname "$0")/..}/tests/lib.sh"

# start ENV-ASSIGNMENTS...: a new 80x24 session running
# `sizeup top $top_args` under env.
top_args="--interval 0.5"
start() {
	T kill-server 2>/dev/null
	# the server may take a moment to go away
	i=0
	while T has-session 2>/dev/null && [ $i -lt 20 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	cat >"$tmp/run.sh" <<EOF
s0=\$(stty -g)
env $* "$SIZEUP" top $top_args
rc=\$?
if [ "\$(stty -g)" = "\$s0" ]; then r=same; else r=changed; fi
echo "EXITED \$rc tty-\$r"
sleep 600
EOF
	T new-session -d -x 80 -y 24 "sh $tmp/run.sh"
}

screen() { T capture-pane -p -t 0; }

# wait_for ERE [SECONDS]: until the screen matches (default 5 s)
wait_for() {
	n=$(( ${2:-5} * 10 ))
	while [ "$n" -gt 0 ]; do
		screen | grep -Eq -- "$1" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

# gone ERE [SECONDS]: until the screen no longer matches
gone() {
	n=$(( ${2:-5} * 10 ))
	while [ "$n" -gt 0 ]; do
		screen | grep -Eq -- "$1" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

verdict_and_status() { wait_for "$VERDICT" && wait_for "$STATUS"; }
key() { T send-keys -t 0 "$@"; }
alt_screen() { T display -p -t 0 '#{alternate_on}'; }
sizeup_pid() { pgrep -P "$(T display -p -t 0 '#{pane_pid}')" -x sizeup; }

VERDICT='^(no bottleneck\. |(cpu|memory|io|network|connections) bound \()'
STATUS='^ q quit  space pause'

# Cores drawn between the CPU line and the MEM line: "N [" bars, or grid
# cells after each row's leading core number.
count_cores() {
	python3 -c '
import re, sys
lines = sys.stdin.read().split("\n")
a = next(i for i, l in enumerate(lines) if l.startswith("CPU "))
b = next(i for i, l in enumerate(lines) if l.startswith("MEM "))
block = lines[a + 1:b]
bars = sum(len(re.findall(r"\d+ \[", l)) for l in block)
cells = 0
for l in block:
    m = re.match(r"\s*\d+ (.*)$", l)
    if m:
        cells += sum(1 for ch in m.group(1) if ch != " ")
print(bars if bars else cells)'
}

# Does capture-pane -e show any colour (SGR 30-38, 40-48, 90-107; 39 and
# 49 are the defaults)?
has_color() {
	T capture-pane -p -e -t 0 | python3 -c '
import re, sys
for params in re.findall(r"\x1b\[([0-9;]*)m", sys.stdin.read()):
    for p in params.split(";"):
        if p and (30 <= int(p) <= 48 or 90 <= int(p) <= 107) and \
            int(p) != 39:
            sys.exit(0)
sys.exit(1)'
}

online=$(grep -c '^cpu[0-9]' /proc/stat)

# ---- the main screen, UTF-8 --------------------------------------------

start LANG=C.UTF-8 LC_ALL=C.UTF-8
check "the verdict line comes first" wait_for "$VERDICT"
screen >"$tmp/first"
check "the status line is last" sh -c "tail -n 1 '$tmp/first' |
	grep -Eq '$STATUS'"
check "one bar or cell per online core ($online)" \
	test "$(count_cores <"$tmp/first")" = "$online"
check "colour by default" has_color

key '?'
check "? opens the help" wait_for 'keys \(Esc or \? closes\)'
key '?'
check "? closes the help" gone 'keys \(Esc or \? closes\)'
key e
check "e opens the evidence" wait_for 'evidence: the diagnose report'
check "the evidence is the diagnose report" wait_for '^Verdict: '
key e
check "e closes the evidence" gone 'evidence: the diagnose report'
key s
check "s opens the sort chooser" wait_for 'sort by'
key m
check "m sorts by memory" wait_for 's sort: memory'
key ' '
check "space pauses" wait_for 'PAUSED'
key ' '
check "space resumes" gone 'PAUSED'
key +
check "+ lengthens the interval" wait_for '\+/- 1s'
key - -
check "- shortens it" wait_for '\+/- 0\.2s'

T resize-window -t 0 -x 40 -y 12
sleep 0.5
check "40x12: still drawn" wait_for "$STATUS"
# the report wraps between words: "(confidence 0.98)" stays whole
key e
check "40x12: the evidence wraps between words" \
	wait_for '^Verdict: .*\(confidence [0-9.]+\)$|^\(confidence [0-9.]+\)$'
key e
T resize-window -t 0 -x 80 -y 24
sleep 0.5
check "back to 80x24: verdict and status" verdict_and_status
check "back to 80x24: every core" \
	test "$(screen | count_cores)" = "$online"

key q
check "q exits 0 with the terminal restored" wait_for '^EXITED 0 tty-same'
check "q leaves the alternate screen" test "$(alt_screen)" = 0

# ---- the hottest thread of a busy process ------------------------------

# A process of five threads where one, named sz-hot, spins for 6 s: its
# row names that thread (tid, name, CPU) and the thread count, though the
# screen reads threads only of processes busy since the refresh before.
python3 -c '
import ctypes, threading, time
def hot():
    ctypes.CDLL(None).prctl(15, b"sz-hot", 0, 0, 0)
    end = time.time() + 6
    while time.time() < end:
        pass
for _ in range(3):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
threading.Thread(target=hot, daemon=True).start()
time.sleep(600)' &
hot=$!
pids="$pids $hot"
start LANG=C.UTF-8 LC_ALL=C.UTF-8
check "a busy process: its hottest thread and thread count" \
	wait_for "^ *$hot +python3 +[0-9]+ +5 +[0-9]+ sz-hot +[0-9]+ " 5
key q
kill "$hot" 2>/dev/null

# ---- a hostile process name --------------------------------------------

# It sets the window title and clears the screen if sent raw.  It heads
# the list ordered by thread count (s, t) with more threads than any other
# process, all asleep: no CPU taken from tests that run beside this one.
most=$(awk '/^Threads:/ { if ($2 > m) m = $2 } END { print m + 0 }' \
	/proc/[0-9]*/status 2>/dev/null)
python3 -c '
import ctypes, sys, threading, time
name = b"\x1b]2;PWNED\x07\x1b[2J"
ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name), 0, 0, 0)
for _ in range(int(sys.argv[1])):
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
time.sleep(600)' $((most + 8)) &
pids="$pids $!"
start LANG=C.UTF-8 LC_ALL=C.UTF-8
wait_for "$VERDICT" >/dev/null
key s t
check "hostile name: shown escaped" wait_for '\\x1b\]2;PWNED' 8
check "hostile name: the title is unchanged" \
	test "$(T display -p -t 0 '#{pane_title}')" != PWNED
check "hostile name: the screen is intact" sh -c "
	tmux -S '$sock' -f /dev/null capture-pane -p -t 0 >'$tmp/hostile'
	head -n 1 '$tmp/hostile' | grep -Eq '$VERDICT' &&
	tail -n 1 '$tmp/hostile' | grep -Eq '$STATUS'"
if T capture-pane -p -e -t 0 | LC_ALL=C grep -q "$(printf '\033')\\]"; then
	not_ok "hostile name: no OSC sequence on the screen"
else
	ok "hostile name: no OSC sequence on the screen"
fi

# ---- signals -------------------------------------------------------------

kill -TERM "$(sizeup_pid)"
check "SIGTERM: the terminal is restored" \
	wait_for '^EXITED 143 tty-same'
check "SIGTERM: the alternate screen is left" test "$(alt_screen)" = 0
for p in $pids; do kill "$p" 2>/dev/null; done
pids=""

start LANG=C.UTF-8 LC_ALL=C.UTF-8
wait_for "$VERDICT" >/dev/null
kill -HUP "$(sizeup_pid)"
check "SIGHUP: the terminal is restored" wait_for '^EXITED 129 tty-same'

# A crash (a fault, abort) puts the terminal back before dying of it.
start LANG=C.UTF-8 LC_ALL=C.UTF-8
wait_for "$VERDICT" >/dev/null
kill -SEGV "$(sizeup_pid)"
check "a crash: the terminal is restored" wait_for '^EXITED 139 tty-same'
check "a crash: the alternate screen is left" test "$(alt_screen)" = 0

# ---- ASCII, NO_COLOR, TERM=dumb ------------------------------------------

start LANG=C LC_ALL=C NO_COLOR=1
check "ASCII: the verdict line" wait_for "$VERDICT"
if screen | LC_ALL=C grep -q '[^ -~]'; then
	not_ok "ASCII: only ASCII on the screen"
else
	ok "ASCII: only ASCII on the screen"
fi
if has_color; then
	not_ok "NO_COLOR: no colour"
else
	ok "NO_COLOR: no colour"
fi
key q

start TERM=dumb
check "TERM=dumb: one clear line, exit 1" wait_for \
	'^sizeup: the terminal \(TERM=dumb\) cannot move the cursor'
check "TERM=dumb: exit status 1" wait_for '^EXITED 1 tty-same'

# ---- replay --------------------------------------------------------------

# the second window spans more than a second: its start and end differ
if "$SIZEUP" record --dir "$tmp/rec" --duration 0.3 --quiet 2>/dev/null &&
    "$SIZEUP" record --dir "$tmp/rec" --duration 1.2 --quiet; then
	log=$(ls "$tmp"/rec/sizeup-*.jsonl)
	top_args="--from $log"
	start LANG=C.UTF-8 LC_ALL=C.UTF-8
	check "--from: the last record's verdict" wait_for "$VERDICT"
	check "--from: the last of two records" wait_for ' 2/2 '
	# named by its start, as diagnose --from names it
	first=$("$SIZEUP" diagnose --from "$log" | sed -n \
	    's/^Recorded window \([^ ]*\) to .*/\1/p')
	check "--from: the window's start, as diagnose --from says" \
	    wait_for " 2/2 $first"
	key Left
	check "--from: <- steps back" wait_for ' 1/2 '
	key q
	check "--from: q exits 0" wait_for '^EXITED 0 tty-same'
	top_args="--interval 0.5"
else
	echo "# skipped the --from case: sizeup record failed"
fi

# ---- 256 CPUs on 80x24 ---------------------------------------------------

fixture="$SZ_SRCDIR/tests/fixtures/pcp/bigsys-256cpu/proc/stat"
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
    unshare -m true 2>/dev/null; then
	T kill-server 2>/dev/null
	sleep 0.2
	T new-session -d -x 80 -y 24 "unshare -m sh -c 'mount --make-rprivate \
/ && mount --bind \"$fixture\" /proc/stat && LANG=C.UTF-8 LC_ALL=C.UTF-8 \
exec \"$SIZEUP\" top'; sleep 600"
	check "256 CPUs: the verdict line" wait_for "$VERDICT"
	screen >"$tmp/big"
	check "256 CPUs: 256 cells on 80x24" \
		test "$(count_cores <"$tmp/big")" = 256
	check "256 CPUs: none left out" sh -c "! grep -q 'not shown' \
		'$tmp/big'"
	check "256 CPUs: the status line still fits" sh -c "tail -n 1 \
		'$tmp/big' | grep -Eq '$STATUS'"
else
	echo "# skipped the 256-CPU case: needs root and unshare -m"
fi

finish
