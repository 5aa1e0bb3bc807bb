#!/bin/sh
# Source rules that keep the architecture honest (STYLE.md "Tooling"):
# no C file over 800 lines; SQL (sqlite3_, PQ*) only in schema/store/;
# never the libxml2 options that load entities, DTDs or XInclude
# (THREATS #1, #2); the include graph between folders is one-way, in the
# order the folders' CMakeLists.txt list them (ingest/ and report/ never
# include each other); no banned functions.
# SPDX-License-Identifier: MIT
set -uf
: "${DS_SRC:?}"
cd "$DS_SRC" || exit 1
bad=0
no() { echo "lint: $*" >&2; bad=1; }
SRC=$(find schema ingest report tools -name '*.[ch]' | sort)
CSRC=$(find schema ingest report tools -name '*.c' | sort)
for f in $CSRC; do
	n=$(wc -l <"$f")
	[ "$n" -le 800 ] || no "$f has $n lines (ceiling 800)"
done
for f in $SRC; do
	case $f in schema/store/*) continue;; esac
	grep -qE '\bsqlite3_[a-z_]+\s*\(|\bPQ[a-z]+\s*\(' "$f" && no "$f speaks SQL outside schema/store/"
done
# shellcheck disable=SC2086
if grep -nE 'XML_PARSE_(NOENT|DTDLOAD|DTDATTR|DTDVALID|XINCLUDE|HUGE)' $SRC |
    grep -v '^[^:]*:[0-9]*:\s*\*' | grep -v '/\*.*XML_PARSE' >/dev/null; then
	no "dangerous libxml2 parser option used"
fi
# shellcheck disable=SC2086
grep -n 'xmlSubstituteEntitiesDefault\|xmlXIncludeProcess' $CSRC >/dev/null && no "entity substitution or XInclude called"
# shellcheck disable=SC2086
grep -nE '\b(strcpy|sprintf|strtok|gmtime|atoi|inet_aton)\s*\(' $CSRC >/dev/null && no "banned function used: $(grep -nE '\b(strcpy|sprintf|strtok|gmtime|atoi|inet_aton)\s*\(' $CSRC | head -3)"
# shellcheck disable=SC2086
grep -n 'g_autoptr\|g_autofree' $CSRC >/dev/null && no "g_autoptr/g_autofree (use done: labels)"
# Text for a terminal leaves through g_print/g_printerr or ds_term_write
# (schema/util/term.h: one escaping rule), never raw stdio; a line that
# must stay raw says why in a "term:" comment on the line before.
# shellcheck disable=SC2086
pat='(fprintf|vfprintf)\((stderr|stdout)|(^|[^_a-z])printf\(|(fputs|fwrite|fputc)\(.*(stdout|stderr)\)'
# shellcheck disable=SC2086
left=$(grep -nE -B1 "$pat" $CSRC | grep -v '^tools/dsgen' |
    grep -v 'schema/util/term.c' |
    awk '/term:/ { skip = 1; next } /^[^ ]+:[0-9]+:/ { if (!skip) print; skip = 0; next } { skip = 0 }')
[ -z "$left" ] || no "raw terminal output (use g_print/g_printerr or ds_term_write): $left"

# Folder order: schema's folders, then ingest's, then report's, each as its
# CMakeLists.txt lists them. A folder may include itself and folders of
# lower rank in its own top folder or in schema/; never the other way.
order=""
for top in schema ingest report; do
	for d in $(sed -n 's/^add_subdirectory(\([a-z_]*\))/\1/p' "$top/CMakeLists.txt"); do
		order="$order $top/$d"
	done
done
rank() { i=0; for o in $order; do i=$((i + 1)); [ "$o" = "$1" ] && { echo $i; return; }; done; echo 0; }
for f in $SRC; do
	case $f in tools/*) continue;; esac
	dir=$(dirname "$f"); top=${dir%%/*}
	r=$(rank "$dir")
	[ "$r" -gt 0 ] || { no "$f: folder $dir is not listed in $top/CMakeLists.txt"; continue; }
	for h in $(sed -n 's/^#include "\([a-z_]*\/[a-z_]*\)\/[a-z_0-9]*\.h".*/\1/p' "$f" | sort -u); do
		[ "$h" = "$dir" ] && continue
		htop=${h%%/*}
		if [ "$htop" != schema ] && [ "$htop" != "$top" ]; then
			no "$f includes $h: $top/ never includes $htop/"
			continue
		fi
		hr=$(rank "$h")
		[ "$hr" -gt 0 ] && [ "$hr" -lt "$r" ] || no "$f includes $h (a folder listed after $dir)"
	done
done
[ $bad -eq 0 ] || exit 1
echo "1 passed, 0 failed"
