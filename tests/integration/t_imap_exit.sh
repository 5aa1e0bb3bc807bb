#!/bin/sh
# Exit codes and messages that tell cron the truth, against real Dovecot
# servers: 5 (permanent, someone must act) for a plain-text port given as
# imaps://, a folder that does not exist and a message over
# max-message-size (said again on every run, never ignored in silence);
# 75 (retry later) for a server that is down; 3 for a refused login,
# counted as an error in the summary; --quiet prints nothing when all is
# well and one line per skipped message when not.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"

"$DSGEN" maildir --messages 6 --seed 31 --dup-rate 0 --invalid-rate 0 \
    -o "$T/md" --truth "$T/truth.json" >/dev/null || fail "dsgen"
start_dovecot dv tls
tls_port=$port
dv seed "$T/dv" "$T/md" || fail "seed"
export DMARCSIFT_IMAP_PASSWORD="$PASS"

# ---- a plain-text port given as imaps://: permanent, no ca-file hint
run plainport ingest --db "$T/a.db" --keep --cacert "$T/dv/ca.pem" \
    "imaps://dmarc@localhost:$tls_port/INBOX"
expect_rc 5 "plain port as imaps://"
grep -q "does not speak TLS on this port" "$T/plainport.err" ||
	fail "plain port: $(cat "$T/plainport.err")"
grep -q "ca-file" "$T/plainport.err" &&
	fail "plain port: a ca-file hint that does not fit: $(cat "$T/plainport.err")"
ok "a plain-text port as imaps://: exit 5, says so, no ca-file hint"

# ---- a folder that does not exist: permanent
run nofolder ingest --db "$T/a.db" --keep --cacert "$T/dv/ca.pem" \
    "imaps://dmarc@localhost:$((tls_port + 1))/NoSuchFolder"
expect_rc 5 "missing folder"
grep -q "NoSuchFolder" "$T/nofolder.err" ||
	fail "missing folder not named: $(cat "$T/nofolder.err")"
ok "a missing IMAP folder: exit 5, the folder named"

# ---- nothing listens: temporary (75), cron retries
run down ingest --db "$T/a.db" --keep "imaps://dmarc@127.0.0.1:9/INBOX"
expect_rc 75 "server down"
ok "a server that is down: exit 75"
unset DMARCSIFT_IMAP_PASSWORD

# ---- refused login: exit 3 and the summary counts the error
printf 'wrong\n' >"$T/badpass"
chmod 0600 "$T/badpass"
write_config "$T/c-bad" "imap://localhost:$tls_port/INBOX" \
    "password-file = $T/badpass" "ca-file = $T/dv/ca.pem"
run badpw poll --config "$T/c-bad" --db "$T/a.db"
expect_rc 3 "wrong password"
grep -q " 1 error" "$T/badpw.err" ||
	fail "refused login not counted: $(cat "$T/badpw.err")"
grep -q " 0 errors" "$T/badpw.err" && fail "'0 errors' after a refused login"
ok "a refused login: exit 3, counted as 1 error in the summary"

# ---- --quiet: silent when all is well
write_config "$T/c" "imap://localhost:$tls_port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dv/ca.pem" "keep = true"
run quiet poll --quiet --config "$T/c" --db "$T/q.db"
expect_rc 0 "quiet poll"
[ -s "$T/quiet.err" ] || [ -s "$T/quiet.out" ] &&
	fail "--quiet printed something on success: $(cat "$T/quiet.err" "$T/quiet.out")"
check_exact "$T/q.db" "$T/truth.json"
ok "--quiet: nothing at all when every message is stored"

# ---- too large: one line per message under --quiet, on every run
write_config "$T/c-small" "imap://localhost:$tls_port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dv/ca.pem" "keep = true" \
    "max-message-size = 1K"
for n in 1 2; do
	run big$n poll --quiet --config "$T/c-small" --db "$T/big.db"
	expect_rc 5 "too large, run $n"
	lines=$(grep -c "skipped: message of [0-9]* bytes is over max-message-size (1024); left in the mailbox" "$T/big$n.err")
	[ "$lines" -eq 6 ] ||
		fail "run $n: $lines 'too large' lines, want 6: $(cat "$T/big$n.err")"
	grep -q "6 too large" "$T/big$n.err" ||
		fail "run $n: summary does not count them: $(cat "$T/big$n.err")"
	[ -s "$T/big$n.out" ] && fail "run $n wrote to stdout"
done
[ "$(dv count "$T/dv")" -eq 6 ] || fail "too-large messages not left in place"
ok "too large: one line each under --quiet, on every run, exit 5"

# ---- mail that is no report: its own count, moved unread, exit 0
start_dovecot dvp tls
mkdir -p "$T/pm/new" "$T/pm/cur" "$T/pm/tmp"
printf 'From: Bob <bob@example.com>\r\nTo: dmarc@example.com\r\nSubject: Why do my mails fail?\r\nMessage-ID: <person@example.com>\r\n\r\nHello, can you help?\r\n' >"$T/pm/new/1.person"
"$DSGEN" maildir --messages 2 --seed 32 --dup-rate 0 --invalid-rate 0 \
    -o "$T/pm2" >/dev/null || fail "dsgen 2"
dv seed "$T/dvp" "$T/pm" || fail "seed person"
dv seed "$T/dvp" "$T/pm2" || fail "seed reports"
write_config "$T/c-p" "imap://localhost:$port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dvp/ca.pem" \
    "archive-folder = Archive" "invalid-folder = Invalid"
run person poll --quiet --config "$T/c-p" --db "$T/p.db"
expect_rc 0 "a person's mail in the DMARC mailbox"
[ "$(wc -l <"$T/person.err")" -eq 1 ] || fail "person: not one line: $(cat "$T/person.err")"
grep -q "From: Bob <bob@example.com>, Subject: 'Why do my mails fail?': not a report" "$T/person.err" ||
	fail "person: $(cat "$T/person.err")"
[ "$(dv count "$T/dvp" Invalid)" -eq 1 ] || fail "the person's mail was not moved to Invalid"
[ "$(dv count "$T/dvp" Archive)" -eq 2 ] || fail "the reports were not archived"
f=$(dv files "$T/dvp" Invalid)
case $f in *:2,*S*) fail "the person's mail was marked \\Seen: $f";; esac
[ "$(sqlite3 "$T/p.db" "SELECT count(*) FROM quarantine")" -eq 0 ] ||
	fail "the person's mail was quarantined"
ok "a person's mail: one line, moved to the invalid folder unread, not quarantined, exit 0"

# ---- the same, but no invalid-folder: left where it is, unread, untouched
start_dovecot dvq tls
dv seed "$T/dvq" "$T/pm" || fail "seed person (no folder)"
write_config "$T/c-q" "imap://localhost:$port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dvq/ca.pem"
for n in 1 2; do
	run personq$n poll --quiet --config "$T/c-q" --db "$T/pq.db"
	expect_rc 0 "a person's mail, no invalid-folder, run $n"
done
[ "$(wc -l <"$T/personq1.err")" -eq 1 ] || fail "personq: not one line: $(cat "$T/personq1.err")"
[ -s "$T/personq2.err" ] && fail "personq: said again on the rerun: $(cat "$T/personq2.err")"
[ "$(dv count "$T/dvq")" -eq 1 ] || fail "the person's mail left INBOX without a folder"
f=$(dv files "$T/dvq")
case $f in *:2,*S*) fail "the person's mail was marked \\Seen (no folder): $f";; esac
ok "a person's mail without invalid-folder: one line once, left in place unread"

# ---- too-large = move: moved to invalid-folder once, said once, exit 5
start_dovecot dvb tls
dv seed "$T/dvb" "$T/md" || fail "seed big"
write_config "$T/c-mv" "imap://localhost:$port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dvb/ca.pem" \
    "archive-folder = Archive" "invalid-folder = Invalid" \
    "max-message-size = 1K" "too-large = move"
run mv1 poll --quiet --config "$T/c-mv" --db "$T/mv.db"
expect_rc 5 "too large, moved"
lines=$(grep -c "skipped: message of [0-9]* bytes is over max-message-size (1024); moved to invalid-folder" "$T/mv1.err")
[ "$lines" -eq 6 ] || fail "too-large = move: $lines lines, want 6: $(cat "$T/mv1.err")"
[ "$(dv count "$T/dvb" Invalid)" -eq 6 ] || fail "too-large = move: not in Invalid"
[ "$(dv count "$T/dvb")" -eq 0 ] || fail "too-large = move: left in INBOX"
run mv2 poll --quiet --config "$T/c-mv" --db "$T/mv.db"
expect_rc 0 "too large, after the move"
[ -s "$T/mv2.err" ] && fail "too-large = move: the rerun said: $(cat "$T/mv2.err")"
write_config "$T/c-mvbad" "imap://localhost:$port/INBOX" \
    "password-file = $T/pass" "too-large = move"
run mvbad poll --config "$T/c-mvbad" --db "$T/mv.db"
expect_rc 2 "too-large = move without invalid-folder"
ok "too-large = move: moved to invalid-folder, said once, exit 5 then 0"
