#!/bin/sh
# A mailbox of DMARC and SMTP TLS report mails (issue 14) polled from a
# real Dovecot: every DMARC report stored as dsgen wrote it, every TLS
# report (application/tlsrpt+gzip and +json attachments, the real
# Google mail of the corpus, a bare JSON body) stored once, everything
# archived, nothing in the invalid folder, exit 0; a second poll
# changes nothing.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/integration/lib.sh"
: "${DS_CORPUS:?}"

"$DSGEN" maildir --messages 30 --seed 14 --dup-rate 0 \
    --invalid-rate 0 -o "$T/md" --truth "$T/truth.json" >/dev/null ||
	fail "dsgen"

# tlsmail N TYPE: a TLS report mail in the Maildir, the report for
# tls-N.example gzip'd (TYPE +gzip) or plain (+json), base64
tlsmail() {
	n=$1
	cat >"$T/tls-$n.json" <<J
{"organization-name":"Mail Org $n","date-range":{"start-datetime":
"2026-11-0${n}T00:00:00Z","end-datetime":"2026-11-0${n}T23:59:59Z"},
"contact-info":"tlsrpt@mail$n.example","report-id":"tls-$n",
"policies":[{"policy":{"policy-type":"sts","policy-domain":"tls-$n.example",
"policy-string":["version: STSv1","mode: enforce","mx: mx.tls-$n.example",
"max_age: 86400"],"mx-host":["mx.tls-$n.example"]},
"summary":{"total-successful-session-count":$((n * 100)),
"total-failure-session-count":$n},"failure-details":[{"result-type":
"certificate-expired","sending-mta-ip":"192.0.2.$n","receiving-mx-hostname":
"mx.tls-$n.example","failed-session-count":$n}]}]}
J
	if [ "$2" = gzip ]; then
		gzip -c "$T/tls-$n.json" >"$T/tls-$n.bin"
		name="mail$n.example!tls-$n.example!1!2!001.json.gz"
	else
		cp "$T/tls-$n.json" "$T/tls-$n.bin"
		name="mail$n.example!tls-$n.example!1!2!001.json"
	fi
	{
		printf 'From: tlsrpt@mail%s.example\r\nTo: dmarc@example.com\r\n' "$n"
		printf 'Subject: Report Domain: tls-%s.example Submitter: mail%s.example Report-ID: <tls-%s>\r\n' "$n" "$n" "$n"
		printf 'Message-ID: <tls-%s@mail%s.example>\r\n' "$n" "$n"
		printf 'TLS-Report-Domain: tls-%s.example\r\n' "$n"
		printf 'TLS-Report-Submitter: mail%s.example\r\n' "$n"
		printf 'MIME-Version: 1.0\r\n'
		printf 'Content-Type: multipart/report; report-type=tlsrpt; boundary="b"\r\n\r\n'
		printf -- '--b\r\nContent-Type: text/plain\r\n\r\nThis is an aggregate TLS report.\r\n'
		printf -- '--b\r\nContent-Type: application/tlsrpt+%s\r\n' "$2"
		printf 'Content-Disposition: attachment; filename="%s"\r\n' "$name"
		printf 'Content-Transfer-Encoding: base64\r\n\r\n'
		base64 "$T/tls-$n.bin" | sed 's/$/\r/'
		printf -- '--b--\r\n'
	} >"$T/md/new/tls-$n.eml"
}
tlsmail 1 gzip
tlsmail 2 json
tlsmail 3 gzip
cp "$DS_CORPUS/tls-rpt/google.com_smtp_tls_report.eml" "$T/md/new/google.eml"
ntls=4
total=$(find "$T/md/new" "$T/md/cur" -type f | wc -l)

start_dovecot dv plain
dv seed "$T/dv" "$T/md" || fail "seed"
write_config "$T/config" "imap://127.0.0.1:$port/INBOX" \
    "password-file = $T/pass" "allow-plaintext = true" \
    "archive-folder = Archive" "invalid-folder = Invalid"
DB=$T/dmarc.db

run poll1 poll --config "$T/config" --db "$DB"
expect_rc 0 "poll of DMARC and TLS mail"
check_exact "$DB" "$T/truth.json"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tls_report')" -eq $ntls ] ||
	fail "$(sqlite3 "$DB" 'SELECT count(*) FROM tls_report') TLS reports stored, want $ntls"
for n in 1 2 3; do
	got=$(sqlite3 "$DB" "SELECT successes || '|' || failures || '|' || domain
	    FROM tls_report WHERE report_id = 'tls-$n'")
	[ "$got" = "$((n * 100))|$n|tls-$n.example" ] || fail "tls-$n: $got"
done
[ "$(sqlite3 "$DB" "SELECT submitter FROM tls_report WHERE report_id = 'tls-2'")" = mail2.example ] ||
	fail "TLS-Report-Submitter not kept"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM quarantine')" -eq 0 ] ||
	fail "something was quarantined"
[ "$(dv count "$T/dv")" -eq 0 ] || fail "INBOX not empty"
[ "$(dv count "$T/dv" Archive)" -eq "$total" ] ||
	fail "$(dv count "$T/dv" Archive) archived, want $total"
inv=$(dv count "$T/dv" Invalid 2>/dev/null || echo 0)
[ "${inv:-0}" -eq 0 ] || fail "$inv messages in Invalid"
ok "poll: $total mails archived ($ntls TLS reports), none invalid"

run poll2 poll --config "$T/config" --db "$DB"
expect_rc 0 "second poll"
[ "$(sqlite3 "$DB" 'SELECT count(*) FROM tls_report')" -eq $ntls ] ||
	fail "second poll changed the TLS reports"
check_exact "$DB" "$T/truth.json"
ok "second poll: nothing changed"
