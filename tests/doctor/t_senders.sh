#!/bin/sh
# t_senders.sh - doctor's sender findings: sender-unknown-spoofing
# (unsigned DMARC failures in volume; warning under p=none, info when
# the policy already rejects), sender-forwarding (our signature broken
# by a list, a forwarded reason, DKIM pass with SPF fail from a host
# that is neither ours nor a service), and for our own passing IPs
# sender-ptr-missing, sender-fcrdns-mismatch and sender-ptr-unaligned,
# each gone once the PTR/A records are fixed in the zone.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

cat >"$T/r" <<'R'
192.0.2.10 500 pass pass example.com example.com:s1:pass example.com:pass
192.0.2.20 40 pass pass example.com example.com:s1:pass example.com:pass
192.0.2.30 30 pass pass example.com example.com:s1:pass example.com:pass
192.0.2.40 20 pass pass example.com example.com:s1:pass example.com:pass
203.0.113.5 60 fail fail example.com - example.com:fail
203.0.113.6 5 fail fail example.com - example.com:softfail
203.0.113.7 12 fail fail example.com example.com:fake:fail example.com:fail
198.51.100.50 30 fail fail example.com example.com:s1:fail,list.example.org:l1:pass list.example.org:pass
198.51.100.55 4 fail fail example.com - example.com:fail forwarded
198.51.100.60 25 pass fail example.com example.com:s1:pass example.com:fail
198.51.100.70 8 pass fail example.com example.com:s1:pass example.com:fail
R
report google.com 2 "$T/r"
KEY=$(openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    2>/dev/null | openssl pkey -pubout -outform DER | base64 | tr -d '\n')
BASE="s1._domainkey.example.com. IN TXT $(txt "v=DKIM1; p=$KEY")
30.2.0.192.in-addr.arpa. IN PTR host30.example.com.
40.2.0.192.in-addr.arpa. IN PTR vps40.hoster.example.net.
vps40.hoster.example.net. IN A 192.0.2.40
70.100.51.198.in-addr.arpa. IN PTR mout.gmx.net.
mout.gmx.net. IN A 198.51.100.70"

DMARC="v=DMARC1; p=none; rua=mailto:dmarc@example.com"
EXTRA="$BASE"
doc
has sender-unknown-spoofing warning
# a forged d=example.com signature with a selector never seen passing
# is spoofing too
ev sender-unknown-spoofing '.messages == 77 and (.sources | length) == 3'
ev sender-unknown-spoofing '[.sources[].ip] | index("203.0.113.7") != null'
ev sender-unknown-spoofing '.sources[0].ip == "203.0.113.5"'
fix sender-unknown-spoofing 'p=quarantine, then p=reject'
# the reporter marked 198.51.100.55's mail "forwarded": evidence the
# receiver has (RFC 7489 appendix C PolicyOverrideType), so it is a
# forwarder with that reason in "why", not spoofing
ev sender-unknown-spoofing '[.sources[].ip] | index("198.51.100.55") == null'
ev sender-unknown-spoofing 'all(.sources[]; .class == "unknown")'
# the list (our signature broken), the "forwarded" one and GMX (a
# mailbox provider: its users forwarding) are forwarding, not
# spoofing, and need no include; 198.51.100.60 passes aligned DKIM with
# SPF failing for example.com itself: the domain's own signing server,
# never a forwarder (issue 12 (b))
has sender-forwarding info
ev sender-forwarding '.messages == 42'
ev sender-forwarding '[.sources[].ip] | sort == ["198.51.100.50", "198.51.100.55", "198.51.100.70"]'
ev sender-forwarding '.sources[] | select(.ip == "198.51.100.55") | .class_reason | contains("marked 4 of its 4 messages forwarded")'
ev sender-forwarding '.reporter_reasons == 4'
msg sender-forwarding 'the reporters marked 4 of them forwarded, mailing_list or trusted_forwarder'
ev sender-forwarding 'all(.sources[]; .class == "forwarder")'
ev sender-forwarding '.sources[] | select(.ip == "198.51.100.70") | .service == "GMX / Web.de"'
fix sender-forwarding 'keep DKIM signing'
lacks spf-include-missing

has sender-ptr-missing warning
ev sender-ptr-missing '[.sources[].ip] == ["192.0.2.20"]'
fix sender-ptr-missing 'set the PTR of 192.0.2.20'
has sender-fcrdns-mismatch warning
ev sender-fcrdns-mismatch '.sources[0].ptr == "host30.example.com"'
fix sender-fcrdns-mismatch 'Publish an A record for host30.example.com pointing to 192.0.2.30'
has sender-ptr-unaligned info
ev sender-ptr-unaligned '.sources[0].ptr == "vps40.hoster.example.net"'
fix sender-ptr-unaligned 'name under example.com'

# p=reject: the spoofing is already blocked
DMARC="v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
doc
has sender-unknown-spoofing info
fix sender-unknown-spoofing 'Nothing to change'

# PTRs fixed
EXTRA="s1._domainkey.example.com. IN TXT $(txt "v=DKIM1; p=$KEY")
20.2.0.192.in-addr.arpa. IN PTR mail20.example.com.
mail20.example.com. IN A 192.0.2.20
30.2.0.192.in-addr.arpa. IN PTR host30.example.com.
host30.example.com. IN A 192.0.2.30
40.2.0.192.in-addr.arpa. IN PTR mail40.example.com.
mail40.example.com. IN A 192.0.2.40"
doc
lacks sender-ptr-missing
lacks sender-fcrdns-mismatch
lacks sender-ptr-unaligned

# offline: no PTR lookups, said so, no sender PTR findings
"$DS_BIN" doctor example.com --db "$DB" --offline --format json \
    >"$T/out.json" || true
has doctor-dns-unavailable info
ev doctor-dns-unavailable '.checks | index("SPF record: offline (no DNS)") != null'
fix doctor-dns-unavailable '--dns-zone FILE'
lacks sender-ptr-missing
echo "1 passed, 0 failed"
