#!/bin/sh
# dmarcsift prune --raw-older-than (issue 20): the raw records of
# reports that ended before the cut-off go; reports, totals and the
# rollups stay, so summary's totals and policies (whole history, single
# days, one domain), reports, reporters, and everything of later
# periods (summary, senders, senders --new) answer exactly as before;
# what is built from records (senders, doctor, summary's classes and
# top failing sources) over a pruned period says so on stderr;
# --dry-run changes nothing; [retention] raw-older-than works; the
# file shrinks.
# SPDX-License-Identifier: MIT
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
DB=$T/dmarc.db
ds() { "$DS_BIN" "$@" --db "$DB"; }
q() { sqlite3 "$DB" "$1"; }
export XDG_CONFIG_HOME=$T/none

# 600 report mails, 2026-01-01 .. 2026-02-08, three domains
"$DS_BUILD/dsgen" maildir --messages 600 --seed 7 -o "$T/md" >/dev/null ||
	fail dsgen
ds ingest --quiet "$T/md" 2>/dev/null || [ $? = 1 ] || fail ingest
dom=$(q "SELECT lower(domain) FROM report GROUP BY 1 ORDER BY count(*) DESC
    LIMIT 1")
# summary's JSON without what is built from per-IP records
totals() {
	python3 -c 'import json, sys
for d in json.load(sys.stdin):
    d.pop("classes", None); d.pop("top_failing", None)
    print(json.dumps(d, sort_keys=True))'
}
answers() {
	ds summary --quiet --format json | totals
	ds summary --quiet --format json --domain "$dom" | totals
	for d in 2026-01-03 2026-01-10 2026-01-19 2026-01-20 2026-01-31; do
		ds summary --quiet --format json --since "$d" \
		    --until "$d"T23:59:59 | totals
	done
	ds summary --quiet --format json --since 2026-01-05 \
	    --until 2026-01-25 | totals
	ds summary --format json --since 2026-01-21
	ds summary --format json --since 2026-01-31 --until 2026-02-01
	ds reports --format json
	ds reporters --format json
	ds senders --offline --format json --since 2026-01-25
	ds senders --offline --new --format json --domain "$dom" \
	    --since 2026-01-28
}
answers > "$T/before.json"
recs=$(q "SELECT count(*) FROM record")
old=$(q "SELECT count(*) FROM record WHERE report_row IN
    (SELECT id FROM report WHERE end_ts < $(date -u -d 2026-01-20 +%s))")
[ "$old" -gt 1000 ] || fail "only $old records before the cut-off"
[ "$old" -lt "$recs" ] || fail "every record is before the cut-off"

# dry run: counts, changes nothing
ds prune --raw-older-than 2026-01-20 --dry-run 2>"$T/out" || fail "dry run"
grep -q "would delete .* $old raw records of" "$T/out" ||
	fail "dry run said: $(cat "$T/out")"
[ "$(q 'SELECT count(*) FROM record')" = "$recs" ] || fail "dry run deleted"
before=$(stat -c %s "$DB")

# the cut-off from [retention] raw-older-than, an age
printf '[retention]\nraw-older-than = 30d\n' >"$T/config"
DMARCSIFT_NOW=$(date -u -d 2026-02-19 +%s) ds prune --config "$T/config" \
    2>"$T/out" || fail "prune: $(cat "$T/out")"
grep -q "deleted .* $old raw records of" "$T/out" ||
	fail "prune said: $(cat "$T/out")"
[ "$(q 'SELECT count(*) FROM record')" = $((recs - old)) ] ||
	fail "records left: $(q 'SELECT count(*) FROM record')"
[ "$(q "SELECT count(*) FROM report")" -gt 500 ] || fail "reports went"
after=$(stat -c %s "$DB")
# the file (SQLite only: tests/pg reruns this test on PostgreSQL, whose
# server reclaims the space itself)
if [ -z "${DS_PG_BASE:-}" ]; then
	[ "$after" -lt "$before" ] ||
		fail "file did not shrink ($before -> $after)"
	[ "$(q 'PRAGMA integrity_check')" = ok ] || fail integrity_check
fi

answers > "$T/after.json"
cmp -s "$T/before.json" "$T/after.json" ||
	{ diff "$T/before.json" "$T/after.json" | head -20; fail "answers changed"; }

# what needs records says they are gone, and only then
ds senders --offline --since 2026-01-10 >/dev/null 2>"$T/err" ||
	fail "senders over a pruned period"
grep -q "ended before 2026-01-20 00:00 UTC were pruned" "$T/err" ||
	fail "no note: $(cat "$T/err")"
ds senders --offline --since 2026-01-25 >/dev/null 2>"$T/err" || fail senders
[ ! -s "$T/err" ] || fail "note for a period that was not pruned"
ds senders --offline --quiet --since 2026-01-10 >/dev/null 2>"$T/err" ||
	fail "senders --quiet"
[ ! -s "$T/err" ] || fail "--quiet printed: $(cat "$T/err")"
DMARCSIFT_NOW=$(date -u -d 2026-02-08 +%s) ds doctor --offline "$dom" \
    >/dev/null 2>"$T/err" || [ $? -le 2 ] || fail doctor
grep -q "were pruned" "$T/err" || fail "doctor: no note: $(cat "$T/err")"
ds summary >/dev/null 2>"$T/err" || fail summary
grep -q "were pruned" "$T/err" || fail "summary: no note: $(cat "$T/err")"

# a later, earlier cut-off never moves the mark back
ds prune --raw-older-than 2026-01-05 2>/dev/null || fail "prune again"
[ "$(q "SELECT before_ts FROM retention WHERE what = 'raw'")" = \
    "$(date -u -d 2026-01-20 +%s)" ] || fail "cut-off moved back"
echo "ok: $old of $recs records pruned, $before -> $after bytes, answers same"
