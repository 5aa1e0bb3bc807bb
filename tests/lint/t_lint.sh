#!/bin/sh
# Source rules that keep the architecture honest (STYLE.md "Tooling"):
# no C file over 800 lines; SQL (sqlite3_) only in schema/; never the
# libxml2 options that load entities, DTDs or XInclude (THREATS #1, #2);
# ingest/ never includes report/, report/ only ingest/verify.h; no banned functions.
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}"
cd "$DS_SRC" || exit 1
bad=0
no() { echo "lint: $*" >&2; bad=1; }
for f in schema/*.c ingest/*.c report/*.c tools/*.c; do
	n=$(wc -l <"$f")
	[ "$n" -le 800 ] || no "$f has $n lines (ceiling 800)"
done
grep -ln 'sqlite3_' ingest/*.[ch] report/*.[ch] tools/*.[ch] 2>/dev/null |
	while read -r f; do echo "lint: $f calls SQLite outside schema/" >&2; done
grep -l 'sqlite3_' ingest/*.[ch] report/*.[ch] tools/*.[ch] >/dev/null 2>&1 && bad=1
if grep -nE 'XML_PARSE_(NOENT|DTDLOAD|DTDATTR|DTDVALID|XINCLUDE|HUGE)' \
    schema/*.[ch] ingest/*.[ch] report/*.[ch] | grep -v '^[^:]*:[0-9]*:\s*\*' |
    grep -v '/\*.*XML_PARSE' >/dev/null; then
	no "dangerous libxml2 parser option used"
fi
grep -n 'xmlSubstituteEntitiesDefault\|xmlXIncludeProcess' schema/*.c ingest/*.c report/*.c >/dev/null && no "entity substitution or XInclude called"
grep -ln '#include "report/' ingest/*.[ch] >/dev/null 2>&1 && no "ingest/ includes report/"
grep -n '#include "ingest/' report/*.[ch] | grep -v 'ingest/verify.h"' >/dev/null 2>&1 && no "report/ includes ingest/ (only ingest/verify.h is allowed)"
grep -nE '\b(strcpy|sprintf|strtok|gmtime|atoi|inet_aton)\s*\(' schema/*.c ingest/*.c report/*.c >/dev/null && no "banned function used: $(grep -nE '\b(strcpy|sprintf|strtok|gmtime|atoi|inet_aton)\s*\(' schema/*.c ingest/*.c report/*.c | head -3)"
grep -n 'g_autoptr\|g_autofree' schema/*.c ingest/*.c report/*.c >/dev/null && no "g_autoptr/g_autofree (use done: labels)"
[ $bad -eq 0 ] || exit 1
echo "1 passed, 0 failed"
