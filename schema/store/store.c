/*
 * store.c - open and close the SQLite store, its settings, and the
 * helpers the other store_*.c files share (statement cache, errors).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11 (bound parameters only: every statement here is a
 * constant), #18 (WAL + busy_timeout), #19 (synchronous=NORMAL in WAL
 * keeps every COMMIT atomic and durable across a crash of dmarcsift).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"
#include "schema/store/db.h"

/* How long a statement waits for another connection's write lock. */
#define DS_STORE_BUSY_MS 10000

int64_t
ds_store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

int
ds_store_error_code(int rc)
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
		return DS_ERROR_DB;	/* busy, locked, full, I/O: retry */
	}
}

bool
ds_store_fail(struct ds_store *st, GError **err, const char *fmt, ...)
{
	va_list ap;
	char *what, *q;
	int rc = st->db ? sqlite3_extended_errcode(st->db) : SQLITE_CANTOPEN;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	q = ds_quote(st->path ? st->path : "", st->path ? strlen(st->path) :
	    0, 200);
	g_set_error(err, DS_ERROR, ds_store_error_code(rc),
	    "database '%s': %s: %s", q, what,
	    st->db ? sqlite3_errmsg(st->db) : "no database");
	g_free(q);
	g_free(what);
	return false;
}

bool
ds_store_exec(struct ds_store *st, const char *sql, const char *what,
    GError **err)
{
	if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return ds_store_fail(st, err, "%s", what);
	return true;
}

sqlite3_stmt *
ds_store_stmt(struct ds_store *st, enum ds_stmt id, const char *sql,
    GError **err)
{
	sqlite3_stmt *s = st->stmt[id];

	if (s == NULL) {
		if (sqlite3_prepare_v3(st->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &s, NULL) != SQLITE_OK) {
			ds_store_fail(st, err, "prepare statement %d", id);
			return NULL;
		}
		st->stmt[id] = s;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return s;
}

bool
ds_store_step_done(struct ds_store *st, sqlite3_stmt *s, const char *what,
    GError **err)
{
	int rc = sqlite3_step(s);

	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		ds_store_fail(st, err, "%s", what);
		sqlite3_reset(s);
		return false;
	}
	sqlite3_reset(s);
	return true;
}

/*
 * Return the default database path: $DMARCSIFT_DB when set, else
 * $XDG_DATA_HOME/dmarcsift/dmarc.db (XDG: only an absolute
 * XDG_DATA_HOME counts), else ~/.local/share/dmarcsift/dmarc.db. The
 * environment is read on every call. Caller frees.
 */
char *
ds_store_default_path(void)
{
	const char *env = getenv("DMARCSIFT_DB");
	const char *home;

	if (env && *env)
		return g_strdup(env);
	env = getenv("XDG_DATA_HOME");
	if (env && g_path_is_absolute(env))
		return g_build_filename(env, "dmarcsift", "dmarc.db", NULL);
	home = getenv("HOME");
	if (home == NULL || *home == '\0')
		home = g_get_home_dir();
	return g_build_filename(home, ".local", "share", "dmarcsift",
	    "dmarc.db", NULL);
}

/* The path st was opened with (borrowed). */
const char *
ds_store_path(const struct ds_store *st)
{
	return st->path;
}

/* PRAGMA user_version, or -1 when it cannot be read. */
int
ds_store_schema_version(struct ds_store *st)
{
	sqlite3_stmt *s = NULL;
	int v = -1;

	if (sqlite3_prepare_v2(st->db, "PRAGMA user_version", -1, &s,
	    NULL) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
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

/* Limits, functions and defensive flags of every connection (#11). */
bool
ds_store_settings(struct ds_store *st, GError **err)
{
	sqlite3_busy_timeout(st->db, DS_STORE_BUSY_MS);
	if (!ds_db_sqlite_register_csum(st->db))
		return ds_store_fail(st, err, "register csum");
	/* no writable_schema, no journal_mode=OFF, no corrupting pragmas */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)NULL);
	/* functions in the schema must be innocuous; no "string" idents */
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0,
	    (int *)NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	sqlite3_db_config(st->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_limit(st->db, SQLITE_LIMIT_LENGTH, DS_STORE_MAX_LENGTH);
	return true;
}

/* Connection settings: THREATS notes on SQLite WAL, #11, #18. */
static bool
configure(struct ds_store *st, bool memory, GError **err)
{
	sqlite3_stmt *s = NULL;
	const char *mode;
	bool ok = false;
	int rc, tries;

	if (!ds_store_settings(st, err))
		return false;
	/*
	 * THREATS #18: while another run creates the database and turns
	 * WAL on, this pragma answers SQLITE_BUSY at once, without the busy
	 * handler: try again for as long as busy_timeout would wait.
	 */
	for (tries = 0;; tries++) {
		rc = sqlite3_prepare_v2(st->db, "PRAGMA journal_mode = WAL", -1,
		    &s, NULL);
		if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW)
			break;
		if ((rc & 0xff) != SQLITE_BUSY ||
		    tries * 10 >= DS_STORE_BUSY_MS) {
			ds_store_fail(st, err, "set journal_mode");
			goto done;
		}
		sqlite3_finalize(s);
		s = NULL;
		g_usleep(10000);
	}
	mode = (const char *)sqlite3_column_text(s, 0);
	if (mode == NULL || (strcmp(mode, "wal") != 0 &&
	    !(memory && strcmp(mode, "memory") == 0))) {
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
	ok = ds_store_exec(st, "PRAGMA synchronous = NORMAL",
	    "set synchronous", err) &&
	    ds_store_exec(st, "PRAGMA wal_autocheckpoint = 10000",
	    "set wal_autocheckpoint", err) &&
	    ds_store_exec(st, "PRAGMA foreign_keys = ON",
	    "set foreign_keys", err);
done:
	sqlite3_finalize(s);
	return ok;
}

/*
 * Open the store at path (NULL: ds_store_default_path()), creating the
 * directory (0700) and file (0600), applying the connection settings and
 * the embedded migrations. ":memory:" opens a private in-memory store.
 * Returns NULL with err set: DS_ERROR_IO (directory or file), DS_ERROR_DB.
 * Caller frees with ds_store_close().
 */
struct ds_store *
ds_store_open(const char *path, GError **err)
{
	struct ds_store *st = g_new0(struct ds_store, 1);
	bool memory;
	int rc;
	guint i;

	st->lock_fd = -1;
	st->path = path ? g_strdup(path) : ds_store_default_path();
	for (i = 0; i < G_N_ELEMENTS(st->json); i++)
		st->json[i] = g_string_sized_new(256);
	memory = is_memory(st->path);
	if (!memory && !prepare_file(st->path, err))
		goto fail;
	rc = sqlite3_open_v2(st->path, &st->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE, NULL);
	if (rc != SQLITE_OK) {
		char *q = ds_quote(st->path, strlen(st->path), 200);

		if (st->db)
			ds_store_fail(st, err, "open");
		else
			ds_fail(err, ds_store_error_code(rc),
			    "database '%s': open: %s", q, sqlite3_errstr(rc));
		g_free(q);
		goto fail;
	}
	sqlite3_extended_result_codes(st->db, 1);
	if (!configure(st, memory, err) || !ds_store_migrate(st, err))
		goto fail;
	return st;
fail:
	ds_store_close(st);
	return NULL;
}

/*
 * Close st: finalize the cached statements, close the connection (an
 * open transaction is rolled back) and release the lock. NULL-safe.
 */
void
ds_store_close(struct ds_store *st)
{
	guint i;

	if (st == NULL)
		return;
	for (i = 0; i < DS_STMT_COUNT; i++)
		sqlite3_finalize(st->stmt[i]);
	ds_db_close(st->dbw);	/* issue 13: the db.h view, before its handle */
	sqlite3_close(st->db);
	if (st->lock_fd >= 0)
		close(st->lock_fd);
	for (i = 0; i < G_N_ELEMENTS(st->json); i++)
		g_string_free(st->json[i], TRUE);
	g_free(st->path);
	g_free(st);
}
