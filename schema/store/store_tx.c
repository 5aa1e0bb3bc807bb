/*
 * store_tx.c - the run lock, transactions and savepoints of the store.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #18: one exclusive flock per database so overlapping cron runs
 * queue instead of racing; every write transaction is BEGIN IMMEDIATE
 * (a deferred one that reads first fails at once with "database is
 * locked" in WAL mode despite busy_timeout). THREATS #19: one
 * transaction per input, a savepoint per report inside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"

/* How often a waiting ds_store_lock() tries again. */
#define DS_LOCK_POLL_MS 20

/*
 * Take flock(LOCK_EX) on "<path>.lock", polling for up to wait_ms. A
 * second call while held succeeds at once. An in-memory store needs no
 * lock. Fails with DS_ERROR_LOCKED when another open file description
 * (another run) holds it, DS_ERROR_IO when the lock file cannot be
 * opened.
 */
bool
ds_store_lock(struct ds_store *st, unsigned wait_ms, GError **err)
{
	char *lock_path, *q = NULL;
	gint64 deadline;
	int fd, saved;
	bool ok = false;

	if (st->lock_fd >= 0 || strcmp(st->path, ":memory:") == 0 ||
	    *st->path == '\0')
		return true;
	lock_path = g_strconcat(st->path, ".lock", NULL);
	fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		saved = errno;
		q = ds_quote(lock_path, strlen(lock_path), 200);
		ds_fail(err, DS_ERROR_IO, "cannot open '%s': %s", q,
		    g_strerror(saved));
		goto done;
	}
	deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		saved = errno;
		if (saved == EINTR)
			continue;
		if (saved != EWOULDBLOCK) {
			q = ds_quote(lock_path, strlen(lock_path), 200);
			ds_fail(err, DS_ERROR_IO, "cannot lock '%s': %s", q,
			    g_strerror(saved));
			goto done;
		}
		if (g_get_monotonic_time() >= deadline) {
			q = ds_quote(lock_path, strlen(lock_path), 200);
			ds_fail(err, DS_ERROR_LOCKED,
			    "another dmarcsift run holds %s", q);
			goto done;
		}
		g_usleep((gulong)DS_LOCK_POLL_MS * 1000);
	}
	st->lock_fd = fd;
	fd = -1;
	ok = true;
done:
	if (fd >= 0)
		close(fd);
	g_free(q);
	g_free(lock_path);
	return ok;
}

/* SQLite ended the transaction itself (I/O error, full disk...). */
static void
sync_depth(struct ds_store *st)
{
	if (sqlite3_get_autocommit(st->db))
		st->depth = 0;
}

/*
 * BEGIN IMMEDIATE: take the write lock now (waiting up to busy_timeout)
 * so nothing later in the transaction can fail with SQLITE_BUSY.
 * DS_ERROR_DB, also when a transaction is already open.
 */
bool
ds_store_begin(struct ds_store *st, GError **err)
{
	sqlite3_stmt *s;

	s = ds_store_stmt(st, DS_STMT_BEGIN, "BEGIN IMMEDIATE", err);
	if (s == NULL || !ds_store_step_done(st, s, "begin transaction", err))
		return false;
	st->depth = 0;
	return true;
}

/* COMMIT, releasing any savepoint still open. DS_ERROR_DB. */
bool
ds_store_commit(struct ds_store *st, GError **err)
{
	sqlite3_stmt *s;
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
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
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
	sqlite3_stmt *s;

	if (sqlite3_get_autocommit(st->db))
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
	sqlite3_stmt *s;

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
 * open (release it next). Errors are ignored: when SQLite already rolled
 * the whole transaction back there is nothing left to undo.
 */
void
ds_store_rollback_to(struct ds_store *st)
{
	sqlite3_stmt *s;

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
