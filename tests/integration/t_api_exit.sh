#!/bin/sh
# Exit codes of the Microsoft Graph and Gmail API sources against the
# local HTTPS server (apiserver.py), by the rule IMAP follows (issue 18):
# 5 (permanent: someone must act) for a folder or a user the API does
# not know (HTTP 404); 75 (retry later) for throttling that outlasts the
# waits (429) and for a server that is down; the provider's words and
# the folder named in the one line said.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"
. "$DS_SRC/tests/integration/oauth_lib.sh"

"$DSGEN" maildir --messages 3 --seed 41 --dup-rate 0 --invalid-rate 0 \
    -o "$T/md" >/dev/null || fail "dsgen"
# a person's mail among the reports: moved to the invalid folder unread
printf 'From: Bob <bob@example.com>\r\nTo: dmarc@example.com\r\nSubject: Out of office\r\nMessage-ID: <ooo@example.com>\r\n\r\nAway until Monday.\r\n' >"$T/md/new/9.ooo"
start_api --tls --maildir "$T/md"
api_conf "$T/gm.conf" gmail "gmail://me/label:dmarc" \
    "archive-folder = DMARC/Archive" "invalid-folder = DMARC/Invalid"
run gm poll --quiet --config "$T/gm.conf" --db "$T/gm.db"
expect_rc 0 "gmail: reports and a person's mail"
grep -q "From: Bob <bob@example.com>, Subject: 'Out of office': not a report" "$T/gm.err" ||
	fail "gmail: person: $(cat "$T/gm.err")"
folder_ids x gmail:DMARC/Invalid | grep -qx '<ooo@example.com>' ||
	fail "gmail: the person's mail is not in DMARC/Invalid"
folder_ids x gmail:UNREAD | grep -qx '<ooo@example.com>' ||
	fail "gmail: the person's mail lost UNREAD"
[ "$(api_count gmail:DMARC/Archive)" -eq 3 ] || fail "gmail: reports not archived"
ok "gmail: a person's mail: one line, to the invalid label, still UNREAD, exit 0"

# ---- a Graph folder that does not exist: permanent, named
api_conf "$T/nofolder.conf" graph "graph://dmarc@example.com/NoSuchFolder"
run nofolder poll --quiet --config "$T/nofolder.conf" --db "$T/a.db"
expect_rc 5 "graph: missing folder"
grep -q "NoSuchFolder" "$T/nofolder.err" ||
	fail "graph: missing folder not named: $(cat "$T/nofolder.err")"
grep -q " 1 error" "$T/nofolder.err" ||
	fail "graph: the failed mailbox is not counted: $(cat "$T/nofolder.err")"
ok "graph: a folder that does not exist: exit 5, named, counted"

# ---- a user the API does not know (404 with the provider's words)
api_conf "$T/nouser.conf" graph "graph://nobody@example.com/Inbox"
run nouser poll --quiet --config "$T/nouser.conf" --db "$T/a.db"
expect_rc 5 "graph: unknown user"
grep -q "HTTP 404: no such user" "$T/nouser.err" ||
	fail "graph: unknown user: $(cat "$T/nouser.err")"
ok "graph: an unknown user (HTTP 404): exit 5 with the provider's words"

# ---- throttled past every wait: 75, cron retries
for kind in graph gmail; do
	if [ $kind = graph ]; then
		api_conf "$T/$kind.conf" graph "graph://dmarc@example.com/Inbox"
	else
		api_conf "$T/$kind.conf" gmail "gmail://me/label:dmarc"
	fi
	ctl throttle n=6
	run ${kind}busy poll --quiet --config "$T/$kind.conf" --db "$T/b.db"
	expect_rc 75 "$kind: throttled"
	grep -q "HTTP 429" "$T/${kind}busy.err" ||
		fail "$kind: throttled: $(cat "$T/${kind}busy.err")"
	ctl throttle n=0
	ok "$kind: throttled past the waits (HTTP 429): exit 75"
done

# ---- the API server is down: 75
port=$(cat "$T/api/port")
stop_api
run down poll --quiet --config "$T/graph.conf" --db "$T/b.db"
expect_rc 75 "graph: server down"
ok "graph: the server down: exit 75 (port $port closed)"
