/*
 * store_message.c - raw inputs by hash, and the quarantine of inputs
 * that could not be used.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (whole-input hash dedup), #19 (status "done" is written in
 * the input's own transaction, so a rerun after a crash redoes exactly
 * the inputs whose transaction never committed), #8 (raw bytes kept for
 * forensics).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/sha256.h"
#include "schema/store/store_priv.h"

/* One statement: insert, or count one more arrival of a known hash. */
static const char sql_message_put[] =
    "INSERT INTO message (sha256, source, size, first_seen, last_seen)"
    " VALUES (?1, ?2, ?3, ?4, ?4)"
    " ON CONFLICT (sha256) DO UPDATE SET arrivals = message.arrivals + 1,"
    " last_seen = excluded.last_seen"
    " RETURNING id, status";

static const char sql_message_done[] =
    "UPDATE message SET status = ?2 WHERE id = ?1";

static const char sql_quarantine_put[] =
    "INSERT INTO quarantine (sha256, source, reason, size, raw, created)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
    " ON CONFLICT (sha256, reason) DO NOTHING";

/* sha256 must be 64 hex digits; stored lower case. */
static bool
valid_sha256(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!g_ascii_isxdigit(s[i]))
			return false;
	return s[64] == '\0';
}

/*
 * See store.h. The source of the first arrival is kept. DS_ERROR_DUP
 * (with *out_id set) when the hash is stored with status "done";
 * DS_ERROR_DB for a malformed hash or an SQLite failure.
 */
bool
ds_store_message_put(struct ds_store *st, const char *sha256,
    const char *source, uint64_t size, int64_t *out_id, GError **err)
{
	struct ds_dbq *s;
	const char *status;
	char *hex;
	bool ok = false;

	*out_id = 0;
	if (sha256 == NULL || !valid_sha256(sha256))
		return ds_fail(err, DS_ERROR_DB, "message hash is not SHA-256 "
		    "hex");
	if (size > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_DB, "message size too large");
	if ((s = ds_store_stmt(st, DS_STMT_MESSAGE_PUT, sql_message_put,
	    err)) == NULL)
		return false;
	hex = g_ascii_strdown(sha256, -1);
	ds_dbq_bind_text(s, 1, hex, -1);
	ds_dbq_bind_text(s, 2, source, -1);
	ds_dbq_bind_int64(s, 3, (int64_t)size);
	ds_dbq_bind_int64(s, 4, ds_store_now());
	if (ds_dbq_step(s, err) != DS_DB_ROW) {
		ds_store_fail(st, err, "insert message %s", hex);
		goto done;
	}
	*out_id = ds_dbq_int64(s, 0);
	status = ds_dbq_text(s, 1);
	if (status && strcmp(status, "done") == 0) {
		ds_fail(err, DS_ERROR_DUP, "message %s already ingested", hex);
		goto done;
	}
	ok = true;
done:
	ds_dbq_reset(s);
	g_free(hex);
	return ok;
}

/*
 * Set the status of message row msg_id: "new", "done" (a rerun skips
 * it) or "rejected" (a rerun tries again). DS_ERROR_DB for another
 * status or an unknown row.
 */
bool
ds_store_message_done(struct ds_store *st, int64_t msg_id,
    const char *status, GError **err)
{
	struct ds_dbq *s;
	int64_t n;

	if ((s = ds_store_stmt(st, DS_STMT_MESSAGE_DONE, sql_message_done,
	    err)) == NULL)
		return false;
	ds_dbq_bind_int64(s, 1, msg_id);
	ds_dbq_bind_text(s, 2, status, -1);
	n = ds_store_step_changes(st, s, "set message status", err);
	if (n < 0)
		return false;
	if (n != 1)
		return ds_fail(err, DS_ERROR_DB, "set message status: no "
		    "message row %" G_GINT64_FORMAT, msg_id);
	return true;
}

/*
 * See store.h. raw may hold any bytes (NULs too); raw NULL means len 0.
 * Inputs longer than the store's length limit keep their first
 * DS_DB_MAX_LENGTH - 1 MiB bytes (size keeps the true length). A
 * (sha256, reason) pair already kept is not an error. DS_ERROR_DB.
 */
bool
ds_store_quarantine_put(struct ds_store *st, const char *source,
    const char *reason, const char *raw, size_t len, GError **err)
{
	const size_t keep_max = DS_DB_MAX_LENGTH - 1024 * 1024;
	struct ds_dbq *s;
	char sha[2 * DS_SHA256_LEN + 1];

	if (raw == NULL)
		len = 0;
	if ((s = ds_store_stmt(st, DS_STMT_QUARANTINE_PUT, sql_quarantine_put,
	    err)) == NULL)
		return false;
	ds_sha256_hex(raw, len, sha);
	ds_dbq_bind_text(s, 1, sha, -1);
	ds_dbq_bind_text(s, 2, source, -1);
	ds_dbq_bind_text(s, 3, reason ? reason : "unknown", -1);
	ds_dbq_bind_int64(s, 4, (int64_t)len);
	/* a non-NULL pointer binds an empty blob, not NULL */
	ds_dbq_bind_blob(s, 5, raw ? raw : "", len > keep_max ? keep_max :
	    len);
	ds_dbq_bind_int64(s, 6, ds_store_now());
	return ds_store_step_done(st, s, "quarantine input", err);
}
