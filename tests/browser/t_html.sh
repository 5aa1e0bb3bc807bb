#!/bin/sh
# t_html.sh - "dmarcsift html" in a real browser (issue 6): a site built
# from a dsgen fixture database is opened from file:// in headless
# Chromium; the totals read back from the DOM equal dsgen's --truth;
# sort.js runs under the page's CSP; every page carries the CSP meta;
# opening pages makes no network request (DevTools protocol: the page's
# own requests, checked against a control page that does make one); a
# rebuild rewrites nothing (no file's mtime changes), and after one more
# report only the pages that changed, by rename: its domain page, its
# month page and the index (and, for a new month, the month before it,
# which links to it); pages of an earlier version (reports/<id>.html)
# are removed. Reports are on one page per domain and UTC month
# (issue 20), each at #report-<row id>. Every page's footer
# shows the build time from generated.js ($DMARCSIFT_NOW); a later build
# of the same data rewrites generated.js alone. Screenshots of the index and a domain page
# (desktop, phone width, dark) go to $DS_BUILD/browser-artifacts/.
# SPDX-License-Identifier: MIT
set -u
T_NAME=t_html
. "$DS_SRC/tests/browser/lib.sh"

ART=$DS_BUILD/browser-artifacts
mkdir -p "$ART" || fail "mkdir $ART"
DB=$T/dmarc.db
# the build time every page shows (generated.js), fixed
export DMARCSIFT_NOW=1764756000	# 2025-12-03 10:00:00 UTC
"$GEN" maildir --messages 60 --seed 11 -o "$T/md" --truth "$T/truth.json" \
    >/dev/null || fail "dsgen failed"
"$DS" ingest --db "$DB" -q "$T/md" || [ $? -eq 1 ] || fail "ingest failed"
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out1" ||
    fail "html failed"
grep -q ' 0 unchanged, 0 kept, 0 removed' "$T/out1" ||
    fail "first build: $(cat "$T/out1")"

truth() {
	"$PY" -c "import json,sys; t=json.load(open('$T/truth.json')); print($1)"
}

# --- every page: CSP meta, nothing external -------------------------------
n=0
for f in $(find "$T/site" -name '*.html'); do
	grep -q '<meta http-equiv="Content-Security-Policy" content="default-src .none.; script-src .self.;' "$f" ||
	    fail "no CSP meta in $f"
	grep -Eq '(src|href)="(https?:)?//' "$f" && fail "external URL in $f"
	n=$((n + 1))
done
# one page per (domain, UTC month of the report's midpoint)
months() {
	"$PY" -c "import json,time; t=json.load(open('$T/truth.json'))
print(len({(r['domain'].lower(), time.strftime('%Y-%m', time.gmtime((r['begin'] + r['end']) // 2))) for r in t['reports']}))"
}
want=$(($(months) + $(truth "len(t['domains'])") + 2))
[ "$n" -eq "$want" ] || fail "$n pages, want $want (index, failures, domains, months)"

# --- index totals from the DOM --------------------------------------------
dom "file://$T/site/index.html" "$T/index.dom"
grep -q '<html lang="en" data-js="1"' "$T/index.dom" ||
    fail "sort.js did not run (CSP script-src 'self' on file://?)"
grep -q '<button type="button" class="sort">' "$T/index.dom" ||
    fail "sortable headers missing"
v=$("$PY" "$HERE/domq.py" value "$T/index.dom" k-messages)
want=$(truth "sum(d['messages'] for d in t['domains'].values())")
[ "$v" = "$want" ] || fail "index messages $v, truth $want"
v=$("$PY" "$HERE/domq.py" value "$T/index.dom" k-reports)
want=$(truth "t['valid_reports']")
[ "$v" = "$want" ] || fail "index reports $v, truth $want"
v=$("$PY" "$HERE/domq.py" rows "$T/index.dom" t-domains)
want=$(truth "len(t['domains'])")
[ "$v" = "$want" ] || fail "index lists $v domains, truth $want"

# --- each domain page -----------------------------------------------------
for d in $(truth "' '.join(sorted(t['domains']))"); do
	set -- "$T"/site/domains/"$d"-*.html
	[ -f "$1" ] || fail "no page for $d"
	page=$1
	dom "file://$page" "$T/d.dom"
	for k in messages:k-messages dmarc_fail:k-fail reports:k-reports; do
		v=$("$PY" "$HERE/domq.py" value "$T/d.dom" "${k#*:}")
		want=$(truth "t['domains']['$d']['${k%%:*}']")
		[ "$v" = "$want" ] || fail "$d: ${k%%:*} $v, truth $want"
	done
	v=$("$PY" "$HERE/domq.py" rows "$T/d.dom" t-reports)
	want=$(truth "t['domains']['$d']['reports']")
	[ "$v" = "$want" ] || fail "$d: $v report rows, truth $want"
	v=$("$PY" "$HERE/domq.py" rows "$T/d.dom" t-senders)
	want=$(truth "len(t['domain_sources']['$d'])")
	[ "$v" = "$want" ] || fail "$d: $v senders, truth $want"
	grep -q 'class="daily"' "$T/d.dom" || fail "$d: no chart"
	v=$(sed -n 's/.*<svg class="daily"[^>]* data-messages="\([0-9]*\)".*/\1/p' "$T/d.dom")
	want=$(truth "t['domains']['$d']['messages']")
	[ "$v" = "$want" ] || fail "$d: chart draws $v messages, truth $want"
	DPAGE=$page
done

# --- a report on its month page ------------------------------------------
rid=$(truth "t['reports'][0]['report_id']")
want=$(truth "t['reports'][0]['messages']")
rpage=$(grep -l -F ">$rid<" "$T"/site/reports/*/*.html | head -1)
[ -n "$rpage" ] || fail "no page shows report $rid"
dom "file://$rpage" "$T/r.dom"
row=$("$PY" "$HERE/domq.py" report "$T/r.dom" "$rid")
[ -n "$row" ] || fail "no section for report $rid on $rpage"
v=$("$PY" "$HERE/domq.py" value "$T/r.dom" "k-messages-$row")
[ "$v" = "$want" ] || fail "report $rid: messages $v, truth $want"
v=$("$PY" "$HERE/domq.py" rows "$T/r.dom" "t-records-$row")
want=$(truth "t['reports'][0]['records']")
[ "$v" = "$want" ] || fail "report $rid: $v record rows, truth $want"
# the month's totals, and the domain page's link lands on the section
v=$("$PY" "$HERE/domq.py" value "$T/r.dom" k-reports)
want=$("$PY" -c "import json,time; t=json.load(open('$T/truth.json'))
m=lambda r: (r['domain'].lower(), time.strftime('%Y-%m', time.gmtime((r['begin'] + r['end']) // 2)))
print(sum(1 for r in t['reports'] if m(r) == m(t['reports'][0])))")
[ "$v" = "$want" ] || fail "month page lists $v reports, truth $want"
d0=$(truth "t['reports'][0]['domain']")
grep -q "href=\"../reports/$(basename "$(dirname "$rpage")")/$(basename "$rpage")&#x23;report-$row\"" \
    "$T"/site/domains/"$d0"-*.html || fail "the domain page does not link to #report-$row"

# --- screenshots (artifacts) ----------------------------------------------
chrome --hide-scrollbars --window-size=1280,1400 \
    --screenshot="$ART/index.png" "file://$T/site/index.html" >/dev/null
chrome --hide-scrollbars --window-size=1280,2400 \
    --screenshot="$ART/domain.png" "file://$DPAGE" >/dev/null
chrome --hide-scrollbars --window-size=390,1800 \
    --screenshot="$ART/domain-phone.png" "file://$DPAGE" >/dev/null
chrome --hide-scrollbars --window-size=1280,1400 --force-dark-mode \
    --screenshot="$ART/index-dark.png" "file://$T/site/index.html" >/dev/null
cmp -s "$ART/index.png" "$ART/index-dark.png" && fail "dark = light"
for p in index domain domain-phone index-dark; do
	[ "$(head -c 4 "$ART/$p.png" | od -An -c | tr -d ' ')" = '211PNG' ] ||
	    fail "$p.png is not a PNG"
	[ "$(wc -c <"$ART/$p.png")" -gt 20000 ] || fail "$p.png is too small"
done

# --- no network request from file:// (DevTools protocol) -----------------
cat >"$T/control.html" <<'HTML'
<!DOCTYPE html><html><head><title>control</title></head>
<body><img src="http://control.invalid/probe.png"></body></html>
HTML
cdp "$T/cdp.out" "file://$T/control.html" "file://$T/site/index.html" \
    "file://$DPAGE" "file://$rpage"
grep -q '^REQ http://control.invalid/probe.png' "$T/cdp.out" ||
    fail "the control page's request was not seen: the check is blind"
[ "$(grep -c '^LOADED 1' "$T/cdp.out")" -eq 4 ] || fail "pages not loaded"
[ "$(grep -c '^JS 1' "$T/cdp.out")" -eq 3 ] || fail "sort.js did not run"
[ "$(grep -c '^GEN .* generated at 2025-12-03 10:00:00 UTC$' "$T/cdp.out")" -eq 3 ] ||
    fail "the pages do not show the build time: $(grep '^GEN' "$T/cdp.out")"
grep '^REQ ' "$T/cdp.out" | grep -v '^REQ file://' | grep -v control.invalid \
    >"$T/net" && fail "network requests from the site: $(cat "$T/net")"
want=$(grep -c '^REQ file://' "$T/cdp.out")
[ "$want" -eq 13 ] || fail "$want file:// requests, want 13 (pages, css, js)"

# --- incremental and atomic rebuild ---------------------------------------
ino=$(stat -c %i "$T/site/index.html")
dino=$(stat -c %i "$DPAGE")
# every file's inode and mtime (nanoseconds), to see what a run touched
snap() { find "$T/site" -type f ! -name '.dmarcsift-site' -printf '%P %i %T@\n' | sort >"$1"; }
changed() { diff "$1" "$2" | sed -n 's/^> \([^ ]*\) .*/\1/p' | sort | tr '\n' ' '; }
snap "$T/snap1"
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out2" || fail "rebuild"
grep -q '^.*: 0 page(s) written' "$T/out2" ||
    fail "unchanged data rewrote pages: $(cat "$T/out2")"
snap "$T/snap2"
cmp -s "$T/snap1" "$T/snap2" || fail "a rerun touched $(changed "$T/snap1" "$T/snap2")"
# an hour later, same data: only generated.js changes
DMARCSIFT_NOW=$((DMARCSIFT_NOW + 3600))
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out2b" ||
    fail "rebuild an hour later"
grep -q ': 1 page(s) written' "$T/out2b" ||
    fail "a new build time rewrote pages: $(cat "$T/out2b")"
grep -q '11:00:00 UTC' "$T/site/generated.js" || fail "generated.js not updated"
[ "$(stat -c %i "$T/site/index.html")" = "$ino" ] || fail "index rewritten for the time"
[ "$(stat -c %i "$DPAGE")" = "$dino" ] || fail "domain page rewritten for the time"
snap "$T/snap2"
EX=$(ls "$T"/site/domains/example.com-*.html) || fail "no example.com page"
EXS=$(basename "$EX" .html)
# a report in a month example.com has no page for yet (2026-02)
"$GEN" xml --records 3 --seed 5 --domain example.com --org late.example \
    --begin 1769904000 -o "$T/late.xml" >/dev/null || fail "dsgen xml"
"$DS" ingest --db "$DB" -q "$T/late.xml" || fail "ingest late.xml"
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out3" || fail "rebuild 2"
snap "$T/snap3"
last=$(ls "$T/site/reports/$EXS" | grep -v 2026-02 | tail -1)
want="domains/$EXS.html index.html reports/$EXS/$last reports/$EXS/2026-02.html "
[ "$(changed "$T/snap2" "$T/snap3")" = "$want" ] ||
    fail "after a report of a new month: $(changed "$T/snap2" "$T/snap3"), want $want"
# one more in that month: its domain page, its month page, the index
"$GEN" xml --records 2 --seed 6 --domain example.com --org later.example \
    --begin 1770076800 -o "$T/later.xml" >/dev/null || fail "dsgen xml"
"$DS" ingest --db "$DB" -q "$T/later.xml" || fail "ingest later.xml"
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out3b" || fail "rebuild 3"
snap "$T/snap4"
want="domains/$EXS.html index.html reports/$EXS/2026-02.html "
[ "$(changed "$T/snap3" "$T/snap4")" = "$want" ] ||
    fail "after one more report: $(changed "$T/snap3" "$T/snap4"), want $want"
grep -q ': 3 page(s) written' "$T/out3b" || fail "after one report: $(cat "$T/out3b")"
[ "$(stat -c %i "$T/site/index.html")" != "$ino" ] ||
    fail "index rewritten in place, not renamed"
find "$T/site" -name '.*.??????' | grep -q . && fail "temp files left behind"
want=$(($(months) + 1))
[ "$(ls "$T"/site/reports/*/*.html | wc -l)" -eq "$want" ] ||
    fail "not $want month pages"

# --- a page of an earlier run that is not made any more is removed --------
# (a report page of an earlier version, reports/<id>.html, or a month
# whose reports were deleted): listed in the manifest, then gone
stale=$T/site/reports/999999.html
cp "$rpage" "$stale"
echo "$(sha256sum "$stale" | cut -c1-64) $(wc -c <"$stale") - reports/999999.html" \
    >>"$T/site/.dmarcsift-site"
mine=$T/site/reports/mine.html
echo "not ours" >"$mine"
"$DS" html --db "$DB" --offline --out "$T/site" >"$T/out4" || fail "rebuild 3"
[ -f "$stale" ] && fail "stale page kept"
grep -q ', 1 removed' "$T/out4" || fail "removal not counted: $(cat "$T/out4")"
[ -f "$mine" ] || fail "a file the manifest does not list was removed"
echo "t_html: ok ($n pages, artifacts in $ART)"
