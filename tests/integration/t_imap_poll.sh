#!/bin/sh
# dmarcsift poll against a real Dovecot over STARTTLS: reports stored
# exactly as dsgen wrote them, messages archived or moved to the invalid
# folder only after COMMIT, a second run changes nothing, an oversize
# message is skipped with a reason, --keep leaves the mailbox untouched
# and a later run moves those messages without parsing them again, an ad
# hoc URL reads a folder, and the password stays out of argv, output
# and the database (issue 3; THREATS #7, #15, #16, #19).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"

"$DSGEN" maildir --messages 60 --seed 7 --dup-rate 0.05 \
    --invalid-rate 0.08 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"
make_idmap "$T/md"
invalid=$(jq '.invalid' "$T/truth.json")
[ "$invalid" -gt 0 ] || fail "dsgen made no invalid message"

# one message far over max-message-size (200K): a 1.5 MB report
"$DSGEN" xml --records 2000 -o "$T/big.xml" || fail "dsgen xml"
mkdir -p "$T/bigmd/new"
{
	printf 'From: big@example.net\r\nTo: dmarc@example.com\r\n'
	printf 'Subject: Report Domain: example.com Submitter: big\r\n'
	printf 'Message-ID: <big@example.net>\r\nContent-Type: text/xml\r\n\r\n'
	cat "$T/big.xml"
} >"$T/bigmd/new/1.big"

start_dovecot dv tls
dv seed "$T/dv" "$T/md" || fail "seed"
dv seed "$T/dv" "$T/bigmd" || fail "seed big"
write_config "$T/config" "imap://localhost:$port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dv/ca.pem" \
    "archive-folder = Archive/DMARC    # processed" \
    "invalid-folder = Invalid/DMARC" "max-message-size = 200K"
DB=$T/dmarc.db

# ---- first run: everything in, moved only after commit
run poll1 poll --config "$T/config" --db "$DB"
# 5: the oversize message stays in the mailbox and fails the same way
# on every run until max-message-size grows (permanent)
expect_rc 5 "first poll (rejected and oversize messages)"
check_exact "$DB" "$T/truth.json"
grep -q 'skipped: message of [0-9]* bytes is over max-message-size' \
    "$T/poll1.err" || fail "no reason for the oversize message"
grep -q "^dmarcsift: poll: 61 fetched\|^dmarcsift: poll: 60 fetched" \
    "$T/poll1.err" || fail "summary: $(tail -1 "$T/poll1.err")"
[ "$(dv count "$T/dv")" -eq 1 ] || fail "INBOX should hold the big message only"
[ "$(folder_ids "$T/dv" INBOX)" = "<big@example.net>" ] ||
	fail "the big message left INBOX"
arch=$(dv count "$T/dv" Archive/DMARC)
inv=$(dv count "$T/dv" Invalid/DMARC)
[ "$inv" -eq "$invalid" ] || fail "$inv in Invalid/DMARC, dsgen made $invalid"
[ "$arch" -eq $((60 - invalid)) ] || fail "$arch archived, want $((60 - invalid))"
check_archive "$T/dv" "$DB" "$T/truth.json" Archive/DMARC
check_quarantined "$T/dv" "$DB" Invalid/DMARC
grep -q 'rejected:' "$T/poll1.err" || fail "rejections not explained"
# the quarantine says where each message is now: the invalid folder
n=$(sqlite3 "$DB" "SELECT count(*) FROM quarantine WHERE source LIKE
    'imap://dmarc@localhost:%/Invalid/DMARC (moved there; was UID % of INBOX)'")
[ "$n" -eq "$inv" ] || fail "$n quarantine entries name Invalid/DMARC, want $inv: $(sqlite3 "$DB" "SELECT source FROM quarantine")"
ok "first poll: $arch archived, $inv invalid, oversize skipped"

# ---- second run: nothing new, nothing changed
sqlite3 "$DB" "SELECT count(*), sum(records) FROM report" >"$T/before"
run poll2 poll --config "$T/config" --db "$DB"
# the oversize message is still there: said again, exit 5 (issue 18)
expect_rc 5 "second poll"
grep -q 'skipped: message of [0-9]* bytes is over max-message-size' \
    "$T/poll2.err" || fail "second poll forgot the oversize message"
grep -q "poll: 0 fetched, 0 reports stored" "$T/poll2.err" ||
	fail "second poll did something: $(cat "$T/poll2.err")"
sqlite3 "$DB" "SELECT count(*), sum(records) FROM report" >"$T/after"
cmp -s "$T/before" "$T/after" || fail "second poll changed the database"
[ "$(dv count "$T/dv" Archive/DMARC)" -eq "$arch" ] &&
	[ "$(dv count "$T/dv" Invalid/DMARC)" -eq "$inv" ] &&
	[ "$(dv count "$T/dv")" -eq 1 ] || fail "second poll moved messages"
run poll3 poll --config "$T/config" --db "$DB" --quiet
expect_rc 5 "quiet poll"
grep -v "skipped: message of [0-9]* bytes is over max-message-size\|^dmarcsift: poll: " \
    "$T/poll3.err" | grep -q . && fail "--quiet printed more: $(cat "$T/poll3.err")"
ok "second run fetches nothing and changes nothing; --quiet says only what is left"
# the postmaster deals with the big message (deletes it): all quiet again
rm -f $(dv files "$T/dv")
run poll4 poll --config "$T/config" --db "$DB" --quiet
expect_rc 0 "quiet poll without the big message"
[ -s "$T/poll4.err" ] && fail "--quiet printed: $(cat "$T/poll4.err")"
ok "--quiet is silent once nothing is left to say"

# ---- --keep: mailbox untouched (no move, \Seen restored)
"$DSGEN" maildir --messages 5 --seed 99 --dup-rate 0 --invalid-rate 0 \
    -o "$T/md2" --truth "$T/truth2.json" >/dev/null || fail "dsgen 2"
dv seed "$T/dv" "$T/md2"
run keep poll --config "$T/config" --db "$DB" --keep
expect_rc 0 "poll --keep"
grep -q "poll: 5 fetched, 5 reports stored" "$T/keep.err" ||
	fail "keep: $(cat "$T/keep.err")"
[ "$(dv count "$T/dv")" -eq 5 ] || fail "--keep moved messages"
seen=$(dv files "$T/dv" | grep -c ':2,[A-Z]*S' || true)
[ "$seen" -eq 0 ] || fail "--keep left $seen messages flagged \\Seen"
check_exact "$DB" "$T/truth.json" "$T/truth2.json"
# a normal run then archives them without parsing them again
run resume poll --config "$T/config" --db "$DB"
expect_rc 0 "poll after --keep"
grep -q "poll: 0 fetched, 0 reports stored.* 5 archived.* 5 resumed" \
    "$T/resume.err" || fail "resume: $(cat "$T/resume.err")"
[ "$(dv count "$T/dv" Archive/DMARC)" -eq $((arch + 5)) ] ||
	fail "kept messages not archived later"
ok "--keep leaves the mailbox alone; the next run moves without reparsing"

# ---- ad hoc URL of a folder, password from the environment
export DMARCSIFT_IMAP_PASSWORD="$PASS"
run adhoc ingest --db "$T/adhoc.db" --keep \
    --cacert "$T/dv/ca.pem" "imap://dmarc@localhost:$port/Archive/DMARC"
expect_rc 0 "ingest imap://.../Archive/DMARC"
db_reports "$DB" >"$T/all"
db_reports "$T/adhoc.db" >"$T/adhoc"
cmp -s "$T/all" "$T/adhoc" || fail "the archive folder does not hold what was stored"
ok "ad hoc ingest of imap://dmarc@localhost/Archive/DMARC"

# ---- UIDVALIDITY changes (the folder's UID list is rebuilt): the old UIDs
# are forgotten, every message is read again and dedups
rm -f "$T/dv/home/Maildir/.Archive.DMARC/dovecot-uidlist" \
    "$T/dv/home/Maildir/.Archive.DMARC"/dovecot.index*
run uidv ingest --db "$T/adhoc.db" --keep --cacert "$T/dv/ca.pem" \
    "imap://dmarc@localhost:$port/Archive/DMARC"
expect_rc 0 "ingest after a UIDVALIDITY change"
grep -q "UIDVALIDITY changed from [0-9]* to [0-9]*" "$T/uidv.err" ||
	fail "UIDVALIDITY change not noticed: $(cat "$T/uidv.err")"
grep -q "ingest: $((arch + 5)) fetched, 0 reports stored" "$T/uidv.err" ||
	fail "after the UIDVALIDITY change: $(tail -1 "$T/uidv.err")"
db_reports "$T/adhoc.db" >"$T/adhoc"
cmp -s "$T/all" "$T/adhoc" || fail "reports changed after UIDVALIDITY change"
unset DMARCSIFT_IMAP_PASSWORD
ok "a new UIDVALIDITY: everything read again, nothing stored twice"

# ---- credentials (THREATS #15)
for f in "$T"/*.err "$T"/*.out "$DB" "$DB-wal"; do
	[ -f "$f" ] && grep -q "$PASS" "$f" && fail "password found in $f"
done
run url ingest --db "$DB" "imap://dmarc:hunter2@localhost:$port/INBOX"
expect_rc 2 "password in a URL"
grep -q hunter2 "$T/url.err" && fail "the URL password was echoed"
chmod 0640 "$T/pass"
run pwmode poll --config "$T/config" --db "$DB"
expect_rc 2 "group-readable password-file"
grep -q "chmod 600" "$T/pwmode.err" || fail "no hint: $(cat "$T/pwmode.err")"
chmod 0600 "$T/pass"
write_config "$T/config2" "imap://localhost:$port/INBOX" \
    "password = $PASS" "ca-file = $T/dv/ca.pem"
chmod 0644 "$T/config2"
run cfmode poll --config "$T/config2" --db "$DB"
expect_rc 2 "world-readable config with a password"
grep -q "group or others may read it (mode 0644)" "$T/cfmode.err" ||
	fail "0644 config: $(cat "$T/cfmode.err")"
chmod 0600 "$T/config2"
dv seed "$T/dv" "$T/bigmd" || fail "seed the big message again"
run cfok poll --config "$T/config2" --db "$DB"
expect_rc 0 "0600 config with a password"
# no folders configured: the message (the big one, within the default
# 50M) is flagged \Seen after COMMIT and stays
grep -q "poll: 1 fetched, 1 report stored.* 1 flagged" "$T/cfok.err" ||
	fail "no folder: $(cat "$T/cfok.err")"
[ "$(dv files "$T/dv" | grep -c ':2,[A-Z]*S')" -eq 1 ] ||
	fail "the message was not flagged \\Seen"
ok "passwords: never on argv, in output or the database; 0644 refused"
ok "without folders: flagged \\Seen after COMMIT"
