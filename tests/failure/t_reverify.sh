#!/bin/sh
# Re-verification of failure reports end to end: every signed sample of
# tests/verify/mkfixtures.sh (keys, zones, cases.tsv with the verdict
# and reason each case must get) is wrapped as an ARF report whose
# reporter claims the opposite DKIM, DMARC (and, with a source IP, SPF)
# result; `ingest --dns-zone` must store the verdict cases.tsv expects
# and name each difference ("reporter: dkim=fail (d=.. s=..); now:
# dkim=pass ..."), never one for a check that could not be completed.
# Then the what-if: `failures show --dns-zone whatif.zone` turns the
# missing-include SPF fail into a pass without storing anything.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_SRC:?}" "${DS_BUILD:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
MK=$DS_SRC/tests/verify/mkfixtures.sh
[ -f "$MK" ] || fail "$MK missing (the re-verification fixture generator)"
for t in jq sqlite3 openssl opendkim-genkey; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
F=$T/fx
sh "$MK" "$F" >"$T/mk.log" 2>&1 || { cat "$T/mk.log"; fail "mkfixtures.sh"; }
DB=$T/r.db
# the samples as received ([ingest] store-samples = full): this test
# checks the parser and the re-verification, t_samples.sh the privacy
mkdir -p "$T/cfg"
printf '[ingest]\nstore-samples = full\n' >"$T/cfg/config"
ds() { "$DS_BIN" "$@" --db "$DB" --config "$T/cfg/config"; }
opp() { [ "$1" = pass ] && echo fail || echo pass; }
# d= and s= of the first DKIM-Signature of $1 (unfolded)
sig() { awk 'BEGIN{IGNORECASE=1} /^DKIM-Signature:/{on=1; s=$0; next}
	on && /^[ \t]/{s=s $0; next} on{print s; exit}' "$1" | tr -d '\r \t' |
	sed -n "s/.*[;:]$2=\([^;]*\).*/\1/p"; }

# arf FILE SAMPLE ID IP MAILFROM AR KIND: an ARF report (CRLF) around SAMPLE
arf() {
	{
	printf 'From: ruf@reporter.example\r\nTo: dmarc@example.com\r\n'
	printf 'Subject: failure report %s\r\nMessage-ID: <%s@reporter.example>\r\n' "$3" "$3"
	printf 'Date: Mon, 23 Nov 2026 10:05:00 +0000\r\nMIME-Version: 1.0\r\n'
	printf 'Content-Type: multipart/report; report-type=feedback-report; boundary=AB\r\n\r\n'
	printf -- '--AB\r\nContent-Type: text/plain\r\n\r\nA failure report.\r\n\r\n'
	printf -- '--AB\r\nContent-Type: message/feedback-report\r\n\r\n'
	printf 'Feedback-Type: auth-failure\r\nUser-Agent: t_reverify/1\r\nVersion: 1\r\n'
	printf 'Arrival-Date: Mon, 23 Nov 2026 10:00:01 +0000\r\nReported-Domain: example.com\r\n'
	[ "$4" = - ] || printf 'Source-IP: %s\r\n' "$4"
	[ "$5" = - ] || printf 'Original-Mail-From: <%s>\r\n' "$5"
	printf 'Authentication-Results: mx.reporter.example; %s\r\nAuth-Failure: dmarc\r\n\r\n' "$6"
	printf -- '--AB\r\nContent-Type: %s\r\n\r\n' "$7"
	cat "$2"
	printf '\r\n--AB--\r\n'
	} >"$1"
}

tab=$(printf '\t')
n=0 bad=0 diffs=0
while IFS="$tab" read -r name file zone ip mf spf spfr dkim dkimr dmarc pol al dmr ho; do
	[ "$zone" = zone ] || continue	# the what-if case comes below
	n=$((n + 1))
	ar=""
	d=$(sig "$F/$file" d); s=$(sig "$F/$file" s)
	first=${dkim%%,*}
	[ "$dkim" = - ] || ar="dkim=$(opp "$first") header.d=$d header.s=$s; "
	[ "$ip" = - ] || ar="${ar}spf=$(opp "$spf") smtp.mailfrom=$mf; "
	ar="${ar}dmarc=$(opp "$dmarc") header.from=example.com"
	kind=message/rfc822; [ "$ho" = 1 ] && kind=text/rfc822-headers
	arf "$T/$name.eml" "$F/$file" "$name" "$ip" "$mf" "$ar" "$kind"
	if ! ds ingest -q --dns-zone "$F/zone" "$T/$name.eml" 2>"$T/err"; then
		echo "not ok $name: ingest: $(cat "$T/err")"; bad=$((bad + 1)); continue
	fi
	id=$(sqlite3 "$DB" "select id from failure_report where identity = 'mid:reporter.example $name@reporter.example'")
	ds failures show --unredacted "$id" -f json >"$T/o.json" || { echo "not ok $name: show"; bad=$((bad + 1)); continue; }
	[ "$dkim" = - ] && dkim=
	[ "$dkimr" = - ] && dkimr=
	[ "$spfr" = - ] && spfr=
	# the stored verdict is the one cases.tsv expects
	if ! jq -e --arg spf "$spf" --arg spfr "$spfr" --arg dkim "$dkim" --arg dkimr "$dkimr" \
	    --arg dmarc "$dmarc" --arg pol "$pol" --arg dmr "$dmr" '
	    (if $spf == "null" then .spf == null else .spf.result == $spf and (.spf.reason | contains($spfr)) end) and
	    ([.dkim[].result] | join(",")) == $dkim and
	    ($dkimr == "" or (.dkim[0].reason | contains($dkimr))) and
	    .dmarc.result == $dmarc and
	    (if $pol == "null" then .dmarc.policy == null else .dmarc.policy == $pol end) and
	    (.dmarc.reason | contains($dmr)) and .dns_mode == "zone"' "$T/o.json" >/dev/null; then
		echo "not ok $name: stored verdict $(jq -c '{spf: .spf.result, dkim: [.dkim[].result], dmarc: .dmarc.result}' "$T/o.json")"
		bad=$((bad + 1)); continue
	fi
	# every opposite claim on a completed check is named; none otherwise
	want=""
	case $first in ''|-|temperror|neutral) ;;
	*) want="reporter: dkim=$(opp "$first") (d=$d s=$s); now: dkim=$first";; esac
	if [ -n "$want" ]; then
		jq -e --arg w "$want" '.differences | any(startswith($w))' "$T/o.json" >/dev/null ||
			{ echo "not ok $name: no '$want' in $(jq -c .differences "$T/o.json")"; bad=$((bad + 1)); continue; }
		diffs=$((diffs + 1))
	elif jq -e '.differences | any(startswith("reporter: dkim="))' "$T/o.json" >/dev/null; then
		echo "not ok $name: a DKIM difference on an incomplete check: $(jq -c .differences "$T/o.json")"
		bad=$((bad + 1)); continue
	fi
	want="reporter: dmarc=$(opp "$dmarc"); now: dmarc=$dmarc"
	[ "$dmarc" = temperror ] && want=""
	if [ -n "$want" ] && ! jq -e --arg w "$want" '.differences | any(startswith($w))' "$T/o.json" >/dev/null; then
		echo "not ok $name: no '$want' in $(jq -c .differences "$T/o.json")"; bad=$((bad + 1)); continue
	fi
	if [ "$ip" != - ] && [ "$spf" != temperror ]; then
		want="reporter: spf=$(opp "$spf"); now: spf=$spf"
		jq -e --arg w "$want" '.differences | any(startswith($w))' "$T/o.json" >/dev/null ||
			{ echo "not ok $name: no '$want' in $(jq -c .differences "$T/o.json")"; bad=$((bad + 1)); continue; }
	fi
	echo "ok $name: $(jq -r '.differences | length' "$T/o.json") differences"
done <"$F/cases.tsv"
[ "$n" -ge 25 ] || fail "only $n cases read from cases.tsv"
[ "$bad" -eq 0 ] || fail "$bad of $n cases wrong"
[ "$diffs" -ge 10 ] || fail "only $diffs DKIM differences checked"

# what-if: the reporter saw the missing include; the new record fixes it
arf "$T/whatif.eml" "$F/plain.eml" whatif 198.51.100.25 bounce@example.com \
    "spf=fail smtp.mailfrom=bounce@example.com; dmarc=fail header.from=example.com" message/rfc822
ds ingest -q --dns-zone "$F/zone" "$T/whatif.eml" || fail "ingest whatif"
id=$(sqlite3 "$DB" "select id from failure_report where identity = 'mid:reporter.example whatif@reporter.example'")
ds failures show --unredacted "$id" -f json | jq -e '.spf.result == "fail" and .differences == []' >/dev/null ||
	fail "whatif: stored verdict is not the reporter's spf=fail"
ds failures show --unredacted "$id" -f json --dns-zone "$F/whatif.zone" >"$T/w.json" || fail "show --dns-zone"
jq -e '.spf.result == "pass" and (.spf.reason | contains("include:_spf.esp.example.net")) and
    .dmarc.result == "pass" and
    (.differences | any(startswith("reporter: spf=fail; now: spf=pass"))) and
    (.differences | any(startswith("reporter: dmarc=fail; now: dmarc=pass")))' "$T/w.json" >/dev/null ||
	{ jq . "$T/w.json"; fail "whatif: the what-if zone does not make SPF pass"; }
ds failures show --unredacted "$id" -f json | jq -e '.spf.result == "fail"' >/dev/null ||
	fail "whatif: the what-if verdict was stored"
ds failures --domain example.com --dns-zone "$F/whatif.zone" | grep -q 'reporter: spf=fail; now: spf=pass' ||
	fail "whatif: the listing does not re-verify"
# `verify` on a failure report checks its sample with the report's
# Source-IP and Original-Mail-From (the sample alone has no SPF check)
"$DS_BIN" verify -q --dns-zone "$F/whatif.zone" --format json "$T/whatif.eml" |
    jq -e '.spf.result == "pass" and .spf.domain == "example.com" and
    .dmarc.from_domain == "example.com"' >/dev/null || fail "verify of an ARF report"
"$DS_BIN" verify -q --dns-zone "$F/zone" --format json "$T/whatif.eml" |
    jq -e '.spf.result == "fail"' >/dev/null || fail "verify of an ARF report (zone)"
"$DS_BIN" verify -q --dns-zone "$F/zone" --format json "$F/plain.eml" |
    jq -e '.spf == null' >/dev/null || fail "verify of a plain message checked SPF"
echo "$n cases re-verified as cases.tsv expects, $diffs DKIM differences named; what-if ok"
echo "1 passed, 0 failed"
