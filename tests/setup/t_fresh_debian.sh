#!/bin/sh
# The README's first command on a bare Debian 12: ../shared/tools/fresh-debian
# runs ./tools/demo on the committed HEAD (not the working tree) in a
# throw-away `debootstrap --variant=minbase bookworm` root, with nothing
# installed but what the command installs itself. DS_FRESH_FULL=1 runs
# ./tools/test there too (an hour on two cores: by hand before a
# release, not in every CI run, which must stay under 20 minutes).
# Skips (77) inside such a root, without root, or when the Debian mirror
# cannot be reached; fails when the command fails.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}"
FRESH=$DS_SRC/../shared/tools/fresh-debian
[ -n "${FRESH_DEBIAN_INSIDE:-}" ] && { echo "inside a fresh root: skipped"; exit 77; }
[ -x "$FRESH" ] || [ -f "$FRESH" ] || { echo "no $FRESH: skipped"; exit 77; }
# once per suite: the sanitizer build's run of the suite skips it
nm "${DS_BIN:-/nonexistent}" 2>/dev/null | grep -q __asan_init &&
	{ echo "sanitizer build: the release run does this: skipped"; exit 77; }
[ "$(id -u)" = 0 ] || { echo "fresh-debian needs root: skipped"; exit 77; }
MIRROR=${FRESH_MIRROR:-http://deb.debian.org/debian}
curl -fsS --max-time 15 -o /dev/null "$MIRROR/dists/bookworm/Release" 2>/dev/null ||
	{ echo "the Debian mirror $MIRROR cannot be reached: skipped"; exit 77; }
cd "$DS_SRC" || exit 1
git diff --quiet HEAD -- 2>/dev/null ||
	echo "note: fresh-debian runs the committed HEAD; uncommitted changes are not in it"
cmds="./tools/demo"
[ "${DS_FRESH_FULL:-}" = 1 ] && cmds="./tools/demo ./tools/test"
for c in $cmds; do
	sh "$FRESH" "$c"
	rc=$?
	[ $rc -eq 77 ] && { echo "fresh-debian could not make a root: skipped"; exit 77; }
	[ $rc -eq 0 ] || { echo "FAIL: '$c' on a bare Debian 12 exited $rc" >&2; exit 1; }
	echo "ok - '$c' succeeds on a bare Debian 12"
done
