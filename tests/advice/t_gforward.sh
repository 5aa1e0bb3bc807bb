#!/bin/sh
# t_gforward.sh - Google IPs are both the domain's Google Workspace and
# Gmail forwarding / Google Groups: the Workspace (its own selector
# "google", envelope in the domain, SPF include missing) is a service
# and gets the include; Gmail forwarding (the original's s1 intact,
# envelope gmail.com) and a Google Group (s1 broken by its footer,
# envelope googlegroups.com, failing steadily) are forwarders that get
# no include, no spoofing (the weekly marks them forwarder); with the
# include published only they stay.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario gforward
senders
class 192.0.2.10 ours
class 209.85.220.41 service
class 209.85.220.69 forwarder
class 209.85.220.70 forwarder
jq -e '.[] | select(.source_ip == "209.85.220.69") | .class_reason |
    contains("gmail.com") and contains("Gmail forwarding")' \
    "$T/senders.json" >/dev/null || fail "Gmail forwarding reason"
jq -e '.[] | select(.source_ip == "209.85.220.70") | .class_reason |
    contains("googlegroups.com")' "$T/senders.json" >/dev/null ||
    fail "Google Group reason"
doc
has spf-include-missing
ev spf-include-missing '[.sources[].ip] == ["209.85.220.41"]'
fix spf-include-missing 'include:_spf.google.com'
has sender-forwarding
ev sender-forwarding '[.sources[].ip] == ["209.85.220.70"]'
lacks sender-unknown-spoofing
lacks dkim-key-missing
weekly
todo_has 'include:_spf.google.com'
todo_has 'sender-forwarding'
# the weekly's failing sources carry the class: the Google Group is a
# forwarder, not Google failing for the domain
python3 "$DS_SRC/tests/browser/domq.py" text "$T/w.html" w-fail |
    grep -q '209.85.220.70Googleforwarder' ||
    fail "weekly: $(python3 "$DS_SRC/tests/browser/domq.py" text "$T/w.html" w-fail)"
ZONE="$S/zone.fixed"
doc
lacks spf-include-missing
has sender-forwarding
echo "1 passed, 0 failed"
