/*
 * db_pg.h - what the PostgreSQL back end (db_pg.c) shares with its
 * helper file db_pg_sql.c and the tests; never included outside
 * schema/store/ and tests/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_DB_PG_H
#define DS_DB_PG_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

/*
 * sql with SQLite's ?N and bare ? parameters rewritten to $N outside
 * '...' literals, "..." identifiers, -- and / * * / comments; a bare ?
 * takes the largest number so far plus one, as in SQLite. "LIMIT ?N"
 * becomes "LIMIT CASE WHEN $N < 0 THEN NULL ELSE $N END" (a negative
 * LIMIT is none in SQLite) and "CROSS JOIN t ... ON" becomes "INNER JOIN". *nparams gets
 * the largest number used; *used (when not NULL, caller frees) says
 * for each number from 1 whether the text uses it (PostgreSQL cannot
 * type a parameter the text never mentions: the driver sends those as
 * text). Caller frees the result.
 */
char *ds_db_pg_rewrite(const char *sql, int *nparams, guint8 **used);

/* Whether sql is a query a cursor can read (SELECT, WITH, VALUES, TABLE). */
bool ds_db_pg_returns_rows(const char *sql);

/* The 64-bit advisory lock id of a lock name (NULL: the whole store). */
int64_t ds_db_pg_lock_id(const char *key);

/*
 * A target (URI or conninfo) for messages: postgresql://user@host:port/db
 * from libpq's own parse, never the password. Caller frees.
 */
char *ds_db_pg_name(const char *target);

#endif
