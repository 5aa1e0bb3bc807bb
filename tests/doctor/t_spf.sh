#!/bin/sh
# t_spf.sh - doctor's SPF findings (RFC 7208) on zone files:
# spf-missing, spf-multiple-records, spf-permerror, spf-too-many-lookups
# (include chains counted recursively), spf-void-lookups, spf-pass-all,
# spf-neutral-all (also through redirect), spf-ptr, spf-include-missing
# (a known service passing DKIM but failing SPF: its include named) and
# spf-ip-missing (our own server); present, then absent once fixed.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

cat >"$T/good" <<'R'
192.0.2.10 200 pass pass example.com example.com:s1:pass example.com:pass
R
daily google.com 3 1 "$T/good"
spf_codes="spf-missing spf-multiple-records spf-permerror spf-too-many-lookups
spf-void-lookups spf-pass-all spf-neutral-all spf-ptr spf-include-missing
spf-ip-missing"
clean() {
	for c in $spf_codes; do
		lacks "$c"
	done
}

doc
clean

SPF=""
doc
has spf-missing warning
fix spf-missing 'v=spf1 mx -all'

SPF="v=spf1 ip4:192.0.2.0/24 -all"
EXTRA='example.com. IN TXT "v=spf1 mx -all"'
doc
has spf-multiple-records error
fix spf-multiple-records 'Merge them into one v=spf1 record'
EXTRA=""

# 4 includes of "a mx": 4 * 3 = 12 DNS-querying terms
inc() {
	for n in "$@"; do
		echo "i$n.example.net. IN TXT \"v=spf1 a mx -all\""
		echo "i$n.example.net. IN A 192.0.2.$n"
		echo "i$n.example.net. IN MX 10 i$n.example.net."
	done
}
EXTRA=$(inc 1 2 3 4)
SPF="v=spf1 include:i1.example.net include:i2.example.net include:i3.example.net include:i4.example.net -all"
doc
has spf-too-many-lookups error
ev spf-too-many-lookups '.lookups == 12 and .limit == 10'
ev spf-too-many-lookups '.terms | index("i4.example.net: mx") != null'
fix spf-too-many-lookups 'Bring it to 10 or fewer'
lacks spf-void-lookups
SPF="v=spf1 include:i1.example.net include:i2.example.net include:i3.example.net -all"
doc
lacks spf-too-many-lookups

# void lookups: names that do not exist
SPF="v=spf1 a:gone1.example.com a:gone2.example.com mx:gone3.example.com -all"
doc
has spf-void-lookups error
ev spf-void-lookups '.void_lookups == 3'
fix spf-void-lookups 'gone1.example.com'
SPF="v=spf1 a:gone1.example.com ip4:192.0.2.0/24 -all"
doc
has spf-void-lookups warning
SPF="v=spf1 a:mail.example.com ip4:192.0.2.0/24 -all"
doc
lacks spf-void-lookups

for q in + ""; do
	SPF="v=spf1 ip4:192.0.2.0/24 ${q}all"
	doc
	has spf-pass-all error
	fix spf-pass-all '"v=spf1 ip4:192.0.2.0/24 -all"'
done
SPF="v=spf1 ip4:192.0.2.0/24 ?all"
doc
has spf-neutral-all warning
lacks spf-pass-all
fix spf-neutral-all '"v=spf1 ip4:192.0.2.0/24 -all"'
SPF="v=spf1 redirect=_spf.example.com"
EXTRA='_spf.example.com. IN TXT "v=spf1 ip4:192.0.2.0/24 ?all"'
doc
has spf-neutral-all warning
EXTRA='_spf.example.com. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"'
doc
lacks spf-neutral-all
EXTRA=""

SPF="v=spf1 ptr ip4:192.0.2.0/24 -all"
doc
has spf-ptr warning
fix spf-ptr 'Replace ptr'

SPF="v=spf1 include:nospf.example.net -all"
EXTRA='nospf.example.net. IN TXT "just text"'
doc
has spf-permerror error
ev spf-permerror '.errors[0] | contains("nospf.example.net has no SPF record")'
fix spf-permerror 'every include has exactly one v=spf1 record'
SPF="v=spf1 ip4:999.0.2.0/24 -all"
doc
has spf-permerror error
ev spf-permerror '.errors[0] | contains("ip4:999.0.2.0/24")'
EXTRA=""

# Google Workspace mail passing DKIM, failing SPF; and our own mx2
cat >"$T/esp" <<'R'
209.85.220.41 50 pass fail example.com example.com:google:pass example.com:softfail
198.51.100.20 30 pass fail example.com example.com:s1:pass example.com:fail
R
report google.com 2 "$T/esp"
EXTRA='41.220.85.209.in-addr.arpa. IN PTR mail-sor-f41.google.com.
mail-sor-f41.google.com. IN A 209.85.220.41
_spf.google.com. IN TXT "v=spf1 ip4:209.85.128.0/17 ~all"
20.100.51.198.in-addr.arpa. IN PTR mx2.example.com.
mx2.example.com. IN A 198.51.100.20'
SPF="v=spf1 ip4:192.0.2.0/24 -all"
doc
has spf-include-missing warning
ev spf-include-missing '.service == "Google" and .include == "_spf.google.com" and .messages == 50'
ev spf-include-missing '.sources[0].ip == "209.85.220.41"'
# both fixes name one record with both entries: followed one after the
# other, two records each adding only its own entry would undo the first
fix spf-include-missing '"v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ip4:198.51.100.20 -all". This record adds all 2 missing entries'
has spf-ip-missing warning
fix spf-ip-missing '"v=spf1 ip4:192.0.2.0/24 include:_spf.google.com ip4:198.51.100.20 -all". This record adds all 2 missing entries'
SPF="v=spf1 ip4:192.0.2.0/24 include:_spf.google.com -all"
doc
lacks spf-include-missing
# the include alone does not cover mx2
has spf-ip-missing
SPF="v=spf1 ip4:192.0.2.0/24 ip4:198.51.100.16/28 include:_spf.google.com -all"
doc
lacks spf-ip-missing
SPF="v=spf1 ip4:192.0.2.0/24 a:mx2.example.com include:_spf.google.com -all"
doc
lacks spf-ip-missing

# SendGrid (by its IP range) with the envelope at bounce.example.com:
# the include belongs in that subdomain's SPF record
cat >"$T/sg" <<'R'
167.89.1.1 40 pass fail example.com example.com:s1:pass bounce.example.com:fail
R
report google.com 1 "$T/sg"
EXTRA="$EXTRA
bounce.example.com. IN TXT \"v=spf1 -all\"
sendgrid.net. IN TXT \"v=spf1 ip4:167.89.0.0/17 -all\""
doc
has spf-include-missing warning
ev spf-include-missing '.service == "SendGrid" and .spf_domain == "bounce.example.com" and .messages == 40'
fix spf-include-missing 'add include:sendgrid.net to the SPF record of bounce.example.com: "v=spf1 include:sendgrid.net -all"'
EXTRA=$(printf '%s\n' "$EXTRA" | sed 's/^bounce.example.com.*/bounce.example.com. IN TXT "v=spf1 include:sendgrid.net -all"/')
doc
jq -e 'all(.[]; .code != "spf-include-missing" or .evidence.service != "SendGrid")' \
    "$T/out.json" >/dev/null || fail "SendGrid still missing after the fix"
echo "1 passed, 0 failed"
