#!/bin/sh
# t_own.sh - the domain's own second server (forward-confirmed PTR
# mail2.example.com) signs with DKIM but is not in SPF: ours, and doctor
# names the ip4: to add; with it added the finding is gone. A third
# server without a PTR record passes aligned DKIM with SPF failing for
# example.com itself: ours (never a forwarder, issue 12 (b)), and no
# ip4: is proposed for an address nothing but DKIM vouches for.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario own
senders
class 192.0.2.10 ours
class 192.0.2.20 ours
class 192.0.2.30 ours
jq -e '.[] | select(.source_ip == "192.0.2.30") | .class_reason |
    contains("aligned DKIM, selector s1")' "$T/senders.json" >/dev/null ||
    fail "192.0.2.30's reason does not name its DKIM pass"
doc
has spf-ip-missing
fix spf-ip-missing '"v=spf1 ip4:192.0.2.10 ip4:192.0.2.20 -all"'
ev spf-ip-missing '[.sources[].ip] == ["192.0.2.20"]'
lacks sender-forwarding
lacks sender-unknown-spoofing
nofix 'ip4:192.0.2.30'
weekly
todo_has 'ip4:192.0.2.20'
ZONE="$S/zone.fixed"
doc
lacks spf-ip-missing
echo "1 passed, 0 failed"
