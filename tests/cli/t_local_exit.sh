#!/bin/sh
# Local inputs and cron: exit codes per error kind (0, 1, 5, 75), one
# line per rejected or skipped input even under --quiet (with From and
# Subject for mail), nothing at all under --quiet when all is well, a
# reason said once, "empty file"; an ingested directory's FIFOs, sockets
# and dangling symlinks skipped with a warning, and a symlink leading out
# of it never read (its bytes are nowhere in the database, quarantine
# included); databases that are missing, not a database, or too new.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}" "${DS_BUILD:?}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ds-local.XXXXXX") || exit 1
trap 'rm -rf "$T"' EXIT INT TERM
export DMARCSIFT_NO_PROGRESS=1 LC_ALL=C HOME="$T"
unset DMARCSIFT_DB XDG_DATA_HOME XDG_CONFIG_HOME
fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok - $*"; }
run() {	# NAME ARGS...: stdout/stderr in $T/NAME.{out,err}, status in $rc
	name=$1; shift
	"$DS_BIN" "$@" >"$T/$name.out" 2>"$T/$name.err"
	rc=$?
}
want_rc() { [ "$rc" -eq "$1" ] || fail "$2: exit $rc, want $1: $(cat "$T/$name.err")"; }
# exactly the lines of $2 (a file) on stderr of run $1, in order
want_lines() {
	diff "$2" "$T/$1.err" >&2 || fail "$1: stderr differs from what is expected"
}

"$DS_BUILD/dsgen" demo -o "$T/demo" >/dev/null || fail "dsgen demo"
good=$(ls "$T/demo/cur" | head -1)

# ---- all well: --quiet prints nothing, exit 0
mkdir "$T/ok"; cp "$T/demo/cur/$good" "$T/ok/a.eml"
run quietok ingest --quiet --db "$T/q.db" "$T/ok"
want_rc 0 "all well"
[ -s "$T/quietok.err" ] || [ -s "$T/quietok.out" ] &&
	fail "--quiet printed on success: $(cat "$T/quietok.err")"
ok "--quiet: silent when everything is stored"

# ---- a person's question: not a report, its own count, not quarantined
mkdir "$T/p"
printf 'From: Bob Example <bob@example.com>\nSubject: Question about DMARC\nMessage-ID: <q1@example.com>\n\nCan you help?\n' >"$T/p/q.eml"
cp "$T/demo/cur/$good" "$T/p/a.eml"
run person ingest --quiet --db "$T/p.db" "$T/p"
want_rc 0 "a person's question"
printf '%s\n' "dmarcsift: $T/p/q.eml: From: Bob Example <bob@example.com>, Subject: 'Question about DMARC': not a report (mail for a person?); not stored" >"$T/want"
want_lines person "$T/want"
[ "$(sqlite3 "$T/p.db" "SELECT count(*) FROM quarantine")" -eq 0 ] ||
	fail "a person's mail went to the quarantine"
run person2 ingest --db "$T/p2.db" "$T/p"
grep -q "1 not a report, 0 rejected" "$T/person2.err" || fail "summary: $(cat "$T/person2.err")"
ok "a person's question: one line with From and Subject, counted as not a report, exit 0"

# ---- a report mail with a broken report: rejected, exit 1
"$DS_BIN" ingest --quiet --db "$T/scratch.db" "$T/demo" 2>/dev/null
bad=$(sqlite3 "$T/scratch.db" "SELECT source FROM quarantine LIMIT 1")
[ -f "$bad" ] || fail "dsgen demo has no broken report any more"
mkdir "$T/r"
cp "$bad" "$T/r/bad.eml"
cp "$T/demo/cur/$good" "$T/r/a.eml"
run rej ingest --quiet --db "$T/r.db" "$T/r"
want_rc 1 "rejected mail"
[ "$(wc -l <"$T/rej.err")" -eq 1 ] || fail "rejected: not one line: $(cat "$T/rej.err")"
grep -q "^dmarcsift: $T/r/bad.eml: From: dmarc_support@corp.mail.ru, Subject: 'Report Domain: .*': rejected: .*not well-formed XML" "$T/rej.err" ||
	fail "rejected line: $(cat "$T/rej.err")"
ok "--quiet: one line for the rejected mail, with From, Subject and the part; exit 1"

# ---- a directory with a FIFO, a dangling symlink, an empty
# file and a symlink to a file outside it: skipped, exit 5
mkdir -p "$T/d/sub" "$T/outside"
cp "$T/demo/cur/$good" "$T/d/a.eml"
"$DS_BUILD/dsgen" xml --records 3 --domain outside.example -o "$T/outside/secret.xml" >/dev/null
cp "$T/outside/secret.xml" "$T/outside/dir.xml"
ln -s "$T/outside/secret.xml" "$T/d/leak.xml"
ln -s "$T/outside" "$T/d/leakdir"
ln -s ../a.eml "$T/d/sub/inside.eml"
ln -s "$T/nowhere" "$T/d/dangling.xml"
mkfifo "$T/d/fifo" || fail "mkfifo"
: >"$T/d/empty.xml"
run dir ingest --quiet --db "$T/d.db" "$T/d"
want_rc 5 "directory with special files"
cat >"$T/want" <<EOT
dmarcsift: $T/d/dangling.xml: skipped: dangling symlink
dmarcsift: $T/d/empty.xml: skipped: empty file
dmarcsift: $T/d/fifo: skipped: a FIFO
dmarcsift: $T/d/leak.xml: skipped: symlink to '$T/outside/secret.xml', outside the directory: not read
dmarcsift: $T/d/leakdir: skipped: symlink to '$T/outside', outside the directory: not read
EOT
want_lines dir "$T/want"
n=$(sqlite3 "$T/d.db" "SELECT count(*) FROM report WHERE domain = 'outside.example'")
[ "$n" -eq 0 ] || fail "a report from outside the directory was stored"
n=$(sqlite3 "$T/d.db" "SELECT count(*) FROM quarantine")
[ "$n" -eq 0 ] || fail "something outside the directory went to the quarantine"
sqlite3 "$T/d.db" "SELECT count(*) FROM message WHERE source LIKE '%inside.eml'" | grep -qx 0 ||
	fail "the same mail twice"
# the inner symlink pointed at a.eml: stored once (a duplicate by hash)
n=$(sqlite3 "$T/d.db" "SELECT count(*) FROM report")
[ "$n" -ge 1 ] || fail "the good mail was not stored"
ok "directory: FIFO, dangling symlink, empty file, symlinks leaving it skipped (one line each), exit 5"

# a symlink named on the command line is the user's choice: followed
run named ingest --quiet --db "$T/d.db" "$T/d/leak.xml"
want_rc 0 "a symlink given by name"
ok "a symlink given on the command line is followed"

# ---- missing input: permanent; the name in the message
run missing ingest --db "$T/m.db" "$T/no-such-file.xml"
want_rc 5 "missing file"
grep -q "no-such-file.xml: skipped: No such file or directory" "$T/missing.err" ||
	fail "missing: $(cat "$T/missing.err")"
grep -q "1 skipped" "$T/missing.err" || fail "summary: $(cat "$T/missing.err")"
ok "a missing input: exit 5, named, counted"

# ---- a bomb: the reason once, not twice
"$DS_BUILD/dsgen" xml --records 3000 --gzip -o "$T/big.xml.gz" >/dev/null
run bomb ingest --db "$T/b.db" --max-inflated 64K "$T/big.xml.gz"
want_rc 1 "over the inflate limit"
r=$(grep "rejected:" "$T/bomb.err")
[ "$(echo "$r" | grep -o "exceeds limit" | wc -l)" -eq 1 ] ||
	fail "the reason repeats itself: $r"
ok "a rejected input's reason is said once"

# ---- databases
# tests/pg's rerun (DS_PG_BASE set: every --db is a PostgreSQL
# database) checks only the newer schema: a PostgreSQL database is
# never a text file, the file lock is SQLite's (PostgreSQL sessions
# wait for locks, lock_timeout 60s), and a mistyped database name is
# refused at connection like a server that is down (exit 75 today)
if [ -n "${DS_PG_BASE:-}" ]; then
	sqlite3 "$T/new.db" "CREATE TABLE ds_schema_version
	    (version integer NOT NULL); INSERT INTO ds_schema_version
	    VALUES (999)" || fail "making a newer PostgreSQL schema"
	run new summary --db "$T/new.db"
	want_rc 5 "newer schema"
	grep -q "schema version 999 is newer" "$T/new.err" ||
		fail "newer: $(cat "$T/new.err")"
	run new2 ingest --db "$T/new.db" "$T/ok"
	want_rc 5 "newer schema (ingest)"
	ok "a database newer than the binary: exit 5, says so"
	exit 0
fi
# (runs the PostgreSQL pass does not make: tests/pg compares none of them)
pglog=${DS_PG_LOG:-}
DS_PG_LOG=
echo "not a database" >"$T/text.db"
run notdb ingest --db "$T/text.db" "$T/ok"
want_rc 5 "ingest into a text file"
grep -q "database '$T/text.db'.*not a database" "$T/notdb.err" ||
	fail "not a database: $(cat "$T/notdb.err")"
run notdb2 reports --db "$T/text.db"
want_rc 5 "reports from a text file"
grep -q "database '$T/text.db'.*not a database" "$T/notdb2.err" ||
	fail "not a database (reports): $(cat "$T/notdb2.err")"
for c in reports summary senders reporters failures html weekly doctor; do
	case $c in
	html) set -- html --offline --out "$T/site";;
	weekly) set -- weekly --domain example.com --out "$T/w.html";;
	doctor) set -- doctor example.com --offline;;
	senders) set -- senders --offline;;
	*) set -- "$c";;
	esac
	run typo "$@" --db "$T/typo/dir/x.db"
	want_rc 5 "$c on a mistyped --db"
	grep -q "database '$T/typo/dir/x.db' does not exist" "$T/typo.err" ||
		fail "$c: $(cat "$T/typo.err")"
	[ -e "$T/typo" ] && fail "$c created $T/typo"
done
ok "every reading command: a mistyped --db is an error naming it, nothing created"
DS_PG_LOG=$pglog
sqlite3 "$T/new.db" "CREATE TABLE x (a); PRAGMA user_version = 999;"
run new summary --db "$T/new.db"
want_rc 5 "newer schema"
grep -q "schema version 999 is newer" "$T/new.err" || fail "newer: $(cat "$T/new.err")"
run new2 ingest --db "$T/new.db" "$T/ok"
want_rc 5 "newer schema (ingest)"
ok "a database newer than the binary: exit 5, says so"

# ---- a database locked by another program: temporary (75)
DS_PG_LOG=
( echo "BEGIN EXCLUSIVE;"; echo "INSERT INTO quarantine (sha256, source, reason, size, raw, created) VALUES (printf('%064d', 1), 'x', 'x', 0, x'', 0);"; sleep 14; echo "ROLLBACK;" ) |
	sqlite3 "$T/q.db" &
holder=$!
sleep 1
cp "$T/demo/cur/$(ls "$T/demo/cur" | sed -n 2p)" "$T/ok/b.eml"
run locked ingest --db "$T/q.db" "$T/ok/b.eml"
wait $holder
want_rc 75 "database locked"
grep -q "database '$T/q.db'.*locked" "$T/locked.err" || fail "locked: $(cat "$T/locked.err")"
ok "a database locked by another program: exit 75, names the file"
