/*
 * store_prune_raw.c - retention of raw records (store_prune.h): the
 * record rows of reports that ended before a cut-off go; the reports,
 * their totals and the rollups (sender_seen, day_rollup, day_ip,
 * day_auth) stay, and the cut-off is kept in retention so that the
 * detail commands can say what is gone.
 * SPDX-License-Identifier: MIT
 *
 * Written on the database driver (db.h), plain SQL for both back ends.
 * THREATS #11: the cut-off is bound.
 */
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
