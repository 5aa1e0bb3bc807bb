/*
 * store_copy.h - copy one store into another (SQLite -> PostgreSQL and
 * back) for `dmarcsift migrate-store`: resumable, nothing twice, counts
 * checked at the end.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_COPY_H
#define DS_STORE_COPY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

/* Called after each batch: table, rows of it copied so far, its total. */
typedef void (*ds_copy_progress_cb)(const char *table, int64_t done,
    int64_t total, void *payload);

/* One table's outcome. */
struct ds_copy_count {
	const char *table;	/* static */
	int64_t source;		/* rows in the source */
	int64_t target;		/* rows in the target after the copy */
	int64_t copied;		/* rows this run inserted */
};

/*
 * Copy every table of from into to, both open and migrated to the same
 * schema version, in batches of one transaction each, keeping the row
 * ids (foreign keys stay right). Rows already in to (a run that stopped
 * half way) are kept and not copied again; a rerun continues where the
 * last committed batch ended. The source must not change meanwhile
 * (stop ingest and poll). *counts (caller g_array_free()s) gets one
 * ds_copy_count per table. Fails with DS_ERROR_DB, or DS_ERROR_USAGE
 * when the versions differ or a table's counts differ at the end (the
 * target held rows of another store).
 */
bool ds_store_copy(struct ds_store *from, struct ds_store *to,
    ds_copy_progress_cb cb, void *payload, GArray **counts, GError **err);

/* The i-th table ds_store_copy() copies, NULL past the last (tests). */
const char *ds_store_copy_table(size_t i);

#endif
