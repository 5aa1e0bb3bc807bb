/*
 * store_sql.h - the SQL fragments the store's queries share, written
 * once: the period and pass tests of the reporter queries (senders,
 * summary, doctor), and the few texts where SQLite's and PostgreSQL's
 * dialects differ, as pairs of macros a statement macro takes as its
 * parameter so that both texts stay compile-time constants:
 *
 *   #define SQL_X(EACH) "SELECT ... FROM record c," EACH("c.dkim_auth", "j")
 *   static const char *const sql_x[2] = { SQL_X(DS_SQL_EACH),
 *       SQL_X(DS_SQL_EACH_PG) };
 *   ... sql_x[DS_SQL_PG(st)] ...
 *
 * Never included outside schema/store/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_SQL_H
#define DS_STORE_SQL_H

/* Index of the dialect's text in a { SQLite, PostgreSQL } pair. */
#define DS_SQL_PG(st) (ds_db_kind((st)->db) == DS_DB_PG)

/*
 * The midpoint of a report's date range over the report table as t. It
 * is spelled exactly as in the expression indexes report_domain_mid and
 * report_mid (004-reporter.sql), so a period test is an index range
 * search.
 */
#define DS_SQL_MID(t) "((" t ".begin_ts + " t ".end_ts) / 2)"
/* The period test: the midpoint in [?2, ?3). */
#define DS_SQL_PERIOD(t) " " DS_SQL_MID(t) " >= ?2 AND " DS_SQL_MID(t) " < ?3"
/*
 * The same period test on a record row c (019-partition.sql: mid_ts is
 * its report's midpoint): on PostgreSQL the planner leaves out the
 * record partitions of other months.
 */
#define DS_SQL_REC_PERIOD(c) " " c ".mid_ts >= ?2 AND " c ".mid_ts < ?3"
/*
 * DMARC pass (RFC 7489 §4.2) of a record row c: aligned DKIM or SPF.
 * The parser stores the known values in lower case (aggregate_fields.c
 * set_enum), so no lower() is needed.
 */
#define DS_SQL_PASS(c) "(" c ".dkim = 'pass' OR " c ".spf = 'pass')"

/*
 * The elements of the JSON array in column col, as a FROM item alias
 * whose column "value" is a JSON value (j.value ->> 'key' reads a member
 * in both dialects) and "key" orders them.
 */
#define DS_SQL_EACH(col, alias) " json_each(" col ") AS " alias
#define DS_SQL_EACH_PG(col, alias) " jsonb_array_elements(CAST(" col \
    " AS jsonb)) WITH ORDINALITY AS " alias " (value, key)"
/* The same for an array of strings: "value" is text. */
#define DS_SQL_EACH_TEXT(col, alias) DS_SQL_EACH(col, alias)
#define DS_SQL_EACH_TEXT_PG(col, alias) " jsonb_array_elements_text(CAST(" \
    col " AS jsonb)) WITH ORDINALITY AS " alias " (value, key)"

/* s occurs in x. */
#define DS_SQL_CONTAINS(x, s) "instr(" x ", " s ") > 0"
#define DS_SQL_CONTAINS_PG(x, s) "strpos(" x ", " s ") > 0"

/* The distinct non-NULL values of x joined with sep. */
#define DS_SQL_JOIN_DISTINCT(x) "group_concat(DISTINCT " x ")"
#define DS_SQL_JOIN_DISTINCT_PG(x) "string_agg(DISTINCT " x ", ',')"

/* 1 when the table named name (a literal) exists, else 0. */
#define DS_SQL_HAS_TABLE(name) "SELECT count(*) FROM sqlite_schema" \
    " WHERE type = 'table' AND name = " name
#define DS_SQL_HAS_TABLE_PG(name) "SELECT count(*)" \
    " FROM information_schema.tables" \
    " WHERE table_schema = current_schema() AND table_name = " name

#endif
