#!/bin/sh
# t_dsgen.sh - dsgen, the synthetic data generator: same seed gives the same
# bytes, another seed other bytes; a 1000-record report is well-formed with
# 1000 records; a Maildir of 20 messages has 20 files in cur/; the truth
# agrees with the Maildir it describes.
# SPDX-License-Identifier: MIT
set -u

fail() {
	echo "t_dsgen: $*" >&2
	exit 1
}

[ -n "${DS_BUILD:-}" ] || fail "DS_BUILD is not set"
GEN="$DS_BUILD/dsgen"
[ -x "$GEN" ] || fail "$GEN not built (cmake --build ... --target dsgen)"
command -v xmllint >/dev/null 2>&1 || fail "xmllint not installed"

T=$(mktemp -d "${TMPDIR:-/tmp}/t_dsgen.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM

# determinism, each mode
mkdir "$T/1" "$T/2" || fail "mkdir"
for i in 1 2; do
	"$GEN" xml --records 1000 --seed 7 -o "$T/$i/r.xml" \
	    --truth "$T/$i/r.json" || fail "xml run $i failed"
done
cmp "$T/1/r.xml" "$T/2/r.xml" || fail "xml: same seed, different output"
cmp "$T/1/r.json" "$T/2/r.json" || fail "xml: same seed, different truth"
"$GEN" xml --records 1000 --seed 8 -o "$T/c.xml" || fail "xml seed 8 failed"
cmp -s "$T/1/r.xml" "$T/c.xml" &&
    fail "xml: seeds 7 and 8 gave the same output"

"$GEN" xml --records 200 --gzip --format rfc9990 --seed 7 -o "$T/a.xml.gz" &&
    "$GEN" xml --records 200 --gzip --format rfc9990 --seed 7 \
    -o "$T/b.xml.gz" || fail "xml --gzip failed"
cmp "$T/a.xml.gz" "$T/b.xml.gz" || fail "xml --gzip: different output"
gzip -dc "$T/a.xml.gz" >"$T/g.xml" || fail "xml --gzip: not gzip"
grep -q 'urn:ietf:params:xml:ns:dmarc-2.0' "$T/g.xml" ||
    fail "--format rfc9990 without the dmarc-2.0 namespace"

for mode in maildir mbox; do
	"$GEN" $mode --messages 40 --seed 3 --dup-rate 0.1 \
	    --invalid-rate 0.1 -o "$T/$mode.1" --truth "$T/$mode.1.json" &&
	    "$GEN" $mode --messages 40 --seed 3 --dup-rate 0.1 \
	    --invalid-rate 0.1 -o "$T/$mode.2" --truth "$T/$mode.2.json" ||
	    fail "$mode run failed"
	diff -r "$T/$mode.1" "$T/$mode.2" >/dev/null ||
	    fail "$mode: same seed, different output"
	cmp "$T/$mode.1.json" "$T/$mode.2.json" ||
	    fail "$mode: same seed, different truth"
done
"$GEN" demo -o "$T/demo.1" && "$GEN" demo -o "$T/demo.2" ||
    fail "demo run failed"
diff -r "$T/demo.1" "$T/demo.2" >/dev/null || fail "demo: different output"

# a 1000-record report: well-formed, 1000 records, as the truth says
xmllint --noout --stream "$T/1/r.xml" || fail "xml: not well-formed"
n=$(xmllint --xpath 'count(//*[local-name()="record"])' "$T/1/r.xml") ||
    fail "xmllint --xpath failed"
[ "$n" = 1000 ] || fail "xml: $n records, want 1000"
grep -q '"records": 1000,' "$T/1/r.json" || fail "truth: records is not 1000"
sum=$(xmllint --xpath 'sum(//*[local-name()="count"])' "$T/1/r.xml")
grep -q "\"records\": 1000, \"messages\": $sum," "$T/1/r.json" ||
    fail "truth: messages is not the sum of counts ($sum)"

# a Maildir of 20 messages
"$GEN" maildir --messages 20 --seed 5 -o "$T/md" --truth "$T/md.json" ||
    fail "maildir failed"
for d in cur new tmp; do
	[ -d "$T/md/$d" ] || fail "maildir: no $d/"
done
n=$(ls "$T/md/cur" | wc -l)
[ "$n" -eq 20 ] || fail "maildir: $n files in cur/, want 20"
n=$(find "$T/md/new" "$T/md/tmp" -type f | wc -l)
[ "$n" -eq 0 ] || fail "maildir: $n files left in new/ or tmp/"
ls "$T/md/cur" | grep -qv '^[0-9]*\.[0-9]*\.dsgen:2,S$' &&
    fail "maildir: unexpected file name in cur/"
grep -q '"messages": 20,' "$T/md.json" || fail "truth: messages is not 20"

# mbox: 40 separators, body lines that start with "From " are quoted
n=$(grep -c '^From MAILER-DAEMON ' "$T/mbox.1")
[ "$n" -eq 40 ] || fail "mbox: $n messages, want 40"
grep '^From ' "$T/mbox.1" | grep -qv '^From MAILER-DAEMON ' &&
    fail "mbox: unquoted From line"

# the demo: two domains, one duplicate, one invalid message
"$GEN" demo -o "$T/demo.3" --truth "$T/demo.json" || fail "demo --truth"
grep -q '"duplicates": 1, "invalid": 1,' "$T/demo.json" ||
    fail "demo: want one duplicate and one invalid message"
grep -q '"example.org": { "reports"' "$T/demo.json" ||
    fail "demo: no example.org reports"

# bad usage is refused with status 2
"$GEN" xml -o "$T/x.xml" 2>/dev/null
[ $? -eq 2 ] || fail "xml without --records: want exit 2"
"$GEN" nonsense -o "$T/x" 2>/dev/null
[ $? -eq 2 ] || fail "unknown mode: want exit 2"
exit 0
