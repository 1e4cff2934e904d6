# SPDX-License-Identifier: GPL-2.0-or-later
#
# Helpers of the shell tests (cli.sh, record.sh, tui.sh), sourced after the
# script has made its scratch directory $tmp.  Each check prints one TAP-like
# line; the script ends with `finish`, which prints "N passed, N failed"
# and sets the exit status.

pass=0 fail=0
ok() { pass=$((pass + 1)); echo "ok - $1"; }
not_ok() { fail=$((fail + 1)); echo "not ok - $1"; }
check() {	# check NAME CMD...: ok when CMD succeeds
	name=$1
	shift
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# expect NAME STATUS CMD...: CMD exits with STATUS; on a non-zero status,
# stderr must be exactly one line starting with "sizeup: ".  CMD's output
# is left in $tmp/out and $tmp/err.
expect() {
	name=$1 want=$2
	shift 2
	"$@" >"$tmp/out" 2>"$tmp/err"
	got=$?
	if [ "$got" != "$want" ]; then
		not_ok "$name: exit $got, want $want ($(head -c 200 "$tmp/err"))"
		return
	fi
	if [ "$want" != 0 ] && { [ "$(wc -l <"$tmp/err")" != 1 ] ||
	    ! grep -q '^sizeup: ' "$tmp/err"; }; then
		not_ok "$name: stderr is not one 'sizeup:' line"
		return
	fi
	ok "$name"
}

finish() {
	echo "$pass passed, $fail failed"
	[ $fail = 0 ]
}
