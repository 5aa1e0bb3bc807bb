/*
 * db_pg_none.c - the PostgreSQL entry of the driver table in a build
 * without libpq: every --db postgresql:// target gets a clear error.
 * SPDX-License-Identifier: MIT
 */
#include "schema/util/error.h"
#include "schema/store/db.h"

static struct ds_db *
none_open(const char *target, unsigned flags, GError **err)
{
	(void)target;
	(void)flags;
	ds_fail(err, DS_ERROR_USAGE, "this dmarcsift was built without "
	    "PostgreSQL support (libpq)");
	return NULL;
}

const struct ds_db_ops ds_db_pg_ops = {
	.name = "postgresql",
	.kind = DS_DB_PG,
	.open = none_open,
};
