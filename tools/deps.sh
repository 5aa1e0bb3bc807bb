#!/bin/sh
# Install the Debian 12 packages dmarcsift needs, only those missing.
# Usage: tools/deps.sh [build|test|bench]   (test adds the test-only
# packages, bench what bench/run needs)
# SPDX-License-Identifier: MIT
set -eu
BUILD="build-essential cmake pkg-config libxml2-dev libsqlite3-dev
 libcurl4-openssl-dev libgmime-3.0-dev libglib2.0-dev zlib1g-dev libzip-dev
 libspf2-dev libopendkim-dev libpsl-dev publicsuffix libunbound-dev
 libldns-dev libssl-dev sqlite3 libjson-glib-dev libmaxminddb-dev libpq-dev"
TEST="libcmocka-dev libxml2-utils jq zip unzip clang libclang-rt-14-dev
 dovecot-imapd opendkim-tools chromium openssl curl procps time valgrind
 libmaxmind-db-writer-perl groff-base python3 postgresql"
BENCH="libxml2-utils gzip time valgrind postgresql"
want=$BUILD
[ "${1:-build}" = test ] && want="$BUILD $TEST"
[ "${1:-build}" = bench ] && want="$BUILD $BENCH"
missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing" >&2
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
