#!/bin/sh
# dmarcsift quarantine: list (id, when, size, source, reason; text fits
# 80 columns; json), show, export (the exact input bytes; refused to a
# terminal-less --out that exists), retry after the cause is fixed (the
# report stored once, the entry gone), a retry that still fails (the
# entry stays, once), drop; bad ids are usage errors.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}" "${DS_BUILD:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
export DMARCSIFT_NO_PROGRESS=1 LC_ALL=C
unset DMARCSIFT_DB XDG_DATA_HOME XDG_CONFIG_HOME
T=$(mktemp -d /tmp/ds-quar.XXXXXX) || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export HOME="$T"
DB=$T/q.db
q() { "$DS_BIN" quarantine "$@" --db "$DB"; }
command -v jq >/dev/null || fail "jq is needed (tools/deps.sh test)"

# two inputs rejected: a big report over a low inflate cap (fixable by
# retrying with the default cap) and a mail with a broken report
"$DS_BUILD/dsgen" xml --records 3000 --gzip -o "$T/big.xml.gz" >/dev/null
"$DS_BUILD/dsgen" demo -o "$T/md" >/dev/null
"$DS_BIN" ingest --quiet --db "$T/scratch.db" "$T/md" 2>/dev/null
bad=$(sqlite3 "$T/scratch.db" "SELECT source FROM quarantine LIMIT 1")
[ -f "$bad" ] || fail "dsgen demo has no broken report any more"
"$DS_BIN" ingest --quiet --db "$DB" --max-inflated 64K "$T/big.xml.gz" "$bad" 2>"$T/ingest.err"
[ $? -eq 1 ] || fail "ingest: want exit 1: $(cat "$T/ingest.err")"

q list >"$T/list" 2>"$T/list.err" || fail "list"
awk 'length($0) > 80 { print "line " NR ": " length($0) " columns"; b = 1 } END { exit b }' "$T/list" ||
	fail "list is wider than 80 columns: $(cat "$T/list")"
grep -q "2 entries in the quarantine" "$T/list.err" || fail "list count: $(cat "$T/list.err")"
q list --format json >"$T/list.json" || fail "list json"
[ "$(jq length "$T/list.json")" -eq 2 ] || fail "json: $(cat "$T/list.json")"
big=$(jq -r '.[] | select(.source | endswith("big.xml.gz")) | .id' "$T/list.json")
mail=$(jq -r '.[] | select(.source | endswith("big.xml.gz") | not) | .id' "$T/list.json")
[ "$(jq -r ".[] | select(.id == $big) | .size" "$T/list.json")" -eq "$(stat -c %s "$T/big.xml.gz")" ] ||
	fail "size of the entry is not the input's"
jq -r ".[] | select(.id == $big) | .reason" "$T/list.json" | grep -q "decompressed size exceeds limit" ||
	fail "reason: $(cat "$T/list.json")"
grep -q "^ *$big  [0-9-]* [0-9:]* *[0-9]*  .*big.xml.gz" "$T/list" || fail "text list: $(cat "$T/list")"
ok "list: id, when, size, source and reason, text within 80 columns and json"

q show "$mail" >"$T/show" || fail "show"
grep -q "^  From: dmarc_support@corp.mail.ru, Subject: 'Report Domain: example.com" "$T/show" ||
	fail "show lacks From/Subject: $(cat "$T/show")"
grep -q "not well-formed XML" "$T/show" || fail "show lacks the reason"
ok "show: one entry with From, Subject and the reason"

q export "$big" >"$T/exp1" || fail "export"
cmp -s "$T/exp1" "$T/big.xml.gz" || fail "export is not the input's bytes"
q export "$mail" --out "$T/exp2" || fail "export --out"
cmp -s "$T/exp2" "$bad" || fail "export --out is not the mail's bytes"
q export "$mail" --out "$T/exp2" 2>/dev/null && fail "export overwrote an existing file"
ok "export: the exact input bytes, to stdout or a new file"

# the cause fixed (the default inflate cap): stored once, entry removed
q retry "$big" >"$T/retry.out" 2>"$T/retry.err" || fail "retry: $(cat "$T/retry.err")"
grep -q "entry $big: stored, removed from the quarantine" "$T/retry.out" || fail "retry said: $(cat "$T/retry.out")"
n=$(sqlite3 "$DB" "SELECT count(*) FROM report WHERE records = 3000")
[ "$n" -eq 1 ] || fail "$n reports of 3000 records after retry, want 1"
n=$(sqlite3 "$DB" "SELECT count(*) FROM record r JOIN report p ON p.id = r.report_row WHERE p.records = 3000")
[ "$n" -eq 3000 ] || fail "$n records stored, want 3000"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine WHERE id = $big")" -eq 0 ] || fail "entry not removed"
# ingesting the same file again now: a duplicate, nothing quarantined
"$DS_BIN" ingest --db "$DB" "$T/big.xml.gz" 2>"$T/again.err" || fail "ingest again: $(cat "$T/again.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM report WHERE records = 3000")" -eq 1 ] || fail "stored twice"
ok "retry after the cause is fixed: stored once, removed from the quarantine"

# a retry that still fails keeps one entry with the reason
q retry >"$T/retry2.out" 2>"$T/retry2.err"
[ $? -eq 1 ] || fail "retry of a still-broken report: want exit 1: $(cat "$T/retry2.err")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine")" -eq 1 ] || fail "entries after a failed retry"
grep -q "rejected: .*not well-formed XML" "$T/retry2.err" || fail "retry2: $(cat "$T/retry2.err")"
ok "retry that still fails: one line, the entry stays once, exit 1"

q show 999 2>"$T/e" >/dev/null; rc=$?
[ $rc -eq 2 ] && grep -q "no quarantine entry 999" "$T/e" || fail "show 999: exit $rc $(cat "$T/e")"
q drop x1 2>/dev/null; [ $? -eq 2 ] || fail "drop x1 is not a usage error"
left=$(sqlite3 "$DB" "SELECT id FROM quarantine")
q drop "$left" >/dev/null || fail "drop"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine")" -eq 0 ] || fail "drop left the entry"
q list 2>"$T/e" >/dev/null; grep -q "0 entries" "$T/e" || fail "list after drop"
ok "drop; bad ids are usage errors naming what is wrong"
