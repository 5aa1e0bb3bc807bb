# oauth_lib.sh - sourced by the OAuth2 and mail API tests after lib.sh:
# the local token / introspection / Graph / Gmail server (apiserver.py)
# and the secrets that must never appear in any output.
# SPDX-License-Identifier: MIT
command -v python3 >/dev/null 2>&1 || {
	echo "missing python3 (sh tools/deps.sh test installs it)" >&2
	exit 1
}
CURL_CA=""
SECRET="cs-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
mkdir -p "$T/api"
printf '%s\n' "$SECRET" >"$T/api/secret"
printf '%s\n' "$SECRET" >"$T/secret"
chmod 0600 "$T/secret"
unset DMARCSIFT_OAUTH2_CLIENT_SECRET DMARCSIFT_OAUTH2_REFRESH_TOKEN XDG_CACHE_HOME

# start_api [--tls] [--maildir DIR]: the server in the background; sets
# $api (its base URL) and $api_pid
start_api() {
	tls=""
	scheme=http
	if [ "${1:-}" = --tls ]; then
		shift
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -days 2 -subj /CN=127.0.0.1 \
		    -addext subjectAltName=IP:127.0.0.1,DNS:localhost \
		    -keyout "$T/api/key.pem" -out "$T/api/ca.pem" >/dev/null 2>&1 ||
		    fail "openssl"
		tls="--tls $T/api/ca.pem $T/api/key.pem"
		CURL_CA="--cacert $T/api/ca.pem"
		scheme=https
	fi
	rm -f "$T/api/port"
	# shellcheck disable=SC2086
	python3 "$DS_SRC/tests/integration/apiserver.py" --port-file "$T/api/port" \
	    --state "$T/api" $tls "$@" </dev/null >"$T/api.log" 2>&1 &
	api_pid=$!
	i=0
	while [ ! -s "$T/api/port" ] && [ $i -lt 200 ]; do
		i=$((i + 1))
		sleep 0.05
	done
	[ -s "$T/api/port" ] || fail "apiserver did not start: $(cat "$T/api.log")"
	api="$scheme://127.0.0.1:$(cat "$T/api/port")"
}

trap 'stop_api; cleanup' EXIT

stop_api() {
	[ -n "${api_pid:-}" ] && kill "$api_pid" 2>/dev/null && wait "$api_pid" 2>/dev/null
	api_pid=""
}

# ctl WHAT [QUERY]: a control request to the server
ctl() {
	# shellcheck disable=SC2086
	curl -sf $CURL_CA -X POST "$api/_ctl/$1${2:+?$2}" >/dev/null || fail "ctl $1"
}

# apistat NAME: one counter of the server
apistat() {
	curl -sf ${CURL_CA:-} "$api/_ctl/stats" | jq -r ".$1"
}

# no_secrets FILE...: neither the client secret nor any refresh or access
# token the server issued appears in the files
no_secrets() {
	for s in "$SECRET" $(cat "$T"/api/refresh "$T"/api/issued 2>/dev/null); do
		[ -n "$s" ] || continue
		if grep -F -l -- "$s" "$@" 2>/dev/null; then
			fail "a secret appears in the output above"
		fi
	done
}

# folder_ids IGNORED FOLDER: the Message-IDs the API server holds in
# FOLDER ("graph:Archive", "gmail:DMARC/Archive"), sorted; replaces
# lib.sh's Dovecot version so that check_archive and check_quarantined
# work on the API server
folder_ids() {
	curl -sf ${CURL_CA:-} "$api/_ctl/folders" | jq -r --arg f "$2" '.[$f][]?' | sort
}

# api_count FOLDER
api_count() {
	folder_ids x "$1" | wc -l | tr -d ' '
}

# api_conf FILE KIND URL EXTRA...: a Graph or Gmail mailbox
api_conf() {
	f=$1 kind=$2 url=$3
	shift 3
	{
		echo "[mailbox:$kind]"
		echo "url = $url"
		echo "api-url = $api/$( [ "$kind" = graph ] && echo graph/v1.0 || echo gmail/v1)"
		echo "ca-file = $T/api/ca.pem"
		echo "oauth2-token-url = $api/token"
		echo "oauth2-client-id = dmarcsift-test"
		echo "oauth2-client-secret-file = $T/secret"
		echo "oauth2-token-cache = $T/cache-$kind.json"
		for l in "$@"; do echo "$l"; done
	} >"$f"
	chmod 0600 "$f"
}
