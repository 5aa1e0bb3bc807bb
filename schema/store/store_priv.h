/*
 * store_priv.h - what the store_*.c files share; never included outside
 * schema/store*.c and schema/store/migrate.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_PRIV_H
#define DS_STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include <sqlite3.h>

#include "schema/store/store.h"

/*
 * SQLITE_LIMIT_LENGTH: just above the 256 MiB default message cap, so a
 * quarantined message fits and nothing much larger can be bound.
 */
#define DS_STORE_MAX_LENGTH ((256 + 1) * 1024 * 1024)

/* Slots of the prepared statements cached for the hot paths. */
enum ds_stmt {
	DS_STMT_BEGIN,
	DS_STMT_COMMIT,
	DS_STMT_SAVEPOINT,
	DS_STMT_RELEASE,
	DS_STMT_ROLLBACK_TO,
	DS_STMT_REPORT_INSERT,
	DS_STMT_REPORT_FIND,
	DS_STMT_REPORT_FINISH,
	DS_STMT_RECORD_INSERT,
	DS_STMT_SEEN_PUT,		/* sender_seen rollup */
	DS_STMT_MESSAGE_PUT,
	DS_STMT_MESSAGE_DONE,
	DS_STMT_QUARANTINE_PUT,
	DS_STMT_IPINFO_GET,		/* store_ipinfo.c */
	DS_STMT_IPINFO_PUT,
	DS_STMT_COUNT
};

struct ds_store {
	sqlite3 *db;
	char *path;			/* as opened */
	int lock_fd;			/* on "<path>.lock", or -1 */
	unsigned depth;			/* open savepoints */
	sqlite3_stmt *stmt[DS_STMT_COUNT]; /* lazily prepared, reused */
	GString *json[3];		/* scratch for record_put */
	struct ds_db *dbw;		/* ds_store_db(): db.h over db */
	bool readonly;			/* ds_store_open_readonly() */
};

/* The newest schema version this binary's migrations reach. */
int ds_store_schema_latest(void);
/* Fail (DS_ERROR_PERMANENT) for a schema newer than latest; false. */
bool ds_store_too_new(struct ds_store *st, int have, int latest,
    GError **err);

/*
 * The connection settings both opens share (defensive, limits, busy,
 * the csum() function). False with err set when csum cannot be added.
 */
bool ds_store_settings(struct ds_store *st, GError **err);

/*
 * The DS_ERROR code for SQLite's result rc: DS_ERROR_PERMANENT for what
 * fails the same way next time (not a database, corrupt, read-only,
 * cannot open), DS_ERROR_DB (exit 75, retry) for the rest (locked,
 * busy, disk full, I/O).
 */
int ds_store_error_code(int rc);

/*
 * The store's connection as a struct ds_db (db.h), for store files
 * written against the driver ops table (store_conflict.c); made at
 * the first call, borrowed from st. Once the store holds a struct
 * ds_db itself (branch seam) this returns it.
 */
struct ds_db *ds_store_db(struct ds_store *st);

/*
 * The cached statement of slot id, prepared from sql on first use, reset
 * and with its bindings cleared. Borrowed from st. NULL with err set
 * (DS_ERROR_DB) when it cannot be prepared.
 */
sqlite3_stmt *ds_store_stmt(struct ds_store *st, enum ds_stmt id,
    const char *sql, GError **err);

/*
 * Set err to "database '<path>': <what>: <sqlite message>" and return
 * false; the code is ds_store_error_code() of the last SQLite error.
 * what is printf-style; attacker text in it must be ds_quote()d.
 */
bool ds_store_fail(struct ds_store *st, GError **err, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/*
 * Run sql (no parameters, our own text only) with sqlite3_exec. what
 * names it in the error (DS_ERROR_DB).
 */
bool ds_store_exec(struct ds_store *st, const char *sql, const char *what,
    GError **err);

/* Step a statement that returns no row; reset it. DS_ERROR_DB. */
bool ds_store_step_done(struct ds_store *st, sqlite3_stmt *s,
    const char *what, GError **err);

/* Now in Unix seconds. */
int64_t ds_store_now(void);

/*
 * Bring the schema to the newest embedded migration (migrate.c).
 * DS_ERROR_DB when a migration fails or the database is newer than
 * this program.
 */
bool ds_store_migrate(struct ds_store *st, GError **err);

/*
 * Register csum(x) on db: the exact, saturating sum of counts
 * (store_csum.c). Every count total in the store's SQL uses it.
 */
bool ds_db_sqlite_register_csum(sqlite3 *db);

#endif
