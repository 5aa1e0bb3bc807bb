#!/bin/sh
# Microsoft Graph and Gmail API sources against the local HTTPS server
# (apiserver.py, a self-signed CA passed with ca-file) holding dsgen
# report mails: list with paging, raw messages, move / label changes
# after COMMIT, 429 with Retry-After, 401 with one fresh token; every
# report stored once, every mail archived (or in the invalid folder)
# once, a rerun fetches nothing; a revoked token exits 3; no secret in
# any output.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"
. "$DS_SRC/tests/integration/oauth_lib.sh"

N=130
"$DSGEN" maildir --messages $N --seed 21 --dup-rate 0.03 \
    --invalid-rate 0.03 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"
make_idmap "$T/md"
invalid=$(jq '.invalid' "$T/truth.json")

for kind in graph gmail; do
	DB=$T/$kind.db
	start_api --tls --maildir "$T/md"
	if [ $kind = graph ]; then
		api_conf "$T/$kind.conf" graph "graph://dmarc@example.com/Inbox" \
		    "archive-folder = archive" "invalid-folder = Invalid DMARC"
		src=graph:Inbox arch=graph:Archive inv="graph:Invalid DMARC"
	else
		api_conf "$T/$kind.conf" gmail "gmail://me/label:dmarc" \
		    "archive-folder = DMARC/Archive" \
		    "invalid-folder = DMARC/Invalid" "remove-labels = INBOX, dmarc"
		src=gmail:dmarc arch=gmail:DMARC/Archive inv=gmail:DMARC/Invalid
	fi
	[ "$(api_count "$src")" -eq $N ] || fail "$kind: server holds $(api_count "$src")"
	ctl throttle n=2
	run ${kind}1 poll --config "$T/$kind.conf" --db "$DB" --verbose
	[ "$rc" -eq 1 ] || fail "$kind poll: exit $rc (want 1: invalid mails): $(tail -3 "$T/${kind}1.err")"
	check_exact "$DB" "$T/truth.json"
	[ "$(api_count "$src")" -eq 0 ] || fail "$kind: $(api_count "$src") left in $src"
	[ "$(api_count "$arch")" -eq $((N - invalid)) ] || fail "$kind: $(api_count "$arch") archived"
	[ "$(api_count "$inv")" -eq "$invalid" ] || fail "$kind: $(api_count "$inv") invalid"
	check_archive x "$DB" "$T/truth.json" "$arch"
	check_quarantined x "$DB" "$inv"
	if [ $kind = graph ]; then
		# a moved message has a new id: the quarantine names that one
		[ "$invalid" -gt 0 ] || fail "dsgen made no invalid mail"
		"$DS_BIN" quarantine list --db "$DB" --format json \
		    >"$T/q.json" || fail "quarantine list"
		n=$(jq '[.[] | select(.source | test(";id=[^ ]+m [(]folder .Invalid DMARC.; moved there, was id="))] | length' "$T/q.json")
		[ "$n" -eq "$invalid" ] || fail "graph: $n of $invalid quarantine entries name the moved message's new id: $(jq -r '.[0].source' "$T/q.json")"
	fi
	[ "$(apistat throttled)" -eq 2 ] || fail "$kind: throttling not served"
	[ "$(apistat bad_request)" -eq 0 ] || fail "$kind: requests off the documented shape"
	[ "$(apistat fetch)" -eq $N ] || fail "$kind: $(apistat fetch) fetches for $N mails"
	ok "$kind: $N mails over 2 pages, 429 waited out, every report once, every mail moved once"

	# a token the server stopped accepting: one fresh token, then on
	ctl expire
	run ${kind}2 poll --config "$T/$kind.conf" --db "$DB"
	[ "$rc" -eq 0 ] || fail "$kind rerun: exit $rc: $(cat "$T/${kind}2.err")"
	[ "$(apistat client_credentials)" -eq 2 ] || fail "$kind: not refreshed once"
	[ "$(apistat fetch)" -eq $N ] || fail "$kind: the rerun fetched again"
	check_exact "$DB" "$T/truth.json"
	ok "$kind: 401 refreshed once; the rerun fetches nothing"

	# revoked: the fresh token is refused too (the client secret is
	# withdrawn at the token endpoint)
	ctl expire
	printf 'withdrawn\n' >"$T/api/secret"
	run ${kind}3 poll --config "$T/$kind.conf" --db "$DB"
	expect_rc 3 "$kind: revoked"
	grep -q "token endpoint refused: invalid_client" "$T/${kind}3.err" ||
	    fail "$kind: $(cat "$T/${kind}3.err")"
	printf '%s\n' "$SECRET" >"$T/api/secret"
	ok "$kind: refused credentials exit 3 with the provider's words"
	no_secrets "$T"/*.err "$T"/*.out "$DB"
	stop_api
done
ok "no secret in any output or database"
