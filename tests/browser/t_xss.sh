#!/bin/sh
# t_xss.sh - stored XSS (THREATS #9) in a real browser: a report whose
# org_name, email, report_id, policy domain, sp, error, reason comment,
# header_from, envelope_from and DKIM/SPF domains hold HTML/JS payloads
# (tests/browser/fixtures/xss.xml; each payload tries to change
# document.title) is stored, the site and the weekly mail are built, and
# every page is opened in headless Chromium: no element or attribute the
# payloads carry exists in the DOM, the title is ours, and the payload
# text is shown as text. A failure report (fixtures/xss-arf.eml) carries
# payloads in the report's From and Subject, the feedback fields and the
# forensic sample's headers (From, RFC 2047 Subject, Message-ID,
# DKIM-Signature). The same holds with the CSP meta removed, so the
# escaping alone stops them, not only the policy.
# SPDX-License-Identifier: MIT
set -u
T_NAME=t_xss
. "$DS_SRC/tests/browser/lib.sh"

DB=$T/dmarc.db
# stored lower-case: domains are normalised at ingest
DOMAIN="xss.example\"><img src=x onerror=document.title='xss-dom'>"
"$DS" ingest --db "$DB" -q --offline "$HERE/fixtures/xss.xml" \
    "$HERE/fixtures/xss-arf.eml" || fail "ingest failed"
"$DS" html --db "$DB" --offline --out "$T/site" -q || fail "html failed"
"$DS" weekly --db "$DB" --offline --domain "$DOMAIN" --week 2026-W01 \
    --out "$T/site/weekly.html" || fail "weekly failed"
grep -q 'xss-dom' "$T/site/index.html" || fail "payloads are not in the site"

# the same site without its CSP meta
cp -r "$T/site" "$T/nocsp"
for f in $(find "$T/nocsp" -name '*.html'); do
	sed -i '/Content-Security-Policy/d' "$f"
done
grep -rq 'Content-Security-Policy' "$T/nocsp" && fail "CSP not stripped"

pages=$(cd "$T/site" && find . -name '*.html' | sort)
# index, domain, report, weekly, failure list, failure report
[ "$(echo "$pages" | wc -l)" -eq 6 ] || fail "want 6 pages: $pages"
for site in site nocsp; do
	urls=""
	for p in $pages; do
		dom "file://$T/$site/$p" "$T/p.dom"
		"$PY" "$HERE/domq.py" hostile "$T/p.dom" >"$T/bad" ||
		    fail "$site/$p: injected: $(head -3 "$T/bad")"
		# the title as written must be the title after scripts ran
		want=$("$PY" "$HERE/domq.py" title "$T/$site/$p")
		title=$("$PY" "$HERE/domq.py" title "$T/p.dom")
		[ "$title" = "$want" ] || fail "$site/$p: title is '$title'"
		echo "TITLE $want" >>"$T/titles.$site"
		urls="$urls file://$T/$site/$p"
	done
	# and in the live page, after load plus 1.5 s (DevTools protocol)
	# shellcheck disable=SC2086
	cdp "$T/cdp.out" $urls
	grep '^TITLE ' "$T/cdp.out" | cmp -s - "$T/titles.$site" ||
	    fail "$site: a payload changed a title: $(grep '^TITLE' "$T/cdp.out")"
	grep -qi 'title xss-' "$T/cdp.out" && fail "$site: a payload ran"
	[ "$(grep -c '^LOADED 1' "$T/cdp.out")" -eq 6 ] ||
	    fail "$site: pages did not load"
	grep '^REQ ' "$T/cdp.out" | grep -v '^REQ file://' >"$T/net" &&
	    fail "$site: requests: $(cat "$T/net")"
done

# the payloads are there as text
set -- "$T"/site/domains/xss.example_*.html
[ -f "$1" ] || fail "no domain page (slug)"
dom "file://$1" "$T/d.dom"
v=$("$PY" "$HERE/domq.py" text "$T/d.dom" domain)
[ "$v" = "$DOMAIN" ] || fail "domain heading is '$v'"
set -- "$T"/site/reports/*/*.html
dom "file://$1" "$T/r.dom"
row=$(sed -n 's/.*<section class="report" id="report-\([0-9]*\)">.*/\1/p' "$T/r.dom" | head -1)
[ -n "$row" ] || fail "no report section on the month page"
"$PY" "$HERE/domq.py" text "$T/r.dom" "t-meta-$row" | grep -qF \
    "<script>document.title='XSS-org'</script>" || fail "org_name not shown"
"$PY" "$HERE/domq.py" text "$T/r.dom" "t-records-$row" | grep -qF \
    "<img src=x onerror=document.title='XSS-hf'>" || fail "header_from not shown"
v=$("$PY" "$HERE/domq.py" rows "$T/d.dom" t-failures)
[ "$v" = 1 ] || fail "domain page lists $v failure reports"
dom "file://$T/site/failures/1.html" "$T/f.dom"
"$PY" "$HERE/domq.py" text "$T/f.dom" t-fields >"$T/f.txt"
for s in "<svg onload=\"document.title='XSS-ua'\">" \
    "<iframe src=javascript:parent.document.title='XSS-ar'>" \
    "<***@xss.example>"; do
	grep -qF "$s" "$T/f.txt" || fail "failure page does not show $s"
done
# issue 13: the sample's Subject is withheld and every address redacted
# on the dashboard (its From's display name with it), whatever was stored
grep -q 'XSS-ssubj\|XSS-sfrom\|victim' "$T/f.txt" && fail "personal data published"
grep -qF '[redacted]' "$T/f.txt" || fail "sample Subject not shown as withheld"
dom "file://$T/site/weekly.html" "$T/w.dom"
v=$("$PY" "$HERE/domq.py" text "$T/w.dom" w-domain)
[ "$v" = "$DOMAIN" ] || fail "weekly heading is '$v'"
echo "t_xss: ok"
