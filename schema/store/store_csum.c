/*
 * store_csum.c - csum(x), the SQL aggregate every count total of the
 * store uses (THREATS #14, #21). SQLite's sum() fails the whole query
 * with "integer overflow" past 2^63-1 and total() goes through a double
 * (2^62-1 comes back as 2^62); csum adds exactly with ds_count_add and
 * saturates at DS_COUNT_MAX, which the reporter prints as "N+".
 * SPDX-License-Identifier: MIT
 */
#include <sqlite3.h>

#include "schema/store/db_sqlite.h"
#include "schema/util/count.h"

struct csum {
	int64_t n;
};

static void
csum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct csum *c = sqlite3_aggregate_context(ctx, sizeof(*c));

	(void)argc;
	if (c == NULL || sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	(void)ds_count_add(&c->n, sqlite3_value_int64(argv[0]));
}

static void
csum_final(sqlite3_context *ctx)
{
	struct csum *c = sqlite3_aggregate_context(ctx, 0);

	sqlite3_result_int64(ctx, c ? c->n : 0);
}

bool
ds_db_sqlite_register_csum(sqlite3 *db)
{
	return sqlite3_create_function(db, "csum", 1,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, NULL,
	    csum_step, csum_final) == SQLITE_OK;
}
