#!/bin/sh
# t_policy.sh - the policy as a timeline: p=none, then p=reject, then
# p=none again. summary's policy_timeline has the three spans in order
# (a return to an earlier policy is a new span), the text shows each
# change, doctor reports dmarc-policy-downgrade, the weekly marks it.
# Then reports with count 0: stored, counted as 0, nothing breaks.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario revert
"$DS_BIN" summary --db "$DB" --domain example.com --format json \
    >"$T/sum.json" || fail "summary failed"
jq -e '.[0].policy_timeline | length == 3 and
    ([.[].p] == ["none", "reject", "none"]) and
    (.[0].until < .[1].since) and (.[1].until < .[2].since) and
    all(.[]; .reports > 0 and .sp != null and .adkim == "r" and
    .pct == 100 and .testing == "n")' "$T/sum.json" >/dev/null ||
    fail "policy_timeline wrong: $(jq -c '.[0].policy_timeline' "$T/sum.json")"
jq -e '.[0].policy.p == "none"' "$T/sum.json" >/dev/null ||
    fail "the current policy is not the latest report's"
"$DS_BIN" summary --db "$DB" --domain example.com >"$T/sum.txt" ||
    fail "summary text failed"
[ "$(grep -c 'policy change' "$T/sum.txt")" -eq 2 ] ||
    fail "summary text does not show both changes: $(cat "$T/sum.txt")"
doc
has dmarc-policy-downgrade warning
ev dmarc-policy-downgrade '.weakening == "p lowered" and
    (.before | startswith("p=reject")) and (.after | startswith("p=none"))'

rm -rf "$S" "$DB"
CONF=""
scenario zero
senders
jq -e '.[] | select(.source_ip == "203.0.113.9") | .messages == 0' \
    "$T/senders.json" >/dev/null || fail "count 0 source not listed with 0"
doc
lacks sender-unknown-spoofing
"$DS_BIN" summary --db "$DB" --domain example.com --format json \
    >"$T/sum.json" || fail "summary failed"
jq -e '.[0].messages == 8400' "$T/sum.json" >/dev/null ||
    fail "count 0 records changed the total"
echo "1 passed, 0 failed"
