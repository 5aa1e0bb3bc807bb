#!/bin/sh
# t_forward.sh - a mailing list (our DKIM signature broken, SPF passing
# for the list's domain) and a plain forwarder (DKIM passes, SPF fails
# for example.com): both forwarders, explained as not the user's to fix;
# no include, ip4: or signing advice for them, and no spoofing.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario forward
senders
class 198.51.100.50 forwarder
class 198.51.100.60 forwarder
jq -e '.[] | select(.source_ip == "198.51.100.50") | .class_reason |
    contains("broken")' "$T/senders.json" >/dev/null ||
    fail "the list's reason does not say the signature arrives broken"
doc
has sender-forwarding
ev sender-forwarding '[.sources[].ip] | sort == ["198.51.100.50", "198.51.100.60"]'
fix sender-forwarding 'ARC'
lacks sender-unknown-spoofing
lacks spf-include-missing
lacks spf-ip-missing
lacks dkim-key-missing
weekly
todo_has 'sender-forwarding'
todo_lacks 'include:'
todo_lacks 'ip4:'
echo "1 passed, 0 failed"
