#!/bin/sh
# dbname.sh PATH - the URI of the PostgreSQL database standing for the
# SQLite file PATH (one per absolute path), created when new; a target
# that already is a postgresql:// URI is kept. An empty file at PATH
# stands for the database, as SQLite's would: a test that deletes PATH
# (rm -f "$DB") gets a new, empty database at the next run.
# SPDX-License-Identifier: MIT
set -u
case $1 in
postgresql://* | postgres://*) echo "$1"; exit 0 ;;
esac
abs=$(realpath -m -- "$1")
name=t$(printf %s "$abs" | md5sum | cut -c1-24)
if [ -e "$DS_PG_STATE/$name" ] && [ ! -e "$abs" ]; then
	psql -X -q -d "$DS_PG_BASE/postgres" \
		-c "DROP DATABASE IF EXISTS $name WITH (FORCE)" >/dev/null 2>&1
	rm -f "$DS_PG_STATE/$name"
fi
if [ ! -e "$DS_PG_STATE/$name" ]; then
	psql -X -q -d "$DS_PG_BASE/postgres" -c "CREATE DATABASE $name" \
		>/dev/null 2>&1 || true
	printf '%s\n' "$abs" >"$DS_PG_STATE/$name"
	mkdir -p "$(dirname "$abs")" 2>/dev/null && : >"$abs"
fi
echo "$DS_PG_BASE/$name"
