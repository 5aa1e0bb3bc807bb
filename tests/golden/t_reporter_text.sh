#!/bin/sh
# t_reporter_text.sh - text output of summary, senders and reporters as
# golden files (tests/golden/reporter/*.txt) over a fixed dsgen Maildir,
# names from tests/golden/reporter/zone; every line fits 80 columns.
# DS_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
# SPDX-License-Identifier: MIT
set -u

fail() {
	echo "t_reporter_text: $*" >&2
	exit 1
}

[ -n "${DS_BUILD:-}" ] && [ -n "${DS_SRC:-}" ] || fail "DS_BUILD/DS_SRC unset"
BIN="${DS_BIN:-$DS_BUILD/dmarcsift}"
G="$DS_SRC/tests/golden/reporter"
T=$(mktemp -d "${TMPDIR:-/tmp}/t_reporter_text.XXXXXX") || fail "mktemp"
trap 'rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NOW=1768000000 DMARCSIFT_NO_PROGRESS=1 COLUMNS=80
export XDG_CONFIG_HOME="$T/config" XDG_DATA_HOME="$T/data"
DB="$T/d.db"

"$DS_BUILD/dsgen" maildir --messages 40 --seed 9 -o "$T/md" ||
    fail "dsgen failed"
"$BIN" ingest --db "$DB" -q "$T/md"
[ $? -le 1 ] || fail "ingest failed"

run() {	# name, arguments...
	name=$1
	shift
	"$BIN" "$@" --db "$DB" >"$T/$name.txt" 2>"$T/err" ||
	    fail "$name: exit $? $(cat "$T/err")"
	awk -v n="$name" 'length($0) > 80 { print n ": line " NR " is " \
	    length($0) " columns"; bad = 1 } END { exit bad }' \
	    "$T/$name.txt" >&2 || fail "$name: wider than 80 columns"
	if [ "${DS_UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$T/$name.txt" "$G/$name.txt"
	else
		diff -u "$G/$name.txt" "$T/$name.txt" ||
		    fail "$name differs from $G/$name.txt"
	fi
}

run senders-zone senders --domain example.com --limit 12 \
    --dns-zone "$G/zone"
run senders-failing senders --domain example.net --failing --sort fail \
    --limit 8 --offline
run senders-service senders --group service --offline
run senders-net senders --domain example.org --group net --limit 6 \
    --offline
run summary-week summary --since 2026-01-01 --until 2026-01-08
run summary-domain summary --domain example.com --top 3
run reporters reporters
run reporters-domain reporters --domain example.org --since 2026-01-03
exit 0
