/*
 * store_part.c - month partitions on PostgreSQL (store_part.h,
 * sql-pg/019-partition.sql): the list of partitioned tables, and the
 * partitions made before an insert needs them.
 * SPDX-License-Identifier: MIT
 *
 * The work is ds_month_partition() on the server (019): one advisory
 * transaction lock per table, so several hosts can ask for the same
 * month at once; the second finds the first one's partition. A month
 * nobody asked for still takes its rows: TABLE_default. THREATS #11:
 * table and column names come from the constant list below, values
 * are bound.
 */
#include "schema/util/error.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_part.h"

/* migrate-store: at most this many months (a century) from the first */
#define LIKE_MONTHS_MAX 1200

const struct ds_part_table ds_part_tables[] = {
	{ "record", "mid_ts" },
	{ "day_rollup", "day" },
	{ NULL, NULL },
};

static const struct ds_part_table *
find(const char *table)
{
	const struct ds_part_table *p;

	for (p = ds_part_tables; p->table != NULL; p++)
		if (g_strcmp0(p->table, table) == 0)
			return p;
	return NULL;
}

/* The partition of t's month. */
static bool
one(struct ds_store *st, const struct ds_part_table *p, int64_t t,
    GError **err)
{
	struct ds_dbq *q = st->part;
	bool ok;

	if (q == NULL && (q = st->part = ds_db_prepare(st->db,
	    "SELECT ds_month_partition(?1, ?2, ?3)", err)) == NULL)
		return ds_store_fail(st, err, "partition of %s", p->table);
	ds_dbq_reset(q);
	ds_dbq_bind_text(q, 1, p->table, -1);
	ds_dbq_bind_text(q, 2, p->col, -1);
	ds_dbq_bind_int64(q, 3, t);
	ok = ds_dbq_step(q, err) == DS_DB_ROW;
	ds_dbq_reset(q);
	return ok ? true : ds_store_fail(st, err, "partition of %s",
	    p->table);
}

/* The first second of the UTC month after the one of t. */
static int64_t
next_month(int64_t t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t), *m, *n;
	int64_t r;

	if (d == NULL)
		return INT64_MAX;
	m = g_date_time_new_utc(g_date_time_get_year(d),
	    g_date_time_get_month(d), 1, 0, 0, 0);
	n = m ? g_date_time_add_months(m, 1) : NULL;
	r = n ? g_date_time_to_unix(n) : INT64_MAX;
	if (n)
		g_date_time_unref(n);
	if (m)
		g_date_time_unref(m);
	g_date_time_unref(d);
	return r;
}

/* See store_part.h. */
bool
ds_store_part_ensure(struct ds_store *st, const char *table, int64_t lo,
    int64_t hi, GError **err)
{
	const struct ds_part_table *p = find(table);
	int64_t t = lo;
	int n;

	if (ds_db_kind(st->db) != DS_DB_PG || p == NULL)
		return true;
	for (n = 0; n < DS_PART_SPAN_MAX && t <= hi; n++) {
		if (!one(st, p, t, err))
			return false;
		if ((t = next_month(t)) == INT64_MAX)
			break;
	}
	return true;
}

/* See store_part.h. The day rule: sql/015-rollup.sql. */
bool
ds_store_part_report(struct ds_store *st, int64_t begin, int64_t end,
    GError **err)
{
	int64_t mid;

	if (ds_db_kind(st->db) != DS_DB_PG)
		return true;
	/* (begin + end) / 2 as SQL computes it, truncated toward zero */
	mid = (int64_t)(((__int128)begin + end) / 2);
	if (!ds_store_part_ensure(st, "record", mid, mid, err))
		return false;
	if (end > begin && end - begin <= 2678400)
		return ds_store_part_ensure(st, "day_rollup", begin, end, err);
	return ds_store_part_ensure(st, "day_rollup", mid, mid, err);
}

/* min and max of col in src's table; false when it has no rows. */
static bool
span(struct ds_store *src, const struct ds_part_table *p, int64_t *lo,
    int64_t *hi, bool *any, GError **err)
{
	char *sql = g_strdup_printf("SELECT min(%s), max(%s) FROM %s",
	    p->col, p->col, p->table);
	struct ds_dbq *q = ds_db_prepare(src->db, sql, err);
	bool ok = false;

	g_free(sql);
	*any = false;
	if (q != NULL && ds_dbq_step(q, err) == DS_DB_ROW) {
		*any = !ds_dbq_null(q, 0);
		*lo = ds_dbq_int64(q, 0);
		*hi = ds_dbq_int64(q, 1);
		ok = true;
	}
	ds_dbq_finalize(q);
	return ok;
}

/* See store_part.h. */
bool
ds_store_part_like(struct ds_store *st, struct ds_store *src,
    const char *table, GError **err)
{
	const struct ds_part_table *p = find(table);
	int64_t lo, hi, t;
	bool any;
	int n;

	if (ds_db_kind(st->db) != DS_DB_PG || p == NULL)
		return true;
	if (!span(src, p, &lo, &hi, &any, err))
		return ds_store_fail(src, err, "span of %s", table);
	if (!any)
		return true;
	/* a long history: every month, not just DS_PART_SPAN_MAX */
	for (t = lo, n = 0; t <= hi && n < LIKE_MONTHS_MAX; t = next_month(t),
	    n++)
		if (!one(st, p, t, err))
			return false;
	return true;
}
