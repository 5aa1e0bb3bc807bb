#!/bin/sh
# t_conflict.sh - issue 13: conflicting duplicates, end to end through
# ingest -> reports --conflicts (text, JSON, CSV) -> summary. A report
# that comes again with its stored identity (org_name, report_id,
# domain, begin, end) but other content (an extra record of 999
# messages) is kept as a conflicting version with its input, warned
# about in the run summary (even with --quiet), and not counted: the
# first stored version counts. The same conflicting bytes again, or the
# same content in another wrapper (gzip, records reordered), are plain
# duplicates.
# SPDX-License-Identifier: MIT
set -u

fail() {
	echo "t_conflict: $*" >&2
	exit 1
}

[ -n "${DS_BUILD:-}" ] || fail "DS_BUILD is not set"
BIN="${DS_BIN:-$DS_BUILD/dmarcsift}"
command -v jq >/dev/null 2>&1 || { echo "t_conflict: no jq" >&2; exit 77; }
command -v sqlite3 >/dev/null 2>&1 || { echo "t_conflict: no sqlite3" >&2; exit 77; }

T=$(mktemp -d "${TMPDIR:-/tmp}/t_conflict.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NO_PROGRESS=1
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
export DMARCSIFT_DB="$T/d.db"

# rec IP COUNT: one record
rec() {
	cat <<XML
<record><row><source_ip>$1</source_ip><count>$2</count>
<policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf>
</policy_evaluated></row><identifiers><header_from>example.com</header_from>
</identifiers><auth_results><spf><domain>example.com</domain><result>fail</result>
</spf></auth_results></record>
XML
}
# rep FILE RECORDS...: the report "r-1" of Rep for example.com
rep() {
	f=$1
	shift
	{
		cat <<XML
<?xml version="1.0" encoding="UTF-8"?>
<feedback><report_metadata><org_name>Rep</org_name><email>r@rep.test</email>
<report_id>r-1</report_id><date_range><begin>1764547200</begin><end>1764633599</end></date_range>
</report_metadata><policy_published><domain>example.com</domain><p>none</p>
</policy_published>
XML
		echo "$@"
		echo "</feedback>"
	} >"$f"
}

A1=$(rec 192.0.2.1 10)
A2=$(rec 192.0.2.2 5)
X=$(rec 198.51.100.7 999)
rep "$T/a.xml" "$A1" "$A2"
rep "$T/b.xml" "$A1" "$A2" "$X"		# the conflicting version
rep "$T/b2.xml" "$X" "$A2" "$A1"	# its content, rows reordered
rep "$T/c.xml" "$A1"			# a third version
rep "$T/a2.xml" "$A2" "$A1"		# the counted content again
gzip -c "$T/a.xml" >"$T/a.xml.gz"

"$BIN" ingest "$T/a.xml" 2>"$T/e0" || fail "first ingest: $(cat "$T/e0")"
"$BIN" ingest "$T/b.xml" 2>"$T/e1"; rc=$?
[ $rc -eq 0 ] || fail "conflicting version: exit $rc: $(cat "$T/e1")"
grep -q "1 conflicting version (kept" "$T/e1" || fail "no count in the summary: $(cat "$T/e1")"
grep -q "warning: conflicting version of report 'r-1' from 'Rep' for 'example.com': stored 2 records, 15 messages; this one 3 records, 1014 messages" "$T/e1" ||
	fail "no warning line naming reporter, id, domain and counts: $(cat "$T/e1")"

# counted: the first stored version only
m=$("$BIN" summary --format json | jq '.[0].messages')
[ "$m" = 15 ] || fail "summary counts $m messages, want 15 (first stored)"
n=$("$BIN" reports --format json | jq 'length')
[ "$n" = 1 ] || fail "reports lists $n reports, want 1"

# reports --conflicts: text, JSON, CSV
"$BIN" reports --conflicts >"$T/txt" || fail "reports --conflicts"
grep -q "^2025-12-01 *Rep *example.com *15 *1014 *r-1" "$T/txt" ||
	fail "text: $(cat "$T/txt")"
"$BIN" reports --conflicts --format json >"$T/j" || fail "json"
[ "$(jq 'length' "$T/j")" = 1 ] || fail "json: $(cat "$T/j")"
[ "$(jq -r '.[0] | "\(.org_name) \(.report_id) \(.domain) \(.records) \(.messages) \(.version_records) \(.version_messages)"' "$T/j")" = "Rep r-1 example.com 2 15 3 1014" ] ||
	fail "json fields: $(cat "$T/j")"
size=$(wc -c <"$T/b.xml" | tr -d ' ')
[ "$(jq '.[0].version_input_bytes' "$T/j")" = "$size" ] || fail "input not kept whole: $(cat "$T/j")"
[ "$(jq -r '.[0].version_source' "$T/j")" = "$T/b.xml" ] || fail "source: $(cat "$T/j")"
h1=$(jq -r '.[0].content_hash' "$T/j")
h2=$(jq -r '.[0].version_hash' "$T/j")
[ ${#h1} -eq 64 ] && [ ${#h2} -eq 64 ] && [ "$h1" != "$h2" ] || fail "hashes: $h1 $h2"
"$BIN" reports --conflicts --format csv >"$T/csv" || fail "csv"
[ "$(wc -l <"$T/csv")" -eq 2 ] || fail "csv rows: $(cat "$T/csv")"
grep -q '^begin,begin_iso,org_name,domain,records,messages,version_records,version_messages,report_id' "$T/csv" ||
	fail "csv header: $(head -1 "$T/csv")"
tr -d '\r' <"$T/csv" | tail -1 | grep -q '^1764547200,2025-12-01T00:00:00Z,Rep,example.com,2,15,3,1014,r-1,' ||
	fail "csv row: $(cat "$T/csv")"
[ "$("$BIN" reports --conflicts --domain other.test)" = "(no conflicting versions)" ] ||
	fail "--domain filter"

# the raw input is kept as received
if [ -n "${DS_PG_BASE:-}" ]; then	# tests/pg's rerun: bytea
	sqlite3 "$DMARCSIFT_DB" "SELECT upper(encode(raw, 'hex')) FROM report_conflict" >"$T/hex"
else
	sqlite3 "$DMARCSIFT_DB" "SELECT hex(raw) FROM report_conflict" >"$T/hex"
fi
[ "$(cat "$T/hex")" = "$(od -An -tx1 -v "$T/b.xml" | tr -d ' \n' | tr a-f A-F)" ] ||
	fail "stored input differs from b.xml"

# exactly once: the same bytes, the same content reordered, the counted
# content in gzip or reordered: plain duplicates
for f in b.xml b2.xml a.xml.gz a2.xml; do
	"$BIN" ingest -q "$T/$f" 2>"$T/e2" || fail "$f: $(cat "$T/e2")"
	[ ! -s "$T/e2" ] || fail "$f: said something under --quiet: $(cat "$T/e2")"
	"$BIN" ingest "$T/$f" 2>"$T/e2"
	grep -q "1 duplicate," "$T/e2" || fail "$f: not a duplicate: $(cat "$T/e2")"
done
[ "$("$BIN" reports --conflicts --format json | jq length)" = 1 ] ||
	fail "a duplicate of a version was kept again"

# a third version: kept too, warned even with --quiet; still counted once
"$BIN" ingest -q "$T/c.xml" 2>"$T/e3" || fail "c.xml"
grep -q "warning: conflicting version of report 'r-1'.*this one 1 records, 10 messages" "$T/e3" ||
	fail "--quiet hid the conflict: $(cat "$T/e3")"
[ "$("$BIN" reports --conflicts --format json | jq length)" = 2 ] || fail "third version"
[ "$("$BIN" summary --format json | jq '.[0].messages')" = 15 ] || fail "counted twice"

# a report stored before 017 has no hash: compared by its totals
sqlite3 "$DMARCSIFT_DB" "UPDATE report SET content_hash = NULL"
"$BIN" ingest "$T/a2.xml" 2>"$T/e4"
grep -q "0 reports stored .* 0 failure reports, 1 duplicate," "$T/e4" ||
	fail "legacy row, same totals: $(cat "$T/e4")"
rep "$T/d.xml" "$A1" "$(rec 192.0.2.3 5)"
"$BIN" ingest "$T/d.xml" 2>"$T/e5"
grep -q "1 duplicate," "$T/e5" || fail "legacy row, same totals, other IP: $(cat "$T/e5")"
rep "$T/e.xml" "$A1" "$(rec 192.0.2.2 6)"
"$BIN" ingest "$T/e.xml" 2>"$T/e6"
grep -q "conflicting version.*this one 2 records, 16 messages" "$T/e6" ||
	fail "legacy row, other totals: $(cat "$T/e6")"
echo "t_conflict: ok"
