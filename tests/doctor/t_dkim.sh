#!/bin/sh
# t_dkim.sh - doctor's DKIM findings (RFC 6376 §3.6.1, RFC 8301) on zone
# files with keys made by openssl: dkim-key-missing, dkim-key-revoked,
# dkim-key-malformed for a selector seen failing in reports,
# dkim-key-too-short (RSA 512) and dkim-key-weak (RSA 1024), absent with
# a 2048-bit key; dkim-selector-inconsistent when a selector passes at
# one reporter and fails at another.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null 2>&1 || fail "openssl not installed"

key() {
	openssl genpkey -algorithm RSA -pkeyopt "rsa_keygen_bits:$1" \
	    2>/dev/null | openssl pkey -pubout -outform DER 2>/dev/null |
	    base64 | tr -d '\n'
}
K512=$(key 512)
K1024=$(key 1024)
K2048=$(key 2048)
[ -n "$K512" ] && [ -n "$K2048" ] || fail "openssl made no keys"
sel() {
	echo "$1._domainkey.example.com. IN TXT $(txt "$2")"
}

# s1 fails everywhere; s2 passes at google, fails at yahoo; s3 fails
# twice at yahoo only (too few to judge)
cat >"$T/g" <<'R'
192.0.2.10 100 pass pass example.com example.com:s1:fail,example.com:s2:pass,example.com:s3:pass example.com:pass
R
cat >"$T/y" <<'R'
192.0.2.10 20 pass pass example.com example.com:s1:fail,example.com:s2:fail example.com:pass
192.0.2.10 2 pass pass example.com example.com:s3:fail example.com:pass
203.0.113.5 30 fail fail example.com example.com:default:fail example.com:fail
R
report google.com 2 "$T/g"
report yahoo.com 2 "$T/y"
S23="$(sel s2 "v=DKIM1; k=rsa; p=$K2048")
$(sel s3 "v=DKIM1; k=rsa; p=$K2048")"

EXTRA="$S23"
doc
has dkim-key-missing error
ev dkim-key-missing '.selector == "s1" and .name == "s1._domainkey.example.com"'
ev dkim-key-missing '.messages_fail == 120 and .reporters == 2'
# "default" only ever failed, on mail SPF does not vouch for either: a
# spoofer's made-up selector, no key to publish
n=$(jq '[.[] | select(.code == "dkim-key-missing")] | length' "$T/out.json")
[ "$n" -eq 1 ] || fail "$n dkim-key-missing findings, want 1 (s1)"
fix dkim-key-missing 'Publish the public key of selector s1 as TXT at s1._domainkey.example.com'
[ "$RC" -eq 1 ] || fail "missing key exits $RC, want 1"

EXTRA="$S23
$(sel s1 "v=DKIM1; k=rsa; p=")"
doc
has dkim-key-revoked error
lacks dkim-key-missing
fix dkim-key-revoked 'switch the signing server'

EXTRA="$S23
$(sel s1 "v=DKIM1; k=rsa; p=!!not-base64")"
doc
has dkim-key-malformed error
ev dkim-key-malformed '.detail | contains("base64")'

EXTRA="$S23
$(sel s1 "v=DKIM1; k=rsa; p=$K512")"
doc
has dkim-key-too-short error
ev dkim-key-too-short '.bits == 512'
fix dkim-key-too-short 'Generate a 2048-bit RSA key'
lacks dkim-key-missing

EXTRA="$S23
$(sel s1 "v=DKIM1; k=rsa; p=$K1024")"
doc
has dkim-key-weak warning
ev dkim-key-weak '.bits == 1024'
lacks dkim-key-too-short

EXTRA="$S23
$(sel s1 "v=DKIM1; k=rsa; p=$K2048")"
doc
for c in dkim-key-missing dkim-key-revoked dkim-key-malformed \
    dkim-key-too-short dkim-key-weak; do
	lacks $c
done

# s2: works at google, fails at yahoo; s3's two failures are too few
has dkim-selector-inconsistent warning
ev dkim-selector-inconsistent '.selector == "s2" and .passing_at == ["google.com"] and .failing_at == ["yahoo.com"]'
ev dkim-selector-inconsistent '.per_reporter["yahoo.com"].fail == 20'
fix dkim-selector-inconsistent 'private key'
n=$(jq '[.[] | select(.code == "dkim-selector-inconsistent")] | length' \
    "$T/out.json")
[ "$n" -eq 1 ] || fail "$n inconsistent selectors, want 1 (s2)"
# s1 has failures at both reporters and no pass: not inconsistent
jq -e 'all(.[]; .code != "dkim-selector-inconsistent" or .evidence.selector != "s1")' \
    "$T/out.json" >/dev/null || fail "s1 reported inconsistent"

# a failure report (RFC 6591) naming selector arf1, whose mail SPF
# vouched for (Identity-Alignment: spf): its key is missing too
arf() {
	d=$(date -u -R -d "@$((NOW - 2 * 86400))")
	printf '%s\n' "From: DMARC Failure Reports <ruf@reporter.example>" \
	    "To: dmarc-ruf@example.com" "Subject: DMARC failure report" \
	    "Date: $d" "Message-ID: <arf-$1@reporter.example>" \
	    "MIME-Version: 1.0" "Content-Type: multipart/report;" \
	    " report-type=feedback-report; boundary=\"b1\"" "" "--b1" \
	    "Content-Type: text/plain" "" "failure report" "" "--b1" \
	    "Content-Type: message/feedback-report" "" \
	    "Feedback-Type: auth-failure" "Version: 1" "Arrival-Date: $d" \
	    "Source-IP: 192.0.2.10" "Reported-Domain: example.com" \
	    "Auth-Failure: dkim" "DKIM-Domain: example.com" \
	    "DKIM-Selector: arf1" "Identity-Alignment: spf" "" "--b1" \
	    "Content-Type: text/rfc822-headers" "" \
	    "From: someone@example.com" "Subject: hello" "" "--b1--"
}
arf 1 >"$T/arf1.eml"
arf 2 >"$T/arf2.eml"
"$DS_BIN" ingest -q --offline --db "$DB" "$T/arf1.eml" "$T/arf2.eml" ||
    fail "ingest of the failure reports failed"
doc
# two failure reports against 152 messages: not much of the mail, so a
# warning (an error is for a selector carrying >= 10 %, as s1 above)
has dkim-key-missing warning
ev dkim-key-missing '.selector == "arf1" and .messages_fail == 2'
ev dkim-key-missing '.share_of_mail < 10'
fix dkim-key-missing 'TXT at arf1._domainkey.example.com'
EXTRA="$EXTRA
$(sel arf1 "v=DKIM1; k=rsa; p=$K2048")"
doc
lacks dkim-key-missing
echo "1 passed, 0 failed"
