#!/bin/sh
# Corpus conformance: every report of ../shared/corpus stored with the
# keys, record counts and message totals its XML holds (computed here
# independently with xmllint), every invalid file rejected and
# quarantined without costing a good report, and a second ingest of the
# whole corpus changes nothing. Fails (never skips) without the corpus.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_CORPUS:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$DS_CORPUS/aggregate/valid" ] || fail "corpus missing at $DS_CORPUS"
for t in xmllint jq unzip sqlite3; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
DB=$T/c.db
ds() { "$DS_BIN" "$@" --db "$DB"; }

# 1. all valid reports and the report emails, in one run: exit 0
ds ingest -q "$DS_CORPUS/aggregate/valid" "$DS_CORPUS/email" 2>"$T/err" ||
	{ cat "$T/err"; fail "ingest of valid corpus exited $?"; }
ds reports --format json >"$T/r1.json" || fail "reports"
jq -e 'length > 0' "$T/r1.json" >/dev/null || fail "no reports stored"

# 2. independent expectations: one line "report_id|domain|begin|records|messages"
xp() { xmllint --xpath "$1" "$2" 2>/dev/null; }
expect_xml() {
	f=$1
	org=$(xp 'normalize-space(//*[local-name()="report_metadata"]/*[local-name()="org_name"])' "$f")
	id=$(xp 'normalize-space(//*[local-name()="report_id"])' "$f")
	dom=$(xp 'normalize-space(//*[local-name()="policy_published"]/*[local-name()="domain"])' "$f")
	beg=$(xp 'normalize-space(//*[local-name()="date_range"]/*[local-name()="begin"])' "$f")
	beg=${beg%%.*}
	n=$(xp 'count(//*[local-name()="record"])' "$f")
	m=$(xp 'sum(//*[local-name()="record"]//*[local-name()="count"][normalize-space(.)!=""])' "$f")
	echo "$id|$dom|$beg|$org|$n|$m"
}
: >"$T/expect"
for f in "$DS_CORPUS"/aggregate/valid/*; do
	case "$f" in
	*.zip)	mkdir -p "$T/z" && rm -rf "$T/z"/* && unzip -qq -o "$f" -d "$T/z" 2>/dev/null
		find "$T/z" -type f ! -path '*__MACOSX*' ! -name '._*' | while read -r x; do
			case "$x" in *.gz) gzip -dc "$x" >"$x.xml"; x=$x.xml;; esac
			expect_xml "$x"; done >>"$T/expect";;
	*.gz)	gzip -dc "$f" >"$T/x.xml"; expect_xml "$T/x.xml" >>"$T/expect";;
	*)	expect_xml "$f" >>"$T/expect";;
	esac
done
sort -u "$T/expect" -o "$T/expect"
nexp=$(wc -l <"$T/expect")
[ "$nexp" -gt 30 ] || fail "only $nexp expectations computed"
# a key can come with two contents (test.xml and test_empty.xml share
# one): the report is stored once, as either of them
awk -F'|' '{k=$1"|"$2"|"$3"|"$4; a[k]=a[k] " " $5"|"$6} END {for (k in a) print k "|" a[k]}' \
    "$T/expect" >"$T/keys"
nexp=$(wc -l <"$T/keys")
while IFS='|' read -r id dom beg org alts; do
	got=$(jq -r --arg id "$id" --arg d "$dom" --argjson b "$beg" --arg o "$org" \
	    '[.[] | select(.report_id==$id and .domain==$d and .begin==$b and ($o=="" or .org_name==$o))] |
	     if length==1 then "\(.[0].records)|\(.[0].messages)" else "count=\(length)" end' "$T/r1.json")
	case " $alts " in
	*" $got "*) ;;
	*) fail "report $id ($dom, $beg): expected one of:$alts, got $got";;
	esac
done <"$T/keys"
echo "corpus: $nexp distinct aggregate reports expected and found"

# 3. the report emails hold at least one report each
for e in "$DS_CORPUS"/email/*.eml; do
	c=$(sqlite3 "$DB" "select count(*) from report r join message m on m.id = r.message_row where m.source = '$(printf %s "$e" | sed "s/'/''/g")'")
	[ "$c" -ge 1 ] || fail "no report stored from $e"
done

# 4. invalid files: each rejected (exit 1, a reason naming it), quarantined
before=$(jq length "$T/r1.json")
for f in "$DS_CORPUS"/aggregate/invalid/*; do
	q0=$(sqlite3 "$DB" 'select count(*) from quarantine')
	ds ingest "$f" 2>"$T/err"; rc=$?
	[ $rc -eq 1 ] || { cat "$T/err"; fail "$f: exit $rc, expected 1"; }
	grep -q "rejected" "$T/err" || fail "$f: no reason printed"
	[ "$(wc -l <"$T/err")" -ge 1 ] || fail "$f: silent"
	q1=$(sqlite3 "$DB" 'select count(*) from quarantine')
	[ "$q1" -gt "$q0" ] || fail "$f: not quarantined"
done
after=$(ds reports --format json | jq length)
[ "$after" = "$before" ] || fail "invalid inputs changed the report count ($before -> $after)"

# 5. invalid and valid mixed in one run: the good ones still stored
DB2=$T/mix.db
"$DS_BIN" ingest -q --db "$DB2" "$DS_CORPUS/aggregate/invalid" "$DS_CORPUS/aggregate/valid/report-valid.xml" 2>/dev/null
rc=$?; [ $rc -eq 1 ] || fail "mixed run exited $rc, expected 1"
[ "$("$DS_BIN" reports --db "$DB2" --format json | jq length)" -eq 1 ] || fail "good report lost in a mixed run"

# 6. the whole corpus again: nothing changes
snap() { sqlite3 "$DB" 'select count(*) from report; select count(*) from record; select total(messages) from report;'; }
s1=$(snap)
ds ingest -q "$DS_CORPUS" 2>/dev/null
s2=$(snap)
[ "$s1" = "$s2" ] || fail "second ingest changed the database: $s1 vs $s2"
ds reports --format json >"$T/r2.json"
cmp -s "$T/r1.json" "$T/r2.json" || fail "reports output changed after re-ingest"
echo "corpus: $before reports, re-ingest unchanged; $(ls "$DS_CORPUS"/aggregate/invalid | wc -l) invalid files rejected"
echo "1 passed, 0 failed"
