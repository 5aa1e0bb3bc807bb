/*
 * store_source.c - mailbox source state (schema/store/sql/011-source-state.sql).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: the row of a message is written by the pipeline's
 * commit hook, inside the transaction that stores its reports, so a
 * message can never be "stored" without its reports nor its reports
 * without the row. THREATS #11: bound parameters only.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_source.h"
#include "schema/store/store_priv.h"

static const char *const state_names[] = {
	[DS_MSG_STORED] = "stored",
	[DS_MSG_REJECTED] = "rejected",
	[DS_MSG_DONE] = "done",
	[DS_MSG_SKIPPED] = "skipped",
};

static bool
state_parse(const char *s, enum ds_msg_state *out)
{
	size_t i;

	for (i = 0; s != NULL && i < G_N_ELEMENTS(state_names); i++)
		if (strcmp(s, state_names[i]) == 0) {
			*out = (enum ds_msg_state)i;
			return true;
		}
	return false;
}

/* Prepare sql (our own text); NULL with err set. Caller finalizes. */
static struct ds_dbq *
prepare(struct ds_store *st, const char *sql, GError **err)
{
	struct ds_dbq *s = NULL;

	if ((s = ds_db_prepare(st->db, sql, err)) == NULL)
		ds_store_fail(st, err, "prepare source state statement");
	return s;
}

bool
ds_store_source_mailbox(struct ds_store *st, const char *mailbox,
    const char *epoch, char **out_old, GError **err)
{
	struct ds_dbq *s = NULL;
	char *old = NULL;
	bool ok = false;

	*out_old = NULL;
	if (epoch == NULL || *epoch == '\0')
		return ds_fail(err, DS_ERROR_DB, "empty epoch for %s", mailbox);
	if (!ds_store_begin(st, err))
		return false;
	s = prepare(st, "SELECT epoch FROM source_mailbox WHERE mailbox = ?1",
	    err);
	if (s == NULL)
		goto done;
	ds_dbq_bind_text(s, 1, mailbox, -1);
	switch (ds_dbq_step(s, err)) {
	case DS_DB_ROW:
		old = g_strdup(ds_dbq_text(s, 0));
		break;
	case DS_DB_DONE:
		break;
	case DS_DB_FAIL:
		ds_store_fail(st, err, "read mailbox epoch");
		goto done;
	}
	ds_dbq_finalize(s);
	if (old != NULL && strcmp(old, epoch) != 0) {
		s = prepare(st, "DELETE FROM source_msg WHERE mailbox = ?1 AND "
		    "epoch <> ?2", err);
		if (s == NULL)
			goto done;
		ds_dbq_bind_text(s, 1, mailbox, -1);
		ds_dbq_bind_text(s, 2, epoch, -1);
		if (!ds_store_step_done(st, s, "forget the old epoch", err))
			goto done;
		ds_dbq_finalize(s);
	} else
		g_clear_pointer(&old, g_free);
	s = prepare(st, "INSERT INTO source_mailbox (mailbox, epoch, "
	    "last_run) VALUES (?1, ?2, ?3) ON CONFLICT (mailbox) DO UPDATE "
	    "SET epoch = excluded.epoch, last_run = excluded.last_run", err);
	if (s == NULL)
		goto done;
	ds_dbq_bind_text(s, 1, mailbox, -1);
	ds_dbq_bind_text(s, 2, epoch, -1);
	ds_dbq_bind_int64(s, 3, ds_store_now());
	ok = ds_store_step_done(st, s, "record mailbox", err) &&
	    ds_store_commit(st, err);
done:
	ds_dbq_finalize(s);
	if (!ok) {
		ds_store_rollback(st);
		g_free(old);
	} else
		*out_old = old;
	return ok;
}

bool
ds_store_source_put(struct ds_store *st, const char *mailbox,
    const char *epoch, const char *msgid, enum ds_msg_state state,
    uint64_t size, GError **err)
{
	struct ds_dbq *s;
	bool ok;

	if (epoch == NULL || *epoch == '\0' || msgid == NULL ||
	    *msgid == '\0' || size > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_DB, "bad message id in %s",
		    mailbox);
	s = prepare(st, "INSERT INTO source_msg (mailbox, epoch, msgid, "
	    "state, size, updated) VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
	    "ON CONFLICT DO UPDATE SET state = excluded.state, "
	    "size = excluded.size, updated = excluded.updated", err);
	if (s == NULL)
		return false;
	ds_dbq_bind_text(s, 1, mailbox, -1);
	ds_dbq_bind_text(s, 2, epoch, -1);
	ds_dbq_bind_text(s, 3, msgid, -1);
	ds_dbq_bind_text(s, 4, state_names[state], -1);
	ds_dbq_bind_int64(s, 5, (int64_t)size);
	ds_dbq_bind_int64(s, 6, ds_store_now());
	ok = ds_store_step_done(st, s, "record message state", err);
	ds_dbq_finalize(s);
	return ok;
}

bool
ds_store_source_set(struct ds_store *st, const char *mailbox,
    const char *epoch, const char *const *ids, size_t n,
    enum ds_msg_state state, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;
	size_t i;

	if (n == 0)
		return true;
	if (!ds_store_begin(st, err))
		return false;
	s = prepare(st, "UPDATE source_msg SET state = ?4, updated = ?5 "
	    "WHERE mailbox = ?1 AND epoch = ?2 AND msgid = ?3", err);
	if (s == NULL)
		goto done;
	for (i = 0; i < n; i++) {
		ds_dbq_bind_text(s, 1, mailbox, -1);
		ds_dbq_bind_text(s, 2, epoch, -1);
		ds_dbq_bind_text(s, 3, ids[i], -1);
		ds_dbq_bind_text(s, 4, state_names[state], -1);
		ds_dbq_bind_int64(s, 5, ds_store_now());
		if (!ds_store_step_done(st, s, "update message state", err))
			goto done;
	}
	ok = ds_store_commit(st, err);
done:
	ds_dbq_finalize(s);
	if (!ok)
		ds_store_rollback(st);
	return ok;
}

bool
ds_store_source_each(struct ds_store *st, const char *mailbox,
    const char *epoch, ds_msg_row_cb cb, void *payload, GError **err)
{
	struct ds_msg_row row;
	struct ds_dbq *s;
	bool ok = true;
	int rc;

	s = prepare(st, "SELECT msgid, state, size FROM source_msg WHERE "
	    "mailbox = ?1 AND epoch = ?2", err);
	if (s == NULL)
		return false;
	ds_dbq_bind_text(s, 1, mailbox, -1);
	ds_dbq_bind_text(s, 2, epoch, -1);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		row.msgid = ds_dbq_text(s, 0);
		row.size = (uint64_t)ds_dbq_int64(s, 2);
		if (row.msgid == NULL || !state_parse(ds_dbq_text(s, 1), &row.state))
			continue;	/* the CHECKs forbid it */
		if (!cb(&row, payload))
			break;
	}
	if (rc != DS_DB_ROW && rc != DS_DB_DONE)
		ok = ds_store_fail(st, err, "read mailbox state");
	ds_dbq_finalize(s);
	return ok;
}
