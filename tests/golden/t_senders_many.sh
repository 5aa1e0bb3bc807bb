#!/bin/sh
# t_senders_many.sh - the streamed reporters (issue 20: senders, summary
# and doctor in bounded memory, rows sorted in TEMP tables and tables
# spooled to disk; weekly holds ten rows per list) give byte for byte the output of the in-memory
# implementation they replaced, over a generated report of 3,000
# records from about a thousand IPs: more rows than a table keeps in
# memory (256), than one lookup chunk (256) and than one PostgreSQL
# fetch, in every grouping, sort, limit, class filter and format.
# The multi-* outputs, over multi-day reports in a store of their own,
# check the bounded reads against the per-day rollups (018's day rule).
# tests/golden/many/SHA256SUMS holds the SHA-256 of each output as
# the in-memory implementation printed it: the first 15 from main at
# 30a7de8 (main at b4e158b, reading the rollups, prints the same), the
# multi-* ones from main at b4e158b; the outputs are too large to keep
# as files. DS_UPDATE_GOLDEN=1 rewrites the sums (only
# ever from a binary whose answers are known good).
# SPDX-License-Identifier: MIT
set -u

fail() {
	echo "t_senders_many: $*" >&2
	exit 1
}

[ -n "${DS_BUILD:-}" ] && [ -n "${DS_SRC:-}" ] || fail "DS_BUILD/DS_SRC unset"
BIN="${DS_BIN:-$DS_BUILD/dmarcsift}"
SUMS="$DS_SRC/tests/golden/many/SHA256SUMS"
T=$(mktemp -d "${TMPDIR:-/tmp}/t_senders_many.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NOW=1768000000 DMARCSIFT_NO_PROGRESS=1 COLUMNS=80
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
DB="${DS_TEST_DB:-$T/d.db}"

"$DS_BUILD/dsgen" xml --records 3000 --seed 5 -o "$T/r.xml" ||
    fail "dsgen failed"
"$BIN" ingest --db "$DB" -q "$T/r.xml" || fail "ingest failed"
mkdir "$T/out"

run() {	# name, arguments...
	name=$1
	shift
	"$BIN" "$@" --db "$DB" >"$T/out/$name" 2>"$T/err" ||
	    fail "$name: exit $? $(cat "$T/err")"
	[ -s "$T/out/$name" ] || fail "$name: no output"
}

run senders senders --offline
run senders.json senders --offline --format json
run senders-rate.csv senders --offline --format csv --sort rate
run senders-classes senders --domain example.com --offline
run senders-fail.json senders --domain example.com --offline \
    --format json --sort fail --limit 50
run senders-unknown senders --domain example.com --offline \
    --class unknown --limit 20
run senders-net senders --offline --group net --sort key
run senders-net.json senders --offline --group net --format json \
    --limit 40 --sort pass
run senders-service.json senders --offline --group service --format json
run senders-domain senders --domain example.com --offline --group domain \
    --limit 5 --sort first
run senders-last senders --offline --failing --sort last --limit 100
run summary summary
run summary.json summary --format json --top 7
run doctor.json doctor example.com --offline --format json
run weekly.html weekly --domain example.com --week 2026-W01 --offline

# multi-day reports (018's day rule spreads a report's records over its
# days): example.com 2026-01-01..04 and example.org 2026-01-03..05, in
# a store of their own, over periods that cut through them
MDB="$T/m.db"
"$DS_BUILD/dsgen" xml --records 1500 --seed 6 -o "$T/m1.xml" &&
    "$DS_BUILD/dsgen" xml --records 800 --seed 9 --domain example.org \
    --org yahoo.com --begin 1767398400 -o "$T/m2.xml" || fail "dsgen failed"
sed 's|<end>[0-9]*</end>|<end>1767571199</end>|' "$T/m1.xml" >"$T/m1d.xml" &&
    sed 's|<end>[0-9]*</end>|<end>1767657599</end>|' "$T/m2.xml" \
    >"$T/m2d.xml" || fail "sed failed"
grep -q '<end>1767571199</end>' "$T/m1d.xml" &&
    grep -q '<end>1767657599</end>' "$T/m2d.xml" || fail "no multi-day end"
"$BIN" ingest --db "$MDB" -q "$T/m1d.xml" "$T/m2d.xml" ||
    fail "multi-day ingest failed"
mrun() {	# name, arguments...: run on the multi-day store
	one=$DB
	DB=$MDB
	run "$@"
	DB=$one
}
mrun multi-senders-day2.json senders --offline --format json \
    --since 2026-01-02 --until 2026-01-03
mrun multi-senders-net senders --offline --group net --sort key \
    --since 2026-01-03
mrun multi-senders-org.json senders --domain example.org --offline \
    --format json --since 2026-01-04 --until 2026-01-06 --sort fail \
    --limit 60
mrun multi-senders-service senders --offline --group service \
    --until 2026-01-02T12:00:00
mrun multi-senders-new senders --offline --new --group net \
    --since 2026-01-03
mrun multi-summary.json summary --format json --since 2026-01-02 \
    --until 2026-01-04
mrun multi-doctor.json doctor example.com --offline --format json \
    --since 2026-01-03

# the rows are many: more than a spooled table keeps in memory
rows=$(grep -c '"source_ip"' "$T/out/senders.json")
[ "$rows" -gt 512 ] || fail "only $rows rows: the test would not spool"

(cd "$T/out" && sha256sum -- *) >"$T/sums"
if [ "${DS_UPDATE_GOLDEN:-}" = 1 ]; then
	cp "$T/sums" "$SUMS"
	exit 0
fi
if ! diff -u "$SUMS" "$T/sums" >&2; then
	for f in $(diff "$SUMS" "$T/sums" | awk '/^>/ { print $3 }'); do
		echo "--- $f (first lines)" >&2
		head -5 "$T/out/$f" >&2
	done
	fail "outputs differ from the in-memory implementation's"
fi
exit 0
