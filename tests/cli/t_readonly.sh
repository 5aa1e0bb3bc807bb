#!/bin/sh
# Reading commands on a database the user can read but not write, in a
# directory the user cannot write: they work, create nothing (no -wal,
# -shm or .lock file), and a writing command says "read-only" naming the
# file (exit 5). As root the commands run as nobody (setpriv); as another
# user the modes alone do it.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}" "${DS_BUILD:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
export DMARCSIFT_NO_PROGRESS=1 LC_ALL=C
unset DMARCSIFT_DB XDG_DATA_HOME XDG_CONFIG_HOME
T=$(mktemp -d /tmp/ds-ro.XXXXXX) || exit 1
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT INT TERM
chmod 0755 "$T"
AS=""
if [ "$(id -u)" = 0 ]; then
	command -v setpriv >/dev/null || { echo "no setpriv: skipped"; exit 77; }
	AS="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	# nobody must reach the binary and the test directory
	$AS test -x "$DS_BIN" || { echo "nobody cannot run $DS_BIN: skipped"; exit 77; }
fi
export HOME="$T"

"$DS_BUILD/dsgen" demo -o "$T/md" >/dev/null || fail "dsgen"
mkdir "$T/ro"
"$DS_BIN" ingest --quiet --db "$T/ro/d.db" "$T/md" 2>/dev/null
[ $? -le 1 ] || fail "ingest"
"$DS_BIN" reports --db "$T/ro/d.db" >"$T/want.txt" || fail "reports (writable)"
rm -f "$T/ro/d.db.lock"
DB=$T/ro/d.db
if [ -n "${DS_PG_BASE:-}" ]; then
	# tests/pg's rerun: the PostgreSQL equivalent of a file the user
	# can read but not write is a role with SELECT only (README: the
	# read-only role for html, senders and dashboards)
	uri=$(sh "$DS_SRC/tests/pg/shim/dbname.sh" "$DB") || fail "dbname"
	[ "$(sqlite3 "$DB" "SELECT count(*) FROM pg_roles WHERE rolname = 'ds_ro'")" = 1 ] ||
		sqlite3 "$DB" "CREATE ROLE ds_ro LOGIN" || fail "create role"
	sqlite3 "$DB" "GRANT SELECT ON ALL TABLES IN SCHEMA public TO ds_ro" ||
		fail "grant"
	DB=$(echo "$uri" | sed 's#://[^@/]*@#://ds_ro@#')
	AS=""	# the role is the user
fi
ls -a "$T/ro" >"$T/before"
chmod 0444 "$T/ro/d.db"
mkdir "$T/w"; chmod 0777 "$T/w"
chmod 0555 "$T/ro"

for c in reports summary senders reporters failures weekly doctor html \
    "quarantine list"; do
	case $c in
	html) set -- html --offline --out "$T/site-$$";;
	weekly) set -- weekly --domain example.com --week 2026-W01 --out "$T/w/w.html";;
	doctor) set -- doctor example.com --offline;;
	senders) set -- senders --offline --domain example.com;;
	*) set -- $c;;
	esac
	[ "$1" = html ] && { mkdir "$T/site-$$"; chmod 0777 "$T/site-$$"; }
	$AS "$DS_BIN" "$@" --db "$DB" >"$T/out" 2>"$T/err"
	rc=$?
	# doctor exits 1 for findings; anything else is a failure
	[ "$1" = doctor ] && [ $rc -eq 1 ] && rc=0
	[ $rc -eq 0 ] || fail "$c on a read-only database: exit $rc: $(cat "$T/err")"
	[ "$1" = html ] && rm -rf "$T/site-$$"
done
$AS "$DS_BIN" reports --db "$DB" >"$T/got.txt" || fail "reports"
cmp -s "$T/want.txt" "$T/got.txt" || fail "reports differ on the read-only database"
ls -a "$T/ro" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "files appeared: $(diff "$T/before" "$T/after")"
ok "every reading command works on a read-only database in a read-only directory, creating nothing"

$AS "$DS_BIN" ingest --db "$DB" "$T/md" >"$T/out" 2>"$T/err"
rc=$?
[ $rc -eq 5 ] || fail "ingest into a read-only database: exit $rc, want 5: $(cat "$T/err")"
grep -qF "${DB#*://}" "$T/err" &&
    grep -qi "read-only\|readonly\|cannot\|permission denied" "$T/err" ||
	fail "ingest: the error does not name the file and the cause: $(cat "$T/err")"
ok "ingest into a read-only database: exit 5, the file and the cause named"

# a database the user can read in a writable directory (0444 file)
chmod 0755 "$T/ro"
$AS "$DS_BIN" reports --db "$DB" >"$T/got2.txt" 2>"$T/err" ||
	fail "reports (0444 file): $(cat "$T/err")"
cmp -s "$T/want.txt" "$T/got2.txt" || fail "reports differ (0444 file)"
ok "a 0444 database in a writable directory: read"
