#!/bin/sh
# t_samples.sh - issue 13, privacy by configuration: [ingest]
# store-samples = full | headers | redacted | none (and the default,
# redacted) through ingest -> what the store holds -> failures (list in
# text/JSON/CSV, show, show --unredacted, --reverify) -> the dashboard's
# failure pages (no address unredacted, mode 0640). The fixture's people:
# alice@, bob@, sender.person@, bounces@ (local parts that must go).
# SPDX-License-Identifier: MIT
set -u
: "${DS_BIN:?}" "${DS_SRC:?}"
fail() { echo "FAIL t_samples: $*" >&2; exit 1; }
for t in jq sqlite3; do
	command -v $t >/dev/null || fail "$t is needed (tools/test installs it)"
done
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
FX=$DS_SRC/tests/fixtures/failure/every-field.eml
export DMARCSIFT_NO_PROGRESS=1 XDG_CONFIG_HOME="$T/xdg" XDG_DATA_HOME="$T/xdg-data"
PEOPLE='alice@\|bob@\|sender\.person@\|bounces@'
umask 022

for how in full headers redacted none default; do
	D=$T/$how
	mkdir -p "$D"
	if [ $how = default ]; then
		: >"$D/config"
	else
		printf '[ingest]\nstore-samples = %s\n' $how >"$D/config"
	fi
	ds() { "$DS_BIN" "$@" --db "$D/db" --config "$D/config"; }
	q() { sqlite3 "$D/db" "$1"; }
	ds ingest -q --offline "$FX" 2>"$D/err" || fail "$how: ingest: $(cat "$D/err")"
	id=$(q "select id from failure_report")
	[ -n "$id" ] || fail "$how: not stored"

	# what the store holds
	if [ -n "${DS_PG_BASE:-}" ]; then	# tests/pg's rerun: bytea as text
		raw=$(q "select encode(raw, 'escape') from failure_sample")
	else
		raw=$(q "select cast(raw as text) from failure_sample")
	fi
	row=$(q "select original_mail_from || original_rcpt_to || coalesce(auth_results, '') || fields from failure_report")
	case $how in
	full)
		echo "$raw" | grep -q 'invoice attached' || fail "full: body not stored"
		echo "$raw" | grep -q 'sender.person@example.com' || fail "full: From not stored"
		echo "$row" | grep -q 'alice@reporter.example' || fail "full: fields not as received"
		q "select warnings from failure_report" | grep -q 'sample-stored' &&
			fail "full: marked as reduced" ;;
	headers)
		[ -n "$raw" ] || fail "headers: no sample"
		echo "$raw" | grep -q 'invoice attached' && fail "headers: body stored"
		echo "$raw" | grep -q 'sender.person@example.com' || fail "headers: From not stored"
		echo "$row" | grep -q 'alice@reporter.example' || fail "headers: fields not as received" ;;
	default|redacted)
		[ -n "$raw" ] || fail "$how: no sample"
		echo "$raw" | grep -q 'invoice attached\|Quarterly' && fail "$how: body or Subject stored"
		echo "$raw" | grep -q "$PEOPLE" && fail "$how: an address stored in the sample"
		echo "$raw" | grep -q '\*\*\*@example.com' || fail "$how: no redacted From in the sample"
		echo "$row" | grep -q "$PEOPLE" && fail "$how: an address stored in the fields"
		echo "$row" | grep -q '\*\*\*@reporter.example' || fail "$how: recipients not redacted, domain kept"
		q "select warnings from failure_report" | grep -q 'sample-stored: redacted' ||
			fail "$how: not marked" ;;
	none)
		[ -z "$raw" ] || fail "none: a sample stored"
		echo "$row" | grep -q "$PEOPLE" && fail "none: an address stored in the fields"
		q "select count(*) from failure_report" | grep -qx 1 || fail "none: report lost" ;;
	esac
	# the verdict at ingest was made on the sample as received
	[ "$(q "select dkim_now from failure_report")" = "$(sqlite3 "$T/full/db" "select dkim_now from failure_report")" ] ||
		fail "$how: another DKIM verdict at ingest than with full"

	# lists: always redacted, every format
	for f in text json csv; do
		ds failures -f $f >"$D/list.$f" || fail "$how: failures -f $f"
		grep -q "$PEOPLE" "$D/list.$f" && fail "$how: failures -f $f shows an address"
	done
	ds failures --unredacted >/dev/null 2>&1; [ $? -eq 2 ] || fail "$how: --unredacted on a list is not a usage error"
	# show: redacted unless --unredacted
	ds failures show "$id" >"$D/show.txt" || fail "$how: show"
	ds failures show "$id" -f json >"$D/show.json" || fail "$how: show json"
	grep -q "$PEOPLE" "$D/show.txt" "$D/show.json" && fail "$how: show shows an address by default"
	ds failures show --unredacted "$id" -f json >"$D/un.json" 2>"$D/un.err" || fail "$how: --unredacted"
	case $how in
	full|headers)
		grep -q 'alice@reporter.example' "$D/un.json" || fail "$how: --unredacted hides"
		[ ! -s "$D/un.err" ] || fail "$how: --unredacted note: $(cat "$D/un.err")" ;;
	*)
		grep -q "$PEOPLE" "$D/un.json" && fail "$how: --unredacted found an address"
		grep -q "was stored .*store-samples = $( [ $how = default ] && echo redacted || echo $how)" "$D/un.err" ||
			fail "$how: --unredacted does not say the sample was stored reduced: $(cat "$D/un.err")" ;;
	esac
	[ $how = full ] && { jq -e '.sample.body | contains("invoice attached")' "$D/un.json" >/dev/null || fail "full: body"; }
	[ $how = headers ] && { jq -e '.sample.body == null' "$D/un.json" >/dev/null || fail "headers: a body: $(jq .sample "$D/un.json")"; }
	# re-verification of a redacted sample: the verdict at ingest stands
	if [ $how = redacted ] || [ $how = none ]; then
		ds failures show "$id" --reverify --offline -f json >"$D/rv.json" || fail "$how: --reverify"
		jq -e '.verification_text | startswith("not re-verified now")' "$D/rv.json" >/dev/null ||
			fail "$how: re-verified a reduced sample: $(jq .verification_text "$D/rv.json")"
		[ "$(jq -c .dkim "$D/rv.json")" = "$(jq -c .dkim "$D/show.json")" ] || fail "$how: verdict changed"
	fi

	# the dashboard: no address, failure pages 0640
	ds html --offline -o "$D/site" >/dev/null 2>"$D/html.err" || fail "$how: html: $(cat "$D/html.err")"
	page="$D/site/failures/$id.html"
	[ -f "$page" ] || fail "$how: no failure page"
	grep -rq "$PEOPLE" "$D/site" && fail "$how: an address on the dashboard: $(grep -rl "$PEOPLE" "$D/site")"
	grep -q 'reporter.example' "$page" || fail "$how: page lost the domains"
	[ "$(stat -c %a "$page")" = 640 ] || fail "$how: failure page mode $(stat -c %a "$page")"
	[ "$(stat -c %a "$D/site/failures.html")" = 640 ] || fail "$how: failures.html mode"
	[ "$(stat -c %a "$D/site/index.html")" = 644 ] || fail "$how: index.html mode $(stat -c %a "$D/site/index.html")"
	echo "ok $how"
done

# an older page at 0644 becomes 0640 on the next run
chmod 644 "$T/full/site/failures/"*.html
"$DS_BIN" html --offline -o "$T/full/site" --db "$T/full/db" --config "$T/full/config" >/dev/null 2>&1 || fail "html rerun"
[ "$(stat -c %a "$T/full/site/failures/"*.html | sort -u)" = 640 ] || fail "rerun left a page 0644"

# a bad value: refused, the file and key named, the value not echoed
printf '[ingest]\nstore-samples = everything-S3cret\n' >"$T/bad"
"$DS_BIN" ingest --offline "$FX" --db "$T/bad.db" --config "$T/bad" 2>"$T/bad.err"; rc=$?
[ $rc -eq 2 ] || fail "bad store-samples: exit $rc"
grep -q "$T/bad: \[ingest\] store-samples: not one of full, headers, redacted, none" "$T/bad.err" ||
	fail "bad store-samples message: $(cat "$T/bad.err")"
grep -q S3cret "$T/bad.err" && fail "config value echoed"
printf '[ingest]\nstore-sample = full\n' >"$T/bad2"
"$DS_BIN" ingest --offline "$FX" --db "$T/bad.db" --config "$T/bad2" 2>"$T/bad.err"; rc=$?
[ $rc -eq 2 ] && grep -q "unknown key 'store-sample'" "$T/bad.err" || fail "unknown key: $rc $(cat "$T/bad.err")"
echo "t_samples: ok"
