/*
 * store_quarantine.c - read, drop and retire quarantined inputs (the
 * "quarantine" command); store_message.c puts them.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8: the raw bytes are kept exactly as they came, for export
 * and for a retry through a newer parser. #11: bound parameters only.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"

static const char sql_list[] =
    "SELECT id, created, source, reason, size, sha256 FROM quarantine"
    " ORDER BY id";
static const char sql_get[] =
    "SELECT id, created, source, reason, size, sha256, raw FROM quarantine"
    " WHERE id = ?1";
static const char sql_drop[] = "DELETE FROM quarantine WHERE id = ?1";
/* a retry that still fails keeps the old row unless the new one exists */
static const char sql_retire_kept[] =
    "DELETE FROM quarantine WHERE id = ?1 AND EXISTS (SELECT 1 FROM"
    " quarantine q WHERE q.sha256 = quarantine.sha256 AND q.id <> ?1)";
static const char sql_source[] =
    "UPDATE quarantine SET source = ?2 WHERE source = ?1";

static char *
col_text(struct ds_dbq *s, int i)
{
	const char *t = ds_dbq_text(s, i);

	return g_strdup(t ? t : "");
}

static void
fill(struct ds_quarantine_item *q, struct ds_dbq *s, bool raw)
{
	q->id = ds_dbq_int64(s, 0);
	q->created = ds_dbq_int64(s, 1);
	q->source = col_text(s, 2);
	q->reason = col_text(s, 3);
	q->size = ds_dbq_int64(s, 4);
	q->sha256 = col_text(s, 5);
	if (raw) {
		const void *p = ds_dbq_blob(s, 6, &q->raw_len);

		q->raw = g_malloc(q->raw_len + 1);
		if (q->raw_len)
			memcpy(q->raw, p, q->raw_len);
		q->raw[q->raw_len] = '\0';
	}
}

void
ds_quarantine_item_clear(struct ds_quarantine_item *q)
{
	g_free(q->source);
	g_free(q->reason);
	g_free(q->sha256);
	g_free(q->raw);
	memset(q, 0, sizeof(*q));
}

bool
ds_store_quarantine_each(struct ds_store *st, ds_quarantine_cb cb,
    void *payload, GError **err)
{
	struct ds_quarantine_item q;
	struct ds_dbq *s = NULL;
	bool ok = false, go = true;
	int rc;

	if ((s = ds_db_prepare(st->db, sql_list, err)) == NULL)
		return ds_store_fail(st, err, "list the quarantine");
	while (go && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		memset(&q, 0, sizeof(q));
		fill(&q, s, false);
		go = cb(&q, payload);
		ds_quarantine_item_clear(&q);
	}
	if (go && rc != DS_DB_DONE) {
		ds_store_fail(st, err, "list the quarantine");
		goto done;
	}
	ok = true;
done:
	ds_dbq_finalize(s);
	return ok;
}

bool
ds_store_quarantine_get(struct ds_store *st, int64_t id,
    struct ds_quarantine_item *out, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((s = ds_db_prepare(st->db, sql_get, err)) == NULL)
		return ds_store_fail(st, err, "read quarantine entry");
	ds_dbq_bind_int64(s, 1, id);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_ROW) {
		fill(out, s, true);
		ok = true;
	} else if (rc == DS_DB_DONE)
		ds_fail(err, DS_ERROR_USAGE, "no quarantine entry %"
		    G_GINT64_FORMAT " (see 'dmarcsift quarantine list')", id);
	else
		ds_store_fail(st, err, "read quarantine entry");
	ds_dbq_finalize(s);
	return ok;
}

/* Run one-parameter statement sql with id; *changes gets the row count. */
static bool
run_id(struct ds_store *st, const char *sql, int64_t id, int *changes,
    GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok;

	if ((s = ds_db_prepare(st->db, sql, err)) == NULL)
		return ds_store_fail(st, err, "change the quarantine");
	ds_dbq_bind_int64(s, 1, id);
	ok = ds_dbq_step(s, err) == DS_DB_DONE;
	if (!ok)
		ds_store_fail(st, err, "change the quarantine");
	*changes = ok ? (int)ds_dbq_changes(s) : 0;
	ds_dbq_finalize(s);
	return ok;
}

bool
ds_store_quarantine_drop(struct ds_store *st, int64_t id, GError **err)
{
	int n = 0;

	if (!ds_store_begin(st, err))
		return false;
	if (!run_id(st, sql_drop, id, &n, err)) {
		ds_store_rollback(st);
		return false;
	}
	if (n == 0) {
		ds_store_rollback(st);
		return ds_fail(err, DS_ERROR_USAGE, "no quarantine entry %"
		    G_GINT64_FORMAT, id);
	}
	return ds_store_commit(st, err);
}

bool
ds_store_quarantine_retire(struct ds_store *st, int64_t id, bool clean,
    GError **err)
{
	int n;

	return run_id(st, clean ? sql_drop : sql_retire_kept, id, &n, err);
}

bool
ds_store_quarantine_moved(struct ds_store *st, const char *from,
    const char *to, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok;

	if ((s = ds_db_prepare(st->db, sql_source, err)) == NULL)
		return ds_store_fail(st, err, "record where the input went");
	ds_dbq_bind_text(s, 1, from, -1);
	ds_dbq_bind_text(s, 2, to, -1);
	ok = ds_dbq_step(s, err) == DS_DB_DONE;
	if (!ok)
		ds_store_fail(st, err, "record where the input went");
	ds_dbq_finalize(s);
	return ok;
}
