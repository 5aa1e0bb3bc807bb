#!/bin/sh
# OAuth2 IMAP against a real Dovecot whose oauth2 passdb checks bearer
# tokens at the test's introspection endpoint (SPEC.md section 8), with
# the test's token endpoint: client credentials over OAUTHBEARER (chosen
# from the capabilities) and XOAUTH2 (oauth2-mechanism), the cached
# token reused, an expired token refreshed once, the refresh token grant
# with rotation, a revoked refresh token exits 3 with the provider's
# words, the device authorization grant (auth login), a 0644 secret
# refused; no secret in any output at any verbosity (THREATS #22).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"
. "$DS_SRC/tests/integration/oauth_lib.sh"

start_api
DOVECOT_EXTRA="auth_mechanisms = plain login xoauth2 oauthbearer
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = $T/dovecot-oauth2.conf.ext
}
login_log_format_elements = user=<%u> method=%m"
export DOVECOT_EXTRA
cat >"$T/dovecot-oauth2.conf.ext" <<EOC
introspection_mode = post
introspection_url = $api/introspect
username_attribute = username
active_attribute = active
active_value = true
EOC
chmod 0644 "$T/dovecot-oauth2.conf.ext"
start_dovecot dv plain
DB=$T/dmarc.db

batch() {	# batch N SEED: dsgen mails into INBOX
	"$DSGEN" maildir --messages "$1" --seed "$2" -o "$T/md$2" \
	    --truth "$T/truth$2.json" >/dev/null || fail "dsgen"
	dv seed "$T/dv" "$T/md$2" || fail "seed"
}

conf() {	# conf EXTRA-LINES...: an oauth2 mailbox
	write_config "$T/config" "imap://127.0.0.1:$port/INBOX" \
	    "allow-plaintext = true" "archive-folder = Archive" \
	    "invalid-folder = Invalid" "auth = oauth2" \
	    "oauth2-token-url = $api/token" "oauth2-client-id = dmarcsift-test" \
	    "oauth2-scope = https://outlook.office365.com/.default" \
	    "oauth2-token-cache = $T/cache.json" "$@"
}

# ---- client credentials, mechanism from the capabilities: OAUTHBEARER
batch 30 1
conf "oauth2-client-secret-file = $T/secret"
run cc1 poll --config "$T/config" --db "$DB" --verbose
[ "$rc" -le 1 ] || fail "client credentials poll: exit $rc: $(cat "$T/cc1.err")"
check_exact "$DB" "$T/truth1.json"
[ "$(dv count "$T/dv")" -eq 0 ] || fail "messages left in INBOX"
grep -q "method=OAUTHBEARER" "$T/dv/dovecot.log" || fail "no OAUTHBEARER login"
[ "$(apistat client_credentials)" -eq 1 ] || fail "token grants: $(apistat client_credentials)"
[ "$(stat -c %a "$T/cache.json")" = 600 ] || fail "token cache not 0600"
ok "client credentials over OAUTHBEARER: 30 messages, reports stored once"

# ---- XOAUTH2, the cached token reused
batch 20 2
conf "oauth2-client-secret-file = $T/secret" "oauth2-mechanism = xoauth2"
run cc2 poll --config "$T/config" --db "$DB" --verbose
[ "$rc" -le 1 ] || fail "xoauth2 poll: exit $rc"
check_exact "$DB" "$T/truth1.json" "$T/truth2.json"
grep -q "method=XOAUTH2" "$T/dv/dovecot.log" || fail "no XOAUTH2 login"
[ "$(apistat client_credentials)" -eq 1 ] || fail "cached token not reused"
ok "XOAUTH2 with the cached token"

# ---- the token expired early (revoked at the server): refreshed once
ctl expire
batch 10 3
run cc3 poll --config "$T/config" --db "$DB"
[ "$rc" -le 1 ] || fail "poll after expiry: exit $rc: $(cat "$T/cc3.err")"
check_exact "$DB" "$T/truth1.json" "$T/truth2.json" "$T/truth3.json"
[ "$(apistat client_credentials)" -eq 2 ] || fail "not refreshed exactly once: $(apistat client_credentials)"
ok "refused cached token: one new token, poll completed"

# ---- a wrong client secret: exit 3 with the provider's words
rm -f "$T/cache.json"
printf 'wrong\n' >"$T/badsecret"
chmod 0600 "$T/badsecret"
conf "oauth2-client-secret-file = $T/badsecret"
run bad poll --config "$T/config" --db "$DB"
expect_rc 3 "wrong client secret"
grep -q "token endpoint refused: invalid_client" "$T/bad.err" || fail "no provider text: $(cat "$T/bad.err")"

# ---- a secret file others may read: refused before any request
chmod 0644 "$T/badsecret"
run mode poll --config "$T/config" --db "$DB"
expect_rc 2 "0644 secret file"
grep -q "chmod 600" "$T/mode.err" || fail "no fix in: $(cat "$T/mode.err")"
ok "bad secret exits 3 with the provider's error, a 0644 secret file 2"

# ---- device authorization grant, then the refresh token grant
conf "oauth2-device-url = $api/device" "oauth2-refresh-token-file = $T/rt"
run login auth login --mailbox dmarc --config "$T/config"
[ "$rc" -eq 0 ] || fail "auth login: exit $rc: $(cat "$T/login.err")"
grep -q "WDJB-MJHT" "$T/login.out" || fail "no user code shown"
grep -q "https://example.com/device" "$T/login.out" || fail "no address shown"
[ "$(stat -c %a "$T/rt")" = 600 ] || fail "refresh token file not 0600"
cmp -s "$T/rt" "$T/api/refresh" || fail "refresh token not stored"
ok "auth login: device code shown, refresh token stored 0600"
ctl expire
rm -f "$T/cache.json"
batch 10 4
run rt1 poll --config "$T/config" --db "$DB" --verbose
[ "$rc" -le 1 ] || fail "refresh token poll: exit $rc: $(cat "$T/rt1.err")"
[ "$(apistat refresh_token)" -eq 1 ] || fail "refresh grants: $(apistat refresh_token)"
cmp -s "$T/rt" "$T/api/refresh" || fail "rotated refresh token not kept"
check_exact "$DB" "$T/truth1.json" "$T/truth2.json" "$T/truth3.json" "$T/truth4.json"
ok "refresh token grant, rotated token written back"

# ---- revoked: exit 3 with the provider's error text, nothing moved
ctl revoke
rm -f "$T/cache.json"
batch 5 5
run rev poll --config "$T/config" --db "$DB"
expect_rc 3 "revoked refresh token"
grep -q "invalid_grant: AADSTS70000: the refresh token has been revoked" \
    "$T/rev.err" || fail "no provider text: $(cat "$T/rev.err")"
[ "$(dv count "$T/dv")" -eq 5 ] || fail "messages moved without login"
ok "revoked refresh token: exit 3 with the provider's words"

no_secrets "$T"/*.err "$T"/*.out "$DB" "$T/dv/dovecot.log"
ok "no secret in any output (--verbose included)"
