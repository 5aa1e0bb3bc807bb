# lib.sh - sourced by the IMAP integration tests (t_imap_*.sh): a temp
# directory, a throw-away Dovecot (dovecot.sh), report mails from dsgen,
# and checks of the database against dsgen's --truth.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}" "${DS_BUILD:?}"
DSGEN=$DS_BUILD/dsgen
DOVECOT_SH=$DS_SRC/tests/integration/dovecot.sh
PASS='s3cret pass'
export DOVECOT_PASS="$PASS"
export DMARCSIFT_NO_PROGRESS=1 LC_ALL=C
unset DMARCSIFT_IMAP_PASSWORD DMARCSIFT_DB XDG_CONFIG_HOME XDG_DATA_HOME
for tool in jq sqlite3 curl openssl; do
	command -v $tool >/dev/null 2>&1 || {
		echo "missing $tool (sh tools/deps.sh test installs it)" >&2
		exit 1
	}
done
T=$(mktemp -d /tmp/ds-imap.XXXXXX) || exit 1
chmod 0755 "$T"
export HOME="$T/home"	# no ~/.netrc or config of the caller
mkdir -p "$HOME"

cleanup() {
	for d in "$T"/dv*; do
		[ -d "$d" ] && sh "$DOVECOT_SH" stop "$d"
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
	echo "FAIL: $*" >&2
	for f in "$T"/*.err; do
		[ -s "$f" ] && { echo "--- $f" >&2; tail -5 "$f" >&2; }
	done
	exit 1
}

ok() {
	echo "ok - $*"
}

dv() {
	sh "$DOVECOT_SH" "$@"
}

# start_dovecot NAME plain|tls: a server in $T/NAME; sets $port
start_dovecot() {
	mkdir -p "$T/$1"
	port=$(dv start "$T/$1" "$2")
	rc=$?
	[ $rc -eq 77 ] && { echo "dovecot is not installed: skipped"; exit 77; }
	[ $rc -eq 0 ] && [ -n "$port" ] || fail "dovecot did not start ($T/$1)"
}

# write_config FILE URL [key = value lines...]: a [mailbox:dmarc] section
write_config() {
	f=$1 url=$2
	shift 2
	{
		echo "[mailbox:dmarc]"
		echo "url = $url"
		echo "user = dmarc"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 0600 "$f"
}

# the password in a private file
printf '%s\n' "$PASS" >"$T/pass"
chmod 0600 "$T/pass"

# run NAME ARGS...: dmarcsift ARGS, stderr in $T/NAME.err, status in $rc
run() {
	name=$1
	shift
	"$DS_BIN" "$@" 2>"$T/$name.err" >"$T/$name.out"
	rc=$?
}

expect_rc() {
	[ "$rc" -eq "$1" ] || fail "$2: exit status $rc, expected $1"
}

# the report keys and sizes dsgen says it wrote / the database holds
truth_reports() {
	jq -r '.reports[] | "\(.org_name)|\(.report_id)|\(.domain)|\(.begin)|\(.end)|\(.records)|\(.messages)"' "$@" | sort -u
}

db_reports() {
	sqlite3 -separator '|' "$1" "SELECT org_name, report_id, domain,
	    begin_ts, end_ts, records, messages FROM report" | sort
}

# check_exact DB TRUTH...: every report exactly once, records complete
check_exact() {
	db=$1
	shift
	truth_reports "$@" >"$T/want"
	db_reports "$db" >"$T/have"
	cmp -s "$T/want" "$T/have" || {
		diff "$T/want" "$T/have" | head -10 >&2
		fail "database reports differ from dsgen --truth"
	}
	n=$(sqlite3 "$db" "SELECT count(*) FROM record")
	want=$(cat "$@" | jq -s '[.[].reports[].records] | add')
	[ "$n" -eq "$want" ] || fail "$n record rows, dsgen wrote $want"
}

# check_subset DB TRUTH: nothing stored that dsgen did not write, and no
# report stored partially
check_subset() {
	truth_reports "$2" >"$T/want"
	db_reports "$1" >"$T/have"
	extra=$(comm -13 "$T/want" "$T/have" | head -3)
	[ -z "$extra" ] || fail "stored but not in truth: $extra"
}

# msgids FILE...: "<message-id> file" per file
msgids() {
	[ $# -gt 0 ] || return 0
	awk 'tolower($0) ~ /^message-id:/ { sub(/\r$/, ""); print $2, FILENAME;
	    nextfile }' "$@"
}

# folder_ids DIR FOLDER: the Message-IDs in FOLDER, sorted
folder_ids() {
	# shellcheck disable=SC2046
	msgids $(dv files "$1" "$2") | awk '{ print $1 }' | sort
}

# The dsgen file name behind each Message-ID of Maildir $1: $T/idmap
make_idmap() {
	# shellcheck disable=SC2046
	msgids $(ls -d "$1"/cur/* "$1"/new/* 2>/dev/null) | awk '{ n = split($2, p, "/");
	    print $1, p[n] }' | sort >"$T/idmap"
}

# check_archive DV DB TRUTH FOLDER: every message in FOLDER has all its
# reports in DB (none archived before its COMMIT)
check_archive() {
	folder_ids "$1" "$4" >"$T/arch"
	truth_reports "$3" | cut -d'|' -f1-5 >"$T/wantkeys"
	db_reports "$2" | cut -d'|' -f1-5 >"$T/havekeys"
	# file -> its report keys (a resend has the keys of its original)
	jq -r '.reports[] | "\(.file)\t\(.org_name)|\(.report_id)|\(.domain)|\(.begin)|\(.end)"' "$3" >"$T/filekeys"
	jq -r '.duplicate_messages[] | "\(.file)\t\(.duplicate_of)"' "$3" >"$T/dupof"
	missing=$(join "$T/arch" "$T/idmap" | awk '{ print $2 }' |
	    awk -F'\t' -v dup="$T/dupof" -v fk="$T/filekeys" '
	    BEGIN { while ((getline l < dup) > 0) { split(l, a, "\t"); d[a[1]] = a[2] }
		    while ((getline l < fk) > 0) { split(l, a, "\t"); k[a[1]] = k[a[1]] a[2] "\n" } }
	    { f = ($0 in d) ? d[$0] : $0; printf "%s", k[f] }' |
	    sort -u | comm -23 - "$T/havekeys" | head -3)
	[ -z "$missing" ] || fail "archived before its reports were stored: $missing"
}

# check_quarantined DV DB FOLDER: every message in FOLDER is quarantined
check_quarantined() {
	for id in $(folder_ids "$1" "$3"); do
		if [ -n "${DS_PG_BASE:-}" ]; then	# tests/pg's rerun
			n=$(sqlite3 "$2" "SELECT count(*) FROM quarantine WHERE
			    position(convert_to('$id', 'UTF8') in raw) > 0")
		else
			n=$(sqlite3 "$2" "SELECT count(*) FROM quarantine WHERE
			    instr(CAST(raw AS TEXT), '$id') > 0")
		fi
		[ "$n" -gt 0 ] || fail "$id in $3 but not quarantined"
	done
}
