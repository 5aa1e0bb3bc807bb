#!/bin/sh
# THREATS #18 against a real Dovecot: two polls of the same mailbox into
# the same database started at once both succeed and store nothing
# twice (the second waits for the database lock); a run that cannot get
# the lock within --wait exits 4 with a clear message, and one that can
# goes ahead once the holder is gone.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"

command -v flock >/dev/null 2>&1 || fail "flock(1) is missing (util-linux)"
"$DSGEN" maildir --messages 150 --seed 31 --dup-rate 0.03 \
    --invalid-rate 0 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"

start_dovecot dv plain
dv seed "$T/dv" "$T/md" || fail "seed"
write_config "$T/config" "imap://127.0.0.1:$port/INBOX" \
    "password-file = $T/pass" "allow-plaintext = true" \
    "archive-folder = Archive"
DB=$T/dmarc.db

# ---- two at once
"$DS_BIN" poll --config "$T/config" --db "$DB" --wait 120 \
    2>"$T/one.err" &
p1=$!
"$DS_BIN" poll --config "$T/config" --db "$DB" --wait 120 \
    2>"$T/two.err" &
p2=$!
wait $p1
rc1=$?
wait $p2
rc2=$?
# On PostgreSQL (tests/pg's rerun) the mailbox lock, taken before the
# first word to the server, makes the second run wait for the first
# just as SQLite's file lock does: both exit 0.
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] ||
	fail "concurrent runs: exit $rc1 and $rc2: $(cat "$T/one.err" "$T/two.err")"
check_exact "$DB" "$T/truth.json"
[ "$(dv count "$T/dv")" -eq 0 ] &&
	[ "$(dv count "$T/dv" Archive)" -eq 150 ] || fail "not all archived"
fetched=$(cat "$T/one.err" "$T/two.err" |
    sed -n 's/^dmarcsift: poll: \([0-9]*\) fetched.*/\1/p' |
    awk '{ n += $1 } END { print n }')
[ "$fetched" -eq 150 ] || fail "$fetched messages fetched by the two runs, want 150"
ok "two runs at once: both exit 0, each message fetched once"

# ---- lock held by someone else: --wait 0 gives up with exit 4 (the
# SQLite file lock; tests/pg reruns this test on PostgreSQL, where the
# part above runs the two polls under per-mailbox advisory locks, and
# tests/pg/t_db.sh checks those locks themselves)
if [ -z "${DS_PG_BASE:-}" ]; then
	flock "$DB.lock" sleep 4 &
	holder=$!
	i=0
	while flock -n "$DB.lock" true && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	run locked poll --config "$T/config" --db "$DB" --wait 0
	expect_rc 4 "database locked"
	grep -q "another dmarcsift run holds .*dmarc.db.lock (waited 0 s); not run" \
	    "$T/locked.err" || fail "locked: $(cat "$T/locked.err")"
	run waited poll --config "$T/config" --db "$DB" --wait 20
	expect_rc 0 "waiting for the lock"
	wait $holder
	ok "a held lock: exit 4 with --wait 0, success after waiting"
fi
