#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The PostgreSQL tests run against a real server that this script starts:
# initdb into a temporary directory (as the postgres user when run as
# root), a private port, a socket in that directory, password
# authentication for one role over TCP, and a teardown on any exit,
# failures and signals included.  Then tests/test_postgresql (cmocka)
# runs with SZ_PG_* telling it where the server is, under $VALGRIND when
# that is set.  Without the server binaries it skips (77), unless CI is
# set: there the tests must run.
set -u

fail_or_skip() {
	if [ -n "${CI:-}" ]; then
		echo "FAIL: $1 (CI is set: the PostgreSQL tests must run)"
		exit 1
	fi
	echo "SKIP: $1"
	exit 77
}

: "${SIZEUP:?SIZEUP is not set}"
test_bin=${SZ_PG_TEST:-$(dirname "$SIZEUP")/../tests/test_postgresql}
[ -x "$test_bin" ] || fail_or_skip "no $test_bin (cmocka missing?)"

PGBIN=${PGBIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V |
	tail -n 1)}
if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ] || [ ! -x "$PGBIN/pg_ctl" ]
then
	fail_or_skip "no PostgreSQL server binaries (Debian: apt-get install postgresql)"
fi

as=""
if [ "$(id -u)" = 0 ]; then
	# initdb refuses to run as root
	id postgres >/dev/null 2>&1 || fail_or_skip "running as root, but no postgres user"
	as="runuser -u postgres --"
fi

dir=$(mktemp -d /tmp/sizeup-pg.XXXXXX) || exit 1
cleanup() {
	if [ -f "$dir/data/postmaster.pid" ]; then
		$as "$PGBIN/pg_ctl" -D "$dir/data" -m immediate -w stop \
		    >/dev/null 2>&1
	fi
	rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM
[ -n "$as" ] && chown postgres "$dir"

if ! $as "$PGBIN/initdb" -D "$dir/data" -U postgres -A trust --no-sync \
    >"$dir/initdb.log" 2>&1; then
	cat "$dir/initdb.log"
	echo "FAIL: initdb"
	exit 1
fi
# First match wins: one role must give its password over TCP, the rest
# is trusted.
cat >"$dir/data/pg_hba.conf" <<EOF
local all all trust
host all sz_pw 127.0.0.1/32 scram-sha-256
host all all 127.0.0.1/32 trust
EOF

# A private port: several trees may run their tests at once, so try a few
# from a range no default uses (the scenario suite takes 55439).
port=""
for try in 1 2 3 4 5 6 7 8; do
	p=$((41000 + ($$ * 7 + try * 997) % 7000))
	if $as "$PGBIN/pg_ctl" -D "$dir/data" -w -t 30 -l "$dir/log" \
	    -o "-p $p -k $dir -c listen_addresses=127.0.0.1 \
	    -c max_connections=20 -c superuser_reserved_connections=3 \
	    -c fsync=off" start >/dev/null 2>&1; then
		port=$p
		break
	fi
done
if [ -z "$port" ]; then
	cat "$dir/log" 2>/dev/null
	echo "FAIL: could not start PostgreSQL"
	exit 1
fi

SZ_PG_HOST=$dir SZ_PG_PORT=$port SZ_PG_DATA=$dir/data
export SZ_PG_HOST SZ_PG_PORT SZ_PG_DATA SIZEUP
# shellcheck disable=SC2086
${VALGRIND:-} "$test_bin"
