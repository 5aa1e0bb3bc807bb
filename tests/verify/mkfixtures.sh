#!/bin/sh
# mkfixtures.sh OUTDIR - make the re-verification fixtures: fresh DKIM
# keys, signed messages and the zone files that make each case pass or
# fail for a known reason. Reusable (e.g. to wrap the samples as ARF
# failure reports); needs openssl, opendkim-genkey (opendkim-tools) and
# the dkimsign helper ($DS_DKIMSIGN, else $DS_BUILD/tests/dkimsign).
# SPDX-License-Identifier: MIT
#
# Writes into OUTDIR:
#   keys/           k2048.pem (opendkim-genkey), k1024.pem, ed.pem
#                   (Ed25519, RFC 8463), rotold.pem, rotnew.pem
#   zone            RFC 1035 master file with every record the cases need
#   whatif.zone     the same with the ESP include added to example.com SPF
#   *.eml           the messages (CRLF); headers-only.eml has no body
#   cases.tsv       one line per case, tab-separated, '-' for none:
#     1 case          name
#     2 file          message file in OUTDIR
#     3 zone          zone file in OUTDIR (zone or whatif.zone)
#     4 source_ip     SMTP client IP (Source-IP)
#     5 mail_from     RFC5321.MailFrom (Original-Mail-From)
#     6 spf           expected SPF result, "null" when not checked
#     7 spf_reason    substring of the expected SPF reason
#     8 dkim          expected DKIM results in header order, comma-separated
#     9 dkim_reason   substring of the first signature's reason
#    10 dmarc         expected DMARC result
#    11 policy        expected policy applied, "null" when none
#    12 aligned       "spf,dkim" alignment as two digits, e.g. 01
#    13 dmarc_reason  substring of the expected DMARC reason
#    14 headers_only  1 when the sample is text/rfc822-headers
# Domains: example.com (p=quarantine sp=none np=reject, relaxed),
# example.org (adkim=s aspf=s), example.net (no DMARC record),
# shop.test under a public suffix record at _dmarc.test (psd=y).
set -eu
OUT=${1:?usage: mkfixtures.sh OUTDIR}
SIGN=${DS_DKIMSIGN:-${DS_BUILD:-build}/tests/dkimsign}
[ -x "$SIGN" ] || { echo "mkfixtures: no dkimsign at $SIGN" >&2; exit 1; }
case $SIGN in /*) ;; *) SIGN=$(pwd)/$SIGN;; esac
mkdir -p "$OUT/keys"
cd "$OUT"

# keys
opendkim-genkey --bits=2048 --domain=example.com --selector=k2048 \
    --directory=keys
mv keys/k2048.private keys/k2048.pem
for k in k1024 rotold; do
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
	    -out keys/$k.pem 2>/dev/null
done
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out keys/rotnew.pem 2>/dev/null
openssl genpkey -algorithm ed25519 -out keys/ed.pem 2>/dev/null
rsapub() { openssl pkey -in "keys/$1.pem" -pubout -outform DER | base64 -w0; }
edpub() { openssl pkey -in keys/ed.pem -pubout -outform DER | tail -c 32 | base64 -w0; }
# a TXT record split into quoted strings of at most 200 bytes
txt() { printf '%s IN TXT (' "$1"; printf '%s' "$2" | fold -w 200 |
	while IFS= read -r part || [ -n "$part" ]; do printf ' "%s"' "$part"; done; echo ' )'; }

K2048=$(rsapub k2048)
zone() { # $1: the example.com SPF record
	cat <<EOF
\$TTL 300
\$ORIGIN example.com.
@		IN A 192.0.2.1
@		IN MX 10 mx.example.com.
mx		IN A 192.0.2.25
sub		IN A 192.0.2.2
@		IN TXT "$1"
_dmarc		IN TXT "v=DMARC1; p=quarantine; sp=none; np=reject; rua=mailto:dmarc@example.com"
bounce		IN TXT "v=spf1 ip4:192.0.2.0/24 ~all"
many		IN TXT "v=spf1 a:h1.example.com a:h2.example.com include:i1.example.com -all"
i1		IN TXT "v=spf1 a:h3.example.com a:h4.example.com include:i2.example.com ?all"
i2		IN TXT "v=spf1 a:h5.example.com a:h6.example.com include:i3.example.com ?all"
i3		IN TXT "v=spf1 a:h7.example.com a:h8.example.com a:h9.example.com ?all"
brokeninc	IN TXT "v=spf1 include:gone.example.net -all"
voids		IN TXT "v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ip4:192.0.2.0/24 -all"
ptr		IN TXT "v=spf1 ptr:example.com -all"
v6		IN TXT "v=spf1 ip6:2001:db8:25::/48 a:mx6.example.com -all"
mx6		IN AAAA 2001:db8:99::25
exists		IN TXT "v=spf1 exists:%{i}._allow.example.com -all"
192.0.2.88._allow IN A 127.0.0.2
helo		IN TXT "v=spf1 a:mx.example.com -all"
revoked._domainkey IN TXT "v=DKIM1; k=rsa; p="
ed._domainkey	IN TXT "v=DKIM1; k=ed25519; p=$(edpub)"
EOF
	for h in h1 h2 h3 h4 h5 h6 h7 h8 h9; do echo "$h IN A 203.0.113.99"; done
	# opendkim-genkey's own zone stub: TXT split into several strings
	cat keys/k2048.txt
	txt k1024._domainkey "v=DKIM1; k=rsa; p=$(rsapub k1024)"
	txt rot._domainkey "v=DKIM1; k=rsa; p=$(rsapub rotnew)"
	txt k2048._domainkey.mail "v=DKIM1; k=rsa; p=$K2048"
	cat <<EOF
\$ORIGIN 2.0.192.in-addr.arpa.
77		IN PTR host77.example.com.
78		IN PTR host78.example.net.
\$ORIGIN example.com.
host77		IN A 192.0.2.77
\$ORIGIN example.net.
host78		IN A 192.0.2.78
\$ORIGIN example.org.
@		IN A 192.0.2.3
_dmarc		IN TXT "v=DMARC1; p=reject; adkim=s; aspf=s"
@		IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
mail		IN TXT "v=spf1 ip4:192.0.2.0/24 -all"
\$ORIGIN example.net.
@		IN A 192.0.2.4
@		IN TXT "v=spf1 ip4:198.51.100.0/24 -all"
_spf.esp	IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"
\$ORIGIN test.
_dmarc		IN TXT "v=DMARC1; p=reject; psd=y"
shop		IN A 192.0.2.5
mail.shop	IN A 192.0.2.6
EOF
	txt k2048._domainkey.mail.example.org. "v=DKIM1; k=rsa; p=$K2048"
	txt k2048._domainkey.esp.example.net. "v=DKIM1; k=rsa; p=$K2048"
}
zone "v=spf1 ip4:192.0.2.0/24 -all" >zone
zone "v=spf1 ip4:192.0.2.0/24 include:_spf.esp.example.net -all" >whatif.zone

# messages: $1 file, $2 From address, $3 subject
msg() {
	printf 'From: Sender <%s>\r\nTo: postmaster@example.net\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0000\r\nMessage-ID: <%s@fixtures.invalid>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\nThis is the %s test message.\r\nSecond line.\r\n' \
	    "$2" "$3" "$1" "$3" >"$1"
}
sign() { # $1 in, $2 out, $3 d=, $4 s=, $5 key, rest: dkimsign options
	i=$1 o=$2 d=$3 s=$4 k=$5; shift 5
	# libopendkim 2.11 leaks the signing key (dkim_privkey_load): the
	# helper is not product code, so no leak check for it under ASan
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
	    "$SIGN" -d "$d" -s "$s" -k "keys/$k.pem" "$@" <"$i" >"$o"
}
msg plain.eml alice@example.com plain
sign plain.eml pass2048.eml example.com k2048 k2048
sign plain.eml pass1024.eml example.com k1024 k1024
sign plain.eml ed25519.eml example.com ed ed -a ed25519-sha256
sign pass2048.eml twosigs.eml example.com ed ed -a ed25519-sha256
sign plain.eml missing.eml example.com missing k2048
sign plain.eml revoked.eml example.com revoked k2048
sign plain.eml rotated.eml example.com rot rotold
sign plain.eml sha1.eml example.com k2048 k2048 -a rsa-sha1
sign plain.eml expired.eml example.com k2048 k2048 -x
sed 's/a=rsa-sha256/a=rsa-sha512/' pass2048.eml >badalg.eml
sed 's/^Second line\./Second line, changed by a forwarder./' pass2048.eml >body.eml
sed 's/^Subject: plain/Subject: [list] plain/' pass2048.eml >header.eml
sed '/^\r*$/q' pass2048.eml >headers-only.eml
sign plain.eml lpass.eml example.com k2048 k2048 -l
{ cat lpass.eml; printf 'Appended by a mailing list footer.\r\n'; } >lappended.eml
sign plain.eml misaligned.eml esp.example.net k2048 k2048
msg relaxed.eml alice@example.com relaxed
sign relaxed.eml relaxed-signed.eml mail.example.com k2048 k2048
msg strict.eml alice@example.org strict
sign strict.eml strict-signed.eml mail.example.org k2048 k2048
msg sub.eml alice@sub.example.com subdomain
msg ghost.eml alice@ghost.example.com nonexistent
msg nodmarc.eml alice@example.net nodmarc
msg psd.eml alice@mail.shop.test psd

cat >cases.tsv.in <<'CASES'
dkim-pass-rsa2048|pass2048.eml|zone|-|-|null|-|pass|signature verified|pass|quarantine|01|DKIM d=example.com aligned (relaxed)|0
dkim-pass-rsa1024|pass1024.eml|zone|-|-|null|-|pass|signature verified|pass|quarantine|01|aligned|0
dkim-pass-ed25519|ed25519.eml|zone|-|-|null|-|pass|signature verified|pass|quarantine|01|aligned|0
dkim-two-signatures|twosigs.eml|zone|-|-|null|-|pass,pass|signature verified|pass|quarantine|01|aligned|0
dkim-key-missing|missing.eml|zone|-|-|null|-|permerror|key not found: NXDOMAIN at missing._domainkey.example.com|fail|quarantine|00|no DKIM pass|0
dkim-key-revoked|revoked.eml|zone|-|-|null|-|permerror|key revoked|fail|quarantine|00|no DKIM pass|0
dkim-key-rotated|rotated.eml|zone|-|-|null|-|fail|signature mismatch|fail|quarantine|00|no DKIM pass|0
dkim-expired|expired.eml|zone|-|-|null|-|permerror|signature expired|fail|quarantine|00|no DKIM pass|0
dkim-rsa-sha1|sha1.eml|zone|-|-|null|-|permerror|algorithm unsupported: rsa-sha1|fail|quarantine|00|no DKIM pass|0
dkim-unknown-algorithm|badalg.eml|zone|-|-|null|-|permerror|algorithm unsupported|fail|quarantine|00|no DKIM pass|0
dkim-body-modified|body.eml|zone|-|-|null|-|fail|body hash mismatch|fail|quarantine|00|no DKIM pass|0
dkim-header-modified|header.eml|zone|-|-|null|-|fail|signature mismatch|fail|quarantine|00|no DKIM pass|0
dkim-headers-only|headers-only.eml|zone|-|-|null|-|neutral|body not available (headers-only sample)|fail|quarantine|00|no DKIM pass|1
dkim-l-whole-body|lpass.eml|zone|-|-|null|-|pass|l= present|pass|quarantine|01|aligned|0
dkim-l-appended|lappended.eml|zone|-|-|null|-|policy|the rest was added|fail|quarantine|00|no DKIM pass|0
dkim-misaligned-d|misaligned.eml|zone|-|-|null|-|pass|signature verified|fail|quarantine|00|DKIM pass for d=esp.example.net not aligned with example.com (relaxed)|0
dkim-relaxed-aligned|relaxed-signed.eml|zone|-|-|null|-|pass|signature verified|pass|quarantine|01|DKIM d=mail.example.com aligned (relaxed)|0
dkim-strict-misaligned|strict-signed.eml|zone|-|-|null|-|pass|signature verified|fail|reject|00|not aligned with example.org (strict)|0
spf-pass|plain.eml|zone|192.0.2.10|bounce@example.com|pass|matched ip4:192.0.2.0/24|-|-|pass|quarantine|10|SPF example.com aligned (relaxed)|0
spf-include-missing|plain.eml|zone|198.51.100.25|bounce@example.com|fail|matched -all|-|-|fail|quarantine|00|SPF fail|0
spf-include-whatif|plain.eml|whatif.zone|198.51.100.25|bounce@example.com|pass|matched include:_spf.esp.example.net|-|-|pass|quarantine|10|SPF example.com aligned|0
spf-softfail|plain.eml|zone|203.0.113.5|bounce@bounce.example.com|softfail|matched ~all|-|-|fail|quarantine|00|SPF softfail|0
spf-too-many-lookups|plain.eml|zone|192.0.2.10|x@many.example.com|permerror|more than 10 DNS-querying terms|-|-|fail|quarantine|00|SPF permerror|0
spf-void-lookups|plain.eml|zone|192.0.2.10|x@voids.example.com|permerror|more than 2 void lookups|-|-|fail|quarantine|00|SPF permerror|0
spf-include-target-gone|plain.eml|zone|192.0.2.10|x@brokeninc.example.com|permerror|gone.example.net has no SPF record|-|-|fail|quarantine|00|SPF permerror|0
spf-ptr|plain.eml|zone|192.0.2.77|x@ptr.example.com|pass|matched ptr:example.com|-|-|pass|quarantine|10|SPF ptr.example.com aligned (relaxed)|0
spf-ptr-other-domain|plain.eml|zone|192.0.2.78|x@ptr.example.com|fail|matched -all|-|-|fail|quarantine|00|SPF fail|0
spf-ipv6|plain.eml|zone|2001:db8:25::1|x@v6.example.com|pass|matched ip6:2001:db8:25::/48|-|-|pass|quarantine|10|aligned|0
spf-ipv6-a|plain.eml|zone|2001:db8:99::25|x@v6.example.com|pass|matched a:mx6.example.com|-|-|pass|quarantine|10|aligned|0
spf-exists-macro|plain.eml|zone|192.0.2.88|x@exists.example.com|pass|matched exists:%{i}._allow.example.com|-|-|pass|quarantine|10|aligned|0
spf-exists-macro-miss|plain.eml|zone|192.0.2.89|x@exists.example.com|fail|matched -all|-|-|fail|quarantine|00|SPF fail|0
spf-relaxed-subdomain|plain.eml|zone|192.0.2.10|b@bounce.example.com|pass|matched ip4:192.0.2.0/24|-|-|pass|quarantine|10|SPF bounce.example.com aligned (relaxed)|0
spf-strict-misaligned|strict.eml|zone|192.0.2.10|b@mail.example.org|pass|matched ip4:192.0.2.0/24|-|-|fail|reject|00|SPF pass for mail.example.org not aligned (strict)|0
spf-strict-aligned|strict.eml|zone|192.0.2.10|b@example.org|pass|matched ip4:192.0.2.0/24|-|-|pass|reject|10|SPF example.org aligned (strict)|0
dmarc-subdomain-sp|sub.eml|zone|-|-|null|-|-|-|fail|none|00|policy sp=none (from _dmarc.example.com)|0
dmarc-nonexistent-np|ghost.eml|zone|-|-|null|-|-|-|fail|reject|00|policy np=reject (from _dmarc.example.com)|0
dmarc-no-record|nodmarc.eml|zone|-|-|null|-|-|-|none|null|00|no DMARC record at _dmarc.example.net|0
dmarc-psd-treewalk|psd.eml|zone|-|-|null|-|-|-|fail|reject|00|no DKIM pass|0
CASES
tr '|' '\t' <cases.tsv.in >cases.tsv
rm cases.tsv.in
