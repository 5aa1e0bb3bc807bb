/*
 * store.h - the store API: the only door to SQL (schema/ owns it all).
 * SPDX-License-Identifier: MIT
 *
 * A PostgreSQL backend could sit behind this same API. Every function
 * that can fail returns bool (or a pointer) and sets err (DS_ERROR_DB,
 * DS_ERROR_LOCKED, DS_ERROR_IO). Strings passed in are copied or bound;
 * strings returned are the caller's to g_free unless noted.
 */
#ifndef DS_STORE_H
#define DS_STORE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/model/model.h"

struct ds_store;

/*
 * Open (creating and migrating) the database at path: a SQLite file
 * (WAL, synchronous=NORMAL, busy_timeout, foreign keys, defensive mode:
 * db_sqlite.c) or a postgresql:// URI (the driver's back end, db.h).
 * path NULL means ds_store_default_path(). Caller frees with
 * ds_store_close().
 */
struct ds_store *ds_store_open(const char *path, GError **err);
/*
 * Open the database at path for reading only (store_readonly.c): no
 * file, directory, journal-mode change or migration; a missing file,
 * not a database, or another schema version fail (DS_ERROR_PERMANENT)
 * naming the path. Read-write (for the enrichment cache only) when the
 * user may write the file and its directory, else SQLITE_OPEN_READONLY
 * and the cache is not written.
 */
struct ds_store *ds_store_open_readonly(const char *path, GError **err);
bool ds_store_is_readonly(const struct ds_store *st);
void ds_store_close(struct ds_store *st);	/* NULL-safe */
/* --db, else $DMARCSIFT_DB, else $XDG_DATA_HOME/dmarcsift/dmarc.db */
char *ds_store_default_path(void);
const char *ds_store_path(const struct ds_store *st);
int ds_store_schema_version(struct ds_store *st);

/*
 * Take an exclusive advisory lock (flock on "<db>.lock") for this
 * process, waiting up to wait_ms. DS_ERROR_LOCKED when another run
 * holds it. Released by ds_store_close().
 */
bool ds_store_lock(struct ds_store *st, unsigned wait_ms, GError **err);

/*
 * The lock a mailbox runner (IMAP, Graph, Gmail) takes for the mailbox
 * named key: on PostgreSQL an advisory lock per key, so hosts polling
 * different mailboxes run in parallel and two polling the same one do
 * not; on SQLite (one writer per file anyway) the run lock,
 * ds_store_lock(). Same errors; released by ds_store_close().
 */
bool ds_store_lock_key(struct ds_store *st, const char *key,
    unsigned wait_ms, GError **err);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK; savepoints nest inside. */
bool ds_store_begin(struct ds_store *st, GError **err);
bool ds_store_commit(struct ds_store *st, GError **err);
void ds_store_rollback(struct ds_store *st);
bool ds_store_savepoint(struct ds_store *st, GError **err);
bool ds_store_release(struct ds_store *st, GError **err);
void ds_store_rollback_to(struct ds_store *st);
/* Savepoints open in the current transaction (0 outside one). */
unsigned ds_store_depth(struct ds_store *st);

/* ---- aggregate reports ---- */

/*
 * Insert the report row for m (key: org_name, report_id, domain, begin,
 * end). On success *out_id is the new row id. When the key is already
 * stored, returns false with DS_ERROR_DUP and *out_id the existing id.
 * source names where it came from (path, imap URL); msg_id is the
 * ds_store_message_put() id or 0.
 */
bool ds_store_report_put(struct ds_store *st, const struct ds_report_meta *m,
    const char *source, int64_t msg_id, int64_t *out_id, GError **err);
/* Insert one record of report id (one prepared statement, reused). */
bool ds_store_record_put(struct ds_store *st, int64_t report_id,
    const struct ds_record *r, GError **err);
/* Set the totals and final warnings once all records are in. */
bool ds_store_report_finish(struct ds_store *st, int64_t report_id,
    uint64_t records, uint64_t messages, const struct ds_report_meta *m,
    GError **err);

/* ---- raw messages and quarantine ---- */

/*
 * Record a raw input by its SHA-256 (hex). When the hash is already
 * known with status "done", returns false with DS_ERROR_DUP (fast path
 * for reruns). Otherwise *out_id is its row.
 */
bool ds_store_message_put(struct ds_store *st, const char *sha256,
    const char *source, uint64_t size, int64_t *out_id, GError **err);
bool ds_store_message_done(struct ds_store *st, int64_t msg_id,
    const char *status, GError **err);
/*
 * Keep a copy of raw bytes that could not be used, with the reason.
 * The same (sha256, reason) pair is kept once.
 */
bool ds_store_quarantine_put(struct ds_store *st, const char *source,
    const char *reason, const char *raw, size_t len, GError **err);

/* ---- the quarantine (store_quarantine.c) ---- */

struct ds_quarantine_item {
	int64_t id;
	int64_t created;	/* Unix seconds */
	char *source;		/* where the input is now */
	char *reason;
	int64_t size;		/* true size (raw may be cut at the limit) */
	char *sha256;
	char *raw;		/* ds_store_quarantine_get only; NUL after */
	size_t raw_len;
};

void ds_quarantine_item_clear(struct ds_quarantine_item *q);
/* item lives during the call; return false to stop (not an error) */
typedef bool (*ds_quarantine_cb)(const struct ds_quarantine_item *item,
    void *payload);
/* Every entry, oldest first, without the raw bytes. DS_ERROR_DB. */
bool ds_store_quarantine_each(struct ds_store *st, ds_quarantine_cb cb,
    void *payload, GError **err);
/*
 * Entry id with its raw bytes into *out (clear it after). No such entry
 * is DS_ERROR_USAGE.
 */
bool ds_store_quarantine_get(struct ds_store *st, int64_t id,
    struct ds_quarantine_item *out, GError **err);
/* Delete entry id in a transaction of its own; none is DS_ERROR_USAGE. */
bool ds_store_quarantine_drop(struct ds_store *st, int64_t id,
    GError **err);
/*
 * Inside a retry's transaction: delete entry id when the retry used the
 * input (clean), or when it failed again and its new entry is another
 * row (a retry failing for the same reason keeps the one row).
 */
bool ds_store_quarantine_retire(struct ds_store *st, int64_t id, bool clean,
    GError **err);
/* Entries from source from now say to (an IMAP move to the invalid
 * folder). */
bool ds_store_quarantine_moved(struct ds_store *st, const char *from,
    const char *to, GError **err);

/* ---- queries for report/ ---- */

struct ds_report_row {
	int64_t id;
	char *org_name, *report_id, *domain, *format, *email, *source;
	int64_t begin, end;
	int64_t records, messages;
	char *warnings_json;	/* JSON array text */
	char *policy_p;
};

struct ds_query {
	const char *domain;	/* NULL: all */
	int64_t since;		/* report end >= since; INT64_MIN: none */
	int64_t until;		/* report begin < until; INT64_MAX: none */
	unsigned limit;		/* 0: none */
};

void ds_query_init(struct ds_query *q);
typedef bool (*ds_report_row_cb)(const struct ds_report_row *row,
    void *payload);
/* Call cb for every stored report matching q, oldest first. */
bool ds_store_reports_each(struct ds_store *st, const struct ds_query *q,
    ds_report_row_cb cb, void *payload, GError **err);

struct ds_store_counts {
	int64_t reports, records, messages, quarantined, failures;
};
bool ds_store_counts(struct ds_store *st, struct ds_store_counts *out,
    GError **err);

#endif
