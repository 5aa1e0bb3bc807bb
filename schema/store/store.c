/*
 * store.c - open and close the store on its database driver (db.h: the
 * connection settings live in the back end, db_sqlite.c), and the
 * helpers the other store_*.c files share (statement cache, errors).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11 (bound parameters only: every statement here is a
 * constant).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"

int64_t
ds_store_now(void)
{
	return g_get_real_time() / G_USEC_PER_SEC;
}

bool
ds_store_fail(struct ds_store *st, GError **err, const char *fmt, ...)
{
	va_list ap;
	char *what, *q;

	va_start(ap, fmt);
	what = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	q = ds_quote(st->path ? st->path : "", st->path ? strlen(st->path) :
	    0, 200);
	if (err != NULL && *err != NULL)
		g_prefix_error(err, "database '%s': %s: ", q, what);
	else
		g_set_error(err, DS_ERROR, DS_ERROR_DB, "database '%s': %s", q,
		    what);
	g_free(q);
	g_free(what);
	return false;
}

bool
ds_store_exec(struct ds_store *st, const char *sql, const char *what,
    GError **err)
{
	if (!ds_db_exec(st->db, sql, err))
		return ds_store_fail(st, err, "%s", what);
	return true;
}

struct ds_dbq *
ds_store_prepare(struct ds_store *st, const char *sql, const char *what,
    GError **err)
{
	struct ds_dbq *q = ds_db_prepare(st->db, sql, err);

	if (q == NULL)
		ds_store_fail(st, err, "%s", what);
	return q;
}

struct ds_dbq *
ds_store_stmt(struct ds_store *st, enum ds_stmt id, const char *sql,
    GError **err)
{
	struct ds_dbq *s = st->stmt[id];

	if (s == NULL) {
		s = ds_db_prepare(st->db, sql, err);
		if (s == NULL) {
			ds_store_fail(st, err, "prepare statement %d", id);
			return NULL;
		}
		st->stmt[id] = s;
	}
	ds_dbq_reset(s);
	return s;
}

bool
ds_store_step_done(struct ds_store *st, struct ds_dbq *s, const char *what,
    GError **err)
{
	if (!ds_dbq_run(s, err))
		return ds_store_fail(st, err, "%s", what);
	return true;
}

int64_t
ds_store_step_changes(struct ds_store *st, struct ds_dbq *s,
    const char *what, GError **err)
{
	enum ds_db_step rc;
	int64_t n;

	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW)
		;
	if (rc != DS_DB_DONE) {
		ds_store_fail(st, err, "%s", what);
		return -1;
	}
	n = ds_dbq_changes(s);
	ds_dbq_reset(s);
	return n;
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

/* The schema version recorded in the database, or -1 when unreadable. */
int
ds_store_schema_version(struct ds_store *st)
{
	return st->db->ops->version(st->db);
}

/*
 * Open the store at path (NULL: ds_store_default_path()): a file path
 * (SQLite: creating the directory (0700) and file (0600); ":memory:"
 * opens a private in-memory store) or a postgresql:// URI, then apply
 * the embedded migrations. Returns NULL with err set: DS_ERROR_IO
 * (directory or file), DS_ERROR_DB. Caller frees with ds_store_close().
 */
struct ds_store *
ds_store_open(const char *path, GError **err)
{
	struct ds_store *st = g_new0(struct ds_store, 1);
	guint i;

	st->path = path ? g_strdup(path) : ds_store_default_path();
	st->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	for (i = 0; i < G_N_ELEMENTS(st->json); i++)
		st->json[i] = g_string_sized_new(256);
	st->db = ds_db_open(st->path, 0, err);
	if (st->db == NULL) {
		char *q = ds_quote(st->path, strlen(st->path), 200);

		g_prefix_error(err, "database '%s': ", q);
		g_free(q);
		goto fail;
	}
	if (!ds_store_migrate(st, err))
		goto fail;
	return st;
fail:
	ds_store_close(st);
	return NULL;
}

/*
 * Close st: finalize the cached statements, close the connection (an
 * open transaction is rolled back) and release its locks. NULL-safe.
 */
void
ds_store_close(struct ds_store *st)
{
	guint i;

	if (st == NULL)
		return;
	for (i = 0; i < DS_STMT_COUNT; i++)
		ds_dbq_finalize(st->stmt[i]);
	ds_store_rollup_free(st);
	ds_dbq_finalize(st->part);
	ds_db_close(st->db);
	g_hash_table_destroy(st->keys);
	for (i = 0; i < G_N_ELEMENTS(st->json); i++)
		g_string_free(st->json[i], TRUE);
	g_free(st->path);
	g_free(st);
}
