#!/bin/sh
# t_spoof.sh - sporadic spoofers (one reporter, every few days), DKIM
# signed for foreign domains or not at all: unknown, called spoofing,
# and never told to sign or be added to SPF (issue 12: the weekly used
# to tell them to "sign with d=example.com"); the domain's own server
# is ours.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario spoof
senders
class 192.0.2.10 ours
class 203.0.113.5 unknown
class 203.0.113.66 unknown
class 198.18.7.9 unknown
jq -e '.[] | select(.source_ip == "203.0.113.5") | .class_reason |
    contains("only for bulk-mailer.example.net")' "$T/senders.json" \
    >/dev/null || fail "foreign DKIM pass not named in the reason"
"$DS_BIN" senders --db "$DB" --domain example.com --dns-zone "$ZONE" \
    >"$T/text" || fail "senders text failed"
grep -q '^unknown: 3 sources' "$T/text" || fail "text not grouped by class"
awk 'length($0) > 80 { exit 1 }' "$T/text" || fail "text wider than 80"
doc
has sender-unknown-spoofing warning
ev sender-unknown-spoofing '(.sources | length) == 3 and
    all(.sources[]; .class == "unknown")'
lacks spf-include-missing
lacks spf-ip-missing
lacks dkim-key-missing
nofix 'd=example.com'
nofix 'include:'
weekly
todo_has 'sender-unknown-spoofing'
todo_lacks 'sign with'
todo_lacks 'd=example.com'
todo_lacks 'include:'
echo "1 passed, 0 failed"
