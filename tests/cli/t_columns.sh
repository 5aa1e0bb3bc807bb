#!/bin/sh
# Every text output fits 80 columns (README "text fits 80 columns") over
# generated data: reports, summary, senders (every grouping), reporters,
# failures and failures show, doctor, quarantine list and show, verify;
# long evidence is wrapped and indented, never cut mid-word past 80.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}" "${DS_BUILD:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
export DMARCSIFT_NO_PROGRESS=1 LC_ALL=C.UTF-8 COLUMNS=80
unset DMARCSIFT_DB XDG_DATA_HOME XDG_CONFIG_HOME
T=$(mktemp -d "${TMPDIR:-/tmp}/ds-cols.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T"
DB=$T/d.db
"$DS_BUILD/dsgen" maildir --messages 120 --seed 5 --invalid-rate 0.05 -o "$T/md" >/dev/null || fail "dsgen maildir"
"$DS_BUILD/dsgen" demo -o "$T/demo" >/dev/null || fail "dsgen demo"
"$DS_BIN" ingest --quiet --offline --db "$DB" "$T/md" "$T/demo" 2>/dev/null
[ $? -le 1 ] || fail "ingest"
fid=$(sqlite3 "$DB" "SELECT min(id) FROM failure_report" 2>/dev/null)
qid=$(sqlite3 "$DB" "SELECT min(id) FROM quarantine")
sample=$(ls "$T"/demo/cur/* | head -1)
n=0
check() {	# ARGS...: dmarcsift ARGS --db DB, stdout within 80 columns
	n=$((n + 1))
	"$DS_BIN" "$@" --db "$DB" >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc -le 1 ] || fail "'$*' exited $rc: $(cat "$T/err")"
	[ -s "$T/out" ] || fail "'$*' printed nothing"
	awk -v c="$*" '{ if (length($0) > 80) { printf "%s: line %d is %d columns: %s\n", c, NR, length($0), $0; bad = 1 } }
	    END { exit bad }' "$T/out" >&2 || fail "'$*' is wider than 80 columns"
}
check reports
check summary
check summary --domain example.com --top 10
for g in ip net domain service; do check senders --offline --group $g; done
check senders --offline --failing --domain example.com
check reporters
check failures --offline
[ -n "$fid" ] && [ "$fid" != "" ] && check failures show "$fid" --offline
check doctor example.com --offline
check doctor example.net --offline
check quarantine list
[ -n "$qid" ] && check quarantine show "$qid"
check verify "$sample" --offline
echo "ok - $n text outputs within 80 columns"
