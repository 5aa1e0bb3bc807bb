#!/bin/sh
# t_partition.sh - the month partitions of PostgreSQL (sql-pg/019,
# store_part.c) on a real PostgreSQL 15: ingest makes one partition per
# month and leaves the default partitions empty; a reporter query of one
# month reads that month's record partition only (EXPLAIN); a store
# built at version 017 (unpartitioned) is converted by migration 019 and
# answers as the store ingested at 019 does; prune --raw-older-than
# drops the months that lie before the cut-off whole, deletes the rest
# row by row and prints what SQLite prints for the same store.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BUILD:?}"
command -v psql >/dev/null || { echo "psql missing" >&2; exit 77; }
BIN=${DS_BIN:-$DS_BUILD/dmarcsift}
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
A=$(sh "$DS_SRC/tests/pg/pgserver.sh" createdb "$T/pg" parta)
B=$(sh "$DS_SRC/tests/pg/pgserver.sh" createdb "$T/pg" partb)
fail() { echo "FAIL: $*" >&2; exit 1; }
q() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$1" -c "$2"; }
export DMARCSIFT_NOW=1767225600		# 2026-01-01
export DMARCSIFT_CONFIG=/dev/null

# three months of daily reports, from 2025-09-15
"$DS_BUILD/dsgen" maildir --messages 400 --seed 19 --start 1757894400 \
    --invalid-rate 0 -o "$T/md" >/dev/null || fail "dsgen"
"$BIN" ingest --quiet --db "$A" "$T/md" || fail "ingest into PostgreSQL"
"$BIN" ingest --quiet --db "$T/lite.db" "$T/md" || fail "ingest into SQLite"

# ---- partitions made by ingest, nothing left in the defaults
months=$(q "$A" "SELECT count(*) FROM ds_month_partitions('record')")
[ "$months" -ge 3 ] || fail "$months record partitions, want 3 or more"
[ "$(q "$A" "SELECT count(*) FROM ds_month_partitions('day_rollup')")" -ge 3 ] ||
	fail "day_rollup partitions"
[ "$(q "$A" "SELECT count(*) FROM record_default")" -eq 0 ] &&
	[ "$(q "$A" "SELECT count(*) FROM day_rollup_default")" -eq 0 ] ||
	fail "rows in a default partition"
[ "$(q "$A" "SELECT count(*) FROM record WHERE mid_ts <>
    (SELECT (begin_ts + end_ts) / 2 FROM report WHERE id = report_row)")" -eq 0 ] ||
	fail "record.mid_ts is not its report's midpoint"
echo "ok: $months month partitions of record, defaults empty"

# ---- EXPLAIN: the reporter's period test on records (DS_SQL_REC_PERIOD)
# keeps one month of record; senders' query shape, both period tests
lo=1761955200 hi=1764547200		# November 2025
# (a few hundred rows: without seqscan and hash/merge joins off the planner reads
# them whole; the point is which partitions and indexes can serve it)
q "$A" "ANALYZE; SET plan_cache_mode = force_custom_plan;
SET enable_seqscan = off; SET enable_hashjoin = off; SET enable_mergejoin = off;
PREPARE s (citext, bigint, bigint) AS SELECT rec.source_ip, count(*),
 csum(rec.count) FROM report AS rep JOIN record AS rec
 ON rec.report_row = rep.id AND rec.mid_ts >= \$2 AND rec.mid_ts < \$3
 WHERE rep.domain = \$1 AND ((rep.begin_ts + rep.end_ts) / 2) >= \$2
 AND ((rep.begin_ts + rep.end_ts) / 2) < \$3 GROUP BY rec.source_ip;
EXPLAIN EXECUTE s ('example.com', $lo, $hi)" >"$T/plan"
grep -q "record_p202511" "$T/plan" || { cat "$T/plan"; fail "no November partition in the plan"; }
if grep -E "record_p2025(09|10|12)|record_default" "$T/plan"; then
	cat "$T/plan"
	fail "the plan reads other months"
fi
grep -Eq "using (report_domain_mid|report_mid) on report" "$T/plan" ||
	{ cat "$T/plan"; fail "report not by its midpoint index"; }
grep -q "Index Only Scan using record_p202511_report_row" "$T/plan" ||
	{ cat "$T/plan"; fail "records not index-only (record_report_seq)"; }
echo "ok: EXPLAIN of one month reads record_p202511 only"

# ---- a store at 017 (before partitions) converted by 019
for f in "$DS_SRC"/schema/store/sql-pg/0*.sql; do
	n=$(basename "$f" | cut -c1-3)
	[ "$n" -le 17 ] || continue
	psql -X -q -v ON_ERROR_STOP=1 -1 -d "$B" -f "$f" >/dev/null ||
		fail "migration $f"
done
q "$B" "CREATE TABLE ds_schema_version (version integer NOT NULL);
INSERT INTO ds_schema_version VALUES (17)"
cols="id, report_row, source_ip, count, disposition, dkim, spf, envelope_to,
 envelope_from, header_from, reasons, dkim_auth, spf_auth, extensions"
for t in message report "record ($cols)" sender_seen day_rollup; do
	name=${t%% *}
	sel="SELECT * FROM $name"
	[ "$name" = record ] && sel="SELECT $cols FROM record"
	psql -X -q -d "$A" -c "\\copy ($sel ORDER BY 1) TO '$T/$name.csv' CSV" ||
		fail "export $name"
	psql -X -q -v ON_ERROR_STOP=1 -d "$B" -c "\\copy $t FROM '$T/$name.csv' CSV" ||
		fail "load $name"
done
[ "$(q "$B" "SELECT count(*) FROM pg_partitioned_table")" -eq 0 ] ||
	fail "the 017 store is partitioned already"
"$BIN" prune -n --samples-older-than 1d --db "$B" >/dev/null ||
	fail "opening the 017 store (migration 019)"
[ "$(q "$B" "SELECT max(version) FROM ds_schema_version")" -ge 19 ] ||
	fail "not migrated"
[ "$(q "$B" "SELECT count(*) FROM ds_month_partitions('record')")" -eq "$months" ] ||
	fail "converted store: partitions differ"
[ "$(q "$B" "SELECT count(*) FROM record_default")" -eq 0 ] || fail "converted: default rows"
for s in A B; do
	eval db=\$$s
	for c in "senders --domain example.com --since 2025-11-01 --until 2025-12-01" \
	    "summary --since 2025-09-01 --until 2026-01-01" \
	    "summary --domain example.org --since 2025-10-01 --until 2025-10-15"; do
		# shellcheck disable=SC2086
		"$BIN" $c --format json --db "$db" >>"$T/$s.out" 2>&1 ||
			fail "$c on $s"
	done
done
[ -s "$T/A.out" ] || fail "no output"
diff -u "$T/A.out" "$T/B.out" || fail "the converted store answers differently"
# the identity sequence goes on after the copied ids
"$BIN" ingest --quiet --db "$B" "$T/md" || fail "ingest into the converted store"
echo "ok: a 017 store converted by 019 answers as the partitioned store"

# ---- prune: whole months dropped, the boundary month row by row, the
# same words and counts as SQLite
cut=2025-11-10
before=$(q "$A" "SELECT count(*) FROM ds_month_partitions('record')")
"$BIN" prune --raw-older-than "$cut" --db "$A" >"$T/prune.pg" 2>&1 ||
	fail "prune on PostgreSQL: $(cat "$T/prune.pg")"
"$BIN" prune --raw-older-than "$cut" --db "$T/lite.db" >"$T/prune.lite" 2>&1 ||
	fail "prune on SQLite: $(cat "$T/prune.lite")"
grep -o "[0-9]* raw records of [0-9]* reports" "$T/prune.pg" >"$T/p1"
grep -o "[0-9]* raw records of [0-9]* reports" "$T/prune.lite" >"$T/p2"
[ -s "$T/p1" ] && diff "$T/p1" "$T/p2" ||
	fail "prune answers differ: $(cat "$T/prune.pg") / $(cat "$T/prune.lite")"
after=$(q "$A" "SELECT string_agg(name, ' ') FROM ds_month_partitions('record')")
case $after in
*record_p202509*|*record_p202510*) fail "months before the cut-off kept: $after" ;;
esac
case $after in
*record_p202511*) ;;
*) fail "the boundary month went: $after" ;;
esac
n1=$(q "$A" "SELECT count(*) FROM record")
n2=$(sqlite3 "$T/lite.db" "SELECT count(*) FROM record")
[ "$n1" -eq "$n2" ] || fail "records left: $n1 on PostgreSQL, $n2 on SQLite"
[ "$(q "$A" "SELECT count(*) FROM record AS rec JOIN report AS rep
    ON rep.id = rec.report_row WHERE rep.end_ts < extract(epoch FROM
    timestamp '$cut')")" -eq 0 ] || fail "records of ended reports left"
# (the PostgreSQL store answered senders above, which cached names in
# ip_info; summary names its top failing sources from that cache, so
# both caches are emptied: the records and rollups are compared)
q "$A" "DELETE FROM ip_info" >/dev/null
sqlite3 "$T/lite.db" "DELETE FROM ip_info"
"$BIN" summary --since 2025-09-01 --until 2026-01-01 --format json --db "$A" >"$T/s1" &&
"$BIN" summary --since 2025-09-01 --until 2026-01-01 --format json --db "$T/lite.db" >"$T/s2" &&
	diff -u "$T/s2" "$T/s1" || fail "summary after prune differs"
echo "ok: prune dropped $((before - $(q "$A" "SELECT count(*) FROM ds_month_partitions('record')"))) months whole, $n1 records left on both"
