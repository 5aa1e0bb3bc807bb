#!/bin/sh
# t_senders_many.sh - the streamed reporters (issue 20: senders, summary
# and doctor in bounded memory, rows sorted in TEMP tables and tables
# spooled to disk; weekly holds ten rows per list) give byte for byte the output of the in-memory
# implementation they replaced, over a generated report of 3,000
# records from about a thousand IPs: more rows than a table keeps in
# memory (256), than one lookup chunk (256) and than one PostgreSQL
# fetch, in every grouping, sort, limit, class filter and format.
# tests/golden/many/SHA256SUMS holds the SHA-256 of each output as
# main at 30a7de8 (arrays in memory) printed it; the outputs are too
# large to keep as files. DS_UPDATE_GOLDEN=1 rewrites the sums (only
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
