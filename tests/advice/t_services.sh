#!/bin/sh
# t_services.sh - Google Workspace, SendGrid and Mailchimp sign with DKIM
# for example.com but none is in its SPF record: each is a service, and
# doctor (and the weekly) names the include that service documents;
# with the includes published the findings are gone.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario esp
senders
class 209.85.220.41 service
class 167.89.123.45 service
class 205.201.131.5 service
doc
for inc in _spf.google.com sendgrid.net servers.mcsv.net; do
	jq -e --arg i "$inc" 'any(.[]; .code == "spf-include-missing" and
	    .evidence.include == $i and (.fix | contains("include:" + $i)))' \
	    "$T/doc.json" >/dev/null || fail "no spf-include-missing for $inc"
done
# every fix names the same one record with all three includes, whole
# (followed one by one, records adding one include each would undo each
# other), and the zone.fixed record is exactly that record
want=$(sed -n 's/^example.com. IN TXT "\(v=spf1 .*\)"$/\1/p' "$S/zone.fixed")
[ -n "$want" ] || fail "no SPF record in zone.fixed"
jq -e --arg r "\"$want\". This record adds all 3 missing entries" \
    '[.[] | select(.code == "spf-include-missing")] | length == 3 and
    all(.fix | contains($r))' "$T/doc.json" >/dev/null ||
    fail "the include fixes do not all name \"$want\": $(jq -r '.[] |
    select(.code == "spf-include-missing") | .fix' "$T/doc.json")"
# DKIM carries their mail, so DMARC passes: a warning, not an error
jq -e 'all(.[]; .code != "spf-include-missing" or .severity == "warning")' \
    "$T/doc.json" >/dev/null || fail "include findings should be warnings"
lacks sender-unknown-spoofing
lacks dkim-key-missing
weekly
todo_has 'include:_spf.google.com'
todo_has 'include:sendgrid.net'
todo_has 'include:servers.mcsv.net'
ZONE="$S/zone.fixed"
doc
lacks spf-include-missing
echo "1 passed, 0 failed"
