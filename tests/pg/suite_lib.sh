# suite_lib.sh - run existing shell tests (written for SQLite files)
# twice, on SQLite and on a real PostgreSQL 15 server, and compare
# what dmarcsift printed in both passes byte for byte. Sourced by the
# tests/pg/t_suite_*.sh files: run_suites TEST... (TEST:exit: a test
# whose runs depend on timing, e.g. kill -9 points, or whose SQLite
# pass cannot run under the shim (t_readonly runs it as nobody), must
# pass on PostgreSQL; what it printed is not compared, and its SQLite
# pass is its own entry in the suite)
#
# The PostgreSQL pass puts shim/ first on PATH and points DS_BIN at
# shim/dmarcsift: every --db PATH (and $DMARCSIFT_DB) becomes a database
# of its own on the server, and the test's own sqlite3 queries go to it
# through psql (shim/sqlite3). Both passes log each dmarcsift run's
# command, standard output and exit status; temporary directory names
# and the database names are the only things normalised.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BUILD:?}"
REAL=${DS_BIN:-$DS_BUILD/dmarcsift}
# once per CI run (time budget): the sanitizer build's run skips the
# comparisons; t_db and t_concurrent run the driver under ASan there
nm "$REAL" 2>/dev/null | grep -q __asan_init &&
	{ echo "sanitizer build: the release run compares: skipped"; exit 77; }
SHIM=$DS_SRC/tests/pg/shim
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
BASE=${URI%/*}

# normalise PASS LOG: temporary names (the passes' TMPDIRs tmp-sq and
# tmp-pg have names of one length, so text tables wrap a path alike;
# tests whose layout checks need a short path use /tmp/ds-NAME.XXXXXX),
# database names, the wall-clock
# times ingest records (ingested_at, verified_at, a conflicting
# version's version_ingested in JSON and CSV, when an input was
# quarantined in quarantine list and show: not $DMARCSIFT_NOW),
# and failure report ids: PostgreSQL's identity columns keep the
# numbers a conflicting or rolled-back INSERT took (gaps), SQLite's
# rowids do not; both are unique and rise in insertion order.
norm() {
	sed -E -e "s#$T/tmp-$1/[A-Za-z0-9._-]*#TMP#g" \
	    -e 's#/tmp/ds-[a-z]+\.[A-Za-z0-9]{6}#TMP#g' \
	    -e "s#$BASE/t[0-9a-f]*#DB#g" -e 's#TMP/[A-Za-z0-9._/-]*\.db#DB#g' \
	    -e 's#"(ingested_at|verified_at)":"[^"]*"#"\1":"T"#g' \
	    -e 's#"version_ingested":[0-9]+,#"version_ingested":T,#g' \
	    -e 's#([[{,]\{?"id":[0-9]+,"created":)[0-9]+,#\1T,#g' \
	    -e 's#^( *[0-9]+  )[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}(  +[0-9]+  )#\1T\2#' \
	    -e 's#^(when: +)[0-9]{4}-[0-9-]+ [0-9:]+ UTC$#\1T#' \
	    -e 's#^\{"id":[0-9]+,#{"id":N,#' \
	    -e 's#^Failure report [0-9]+$#Failure report N#' \
	    -e 's#^(  ingested|  at) +[0-9]{4}-[0-9-]+ [0-9:]+ UTC$#\1 T#' "$2" |
	    sort_rrsets
}

# doctor lists several TXT records of one name in the order the resolver
# gave them, which varies from run to run whatever the store: sorted;
# DKIM signatures a test made in each pass (t=, b=) made alike; a test
# server's random loopback address (not 127.0.0.1) and the wall-clock
# version_ingested columns of CSV made alike
sort_rrsets() {
	python3 -c '
import csv, io, re, sys
wall = None   # CSV columns holding wall-clock ingest times
def fix(m):
    items = re.findall(r"\"(?:[^\"\\\\]|\\\\.)*\"", m.group(2))
    return m.group(1) + ",".join(sorted(items)) + "]"
for line in sys.stdin:
    if line.startswith("== "):
        wall = None
    elif line.startswith("begin,") and "version_ingested" in line:
        head = line.rstrip("\r\n").split(",")
        wall = [i for i, c in enumerate(head) if c.startswith("version_ingested")]
    elif wall:
        row = next(csv.reader([line.rstrip("\r\n")]))
        for i in wall:
            if i < len(row):
                row[i] = "T"
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(row)
        line = out.getvalue()
    line = re.sub(r"(\"records\":\[)([^\]]*)\]", fix, line)
    # test servers on random loopback addresses (t_mtasts: per process)
    line = re.sub(r"\b127\.\d{1,3}\.\d{1,3}\.(\d{1,3})\b", lambda m:
        m.group(0) if m.group(0) == "127.0.0.1" else "127.R.R." + m.group(1), line)
    # DKIM signatures a test makes at each pass (fresh key, time)
    line = re.sub(r"(^|[;\s]|\\t)t=\d{9,}", r"\1t=T", line)
    line = re.sub(r"(^|[;\s]|\\t)b=[A-Za-z0-9+/=]+(?:(?:\\[nrt]|[ \t])+[A-Za-z0-9+/=]+)*", r"\1b=B", line)
    sys.stdout.write(line)
'
}

# one "now" for both passes of a test that does not set its own
DMARCSIFT_NOW=${DMARCSIFT_NOW:-$(date +%s)}
export DMARCSIFT_NOW

run_one() {
	t=$1 name=$(basename "$1" .sh)
	mkdir -p "$T/tmp-sq" "$T/tmp-pg" "$T/state"
	: >"$T/lite.log"
	: >"$T/pg.log"
	if [ "${2:-}" = exit ]; then
		# nothing to compare: the suite's own run is the SQLite pass
		rc1=0
	else
		TMPDIR=$T/tmp-sq DS_PG_REAL=$REAL DS_BIN=$SHIM/dmarcsift \
		    DS_PG_LOG=$T/lite.log sh "$t" >"$T/$name.lite.out" 2>&1
		rc1=$?
	fi
	if [ $rc1 -eq 77 ]; then
		echo "skip: $name (skipped on SQLite too)"
		return 0
	fi
	# (an :exit pass logs nothing: the shim then execs dmarcsift, so
	# the test's kill -9 reaches it)
	log=$T/pg.log
	[ "${2:-}" = exit ] && log=
	TMPDIR=$T/tmp-pg DS_PG_REAL=$REAL DS_BIN=$SHIM/dmarcsift \
	    DS_PG_LOG=$log DS_PG_BASE=$BASE DS_PG_STATE=$T/state \
	    PATH=$SHIM:$PATH sh "$t" >"$T/$name.pg.out" 2>&1
	rc2=$?
	if [ $rc1 -ne 0 ] || [ $rc2 -ne 0 ]; then
		echo "FAIL: $name exits $rc1 on SQLite, $rc2 on PostgreSQL" >&2
		tail -20 "$T/$name.pg.out" >&2
		return 1
	fi
	if [ "${2:-}" = exit ]; then
		echo "ok: $name: passes on PostgreSQL (exit status only)"
		rm -rf "$T/tmp-sq" "$T/tmp-pg"
		return 0
	fi
	norm sq "$T/lite.log" >"$T/$name.lite.log"
	norm pg "$T/pg.log" >"$T/$name.pg.log"
	if ! cmp -s "$T/$name.lite.log" "$T/$name.pg.log"; then
		echo "FAIL: $name: dmarcsift printed other bytes on" \
		    "PostgreSQL (- SQLite, + PostgreSQL)" >&2
		diff -u -a "$T/$name.lite.log" "$T/$name.pg.log" | head -30 |
		    cut -c1-400 >&2
		return 1
	fi
	[ -s "$T/$name.lite.log" ] || {
		echo "FAIL: $name: no dmarcsift run logged" >&2
		return 1
	}
	echo "ok: $name: $(grep -c '^== ' "$T/$name.lite.log") runs alike"
	rm -rf "$T/tmp-sq" "$T/tmp-pg"
}

run_suites() {
	fails=0
	for t in "$@"; do
		case $t in
		*:exit) run_one "$DS_SRC/tests/${t%:exit}" exit ;;
		*) run_one "$DS_SRC/tests/$t" ;;
		esac || fails=$((fails + 1))
	done
	[ $fails -eq 0 ]
}
