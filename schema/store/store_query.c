/*
 * store_query.c - read the store for report/: report listings, counts.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: filters are bound parameters; the optional domain filter
 * picks one of two constant statements instead of building SQL.
 */

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

#define REPORT_COLS \
    "SELECT id, org_name, report_id, domain, format, email, source," \
    " begin_ts, end_ts, records, messages, warnings, p FROM report"

/*
 * Uses report_domain_time; ORDER BY follows the index. An open upper
 * bound (INT64_MAX) matches every begin, 2^63-1 included: reports lists
 * everything stored, whatever its dates (issue 13).
 */
static const char sql_reports_domain[] = REPORT_COLS
    " WHERE domain = ?1 AND end_ts >= ?2"
    " AND (begin_ts < ?3 OR ?3 = 9223372036854775807)"
    " ORDER BY begin_ts, end_ts, id LIMIT ?4";

static const char sql_reports_all[] = REPORT_COLS
    " WHERE end_ts >= ?2 AND (begin_ts < ?3 OR ?3 = 9223372036854775807)"
    " ORDER BY begin_ts, end_ts, id LIMIT ?4";

/* Set q to match everything: no domain, no time bounds, no limit. */
void
ds_query_init(struct ds_query *q)
{
	q->domain = NULL;
	q->since = INT64_MIN;
	q->until = INT64_MAX;
	q->limit = 0;
}

static char *
col_dup(struct ds_dbq *s, int i)
{
	return g_strdup(ds_dbq_text(s, i));
}

static void
row_fill(struct ds_report_row *r, struct ds_dbq *s)
{
	r->id = ds_dbq_int64(s, 0);
	r->org_name = col_dup(s, 1);
	r->report_id = col_dup(s, 2);
	r->domain = col_dup(s, 3);
	r->format = col_dup(s, 4);
	r->email = col_dup(s, 5);
	r->source = col_dup(s, 6);
	r->begin = ds_dbq_int64(s, 7);
	r->end = ds_dbq_int64(s, 8);
	r->records = ds_dbq_int64(s, 9);
	r->messages = ds_dbq_int64(s, 10);
	r->warnings_json = col_dup(s, 11);
	r->policy_p = col_dup(s, 12);
}

static void
row_clear(struct ds_report_row *r)
{
	g_free(r->org_name);
	g_free(r->report_id);
	g_free(r->domain);
	g_free(r->format);
	g_free(r->email);
	g_free(r->source);
	g_free(r->warnings_json);
	g_free(r->policy_p);
}

/*
 * See store.h. Reports are ordered by begin, end, then row id. The row
 * and its strings are valid only during the cb call; when cb returns
 * false the walk stops and this returns true. The domain matches without
 * ASCII case. DS_ERROR_DB.
 */
bool
ds_store_reports_each(struct ds_store *st, const struct ds_query *q,
    ds_report_row_cb cb, void *payload, GError **err)
{
	struct ds_report_row row;
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	if ((s = ds_db_prepare(st->db, q->domain ? sql_reports_domain :
	    sql_reports_all, err)) == NULL) {
		ds_store_fail(st, err, "prepare report listing");
		goto done;
	}
	if (q->domain)
		ds_dbq_bind_text(s, 1, q->domain, -1);
	ds_dbq_bind_int64(s, 2, q->since);
	ds_dbq_bind_int64(s, 3, q->until);
	ds_dbq_bind_int64(s, 4, q->limit ? (int64_t)q->limit :
	    INT64_MAX);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		row_fill(&row, s);
		ok = cb(&row, payload);
		row_clear(&row);
		if (!ok)
			break;
	}
	if (rc != DS_DB_ROW && rc != DS_DB_DONE) {
		ds_store_fail(st, err, "list reports");
		ok = false;
		goto done;
	}
	ok = true;
done:
	ds_dbq_finalize(s);
	return ok;
}

static const char *const sql_has_failures[2] = {
	DS_SQL_HAS_TABLE("'failure_report'"),
	DS_SQL_HAS_TABLE_PG("'failure_report'")
};

/* One integer from a constant query; false with err on failure. */
static bool
count_one(struct ds_store *st, const char *sql, int64_t *out, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;

	if ((s = ds_db_prepare(st->db, sql, err)) != NULL &&
	    ds_dbq_step(s, err) == DS_DB_ROW) {
		*out = ds_dbq_int64(s, 0);
		ok = true;
	} else {
		ds_store_fail(st, err, "count");
	}
	ds_dbq_finalize(s);
	return ok;
}

/*
 * See store.h. reports and records count the rows of report and record
 * (records is the sum of report.records, kept by report_finish, so it
 * costs no scan of a large record table), messages the raw inputs seen
 * (message rows), quarantined the quarantine rows, failures the rows of
 * failure_report when that table exists (else 0). DS_ERROR_DB.
 */
bool
ds_store_counts(struct ds_store *st, struct ds_store_counts *out,
    GError **err)
{
	int64_t has_failures = 0;

	*out = (struct ds_store_counts){ 0 };
	if (!count_one(st, "SELECT count(*) FROM report", &out->reports,
	    err) ||
	    !count_one(st, "SELECT coalesce(csum(records), 0) FROM report",
	    &out->records, err) ||
	    !count_one(st, "SELECT count(*) FROM message", &out->messages,
	    err) ||
	    !count_one(st, "SELECT count(*) FROM quarantine",
	    &out->quarantined, err) ||
	    !count_one(st, sql_has_failures[DS_SQL_PG(st)], &has_failures,
	    err))
		return false;
	if (has_failures &&
	    !count_one(st, "SELECT count(*) FROM failure_report",
	    &out->failures, err))
		return false;
	return true;
}
