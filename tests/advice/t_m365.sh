#!/bin/sh
# t_m365.sh - issue 12's first story: a Microsoft 365 tenant sends a few
# hundred messages a day as example.com from two Microsoft IPs, its
# selector1 key never copied to the DNS host and the SPF record without
# include:spf.protection.outlook.com. senders calls it a service,
# doctor names both records to publish (errors, no "spoofing", no advice
# to enforce) and the weekly says the same; once the zone is fixed the
# two findings are gone.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario m365
senders
class 192.0.2.10 ours
class 40.107.10.20 service
class 40.107.11.21 service
jq -e 'all(.[]; .source_ip != "40.107.10.20" or
    (.class_reason | contains("Microsoft 365")))' "$T/senders.json" \
    >/dev/null || fail "class_reason does not name Microsoft 365"
senders --class service
jq -e 'map(.source_ip) | sort == ["40.107.10.20", "40.107.11.21"]' \
    "$T/senders.json" >/dev/null || fail "--class service: wrong rows"
senders --class unknown
jq -e 'length == 0' "$T/senders.json" >/dev/null ||
    fail "--class unknown lists the tenant"

doc
has dkim-key-missing error
ev dkim-key-missing '.selector == "selector1" and
    .name == "selector1._domainkey.example.com"'
fix dkim-key-missing 'TXT at selector1._domainkey.example.com'
has spf-include-missing error
ev spf-include-missing '.include == "spf.protection.outlook.com" and
    .service == "Microsoft 365"'
fix spf-include-missing '"v=spf1 ip4:192.0.2.0/28 include:spf.protection.outlook.com -all"'
lacks sender-unknown-spoofing
# p=none, and enforcing would reject the tenant's mail: say so, with the
# numbers, and do not recommend p=reject
has dmarc-policy-none
jq -e '.[] | select(.code == "dmarc-policy-none") |
    (.message | contains("do not enforce yet")) and
    (.fix | contains("Publish p=") | not) and
    .evidence.legitimate_failing > 0 and
    .evidence.by_class.service.failing == .evidence.legitimate_failing' \
    "$T/doc.json" >/dev/null || fail "dmarc-policy-none recommends enforcing"

weekly
todo_has 'dkim-key-missing'
todo_has 'selector1._domainkey.example.com'
todo_has 'include:spf.protection.outlook.com'
todo_lacks 'spoof'
todo_lacks 'Publish p=reject'

# the records published: both findings gone, the tenant still a service
ZONE="$S/zone.fixed"
doc
lacks dkim-key-missing
lacks spf-include-missing
lacks sender-unknown-spoofing
senders
class 40.107.10.20 service
echo "1 passed, 0 failed"
