#!/bin/sh
# t_mmdb.sh - AS number, AS owner and country from MaxMind DB files, the
# way a user runs it: `dsgen demo` ingested, databases written by
# mkmmdb.pl (GeoLite2 pair and IPinfo Lite); senders JSON and text,
# --group asn and country (totals kept), the cache with the build date
# (a newer database is asked again, no database keeps the answer), the
# [enrich] mmdb configuration key, missing and truncated databases (one
# warning each, exit 0), a what-if run writing nothing, summary, the
# dashboard,
# and doctor naming the SPF include of a PTR-less SendGrid sender by its
# AS number while a cloud machine gets no mail service's include.
# SPDX-License-Identifier: MIT
. "$(dirname "$0")/../doctor/lib.sh"
: "${DS_SRC:?}" "${DS_BUILD:?}"
command -v sqlite3 >/dev/null 2>&1 || fail "sqlite3 not installed"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null ||
    fail "libmaxmind-db-writer-perl not installed (tools/deps.sh test)"
E1=1700000000
E2=1700086400
mkdir "$T/m1" "$T/m2" "$T/xdg"
perl "$DS_SRC/tests/enrich/mkmmdb.pl" "$T/m1" $E1 || fail "mkmmdb.pl"
perl "$DS_SRC/tests/enrich/mkmmdb.pl" "$T/m2" $E2 " v2" || fail "mkmmdb.pl v2"
export XDG_CONFIG_HOME="$T/xdg"		# no user configuration
"$DS_BUILD/dsgen" demo -o "$T/demo" >/dev/null || fail "dsgen demo"
"$DS_BIN" ingest -q --offline --db "$DB" "$T/demo" 2>/dev/null
[ $? -le 1 ] || fail "ingest of the demo failed"
OUT="$T/out.json"
S() { "$DS_BIN" senders --db "$DB" --offline --domain example.com "$@"; }
q() { sqlite3 "$DB" "$1"; }
row() {	# row IP JQ: the senders row of IP in $OUT satisfies JQ
	jq -e --arg ip "$1" "any(.[]; .source_ip == \$ip and ($2))" "$OUT" \
	    >/dev/null || fail "row $1: $2 is false"
}

# no database: the columns are there and empty, nothing fails
S --format json >"$OUT" 2>"$T/err" || fail "senders without --mmdb"
[ -s "$T/err" ] && fail "stderr without --mmdb: $(cat "$T/err")"
jq -e 'length == 9 and all(.[]; has("asn") and .asn == null and
    .as_org == null and .country == null)' "$OUT" >/dev/null ||
    fail "without a database the AS columns are not null"

# the GeoLite2 pair: ASN from one file, country from the other
S --mmdb "$T/m1/asn.mmdb" --mmdb "$T/m1/country.mmdb" --format json \
    >"$OUT" 2>"$T/err" || fail "senders --mmdb"
[ -s "$T/err" ] && fail "warnings with good databases: $(cat "$T/err")"
row 198.51.100.10 '.asn == 64500 and .as_org == "Example Hosting" and
    .country == "DE"'
row 2001:db8:10::25 '.asn == 64501 and .as_org == "Example Ésix" and
    .country == "FR"'
row 167.89.123.45 '.asn == 11377 and .service == "SendGrid"'
row 209.85.220.41 '.asn == 15169 and .country == "US"'
cp "$OUT" "$T/ips.json"
[ "$(q "SELECT count(*) FROM ip_info WHERE geo_built = $E1 AND asn > 0")" \
    = 9 ] || fail "the answers are not cached with the build date"

# grouping by AS and by country keeps every message
total=$(jq '[.[].messages] | add' "$T/ips.json")
S --group asn --format json >"$OUT" || fail "--group asn"
[ "$(jq '[.[].messages] | add' "$OUT")" = "$total" ] ||
    fail "--group asn loses messages"
own=$(jq '[.[] | select(.source_ip | startswith("198.51.100.")) |
    .messages] | add' "$T/ips.json")
jq -e --argjson n "$own" 'any(.[]; .group == "AS64500" and .ips == 2 and
    .messages == $n and .as_org == "Example Hosting" and .asn == 64500)' \
    "$OUT" >/dev/null || fail "group AS64500 is not the two own servers"
jq -e 'any(.[]; .group == "AS11377" and .ips == 2 and
    .service == "SendGrid")' "$OUT" >/dev/null || fail "group AS11377"
S --group country --format json >"$OUT" || fail "--group country"
[ "$(jq '[.[].messages] | add' "$OUT")" = "$total" ] ||
    fail "--group country loses messages"
jq -e 'any(.[]; .group == "DE" and .ips == 3) and
    any(.[]; .group == "US" and .ips == 3)' "$OUT" >/dev/null ||
    fail "country groups"
S --group asn >"$T/text" || fail "--group asn text"
grep -q '^AS64500 .*Example Hosting' "$T/text" ||
    fail "text lacks the AS owner: $(cat "$T/text")"
S >"$T/text"
grep -q '^2001:db8:10::25 ' "$T/text" || fail "IPv6 source shortened"
S --group bogus >/dev/null 2>&1 && fail "--group bogus accepted"

# a newer build is asked again at once; without a database the cache
S --mmdb "$T/m2/ipinfo.mmdb" --format json >"$OUT" || fail "ipinfo"
row 198.51.100.10 '.as_org == "Example Hosting v2" and .country == "DE"'
[ "$(q "SELECT geo_built FROM ip_info WHERE ip = '198.51.100.10'")" = $E2 ] ||
    fail "the newer build date is not stored"
S --format json >"$OUT" || fail "senders from the cache"
row 198.51.100.10 '.as_org == "Example Hosting v2" and .asn == 64500'

# the configuration key: ';'-separated, relative to the file, # comment
printf '[enrich]\nmmdb = m1/asn.mmdb ; m1/country.mmdb   # GeoLite2\n' \
    >"$T/config"
S --config "$T/config" --format json >"$OUT" 2>"$T/err" ||
    fail "senders with [enrich] mmdb"
row 198.51.100.10 '.as_org == "Example Hosting"'
[ -s "$T/err" ] && fail "config run warned: $(cat "$T/err")"
printf '[enrich]\nmmdb-file = x.mmdb\n' >"$T/key.config"
S --config "$T/key.config" >/dev/null 2>"$T/err" &&
    fail "an unknown [enrich] key is accepted"
grep -q "mmdb-file" "$T/err" || fail "the unknown key is not named"
printf '[enrich\n' >"$T/bad.config"
S --config "$T/bad.config" >/dev/null 2>"$T/err" &&
    fail "an unreadable configuration is accepted"
grep -q "bad.config" "$T/err" || fail "config error does not name the file"

# summary: the top failing sources with their network
"$DS_BIN" summary --db "$DB" --domain example.com --mmdb "$T/m1/asn.mmdb" \
    --format json >"$OUT" || fail "summary --mmdb"
jq -e '.[0].top_failing | length > 0 and any(.[]; .source_ip ==
    "45.95.147.10" and .asn == 64512 and .as_org == "Spam Hosting")' \
    "$OUT" >/dev/null || fail "summary: failing sources lack their AS"

# unusable databases: one warning each, the command still answers
head -c 1000 "$T/m1/asn.mmdb" >"$T/truncated.mmdb"
S --mmdb "$T/none.mmdb" --mmdb "$T/truncated.mmdb" --format json \
    >"$OUT" 2>"$T/err" || fail "missing database made senders fail"
[ "$(grep -c '^dmarcsift: warning: MaxMind database' "$T/err")" = 2 ] ||
    fail "expected two warnings: $(cat "$T/err")"
grep -q none.mmdb "$T/err" && grep -q truncated.mmdb "$T/err" ||
    fail "warnings do not name the files"
row 198.51.100.10 '.asn == 64500'	# the cached answer

# a what-if run (--dns-zone) neither reads nor writes the cache
mkzone
before=$(q "SELECT count(*), sum(geo_built), group_concat(as_org) FROM ip_info")
"$DS_BIN" senders --db "$DB" --domain example.com --dns-zone "$T/zone" \
    --mmdb "$T/m2/asn.mmdb" --format json >"$OUT" || fail "what-if"
row 198.51.100.10 '.as_org == "Example Hosting v2"'
[ "$(q "SELECT count(*), sum(geo_built), group_concat(as_org) FROM ip_info")" \
    = "$before" ] || fail "a what-if run changed the cache"

# the dashboard: the network under the PTR name
"$DS_BIN" html -q --db "$DB" --offline --mmdb "$T/m1/asn.mmdb" \
    --out "$T/site" || fail "html --mmdb"
grep -q 'AS64500 Example Hosting' "$T"/site/domains/example.com-*.html ||
    fail "the domain page does not show the AS owner"

# doctor: a PTR-less SendGrid sender is named by its AS number, with its
# include; a machine in Amazon's cloud gets no include of a mail service,
# and one that is ours (PTR under example.com) still gets its ip6:
DB="$T/doctor.db"
cat >"$T/recs" <<'R'
192.0.2.10 200 pass pass example.com example.com:s1:pass example.com:pass
203.0.113.9 120 pass fail example.com example.com:s1:pass example.com:fail
2001:db8:5::9 80 pass fail example.com example.com:s1:pass example.com:fail
2001:db8:5::10 60 pass fail example.com example.com:s1:pass example.com:fail
R
daily google.com 3 1 "$T/recs"
# a second reporter: a service is advised on once it sends steadily
# (report/classify: two reporters, three reports)
daily yahoo.com 3 1 "$T/recs"
EXTRA='0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.5.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR aws1.example.com.
aws1.example.com. IN AAAA 2001:db8:5::10'
doc
lacks spf-include-missing
has spf-ip-missing
doc --mmdb "$T/m1/asn.mmdb"
has spf-ip-missing
fix spf-ip-missing 'ip6:2001:db8:5::10'
has spf-include-missing warning
ev spf-include-missing '.include == "sendgrid.net" and .service == "SendGrid"'
ev spf-include-missing 'any(.sources[]; .ip == "203.0.113.9" and
    .asn == 11377 and .as_org == "SENDGRID")'
ev spf-include-missing 'all(.sources[]; .ip != "2001:db8:5::9")'
jq -e 'all(.[]; tostring | contains("amazonses") | not)' "$T/out.json" \
    >/dev/null || fail "a cloud machine was told to include Amazon SES"
echo "t_mmdb: ok"
