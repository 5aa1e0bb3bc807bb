#!/bin/sh
# t_migrate_resume.sh - migrate-store resumes (store_copy.c): a copy of a
# SQLite store into a real PostgreSQL 15, killed with SIGKILL while it is
# inside the record table (the target holds some of its rows, not all),
# then rerun: every table's counts equal, every report and record once,
# the same reports as the source, and a third run copies
# nothing.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BUILD:?}"
command -v psql >/dev/null || { echo "psql missing" >&2; exit 77; }
command -v sqlite3 >/dev/null || { echo "sqlite3 missing" >&2; exit 77; }
BIN=${DS_BIN:-$DS_BUILD/dmarcsift}
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -d "$URI" -c "$1"; }
export DMARCSIFT_NOW=1767225600
export DMARCSIFT_CONFIG=/dev/null

# a store with many reports and one big one (its records take many
# batches of 2000 rows)
"$DS_BUILD/dsgen" maildir --messages 300 --seed 5 --invalid-rate 0 \
    -o "$T/md" >/dev/null || fail "dsgen maildir"
"$DS_BUILD/dsgen" xml --records 60000 --seed 6 --gzip \
    -o "$T/big.xml.gz" >/dev/null || fail "dsgen xml"
"$BIN" ingest --quiet --db "$T/src.db" "$T/md" "$T/big.xml.gz" ||
	fail "ingest into SQLite"
total=$(sqlite3 "$T/src.db" "SELECT count(*) FROM record")
reports=$(sqlite3 "$T/src.db" "SELECT count(*) FROM report")

# ---- killed inside the record table
"$BIN" migrate-store -q --from "$T/src.db" --to "$URI" 2>"$T/kill.err" &
p=$!
i=0 n=0
while [ $i -lt 1200 ]; do
	n=$(q "SELECT count(*) FROM record" 2>/dev/null || echo 0)
	[ "${n:-0}" -gt 0 ] && break
	kill -0 $p 2>/dev/null || break
	i=$((i + 1))
	sleep 0.05
done
kill -9 $p 2>/dev/null
wait $p
n=$(q "SELECT count(*) FROM record")
[ "$n" -gt 0 ] && [ "$n" -lt "$total" ] ||
	fail "not killed inside the record table: $n of $total records copied"
echo "ok: killed with $n of $total records copied"

# ---- rerun: completes, counts checked
"$BIN" migrate-store --from "$T/src.db" --to "$URI" >"$T/mig.out" 2>&1 ||
	{ cat "$T/mig.out" >&2; fail "rerun"; }
grep -q '^counts match' "$T/mig.out" || { cat "$T/mig.out"; fail "no count check"; }
[ "$(q "SELECT count(*) FROM record")" -eq "$total" ] || fail "record count"
[ "$(q "SELECT count(*) FROM report")" -eq "$reports" ] || fail "report count"
[ "$(q "SELECT count(*) FROM (SELECT 1 FROM report GROUP BY org_name,
    report_id, domain, begin_ts, end_ts HAVING count(*) > 1) AS d")" -eq 0 ] ||
	fail "a report twice"
[ "$(q "SELECT count(*) FROM (SELECT id FROM record GROUP BY id
    HAVING count(*) > 1) AS d")" -eq 0 ] || fail "a record twice"
# every record under its own report, as in the source
sqlite3 "$T/src.db" "SELECT report_row, count(*), sum(count) FROM record
    GROUP BY 1 ORDER BY 1" | tr '|' ' ' >"$T/per.lite"
q "SELECT report_row, count(*), sum(count) FROM record GROUP BY 1 ORDER BY 1" |
	tr '|' ' ' >"$T/per.pg"
cmp -s "$T/per.lite" "$T/per.pg" || fail "records per report differ"
# the same reports, listed by the reporter (sorted: ties keep insertion
# order)
for db in "$T/src.db" "$URI"; do
	"$BIN" reports --since 2000-01-01 --until 2040-01-01 --format csv \
	    --db "$db" >"$T/rep.raw" || fail "reports on $db"
	LC_ALL=C sort "$T/rep.raw" >"$T/rep.$([ "$db" = "$URI" ] && echo pg || echo lite)"
done
cmp -s "$T/rep.lite" "$T/rep.pg" || { diff "$T/rep.lite" "$T/rep.pg" | head; fail "reports differ"; }
echo "ok: rerun completed: $(grep '^counts match' "$T/mig.out")"

# ---- a third run finds everything there
"$BIN" migrate-store --from "$T/src.db" --to "$URI" >"$T/mig3.out" 2>&1 ||
	{ cat "$T/mig3.out" >&2; fail "third run"; }
[ "$(q "SELECT count(*) FROM record")" -eq "$total" ] || fail "third run: record count"
grep -q "(0 rows copied now)" "$T/mig3.out" || { cat "$T/mig3.out"; fail "third run copied rows"; }
echo "ok: a third run adds nothing"
