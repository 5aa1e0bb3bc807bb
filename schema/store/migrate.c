/*
 * migrate.c - bring a store's schema up to date from the embedded
 * migrations of its back end: schema/store/sql/NNN-name.sql for SQLite,
 * schema/store/sql-pg/NNN-name.sql for PostgreSQL, tracked by the
 * driver's version (SQLite: PRAGMA user_version).
 * SPDX-License-Identifier: MIT
 *
 * Migration NNN runs when the version < NNN, in its own writer
 * transaction (ops->begin) that also records version NNN, so a crash
 * leaves the store at NNN-1 or NNN, never between (THREATS #19). The
 * version is read again once the write lock is held, so two runs
 * opening a new store at once apply each migration exactly once
 * (THREATS #18).
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

/* The migration set of st's back end. */
static const struct ds_embed *
migrations(struct ds_store *st)
{
	return ds_db_kind(st->db) == DS_DB_PG ? ds_migrations_pg :
	    ds_migrations;
}

/* Apply migration e (number v) unless a concurrent run already did. */
static bool
apply(struct ds_store *st, const struct ds_embed *e, int v, GError **err)
{
	int now;

	if (!ds_db_begin(st->db, err))
		return ds_store_fail(st, err, "begin migration");
	now = ds_store_schema_version(st);
	if (now < 0) {
		ds_store_fail(st, err, "read user_version");
		goto fail;
	}
	if (now >= v) {
		(void)ds_db_exec(st->db, "ROLLBACK", NULL);
		return true;
	}
	if (!ds_db_exec(st->db, e->data, err)) {
		ds_store_fail(st, err, "migration %s", e->name);
		goto fail;
	}
	if (!st->db->ops->set_version(st->db, v, err)) {
		ds_store_fail(st, err, "set user_version");
		goto fail;
	}
	if (!ds_store_exec(st, "COMMIT", "commit migration", err))
		goto fail;
	return true;
fail:
	if (ds_db_in_tx(st->db))
		(void)ds_db_exec(st->db, "ROLLBACK", NULL);
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
	for (e = migrations(st); e->name != NULL; e++) {
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
