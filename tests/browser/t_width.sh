#!/bin/sh
# t_width.sh - every dashboard table fits a 1280 px window without
# sideways scrolling (issue 12), in real Chromium over the DevTools
# protocol (cdp.py at 1280 px: the page's scroll width and every table
# against its container), on the dsgen demo plus a report built to be
# wide: IPv6 sources, PTR names of 60+ characters (from the zone),
# selectors and DKIM/SPF domains of 50+ characters, many reporters and
# a reason with a long comment; a TLS-only domain too. Long names are
# cut with the whole text in a title. Screenshots of the widest pages go
# to $DS_BUILD/browser-artifacts/width-*.png.
# SPDX-License-Identifier: MIT
set -u
T_NAME=t_width
. "$DS_SRC/tests/browser/lib.sh"

ART=$DS_BUILD/browser-artifacts
mkdir -p "$ART" || fail "mkdir $ART"
DB=$T/dmarc.db
export DMARCSIFT_NOW=1767830400	# 2026-01-08, after the demo's reports
"$GEN" demo -o "$T/demo" >/dev/null || fail "dsgen demo"
"$DS" ingest --db "$DB" -q "$T/demo" || [ $? -eq 1 ] || fail "ingest demo"

LONGPTR=mail-relay-outbound-17.eu-central-1.customer-smtp.hosting-provider-example.net
LONGSEL=selector-2025-11-rotation-key-for-marketing-newsletters
LONGDOM=bounces.newsletters.marketing-department.example-corporation.example
rec() { # IP DKIM_DOMAIN SELECTOR SPF_DOMAIN
	cat <<R
<record><row><source_ip>$1</source_ip><count>1234567</count>
<policy_evaluated><disposition>quarantine</disposition><dkim>fail</dkim><spf>fail</spf>
<reason><type>local_policy</type><comment>arc=pass as.1.$LONGDOM=pass remote-ip.1=$1 list-id=$LONGDOM</comment></reason>
</policy_evaluated></row><identifiers><envelope_from>$4</envelope_from>
<header_from>example.com</header_from></identifiers><auth_results>
<dkim><domain>$2</domain><selector>$3</selector><result>fail</result></dkim>
<dkim><domain>example.com</domain><selector>$LONGSEL</selector><result>pass</result></dkim>
<spf><domain>$4</domain><result>softfail</result></spf></auth_results></record>
R
}
for org in reporter-with-a-rather-long-organisation-name.example google.com \
    Yahoo Outlook.com Mail.Ru; do
	{
		printf '<?xml version="1.0"?><feedback><report_metadata><org_name>%s</org_name>' "$org"
		printf '<email>noreply-dmarc-support@%s</email><report_id>w-%s</report_id>' "$LONGDOM" "$org"
		printf '<date_range><begin>1767571200</begin><end>1767657599</end></date_range></report_metadata>'
		printf '<policy_published><domain>example.com</domain><p>quarantine</p></policy_published>\n'
		rec 2001:db8:ffff:1234:5678:9abc:def0:1234 "$LONGDOM" "$LONGSEL" "$LONGDOM"
		rec 2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff "$LONGDOM" x "$LONGDOM"
		rec 203.0.113.250 "$LONGDOM" "$LONGSEL" example.com
		printf '</feedback>\n'
	} >"$T/wide-$org.xml"
	"$DS" ingest --db "$DB" -q "$T/wide-$org.xml" || fail "ingest wide $org"
done
cat >"$T/tls.json" <<J
{"organization-name":"Google Inc.","date-range":{"start-datetime":"2026-01-05T00:00:00Z",
"end-datetime":"2026-01-05T23:59:59Z"},"contact-info":"smtp-tls-reporting@google.com",
"report-id":"w-tls","policies":[{"policy":{"policy-type":"sts",
"policy-string":["version: STSv1","mode: enforce","mx: $LONGPTR","max_age: 86400"],
"policy-domain":"tls-only-domain-with-a-long-name.example","mx-host":["$LONGPTR"]},
"summary":{"total-successful-session-count":10,"total-failure-session-count":2},
"failure-details":[{"result-type":"certificate-host-mismatch","sending-mta-ip":"2001:db8:ffff:1234:5678:9abc:def0:1234",
"receiving-mx-hostname":"$LONGPTR","failed-session-count":2,
"additional-information":"https://$LONGDOM/tls-troubleshooting/certificate-host-mismatch"}]}]}
J
"$DS" ingest --db "$DB" -q "$T/tls.json" || fail "ingest tls"
cat >"$T/zone" <<Z
\$TTL 300
4.3.2.1.0.f.e.d.c.b.a.9.8.7.6.5.4.3.2.1.f.f.f.f.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR $LONGPTR.
250.113.0.203.in-addr.arpa. IN PTR $LONGPTR.
$LONGPTR. IN A 203.0.113.250
Z
"$DS" html --db "$DB" --dns-zone "$T/zone" --out "$T/site" -q || fail "html"
D1=$(ls "$T"/site/domains/example.com-*.html) || fail "no example.com page"
D2=$(ls "$T"/site/domains/tls-only-domain-with-a-long-name.example-*.html) ||
    fail "no page for the TLS-only domain"
R=$(grep -l "w-reporter-with" "$T"/site/reports/*/*.html | head -1)
[ -n "$R" ] || fail "no page for the wide report"
grep -q "title=\"$LONGPTR\"" "$D1" || fail "the long PTR name has no title"
grep -q "title=\"$LONGSEL\"" "$R" || fail "the long selector has no title"

cdp "$T/cdp.out" "file://$T/site/index.html" "file://$D1" "file://$D2" \
    "file://$R" "file://$T/site/failures.html"
[ "$(grep -c '^LOADED 1' "$T/cdp.out")" -eq 5 ] || fail "pages not loaded"
grep "^WIDE " "$T/cdp.out" >"$T/wide" &&
    fail "tables wider than the page at 1280 px: $(tr '\n' ';' <"$T/wide")"
awk '/^WIDTH / && $2 > $3 { bad = 1 } END { exit !bad }' "$T/cdp.out" &&
    fail "a page scrolls sideways at 1280 px: $(grep '^WIDTH' "$T/cdp.out" | tr '\n' ';')"
[ "$(grep -c '^WIDTH ' "$T/cdp.out")" -eq 5 ] || fail "widths not measured"
# the check is not blind: the same pages in a 900 px window do overflow
CDP_WIDTH=900 cdp "$T/cdp900.out" "file://$D1"
grep -q '^WIDE ' "$T/cdp900.out" || fail "no table is wider than 900 px: the check is blind"

chrome --hide-scrollbars --window-size=1280,2600 \
    --screenshot="$ART/width-domain.png" "file://$D1" >/dev/null
chrome --hide-scrollbars --window-size=1280,1600 \
    --screenshot="$ART/width-report.png" "file://$R" >/dev/null
for p in width-domain width-report; do
	[ "$(head -c 4 "$ART/$p.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
	    fail "$p.png is not a PNG"
done
echo "t_width: ok (artifacts in $ART)"
