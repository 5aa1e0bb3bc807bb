#!/bin/sh
# Re-verification, case by case: fresh keys, signed messages and zone
# files from mkfixtures.sh (each case passes or fails for a known
# reason), checked offline with `dmarcsift verify --dns-zone ...
# --format json` and jq: SPF result and reason, every DKIM result, the
# first DKIM reason, DMARC result, policy, alignment and reason.
# Also: text output, --offline, usage errors, the RFC 9989 tree walk.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_SRC:?}" "${DS_BUILD:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
for t in jq openssl opendkim-genkey; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
F=$T/fx
sh "$DS_SRC/tests/verify/mkfixtures.sh" "$F" >"$T/mk.log" 2>&1 ||
	{ cat "$T/mk.log"; fail "mkfixtures.sh"; }
n=0 bad=0
tab=$(printf '\t')
while IFS="$tab" read -r name file zone ip mf spf spfr dkim dkimr dmarc pol al dmr ho; do
	set -- verify "$F/$file" --dns-zone "$F/$zone" --format json
	[ "$ip" = - ] || set -- "$@" --source-ip "$ip"
	[ "$mf" = - ] || set -- "$@" --mail-from "$mf"
	[ "$ho" = 1 ] && set -- "$@" --headers-only
	n=$((n + 1))
	if ! "$DS_BIN" "$@" >"$T/out.json" 2>"$T/err"; then
		echo "not ok $name: exit $? $(cat "$T/err")"; bad=$((bad + 1)); continue
	fi
	[ "$dkim" = - ] && dkim=
	[ "$spfr" = - ] && spfr=
	[ "$dkimr" = - ] && dkimr=
	if ! jq -e --arg spf "$spf" --arg spfr "$spfr" --arg dkim "$dkim" \
	    --arg dkimr "$dkimr" --arg dmarc "$dmarc" --arg pol "$pol" \
	    --arg al "$al" --arg dmr "$dmr" '
	    (if $spf == "null" then .spf == null else
	     .spf.result == $spf and (.spf.reason | contains($spfr)) end) and
	    ([.dkim[].result] | join(",")) == $dkim and
	    ($dkimr == "" or (.dkim[0].reason | contains($dkimr))) and
	    .dmarc.result == $dmarc and
	    (if $pol == "null" then .dmarc.policy == null
	     else .dmarc.policy == $pol end) and
	    ((if .dmarc.spf_aligned then "1" else "0" end) +
	     (if .dmarc.dkim_aligned then "1" else "0" end)) == $al and
	    (.dmarc.reason | contains($dmr))' "$T/out.json" >/dev/null; then
		echo "not ok $name: $(cat "$T/out.json")"; bad=$((bad + 1))
	else
		echo "ok $name"
	fi
done <"$F/cases.tsv"
[ "$n" -ge 30 ] || fail "only $n cases ran"
[ "$bad" -eq 0 ] || fail "$bad of $n cases wrong"

# details the table does not hold
v() { "$DS_BIN" verify "$@"; }
v "$F/psd.eml" --dns-zone "$F/zone" --format json >"$T/psd.json" || fail psd
jq -e '.dmarc.discovery == "treewalk" and .dmarc.org_domain == "shop.test"
    and .dmarc.record_domain == "_dmarc.test"' "$T/psd.json" >/dev/null ||
	fail "psd tree walk: $(cat "$T/psd.json")"
v "$F/psd.eml" --dns-zone "$F/zone" --discovery psl --format json \
    >"$T/psl.json" || fail "psd psl"
jq -e '.dmarc.result == "none" and .dmarc.org_domain == "shop.test"' \
    "$T/psl.json" >/dev/null || fail "psl only: $(cat "$T/psl.json")"
v "$F/plain.eml" --dns-zone "$F/zone" --source-ip 198.51.100.25 \
    --mail-from bounce@example.com --format json >"$T/m.json" || fail mech
jq -e '.spf.mechanism == "-all" and .spf.domain == "example.com"' \
    "$T/m.json" >/dev/null || fail "mechanism: $(cat "$T/m.json")"
v "$F/twosigs.eml" --dns-zone "$F/zone" --format json >"$T/two.json" || fail two
jq -e '[.dkim[].algorithm] == ["ed25519-sha256", "rsa-sha256"] and
    [.dkim[].selector] == ["ed", "k2048"]' "$T/two.json" >/dev/null ||
	fail "two signatures: $(cat "$T/two.json")"
jq -e '.dkim[0].body_length == false' "$T/two.json" >/dev/null || fail "l= flag"
v "$F/expired.eml" --dns-zone "$F/zone" --format json | jq -e \
    '.dkim[0].algorithm == "rsa-sha256"' >/dev/null || fail "expired: a="
v "$F/badalg.eml" --dns-zone "$F/zone" --format json | jq -e \
    '.dkim[0].algorithm == "rsa-sha512"' >/dev/null || fail "unknown a="
v "$F/lpass.eml" --dns-zone "$F/zone" --format json | jq -e \
    '.dkim[0].body_length == true' >/dev/null || fail "l= flag set"
# null reverse-path: the HELO identity is checked (RFC 7208 §2.4)
v "$F/plain.eml" --dns-zone "$F/zone" --source-ip 192.0.2.25 --mail-from '<>' \
    --helo helo.example.com --format json >"$T/helo.json" || fail helo
jq -e '.spf.result == "pass" and .spf.domain == "helo.example.com" and
    .spf.mechanism == "a:mx.example.com" and .dmarc.spf_aligned' \
    "$T/helo.json" >/dev/null || fail "helo: $(cat "$T/helo.json")"
# a message stored with LF line ends verifies as its CRLF original
tr -d '\r' <"$F/pass2048.eml" >"$T/lf.eml"
v "$T/lf.eml" --dns-zone "$F/zone" --format json | jq -e \
    '.dkim[0].result == "pass"' >/dev/null || fail "LF line ends"
# headers-only is detected without the option too
v "$F/headers-only.eml" --dns-zone "$F/zone" --format json | jq -e \
    '.dkim[0].result == "neutral"' >/dev/null || fail "headers-only autodetect"
# offline: every lookup is a temperror
v "$F/pass2048.eml" --offline --source-ip 192.0.2.10 --mail-from a@example.com \
    --format json >"$T/off.json" || fail offline
jq -e '.spf.result == "temperror" and .dkim[0].result == "temperror" and
    .dmarc.result == "temperror"' "$T/off.json" >/dev/null ||
	fail "offline: $(cat "$T/off.json")"
# text output names the verdicts
v "$F/missing.eml" --dns-zone "$F/zone" >"$T/text" || fail text
grep -q '^DKIM:  permerror d=example.com s=missing a=rsa-sha256: key not found' \
    "$T/text" || fail "text: $(cat "$T/text")"
grep -q '^DMARC: fail for example.com' "$T/text" || fail "text dmarc"
# stdin, usage errors, not a message
v - --dns-zone "$F/zone" --format json <"$F/pass2048.eml" | jq -e \
    '.dkim[0].result == "pass"' >/dev/null || fail stdin
v "$F/plain.eml" --source-ip 300.1.1.1 --offline 2>/dev/null; [ $? -eq 2 ] ||
	fail "bad --source-ip must exit 2"
v "$F/plain.eml" --offline --dns-zone "$F/zone" 2>/dev/null; [ $? -eq 2 ] ||
	fail "--offline with --dns-zone must exit 2"
printf '\x1f\x8b\x08binary' >"$T/bin"
v "$T/bin" --offline 2>/dev/null; [ $? -eq 1 ] || fail "not a message must exit 1"
echo "$n cases passed"
