#!/bin/sh
# t_own.sh - the domain's own second server (forward-confirmed PTR
# mail2.example.com) signs with DKIM but is not in SPF: ours, and doctor
# names the ip4: to add; with it added the finding is gone.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario own
senders
class 192.0.2.10 ours
class 192.0.2.20 ours
doc
has spf-ip-missing
fix spf-ip-missing '"v=spf1 ip4:192.0.2.10 ip4:192.0.2.20 -all"'
lacks sender-forwarding
lacks sender-unknown-spoofing
weekly
todo_has 'ip4:192.0.2.20'
ZONE="$S/zone.fixed"
doc
lacks spf-ip-missing
echo "1 passed, 0 failed"
