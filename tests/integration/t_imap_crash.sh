#!/bin/sh
# THREATS #19 against a real Dovecot: dmarcsift poll over 500 report
# mails is killed with SIGKILL at random points, again and again; after
# every kill no message sits in the archive or invalid folder unless its
# reports (or its quarantine row) were committed, and nothing is stored
# half. Then the server dies in the middle of a run: the run exits 75 and
# keeps what it committed. A final run then completes: every report
# dsgen wrote is stored exactly once, every message is in its folder
# exactly once.
# DS_KILL_SEED=N repeats a run's kill points.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"

N=500
KILLS=${DS_KILLS:-6}
seed=${DS_KILL_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# kill seed $seed (DS_KILL_SEED=$seed repeats it)"

"$DSGEN" maildir --messages $N --seed 11 --dup-rate 0.03 \
    --invalid-rate 0.02 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"
make_idmap "$T/md"
invalid=$(jq '.invalid' "$T/truth.json")

start_dovecot dv plain
dv seed "$T/dv" "$T/md" || fail "seed"
write_config "$T/config" "imap://127.0.0.1:$port/INBOX" \
    "password-file = $T/pass" "allow-plaintext = true" \
    "archive-folder = Archive" "invalid-folder = Invalid"
DB=$T/dmarc.db

# kill delays in seconds, spread over the first seconds of a run
delays=$(awk -v s="$seed" -v k="$KILLS" 'BEGIN { srand(s);
    for (i = 0; i < k; i++) printf "%.2f ", 0.05 + rand() * 0.6 }')
killed=0
for d in $delays; do
	"$DS_BIN" poll --config "$T/config" --db "$DB" --quiet \
	    2>>"$T/killed.err" &
	pid=$!
	sleep "$d"
	kill -9 $pid 2>/dev/null && killed=$((killed + 1))
	wait $pid 2>/dev/null
	[ -f "$DB" ] || continue
	check_subset "$DB" "$T/truth.json"
	check_archive "$T/dv" "$DB" "$T/truth.json" Archive
	check_quarantined "$T/dv" "$DB" Invalid
	echo "# killed after ${d}s: $(dv count "$T/dv") in INBOX, $(dv count "$T/dv" Archive) archived, $(sqlite3 "$DB" 'SELECT count(*) FROM report') reports"
done
[ $killed -gt 0 ] || fail "no run was killed (all finished first?)"
ok "$killed runs killed with SIGKILL: nothing archived before COMMIT"

# ---- the server dies mid-run (when there is still work to do)
if [ "$(dv count "$T/dv")" -gt 0 ]; then
	before=$(sqlite3 "$DB" "SELECT count(*) FROM message")
	"$DS_BIN" poll --config "$T/config" --db "$DB" 2>"$T/netfail.err" &
	pid=$!
	# stop the server once the run has committed something
	i=0
	while [ $i -lt 400 ] && [ "$(sqlite3 "$DB" \
	    "SELECT count(*) FROM message")" -eq "$before" ]; do
		i=$((i + 1))
		sleep 0.05
	done
	dv stop "$T/dv"
	wait $pid
	rc=$?
	# unless it finished first, it must fail as a temporary failure
	if [ "$(dv count "$T/dv")" -gt 0 ]; then
		expect_rc 75 "server gone mid-run"
		grep -q "^dmarcsift: poll dmarc: imap 127.0.0.1:$port: " \
		    "$T/netfail.err" || fail "no clear error: $(cat "$T/netfail.err")"
	fi
	check_subset "$DB" "$T/truth.json"
	check_archive "$T/dv" "$DB" "$T/truth.json" Archive
	dv restart "$T/dv" || fail "restart"
	ok "server killed mid-run: exit $rc, committed reports kept"
fi

run final poll --config "$T/config" --db "$DB"
[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "final run: exit $rc"
check_exact "$DB" "$T/truth.json"
[ "$(dv count "$T/dv")" -eq 0 ] || fail "messages left in INBOX"
arch=$(dv count "$T/dv" Archive)
inv=$(dv count "$T/dv" Invalid)
[ "$arch" -eq $((N - invalid)) ] || fail "$arch archived, want $((N - invalid))"
[ "$inv" -eq "$invalid" ] || fail "$inv invalid, want $invalid"
# no message moved twice: archived Message-IDs are those dsgen wrote
folder_ids "$T/dv" Archive >"$T/arch"
jq -r '.invalid_messages[].file' "$T/truth.json" | sort >"$T/invfiles"
awk '{ print $2, $1 }' "$T/idmap" | sort | join -v1 - "$T/invfiles" |
    awk '{ print $2 }' | sort >"$T/wantarch"
cmp -s "$T/arch" "$T/wantarch" || fail "archive folder: wrong messages"
check_quarantined "$T/dv" "$DB" Invalid
ok "after the kills: every report exactly once, every message moved once"
