/*
 * store_prune_raw.c - retention of raw records (store_prune.h): the
 * record rows of reports that ended before a cut-off go; the reports,
 * their totals and the rollups (sender_seen, day_rollup, day_ip,
 * day_auth) stay, and the cut-off is kept in retention so that the
 * detail commands can say what is gone.
 * SPDX-License-Identifier: MIT
 *
 * Written on the database driver (db.h), plain SQL for both back ends.
 * On PostgreSQL the record partitions that lie wholly before the cut-off
 * (sql-pg/019-partition.sql: every report of their months ended before
 * it) are dropped whole first; the rows of the boundary month and of
 * the default partition go row by row, as on SQLite. Same answers on
 * both. THREATS #11: the cut-off is bound; a partition name is spliced
 * only after it matched record_pYYYYMM.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_prune.h"

static const char sql_count[] =
    "SELECT count(*), count(DISTINCT rec.report_row) FROM report AS rep"
    " JOIN record AS rec ON rec.report_row = rep.id WHERE rep.end_ts < ?1";
static const char sql_delete[] =
    "DELETE FROM record WHERE report_row IN"
    " (SELECT id FROM report WHERE end_ts < ?1)";
static const char sql_parts[] =
    "SELECT name, lo, hi FROM ds_month_partitions('record') WHERE hi <= ?1";
/* a report of the month [?1, ?2) that ends at or after the cut-off */
static const char sql_straddle[] =
    "SELECT count(*) FROM (SELECT 1 FROM report WHERE"
    " (begin_ts + end_ts) / 2 >= ?1 AND (begin_ts + end_ts) / 2 < ?2"
    " AND end_ts >= ?3 LIMIT 1) AS x";
static const char sql_mark[] =
    "INSERT INTO retention (what, before_ts) VALUES ('raw', ?1)"
    " ON CONFLICT (what) DO UPDATE SET before_ts = CASE WHEN"
    " excluded.before_ts > retention.before_ts THEN excluded.before_ts"
    " ELSE retention.before_ts END";
/* [0] raw records, [1] the per-IP rollups' gap (018-perip.sql) */
static const char *const sql_get[2] = {
	"SELECT before_ts FROM retention WHERE what = 'raw'",
	"SELECT before_ts FROM retention WHERE what = 'perip'",
};

/* Prepare sql, bind ?1 = t when t_set, step once; the row's columns
 * into a and b when given. */
static bool
one(struct ds_db *db, const char *sql, int64_t t, bool t_set, int64_t *a,
    int64_t *b, bool *row, GError **err)
{
	struct ds_dbq *q = ds_db_prepare(db, sql, err);
	enum ds_db_step rc;

	if (q == NULL)
		return false;
	if (t_set)
		ds_dbq_bind_int64(q, 1, t);
	rc = ds_dbq_step(q, err);
	if (rc == DS_DB_ROW) {
		if (a != NULL)
			*a = ds_dbq_int64(q, 0);
		if (b != NULL)
			*b = ds_dbq_int64(q, 1);
	}
	if (row != NULL)
		*row = rc == DS_DB_ROW;
	ds_dbq_finalize(q);
	return rc != DS_DB_FAIL;
}

/* record_pYYYYMM, the only names drop_months() splices. */
static bool
month_name(const char *n)
{
	size_t i;

	if (n == NULL || strlen(n) != 14 || strncmp(n, "record_p", 8) != 0)
		return false;
	for (i = 8; i < 14; i++)
		if (n[i] < '0' || n[i] > '9')
			return false;
	return true;
}

/*
 * PostgreSQL: drop each record partition whose month ends by the
 * cut-off and whose reports all ended before it.
 */
static bool
drop_months(struct ds_db *db, int64_t before, GError **err)
{
	struct ds_dbq *q = ds_db_prepare(db, sql_parts, err);
	GPtrArray *drop = g_ptr_array_new_with_free_func(g_free);
	enum ds_db_step rc = DS_DB_FAIL;
	int64_t n;
	char *sql;
	guint i;
	bool ok;

	if (q != NULL) {
		ds_dbq_bind_int64(q, 1, before);
		while ((rc = ds_dbq_step(q, err)) == DS_DB_ROW)
			if (month_name(ds_dbq_text(q, 0)))
				g_ptr_array_add(drop, g_strdup_printf("%s %"
				    G_GINT64_FORMAT " %" G_GINT64_FORMAT,
				    ds_dbq_text(q, 0), ds_dbq_int64(q, 1),
				    ds_dbq_int64(q, 2)));
	}
	ds_dbq_finalize(q);
	ok = rc == DS_DB_DONE;
	for (i = 0; ok && i < drop->len; i++) {
		char **w = g_strsplit(drop->pdata[i], " ", 3);
		struct ds_dbq *s = ds_db_prepare(db, sql_straddle, err);

		ok = s != NULL;
		if (ok) {
			ds_dbq_bind_int64(s, 1, g_ascii_strtoll(w[1], NULL, 10));
			ds_dbq_bind_int64(s, 2, g_ascii_strtoll(w[2], NULL, 10));
			ds_dbq_bind_int64(s, 3, before);
			ok = ds_dbq_step(s, err) == DS_DB_ROW;
			n = ok ? ds_dbq_int64(s, 0) : 1;
		}
		ds_dbq_finalize(s);
		if (ok && n == 0) {
			sql = g_strdup_printf("DROP TABLE %s", w[0]);
			ok = ds_db_exec(db, sql, err);
			g_free(sql);
		}
		g_strfreev(w);
	}
	g_ptr_array_free(drop, TRUE);
	return ok;
}

/* See store_prune.h. */
bool
ds_store_prune_raw(struct ds_store *st, int64_t before, bool dry_run,
    int64_t *records, int64_t *reports, GError **err)
{
	struct ds_db *db = st->db;

	if (!one(db, sql_count, before, true, records, reports, NULL, err))
		return false;
	if (dry_run)
		return true;
	if (ds_db_kind(db) == DS_DB_PG && !drop_months(db, before, err))
		return false;
	return one(db, sql_delete, before, true, NULL, NULL, NULL, err) &&
	    one(db, sql_mark, before, true, NULL, NULL, NULL, err);
}

/* The cut-off of what (index in sql_get), INT64_MIN when none. */
static bool
mark(struct ds_store *st, int what, int64_t *out, GError **err)
{
	bool row = false;

	*out = INT64_MIN;
	if (!one(st->db, sql_get[what], 0, false, out, NULL, &row, err))
		return false;
	if (!row)
		*out = INT64_MIN;
	return true;
}

/* See store_prune.h. */
bool
ds_store_raw_pruned_before(struct ds_store *st, int64_t *out, GError **err)
{
	return mark(st, 0, out, err);
}

/* See store_prune.h. */
bool
ds_store_perip_missing_before(struct ds_store *st, int64_t *out,
    GError **err)
{
	return mark(st, 1, out, err);
}
