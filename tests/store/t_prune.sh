#!/bin/sh
# dmarcsift prune (issue 20): failure samples and quarantined bytes past
# their age go, the failure reports' fields, the quarantine reasons, the
# aggregate reports and every reporter answer stay, the file shrinks;
# --dry-run changes nothing; bad ages are usage errors naming the option.
# SPDX-License-Identifier: MIT
set -eu
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
F=$DS_SRC/tests/fixtures
DB=$T/dmarc.db
ds() { "$DS_BIN" "$@" --db "$DB"; }
q() { sqlite3 "$DB" "$1"; }

# 3 MB of junk that is quarantined, so the file has something to give back
head -c 3000000 /dev/urandom | base64 > "$T/junk.xml"
ds ingest --offline --quiet "$F/failure/every-field.eml" \
    "$F/failure/headers-only.eml" "$F/aggregate/legacy.xml" \
    "$F/aggregate/rfc9990.xml" "$F/aggregate/xxe.xml" "$T/junk.xml" \
    2>/dev/null || [ $? = 1 ] || fail "ingest"
[ "$(q 'SELECT count(*) FROM failure_sample')" = 2 ] || fail "2 samples"
[ "$(q 'SELECT count(*) FROM quarantine')" -ge 2 ] || fail "quarantine"
nq=$(q 'SELECT count(*) FROM quarantine')
qsize=$(q 'SELECT sum(size) FROM quarantine')
answers() {
	for c in reports summary senders reporters; do
		ds $c --offline --format json 2>/dev/null ||
		    ds $c --format json
	done
	ds failures --format json
}
answers > "$T/before.json"
size() { stat -c %s "$DB"; }
before=$(size)

# bad ages
ds prune --samples-older-than soon 2>"$T/err" && fail "bad age accepted"
grep -q -- "--samples-older-than" "$T/err" || fail "error: $(cat "$T/err")"
ds prune 2>/dev/null && fail "prune without options ran"

# dry run: counts, changes nothing (no configuration file: options only)
export XDG_CONFIG_HOME=$T/none
ds prune --samples-older-than 2026-11-03 --quarantine-older-than \
    2099-01-01 --dry-run 2>"$T/out" || fail "dry run"
grep -q "would delete 1 failure samples" "$T/out" || fail "$(cat "$T/out")"
[ "$(q 'SELECT count(*) FROM failure_sample')" = 2 ] || fail "dry run deleted"
[ "$(q 'SELECT sum(length(raw)) FROM quarantine')" -gt 3000000 ] ||
	fail "dry run emptied the quarantine"

# samples of failure reports before Nov 3 (every-field: Nov 2) go, the
# age from [retention] of the configuration file
printf '[retention]\nsamples-older-than = 10d   # ten days\n' >"$T/config"
printf '[retention]\nsample-older-than = 10d\n' >"$T/typo"
ds prune --config "$T/typo" 2>"$T/err" && fail "unknown key accepted"
grep -q "sample-older-than" "$T/err" || fail "error: $(cat "$T/err")"
DMARCSIFT_NOW=$(date -u -d 2026-11-13 +%s) ds prune --config "$T/config" \
    2>"$T/out" || fail "prune: $(cat "$T/out")"
grep -q "deleted 1 failure samples" "$T/out" || fail "$(cat "$T/out")"
[ "$(q 'SELECT count(*) FROM failure_sample')" = 1 ] || fail "samples left"
[ "$(q 'SELECT count(*) FROM failure_report')" = 2 ] || fail "reports gone"
id=$(q "SELECT id FROM failure_report WHERE id NOT IN
    (SELECT report_row FROM failure_sample)")
ds failures show "$id" > "$T/show" || fail "failures show $id after prune"
grep -q "deleted: past the retention age" "$T/show" ||
	fail "show after prune: $(tail -3 "$T/show")"

# quarantined bytes go, the rows with their reasons and sizes stay
ds prune --quarantine-older-than 2099-01-01 --quiet 2>"$T/out" ||
	fail "prune quarantine"
[ -s "$T/out" ] && fail "--quiet printed: $(cat "$T/out")"
[ "$(q 'SELECT count(*) FROM quarantine')" = "$nq" ] || fail "rows gone"
[ "$(q 'SELECT sum(size) FROM quarantine')" = "$qsize" ] || fail "sizes"
[ "$(q 'SELECT sum(length(raw)) FROM quarantine')" = 0 ] || fail "bytes left"
after=$(size)
# the file (SQLite only: tests/pg reruns this test on PostgreSQL, whose
# server reclaims the space itself)
if [ -z "${DS_PG_BASE:-}" ]; then
	[ "$(q 'PRAGMA auto_vacuum')" = 2 ] || fail "not incremental"
	[ "$after" -lt $((before - 2000000)) ] ||
		fail "file $before -> $after bytes"
	[ "$(q 'PRAGMA integrity_check')" = ok ] || fail "integrity"
fi

# every answer but the failure samples is unchanged
answers > "$T/after.json"
cmp -s "$T/before.json" "$T/after.json" || {
	diff "$T/before.json" "$T/after.json" | head -20
	fail "answers changed"
}
# a second prune (incremental vacuum now) works and deletes nothing more
ds prune --samples-older-than 2026-11-03 --quarantine-older-than \
    2099-01-01 2>"$T/out" || fail "second prune"
grep -q "deleted 0 failure samples (0 bytes), 0 quarantined" "$T/out" ||
	fail "$(cat "$T/out")"
echo "ok: file $before -> $after bytes"
