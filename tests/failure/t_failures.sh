#!/bin/sh
# Failure reports end to end: every report of $DS_CORPUS/failure stored
# with the fields its file holds (read here with grep, independently of
# the parser) and re-verified offline; the report without an ARF part
# read from its text with a warning; duplicates (same Message-ID, LF and
# CRLF copies, re-ingest) stored once; aggregate and failure reports in
# one run; our own fixtures through `failures` (text, json, csv, show,
# --redact, filters); a report with nothing usable quarantined with the
# reason. Fails (never skips) without the corpus.
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_CORPUS:?}" "${DS_SRC:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[ -d "$DS_CORPUS/failure" ] || fail "corpus missing at $DS_CORPUS/failure"
for t in jq sqlite3; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
DB=$T/f.db
FX=$DS_SRC/tests/fixtures/failure
# the samples as received ([ingest] store-samples = full): this test
# checks the parser and the re-verification, t_samples.sh the privacy
mkdir -p "$T/cfg"
printf '[ingest]\nstore-samples = full\n' >"$T/cfg/config"
ds() { "$DS_BIN" "$@" --db "$DB" --config "$T/cfg/config"; }
q() { sqlite3 "$DB" "$1"; }
# first value of a header-style line "Name: value" in a file (CRLF safe)
field() { grep -m1 -i "^[ 	]*$1:" "$2" | sed "s/^[^:]*:[ 	]*//; s/\r\$//; s/[ 	]*\$//"; }

# 1. the corpus folder, offline: every report stored, exit 0
ds ingest --offline "$DS_CORPUS/failure" 2>"$T/err" ||
	{ cat "$T/err"; fail "ingest of the failure corpus exited $?"; }
nfiles=$(ls "$DS_CORPUS"/failure/*.eml | wc -l)
[ "$nfiles" -ge 4 ] || fail "only $nfiles corpus files"
ds failures --format json >"$T/all.json" || fail "failures --format json"
jq -e 'type == "array"' "$T/all.json" >/dev/null || fail "not a JSON array"

# 2. each file: its fields as the file says them
for f in "$DS_CORPUS"/failure/*.eml; do
	id=$(q "select id from failure_report where source = '$f' or source like '$f:%'")
	case "$f" in *linkedin*)
		# LF and CRLF copies: one report (same Message-ID)
		[ -n "$id" ] || id=$(q "select id from failure_report where source like '%linkedin%'")
	esac
	[ -n "$id" ] || fail "$f: not stored"
	ip=$(field Source-IP "$f"); dom=$(field Reported-Domain "$f")
	[ -n "$ip" ] || ip=$(field 'Sender IP Address' "$f")
	[ -n "$dom" ] || dom=$(field 'Sender Domain' "$f")
	from=$(grep -m1 '^From:' "$f" | sed 's/.*@//; s/[>\r ]*$//' | tr 'A-Z' 'a-z')
	got=$(jq -r --argjson id "$id" '.[] | select(.id == $id) |
	    "\(.source_ip)|\(.reported_domain)|\(.reporter)|\(.dns_mode)|\(.verified_at != null)"' "$T/all.json")
	[ "$got" = "$ip|$dom|$from|offline|true" ] ||
		fail "$f: stored '$got', file says '$ip|$dom|$from|offline|true'"
	# feedback fields stored verbatim and in order
	n=$(awk '/^Content-Type: message\/feedback-report/{f=1;next} f&&/^\r?$/{if(s)exit;next} f&&/^[A-Za-z-]+:/{s=1;c++} END{print c+0}' "$f")
	if [ "$n" -gt 0 ]; then
		ds failures show --unredacted "$id" --format json >"$T/one.json" || fail "$f: show"
		[ "$(jq '.fields | length' "$T/one.json")" -eq "$n" ] ||
			fail "$f: $n feedback fields in the file, $(jq '.fields | length' "$T/one.json") stored"
		af=$(field Auth-Failure "$f")
		[ "$(jq -r .auth_failure "$T/one.json")" = "$(echo "$af" | tr A-Z a-z)" ] ||
			fail "$f: Auth-Failure"
		[ "$(jq -r .sample_kind "$T/one.json")" = message ] || fail "$f: sample kind"
		[ "$(jq -r '.sample.size > 0' "$T/one.json")" = true ] || fail "$f: no sample"
	fi
done
[ "$(jq length "$T/all.json")" -eq $((nfiles - 1)) ] ||
	fail "expected $((nfiles - 1)) reports (LF/CRLF copies are one), got $(jq length "$T/all.json")"
# re-verified offline: the JSON contract, DNS-dependent checks "not
# checked (offline)" (never temperror, which reads as a DNS fault), the
# From domain of each sample, and no difference claimed from that
jq -e 'all(.[]; (.spf | type == "object") and (.dkim | type == "array") and
    .dmarc.result == "not checked (offline)" and
    .spf.result == "not checked (offline)" and
    all(.dkim[]; .result != "temperror") and
    (.dmarc | has("from_domain") and has("org_domain") and has("policy") and
     has("spf_aligned") and has("dkim_aligned")) and .differences == [])' \
    "$T/all.json" >/dev/null || { jq . "$T/all.json"; fail "offline re-verification"; }
for id in $(jq '.[].id' "$T/all.json"); do
	ds failures show --unredacted "$id" -f json >"$T/one.json"
	want=$(jq -r '.sample.from' "$T/one.json" | sed 's/.*@//; s/>.*//' | tr A-Z a-z)
	[ "$(jq -r .dmarc.from_domain "$T/one.json")" = "$want" ] ||
		fail "report $id: DMARC From domain is not the sample's ($want)"
done
# the one without an ARF part: read from its text, with a warning
ex=$DS_CORPUS/failure/exim_plain_text_only_no_arf_part.eml
jq -e '.[] | select(.warnings | any(startswith("no-arf-part"))) |
    select(.sample_kind == "text" and .identity_alignment == "none")' \
    "$T/all.json" >/dev/null || fail "$ex: no-arf-part report not as expected"
echo "corpus: $nfiles files, $(jq length "$T/all.json") failure reports stored and re-verified offline"

# 3. the same again: nothing new, exit 0, counted as duplicates
c1=$(q 'select count(*) from failure_report; select count(*) from failure_sample')
ds ingest --offline "$DS_CORPUS/failure" 2>"$T/err" || fail "re-ingest exited $?"
grep -q "0 failure reports, $nfiles duplicates" "$T/err" || { cat "$T/err"; fail "re-ingest summary"; }
[ "$(q 'select count(*) from failure_report; select count(*) from failure_sample')" = "$c1" ] ||
	fail "re-ingest changed the store"

# 4. aggregate and failure reports in one run (directory and mbox)
mkdir "$T/mixed"
cp "$DS_CORPUS/aggregate/valid/report-valid.xml" "$FX/every-field.eml" "$T/mixed/"
{ cat "$DS_CORPUS/email/amazon-ses-zip.eml"; echo; echo "From x@y Thu Nov  5 00:00:00 2026";
  cat "$FX/headers-only.eml"; } | sed '1s/^/From a@b Thu Nov  5 00:00:00 2026\n/' >"$T/mixed/box.mbox"
DB2=$T/mixed.db
"$DS_BIN" ingest --db "$DB2" --dns-zone /dev/null "$T/mixed" 2>"$T/err" ||
	{ cat "$T/err"; fail "mixed ingest exited $?"; }
grep -q "2 reports stored.*2 failure reports" "$T/err" || { cat "$T/err"; fail "mixed summary"; }
[ "$("$DS_BIN" failures --db "$DB2" -f json | jq -r '[.[].dns_mode] | unique | join(",")')" = zone ] ||
	fail "mixed run not re-verified against the zone"

# 5. our fixtures through `failures`
ds ingest --offline "$FX/every-field.eml" "$FX/headers-only.eml" 2>"$T/err" ||
	{ cat "$T/err"; fail "fixtures exited $?"; }
id=$(q "select id from failure_report where source like '%every-field.eml'")
ds failures show --unredacted "$id" -f json >"$T/e.json" || fail "show every-field"
jq -e '.feedback_type == "auth-failure" and .user_agent == "fixture-arf/1.0" and
    .version == "1" and .original_mail_from == "<bounces@mail.example.com>" and
    (.original_rcpt_to | length) == 2 and .arrival_date == "2026-11-02T22:59:58Z" and
    .source_ip == "192.0.2.25" and .reported_domain == "example.com" and
    .reported_uri == ["mailto:dmarc-ruf@example.com"] and .auth_failure == "dmarc" and
    .dkim_domain == "example.com" and .dkim_identity == "@example.com" and
    .dkim_selector == "sel2026" and (.spf_dns | length) == 1 and
    .delivery_result == "reject" and .identity_alignment == "none" and
    (.authentication_results | contains("header.s=sel2026")) and
    .reporter == "reporter.example" and .sample.kind == "message" and
    .sample.subject == "Quarterly invoice" and (.sample.dkim_signatures | length) == 1 and
    (.sample.body | contains("invoice attached")) and (has("spf") and has("dkim") and has("dmarc"))' \
    "$T/e.json" >/dev/null || { jq . "$T/e.json"; fail "every-field.eml fields"; }
# personal data: never in the listing, hidden by --redact in show
ds failures -f json | grep -q 'alice@\|sender.person@' && fail "listing shows personal addresses"
ds failures show "$id" --redact >"$T/r.txt" || fail "show --redact"
grep -q 'alice@\|bob@\|sender.person@\|Quarterly\|invoice attached' "$T/r.txt" && fail "--redact leaks"
grep -q '\*\*\*@example.com' "$T/r.txt" || fail "--redact shows no redacted address"
ds failures show --unredacted "$id" >"$T/s.txt" || fail "show"
for s in 'Reported (message/feedback-report)' 'Re-verified (DNS: offline)' \
    'Differences from the reporter' 'Sample (message' 'Subject: Quarterly invoice'; do
	grep -qF "$s" "$T/s.txt" || fail "show lacks '$s'"
done
# headers only: kind and the canonical IPv6 source
jq -e '.[] | select(.reported_domain == "example.org") | select(.source_ip == "2001:db8::25"
    and .sample_kind == "headers")' "$(ds failures -f json >"$T/l.json"; echo "$T/l.json")" \
    >/dev/null || fail "headers-only.eml"
# filters
[ "$(ds failures -f json --domain EXAMPLE.org | jq length)" -eq 1 ] || fail "--domain"
[ "$(ds failures -f json --since 2026-11-01 | jq length)" -eq 2 ] || fail "--since"
[ "$(ds failures -f json --until 2026-01-01 | jq length)" -eq $((nfiles - 1)) ] || fail "--until"
ds failures -f csv | head -1 | grep -q '^id,arrival_date,domain,source_ip,reporter' || fail "csv header"
[ "$(ds failures -f csv | wc -l)" -eq $((nfiles + 2)) ] || fail "csv rows"
ds failures | grep -q 'example.org .*2001:db8::25' || fail "text listing"
ds failures show 99999 2>/dev/null; [ $? -eq 2 ] || fail "show of a missing id is not a usage error"
ds failures --dns-zone /nonexistent.zone 2>/dev/null; [ $? -eq 2 ] || fail "bad zone file is not a usage error"

# 6. a failure report with nothing usable: quarantined, with the reason
ds ingest --offline "$FX/nothing-usable.eml" 2>"$T/err"; rc=$?
[ $rc -eq 1 ] || fail "nothing-usable.eml exited $rc"
grep -q 'rejected: failure report: .*no message/feedback-report part' "$T/err" ||
	{ cat "$T/err"; fail "nothing-usable.eml: reason"; }
[ "$(q "select count(*) from quarantine where source like '%nothing-usable.eml'")" -eq 1 ] ||
	fail "nothing-usable.eml not quarantined"
echo "1 passed, 0 failed"
