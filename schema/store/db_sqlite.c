/*
 * db_sqlite.c - the SQLite back end of the store's database driver
 * (db.h): one database file, WAL, flock()ed run locks.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11 (bound parameters only), #18 (WAL + busy_timeout; BEGIN
 * IMMEDIATE; one flock per database so overlapping cron runs queue),
 * #19 (synchronous=NORMAL in WAL keeps every COMMIT atomic and durable
 * across a crash of dmarcsift).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <sqlite3.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/db_sqlite.h"

/* How long a statement waits for another connection's write lock. */
#define DS_SQLITE_BUSY_MS 10000
/* How often a waiting lock() tries again. */
#define DS_LOCK_POLL_MS 20

struct sq_db {
	struct ds_db base;
	sqlite3 *h;
	GPtrArray *lock_fds;		/* of GINT_TO_POINTER(fd + 1) */
	bool memory;
};

struct sq_q {
	struct ds_dbq base;
	sqlite3_stmt *s;
};

static const struct ds_db_ops *sq_ops(void);

/*
 * The DS_ERROR code for SQLite's result rc: DS_ERROR_PERMANENT for what
 * fails the same way next time, DS_ERROR_DB (exit 75, retry) for the
 * rest (locked, busy, disk full, I/O).
 */
static int
sq_code(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return DS_ERROR_PERMANENT;
	default:
		return DS_ERROR_DB;
	}
}

static bool
sq_fail(struct sq_db *d, GError **err, const char *what)
{
	return ds_fail(err, d->h ? sq_code(sqlite3_extended_errcode(d->h)) :
	    DS_ERROR_PERMANENT, "%s: %s", what,
	    d->h ? sqlite3_errmsg(d->h) : "no database");
}

sqlite3 *
ds_db_sqlite_handle(struct ds_db *db)
{
	return db->ops == sq_ops() ? ((struct sq_db *)db)->h : NULL;
}

static bool
is_memory(const char *path)
{
	return strcmp(path, ":memory:") == 0 || *path == '\0';
}

/*
 * Create the parent directory (0700: the store holds forensic samples)
 * and the database file itself with mode 0600 before SQLite does, so
 * the -wal and -shm files SQLite derives from it get 0600 too.
 */
static bool
prepare_file(const char *path, GError **err)
{
	char *dir = g_path_get_dirname(path), *q = NULL;
	int fd, saved;
	bool ok = false;

	if (!g_file_test(dir, G_FILE_TEST_IS_DIR) &&
	    g_mkdir_with_parents(dir, 0700) != 0) {
		saved = errno;
		q = ds_quote(dir, strlen(dir), 200);
		ds_fail(err, DS_ERROR_IO, "cannot create directory '%s': %s",
		    q, g_strerror(saved));
		goto done;
	}
	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 && errno != EEXIST) {
		saved = errno;
		q = ds_quote(path, strlen(path), 200);
		ds_fail(err, DS_ERROR_IO, "cannot create database '%s': %s",
		    q, g_strerror(saved));
		goto done;
	}
	if (fd >= 0)
		close(fd);
	ok = true;
done:
	g_free(q);
	g_free(dir);
	return ok;
}

static bool
sq_exec(struct ds_db *db, const char *sql, GError **err)
{
	struct sq_db *d = (struct sq_db *)db;
	char *msg = NULL;

	if (sqlite3_exec(d->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		ds_fail(err, sq_code(sqlite3_extended_errcode(d->h)), "%s",
		    msg ? msg : sqlite3_errmsg(d->h));
		sqlite3_free(msg);
		return false;
	}
	return true;
}

/* Connection settings: THREATS notes on SQLite WAL, #11, #18. */
static bool
configure(struct sq_db *d, bool readonly, GError **err)
{
	sqlite3_stmt *s = NULL;
	const char *mode;
	bool ok = false;
	int rc, tries;

	sqlite3_busy_timeout(d->h, DS_SQLITE_BUSY_MS);
	if (!ds_db_sqlite_register_csum(d->h))
		return sq_fail(d, err, "register csum");
	/* no writable_schema, no journal_mode=OFF, no corrupting pragmas */
	sqlite3_db_config(d->h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	/* functions in the schema must be innocuous; no "string" idents */
	sqlite3_db_config(d->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    (int *)NULL);
	sqlite3_db_config(d->h, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	sqlite3_db_config(d->h, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_limit(d->h, SQLITE_LIMIT_LENGTH, DS_DB_MAX_LENGTH);
	if (readonly)
		return true;

	/*
	 * THREATS #18: while another run creates the database and turns
	 * WAL on, this pragma answers SQLITE_BUSY at once, without the busy
	 * handler: try again for as long as busy_timeout would wait.
	 */
	for (tries = 0;; tries++) {
		rc = sqlite3_prepare_v2(d->h, "PRAGMA journal_mode = WAL", -1,
		    &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
			break;
		if ((rc & 0xff) != SQLITE_BUSY ||
		    tries * 10 >= DS_SQLITE_BUSY_MS) {
			sq_fail(d, err, "set journal_mode");
			goto done;
		}
		sqlite3_finalize(s);
		s = NULL;
		g_usleep(10000);
	}
	mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || (strcmp(mode, "wal") != 0 &&
	    !(d->memory && strcmp(mode, "memory") == 0))) {
		ds_fail(err, DS_ERROR_DB, "database stays in journal mode %s, "
		    "not wal", mode ? mode : "(none)");
		goto done;
	}
	/*
	 * One transaction per input writes ~12 WAL frames per mail; a
	 * checkpoint (two fsyncs) every 1000 frames, the default, made
	 * Maildir ingest wait on the disk a quarter of its time: every
	 * 10000 frames (40 MiB of WAL) instead (bench/README.md).
	 */
	ok = sq_exec(&d->base, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA wal_autocheckpoint = 10000;"
	    "PRAGMA foreign_keys = ON", err);
done:
	sqlite3_finalize(s);
	return ok;
}

static void
sq_close(struct ds_db *db)
{
	struct sq_db *d = (struct sq_db *)db;
	guint i;

	sqlite3_close_v2(d->h);
	for (i = 0; i < d->lock_fds->len; i++)
		close(GPOINTER_TO_INT(g_ptr_array_index(d->lock_fds, i)) - 1);
	g_ptr_array_free(d->lock_fds, TRUE);
	g_free(d->base.name);
	g_free(d);
}

/*
 * Open the database file at target (":memory:": a private in-memory
 * one). Read-write creates the directory (0700) and file (0600) and
 * turns WAL on; DS_DB_READONLY never creates or changes anything,
 * DS_DB_NOCREATE opens read-write without creating or changing the
 * settings. A "file:" target is a SQLite URI.
 */
static struct ds_db *
sq_open(const char *target, unsigned flags, GError **err)
{
	struct sq_db *d = g_new0(struct sq_db, 1);
	bool ro = (flags & DS_DB_READONLY) != 0;
	bool nocreate = ro || (flags & DS_DB_NOCREATE) != 0;
	int rc, mode;

	d->base.ops = sq_ops();
	d->base.name = g_strdup(target);
	d->lock_fds = g_ptr_array_new();
	d->memory = is_memory(target);
	if (!d->memory && !nocreate && !prepare_file(target, err))
		goto fail;
	mode = ro ? SQLITE_OPEN_READONLY : nocreate ? SQLITE_OPEN_READWRITE :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	/* a file: URI (read-only opens: '?' and '#' in paths stay literal) */
	if (g_str_has_prefix(target, "file:"))
		mode |= SQLITE_OPEN_URI;
	rc = sqlite3_open_v2(target, &d->h, mode, NULL);
	if (rc != SQLITE_OK) {
		/* the caller names the database (ds_db_name) */
		ds_fail(err, sq_code(rc), "open: %s", d->h ?
		    sqlite3_errmsg(d->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(d->h, 1);
	if (!configure(d, nocreate, err))
		goto fail;
	return &d->base;
fail:
	sq_close(&d->base);
	return NULL;
}

static struct ds_dbq *
sq_prepare(struct ds_db *db, const char *sql, GError **err)
{
	struct sq_db *d = (struct sq_db *)db;
	struct sq_q *q;
	sqlite3_stmt *s = NULL;

	if (sqlite3_prepare_v3(d->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
	    NULL) != SQLITE_OK) {
		sq_fail(d, err, "prepare");
		return NULL;
	}
	q = g_new0(struct sq_q, 1);
	q->base.db = db;
	q->s = s;
	return &q->base;
}

#define SQ(q) (((struct sq_q *)(q))->s)

static void
sq_finalize(struct ds_dbq *q)
{
	sqlite3_finalize(SQ(q));
	g_free(q);
}

static void
sq_reset(struct ds_dbq *q)
{
	sqlite3_reset(SQ(q));
	sqlite3_clear_bindings(SQ(q));
}

static void
sq_bind_int64(struct ds_dbq *q, int i, int64_t v)
{
	sqlite3_bind_int64(SQ(q), i, v);
}

static void
sq_bind_double(struct ds_dbq *q, int i, double v)
{
	sqlite3_bind_double(SQ(q), i, v);
}

static void
sq_bind_text(struct ds_dbq *q, int i, const char *s, ssize_t len)
{
	if (s == NULL)
		sqlite3_bind_null(SQ(q), i);
	else
		sqlite3_bind_text64(SQ(q), i, s, len < 0 ? strlen(s) :
		    (sqlite3_uint64)len, SQLITE_TRANSIENT, SQLITE_UTF8);
}

static void
sq_bind_text_ref(struct ds_dbq *q, int i, const char *s, ssize_t len)
{
	if (s == NULL)
		sqlite3_bind_null(SQ(q), i);
	else
		sqlite3_bind_text64(SQ(q), i, s, len < 0 ? strlen(s) :
		    (sqlite3_uint64)len, SQLITE_STATIC, SQLITE_UTF8);
}

static void
sq_bind_blob(struct ds_dbq *q, int i, const void *p, size_t n)
{
	sqlite3_bind_blob64(SQ(q), i, p, n, SQLITE_TRANSIENT);
}

static void
sq_bind_null(struct ds_dbq *q, int i)
{
	sqlite3_bind_null(SQ(q), i);
}

static enum ds_db_step
sq_step(struct ds_dbq *q, GError **err)
{
	int rc = sqlite3_step(SQ(q));

	if (rc == SQLITE_ROW)
		return DS_DB_ROW;
	if (rc == SQLITE_DONE)
		return DS_DB_DONE;
	sq_fail((struct sq_db *)q->db, err, "step");
	sqlite3_reset(SQ(q));
	return DS_DB_FAIL;
}

static int
sq_col_count(struct ds_dbq *q)
{
	return sqlite3_column_count(SQ(q));
}

static bool
sq_col_null(struct ds_dbq *q, int i)
{
	return sqlite3_column_type(SQ(q), i) == SQLITE_NULL;
}

static int64_t
sq_col_int64(struct ds_dbq *q, int i)
{
	return sqlite3_column_int64(SQ(q), i);
}

static double
sq_col_double(struct ds_dbq *q, int i)
{
	return sqlite3_column_double(SQ(q), i);
}

static const char *
sq_col_text(struct ds_dbq *q, int i)
{
	return (const char *)sqlite3_column_text(SQ(q), i);
}

static const void *
sq_col_blob(struct ds_dbq *q, int i, size_t *len)
{
	const void *p = sqlite3_column_blob(SQ(q), i);

	*len = (size_t)sqlite3_column_bytes(SQ(q), i);
	return p;
}

static int64_t
sq_changes(struct ds_dbq *q)
{
	return sqlite3_changes64(((struct sq_db *)q->db)->h);
}

static bool
sq_in_tx(struct ds_db *db)
{
	return !sqlite3_get_autocommit(((struct sq_db *)db)->h);
}

/*
 * BEGIN IMMEDIATE: take the write lock now (waiting up to busy_timeout)
 * so nothing later in the transaction can fail with SQLITE_BUSY (a
 * deferred one that reads first fails at once in WAL mode).
 */
static bool
sq_begin(struct ds_db *db, GError **err)
{
	return sq_exec(db, "BEGIN IMMEDIATE", err);
}

/*
 * flock(LOCK_EX) on "<path>.lock" (key NULL) or "<path>.<key>.lock",
 * polling for up to wait_ms. An in-memory database needs no lock.
 */
static bool
sq_lock(struct ds_db *db, const char *key, unsigned wait_ms, GError **err)
{
	struct sq_db *d = (struct sq_db *)db;
	char *lock_path, *q = NULL;
	gint64 deadline;
	int fd, saved;
	bool ok = false;

	if (d->memory)
		return true;
	lock_path = key ? g_strconcat(db->name, ".", key, ".lock", NULL) :
	    g_strconcat(db->name, ".lock", NULL);
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
		q = ds_quote(lock_path, strlen(lock_path), 200);
		if (saved != EWOULDBLOCK) {
			ds_fail(err, DS_ERROR_IO, "cannot lock '%s': %s", q,
			    g_strerror(saved));
			goto done;
		}
		if (g_get_monotonic_time() >= deadline) {
			ds_fail(err, DS_ERROR_LOCKED,
			    "another dmarcsift run holds %s", q);
			goto done;
		}
		g_free(q);
		q = NULL;
		g_usleep((gulong)DS_LOCK_POLL_MS * 1000);
	}
	g_ptr_array_add(d->lock_fds, GINT_TO_POINTER(fd + 1));
	fd = -1;
	ok = true;
done:
	if (fd >= 0)
		close(fd);
	g_free(q);
	g_free(lock_path);
	return ok;
}

static int
sq_version(struct ds_db *db)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(((struct sq_db *)db)->h, "PRAGMA user_version",
	    -1, &s, NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

static bool
sq_set_version(struct ds_db *db, int v, GError **err)
{
	char pragma[48];

	/* a PRAGMA takes no parameters; v is our own small integer */
	g_snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
	return sq_exec(db, pragma, err);
}

const struct ds_db_ops ds_db_sqlite_ops = {
	.name = "sqlite",
	.kind = DS_DB_SQLITE,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.reset = sq_reset,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_text = sq_bind_text,
	.bind_text_ref = sq_bind_text_ref,
	.bind_blob = sq_bind_blob,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.col_count = sq_col_count,
	.col_null = sq_col_null,
	.col_int64 = sq_col_int64,
	.col_double = sq_col_double,
	.col_text = sq_col_text,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.in_tx = sq_in_tx,
	.begin = sq_begin,
	.lock = sq_lock,
	.version = sq_version,
	.set_version = sq_set_version,
};

static const struct ds_db_ops *
sq_ops(void)
{
	return &ds_db_sqlite_ops;
}
