#!/bin/sh
# SMTP TLS report corpus (RFC 8460): every file of ../shared/corpus/tls-rpt
# and the report mail there is stored, with its key, policy count,
# session totals and failure details equal to an independent reading of
# the JSON with jq; a rerun stores nothing twice; `tls --format json`
# gives the same totals. Fails (never skips) without the corpus.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_CORPUS:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
C=$DS_CORPUS/tls-rpt
[ -d "$C" ] || fail "corpus missing at $C"
for t in jq sqlite3 base64 gzip; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
DB=$T/t.db

# the report inside the mail, decoded here with base64 and gzip alone
awk '/^Content-Transfer-Encoding: base64/ {b=1; next} b && /^--/ {b=0}
    b && NF' "$C/google.com_smtp_tls_report.eml" | base64 -d | gzip -dc \
    >"$T/mail.json" || fail "cannot decode the mail's attachment"

# expected per report: org|id|first policy domain|policies|ok|failed|
# details|failed sessions in details
expect() {
	jq -r '[."organization-name", ."report-id",
	    ((.policies // [])[0].policy."policy-domain" // ""),
	    ((.policies // []) | length),
	    ([(.policies // [])[].summary."total-successful-session-count"] | add // 0),
	    ([(.policies // [])[].summary."total-failure-session-count"] | add // 0),
	    ([(.policies // [])[]."failure-details" // [] | length] | add // 0),
	    ([(.policies // [])[]."failure-details" // [] | .[]."failed-session-count"] | add // 0)]
	    | map(tostring) | join("|")' "$1"
}
: >"$T/expect"
for f in "$C"/*.json "$T/mail.json"; do
	expect "$f" >>"$T/expect" || fail "jq cannot read $f"
done
sort -u "$T/expect" -o "$T/expect"
[ "$(wc -l <"$T/expect")" -ge 8 ] || fail "too few expectations"

"$DS_BIN" ingest --db "$DB" "$C" 2>"$T/err" ||
	{ cat "$T/err"; fail "ingest of the TLS corpus exited $?"; }
grep -q ' 0 rejected, 0 skipped, 0 errors' "$T/err" || { cat "$T/err"; fail "rejections"; }

sqlite3 "$DB" "SELECT r.org_name, r.report_id, r.domain, r.policies,
    r.successes, r.failures,
    (SELECT count(*) FROM tls_policy p JOIN tls_failure f ON f.policy_row = p.id
     WHERE p.report_row = r.id),
    (SELECT coalesce(sum(f.failed_sessions), 0) FROM tls_policy p
     JOIN tls_failure f ON f.policy_row = p.id WHERE p.report_row = r.id)
    FROM tls_report r" | sort -u >"$T/got"
diff -u "$T/expect" "$T/got" || fail "stored TLS reports differ from the JSON"

# every policy's summary and type as in the JSON
for f in "$C"/*.json; do
	id=$(jq -r '."report-id"' "$f")
	jq -r '(.policies // [])[] | [.policy."policy-type",
	    .summary."total-successful-session-count",
	    .summary."total-failure-session-count"] | map(tostring) | join("|")' \
	    "$f" | sort >"$T/pe"
	sqlite3 "$DB" "SELECT p.type, p.successes, p.failures FROM tls_policy p
	    JOIN tls_report r ON r.id = p.report_row WHERE r.report_id = '$(
	    printf %s "$id" | sed "s/'/''/g")'" | sort >"$T/pg"
	diff -u "$T/pe" "$T/pg" || fail "policies of $f"
done

# named warnings of the known deviations
w() { sqlite3 "$DB" "SELECT warnings FROM tls_report WHERE report_id = '$1'"; }
w 123_456 | grep -q no-contact-info || fail "no-contact.json: no warning"
w 123_456 | grep -q mx-host-with-prefix || fail "no-contact.json: mx prefix"
w 1234567890+ | grep -q no-sending-mta-ip || fail "no_ip_and_mx.json: no warning"
[ "$(sqlite3 "$DB" "SELECT failures FROM tls_report WHERE report_id = \
    'b28254de-7b2e-be36-bb5c-4c3b92da8b25@mail.ru'")" = 1 ] || fail "mail.ru"

# a rerun stores nothing new
n1=$(sqlite3 "$DB" 'SELECT count(*) FROM tls_report')
"$DS_BIN" ingest --db "$DB" "$C" 2>"$T/err2" || fail "rerun exited $?"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tls_report')" = "$n1" ] ||
	fail "rerun stored reports twice"

# the tls command's JSON totals add up to the stored reports
"$DS_BIN" tls --db "$DB" --since @0 --format json >"$T/tls.json" ||
	fail "tls --format json exited $?"
ok=$(jq '[.domains[].successes] | add' "$T/tls.json")
[ "$ok" = "$(sqlite3 "$DB" 'SELECT sum(successes) FROM tls_report')" ] ||
	fail "tls json successes $ok"
# summary carries the TLS figures of a DMARC domain
cat >"$T/dmarc.xml" <<'X'
<?xml version="1.0"?><feedback><report_metadata><org_name>R</org_name><email>d@r.example</email><report_id>x1</report_id><date_range><begin>1704758400</begin><end>1704844799</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record></feedback>
X
"$DS_BIN" ingest -q --db "$DB" "$T/dmarc.xml" || fail "ingest dmarc.xml"
want=$(jq -s '[.[] | select(.policies[0].policy."policy-domain" == "example.com")] |
    "\(length)|\([.[].policies[].summary."total-successful-session-count"] | add)|\([.[].policies[].summary."total-failure-session-count"] | add)"' \
    "$C"/*.json)
got=$("$DS_BIN" summary --db "$DB" --domain example.com --format json |
    jq '.[0] | "\(.tls_reports)|\(.tls_sessions - .tls_failures)|\(.tls_failures)"')
[ "$got" = "$want" ] || fail "summary TLS figures $got, want $want"
"$DS_BIN" summary --db "$DB" --domain example.com | grep -q '^  SMTP TLS ' ||
	fail "summary text has no SMTP TLS line"

# the weekly report of that week and the domain's dashboard page carry
# the TLS figures; reported text is escaped (a hostile result-type)
"$DS_BIN" weekly --db "$DB" --domain example.com --week 2024-W02 --offline \
    >"$T/w.html" || fail "weekly exited $?"
grep -q '3 sessions to your MX hosts in 1 TLS report, 0.0 % over TLS' "$T/w.html" ||
	fail "weekly has no SMTP TLS section"
grep -q 'validation-failure: 3 failed sessions to MX example.com (the MX certificate did not validate). Fix: Check the MX certificate' "$T/w.html" ||
	fail "weekly lists no TLS failure type with its fix"
cat >"$T/xss.json" <<'J'
{"organization-name":"<script>alert(1)</script>","report-id":"xss",
"date-range":{"start-datetime":"2024-01-10T00:00:00Z","end-datetime":"2024-01-10T23:59:59Z"},
"policies":[{"policy":{"policy-type":"sts","policy-domain":"example.com"},
"summary":{"total-successful-session-count":1,"total-failure-session-count":1},
"failure-details":[{"result-type":"<img src=x onerror=alert(1)>","failed-session-count":1}]}]}
J
"$DS_BIN" ingest -q --db "$DB" "$T/xss.json" || fail "ingest xss.json"
"$DS_BIN" html --db "$DB" --out "$T/site" --offline -q || fail "html exited $?"
page=$(grep -l 'id="t-tls-failures"' "$T/site/domains/"example.com*.html) ||
	fail "the domain page has no TLS failure table"
grep -q '<img src=x' "$page" && fail "TLS result type not escaped"
grep -q '&lt;img src=x onerror=alert(1)&gt;' "$page" || fail "escaped result type missing"
grep -q 'id="k-tls-sessions"' "$page" || fail "no TLS KPIs"

echo "ok: $(wc -l <"$T/expect") TLS reports match their JSON"
