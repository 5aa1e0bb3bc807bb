#!/bin/sh
# t_db.sh - the driver contract (tests/unit/test_db.c) against a real
# PostgreSQL 15 server: the same cases the SQLite back end passes, run
# by the same test program with $DS_TEST_PG set.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BUILD:?}"
prog="$DS_BUILD/tests/test_db"
[ -x "$prog" ] || { echo "FAIL: $prog not built" >&2; exit 1; }
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
DS_TEST_PG=$URI "$prog" >"$T/out" 2>&1
rc=$?
cat "$T/out"
# every PostgreSQL case ran: none skipped
if grep -q SKIPPED "$T/out"; then
	echo "FAIL: a PostgreSQL case was skipped" >&2
	exit 1
fi
exit $rc
