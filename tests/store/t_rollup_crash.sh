#!/bin/sh
# THREATS #19 for the rollups (issue 20): dmarcsift ingest of a Maildir,
# an mbox (both batched: up to 500 inputs per transaction, each its own
# savepoint) and of a 30,000-record report is killed with SIGKILL at random points,
# again and again, into one database; after every kill and after the
# final complete run the sender_seen rollup (006-speed.sql) equals what
# the raw records answer, so do the day rollups (015-rollup.sql: the
# migration's own SELECT recomputes them from the records), so do the
# per-IP rollups (018-perip.sql: its two SELECTs), the
# database passes integrity_check, and in
# the end every report is stored exactly once (same counts as a clean
# run into a fresh database).
# DS_KILL_SEED=N repeats a run's kill points.
# SPDX-License-Identifier: MIT
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
DSGEN=$DS_BUILD/dsgen
seed=${DS_KILL_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# kill seed $seed (DS_KILL_SEED=$seed repeats it)"

"$DSGEN" maildir --messages 400 --seed 5 -o "$T/md" >/dev/null || fail dsgen
"$DSGEN" xml --records 30000 --seed 5 -o "$T/big.xml" >/dev/null ||
	fail dsgen
"$DSGEN" mbox --messages 300 --seed 6 -o "$T/box.mbox" >/dev/null ||
	fail dsgen
in="$T/big.xml $T/md $T/box.mbox"

RAW="SELECT rec.source_ip, lower(rep.domain),
  min((rep.begin_ts + rep.end_ts) / 2), max((rep.begin_ts + rep.end_ts) / 2)
  FROM record AS rec JOIN report AS rep ON rep.id = rec.report_row
  WHERE rec.source_ip IS NOT NULL GROUP BY 1, 2"
ROLL="SELECT source_ip, domain, first_mid, last_mid FROM sender_seen"
# the SELECT of migration 015 over every report (sum for csum, which
# the sqlite3 shell lacks: dsgen's counts are small), and the table
# (tests/pg's rerun: PostgreSQL's twin of 015, WITH ... INSERT ...
# SELECT there, csum kept: it has it)
if [ -n "${DS_PG_BASE:-}" ]; then
	DAYRAW=$(awk '/^WITH RECURSIVE/ { on = 1 } on { print } on && /;$/ { exit }' \
		"$DS_SRC/schema/store/sql-pg/015-rollup.sql" |
		sed -e '$s/;$//' -e '/^INSERT INTO day_rollup/,/records, messages)$/d')
else
	DAYRAW=$(awk '/^WITH RECURSIVE/ { on = 1 } on { print } on && /;$/ { exit }' \
		"$DS_SRC/schema/store/sql/015-rollup.sql" |
		sed -e '$s/;$//' -e 's/csum(/sum(/g')
fi
DAYRAW="SELECT * FROM ($DAYRAW) AS dr"
DAYROLL="SELECT domain, day, source_ip, disposition, dkim, spf, header_from,
  org_name, records, messages FROM day_rollup"
# the two SELECTs of migration 018 (day_ip, then day_auth)
ip_sel() {
	awk -v want="$1" '/^WITH RECURSIVE/ { n++; on = (n == want) }
	    on { print } on && /;$/ { exit }' \
	    "$DS_SRC/schema/store/sql/018-perip.sql" |
	    sed -e '$s/;$//' -e 's/csum(/sum(/g'
}
IPRAW="SELECT * FROM ($(ip_sel 1))"
IPROLL="SELECT report_row, day, source_ip, dkim, spf, fwd, spf_fail,
  own_dkim, records, messages FROM day_ip"
AUTHRAW="SELECT * FROM ($(ip_sel 2))"
AUTHROLL="SELECT report_row, day, source_ip, kind, auth_domain, selector,
  result, spf_pass, messages FROM day_auth"
check() {
	n=$(sqlite3 "$1" "SELECT (SELECT count(*) FROM ($RAW EXCEPT $ROLL) AS a)
	    + (SELECT count(*) FROM ($ROLL EXCEPT $RAW) AS b)") || fail "query $1"
	[ "$n" = 0 ] || fail "$2: $n rollup rows differ from the records"
	# a kill while a new database is migrated leaves it before 015;
	# the next run goes on from there
	if [ -z "${DS_PG_BASE:-}" ]; then
		v=$(sqlite3 "$1" "PRAGMA user_version")
	elif [ "$(sqlite3 "$1" "SELECT to_regclass('ds_schema_version') IS NULL")" = t ]; then
		v=0	# tests/pg's rerun: killed before the first migration
	else
		v=$(sqlite3 "$1" "SELECT coalesce(max(version), 0) FROM ds_schema_version")
	fi
	if [ "$v" -ge 15 ]; then
		n=$(sqlite3 "$1" "SELECT (SELECT count(*) FROM
		    ($DAYRAW EXCEPT $DAYROLL) AS a) + (SELECT count(*) FROM
		    ($DAYROLL EXCEPT $DAYRAW) AS b)") || fail "day rollup query $1"
		[ "$n" = 0 ] ||
			fail "$2: $n day rollup rows differ from the records"
	fi
	# (SQLite: 018's SELECTs in its dialect; tests/pg/t_perip checks
	# PostgreSQL's backfill against ingest)
	if [ "$v" -ge 18 ] && [ -z "${DS_PG_BASE:-}" ]; then
		n=$(sqlite3 "$1" "SELECT (SELECT count(*) FROM
		    ($IPRAW EXCEPT $IPROLL)) + (SELECT count(*) FROM
		    ($IPROLL EXCEPT $IPRAW)) + (SELECT count(*) FROM
		    ($AUTHRAW EXCEPT $AUTHROLL)) + (SELECT count(*) FROM
		    ($AUTHROLL EXCEPT $AUTHRAW))") || fail "per-IP query $1"
		[ "$n" = 0 ] ||
			fail "$2: $n per-IP rollup rows differ from the records"
	fi
	# (PostgreSQL has no integrity_check: a killed client's open
	# transaction is rolled back by the server, checked above)
	if [ -z "${DS_PG_BASE:-}" ]; then
		ok=$(sqlite3 "$1" "PRAGMA integrity_check")
		[ "$ok" = ok ] || fail "$2: integrity_check: $ok"
	fi
	# records of every report: as many as the report says
	bad=$(sqlite3 "$1" "SELECT count(*) FROM report AS rep WHERE
	    rep.records <> (SELECT count(*) FROM record
	    WHERE report_row = rep.id)")
	[ "$bad" = 0 ] || fail "$2: $bad reports with missing records"
}

DB=$T/dmarc.db
delays=$(awk -v s="$seed" 'BEGIN { srand(s);
    for (i = 0; i < 5; i++) printf "%.2f ", 0.1 + rand() * 1.5 }')
for d in $delays; do
	# shellcheck disable=SC2086
	"$DS_BIN" ingest --db "$DB" --quiet $in 2>/dev/null &
	pid=$!
	sleep "$d"
	kill -9 $pid 2>/dev/null || true
	wait $pid 2>/dev/null || true
	[ -f "$DB" ] && check "$DB" "after a kill at ${d}s"
done
# shellcheck disable=SC2086
"$DS_BIN" ingest --db "$DB" --quiet $in 2>/dev/null || [ $? = 1 ] ||
	fail "final run"
check "$DB" "after the final run"
# shellcheck disable=SC2086
"$DS_BIN" ingest --db "$T/clean.db" --quiet $in 2>/dev/null || [ $? = 1 ] ||
	fail "clean run"
check "$T/clean.db" "clean run"
q="SELECT count(*), sum(records), sum(messages) FROM report"
a=$(sqlite3 "$DB" "$q") b=$(sqlite3 "$T/clean.db" "$q")
[ "$a" = "$b" ] || fail "killed runs stored $a, a clean run $b"
c=$(sqlite3 "$DB" "SELECT count(*) FROM sender_seen")
[ "$c" -gt 1000 ] || fail "only $c rollup rows"
c3=$(sqlite3 "$DB" "SELECT count(*) FROM day_auth")
[ "$c3" -gt 1000 ] || fail "only $c3 per-IP rollup rows"
c2=$(sqlite3 "$DB" "SELECT count(*) FROM day_rollup")
[ "$c2" -gt 1000 ] || fail "only $c2 day rollup rows"
echo "ok: $a (reports, records, messages), $c rollup rows"
