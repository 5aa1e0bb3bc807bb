#!/bin/sh
# t_declared.sh - declarations win over inference: an office relay that
# nothing authenticates is unknown until the config's [domain:example.com]
# declares it ours (then doctor names its ip4:), and Google, a service
# by its IP range, is unknown once declared not ours. A bad declaration
# is a usage error naming the file.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

scenario declared
SAVED=$CONF
CONF=""
senders
class 203.0.113.80 unknown
class 209.85.220.99 service
doc
lacks spf-ip-missing

CONF=$SAVED
senders
class 203.0.113.80 ours
class 209.85.220.99 unknown
jq -e '.[] | select(.source_ip == "203.0.113.80") | .class_reason |
    startswith("declared ours")' "$T/senders.json" >/dev/null ||
    fail "class_reason does not say declared"
doc
has spf-ip-missing
fix spf-ip-missing 'ip4:203.0.113.80'
ev sender-unknown-spoofing '[.sources[].ip] == ["209.85.220.99"]'
jq -e '.[] | select(.code == "dmarc-policy-none") |
    .message | contains("do not enforce yet")' "$T/doc.json" >/dev/null ||
    fail "the declared relay's failures do not hold enforcement back"
weekly
todo_has 'ip4:203.0.113.80'

printf '[domain:example.com]\nours = 300.1.2.3/40\n' >"$T/bad"
"$DS_BIN" senders --db "$DB" --domain example.com --offline \
    --config "$T/bad" >/dev/null 2>"$T/err"
[ $? -eq 2 ] || fail "a bad declaration is not a usage error"
grep -q "$T/bad" "$T/err" || fail "the error does not name the file"
printf '[domain:example.com]\nours = 192.0.2.1\nmaybe = 1.2.3.4\n' >"$T/bad"
"$DS_BIN" doctor example.com --db "$DB" --offline --config "$T/bad" \
    >/dev/null 2>"$T/err"
[ $? -eq 2 ] || fail "an unknown key is not a usage error"
echo "1 passed, 0 failed"
