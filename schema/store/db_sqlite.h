/*
 * db_sqlite.h - what the SQLite back end shares with its own helper
 * files (store_csum.c); never included outside schema/store/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_DB_SQLITE_H
#define DS_DB_SQLITE_H

#include <stdbool.h>
#include <sqlite3.h>

#include "schema/store/db.h"

/*
 * SQLITE_LIMIT_LENGTH: just above the 256 MiB default message cap, so a
 * quarantined message fits and nothing much larger can be bound.
 */
#define DS_DB_MAX_LENGTH ((256 + 1) * 1024 * 1024)

/* Register csum(x), the exact saturating sum (store_csum.c). */
bool ds_db_sqlite_register_csum(sqlite3 *h);

/* The SQLite handle of db, or NULL when db is another back end. */
sqlite3 *ds_db_sqlite_handle(struct ds_db *db);

/*
 * A ds_db over an open handle h owned by someone else (the store, until
 * it holds a struct ds_db itself): ds_db_close() frees the wrapper and
 * leaves h open. name is copied for messages.
 */
struct ds_db *ds_db_sqlite_wrap(sqlite3 *h, const char *name);

#endif
