#!/bin/sh
# t_reporting.sh - doctor's reporting findings: reporting-none (no
# aggregate report in the period, none stored or only older ones),
# reporter-silent (a daily reporter that stopped a week ago, not with
# --until before it stopped, gone once it reports again) and
# reporting-gaps (a day without any report between reports).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

cat >"$T/r" <<'R'
192.0.2.10 50 pass pass example.com example.com:s1:pass example.com:pass
R
doc
has reporting-none warning
ev reporting-none '.reports_before == 0 and .rua == ["mailto:dmarc@example.com"]'
fix reporting-none 'rua='

# reports only from 60 days ago
report google.com 60 "$T/r"
doc
has reporting-none warning
ev reporting-none '.reports_before == 1'

# google daily, yahoo daily until 8 days ago; nobody reported 11 days ago
daily google.com 20 12 "$T/r"
daily google.com 10 1 "$T/r"
daily yahoo.com 20 12 "$T/r"
daily yahoo.com 10 8 "$T/r"
doc
lacks reporting-none
has reporter-silent warning
ev reporter-silent '(.reporters | length) == 1 and .reporters[0].org_name == "yahoo.com"'
ev reporter-silent '.reporters[0].days_silent == 7 and .reporters[0].reports_before == 12'
fix reporter-silent 'rua= mailbox still receives'
has reporting-gaps info
day=$(date -u -d "@$((TODAY - 11 * 86400))" +%Y-%m-%d)
ev reporting-gaps ".days == [\"$day\"] and .days_without_reports == 1"
fix reporting-gaps 'quarantined input'

# as seen 8 days ago, yahoo was not silent
doc --until "@$((TODAY - 7 * 86400))"
lacks reporter-silent

report yahoo.com 1 "$T/r"
report google.com 11 "$T/r"
doc
lacks reporter-silent
lacks reporting-gaps
[ "$RC" -eq 0 ] || fail "clean reporting exits $RC"
echo "1 passed, 0 failed"
