/*
 * store_imap.c - IMAP ingestion state (schema/store/sql/002-imap.sql).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: the UID row of a message is written by the pipeline's
 * commit hook, inside the transaction that stores its reports, so a
 * message can never be "stored" without its reports nor its reports
 * without the row. THREATS #11: bound parameters only.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_imap.h"
#include "schema/store/store_priv.h"

static const char *const state_names[] = {
	[DS_IMAP_STORED] = "stored",
	[DS_IMAP_REJECTED] = "rejected",
	[DS_IMAP_DONE] = "done",
	[DS_IMAP_SKIPPED] = "skipped",
};

static bool
state_parse(const char *s, enum ds_imap_state *out)
{
	size_t i;

	for (i = 0; s != NULL && i < G_N_ELEMENTS(state_names); i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum ds_imap_state)i;
			return true;
		}
	return false;
}

/* Prepare sql (our own text); NULL with err set. Caller finalizes. */
static sqlite3_stmt *
prepare(struct ds_store *st, const char *sql, GError **err)
{
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v2(st->db, sql, -1, &s, NULL) != SQLITE_OK) {
		ds_store_fail(st, err, "prepare imap statement");
		sqlite3_finalize(s);
		return NULL;
	}
	return s;
}

bool
ds_store_imap_mailbox(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t *out_old, GError **err)
{
	sqlite3_stmt *s = NULL;
	int64_t old = 0;
	bool ok = false;

	*out_old = 0;
	if (!ds_store_begin(st, err))
		return false;
	s = prepare(st, "SELECT uidvalidity FROM imap_mailbox WHERE "
	    "mailbox = ?1", err);
	if (s == NULL)
		goto done;
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	if (sqlite3_step(s) == SQLITE_ROW)
		old = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	if (old != 0 && old != (int64_t)uidvalidity) {
		s = prepare(st, "DELETE FROM imap_uid WHERE mailbox = ?1 AND "
		    "uidvalidity <> ?2", err);
		if (s == NULL)
			goto done;
		sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, uidvalidity);
		if (!ds_store_step_done(st, s, "forget old UIDVALIDITY", err))
			goto done;
		sqlite3_finalize(s);
		*out_old = (uint32_t)old;
	}
	s = prepare(st, "INSERT INTO imap_mailbox (mailbox, uidvalidity, "
	    "last_run) VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE "
	    "SET uidvalidity = excluded.uidvalidity, "
	    "last_run = excluded.last_run", err);
	if (s == NULL)
		goto done;
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, ds_store_now());
	ok = ds_store_step_done(st, s, "record mailbox", err) &&
	    ds_store_commit(st, err);
done:
	sqlite3_finalize(s);
	if (!ok)
		ds_store_rollback(st);
	return ok;
}

bool
ds_store_imap_uid_put(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t uid, enum ds_imap_state state,
    uint64_t size, GError **err)
{
	sqlite3_stmt *s;
	bool ok;

	if (uidvalidity == 0 || uid == 0 || size > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_DB, "bad IMAP UID %u/%u", uidvalidity,
		    uid);
	s = prepare(st, "INSERT INTO imap_uid (mailbox, uidvalidity, uid, "
	    "state, size, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO UPDATE SET state = excluded.state, "
	    "size = excluded.size, updated = excluded.updated", err);
	if (s == NULL)
		return false;
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, uid);
	sqlite3_bind_text(s, 4, state_names[state], -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 5, (int64_t)size);
	sqlite3_bind_int64(s, 6, ds_store_now());
	ok = ds_store_step_done(st, s, "record IMAP UID", err);
	sqlite3_finalize(s);
	return ok;
}

bool
ds_store_imap_uids_set(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, const uint32_t *uids, size_t n,
    enum ds_imap_state state, GError **err)
{
	sqlite3_stmt *s = NULL;
	bool ok = false;
	size_t i;

	if (n == 0)
		return true;
	if (!ds_store_begin(st, err))
		return false;
	s = prepare(st, "UPDATE imap_uid SET state = ?4, updated = ?5 "
	    "WHERE mailbox = ?1 AND uidvalidity = ?2 AND uid = ?3", err);
	if (s == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 2, uidvalidity);
		sqlite3_bind_int64(s, 3, uids[i]);
		sqlite3_bind_text(s, 4, state_names[state], -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 5, ds_store_now());
		if (!ds_store_step_done(st, s, "update IMAP UID", err))
			goto done;
	}
	ok = ds_store_commit(st, err);
done:
	sqlite3_finalize(s);
	if (!ok)
		ds_store_rollback(st);
	return ok;
}

bool
ds_store_imap_uids_each(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, ds_imap_uid_cb cb, void *payload, GError **err)
{
	struct ds_imap_uid_row row;
	sqlite3_stmt *s;
	bool ok = true;
	int rc;

	s = prepare(st, "SELECT uid, state, size FROM imap_uid WHERE "
	    "mailbox = ?1 AND uidvalidity = ?2 ORDER BY uid", err);
	if (s == NULL)
		return false;
	sqlite3_bind_text(s, 1, mailbox, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s, 2, uidvalidity);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		row.uid = (uint32_t)sqlite3_column_int64(s, 0);
		row.size = (uint64_t)sqlite3_column_int64(s, 2);
		if (!state_parse((const char *)sqlite3_column_text(s, 1),
		    &row.state))
			continue;	/* the CHECK forbids it */
		if (!cb(&row, payload))
			break;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		ok = ds_store_fail(st, err, "read IMAP UIDs");
	sqlite3_finalize(s);
	return ok;
}
