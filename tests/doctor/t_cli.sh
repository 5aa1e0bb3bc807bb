#!/bin/sh
# t_cli.sh - the doctor command line: usage errors exit 2 (no domain,
# two domains, a bad name, bad --fail-on, csv, --offline with
# --dns-zone, --since after --until), --fail-on levels, text output
# worst first with the fix, and hostile report text escaped in JSON
# (THREATS 9: no raw '<' in the output, which stays valid JSON).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

usage() {
	"$DS_BIN" doctor "$@" --db "$DB" >/dev/null 2>"$T/err"
	rc=$?
	[ $rc -eq 2 ] || fail "doctor $*: exit $rc, want 2"
	[ -s "$T/err" ] || fail "doctor $*: no message"
}
mkzone
usage
usage example.com example.org
usage 'exa mple.com'
usage '-x.example'
usage example.com --fail-on notice
usage example.com --format csv
usage example.com --offline --dns-zone "$T/zone"
usage example.com --since 2026-01-02 --until 2026-01-01
usage example.com --dns-zone "$T/no-such-zone"
grep -q 'no-such-zone' "$T/err" || fail "a missing zone file is not named"

# hostile selector and reporter names
cat >"$T/h" <<'R'
192.0.2.10 40 pass pass example.com example.com:&lt;img&#32;src=x&gt;:fail example.com:pass
R
report '&lt;script&gt;alert(1)&lt;/script&gt;' 3 "$T/h"
report '&lt;script&gt;alert(1)&lt;/script&gt;' 2 "$T/h"
DMARC="v=DMARC1; p=none; rua=mailto:dmarc@example.com"
doc
jq -e 'length > 0' "$T/out.json" >/dev/null || fail "no findings"
grep -q '<' "$T/out.json" && fail "raw '<' in the JSON output"
grep -q 'u003cimg' "$T/out.json" || fail "the hostile selector is not there, escaped"

# worst first: errors, then warnings, then info
jq -e '[.[].severity | {"error": 0, "warning": 1, "info": 2}[.]] as $s |
    $s == ($s | sort)' "$T/out.json" >/dev/null || fail "not worst first"
jq -e 'all(.[]; (.severity | type) == "string" and (.code | type) ==
    "string" and (.message | type) == "string" and (.evidence | type) ==
    "object" and (.fix | type) == "string" and .fix != "")' \
    "$T/out.json" >/dev/null || fail "a finding breaks the JSON contract"

# text: a summary line, each finding with its fix; exit per --fail-on
"$DS_BIN" doctor example.com --db "$DB" --dns-zone "$T/zone" >"$T/text"
rc=$?
nerr=$(jq '[.[] | select(.severity == "error")] | length' "$T/out.json")
nwarn=$(jq '[.[] | select(.severity == "warning")] | length' "$T/out.json")
want=0
[ "$nerr" -gt 0 ] && want=1
[ $rc -eq $want ] || fail "--fail-on error: exit $rc with $nerr errors"
grep -q "^example.com: $nerr errors\{0,1\}, $nwarn warnings\{0,1\}" "$T/text" ||
    fail "text output has no summary line"
[ "$(grep -c '^  fix:$' "$T/text")" -eq "$(jq length "$T/out.json")" ] ||
    fail "text output: not every finding has its fix"
"$DS_BIN" doctor example.com --db "$DB" --dns-zone "$T/zone" \
    --fail-on warning >/dev/null
rc=$?
want=0
[ $((nerr + nwarn)) -gt 0 ] && want=1
[ $rc -eq $want ] || fail "--fail-on warning: exit $rc"
echo "1 passed, 0 failed"
