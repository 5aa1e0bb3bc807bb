#!/bin/sh
# mutate.sh - the mutational review of issue 13, kept: mutate the real
# corpus (../shared/corpus: aggregate XML and failure reports) with the
# values that pass the parser but break what comes after (2^63-1 and
# other huge counts and dates, begin > end, ESC/C1/bidi in text, RFC 2231
# attachment names with escapes, ::ffff: and odd IPs, duplicate report
# IDs with other content), ingest them, then feed the database to every
# command. Counts crashes (a signal, or a sanitizer report on stderr) and
# hangs (a command over its time budget), keeps each failing input.
#
#   tests/fuzz/mutate.sh [-b BIN] [-n INPUTS] [-t SECONDS] [-o DIR] [-s SEED]
#
# With the sanitizer build: cmake -S . -B build-asan -DDS_SANITIZE=ON &&
# cmake --build build-asan && tests/fuzz/mutate.sh -b build-asan/dmarcsift
# -t 600. Prints one line "inputs N, commands N, crashes N, hangs N" and
# exits 1 when there was a crash or a hang. tests/fuzz/t_mutate.sh runs it
# briefly in every test run.
# SPDX-License-Identifier: MIT
set -u

here=$(cd "$(dirname "$0")" && pwd)
BIN=${DS_BIN:-$here/../../build/dmarcsift}
N=200 SECS=0 OUT="" SEED=$$
CORPUS=${DS_CORPUS:-$here/../../../shared/corpus}
while getopts b:n:t:o:s: o; do
	case $o in
	b) BIN=$OPTARG ;; n) N=$OPTARG ;; t) SECS=$OPTARG ;;
	o) OUT=$OPTARG ;; s) SEED=$OPTARG ;;
	*) echo "usage: $0 [-b BIN] [-n INPUTS] [-t SECONDS] [-o DIR] [-s SEED]" >&2; exit 2 ;;
	esac
done
[ -x "$BIN" ] || { echo "mutate: no binary $BIN" >&2; exit 2; }
[ -d "$CORPUS" ] || { echo "mutate: no corpus at $CORPUS" >&2; exit 77; }
command -v python3 >/dev/null || { echo "mutate: no python3" >&2; exit 77; }
W=$(mktemp -d "${TMPDIR:-/tmp}/mutate.XXXXXX") || exit 2
trap 'rm -rf "$W"' EXIT INT TERM
[ -n "$OUT" ] || OUT="$W/found"
mkdir -p "$OUT"
export DMARCSIFT_NO_PROGRESS=1 XDG_CONFIG_HOME="$W/cfg" XDG_DATA_HOME="$W/data"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=0}:abort_on_error=1"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"

# mutator: NAME... -> one mutated file per input, in $W/in/<round>/
python3 - "$CORPUS" "$W/seeds" <<'PY'
import os, sys
src, dst = sys.argv[1], sys.argv[2]
os.makedirs(dst, exist_ok=True)
n = 0
for d, _, fs in os.walk(src):
    for f in sorted(fs):
        p = os.path.join(d, f)
        if os.path.getsize(p) > 2_000_000:
            continue
        if f.endswith(('.xml', '.eml')):
            n += 1
            with open(p, 'rb') as i, open(os.path.join(dst, '%04d-%s' % (n, f)), 'wb') as o:
                o.write(i.read())
PY
cat >"$W/mut.py" <<'PY'
import os, random, re, sys
seed, seeds, out, k = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
r = random.Random(seed)
files = sorted(os.listdir(seeds))
HOSTILE_NUM = [b'9223372036854775807', b'9223372036854775806', b'4611686018427387903',
               b'18446744073709551615', b'0', b'-1', b'100000000000', b'4354646400',
               b'1e11', b'00000000000000000001', b'1337270400.999', b'']
HOSTILE_TXT = [b'\x1b]0;pwned\x07', b'\xc2\x9b31m', b'\xe2\x80\xae', b'\xe2\x81\xa6',
               b'\x1b[2J', b'\xef\xbb\xbf', b'&#x1b;', b'&#x9b;', b'&#x202e;',
               b'\xff\xfe', b'<script>', b"'; DROP TABLE report;--", b'=HYPERLINK("x")']
HOSTILE_IP = [b'::ffff:192.0.2.1', b'::FFFF:C000:0201', b'0::ffff:1.2.3.4', b'010.001.002.003',
              b'2001:DB8:0:0::1', b'::', b'255.255.255.255', b'1.2.3.4%eth0']
def mutate(b):
    for _ in range(r.randint(1, 4)):
        m = r.randrange(6)
        if m == 0:   # a number
            nums = [x for x in re.finditer(rb'>(-?[0-9.]+)<', b)]
            if nums:
                x = r.choice(nums)
                b = b[:x.start(1)] + r.choice(HOSTILE_NUM) + b[x.end(1):]
        elif m == 1: # text in an element
            xs = [x for x in re.finditer(rb'>([A-Za-z][^<>\n]{0,60})<', b)]
            if xs:
                x = r.choice(xs)
                p = r.randint(x.start(1), x.end(1))
                b = b[:p] + r.choice(HOSTILE_TXT) + b[p:]
        elif m == 2: # an IP
            xs = [x for x in re.finditer(rb'(source_ip>|Source-IP: )([0-9a-fA-F:.]+)', b)]
            if xs:
                x = r.choice(xs)
                b = b[:x.start(2)] + r.choice(HOSTILE_IP) + b[x.end(2):]
        elif m == 3: # swap begin and end
            b = re.sub(rb'<begin>(\d+)</begin>(\s*)<end>(\d+)</end>',
                       lambda x: b'<begin>' + x.group(3) + b'</begin>' + x.group(2) + b'<end>' + x.group(1) + b'</end>', b, 1)
        elif m == 4: # header text (failure reports)
            xs = [x for x in re.finditer(rb'\n(Subject|From|Message-ID|Reported-Domain): ([^\r\n]*)', b)]
            if xs:
                x = r.choice(xs)
                b = b[:x.start(2)] + r.choice(HOSTILE_TXT) + b[x.start(2):]
        else:        # duplicate a record (same identity, other content)
            x = re.search(rb'<record>.*?</record>', b, re.S)
            if x:
                b = b[:x.end()] + x.group(0) + b[x.end():]
    return b
os.makedirs(out, exist_ok=True)
for i in range(k):
    f = r.choice(files)
    with open(os.path.join(seeds, f), 'rb') as fh:
        data = fh.read()
    ext = '.eml' if f.endswith('.eml') else '.xml'
    with open(os.path.join(out, 'm%05d%s' % (i, ext)), 'wb') as o:
        o.write(mutate(data))
# one mail with an RFC 2231 attachment name carrying escapes
with open(os.path.join(out, 'name2231.eml'), 'wb') as o:
    o.write(b"From: a@rep.test\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=B\r\n\r\n--B\r\n"
            b"Content-Type: application/gzip; name*=utf-8''%1B%5D0%3Bx%07%C2%9B%E2%80%AE.gz\r\n"
            b"Content-Transfer-Encoding: base64\r\n\r\nH4sIAAAAAAAAA0tMTM7PS8nPS1WqqgIA\r\n--B--\r\n")
PY

inputs=0 cmds=0 crashes=0 hangs=0 round=0
start=$(date +%s)
# run LABEL TIMEOUT CMD...: count a crash or a hang, keep the inputs
run() {
	label=$1 to=$2
	shift 2
	cmds=$((cmds + 1))
	timeout -k 5 "$to" "$@" >"$W/out" 2>"$W/err" </dev/null
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		hangs=$((hangs + 1))
		echo "mutate: HANG round $round: $label" >&2
		cp -r "$W/in" "$OUT/hang-$round-$label" 2>/dev/null
	elif [ $rc -ge 128 ] || grep -q 'ERROR: AddressSanitizer\|runtime error:\|LeakSanitizer' "$W/err"; then
		crashes=$((crashes + 1))
		echo "mutate: CRASH round $round: $label (exit $rc)" >&2
		head -20 "$W/err" >&2
		cp -r "$W/in" "$OUT/crash-$round-$label" 2>/dev/null
	elif LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$W/err"; then
		crashes=$((crashes + 1))
		echo "mutate: RAW CONTROL on stderr round $round: $label" >&2
		cp -r "$W/in" "$OUT/raw-$round-$label" 2>/dev/null
	fi
}
while :; do
	if [ "$SECS" -gt 0 ]; then
		[ $(($(date +%s) - start)) -lt "$SECS" ] || break
	else
		[ "$inputs" -lt "$N" ] || break
	fi
	round=$((round + 1))
	k=20
	[ "$SECS" -gt 0 ] || [ $((N - inputs)) -ge 20 ] || k=$((N - inputs))
	rm -rf "$W/in" "$W/d.db" "$W/d.db-wal" "$W/d.db-shm" "$W/d.db.lock" "$W/site"
	python3 "$W/mut.py" $((SEED + round)) "$W/seeds" "$W/in" "$k" || exit 2
	inputs=$((inputs + k + 1))
	DB="$W/d.db"
	run ingest 120 "$BIN" ingest --db "$DB" --offline "$W/in"
	run ingest-again 120 "$BIN" ingest --db "$DB" --offline "$W/in"
	for c in reports reporters failures; do
		for f in text json csv; do
			run "$c-$f" 60 "$BIN" "$c" --db "$DB" --format $f
		done
	done
	for f in text json csv; do	# conflicting versions (issue 13)
		run "conflicts-$f" 60 "$BIN" reports --conflicts --db "$DB" --format $f
	done
	run summary 60 "$BIN" summary --db "$DB"
	run summary-json 60 "$BIN" summary --db "$DB" --format json
	run senders 60 "$BIN" senders --db "$DB" --offline
	run senders-json 60 "$BIN" senders --db "$DB" --offline --format json
	run senders-svc 60 "$BIN" senders --db "$DB" --offline --group service
	run html 120 "$BIN" html --db "$DB" --offline --out "$W/site"
	for d in $(sqlite3 "$DB" "select distinct domain from report limit 3" 2>/dev/null); do
		run doctor 60 "$BIN" doctor "$d" --db "$DB" --offline
		run weekly 60 "$BIN" weekly --db "$DB" --domain "$d" --offline --out "$W/w.html"
	done
	for id in $(sqlite3 "$DB" "select id from failure_report limit 3" 2>/dev/null); do
		run failures-show 60 "$BIN" failures show "$id" --db "$DB"
		run failures-unredacted 60 "$BIN" failures show "$id" --db "$DB" --unredacted
	done
done
echo "mutate: inputs $inputs, commands $cmds, crashes $crashes, hangs $hangs, $(($(date +%s) - start)) s (seed $SEED)"
[ $crashes -eq 0 ] && [ $hangs -eq 0 ]
