#!/bin/sh
# t_mtasts.sh - doctor's HTTPS fetch of the MTA-STS policy (RFC 8461
# §3.3) end to end, against a local HTTPS server (stsserver.py) with a
# test CA (openssl), reached through the --dns-zone what-if: the zone
# gives mta-sts.example.com a loopback address, doctor pins the
# connection to it and checks the certificate for mta-sts.example.com
# (--cacert names the test CA). Cases: a valid policy (fetched, no
# finding), mode testing left for long, policy mx: not covering the MX,
# HTTP 404, a certificate the system does not trust and one for another
# name, a body over 64 KiB, a wrong Content-Type, a policy that changed
# since senders reported it (the id= to change); no address in the zone
# means not fetched. No network: loopback only. Needs root for port 443
# (skipped otherwise; CI runs as root).
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "SKIP: port 443 needs root"; exit 77; }
command -v openssl >/dev/null || fail "openssl not installed"
command -v python3 >/dev/null || fail "python3 not installed"
HERE=$(cd "$(dirname "$0")" && pwd)

# a test CA, a certificate for mta-sts.example.com and one for another name
cd "$T" || fail "cd"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=dmarcsift test CA" \
    -keyout ca.key -out ca.pem >/dev/null 2>&1 || fail "CA"
cert() { # NAME CN
	openssl req -newkey rsa:2048 -nodes -subj "/CN=$2" -keyout "$1.key" \
	    -out "$1.csr" >/dev/null 2>&1 &&
	printf 'subjectAltName=DNS:%s\n' "$2" >"$1.ext" &&
	openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key \
	    -CAcreateserial -days 2 -extfile "$1.ext" -out "$1.pem" \
	    >/dev/null 2>&1 || fail "certificate $1"
}
cert good mta-sts.example.com
cert wrong other.example.net

# two servers on random loopback addresses, port 443
A1=127.$(($$ % 200 + 20)).$(($$ / 200 % 250 + 1)).10
A2=${A1%.*}.11
mkdir s1 s2
start() { # DIR ADDR CERT
	python3 "$HERE/stsserver.py" "$T/$1" "$2" 443 "$T/$3.pem" "$T/$3.key" \
	    >"$T/$1.out" 2>&1 &
	echo $! >"$T/$1.pid"
	i=0
	while [ ! -f "$T/$1/ready" ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "server $1 did not start: $(cat "$T/$1.out")"
		sleep 0.1
	done
}
stop() {
	for s in s1 s2; do
		[ -f "$T/$s.pid" ] && kill "$(cat "$T/$s.pid")" 2>/dev/null
	done
}
trap 'stop; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
start s1 "$A1" good
start s2 "$A2" wrong

policy() { # MODE MX...
	m=$1
	shift
	{
		printf 'version: STSv1\r\nmode: %s\r\n' "$m"
		for x in "$@"; do printf 'mx: %s\r\n' "$x"; done
		printf 'max_age: 604800\r\n'
	} >"$T/s1/body"
}
served() { # how many fetches the server saw
	[ -f "$T/s1/log" ] && grep -c '^/.well-known/mta-sts.txt$' "$T/s1/log" || echo 0
}

# tls DAYS_AGO ID MODE MX: a TLS report showing that policy
tls() {
	b=$(date -u -d "@$((TODAY - $1 * 86400))" +%Y-%m-%dT%H:%M:%SZ)
	e=$(date -u -d "@$((TODAY - $1 * 86400 + 86399))" +%Y-%m-%dT%H:%M:%SZ)
	cat >"$T/tls-$2.json" <<J
{"organization-name":"Google Inc.","date-range":{"start-datetime":"$b",
"end-datetime":"$e"},"contact-info":"smtp-tls-reporting@google.com",
"report-id":"$2","policies":[{"policy":{"policy-type":"sts",
"policy-string":["version: STSv1","mode: $3","mx: $4","max_age: 86400"],
"policy-domain":"example.com","mx-host":["$4"]},
"summary":{"total-successful-session-count":10,"total-failure-session-count":0}}]}
J
	"$DS_BIN" ingest -q --db "$DB" "$T/tls-$2.json" || fail "ingest tls $2"
}

RECS='_smtp._tls.example.com. IN TXT "v=TLSRPTv1; rua=mailto:tls@example.com"
_mta-sts.example.com. IN TXT "v=STSv1; id=20261101T000000"'
EXTRA="$RECS
mta-sts.example.com. IN A $A1"
CA="--cacert $T/ca.pem"

# 1. a valid policy covering the MX: fetched once, nothing to say
policy enforce mail.example.com
doc $CA
[ "$(served)" -eq 1 ] || fail "the policy was not fetched ($(served))"
lacks mta-sts-fetch-failed
lacks mta-sts-not-fetched
lacks mta-sts-policy-invalid
lacks mta-sts-mx-uncovered
lacks mta-sts-policy-changed
# a "*." pattern for one label covers it too
policy enforce "*.example.com"
doc $CA
lacks mta-sts-mx-uncovered

# 2. the policy's mx: lines miss the MX record (enforce: an error)
policy enforce mx.example.net
doc $CA
has mta-sts-mx-uncovered error
ev mta-sts-mx-uncovered '.policy_from == "https" and .uncovered_mx == ["mail.example.com"] and .policy_mx == ["mx.example.net"]'
fix mta-sts-mx-uncovered "Add an 'mx:' line"
policy testing mx.example.net
doc $CA
has mta-sts-mx-uncovered warning

# 3. mode testing for long: the reports show testing since 40 days ago,
# the served policy still says testing: counted up to now
tls 40 t40 testing mail.example.com
tls 3 t3 testing mail.example.com
policy testing mail.example.com
doc $CA
has mta-sts-testing-long warning
ev mta-sts-testing-long '(.testing_since | length) > 0'
msg mta-sts-testing-long 'in mode testing for 40 days'
lacks mta-sts-policy-changed
# once the served policy says enforce, testing is over, and the change
# (senders still report testing) asks for a new id=
policy enforce mail.example.com
doc $CA
lacks mta-sts-testing-long
has mta-sts-policy-changed info
ev mta-sts-policy-changed '.served_mode == "enforce" and .reported_mode == "testing" and .id == "20261101T000000"'
msg mta-sts-policy-changed 'unless the id= of _mta-sts.example.com changes (now 20261101T000000)'
fix mta-sts-policy-changed 'publish a new id at _mta-sts.example.com'
# senders report the new policy (the id was changed): nothing to say
tls 1 t1 enforce mail.example.com
EXTRA="$(printf '%s\n' "$RECS" | sed 's/id=20261101T000000/id=20261201T000000/')
mta-sts.example.com. IN A $A1"
doc $CA
lacks mta-sts-policy-changed
lacks mta-sts-bad-id
EXTRA="$RECS
mta-sts.example.com. IN A $A1"

# 4. HTTP 404, and a Content-Type that is not text/plain
echo 404 >"$T/s1/status"
doc $CA
has mta-sts-fetch-failed error
msg mta-sts-fetch-failed 'HTTP status 404'
ev mta-sts-fetch-failed ".url == \"https://mta-sts.example.com/.well-known/mta-sts.txt\" and .address == \"$A1\""
fix mta-sts-fetch-failed 'status 200'
rm -f "$T/s1/status"
echo text/html >"$T/s1/ctype"
doc $CA
msg mta-sts-fetch-failed 'not text/plain'
rm -f "$T/s1/ctype"

# 5. a body over 64 KiB (RFC 8461 §3.3 lets senders cap it)
policy enforce mail.example.com
python3 -c 'import sys; sys.stdout.write("# " + "x" * 70000 + "\n")' >>"$T/s1/body"
doc $CA
msg mta-sts-fetch-failed 'larger than 64 KiB'
policy enforce mail.example.com

# 6. certificates: the system does not trust the test CA, and a
# certificate for another name is refused even with it
doc
has mta-sts-fetch-failed error
msg mta-sts-fetch-failed 'certificate'
n=$(served)
EXTRA="$RECS
mta-sts.example.com. IN A $A2"
doc $CA
has mta-sts-fetch-failed error
msg mta-sts-fetch-failed 'mta-sts.example.com'
EXTRA="$RECS
mta-sts.example.com. IN A $A1"
doc $CA
lacks mta-sts-fetch-failed

# 7. no address in the zone: not fetched, said so; offline likewise
n=$(served)
EXTRA="$RECS"
doc $CA
has mta-sts-not-fetched info
msg mta-sts-not-fetched '--dns-zone gives mta-sts.example.com no address'
[ "$(served)" -eq "$n" ] || fail "fetched without an address"
"$DS_BIN" doctor example.com --db "$DB" --offline --format json >"$T/out.json"
[ $? -le 1 ] || fail "doctor --offline"
lacks mta-sts-fetch-failed
[ "$(served)" -eq "$n" ] || fail "fetched offline"
echo "1 passed, 0 failed"
