#!/bin/sh
# t_reporter.sh - summary, senders and reporters against dsgen's ground
# truth: a Maildir of generated reports is ingested, then each command's
# JSON is checked field by field against totals jq computes from the
# truth file (per domain, per source, per report and period), plus
# filters, sort, limit, grouping, CSV, usage errors, and the enrichment
# (FCrDNS, base domain, service) against a zone file, which as a what-if
# leaves the cache alone (the cache itself: tests/unit/test_enrich.c).
# SPDX-License-Identifier: MIT
set -u

fail() {
	echo "t_reporter: $*" >&2
	exit 1
}

[ -n "${DS_BUILD:-}" ] || fail "DS_BUILD is not set"
BIN="${DS_BIN:-$DS_BUILD/dmarcsift}"
GEN="$DS_BUILD/dsgen"
command -v jq >/dev/null 2>&1 || { echo "t_reporter: no jq" >&2; exit 77; }
[ -x "$GEN" ] || fail "$GEN not built"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_reporter.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NOW=1768000000 DMARCSIFT_NO_PROGRESS=1
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
TRUTH="$T/truth.json"
DB="$T/d.db"

"$GEN" maildir --messages 150 --seed 21 -o "$T/md" --truth "$TRUTH" ||
    fail "dsgen failed"
"$BIN" ingest --db "$DB" -q "$T/md"
rc=$?
[ $rc -eq 0 ] || [ $rc -eq 1 ] || fail "ingest exit $rc"

ds() {
	"$BIN" "$@" --db "$DB" || fail "dmarcsift $* failed ($?)"
}

# same JSON (sorted keys) or fail with both shown
same() {
	printf '%s\n' "$2" | jq -S . >"$T/got" || fail "$1: bad JSON"
	printf '%s\n' "$3" | jq -S . >"$T/want" || fail "$1: bad want"
	diff -u "$T/want" "$T/got" >"$T/diff" || {
		head -40 "$T/diff" >&2
		fail "$1: output differs from the truth"
	}
}

DOMAINS=$(jq -r '.domains | keys[]' "$TRUTH")
[ -n "$DOMAINS" ] || fail "no domains in the truth"

# --- senders: every source IP of every domain, all time ---
for d in $DOMAINS; do
	out=$(ds senders --offline --domain "$d" --format json)
	printf '%s' "$out" | jq -e 'length > 0 and all(.[];
	    has("source_ip") and has("messages") and has("dmarc_pass") and
	    has("dmarc_fail") and has("ptr") and has("ptr_confirmed") and
	    has("base_domain") and has("service") and has("first_seen") and
	    has("last_seen"))' >/dev/null || fail "senders $d: missing keys"
	got=$(printf '%s' "$out" | jq 'map({key: .source_ip, value:
	    {messages, dmarc_pass, dmarc_fail}}) | from_entries')
	want=$(jq --arg d "$d" '.domain_sources[$d] | map_values(
	    {messages, dmarc_pass, dmarc_fail})' "$TRUTH")
	same "senders --domain $d" "$got" "$want"
	# --failing: exactly the IPs with failures
	got=$(ds senders --offline --domain "$d" --failing --format json |
	    jq '[.[].source_ip] | sort')
	want=$(jq --arg d "$d" '.domain_sources[$d] | to_entries |
	    map(select(.value.dmarc_fail > 0) | .key) | sort' "$TRUTH")
	same "senders --failing $d" "$got" "$want"
done
got=$(ds senders --offline --format json | jq 'map({key: .source_ip,
    value: {messages, dmarc_pass, dmarc_fail}}) | from_entries')
want=$(jq '.sources | map_values({messages, dmarc_pass, dmarc_fail})' \
    "$TRUTH")
same "senders (all domains)" "$got" "$want"

D=$(printf '%s\n' $DOMAINS | head -1)

# --- sort and limit ---
out=$(ds senders --offline --domain "$D" --sort fail --limit 5 --format json)
printf '%s' "$out" | jq -e 'length == 5 and
    ([.[].dmarc_fail] == ([.[].dmarc_fail] | sort | reverse))' \
    >/dev/null || fail "senders --sort fail --limit 5: order or length"
got=$(printf '%s' "$out" | jq '.[0].dmarc_fail')
want=$(jq --arg d "$D" '[.domain_sources[$d][].dmarc_fail] | max' "$TRUTH")
[ "$got" = "$want" ] || fail "--sort fail: first $got, want $want"

# --- grouping by /24 (/48): totals kept, IPs inside their network ---
out=$(ds senders --offline --domain "$D" --group net --format json)
got=$(printf '%s' "$out" | jq '[.[].messages] | add')
want=$(jq --arg d "$D" '.domains[$d].messages' "$TRUTH")
[ "$got" = "$want" ] || fail "--group net: $got messages, want $want"
printf '%s' "$out" | jq -e 'all(.[]; .group as $g | .ips ==
    (.ip_list | length) and all(.ip_list[]; if test(":") then true else
    (split(".")[0:3] | join(".")) + ".0/24" == $g end))' >/dev/null ||
    fail "--group net: an IP outside its /24"

# --- a period: reports whose date-range midpoint is inside it ---
S=$(jq -r '[.reports[].begin] | min + 2 * 86400' "$TRUTH")
U=$((S + 3 * 86400))
PERIOD="--since @$S --until @$U"
want_period() {	# per domain totals of the reports in [S, U)
	jq --argjson s "$S" --argjson u "$U" '[.reports[] |
	    select(((.begin + .end) / 2 | floor) as $m | $m >= $s and $m < $u)]
	    | group_by(.domain) | map({key: .[0].domain, value: {
	    messages: (map(.messages) | add), dmarc_pass: (map(.dmarc_pass) |
	    add), dmarc_fail: (map(.dmarc_fail) | add), reports: length,
	    reporters: (map(.org_name) | unique | length)}}) | from_entries' \
	    "$TRUTH"
}
got=$(ds summary $PERIOD --format json | jq 'map({key: .domain, value:
    {messages, dmarc_pass, dmarc_fail, reports, reporters}}) | from_entries')
same "summary (period)" "$got" "$(want_period)"
got=$(ds senders --offline --domain "$D" $PERIOD --format json |
    jq '{messages: ([.[].messages] | add), dmarc_pass: ([.[].dmarc_pass] |
    add), dmarc_fail: ([.[].dmarc_fail] | add)}')
want=$(want_period | jq --arg d "$D" '.[$d] | {messages, dmarc_pass,
    dmarc_fail}')
same "senders (period)" "$got" "$want"

# --- summary, all time ---
got=$(ds summary --format json | jq 'map({key: .domain, value: {messages,
    dmarc_pass, dmarc_fail, reports, records, reporters, first_report,
    last_report, pass_rate}}) | from_entries')
want=$(jq '.reports | group_by(.domain) | map({key: .[0].domain, value: {
    messages: (map(.messages) | add), dmarc_pass: (map(.dmarc_pass) | add),
    dmarc_fail: (map(.dmarc_fail) | add), reports: length,
    records: (map(.records) | add),
    reporters: (map(.org_name) | unique | length),
    first_report: (map(.begin) | min), last_report: (map(.end) | max),
    pass_rate: ((map(.dmarc_pass) | add) * 1000 / (map(.messages) | add)
    | round / 10)}}) | from_entries' "$TRUTH")
same "summary" "$got" "$want"
ds summary --domain "$D" --format json | jq -e --arg d "$D" 'length == 1
    and .[0].domain == $d and (.[0].policies | length) >= 1 and
    (.[0].top_failing | length) <= 5 and .[0].days >= 1' >/dev/null ||
    fail "summary --domain: shape"

# --- reporters ---
got=$(ds reporters --format json | jq 'map({key: .org_name, value:
    {reports, messages, domains}}) | from_entries')
want=$(jq '.reports | group_by(.org_name) | map({key: .[0].org_name,
    value: {reports: length, messages: (map(.messages) | add),
    domains: (map(.domain) | unique | length)}}) | from_entries' "$TRUTH")
same "reporters" "$got" "$want"
got=$(ds reporters --domain "$D" --format json | jq 'map({key: .org_name,
    value: {reports, messages, last_report}}) | from_entries')
want=$(jq --arg d "$D" '[.reports[] | select(.domain == $d)] |
    group_by(.org_name) | map({key: .[0].org_name, value: {reports: length,
    messages: (map(.messages) | add), last_report: (map(.end) | max)}}) |
    from_entries' "$TRUTH")
same "reporters --domain" "$got" "$want"

# --- --new: new IPs were never in a report before --since ---
ds senders --offline --domain "$D" --format json >"$T/all.json"
NEW=$(ds senders --offline --domain "$D" --since "@$S" --new --format json)
OLD=$(ds senders --offline --domain "$D" --since "@$S" --format json)
printf '%s' "$NEW" | jq -e --slurpfile all "$T/all.json" --argjson s "$S" '
    ($all[0] | map({key: .source_ip, value: .first_seen}) | from_entries) as $f
    | length > 0 and all(.[]; .new == true and $f[.source_ip] >= $s - 86400)
    ' >/dev/null || fail "--new: an IP seen before --since"
printf '%s' "$OLD" | jq -e --slurpfile all "$T/all.json" --argjson s "$S" '
    ($all[0] | map({key: .source_ip, value: .first_seen}) | from_entries) as $f
    | all(.[]; .new or $f[.source_ip] < $s)' >/dev/null ||
    fail "--since: an IP marked old that was not seen before"
n_new=$(printf '%s' "$NEW" | jq length)
n_flag=$(printf '%s' "$OLD" | jq '[.[] | select(.new)] | length')
[ "$n_new" = "$n_flag" ] || fail "--new gave $n_new rows, $n_flag flagged"

# --- CSV: a header and one line per row ---
n=$(ds senders --offline --domain "$D" --format csv | wc -l)
[ -n "$n" ] || fail "CSV: no output"
want=$(jq --arg d "$D" '.domain_sources[$d] | length + 1' "$TRUTH")
[ "$n" -eq "$want" ] || fail "CSV: $n lines, want $want"
ds senders --offline --domain "$D" --format csv >"$T/s.csv"
head -1 "$T/s.csv" |
    grep -q '^source_ip,group,ips,messages,dmarc_pass,dmarc_fail,' ||
    fail "CSV header"

# --- usage errors exit 2 ---
for args in "senders --group bogus" "senders --sort bogus" "senders --new" \
    "summary --since 2026-01-05 --until 2026-01-01" "reporters --since x" \
    "senders --offline --dns-zone /nonexistent" "summary extra"; do
	"$BIN" $args --db "$DB" >/dev/null 2>&1
	[ $? -eq 2 ] || fail "'$args': want exit 2"
done

# --- enrichment from a zone file ---
TOP=$(ds senders --offline --domain "$D" --format json |
    jq -r '[.[] | select(.source_ip | test("^[0-9.]+$"))][0:3][].source_ip')
set -- $TOP
[ $# -eq 3 ] || fail "want three IPv4 senders"
rev() { echo "$1" | awk -F. '{print $4"."$3"."$2"."$1".in-addr.arpa."}'; }
{
	echo '$TTL 300'
	echo "$(rev "$1") IN PTR mail-1.example.com."
	echo "mail-1.example.com. IN A $1"
	echo "$(rev "$2") IN PTR o1.ptr77.sendgrid.net."
	echo "o1.ptr77.sendgrid.net. IN A $2"
	echo "$(rev "$3") IN PTR spoof.example.co.uk."
	echo "spoof.example.co.uk. IN A 192.0.2.1"
} >"$T/zone"
check_names() {	# stdin: senders JSON; $1 $2 $3: the three IPs
	jq -e --arg a "$1" --arg b "$2" --arg c "$3" '
	    map({key: .source_ip, value: .}) | from_entries |
	    .[$a].ptr == "mail-1.example.com" and .[$a].ptr_confirmed == true
	    and .[$a].base_domain == "example.com" and
	    .[$b].ptr == "o1.ptr77.sendgrid.net" and .[$b].ptr_confirmed
	    and .[$b].base_domain == "sendgrid.net" and
	    .[$b].service == "SendGrid" and
	    .[$c].ptr == "spoof.example.co.uk" and .[$c].ptr_confirmed == false
	    and .[$c].base_domain == "example.co.uk"' >/dev/null
}
out=$("$BIN" senders --db "$DB" --domain "$D" --dns-zone "$T/zone" \
    --format json --verbose 2>"$T/err") || fail "senders --dns-zone failed"
printf '%s' "$out" | check_names "$1" "$2" "$3" ||
    fail "--dns-zone: names wrong"
n=$(jq --arg d "$D" '.domain_sources[$d] | length' "$TRUTH")
grep -q "$n looked up, 0 cached" "$T/err" || fail "first run: $(cat "$T/err")"
# a what-if stays a what-if (issue 12): the zone's answers are never
# cached, so a second run asks the zone again and --offline sees none
"$BIN" senders --db "$DB" --domain "$D" --dns-zone "$T/zone" --verbose \
    >/dev/null 2>"$T/err" || fail "second run failed"
grep -q "$n looked up, 0 cached" "$T/err" || fail "second: $(cat "$T/err")"
out=$(ds senders --offline --domain "$D" --format json)
printf '%s' "$out" | jq -e 'all(.[]; .ptr == null)' >/dev/null ||
    fail "--offline: zone answers leaked into the ip_info cache"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM ip_info' 2>/dev/null || echo 0)" \
    = 0 ] || fail "ip_info has rows after --dns-zone runs"
# grouping by base domain and service uses the names
ds senders --dns-zone "$T/zone" --domain "$D" --group service \
    --format json | jq -e '[.[] | select(.group == "SendGrid")] |
    length == 1' >/dev/null || fail "--group service: no SendGrid group"
ds senders --dns-zone "$T/zone" --domain "$D" --group domain --format json |
    jq -e --arg a "$1" '[.[] | select(.group == "example.com")][0] |
    .ip_list == [$a] and .ptr == "mail-1.example.com"' >/dev/null ||
    fail "--group domain: example.com group wrong"
# a user's service rule comes first
printf 'Our MTA\tptr\texample.com\n' >"$T/svc.tsv"
ds senders --dns-zone "$T/zone" --domain "$D" --services "$T/svc.tsv" \
    --format json |
    jq -e --arg a "$1" '.[] | select(.source_ip == $a) | .service ==
    "Our MTA"' >/dev/null || fail "--services: user rule not used"
exit 0
