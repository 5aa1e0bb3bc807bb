#!/bin/sh
# THREATS #19 for the Graph and Gmail sources: dmarcsift poll over 300
# report mails on the local API server is killed with SIGKILL at random
# points, again and again; after every kill no mail sits in the archive
# or invalid folder (label) unless its reports (or its quarantine row)
# were committed. A final run completes: every report dsgen wrote is
# stored exactly once, every mail is in its folder exactly once, and
# the resumed moves of committed mails are not parsed again.
# DS_KILL_SEED=N repeats a run's kill points.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"
. "$DS_SRC/tests/integration/oauth_lib.sh"

N=300
KILLS=${DS_KILLS:-5}
seed=${DS_KILL_SEED:-$(od -An -N2 -tu2 /dev/urandom | tr -d ' ')}
echo "# kill seed $seed (DS_KILL_SEED=$seed repeats it)"
"$DSGEN" maildir --messages $N --seed 31 --dup-rate 0.03 \
    --invalid-rate 0.02 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"
make_idmap "$T/md"
invalid=$(jq '.invalid' "$T/truth.json")
delays=$(awk -v s="$seed" -v k="$KILLS" 'BEGIN { srand(s);
    printf "0.05 ";	# a run of 300 mails can take under 0.5 s: kill
    for (i = 1; i < k; i++) printf "%.2f ", 0.02 + rand() * 0.6 }')

for kind in graph gmail; do
	DB=$T/$kind.db
	start_api --tls --maildir "$T/md"
	if [ $kind = graph ]; then
		api_conf "$T/$kind.conf" graph "graph://dmarc@example.com/Inbox" \
		    "archive-folder = archive" "invalid-folder = Invalid"
		src=graph:Inbox arch=graph:Archive inv=graph:Invalid
	else
		api_conf "$T/$kind.conf" gmail "gmail://me/in:inbox" \
		    "archive-folder = DMARC" "invalid-folder = DMARC-invalid"
		src=gmail:INBOX arch=gmail:DMARC inv=gmail:DMARC-invalid
	fi
	killed=0
	for d in $delays; do
		"$DS_BIN" poll --config "$T/$kind.conf" --db "$DB" --quiet \
		    2>>"$T/killed.err" &
		pid=$!
		sleep "$d"
		kill -9 $pid 2>/dev/null && killed=$((killed + 1))
		wait $pid 2>/dev/null
		[ -f "$DB" ] || continue
		check_subset "$DB" "$T/truth.json"
		check_archive x "$DB" "$T/truth.json" "$arch"
		check_quarantined x "$DB" "$inv"
		echo "# $kind killed after ${d}s: $(api_count "$src") left, $(api_count "$arch") archived, $(sqlite3 "$DB" 'SELECT count(*) FROM report') reports"
	done
	[ $killed -gt 0 ] || fail "$kind: no run was killed"
	fetched=$(apistat fetch)
	run ${kind}final poll --config "$T/$kind.conf" --db "$DB"
	[ "$rc" -eq 0 ] || [ "$rc" -eq 1 ] || fail "$kind final run: exit $rc: $(cat "$T/${kind}final.err")"
	check_exact "$DB" "$T/truth.json"
	[ "$(api_count "$src")" -eq 0 ] || fail "$kind: mails left in $src"
	[ "$(api_count "$arch")" -eq $((N - invalid)) ] || fail "$kind: $(api_count "$arch") archived"
	[ "$(api_count "$inv")" -eq "$invalid" ] || fail "$kind: $(api_count "$inv") invalid"
	folder_ids x "$arch" >"$T/arch"
	jq -r '.invalid_messages[].file' "$T/truth.json" | sort >"$T/invfiles"
	awk '{ print $2, $1 }' "$T/idmap" | sort | join -v1 - "$T/invfiles" |
	    awk '{ print $2 }' | sort >"$T/wantarch"
	cmp -s "$T/arch" "$T/wantarch" || fail "$kind: wrong mails archived"
	# resumed mails were moved, not fetched again
	resumed=$(sed -n 's/.* \([0-9]*\) resumed$/\1/p' "$T/${kind}final.err")
	fin=$(sed -n 's/^dmarcsift: poll: \([0-9]*\) fetched.*/\1/p' "$T/${kind}final.err")
	[ $(($(apistat fetch) - fetched)) -eq "$fin" ] || fail "$kind: fetch count"
	ok "$kind: $killed runs killed; then every report once, every mail moved once ($resumed resumed without a second fetch)"
	stop_api
done
