/*
 * store_readonly.c - open a store for the commands that only read it
 * (reports, summary, senders, reporters, failures, html, weekly, doctor).
 * SPDX-License-Identifier: MIT
 *
 * SQLite only (a file: URI): a PostgreSQL role's grants make a reader.
 * A read-only command never creates a file or a directory (a mistyped
 * --db is an error naming the path), never changes the journal mode and
 * never migrates; it works on a database the user can read but not
 * write, in a directory the user cannot write.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"

/*
 * The schema must be the one this binary writes: an older one would
 * need a migration (a write), a newer one has columns we do not know.
 */
static bool
check_version(struct ds_store *st, GError **err)
{
	int have = ds_store_schema_version(st), latest;
	char *q;

	if (have < 0) {
		/* the version op keeps its reason: read the schema for it */
		(void)ds_db_exec(st->db, "SELECT count(*) FROM sqlite_schema",
		    err);
		return ds_store_fail(st, err, "read the schema version");
	}
	latest = ds_store_schema_latest();
	if (have > latest)
		return ds_store_too_new(st, have, latest, err);
	if (have == latest)
		return true;
	q = ds_quote(st->path, strlen(st->path), 200);
	if (have == 0)
		ds_fail(err, DS_ERROR_PERMANENT, "database '%s' is empty, not a "
		    "dmarcsift database (ingest creates one)", q);
	else
		ds_fail(err, DS_ERROR_PERMANENT, "database '%s' has schema "
		    "version %d, this dmarcsift %d: run 'dmarcsift ingest' "
		    "(or poll) once with write access to upgrade it", q, have,
		    latest);
	g_free(q);
	return false;
}

/*
 * Open uri (a SQLite file: URI), read-only unless st->readonly is false
 * (then read-write, never create); false with err naming the file.
 */
static bool
open_ro(struct ds_store *st, const char *uri, GError **err)
{
	ds_db_close(st->db);
	st->db = ds_db_open(uri, st->readonly ? DS_DB_READONLY :
	    DS_DB_NOCREATE, err);
	if (st->db == NULL) {
		char *q = ds_quote(st->path, strlen(st->path), 200);

		g_prefix_error(err, "database '%s': ", q);
		g_free(q);
		return false;
	}
	return true;
}

/* Whether this PostgreSQL role may write ip_info and the server takes
 * writes; false when it cannot say (then check_version tells why). */
static bool
pg_may_cache(struct ds_store *st)
{
	struct ds_dbq *q = ds_db_prepare(st->db, "SELECT CASE WHEN "
	    "has_table_privilege('ip_info', 'INSERT') AND "
	    "has_table_privilege('ip_info', 'UPDATE') AND "
	    "NOT pg_is_in_recovery() AND "
	    "current_setting('transaction_read_only') = 'off' "
	    "THEN 1 ELSE 0 END", NULL);
	bool ok = q && ds_dbq_step(q, NULL) == DS_DB_ROW &&
	    ds_dbq_int64(q, 0) == 1;

	ds_dbq_finalize(q);
	return ok;
}

/*
 * Open the store at path (NULL: ds_store_default_path()) read-only.
 * Fails with DS_ERROR_PERMANENT naming the file when it does not exist,
 * is not a regular file, is not a database, or has another schema
 * version; DS_ERROR_DB (retry) when it is locked. The one thing a
 * reading command writes is the enrichment cache (ip_info, README
 * "Summary, senders, reporters"): when the user may write the file and
 * its directory it is opened read-write for that (still never created,
 * migrated or switched to another journal mode); otherwise with
 * SQLITE_OPEN_READONLY, and the cache is not written.
 */
struct ds_store *
ds_store_open_readonly(const char *path, GError **err)
{
	struct ds_store *st = g_new0(struct ds_store, 1);
	char *uri = NULL, *wal = NULL, *abs, *q;
	struct stat sb;
	guint i;
	int saved;

	st->readonly = true;
	st->keys = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	st->path = path ? g_strdup(path) : ds_store_default_path();
	for (i = 0; i < G_N_ELEMENTS(st->json); i++)
		st->json[i] = g_string_sized_new(256);
	/*
	 * PostgreSQL: no file to look at, the server says what exists;
	 * read-write (the enrichment cache), never creating anything; a
	 * role that may not write the cache (the reader role of README
	 * "PostgreSQL": SELECT only) or a standby caches nothing.
	 */
	if (ds_db_ops_for(st->path)->kind == DS_DB_PG) {
		st->readonly = false;
		if (!open_ro(st, st->path, err))
			goto fail;
		st->readonly = !pg_may_cache(st);
		goto check;
	}
	saved = stat(st->path, &sb) != 0 ? errno : 0;
	if (saved != 0 || !S_ISREG(sb.st_mode)) {
		q = ds_quote(st->path, strlen(st->path), 200);
		if (*st->path == '\0' || strcmp(st->path, ":memory:") == 0)
			ds_fail(err, DS_ERROR_USAGE, "a read-only command needs "
			    "a database file, not '%s'", q);
		else if (S_ISDIR(sb.st_mode) && saved == 0)
			ds_fail(err, DS_ERROR_PERMANENT, "database '%s' is a "
			    "directory", q);
		else if (saved == 0)
			ds_fail(err, DS_ERROR_PERMANENT, "database '%s' is not "
			    "a regular file", q);
		else if (saved == ENOENT)
			ds_fail(err, DS_ERROR_PERMANENT, "database '%s' does "
			    "not exist (check --db; 'dmarcsift ingest' creates "
			    "it)", q);
		else
			ds_fail(err, DS_ERROR_PERMANENT, "database '%s': %s", q,
			    g_strerror(saved));
		g_free(q);
		goto fail;
	}
	/* the path as a file: URI, so '?' and '#' in it stay literal */
	abs = g_path_get_dirname(st->path);
	st->readonly = access(st->path, W_OK) != 0 || access(abs, W_OK) != 0;
	g_free(abs);
	abs = g_canonicalize_filename(st->path, NULL);
	uri = g_filename_to_uri(abs, NULL, NULL);
	g_free(abs);
	if (uri == NULL || !open_ro(st, uri, err))
		goto fail;
	if (ds_store_schema_version(st) < 0) {
		/*
		 * A WAL database in a directory we cannot write, with no -wal
		 * file: SQLite cannot create the -shm it needs. No -wal means
		 * no writer has it open, so read it as immutable (a writer
		 * starting meanwhile would create the -wal we checked for).
		 */
		wal = g_strconcat(st->path, "-wal", NULL);
		if (st->readonly && access(wal, F_OK) != 0) {
			char *imm = g_strconcat(uri, "?immutable=1", NULL);
			bool ok = open_ro(st, imm, err);

			g_free(imm);
			if (!ok)
				goto fail;
		}
	}
check:
	if (!check_version(st, err))
		goto fail;
	g_free(uri);
	g_free(wal);
	return st;
fail:
	g_free(uri);
	g_free(wal);
	ds_store_close(st);
	return NULL;
}

/* Whether st was opened by ds_store_open_readonly(). */
bool
ds_store_is_readonly(const struct ds_store *st)
{
	return st->readonly;
}
