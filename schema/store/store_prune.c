/*
 * store_prune.c - retention (store_prune.h): failure samples and
 * quarantined bytes past their age, then VACUUM / incremental vacuum.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: constant statements, the ages are bound. Plain SQL but
 * for the PRAGMAs, which are SQLite's way to give pages back.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_prune.h"
#include "schema/store/store_priv.h"

static const char sql_samples_count[] =
    "SELECT count(*), coalesce(sum(length(s.raw)), 0)"
    " FROM failure_sample AS s JOIN failure_report AS f"
    " ON f.id = s.report_row WHERE f.event_ts < ?1";
static const char sql_samples_delete[] =
    "DELETE FROM failure_sample WHERE report_row IN"
    " (SELECT id FROM failure_report WHERE event_ts < ?1)";
static const char sql_quarantine_count[] =
    "SELECT count(*), coalesce(sum(length(raw)), 0) FROM quarantine"
    " WHERE created < ?1 AND length(raw) > 0";
static const char sql_quarantine_empty[] =
    "UPDATE quarantine SET raw = substr(raw, 1, 0) WHERE created < ?1"
    " AND length(raw) > 0";

void
ds_prune_init(struct ds_prune *p)
{
	memset(p, 0, sizeof(*p));
	p->samples_before = INT64_MIN;
	p->quarantine_before = INT64_MIN;
	p->raw_before = INT64_MIN;
}

/* Run sql with ?1 = t; for a SELECT, its two integers into a and b. */
static bool
run(struct ds_store *st, const char *sql, int64_t t, int64_t *a,
    int64_t *b, GError **err)
{
	struct ds_dbq *s = NULL;
	int rc;

	if ((s = ds_db_prepare(st->db, sql, err)) == NULL) {
		ds_dbq_finalize(s);
		return ds_store_fail(st, err, "prune: prepare");
	}
	ds_dbq_bind_int64(s, 1, t);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_ROW && a != NULL) {
		*a = ds_dbq_int64(s, 0);
		*b = ds_dbq_int64(s, 1);
		rc = DS_DB_DONE;
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(st, err, "prune");
	return true;
}

/* One integer from a PRAGMA or query (our own constant text). */
static bool
pragma_int(struct ds_store *st, const char *sql, int64_t *out, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;

	if ((s = ds_db_prepare(st->db, sql, err)) != NULL &&
	    ds_dbq_step(s, err) == DS_DB_ROW) {
		*out = ds_dbq_int64(s, 0);
		ok = true;
	}
	ds_dbq_finalize(s);
	return ok ? true : ds_store_fail(st, err, "prune: %s", sql);
}

static bool
file_bytes(struct ds_store *st, int64_t *out, GError **err)
{
	int64_t pages, size;

	if (ds_db_kind(st->db) == DS_DB_PG)
		return pragma_int(st, "SELECT pg_database_size("
		    "current_database())", out, err);
	if (!pragma_int(st, "PRAGMA page_count", &pages, err) ||
	    !pragma_int(st, "PRAGMA page_size", &size, err))
		return false;
	*out = pages * size;
	return true;
}

/*
 * Give free pages back. auto_vacuum can only be switched on by a full
 * VACUUM, so the first prune of an older database rewrites it once;
 * from then on incremental_vacuum moves only the freed pages.
 * PostgreSQL: the server's autovacuum reclaims the space.
 */
static bool
vacuum(struct ds_store *st, GError **err)
{
	int64_t mode;

	if (ds_db_kind(st->db) == DS_DB_PG)
		return true;
	if (!pragma_int(st, "PRAGMA auto_vacuum", &mode, err))
		return false;
	if (mode != 2) {
		if (!ds_store_exec(st, "PRAGMA auto_vacuum = INCREMENTAL",
		    "prune: auto_vacuum", err) ||
		    !ds_store_exec(st, "VACUUM", "prune: VACUUM", err))
			return false;
	} else if (!ds_store_exec(st, "PRAGMA incremental_vacuum",
	    "prune: incremental_vacuum", err)) {
		return false;
	}
	return ds_store_exec(st, "PRAGMA wal_checkpoint(TRUNCATE)",
	    "prune: checkpoint", err);
}

/* See store_prune.h. */
bool
ds_store_prune(struct ds_store *st, const struct ds_prune *p,
    struct ds_prune_stats *out, GError **err)
{
	struct ds_prune_stats r = { 0 };

	if (!file_bytes(st, &r.file_before, err) || !ds_store_begin(st, err))
		return false;
	if (p->samples_before != INT64_MIN &&
	    (!run(st, sql_samples_count, p->samples_before, &r.samples,
	    &r.sample_bytes, err) || (!p->dry_run && !run(st,
	    sql_samples_delete, p->samples_before, NULL, NULL, err))))
		goto fail;
	if (p->quarantine_before != INT64_MIN &&
	    (!run(st, sql_quarantine_count, p->quarantine_before,
	    &r.quarantined, &r.quarantine_bytes, err) || (!p->dry_run &&
	    !run(st, sql_quarantine_empty, p->quarantine_before, NULL, NULL,
	    err))))
		goto fail;
	if (p->raw_before != INT64_MIN && !ds_store_prune_raw(st,
	    p->raw_before, p->dry_run, &r.records, &r.record_reports, err))
		goto fail;
	if (p->dry_run) {
		ds_store_rollback(st);
	} else if (!ds_store_commit(st, err) || !vacuum(st, err)) {
		return false;
	}
	if (!file_bytes(st, &r.file_after, err))
		return false;
	*out = r;
	return true;
fail:
	ds_store_rollback(st);
	return false;
}
