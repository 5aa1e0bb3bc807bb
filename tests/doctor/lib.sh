# lib.sh - helpers for the doctor tests (sourced by tests/doctor/t_*.sh):
# a temp database, aggregate reports written from one-line records and
# ingested with dmarcsift ingest, a zone file built from variables, and
# jq checks on `dmarcsift doctor --format json`.
# SPDX-License-Identifier: MIT
#
# Record lines (stdin of mkrecords): ip count dkim spf header_from
#   dkim_auth spf_auth [reason]
# dkim_auth: d:selector:result[,d:selector:result] or -; spf_auth:
# domain:result or -; dkim/spf are the policy_evaluated (aligned) words.
set -u

NAME=$(basename "$0" .sh)
fail() {
	echo "$NAME: $*" >&2
	[ -f "${T:-/nonexistent}/out.json" ] && head -c 4000 "$T/out.json" >&2
	exit 1
}
: "${DS_BIN:?DS_BIN is not set}"
command -v jq >/dev/null 2>&1 || fail "jq not installed"
T=$(mktemp -d "${TMPDIR:-/tmp}/$NAME.XXXXXX") || fail "mktemp"
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT INT TERM
DB="$T/dmarc.db"
# an empty store (doctor only reads; it never creates one)
mkdir -p "$T/none"
"$DS_BIN" ingest --quiet --db "$DB" "$T/none" || { echo "cannot create $DB" >&2; exit 1; }
NOW=$(date +%s)
TODAY=$((NOW - NOW % 86400))
N=0

# report ORG DAYS_AGO RECORDS_FILE [P]: one daily report, ingested
report() {
	N=$((N + 1))
	b=$((TODAY - $2 * 86400))
	f="$T/r$N.xml"
	{
		printf '<?xml version="1.0" encoding="UTF-8"?>\n<feedback>\n'
		printf '<report_metadata><org_name>%s</org_name>' "$1"
		printf '<email>noreply@%s</email>' "$1"
		printf '<report_id>%s-%s</report_id>' "$1" "$N"
		printf '<date_range><begin>%s</begin><end>%s</end>' "$b" \
		    $((b + 86399))
		printf '</date_range></report_metadata>\n'
		printf '<policy_published><domain>example.com</domain>'
		printf '<p>%s</p></policy_published>\n' "${4:-none}"
		awk 'NF >= 7 {
		printf "<record><row><source_ip>%s</source_ip><count>%s</count>", $1, $2
		printf "<policy_evaluated><disposition>none</disposition>"
		printf "<dkim>%s</dkim><spf>%s</spf>", $3, $4
		if (NF >= 8) printf "<reason><type>%s</type></reason>", $8
		printf "</policy_evaluated></row><identifiers>"
		printf "<header_from>%s</header_from></identifiers><auth_results>", $5
		if ($6 != "-") {
			n = split($6, a, ",")
			for (i = 1; i <= n; i++) {
				split(a[i], x, ":")
				printf "<dkim><domain>%s</domain><selector>%s</selector>", x[1], x[2]
				printf "<result>%s</result></dkim>", x[3]
			}
		}
		if ($7 != "-") {
			split($7, y, ":")
			printf "<spf><domain>%s</domain><scope>mfrom</scope>", y[1]
			printf "<result>%s</result></spf>", y[2]
		} else
			printf "<spf><domain>unknown.invalid</domain><result>none</result></spf>"
		print "</auth_results></record>"
		}' "$3"
		printf '</feedback>\n'
	} >"$f"
	"$DS_BIN" ingest -q --db "$DB" "$f" || fail "ingest $f failed"
}

# daily ORG FROM TO RECORDS_FILE: one report a day, FROM..TO days ago
daily() {
	i=$2
	while [ "$i" -ge "$3" ]; do
		report "$1" "$i" "$4"
		i=$((i - 1))
	done
}

# txt STRING: a zone TXT rdata, split into 200-byte quoted strings
txt() {
	printf '%s' "$1" | fold -w 200 | sed 's/.*/"&"/' | tr '\n' ' '
}

# The zone: $SPF, $DMARC (empty: absent), $EXTRA lines appended.
SPF="v=spf1 ip4:192.0.2.0/24 -all"
DMARC="v=DMARC1; p=reject; rua=mailto:dmarc@example.com"
EXTRA=""
mkzone() {
	{
		echo '$TTL 300'
		echo 'example.com. IN A 192.0.2.1'
		echo 'example.com. IN MX 10 mail.example.com.'
		echo 'mail.example.com. IN A 192.0.2.10'
		[ -n "$SPF" ] && echo "example.com. IN TXT $(txt "$SPF")"
		[ -n "$DMARC" ] && echo "_dmarc.example.com. IN TXT $(txt "$DMARC")"
		echo '10.2.0.192.in-addr.arpa. IN PTR mail.example.com.'
		printf '%s\n' "$EXTRA"
	} >"$T/zone"
}

# doc [ARGS]: doctor example.com on the zone; JSON in $T/out.json, $RC
doc() {
	mkzone
	"$DS_BIN" doctor example.com --db "$DB" --dns-zone "$T/zone" \
	    --format json "$@" >"$T/out.json" 2>"$T/err"
	RC=$?
	[ "$RC" -le 1 ] || fail "doctor exited $RC: $(cat "$T/err")"
	jq -e 'type == "array"' "$T/out.json" >/dev/null ||
	    fail "doctor output is not a JSON array"
}

# has CODE [SEVERITY]: the last doc run reported CODE
has() {
	jq -e --arg c "$1" --arg s "${2:-}" \
	    'any(.[]; .code == $c and ($s == "" or .severity == $s))' \
	    "$T/out.json" >/dev/null || fail "no finding $1 ${2:-}"
}
lacks() {
	jq -e --arg c "$1" 'all(.[]; .code != $c)' "$T/out.json" \
	    >/dev/null || fail "unexpected finding $1"
}
# fix CODE TEXT: the finding's fix contains TEXT
fix() {
	jq -e --arg c "$1" --arg t "$2" \
	    'any(.[]; .code == $c and (.fix | contains($t)))' \
	    "$T/out.json" >/dev/null || fail "fix of $1 lacks '$2'"
}
# msg CODE TEXT: the finding's message contains TEXT
msg() {
	jq -e --arg c "$1" --arg t "$2" \
	    'any(.[]; .code == $c and (.message | contains($t)))' \
	    "$T/out.json" >/dev/null || fail "message of $1 lacks '$2'"
}
# ev CODE JQ: JQ (on .evidence) is true for the finding
ev() {
	jq -e --arg c "$1" "any(.[]; .code == \$c and (.evidence | $2))" \
	    "$T/out.json" >/dev/null || fail "evidence of $1: $2 is false"
}
