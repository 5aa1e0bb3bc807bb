#!/bin/sh
# t_perip.sh - the per-IP rollups of migration 018 on a real PostgreSQL
# 15 server: what ingest writes into day_ip and day_auth equals what
# the migration's backfill (sql-pg/018-perip.sql) builds from the same
# records; senders, summary and doctor --offline answer byte for byte
# as on SQLite, before and after prune --raw-older-than removed every
# record.
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
fail() { echo "FAIL: $*" >&2; exit 1; }
export XDG_CONFIG_HOME=$T/none DMARCSIFT_NOW=1767657600

"$DS_BUILD/dsgen" maildir --messages 80 --seed 11 -o "$T/md" >/dev/null ||
	fail dsgen
for db in "$URI" "$T/lite.db"; do
	"$BIN" ingest --quiet --db "$db" "$T/md" 2>/dev/null ||
	    [ $? = 1 ] || fail "ingest into $db"
done
dump() {
	psql -X -At -v ON_ERROR_STOP=1 -d "$URI" -c "SELECT string_agg(x,
	    ';' ORDER BY x) FROM (SELECT concat_ws('|', report_row, day,
	    source_ip, dkim, spf, fwd, spf_fail, own_dkim, records, messages)
	    AS x FROM day_ip UNION ALL SELECT concat_ws('|', report_row, day,
	    source_ip, kind, auth_domain, selector, result, spf_pass, messages)
	    FROM day_auth) AS t"
}
answers() {
	for f in text json; do
		"$BIN" summary --db "$1" --format $f
		for g in ip net service; do
			"$BIN" senders --db "$1" --offline --format $f --group $g
		done
		"$BIN" senders --db "$1" --offline --format $f --new \
		    --since 2026-01-03
		"$BIN" doctor --db "$1" --offline --format $f example.com ||
		    [ $? -le 2 ]
	done 2>&1
}
ingested=$(dump)
[ "$(printf %s "$ingested" | wc -c)" -gt 10000 ] || fail "few rollup rows"
answers "$URI" >"$T/pg.out"
answers "$T/lite.db" >"$T/lite.out"
cmp -s "$T/pg.out" "$T/lite.out" ||
	{ diff "$T/lite.out" "$T/pg.out" | head; fail "PostgreSQL differs"; }

# the backfill of 018 gives the rows ingest wrote
# (019, applied after it, made record partitioned: that is not undone;
# 018's own text is run again on the tables it reads)
psql -X -q -v ON_ERROR_STOP=1 -d "$URI" -c "DROP TABLE day_ip;
    DROP TABLE day_auth;" || fail "dropping 018's tables"
psql -X -q -v ON_ERROR_STOP=1 -d "$URI" \
    -f "$DS_SRC/schema/store/sql-pg/018-perip.sql" >/dev/null ||
	fail "migrating"
[ "$(dump)" = "$ingested" ] || fail "018's backfill differs from ingest"

# every record pruned: the same answers, no note
"$BIN" prune --quiet --raw-older-than 2027-01-01 --db "$URI" ||
	fail prune
[ "$(psql -X -At -d "$URI" -c 'SELECT count(*) FROM record')" = 0 ] ||
	fail "records left"
answers "$URI" >"$T/pruned.out"
cmp -s "$T/pg.out" "$T/pruned.out" ||
	{ diff "$T/pg.out" "$T/pruned.out" | head; fail "answers changed"; }
echo "ok: 018 on PostgreSQL: backfill = ingest, answers as SQLite, kept by prune"
