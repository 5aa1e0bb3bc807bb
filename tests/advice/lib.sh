# lib.sh - helpers for the advice scenario tests (tests/advice/t_*.sh):
# one scenario of `dsgen scenario` (daily reports of the last 14 days,
# the zone as it is and fixed, a config with declarations) ingested into
# a temporary database, then senders, doctor and weekly run on it with
# the zone file and checked with jq.
# SPDX-License-Identifier: MIT
set -u

NAME=$(basename "$0" .sh)
fail() {
	echo "$NAME: $*" >&2
	exit 1
}
: "${DS_BIN:?DS_BIN is not set}"
: "${DS_BUILD:?DS_BUILD is not set}"
command -v jq >/dev/null 2>&1 || fail "jq not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || fail "mktemp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
export XDG_CONFIG_HOME="$T/xdg" XDG_DATA_HOME="$T/xdg"
export DMARCSIFT_NO_PROGRESS=1 COLUMNS=80
DB="$T/dmarc.db"
NOW=$(date +%s)
TODAY=$((NOW - NOW % 86400))
START=$((TODAY - 14 * 86400))
S="$T/s"
ZONE="$S/zone"
CONF=""

# scenario NAME: generate and ingest it
scenario() {
	"$DS_BUILD/dsgen" scenario --scenario "$1" --start "$START" -o "$S" ||
	    fail "dsgen scenario $1 failed"
	"$DS_BIN" ingest -q --db "$DB" "$S/reports" ||
	    fail "ingest of scenario $1 failed"
	[ -f "$S/config" ] && CONF="--config $S/config"
	return 0
}

# senders [ARGS]: senders JSON of example.com in $T/senders.json
senders() {
	# shellcheck disable=SC2086
	"$DS_BIN" senders --db "$DB" --domain example.com --dns-zone "$ZONE" \
	    $CONF --format json "$@" >"$T/senders.json" 2>"$T/err" ||
	    fail "senders failed: $(cat "$T/err")"
}
# class IP CLASS: the source's class in the last senders run
class() {
	jq -e --arg i "$1" --arg c "$2" 'any(.[]; .source_ip == $i and
	    .class == $c and (.class_reason | length) > 0)' \
	    "$T/senders.json" >/dev/null ||
	    fail "$1 is not $2: $(jq -c --arg i "$1" '.[] |
	    select(.source_ip == $i) | [.class, .class_reason]' \
	    "$T/senders.json")"
}

# doc [ARGS]: doctor JSON in $T/doc.json
doc() {
	# shellcheck disable=SC2086
	"$DS_BIN" doctor example.com --db "$DB" --dns-zone "$ZONE" $CONF \
	    --format json "$@" >"$T/doc.json" 2>"$T/err"
	[ $? -le 1 ] || fail "doctor failed: $(cat "$T/err")"
}
has() {
	jq -e --arg c "$1" --arg s "${2:-}" 'any(.[]; .code == $c and
	    ($s == "" or .severity == $s))' "$T/doc.json" >/dev/null ||
	    fail "no finding $1 ${2:-}: $(jq -c '[.[] | [.code, .severity]]' \
	    "$T/doc.json")"
}
lacks() {
	jq -e --arg c "$1" 'all(.[]; .code != $c)' "$T/doc.json" \
	    >/dev/null || fail "unexpected finding $1"
}
# fix CODE TEXT: a finding CODE whose fix contains TEXT
fix() {
	jq -e --arg c "$1" --arg t "$2" 'any(.[]; .code == $c and
	    (.fix | contains($t)))' "$T/doc.json" >/dev/null ||
	    fail "fix of $1 lacks '$2'"
}
# ev CODE JQ: JQ on the evidence of finding CODE is true
ev() {
	jq -e --arg c "$1" "any(.[]; .code == \$c and (.evidence | $2))" \
	    "$T/doc.json" >/dev/null || fail "evidence of $1: $2 is false"
}
# nofix TEXT: no finding's fix or message contains TEXT
nofix() {
	jq -e --arg t "$1" 'all(.[]; (.fix | contains($t) | not) and
	    (.message | contains($t) | not))' "$T/doc.json" >/dev/null ||
	    fail "some finding says '$1'"
}

# weekly: the last complete week's "What to do" (plain text) in $T/todo
weekly() {
	# shellcheck disable=SC2086
	"$DS_BIN" weekly --db "$DB" --domain example.com --dns-zone "$ZONE" \
	    $CONF --out "$T/w.html" 2>"$T/err" ||
	    fail "weekly failed: $(cat "$T/err")"
	python3 "$DS_SRC/tests/browser/domq.py" text "$T/w.html" w-todo \
	    >"$T/todo" || fail "no w-todo in the weekly"
}
todo_has() {
	grep -qF -- "$1" "$T/todo" || fail "weekly what-to-do lacks '$1': $(cat "$T/todo")"
}
todo_lacks() {
	! grep -qF -- "$1" "$T/todo" || fail "weekly what-to-do says '$1': $(cat "$T/todo")"
}
