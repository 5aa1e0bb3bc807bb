#!/bin/sh
# t_tls.sh - doctor's SMTP TLS findings from zone files and stored TLS
# reports: tlsrpt-none / mta-sts-none when the records are absent,
# nothing when they are right, tlsrpt-several, tlsrpt-no-rua,
# mta-sts-bad-id, the TLS failures reported (with their fix), an
# MTA-STS policy whose mx: patterns miss an MX record, and mode testing
# left for long; the HTTPS fetch is skipped with a note under --dns-zone.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

# tls DAYS_AGO ID MODE MX_PATTERN OK FAILED [DETAILS_JSON]
tls() {
	b=$(date -u -d "@$((TODAY - $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
	e=$(date -u -d "@$((TODAY - $1 * 86400 + 86399))" +%Y-%m-%dT%H:%M:%SZ)
	cat >"$T/tls-$2.json" <<J
{"organization-name":"Google Inc.","date-range":{"start-datetime":"$b",
"end-datetime":"$e"},"contact-info":"smtp-tls-reporting@google.com",
"report-id":"$2","policies":[{"policy":{"policy-type":"sts",
"policy-string":["version: STSv1","mode: $3","mx: $4","max_age: 86400"],
"policy-domain":"example.com","mx-host":["$4"]},
"summary":{"total-successful-session-count":$5,"total-failure-session-count":$6},
"failure-details":[${7:-}]}]}
J
	"$DS_BIN" ingest -q --db "$DB" "$T/tls-$2.json" || fail "ingest tls $2"
}

# nothing published, nothing stored: two infos, nothing worse
doc
has tlsrpt-none info
has mta-sts-none info
# the address the DMARC record's rua= already uses
fix tlsrpt-none '"v=TLSRPTv1; rua=mailto:dmarc@example.com" (the address your DMARC rua= already uses'
fix mta-sts-none '.well-known/mta-sts.txt'
lacks mta-sts-fetch-failed

# both records right, a policy covering mail.example.com, no failures
tls 40 r40 enforce mail.example.com 100 0
EXTRA='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=20261101T000000"'
doc
lacks tlsrpt-none
lacks mta-sts-none
lacks mta-sts-mx-uncovered
lacks mta-sts-testing-long
# with a zone file the policy is not fetched, and it says so
has mta-sts-not-fetched info
fix mta-sts-not-fetched 'give mta-sts.example.com an A record in the zone file'
ev mta-sts-not-fetched '.url == "https://mta-sts.example.com/.well-known/mta-sts.txt"'

# bad records
EXTRA='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:a@example.com"
_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:b@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=not-valid!"'
doc
has tlsrpt-several error
has mta-sts-bad-id error
EXTRA='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; ruf=mailto:a@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=1"'
doc
has tlsrpt-no-rua error

# failures reported, a policy in testing for 36 days that misses the MX
tls 2 r2 testing "*.mx.example.net" 90 30 '{"result-type":"certificate-expired",
"sending-mta-ip":"209.85.222.201","receiving-mx-hostname":"mail.example.com",
"failed-session-count":25},{"result-type":"starttls-not-supported",
"sending-mta-ip":"209.85.208.176","receiving-mx-hostname":"mail.example.com",
"failed-session-count":5}'
tls 38 r38 testing "*.mx.example.net" 10 0
EXTRA='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=20261101T000000"'
doc
has tls-certificate-expired error
ev tls-certificate-expired '.failed_sessions == 25 and .sending_mta_ips == "209.85.222.201" and .receiving_mx == "mail.example.com"'
fix tls-certificate-expired 'Renew the MX certificate'
has tls-starttls-not-supported error
fix tls-starttls-not-supported 'STARTTLS'
has mta-sts-mx-uncovered warning
ev mta-sts-mx-uncovered '.uncovered_mx == ["mail.example.com"] and .policy_from == "reports"'
has mta-sts-testing-long warning
ev mta-sts-testing-long '.tls_failures_in_period == 30'

# two MTA-STS records; a reported policy that is not valid
EXTRA='_mta-sts.example.com. IN TXT "v=STSv1; id=1"
_mta-sts.example.com. IN TXT "v=STSv1; id=2"'
doc
has mta-sts-several error
tls 1 r1 strict "mail.example.com" 5 0
EXTRA='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=20261101T000000"'
doc
has mta-sts-policy-invalid error
ev mta-sts-policy-invalid '.mode == "strict"'

# the failures are outside a period that ends before them
doc --until "@$((TODAY - 10 * 86400))"
lacks tls-certificate-expired
echo "1 passed, 0 failed"
