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

/* Register csum(x), the exact saturating sum (store_csum.c). */
bool ds_db_sqlite_register_csum(sqlite3 *h);

/* The SQLite handle of db, or NULL when db is another back end. */
sqlite3 *ds_db_sqlite_handle(struct ds_db *db);

#endif
