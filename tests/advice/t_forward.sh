#!/bin/sh
# t_forward.sh - a mailing list (our DKIM signature broken, SPF passing
# for the list's domain), a forwarder rewriting the envelope (DKIM
# passes, SPF passes only for the forwarder: SRS) and one the reporters
# mark "forwarded" (DKIM passes, SPF fails for example.com): all
# forwarders, explained as not the user's to fix, the reporters' reason
# shown; no include, ip4: or signing advice for them, and no spoofing.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario forward
senders
class 198.51.100.50 forwarder
class 198.51.100.60 forwarder
class 198.51.100.70 forwarder
jq -e '.[] | select(.source_ip == "198.51.100.50") | .class_reason |
    contains("broken")' "$T/senders.json" >/dev/null ||
    fail "the list's reason does not say the signature arrives broken"
jq -e '.[] | select(.source_ip == "198.51.100.60") | .class_reason |
    contains("SPF passes for fwd.example.net")' "$T/senders.json" \
    >/dev/null || fail "the SRS forwarder's reason lacks its SPF domain"
jq -e '.[] | select(.source_ip == "198.51.100.70") | .class_reason |
    test("reporters marked [0-9]+ of its [0-9]+ messages forwarded")' \
    "$T/senders.json" >/dev/null ||
    fail "the reporters' 'forwarded' is not in the reason"
doc
has sender-forwarding
# the SRS forwarder passes DMARC on DKIM: nothing would be rejected
ev sender-forwarding '[.sources[].ip] | sort == ["198.51.100.50", "198.51.100.70"]'
ev sender-forwarding '.reporter_reasons > 0'
jq -e 'any(.[]; .code == "sender-forwarding" and (.message |
    test("reporters marked [0-9]+ of them forwarded")))' "$T/doc.json" \
    >/dev/null || fail "doctor does not say what the reporters marked"
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
