/*
 * db.c - pick the database back end for a --db target, and the helpers
 * every back end shares.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/db.h"

/*
 * PostgreSQL for "postgresql://" and "postgres://" URIs (libpq's own
 * prefixes), SQLite for everything else: a path, ":memory:".
 */
const struct ds_db_ops *
ds_db_ops_for(const char *target)
{
	if (g_str_has_prefix(target, "postgresql://") ||
	    g_str_has_prefix(target, "postgres://"))
		return &ds_db_pg_ops;
	return &ds_db_sqlite_ops;
}

struct ds_db *
ds_db_open(const char *target, unsigned flags, GError **err)
{
	return ds_db_ops_for(target)->open(target, flags, err);
}

bool
ds_dbq_run(struct ds_dbq *q, GError **err)
{
	enum ds_db_step rc;

	while ((rc = ds_dbq_step(q, err)) == DS_DB_ROW)
		;
	ds_dbq_reset(q);
	return rc == DS_DB_DONE;
}
