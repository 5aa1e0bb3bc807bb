/*
 * store_perip.c - the period of the rollups (store_perip.h), bound once
 * for every reporter query that reads them.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_perip.h"

#define NOON 43200
/* a report's midpoint and any day it has rows on: at most this apart */
#define SLACK (33 * 86400)

/* t + d, saturating */
static int64_t
add_sat(int64_t t, int64_t d)
{
	int64_t r;

	if (__builtin_add_overflow(t, d, &r))
		return d < 0 ? INT64_MIN : INT64_MAX;
	return r;
}

/* See store_perip.h. */
bool
ds_roll_prepare(struct ds_store *st, const char *sql,
    const struct ds_query *q, struct ds_dbq **out, GError **err)
{
	struct ds_dbq *s;

	*out = NULL;
	if ((s = ds_store_prepare(st, sql, "prepare reporter query",
	    err)) == NULL)
		return false;
	if (q->domain != NULL)
		ds_dbq_bind_text(s, 1, q->domain, -1);
	ds_dbq_bind_int64(s, 2, q->since == INT64_MIN ? INT64_MIN :
	    add_sat(q->since, -NOON));
	ds_dbq_bind_int64(s, 3, q->until == INT64_MAX ? INT64_MAX :
	    add_sat(q->until, -NOON));
	if (strstr(sql, "?4") != NULL) {
		ds_dbq_bind_int64(s, 4, add_sat(q->since, -SLACK));
		ds_dbq_bind_int64(s, 5, add_sat(q->until, SLACK));
	}
	*out = s;
	return true;
}
