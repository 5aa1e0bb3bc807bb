# lib.sh - shared by tests/browser/t_*.sh: headless Chromium (SPEC.md
# section 6), the Debian python3 helpers next to this file, temp dirs.
# SPDX-License-Identifier: MIT

fail() {
	echo "$T_NAME: $*" >&2
	exit 1
}

skip() {
	echo "$T_NAME: SKIP: $*" >&2
	exit 77
}

[ -n "${DS_BUILD:-}" ] && [ -n "${DS_SRC:-}" ] || fail "DS_BUILD/DS_SRC not set"
DS=${DS_BIN:-$DS_BUILD/dmarcsift}
GEN=$DS_BUILD/dsgen
HERE=$DS_SRC/tests/browser
# Debian's interpreter, standard library only
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3) || skip "python3 missing"

# Chromium from Debian; installed when missing and we may (CI runs as root)
CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null
then
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium \
	    >/dev/null 2>&1 || true
	CHROMIUM=$(command -v chromium || true)
fi
[ -n "$CHROMIUM" ] || skip "chromium not installed (apt-get install chromium)"

T=$(mktemp -d "${TMPDIR:-/tmp}/$T_NAME.XXXXXX") || fail "mktemp"
BG_PIDS=""
cleanup() {
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT INT TERM

# flags of every run: headless, no sandbox (root in CI), no background
# networking, nothing remembered (SPEC.md section 6)
CHROME_FLAGS="--headless --no-sandbox --disable-gpu
    --disable-background-networking --disable-component-update
    --disable-sync --no-first-run --no-default-browser-check
    --disable-default-apps --disable-extensions --disable-domain-reliability
    --disable-breakpad --metrics-recording-only --no-pings
    --disable-client-side-phishing-detection"

# chrome ARGS... : one Chromium run with a throw-away profile, 60 s at
# most; stderr (dbus noise) to $T/chrome.err
chrome() {
	# shellcheck disable=SC2086
	timeout 60 "$CHROMIUM" $CHROME_FLAGS --user-data-dir="$T/profile" \
	    "$@" 2>>"$T/chrome.err"
}

# cdp OUT URL...: open each URL in one Chromium over the DevTools
# protocol; OUT gets REQ/TITLE/JS lines per page (cdp.py)
cdp() {
	out=$1
	shift
	rm -rf "$T/cdp-profile"
	mkdir "$T/cdp-profile" || fail "mkdir"
	# shellcheck disable=SC2086
	timeout 300 "$PY" "$HERE/cdp.py" "$T/cdp-profile" "$@" -- \
	    "$CHROMIUM" $CHROME_FLAGS >"$out" 2>>"$T/chrome.err" ||
	    fail "cdp.py failed: $(tail -3 "$T/chrome.err")"
}

# dom URL OUT: the DOM after scripts ran
dom() {
	chrome --dump-dom "$1" >"$2" || fail "chromium --dump-dom $1 failed"
	[ -s "$2" ] || fail "empty DOM for $1"
}

# wait_file FILE: up to 10 s for a helper to write its port file
wait_file() {
	i=0
	while [ ! -s "$1" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	[ -s "$1" ] || fail "helper did not start ($1)"
}
