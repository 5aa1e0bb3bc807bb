#!/bin/sh
# TLS and login against real Dovecot servers (THREATS #15, #16):
# STARTTLS with a self-signed certificate trusted through ca-file, and
# imaps:// with --cacert; ~/.netrc; an untrusted certificate is refused
# (exit 5, permanent; t_imap_exit.sh has the other exit codes); imap://
# to a server without STARTTLS is refused before LOGIN unless
# allow-plaintext is set; a wrong password gives a clear error and exit
# status 3; a server without MOVE gets COPY + STORE + UID EXPUNGE.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"

"$DSGEN" maildir --messages 12 --seed 21 --dup-rate 0 --invalid-rate 0 \
    -o "$T/md" --truth "$T/truth.json" >/dev/null || fail "dsgen"

start_dovecot dv tls
tls_port=$port
dv seed "$T/dv" "$T/md" || fail "seed"

# ---- STARTTLS + ca-file
write_config "$T/c-tls" "imap://localhost:$tls_port/INBOX" \
    "password-file = $T/pass" "ca-file = $T/dv/ca.pem" \
    "archive-folder = Archive"
run starttls poll --config "$T/c-tls" --db "$T/a.db"
expect_rc 0 "STARTTLS with ca-file"
check_exact "$T/a.db" "$T/truth.json"
[ "$(dv count "$T/dv" Archive)" -eq 12 ] || fail "not archived"
grep -q "Login: user=<dmarc>.*TLS" "$T/dv/dovecot.log" ||
	fail "the login was not over TLS"
ok "imap:// with STARTTLS and a private CA in ca-file"

# ---- imaps:// with --cacert (ad hoc, read-only)
export DMARCSIFT_IMAP_PASSWORD="$PASS"
run imaps ingest --db "$T/b.db" --keep --cacert "$T/dv/ca.pem" \
    "imaps://dmarc@localhost:$((tls_port + 1))/Archive"
expect_rc 0 "imaps:// with --cacert"
check_exact "$T/b.db" "$T/truth.json"
ok "imaps:// with --cacert"

# ---- untrusted certificate
run untrusted ingest --db "$T/c.db" --keep \
    "imaps://dmarc@localhost:$((tls_port + 1))/Archive"
expect_rc 5 "self-signed certificate without ca-file"
grep -q "certificate does not verify.*ca-file" "$T/untrusted.err" ||
	fail "untrusted: $(cat "$T/untrusted.err")"
ok "an untrusted certificate is refused (exit 5: permanent)"
unset DMARCSIFT_IMAP_PASSWORD

# ---- wrong password: clear error, exit 3, password not shown
printf 'not the password\n' >"$T/badpass"
chmod 0600 "$T/badpass"
write_config "$T/c-bad" "imap://localhost:$tls_port/INBOX" \
    "password-file = $T/badpass" "ca-file = $T/dv/ca.pem"
run badpw poll --config "$T/c-bad" --db "$T/a.db"
expect_rc 3 "wrong password"
grep -q "login refused for user 'dmarc'" "$T/badpw.err" ||
	fail "wrong password: $(cat "$T/badpw.err")"
grep -q "not the password" "$T/badpw.err" && fail "password echoed"
ok "a wrong password: 'login refused', exit 3"

# ---- ~/.netrc when nothing else gives a password (private, THREATS #15)
write_config "$T/c-netrc" "imap://localhost:$tls_port/Archive" \
    "ca-file = $T/dv/ca.pem" "keep = true"
run nonetrc poll --config "$T/c-netrc" --db "$T/n.db"
expect_rc 2 "no password anywhere"
grep -q "no password" "$T/nonetrc.err" || fail "no password: $(cat "$T/nonetrc.err")"
printf 'machine localhost login dmarc password "%s"\n' "$PASS" >"$HOME/.netrc"
chmod 0644 "$HOME/.netrc"
run netrc644 poll --config "$T/c-netrc" --db "$T/n.db"
expect_rc 2 "a readable ~/.netrc"
grep -q "\.netrc holds passwords but group or others may read it" \
    "$T/netrc644.err" || fail "netrc 0644: $(cat "$T/netrc644.err")"
chmod 0600 "$HOME/.netrc"
run netrc poll --config "$T/c-netrc" --db "$T/n.db"
expect_rc 0 "password from ~/.netrc"
check_exact "$T/n.db" "$T/truth.json"
rm -f "$HOME/.netrc"
ok "~/.netrc: used when private (0600), refused otherwise"

# ---- a server without STARTTLS
start_dovecot dvplain plain
plain_port=$port
"$DSGEN" maildir --messages 6 --seed 22 --dup-rate 0 --invalid-rate 0 \
    -o "$T/md2" --truth "$T/truth2.json" >/dev/null || fail "dsgen 2"
dv seed "$T/dvplain" "$T/md2" || fail "seed plain"
write_config "$T/c-plain" "imap://127.0.0.1:$plain_port/INBOX" \
    "password-file = $T/pass" "archive-folder = Archive"
logins=$(grep -c "Login: user=<dmarc>" "$T/dvplain/dovecot.log")
run nostarttls poll --config "$T/c-plain" --db "$T/d.db"
expect_rc 5 "imap:// without STARTTLS"
grep -q "offers no STARTTLS; refusing to log in" "$T/nostarttls.err" ||
	fail "no STARTTLS: $(cat "$T/nostarttls.err")"
# (the harness logged in once to see the server up)
[ "$(grep -c "Login: user=<dmarc>" "$T/dvplain/dovecot.log")" -eq "$logins" ] ||
	fail "logged in although the server has no STARTTLS"
[ "$(dv count "$T/dvplain")" -eq 6 ] || fail "messages touched"
ok "no STARTTLS: refused before LOGIN (exit 5: permanent)"
write_config "$T/c-plain" "imap://127.0.0.1:$plain_port/INBOX" \
    "password-file = $T/pass" "archive-folder = Archive" \
    "allow-plaintext = true"
run plainok poll --config "$T/c-plain" --db "$T/d.db"
expect_rc 0 "allow-plaintext"
check_exact "$T/d.db" "$T/truth2.json"
ok "allow-plaintext = true logs in without TLS"

# ---- no MOVE capability: COPY + STORE \Deleted + UID EXPUNGE
DOVECOT_EXTRA='imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UIDPLUS CHILDREN'
export DOVECOT_EXTRA
start_dovecot dvnomove plain
unset DOVECOT_EXTRA
dv seed "$T/dvnomove" "$T/md2" || fail "seed nomove"
write_config "$T/c-nomove" "imap://127.0.0.1:$port/INBOX" \
    "password-file = $T/pass" "archive-folder = Archive" \
    "allow-plaintext = true"
run nomove poll --config "$T/c-nomove" --db "$T/e.db"
expect_rc 0 "server without MOVE"
check_exact "$T/e.db" "$T/truth2.json"
[ "$(dv count "$T/dvnomove")" -eq 0 ] &&
	[ "$(dv count "$T/dvnomove" Archive)" -eq 6 ] ||
	fail "COPY/STORE/EXPUNGE did not move the messages"
grep -q "expunged=6" "$T/dvnomove/dovecot.log" ||
	fail "no UID EXPUNGE seen in the Dovecot log"
ok "without MOVE: COPY, STORE \\Deleted, UID EXPUNGE"
