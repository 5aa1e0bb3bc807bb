/*
 * store_part.h - the month partitions of the PostgreSQL store
 * (sql-pg/019-partition.sql): which tables are partitioned, on which
 * column, and the calls that make a month's partition before an insert
 * needs it. On SQLite every call here succeeds doing nothing. Never
 * included outside schema/store/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_PART_H
#define DS_STORE_PART_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ds_store;

/* A table partitioned by UTC month of a bigint of Unix seconds. */
struct ds_part_table {
	const char *table;
	const char *col;
};

/*
 * The partitioned tables, NULL-terminated. A new rollup table keyed by
 * a day or a time is registered with one line in store_part.c (its
 * migration creates it PARTITION BY RANGE (col) with a TABLE_default
 * partition, as sql-pg/019 does for day_rollup).
 */
extern const struct ds_part_table ds_part_tables[];

/*
 * Make sure table has the partition of the months of [lo, hi] (at most
 * DS_PART_SPAN_MAX months from lo; rows of later months wait in the
 * default partition), inside the caller's transaction. DS_ERROR_DB.
 */
bool ds_store_part_ensure(struct ds_store *st, const char *table,
    int64_t lo, int64_t hi, GError **err);
#define DS_PART_SPAN_MAX 36

/*
 * Before the records of a new report [begin, end] go in: the record
 * partition of its midpoint, the rollup partitions of the days the
 * report counts on (015-rollup.sql's day rule). DS_ERROR_DB.
 */
bool ds_store_part_report(struct ds_store *st, int64_t begin, int64_t end,
    GError **err);

/*
 * The whole span [lo, hi] of table's key column in src, made into
 * partitions of table in st (migrate-store, before a copy into
 * PostgreSQL). DS_ERROR_DB.
 */
bool ds_store_part_like(struct ds_store *st, struct ds_store *src,
    const char *table, GError **err);

#endif
