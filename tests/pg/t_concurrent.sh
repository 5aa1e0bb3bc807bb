#!/bin/sh
# t_concurrent.sh - the guarantees of THREATS #18/#19 on a real
# PostgreSQL 15 server (pgserver.sh):
#  1. four processes ingest overlapping inputs into one store at once:
#     every report is stored exactly once, the same reports as one
#     SQLite run of the same inputs (reports --format csv, byte for byte);
#  2. a writer killed with SIGKILL in the middle: the rerun completes,
#     nothing twice, nothing lost;
#  3. the server stopped under a running ingest: exit 75 (temporary),
#     after a restart the rerun completes with the same reports;
#  4. migrate-store of the result back into SQLite, killed half way and
#     rerun: the same reports, the counts checked.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BUILD:?}"
BIN=${DS_BIN:-$DS_BUILD/dmarcsift}
GEN=$DS_BUILD/dsgen
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
BASE=${URI%/*}
fail() {
	echo "FAIL: $*" >&2
	exit 1
}
newdb() {
	sh "$DS_SRC/tests/pg/pgserver.sh" createdb "$T/pg" "$1" >/dev/null ||
		fail "createdb $1"
}
export DMARCSIFT_NOW=1767225600
# the reports, sorted: concurrent writers store them in another order
# (reports lists ties of the same dates in insertion order)
csv() {
	"$BIN" reports --db "$1" --since 2000-01-01 --until 2040-01-01 \
		--format csv >"$2.raw" || fail "reports on $1"
	LC_ALL=C sort "$2.raw" >"$2"
}
count() {
	psql -X -At -d "$1" -c "SELECT count(*) FROM $2"
}

"$GEN" maildir --messages 400 --seed 11 -o "$T/md" >/dev/null 2>&1 ||
	fail "dsgen"
"$BIN" ingest -q --db "$T/ref.db" "$T/md"
[ $? -le 1 ] || fail "SQLite reference ingest"
csv "$T/ref.db" "$T/ref.csv"
[ "$(wc -l <"$T/ref.csv")" -gt 100 ] || fail "too few reference reports"

# 1. four writers, overlapping: halves, and the whole twice
mkdir -p "$T/a/cur" "$T/b/cur" "$T/a/new" "$T/b/new" "$T/a/tmp" "$T/b/tmp"
n=0
for f in "$T"/md/cur/* "$T"/md/new/*; do
	[ -f "$f" ] || continue
	n=$((n + 1))
	if [ $((n % 2)) -eq 0 ]; then cp "$f" "$T/a/cur/"; else cp "$f" "$T/b/cur/"; fi
done
newdb c1
U=$BASE/c1
"$BIN" ingest -q --db "$U" "$T/a" 2>"$T/w1" & p1=$!
"$BIN" ingest -q --db "$U" "$T/md" 2>"$T/w2" & p2=$!
"$BIN" ingest -q --db "$U" "$T/b" 2>"$T/w3" & p3=$!
"$BIN" ingest -q --db "$U" "$T/md" 2>"$T/w4" & p4=$!
for p in $p1 $p2 $p3 $p4; do
	wait $p
	[ $? -le 1 ] || { cat "$T"/w? >&2; fail "a concurrent writer failed"; }
done
csv "$U" "$T/c1.csv"
cmp -s "$T/ref.csv" "$T/c1.csv" || {
	diff "$T/ref.csv" "$T/c1.csv" | head >&2
	fail "4 writers: other reports than one SQLite run"
}
dup=$(psql -X -At -d "$U" -c "SELECT count(*) FROM (SELECT org_name,
	report_id, lower(domain) FROM report GROUP BY 1, 2, 3, begin_ts, end_ts
	HAVING count(*) > 1) AS d")
[ "$dup" = 0 ] || fail "$dup reports stored twice"
[ "$(count "$U" record)" = "$(sqlite3 "$T/ref.db" 'SELECT count(*) FROM record')" ] ||
	fail "record counts differ"
echo "ok: 4 concurrent writers, $(wc -l <"$T/c1.csv") report lines alike"

# 2. SIGKILL of a writer in the middle, then the rerun
newdb c2
U=$BASE/c2
"$BIN" ingest -q --db "$U" "$T/md" 2>/dev/null & p=$!
i=0
while [ "$(count "$U" report 2>/dev/null || echo 0)" -lt 20 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill -9 $p 2>/dev/null
wait $p
killed=$?
before=$(count "$U" report)
"$BIN" ingest -q --db "$U" "$T/md"
[ $? -le 1 ] || fail "rerun after SIGKILL"
csv "$U" "$T/c2.csv"
cmp -s "$T/ref.csv" "$T/c2.csv" || fail "after SIGKILL: other reports"
echo "ok: writer killed (status $killed) with $before reports stored, rerun alike"

# 3. the server stops under a running ingest: exit 75, nothing lost
newdb c3
U=$BASE/c3
"$BIN" ingest -q --db "$U" "$T/md" 2>"$T/stop.err" & p=$!
i=0
while [ "$(count "$U" report 2>/dev/null || echo 0)" -lt 20 ] && [ $i -lt 200 ]; do
	sleep 0.05
	i=$((i + 1))
done
sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"
wait $p
st=$?
if [ $st -ne 75 ]; then
	cat "$T/stop.err" >&2
	fail "ingest exits $st when the server stops, not 75"
fi
sh "$DS_SRC/tests/pg/pgserver.sh" restart "$T/pg" || fail "restart"
"$BIN" ingest -q --db "$U" "$T/md"
[ $? -le 1 ] || fail "rerun after the server stopped"
csv "$U" "$T/c3.csv"
cmp -s "$T/ref.csv" "$T/c3.csv" || fail "after the server stopped: other reports"
echo "ok: server stopped mid-run: exit 75 ($(grep -c . "$T/stop.err") error lines), rerun alike"

# 4. migrate-store back into SQLite, interrupted, then completed
"$BIN" migrate-store -q --from "$BASE/c1" --to "$T/back.db" & p=$!
sleep 0.2
kill -9 $p 2>/dev/null
wait $p
"$BIN" migrate-store --from "$BASE/c1" --to "$T/back.db" >"$T/mig.out" ||
	{ cat "$T/mig.out" >&2; fail "migrate-store rerun"; }
grep -q '^counts match' "$T/mig.out" || fail "migrate-store: no count check"
csv "$T/back.db" "$T/back.csv"
cmp -s "$T/ref.csv" "$T/back.csv" || fail "migrate-store: other reports"
echo "ok: migrate-store interrupted and rerun: $(tail -1 "$T/mig.out")"
