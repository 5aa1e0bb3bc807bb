#!/bin/sh
# Hostile and broken TLS reports through `dmarcsift ingest` (THREATS
# #20): each rejected with a one-line reason naming the file, its bytes
# quarantined, exit 1, and the good reports of the same run stored; a
# one-line JSON report and a mail holding a DMARC and a TLS report are
# both stored; nothing is parsed from the file name.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v sqlite3 >/dev/null || fail "sqlite3 is needed"
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
DB=$T/t.db
mkdir "$T/in"
HEAD='"organization-name":"O","date-range":{"start-datetime":"2026-11-01T00:00:00Z","end-datetime":"2026-11-01T23:59:59Z"}'

printf '{%s,"report-id":"good-1","policies":[]}' "$HEAD" >"$T/in/good.json"
python3 -c 'print("{\"report-id\":" + "[" * 100000)' >"$T/in/deep.json"
printf '{%s,"report-id":"a","report-id":"b"}' "$HEAD" >"$T/in/dupkey.json"
printf '{%s,"report-id":"\377\376"}' "$HEAD" >"$T/in/utf8.json"
printf '{%s,"report-id":"n","policies":[{"summary":{"total-successful-session-count":1e999}}]}' \
    "$HEAD" >"$T/in/huge.json"
printf '{%s,"report-id":"m","policies":[{"summary":{"total-failure-session-count":-1}}]}' \
    "$HEAD" >"$T/in/negative.json"
printf '{"organization-name":"O","report-id":"x"}' >"$T/in/nodate.json"
gzip -c "$T/in/dupkey.json" >"$T/in/dupkey2.json.gz"
# a DMARC report named like a TLS report: the content decides
cat >"$T/in/dmarc.json" <<'X'
<?xml version="1.0"?><feedback><report_metadata><org_name>R</org_name><email>d@r.example</email><report_id>x1</report_id><date_range><begin>1700000000</begin><end>1700086399</end></date_range></report_metadata><policy_published><domain>example.com</domain><p>none</p></policy_published><record><row><source_ip>192.0.2.1</source_ip><count>3</count><policy_evaluated><disposition>none</disposition><dkim>pass</dkim><spf>fail</spf></policy_evaluated></row><identifiers><header_from>example.com</header_from></identifiers><auth_results><spf><domain>example.com</domain><result>fail</result></spf></auth_results></record></feedback>
X

"$DS_BIN" ingest --db "$DB" "$T/in" 2>"$T/err"
rc=$?
[ $rc -eq 1 ] || { cat "$T/err"; fail "exit $rc, want 1 (some rejected)"; }
r() { grep -q "$1: rejected: .*$2" "$T/err" || { cat "$T/err"; fail "$1: no reason '$2'"; }; }
r deep.json 'nested deeper than 16'
r dupkey.json "key 'report-id' twice"
r dupkey2.json.gz "key 'report-id' twice"
r utf8.json 'not valid UTF-8'
r huge.json 'not a count'
r negative.json 'not a count'
r nodate.json 'no date-range'
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM quarantine')" -eq 7 ] ||
	fail "$(sqlite3 "$DB" 'SELECT count(*) FROM quarantine') quarantined, want 7"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM quarantine WHERE source LIKE '%deep.json' AND length(raw) > 100000")" -eq 1 ] ||
	fail "deep.json's bytes not kept"
[ "$(sqlite3 "$DB" "SELECT report_id FROM tls_report")" = good-1 ] ||
	fail "the good TLS report was not stored"
[ "$(sqlite3 "$DB" "SELECT warnings FROM tls_report")" = '["no-contact-info","no-policies"]' ] ||
	fail "warnings: $(sqlite3 "$DB" "SELECT warnings FROM tls_report")"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM report WHERE report_id = 'x1'")" -eq 1 ] ||
	fail "the DMARC report in dmarc.json was not stored"

# one mail with a DMARC and a TLS report attached
{
	printf 'From: r@x.example\r\nSubject: two\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/mixed; boundary=B\r\n\r\n'
	printf -- '--B\r\nContent-Type: application/xml\r\n\r\n'
	sed 's/x1/x2/' "$T/in/dmarc.json"
	printf -- '\r\n--B\r\nContent-Type: application/tlsrpt+gzip\r\n'
	printf 'Content-Transfer-Encoding: base64\r\n\r\n'
	sed 's/good-1/mail-1/' "$T/in/good.json" | gzip -c | base64 | sed 's/$/\r/'
	printf -- '--B--\r\n'
} >"$T/two.eml"
"$DS_BIN" ingest --db "$DB" "$T/two.eml" 2>"$T/err2" ||
	{ cat "$T/err2"; fail "mail with both reports: exit $?"; }
grep -q '1 report stored (1 record), 0 failure reports, 1 TLS report' "$T/err2" ||
	fail "summary: $(cat "$T/err2")"
# RFC 8460 §5.3 headers: TLS-Report-Domain names a report without
# policies, a different one is warned about, the submitter is kept
hmail() {
	{
		printf 'From: r@x.example\r\nSubject: tls\r\nMIME-Version: 1.0\r\n'
		printf 'TLS-Report-Domain: %s\r\nTLS-Report-Submitter: sub.example\r\n' "$1"
		printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary=B\r\n\r\n'
		printf -- '--B\r\nContent-Type: application/tlsrpt+json\r\n\r\n'
		cat "$2"
		printf -- '\r\n--B--\r\n'
	} >"$T/$3.eml"
	"$DS_BIN" ingest -q --db "$DB" "$T/$3.eml" || fail "$3.eml: exit $?"
}
printf '{%s,"report-id":"hdr-1","policies":[]}' "$HEAD" >"$T/h1.json"
hmail Named.Example "$T/h1.json" h1
[ "$(sqlite3 "$DB" "SELECT domain || '|' || submitter FROM tls_report WHERE report_id = 'hdr-1'")" = 'named.example|sub.example' ] ||
	fail "TLS-Report-Domain not used: $(sqlite3 "$DB" "SELECT domain, submitter, warnings FROM tls_report WHERE report_id = 'hdr-1'")"
printf '{%s,"report-id":"hdr-2","policies":[{"policy":{"policy-type":"sts","policy-domain":"json.example"},"summary":{"total-successful-session-count":1,"total-failure-session-count":0}}]}' \
    "$HEAD" >"$T/h2.json"
hmail other.example "$T/h2.json" h2
sqlite3 "$DB" "SELECT domain, warnings FROM tls_report WHERE report_id = 'hdr-2'" |
    grep -q "^json.example|.*header-domain-differs: 'other.example'" ||
	fail "no header-domain-differs warning"

echo "ok: hostile TLS reports rejected with reasons, good ones stored"
