#!/bin/sh
# t_tls_only.sh - a domain that only SMTP TLS reports name (issue 14):
# summary lists it (text says so; JSON/CSV with null DMARC columns, not
# zeros, and its TLS figures), the dashboard index links it and its page
# shows the TLS section; the weekly of that domain, and of a domain with
# DMARC and TLS reports, lists the failed sessions by type and MX with
# exactly the fix doctor gives for the same failure (one text).
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_BUILD:?}" "${DS_SRC:?}"
NAME=t_tls_only
fail() { echo "$NAME: $*" >&2; exit 1; }
command -v jq >/dev/null || fail "jq is needed"
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || fail mktemp
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NO_PROGRESS=1 XDG_CONFIG_HOME="$T/x" XDG_DATA_HOME="$T/x"
DB=$T/d.db
DQ="$DS_SRC/tests/browser/domq.py"
# a fixed "now" (a Wednesday): the week and the period do not depend on
# the day the test runs
NOW=$(date -u -d 2026-11-18T12:00:00Z +%s)
export DMARCSIFT_NOW=$NOW
WEEK=2026-W47
DAY=$(date -u -d @$((NOW - 2 * 86400)) +%Y-%m-%d)

# tls FILE DOMAIN ID MX TYPE OK FAILED
tls() {
	cat >"$T/$1" <<J
{"organization-name":"Google Inc.","date-range":{"start-datetime":"${DAY}T00:00:00Z",
"end-datetime":"${DAY}T23:59:59Z"},"contact-info":"smtp-tls-reporting@google.com",
"report-id":"$3","policies":[{"policy":{"policy-type":"sts",
"policy-string":["version: STSv1","mode: enforce","mx: $4","max_age: 86400"],
"policy-domain":"$2","mx-host":["$4"]},
"summary":{"total-successful-session-count":$6,"total-failure-session-count":$7},
"failure-details":[{"result-type":"$5","sending-mta-ip":"209.85.222.201",
"receiving-mx-hostname":"$4","failed-session-count":$7}]}]}
J
	"$DS_BIN" ingest -q --db "$DB" "$T/$1" || fail "ingest $1"
}

# example.com has DMARC reports (the dsgen scenario) and a TLS report;
# example.org only a TLS report
"$DS_BUILD/dsgen" scenario --scenario own --start $((NOW - NOW % 86400 - 7 * 86400)) \
    --days 7 -o "$T/s" >/dev/null || fail "dsgen"
"$DS_BIN" ingest -q --db "$DB" "$T/s/reports" || fail "ingest dmarc"
tls org.json example.org org-1 mx.example.org certificate-expired 120 7
tls com.json example.com com-1 mail.example.com starttls-not-supported 500 3

# summary: text
"$DS_BIN" summary --db "$DB" --since 30d >"$T/sum.txt" || fail "summary"
grep -q '^example.org: no DMARC reports in the period, SMTP TLS reports only$' \
    "$T/sum.txt" || fail "summary text lacks the TLS-only domain: $(cat "$T/sum.txt")"
grep -A1 '^example.org:' "$T/sum.txt" | grep -q 'SMTP TLS *127 sessions, 94.5% successful, 7 failed, 1 report' ||
    fail "summary text lacks example.org's TLS figures"
grep -q '^example.com: ' "$T/sum.txt" || fail "example.com missing"
# JSON: DMARC columns null, TLS figures set; --domain too
"$DS_BIN" summary --db "$DB" --since 30d --format json >"$T/sum.json" ||
    fail "summary json"
jq -e '[.[].domain] | sort == ["example.com", "example.org"]' "$T/sum.json" \
    >/dev/null || fail "summary JSON domains: $(jq -c '[.[].domain]' "$T/sum.json")"
jq -e '.[] | select(.domain == "example.org") | .messages == null and
    .pass_rate == null and .policy == null and .tls_reports == 1 and
    .tls_sessions == 127 and .tls_failures == 7 and .tls_success_rate == 94.5' \
    "$T/sum.json" >/dev/null || fail "example.org JSON row: $(jq -c \
    '.[] | select(.domain == "example.org")' "$T/sum.json")"
jq -e '.[] | select(.domain == "example.com") | .messages > 0 and
    .tls_failures == 3' "$T/sum.json" >/dev/null || fail "example.com row"
"$DS_BIN" summary --db "$DB" --since 30d --domain example.org --format csv \
    >"$T/sum.csv" || fail "summary csv"
[ "$(wc -l <"$T/sum.csv")" -eq 2 ] || fail "CSV of example.org: $(cat "$T/sum.csv")"
grep -q '^example.org,,' "$T/sum.csv" || fail "CSV row not empty for DMARC"
# the period rule holds: a period before the report shows nothing
"$DS_BIN" summary --db "$DB" --until "$(date -u -d @$((NOW - 5 * 86400)) +%Y-%m-%d)" \
    --domain example.org >"$T/none.txt" || fail "summary --until"
grep -q 'no reports in the period' "$T/none.txt" || fail "TLS report outside the period listed"

# dashboard
"$DS_BIN" html --db "$DB" --offline -o "$T/site" -q || fail "html"
grep -q '>example.org</a></td><td class="note" colspan="9">no DMARC reports; SMTP TLS reports only' \
    "$T/site/index.html" || fail "index does not list example.org"
P=$(ls "$T/site/domains/"example.org-*.html) || fail "no page for example.org"
[ "$(python3 "$DQ" value "$P" k-tls-sessions)" = 127 ] ||
    fail "example.org page: TLS sessions $(python3 "$DQ" value "$P" k-tls-sessions)"
[ "$(python3 "$DQ" value "$P" k-tls-failed)" = 7 ] || fail "TLS failures on the page"
[ "$(python3 "$DQ" rows "$P" t-tls-failures)" = 1 ] || fail "failure table"
python3 "$DQ" text "$P" no-dmarc | grep -q 'SMTP TLS reports only' ||
    fail "the page does not say it has no DMARC reports"
python3 "$DQ" hostile "$P" >/dev/null || fail "page hostile content"

# weekly: the failure by type and MX, with doctor's very fix
for d in example.org example.com; do
	"$DS_BIN" weekly --db "$DB" --domain $d --week $WEEK --offline \
	    --out "$T/w-$d.html" || fail "weekly $d"
	"$DS_BIN" doctor $d --db "$DB" --offline --since 30d --format json \
	    >"$T/doc-$d.json"
	[ $? -le 1 ] || fail "doctor $d"
	python3 "$DQ" text "$T/w-$d.html" w-tls-failures >"$T/wf-$d" ||
	    fail "no TLS failures in the weekly of $d"
done
fixorg=$(jq -r '.[] | select(.code == "tls-certificate-expired") | .fix' \
    "$T/doc-example.org.json")
[ -n "$fixorg" ] || fail "doctor gives no tls-certificate-expired fix"
grep -qF "certificate-expired: 7 failed sessions to MX mx.example.org (the MX certificate had expired). Fix: $fixorg" \
    "$T/wf-example.org" || fail "weekly of example.org: $(cat "$T/wf-example.org")"
fixcom=$(jq -r '.[] | select(.code == "tls-starttls-not-supported") | .fix' \
    "$T/doc-example.com.json")
[ -n "$fixcom" ] || fail "doctor gives no tls-starttls-not-supported fix"
grep -qF "starttls-not-supported: 3 failed sessions to MX mail.example.com" \
    "$T/wf-example.com" && grep -qF "Fix: $fixcom" "$T/wf-example.com" ||
    fail "weekly of example.com: $(cat "$T/wf-example.com")"
python3 "$DQ" text "$T/w-example.org.html" w-rate | grep -qx 'no data' ||
    fail "a week without DMARC data shows a pass rate"
echo "1 passed, 0 failed"
