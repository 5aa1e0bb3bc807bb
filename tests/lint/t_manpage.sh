#!/bin/sh
# The man page renders without a warning and documents exactly the
# commands the binary has; every command answers --help with status 0
# and a bad command or option gives status 2.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}" "${DS_BIN:?}"
MAN=$DS_SRC/tools/dmarcsift.1
fail=0
no() { echo "t_manpage: $*" >&2; fail=1; }

w=$(groff -mdoc -ww -z "$MAN" 2>&1)
[ -z "$w" ] || no "groff warnings: $w"

bin_cmds=$("$DS_BIN" help | sed -n 's/^  \([a-z][a-z-]*\) .*/\1/p' | sort)
man_cmds=$(sed -n 's/^\.It Cm \([a-z][a-z-]*\).*/\1/p' "$MAN" | sort -u)
[ -n "$bin_cmds" ] || no "dmarcsift help lists no command"
for c in $bin_cmds; do
	echo "$man_cmds" | grep -qx "$c" || no "command '$c' is not in the man page"
	out=$("$DS_BIN" "$c" --help 2>&1); rc=$?
	[ $rc -eq 0 ] || no "'$c --help' exited $rc"
	echo "$out" | grep -q "Usage" || no "'$c --help' prints no usage"
done
for c in $man_cmds; do
	[ "$c" = help ] && continue
	echo "$bin_cmds" | grep -qx "$c" || no "man page documents '$c', the binary has no such command"
done

"$DS_BIN" no-such-command >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || no "unknown command exited $rc, not 2"
"$DS_BIN" reports --no-such-option >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] || no "unknown option exited $rc, not 2"
"$DS_BIN" --version | grep -q '^dmarcsift [0-9]' || no "--version prints no version"

[ $fail -eq 0 ] || exit 1
echo "man page and --help: $(echo "$bin_cmds" | wc -l) commands checked"
