#!/bin/sh
# t_schema_same.sh - the PostgreSQL migrations (schema/store/sql-pg/)
# give the same schema as the SQLite ones (schema/store/sql/): the same
# migration numbers, tables, columns (name, type class, NOT NULL,
# primary key) and named indexes, after applying every migration in
# order on a real SQLite file and a real PostgreSQL 15 server.
#
# Type classes: SQLite INTEGER = bigint, TEXT = text or citext (COLLATE
# NOCASE), BLOB = bytea, REAL = double precision. Documented
# differences (none may appear elsewhere):
#   ds_schema_version  PostgreSQL only: the driver's version table
#                      (SQLite keeps PRAGMA user_version)
#   partitions         PostgreSQL only: record and day_rollup are
#                      partitioned by month (sql-pg/019); their
#                      partitions (TABLE_pYYYYMM, TABLE_default) are
#                      left out, the partitioned tables compared
#   record's key       PostgreSQL: PRIMARY KEY (id, mid_ts), as a
#                      partitioned table's key must hold its partition
#                      key; compared as SQLite's (id)
# SPDX-License-Identifier: MIT
set -u
: "${DS_SRC:?}"
command -v sqlite3 >/dev/null || { echo "sqlite3 missing" >&2; exit 77; }
command -v psql >/dev/null || { echo "psql missing" >&2; exit 77; }
T=$(mktemp -d)
trap 'sh "$DS_SRC/tests/pg/pgserver.sh" stop "$T/pg"; rm -rf "$T"' EXIT
URI=$(sh "$DS_SRC/tests/pg/pgserver.sh" start "$T/pg")
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -eq 0 ] || { echo "FAIL: no PostgreSQL server" >&2; exit 1; }
fail=0

# the same migration numbers on both sides
ls "$DS_SRC/schema/store/sql" | grep -E '^[0-9]{3}-.*\.sql$' >"$T/lite.files"
ls "$DS_SRC/schema/store/sql-pg" | grep -E '^[0-9]{3}-.*\.sql$' >"$T/pg.files"
if ! diff -u "$T/lite.files" "$T/pg.files"; then
	echo "FAIL: sql/ and sql-pg/ have different migrations" >&2
	fail=1
fi

# SQLite through dmarcsift itself: its migrations call csum(), a
# function only dmarcsift's connection defines
"${DS_BIN:-$DS_BUILD/dmarcsift}" prune -n --samples-older-than 1d \
    --db "$T/lite.db" >/dev/null 2>&1 ||
	{ echo "FAIL: SQLite migrations" >&2; exit 1; }
for f in $(cat "$T/pg.files"); do
	psql -X -q -v ON_ERROR_STOP=1 -1 -d "$URI" \
		-f "$DS_SRC/schema/store/sql-pg/$f" >/dev/null ||
		{ echo "FAIL: PostgreSQL migration $f" >&2; exit 1; }
done

# table|column|class|notnull|pk, sorted
sqlite3 -separator '|' "$T/lite.db" "
SELECT m.name, c.name,
    CASE upper(c.type) WHEN 'INTEGER' THEN 'int' WHEN 'TEXT' THEN 'text'
        WHEN 'BLOB' THEN 'blob' WHEN 'REAL' THEN 'real' ELSE c.type END,
    CASE WHEN c.[notnull] OR c.pk > 0 THEN 1 ELSE 0 END,
    CASE WHEN c.pk > 0 THEN 1 ELSE 0 END
FROM sqlite_master AS m, pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
" | LC_ALL=C sort >"$T/lite.cols"
psql -X -q -At -F '|' -d "$URI" -c "
SELECT c.table_name, c.column_name,
    CASE WHEN c.data_type IN ('bigint', 'integer', 'smallint') THEN 'int'
        WHEN c.data_type = 'text' OR c.udt_name = 'citext' THEN 'text'
        WHEN c.data_type = 'bytea' THEN 'blob'
        WHEN c.data_type = 'double precision' THEN 'real'
        ELSE c.data_type END,
    CASE WHEN c.is_nullable = 'NO' THEN 1 ELSE 0 END,
    CASE WHEN EXISTS (SELECT 1 FROM information_schema.key_column_usage k
        JOIN information_schema.table_constraints t
          ON t.constraint_name = k.constraint_name
         AND t.table_name = k.table_name
        WHERE t.constraint_type = 'PRIMARY KEY'
          AND k.table_name = c.table_name
          AND k.column_name = c.column_name) THEN 1 ELSE 0 END
FROM information_schema.columns AS c
WHERE c.table_schema = 'public' AND c.table_name <> 'ds_schema_version'
    AND c.table_name IN (SELECT table_name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE')
    AND c.table_name NOT IN (SELECT relname FROM pg_class
        WHERE relispartition)
" | sed 's/^record|mid_ts|int|1|1$/record|mid_ts|int|1|0/' |
	LC_ALL=C sort >"$T/pg.cols"
if ! diff -u "$T/lite.cols" "$T/pg.cols"; then
	echo "FAIL: the two schemas differ (- SQLite, + PostgreSQL)" >&2
	fail=1
fi
[ -s "$T/lite.cols" ] && [ "$(wc -l <"$T/lite.cols")" -gt 50 ] ||
	{ echo "FAIL: too few columns read" >&2; fail=1; }

# the named indexes the reporter relies on, on both sides
sqlite3 "$T/lite.db" "SELECT tbl_name || '|' || name FROM sqlite_master
WHERE type = 'index' AND sql IS NOT NULL " | LC_ALL=C sort >"$T/lite.idx"
psql -X -q -At -d "$URI" -c "SELECT tablename || '|' || indexname
FROM pg_indexes WHERE schemaname = 'public'
AND indexname NOT LIKE '%\\_pkey' AND indexname NOT LIKE '%\\_key'
AND tablename NOT IN (SELECT relname FROM pg_class WHERE relispartition)
" | LC_ALL=C sort >"$T/pg.idx"
if ! diff -u "$T/lite.idx" "$T/pg.idx"; then
	echo "FAIL: the indexes differ (- SQLite, + PostgreSQL)" >&2
	fail=1
fi

# unique constraints (exactly-once keys): the same column lists
sqlite3 -separator '|' "$T/lite.db" "
SELECT m.name, (SELECT group_concat(name, ',') FROM
    (SELECT ii.name FROM pragma_index_info(il.name) AS ii ORDER BY ii.seqno))
FROM sqlite_master AS m, pragma_index_list(m.name) AS il
WHERE m.type = 'table' AND il.[unique] AND il.origin IN ('u', 'pk')
ORDER BY 1, 2" >"$T/lite.uniq"
psql -X -q -At -F '|' -d "$URI" -c "
SELECT t.relname, (SELECT string_agg(a.attname, ',' ORDER BY k.n)
    FROM unnest(c.conkey) WITH ORDINALITY AS k(att, n)
    JOIN pg_attribute AS a ON a.attrelid = c.conrelid AND a.attnum = k.att)
FROM pg_constraint AS c JOIN pg_class AS t ON t.oid = c.conrelid
JOIN pg_namespace AS ns ON ns.oid = t.relnamespace
WHERE ns.nspname = 'public' AND c.contype IN ('u', 'p')
AND t.relname <> 'ds_schema_version' AND NOT t.relispartition" |
	sed 's/^record|id,mid_ts$/record|id/' >"$T/pg.uniq"
# SQLite lists an INTEGER PRIMARY KEY (the rowid) as no index: add them
sqlite3 -separator '|' "$T/lite.db" "
SELECT m.name, c.name FROM sqlite_master AS m, pragma_table_info(m.name) AS c
WHERE m.type = 'table' AND c.pk = 1 AND upper(c.type) = 'INTEGER'
AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1
AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) WHERE origin = 'pk')" \
	>>"$T/lite.uniq"
LC_ALL=C sort -o "$T/lite.uniq" "$T/lite.uniq"
LC_ALL=C sort -o "$T/pg.uniq" "$T/pg.uniq"
if ! diff -u "$T/lite.uniq" "$T/pg.uniq"; then
	echo "FAIL: the unique keys differ (- SQLite, + PostgreSQL)" >&2
	fail=1
fi
[ $fail -eq 0 ] && echo "ok: $(wc -l <"$T/lite.cols") columns," \
	"$(wc -l <"$T/lite.idx") indexes, $(wc -l <"$T/lite.uniq") unique keys alike"
exit $fail
