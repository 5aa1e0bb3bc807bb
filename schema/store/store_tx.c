/*
 * store_tx.c - the run lock, transactions and savepoints of the store.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #18: one exclusive lock per database (the driver's lock: flock
 * on SQLite) so overlapping cron runs queue instead of racing, or one
 * per mailbox on PostgreSQL; every write transaction begins as a writer
 * (SQLite: BEGIN IMMEDIATE, as a deferred one that reads first fails at
 * once with "database is locked" in WAL mode despite busy_timeout).
 * THREATS #19: one transaction per input, a savepoint per report inside
 * it.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"

/*
 * The back end's lock named key (NULL: the run lock "<path>.lock" on
 * SQLite). A second call while held succeeds at once. An in-memory
 * store needs no lock. Fails with DS_ERROR_LOCKED when another run
 * holds it, DS_ERROR_IO when the lock file cannot be opened.
 */
bool
ds_store_lock(struct ds_store *st, unsigned wait_ms, GError **err)
{
	if (st->locked)
		return true;
	/*
	 * PostgreSQL: no run lock. Runs on several hosts write at once
	 * (exactly-once by the unique constraints, one transaction per
	 * input); a mailbox runner locks its mailbox, ds_store_lock_key().
	 */
	if (ds_db_kind(st->db) == DS_DB_PG) {
		st->locked = true;
		return true;
	}
	if (!st->db->ops->lock(st->db, NULL, wait_ms, err))
		return false;
	st->locked = true;
	return true;
}

/* See store.h. */
bool
ds_store_shared(const struct ds_store *st)
{
	return ds_db_kind(st->db) == DS_DB_PG;
}

/* See store.h. db_pg.c ends its messages with "(SQLSTATE xxxxx)". */
bool
ds_store_retryable(const GError *e)
{
	return e != NULL && e->domain == DS_ERROR && e->code == DS_ERROR_DB &&
	    strstr(e->message, "(SQLSTATE 40") != NULL;
}

/* See store.h. */
bool
ds_store_lock_key(struct ds_store *st, const char *key, unsigned wait_ms,
    GError **err)
{
	if (ds_db_kind(st->db) == DS_DB_SQLITE || key == NULL)
		return ds_store_lock(st, wait_ms, err);
	if (g_hash_table_contains(st->keys, key))
		return true;
	if (!st->db->ops->lock(st->db, key, wait_ms, err))
		return false;
	g_hash_table_add(st->keys, g_strdup(key));
	return true;
}

/* The database ended the transaction itself (I/O error, full disk...). */
static void
sync_depth(struct ds_store *st)
{
	if (!ds_db_in_tx(st->db))
		st->depth = 0;
}

/*
 * Begin as a writer (ops->begin: BEGIN IMMEDIATE on SQLite takes the
 * write lock now, waiting up to busy_timeout, so nothing later in the
 * transaction can fail with SQLITE_BUSY). DS_ERROR_DB, also when a
 * transaction is already open.
 */
bool
ds_store_begin(struct ds_store *st, GError **err)
{
	if (!ds_db_begin(st->db, err))
		return ds_store_fail(st, err, "begin transaction");
	/*
	 * PostgreSQL: every writer holds this lock shared; a month
	 * partition is attached only by a writer that gets it alone
	 * (ds_month_partition, sql-pg/019), so no other writer's open
	 * transaction routes rows with a partition list made before it.
	 */
	if (ds_db_kind(st->db) == DS_DB_PG && !ds_db_exec(st->db,
	    "SELECT pg_advisory_xact_lock_shared(hashtextextended("
	    "'dmarcsift writers', 0))", err))
		return ds_store_fail(st, err, "begin transaction");
	st->depth = 0;
	return true;
}

/* COMMIT, releasing any savepoint still open. DS_ERROR_DB. */
bool
ds_store_commit(struct ds_store *st, GError **err)
{
	struct ds_dbq *s;
	bool ok;

	s = ds_store_stmt(st, DS_STMT_COMMIT, "COMMIT", err);
	if (s == NULL)
		return false;
	ok = ds_store_step_done(st, s, "commit", err);
	sync_depth(st);
	return ok;
}

/* ROLLBACK the open transaction, if any; errors are ignored. */
void
ds_store_rollback(struct ds_store *st)
{
	if (ds_db_in_tx(st->db))
		(void)ds_db_exec(st->db, "ROLLBACK", NULL);
	st->depth = 0;
}

/*
 * Open a savepoint inside the current transaction. Savepoints nest; each
 * needs one ds_store_release(). DS_ERROR_DB, also outside a transaction
 * (a savepoint would start a deferred one).
 */
bool
ds_store_savepoint(struct ds_store *st, GError **err)
{
	struct ds_dbq *s;

	if (!ds_db_in_tx(st->db))
		return ds_fail(err, DS_ERROR_DB,
		    "savepoint outside a transaction");
	/* one name for all: RELEASE and ROLLBACK TO act on the innermost */
	s = ds_store_stmt(st, DS_STMT_SAVEPOINT, "SAVEPOINT ds_sp", err);
	if (s == NULL || !ds_store_step_done(st, s, "savepoint", err))
		return false;
	st->depth++;
	return true;
}

/*
 * Release the innermost savepoint, keeping its changes in the enclosing
 * transaction. DS_ERROR_DB when none is open.
 */
bool
ds_store_release(struct ds_store *st, GError **err)
{
	struct ds_dbq *s;

	sync_depth(st);
	if (st->depth == 0)
		return ds_fail(err, DS_ERROR_DB, "release without savepoint");
	s = ds_store_stmt(st, DS_STMT_RELEASE, "RELEASE ds_sp", err);
	if (s == NULL || !ds_store_step_done(st, s, "release savepoint", err))
		return false;
	st->depth--;
	return true;
}

/*
 * Undo everything since the innermost savepoint; the savepoint stays
 * open (release it next). Errors are ignored: when the database already rolled
 * the whole transaction back there is nothing left to undo.
 */
void
ds_store_rollback_to(struct ds_store *st)
{
	struct ds_dbq *s;

	sync_depth(st);
	if (st->depth == 0)
		return;
	s = ds_store_stmt(st, DS_STMT_ROLLBACK_TO, "ROLLBACK TO ds_sp", NULL);
	if (s != NULL)
		ds_store_step_done(st, s, "rollback to savepoint", NULL);
}

/* See store.h. */
unsigned
ds_store_depth(struct ds_store *st)
{
	sync_depth(st);
	return st->depth;
}
