/*
 * migrate.c - bring a store's schema up to date from the embedded
 * schema/store/sql/NNN-name.sql files, tracked by PRAGMA user_version.
 * SPDX-License-Identifier: MIT
 *
 * Migration NNN runs when user_version < NNN, in its own BEGIN IMMEDIATE
 * transaction that also sets user_version = NNN, so a crash leaves the
 * store at NNN-1 or NNN, never between (THREATS #19). user_version is
 * read again once the write lock is held, so two runs opening a new
 * store at once apply each migration exactly once (THREATS #18).
 */
#include <string.h>

#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/store/store_priv.h"

/* Only names like "001-initial.sql" are migrations. */
static int
migration_number(const char *name)
{
	size_t n = strlen(name);
	int v;

	if (n < 9 || !g_ascii_isdigit(name[0]) ||
	    !g_ascii_isdigit(name[1]) || !g_ascii_isdigit(name[2]) ||
	    name[3] != '-' || strcmp(name + n - 4, ".sql") != 0)
		return 0;
	v = (name[0] - '0') * 100 + (name[1] - '0') * 10 + (name[2] - '0');
	return v;
}

/* Apply migration e (number v) unless a concurrent run already did. */
static bool
apply(struct ds_store *st, const struct ds_embed *e, int v, GError **err)
{
	char pragma[48];
	int now;

	if (!ds_store_exec(st, "BEGIN IMMEDIATE", "begin migration", err))
		return false;
	now = ds_store_schema_version(st);
	if (now < 0) {
		ds_store_fail(st, err, "read user_version");
		goto fail;
	}
	if (now >= v) {
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
		return true;
	}
	if (sqlite3_exec(st->db, e->data, NULL, NULL, NULL) != SQLITE_OK) {
		ds_store_fail(st, err, "migration %s", e->name);
		goto fail;
	}
	/* a PRAGMA takes no parameters; v is our own small integer */
	g_snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d", v);
	if (!ds_store_exec(st, pragma, "set user_version", err) ||
	    !ds_store_exec(st, "COMMIT", "commit migration", err))
		goto fail;
	return true;
fail:
	if (!sqlite3_get_autocommit(st->db))
		sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
	return false;
}

/* The newest migration number built in. */
int
ds_store_schema_latest(void)
{
	const struct ds_embed *e;
	int v, last = 0;

	for (e = ds_migrations; e->name != NULL; e++)
		if ((v = migration_number(e->name)) > last)
			last = v;
	return last;
}

bool
ds_store_too_new(struct ds_store *st, int have, int latest, GError **err)
{
	char *q = ds_quote(st->path, strlen(st->path), 200);

	ds_fail(err, DS_ERROR_PERMANENT, "database '%s': schema version %d "
	    "is newer than this dmarcsift knows (%d): use the dmarcsift that "
	    "wrote it, or a newer one", q, have, latest);
	g_free(q);
	return false;
}

bool
ds_store_migrate(struct ds_store *st, GError **err)
{
	const struct ds_embed *e;
	int have, v, last = 0;

	have = ds_store_schema_version(st);
	if (have < 0)
		return ds_store_fail(st, err, "read user_version");
	for (e = ds_migrations; e->name != NULL; e++) {
		if ((v = migration_number(e->name)) == 0)
			continue;
		/* the table is sorted by name: numbers must rise */
		if (v <= last)
			return ds_fail(err, DS_ERROR_DB,
			    "migration %s repeats number %03d", e->name, v);
		last = v;
		if (v > have && !apply(st, e, v, err))
			return false;
	}
	if (have > last)
		return ds_store_too_new(st, have, last, err);
	return true;
}
