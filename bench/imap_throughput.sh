#!/bin/sh
# imap_throughput.sh - messages per second of "dmarcsift poll" against a
# throw-away local Dovecot (tests/integration/dovecot.sh) holding N dsgen
# report mails, over STARTTLS (default) or plaintext.
#
#   sh bench/imap_throughput.sh [N] [tls|plain]     (from the checkout,
#                                                   after building build/)
# Prints the poll summary and "N messages in S s: R messages/s".
# SPDX-License-Identifier: MIT
set -u
cd "$(dirname "$0")/.." || exit 1
N=${1:-2000}
MODE=${2:-tls}
B=$PWD/build
T=$(mktemp -d /tmp/ds-bench.XXXXXX) || exit 1
chmod 0755 "$T"
trap 'sh tests/integration/dovecot.sh stop "$T/dv"; rm -rf "$T"' EXIT
export DMARCSIFT_NO_PROGRESS=1
"$B/dsgen" maildir --messages "$N" --seed 5 -o "$T/md" >/dev/null || exit 1
mkdir "$T/dv"
port=$(sh tests/integration/dovecot.sh start "$T/dv" "$MODE") || exit 1
sh tests/integration/dovecot.sh seed "$T/dv" "$T/md" || exit 1
printf 's3cret pass\n' >"$T/pass"
chmod 0600 "$T/pass"
if [ "$MODE" = tls ]; then
	extra="ca-file = $T/dv/ca.pem"
	host=localhost
else
	extra="allow-plaintext = true"
	host=127.0.0.1
fi
cat >"$T/config" <<EOF
[mailbox:bench]
url = imap://$host:$port/INBOX
user = dmarc
password-file = $T/pass
$extra
archive-folder = Archive
invalid-folder = Invalid
EOF
chmod 0600 "$T/config"
start=$(date +%s.%N)
${DS_WRAP:-} "$B/dmarcsift" poll --config "$T/config" --db "$T/dmarc.db" 2>"$T/err"
end=$(date +%s.%N)
grep '^dmarcsift: poll:' "$T/err"
awk -v n="$N" -v a="$start" -v b="$end" 'BEGIN {
    printf "%d messages in %.2f s: %.0f messages/s\n", n, b - a, n / (b - a) }'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
