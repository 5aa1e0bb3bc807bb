#!/bin/sh
# t_weekly.sh - "dmarcsift weekly" (issue 6): the weekly HTML of a dsgen
# demo database shows the week's totals and last week's (recomputed from
# dsgen's --truth by report midpoint), holds no script, SVG, image or
# stylesheet link (mail clients), renders in headless Chromium without
# anything injected (screenshot to $DS_BUILD/browser-artifacts/); sent
# with --mail-to to an SMTP sink on loopback started here, it arrives as
# multipart/alternative with a text and the same HTML part, to the right
# envelope. A password in a readable config, a server without STARTTLS
# while tls is required, and a header-injecting address are refused.
# SPDX-License-Identifier: MIT
set -u
T_NAME=t_weekly
. "$DS_SRC/tests/browser/lib.sh"

ART=$DS_BUILD/browser-artifacts
mkdir -p "$ART" || fail "mkdir"
DB=$T/dmarc.db
"$GEN" demo -o "$T/demo" --truth "$T/truth.json" >/dev/null || fail "dsgen"
"$DS" ingest --db "$DB" -q "$T/demo" || [ $? -eq 1 ] || fail "ingest"

# week totals from the truth: a report counts in the ISO week of the
# midpoint of its date range (store_senders.h)
week() {
	"$PY" - "$T/truth.json" "$1" "$2" "$3" <<'PY'
import json, sys, datetime
t = json.load(open(sys.argv[1]))
dom, week, what = sys.argv[2], sys.argv[3], sys.argv[4]
y, w = int(week[:4]), int(week[6:])
if what.startswith("prev_"):
    d = datetime.date.fromisocalendar(y, w, 1) - datetime.timedelta(7)
    y, w = d.isocalendar()[:2]
    what = what[5:]
n = 0
for r in t["reports"]:
    if r["domain"] != dom:
        continue
    m = datetime.datetime.fromtimestamp((r["begin"] + r["end"]) // 2,
                                        datetime.timezone.utc)
    if m.isocalendar()[:2] == (y, w):
        n += 1 if what == "reports" else r[what]
print(n)
PY
}

"$DS" weekly --db "$DB" --offline --domain example.com --week 2026-W02 \
    --out "$T/w.html" || fail "weekly --out failed"
for k in messages:w-messages dmarc_fail:w-failing reports:w-reports; do
	v=$("$PY" "$HERE/domq.py" value "$T/w.html" "${k#*:}")
	want=$(week example.com 2026-W02 "${k%%:*}")
	[ "$v" = "$want" ] || fail "${k%%:*}: $v, truth $want"
	[ "$want" -gt 0 ] || fail "fixture has no ${k%%:*} in 2026-W02"
done
prev=$(week example.com 2026-W02 prev_messages)
"$PY" "$HERE/domq.py" text "$T/w.html" w-todo | grep -q . ||
    fail "empty what-to-do list"
grep -q "vs last week ($("$PY" -c "print('{:,}'.format($prev))"))" "$T/w.html" ||
    fail "previous week ($prev) not shown"
grep -Eiq '<(script|svg|img|link|style|iframe)[ >]' "$T/w.html" &&
    fail "mail HTML holds script/svg/img/link/style"
grep -q 'http-equiv="Content-Security-Policy"' "$T/w.html" ||
    fail "no CSP meta"

# default: the last complete ISO week
"$DS" weekly --db "$DB" --offline --domain example.com >"$T/last.html" ||
    fail "weekly to stdout failed"
want=$("$PY" -c "import datetime as d; t=d.date.today()-d.timedelta(7); print('%d-W%02d' % t.isocalendar()[:2])")
v=$("$PY" "$HERE/domq.py" text "$T/last.html" w-week)
[ "$v" = "$want" ] || fail "default week $v, want $want"
"$DS" weekly --db "$DB" --domain example.com --week 2026-W54 >/dev/null \
    2>&1 && fail "2026-W54 accepted"

# in a browser
dom "file://$T/w.html" "$T/w.dom"
"$PY" "$HERE/domq.py" hostile "$T/w.dom" >"$T/bad" || fail "$(cat "$T/bad")"
chrome --hide-scrollbars --window-size=700,1800 \
    --screenshot="$ART/weekly.png" "file://$T/w.html" >/dev/null
[ "$(wc -c <"$ART/weekly.png")" -gt 20000 ] || fail "weekly.png too small"

# --- mail through a loopback SMTP sink ------------------------------------
mkdir "$T/mail" || fail "mkdir"
"$PY" "$HERE/smtp_sink.py" "$T/smtp.port" "$T/mail" &
BG_PIDS="$BG_PIDS $!"
wait_file "$T/smtp.port"
port=$(cat "$T/smtp.port")
cat >"$T/cfg" <<CFG
[smtp]
url = smtp://127.0.0.1:$port
from = dmarc@example.com
tls = none
CFG
"$DS" weekly --db "$DB" --config "$T/cfg" --offline --domain example.com \
    --week 2026-W02 --mail-to postmaster@example.com ||
    fail "weekly --mail-to failed"
[ -f "$T/mail/1.eml" ] || fail "nothing arrived"
grep -qx 'from <dmarc@example.com>' "$T/mail/1.env" || fail "envelope from"
grep -qx 'rcpt <postmaster@example.com>' "$T/mail/1.env" || fail "rcpt"
"$PY" - "$T/mail/1.eml" "$T/w.html" "$(week example.com 2026-W02 messages)" <<'PY' || fail "MIME check failed"
import email, sys
from email import policy
m = email.message_from_binary_file(open(sys.argv[1], "rb"),
                                   policy=policy.default)
def check(c, what):
    if not c:
        sys.exit("t_weekly: " + what)
check(m.get_content_type() == "multipart/alternative", "not alternative")
check(m["Subject"] == "Weekly DMARC report for example.com, 2026-W02",
      "subject %r" % m["Subject"])
check([a.addr_spec for a in m["To"].addresses] == ["postmaster@example.com"],
      "To %r" % m["To"])
check([a.addr_spec for a in m["From"].addresses] == ["dmarc@example.com"],
      "From %r" % m["From"])
check(m["Date"] and m["Message-ID"], "Date/Message-ID")
parts = list(m.iter_parts())
check([p.get_content_type() for p in parts] == ["text/plain", "text/html"],
      "parts %r" % [p.get_content_type() for p in parts])
text, html = [p.get_content().replace("\r\n", "\n") for p in parts]
check(html == open(sys.argv[2], encoding="utf-8").read(),
      "HTML part differs from --out")
n = "{:,}".format(int(sys.argv[3]))
check("Messages" in text and n in text, "text part lacks %s" % n)
check("What to do" in text, "text part lacks the what-to-do list")
PY

# refusals: nothing more arrives
sed 's/^tls = none$/tls = required/' "$T/cfg" >"$T/cfg-tls"
"$DS" weekly --db "$DB" --config "$T/cfg-tls" --offline \
    --domain example.com --week 2026-W02 --mail-to p@example.com 2>"$T/e"
[ $? -eq 75 ] || fail "no STARTTLS but tls required: not refused"
printf 'user = u\npassword = secret\n' >>"$T/cfg" && chmod 644 "$T/cfg"
"$DS" weekly --db "$DB" --config "$T/cfg" --offline --domain example.com \
    --week 2026-W02 --mail-to p@example.com 2>"$T/e"
[ $? -eq 2 ] || fail "password in a 0644 config accepted"
grep -q 'chmod 600' "$T/e" || fail "unclear message: $(cat "$T/e")"
chmod 600 "$T/cfg"
"$DS" weekly --db "$DB" --config "$T/cfg" --offline --domain example.com \
    --week 2026-W02 --mail-to "$(printf 'p@example.com\r\nBcc: x@evil.example')" \
    2>/dev/null
[ $? -eq 2 ] || fail "header injection in --mail-to accepted"
[ "$(ls "$T/mail" | grep -c eml)" -eq 1 ] || fail "refused mail arrived"
echo "t_weekly: ok"
