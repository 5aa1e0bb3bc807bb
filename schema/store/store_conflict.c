/*
 * store_conflict.c - conflicting versions of aggregate reports
 * (store_conflict.h, sql/017-conflict.sql), written against the driver
 * ops table (db.h) in SQL both SQLite and PostgreSQL accept.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11 (every value bound), #13 (never double-count: versions
 * are kept apart from report and record and never summed).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_conflict.h"
#include "schema/store/store_priv.h"

static const char sql_hash_set[] =
    "UPDATE report SET content_hash = ?2 WHERE id = ?1";

static const char sql_counted[] =
    "SELECT content_hash, records, messages FROM report WHERE id = ?1";

static const char sql_known[] =
    "SELECT records, messages FROM report_conflict"
    " WHERE report_row = ?1 AND content_hash = ?2";

static const char sql_keep[] =
    "INSERT INTO report_conflict (report_row, content_hash, records,"
    " messages, source, raw, ingested_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

#define CONFLICT_COLS \
    "SELECT c.id, r.id, r.org_name, r.report_id, r.domain, r.begin_ts," \
    " r.end_ts, r.records, r.messages, r.content_hash, c.records," \
    " c.messages, c.content_hash, c.source," \
    " CASE WHEN c.raw IS NULL THEN -1 ELSE length(c.raw) END," \
    " c.ingested_at" \
    " FROM report_conflict AS c JOIN report AS r ON r.id = c.report_row"

/*
 * The period rule of store_query.c; ?1 NULL: every domain (the casts
 * give PostgreSQL the parameter's type).
 */
static const char sql_each[] = CONFLICT_COLS
    " WHERE (CAST(?1 AS TEXT) IS NULL"
    " OR lower(r.domain) = lower(CAST(?1 AS TEXT)))"
    " AND r.end_ts >= ?2"
    " AND (r.begin_ts < ?3 OR ?3 = 9223372036854775807)"
    " ORDER BY r.begin_ts, r.end_ts, r.id, c.id";

bool
ds_store_report_hash_set(struct ds_store *st, int64_t row, const char *hash,
    GError **err)
{
	struct ds_dbq *q;
	bool ok;

	if ((q = ds_db_prepare(st->db, sql_hash_set, err)) == NULL)
		return false;
	ds_dbq_bind_int64(q, 1, row);
	ds_dbq_bind_text(q, 2, hash, -1);
	ok = ds_dbq_run(q, err);
	ds_dbq_finalize(q);
	if (!ok)
		g_prefix_error(err, "store content hash: ");
	return ok;
}

bool
ds_store_report_version(struct ds_store *st, int64_t row, const char *hash,
    uint64_t records, uint64_t messages, const char *source,
    const void *raw, size_t raw_len, bool *out_conflict,
    struct ds_report_version *out, GError **err)
{
	struct ds_db *db = st->db;
	struct ds_dbq *q = NULL;
	enum ds_db_step rc;
	char *counted = NULL;
	bool ok = false;

	*out_conflict = false;
	memset(out, 0, sizeof(*out));
	if (records > (uint64_t)INT64_MAX || messages > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_SCHEMA, "report totals too large");
	out->new_records = (int64_t)records;
	out->new_messages = (int64_t)messages;
	if ((q = ds_db_prepare(db, sql_counted, err)) == NULL)
		goto done;
	ds_dbq_bind_int64(q, 1, row);
	if ((rc = ds_dbq_step(q, err)) == DS_DB_FAIL)
		goto done;
	if (rc == DS_DB_DONE) {
		ds_fail(err, DS_ERROR_DB, "no report row %" G_GINT64_FORMAT,
		    row);
		goto done;
	}
	counted = g_strdup(ds_dbq_text(q, 0));
	out->records = ds_dbq_int64(q, 1);
	out->messages = ds_dbq_int64(q, 2);
	ds_dbq_finalize(q);
	q = NULL;
	/* the counted content, or (before 017) the same totals */
	if (counted ? strcmp(counted, hash) == 0 :
	    out->records == out->new_records &&
	    out->messages == out->new_messages) {
		ok = true;
		goto done;
	}
	if ((q = ds_db_prepare(db, sql_known, err)) == NULL)
		goto done;
	ds_dbq_bind_int64(q, 1, row);
	ds_dbq_bind_text(q, 2, hash, -1);
	if ((rc = ds_dbq_step(q, err)) == DS_DB_FAIL)
		goto done;
	ds_dbq_finalize(q);
	q = NULL;
	if (rc == DS_DB_ROW) {		/* this version was kept before */
		ok = true;
		goto done;
	}
	if ((q = ds_db_prepare(db, sql_keep, err)) == NULL)
		goto done;
	ds_dbq_bind_int64(q, 1, row);
	ds_dbq_bind_text(q, 2, hash, -1);
	ds_dbq_bind_int64(q, 3, out->new_records);
	ds_dbq_bind_int64(q, 4, out->new_messages);
	if (source)
		ds_dbq_bind_text(q, 5, source, -1);
	else
		ds_dbq_bind_null(q, 5);
	if (raw)
		ds_dbq_bind_blob(q, 6, raw, raw_len);
	else
		ds_dbq_bind_null(q, 6);
	ds_dbq_bind_int64(q, 7, ds_store_now());
	if (!ds_dbq_run(q, err))
		goto done;
	*out_conflict = true;
	ok = true;
done:
	if (!ok)
		g_prefix_error(err, "conflicting version of report row %"
		    G_GINT64_FORMAT ": ", row);
	ds_dbq_finalize(q);
	g_free(counted);
	return ok;
}

bool
ds_store_conflicts_each(struct ds_store *st, const struct ds_query *qr,
    ds_conflict_row_cb cb, void *payload, GError **err)
{
	struct ds_conflict_row r;
	struct ds_dbq *q;
	enum ds_db_step rc;

	if ((q = ds_db_prepare(st->db, sql_each, err)) == NULL)
		return false;
	if (qr->domain)
		ds_dbq_bind_text(q, 1, qr->domain, -1);
	else
		ds_dbq_bind_null(q, 1);
	ds_dbq_bind_int64(q, 2, qr->since);
	ds_dbq_bind_int64(q, 3, qr->until);
	while ((rc = ds_dbq_step(q, err)) == DS_DB_ROW) {
		r.id = ds_dbq_int64(q, 0);
		r.report_row = ds_dbq_int64(q, 1);
		r.org_name = ds_dbq_text(q, 2);
		r.report_id = ds_dbq_text(q, 3);
		r.domain = ds_dbq_text(q, 4);
		r.begin = ds_dbq_int64(q, 5);
		r.end = ds_dbq_int64(q, 6);
		r.records = ds_dbq_int64(q, 7);
		r.messages = ds_dbq_int64(q, 8);
		r.hash = ds_dbq_text(q, 9);
		r.new_records = ds_dbq_int64(q, 10);
		r.new_messages = ds_dbq_int64(q, 11);
		r.new_hash = ds_dbq_text(q, 12);
		r.source = ds_dbq_text(q, 13);
		r.raw_len = ds_dbq_int64(q, 14);
		r.ingested_at = ds_dbq_int64(q, 15);
		if (!cb(&r, payload))
			break;
	}
	ds_dbq_finalize(q);
	if (rc == DS_DB_FAIL) {
		g_prefix_error(err, "list conflicting versions: ");
		return false;
	}
	return true;
}
