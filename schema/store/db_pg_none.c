/*
 * db_pg_none.c - the PostgreSQL entry of the driver table in a build
 * without libpq: every --db postgresql:// target gets a clear error.
 * SPDX-License-Identifier: MIT
 *
 * With libpq (DS_HAVE_LIBPQ) db_pg.c defines ds_db_pg_ops instead.
 */
#ifndef DS_HAVE_LIBPQ
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
#endif /* !DS_HAVE_LIBPQ */
