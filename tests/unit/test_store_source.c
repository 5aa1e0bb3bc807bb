/*
 * test_store_source.c - mailbox source state in the store
 * (schema/store/store_source.c, schema/store/sql/011-source-state.sql)
 * on a real file.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: a message row put inside a transaction that rolls back is
 * gone with the reports; a changed epoch forgets the old ids; the IMAP
 * state of a store made before migration 011 is carried over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/store/store_source.h"
#include "tests/unit/helper_store.h"

#define BOX "imaps://dmarc@imap.example.com:993/INBOX"
#define GRAPH "graph://dmarc@example.com/Inbox"

struct row {
	char *id;
	enum ds_msg_state state;
	uint64_t size;
};

static bool
collect(const struct ds_msg_row *r, void *payload)
{
	struct row x = { g_strdup(r->msgid), r->state, r->size };

	g_array_append_val((GArray *)payload, x);
	return true;
}

static gint
cmp_row(gconstpointer a, gconstpointer b)
{
	return strcmp(((const struct row *)a)->id, ((const struct row *)b)->id);
}

static GArray *
rows(struct ds_store *st, const char *box, const char *epoch)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct row));
	GError *e = NULL;

	assert_true(ds_store_source_each(st, box, epoch, collect, a, &e));
	g_array_sort(a, cmp_row);
	return a;
}

static void
rows_free(GArray *a)
{
	guint i;

	for (i = 0; i < a->len; i++)
		g_free(g_array_index(a, struct row, i).id);
	g_array_free(a, TRUE);
}

static void
test_put_in_transaction(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	GArray *a;

	/* committed with a report */
	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "org", "r1", "example.com", 0, 86400, 2);
	assert_true(ds_store_source_put(f->st, BOX, "7", "3", DS_MSG_STORED,
	    0, &e));
	assert_true(ds_store_commit(f->st, &e));
	/* rolled back with its report: neither remains */
	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "org", "r2", "example.com", 0, 86400, 2);
	assert_true(ds_store_source_put(f->st, BOX, "7", "4",
	    DS_MSG_REJECTED, 0, &e));
	ds_store_rollback(f->st);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0), 1);
	a = rows(f->st, BOX, "7");
	assert_int_equal(a->len, 1);
	assert_string_equal(g_array_index(a, struct row, 0).id, "3");
	assert_int_equal(g_array_index(a, struct row, 0).state, DS_MSG_STORED);
	rows_free(a);
	/* outside a transaction it commits by itself; put replaces */
	assert_true(ds_store_source_put(f->st, BOX, "7", "9", DS_MSG_SKIPPED,
	    123456789, &e));
	assert_true(ds_store_source_put(f->st, BOX, "7", "9", DS_MSG_SKIPPED,
	    5, &e));
	assert_int_equal(ts_int(f->db, "SELECT size FROM source_msg WHERE "
	    "msgid = CAST(?1 AS TEXT)", 9), 5);
	assert_false(ds_store_source_put(f->st, BOX, "7", "", DS_MSG_DONE, 0,
	    &e));
	assert_int_equal(e->code, DS_ERROR_DB);
	g_clear_error(&e);
	assert_false(ds_store_source_put(f->st, BOX, "", "1", DS_MSG_DONE, 0,
	    &e));
	g_clear_error(&e);
}

static void
test_set_opaque_ids(void **state)
{
	struct ts_fx *f = *state;
	/* Graph ids are long base64 with '=', '-' and '_' */
	const char *ids[] = { "AAMkAGI2TG93AAA=", "AAMkAGI2-_x/y+z==",
		"AQMkADAwATM0MDAAMS0=" };
	const char *some[] = { ids[0], ids[2] };
	GError *e = NULL;
	GArray *a;
	guint i;

	for (i = 0; i < 3; i++)
		assert_true(ds_store_source_put(f->st, GRAPH, "folder-id",
		    ids[i], DS_MSG_STORED, 0, &e));
	assert_true(ds_store_source_set(f->st, GRAPH, "folder-id", some, 2,
	    DS_MSG_DONE, &e));
	a = rows(f->st, GRAPH, "folder-id");
	assert_int_equal(a->len, 3);
	for (i = 0; i < a->len; i++)
		assert_int_equal(g_array_index(a, struct row, i).state,
		    strcmp(g_array_index(a, struct row, i).id, ids[1]) == 0 ?
		    DS_MSG_STORED : DS_MSG_DONE);
	rows_free(a);
	/* another mailbox or epoch sees none of them */
	a = rows(f->st, BOX, "folder-id");
	assert_int_equal(a->len, 0);
	rows_free(a);
}

static void
test_epoch_change(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	char *old = (char *)"x";
	GArray *a;

	assert_true(ds_store_source_mailbox(f->st, BOX, "7", &old, &e));
	assert_null(old);		/* first seen */
	assert_true(ds_store_source_put(f->st, BOX, "7", "1", DS_MSG_DONE, 0,
	    &e));
	assert_true(ds_store_source_put(f->st, "imap://other:143/INBOX", "7",
	    "1", DS_MSG_DONE, 0, &e));
	assert_true(ds_store_source_mailbox(f->st, BOX, "7", &old, &e));
	assert_null(old);		/* unchanged */
	a = rows(f->st, BOX, "7");
	assert_int_equal(a->len, 1);
	rows_free(a);
	assert_true(ds_store_source_mailbox(f->st, BOX, "8", &old, &e));
	assert_string_equal(old, "7");	/* changed: old ids gone */
	g_free(old);
	a = rows(f->st, BOX, "7");
	assert_int_equal(a->len, 0);
	rows_free(a);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM source_msg", 0),
	    1);
	assert_int_equal(ts_int(f->db, "SELECT epoch FROM source_mailbox", 0),
	    8);
}

/* A store made by a dmarcsift before 011, with IMAP state, upgraded. */
static void
test_migrate_imap_state(void **state)
{
	struct ts_fx *f = *state;
	const struct ds_embed *m;
	struct ds_store *st;
	GError *e = NULL;
	char *dir, *path, *pragma;
	sqlite3 *db;
	GArray *a;
	int last = 0;

	(void)f;
	dir = g_dir_make_tmp("ds-mig-XXXXXX", NULL);
	path = g_build_filename(dir, "old.db", NULL);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	for (m = ds_migrations; m->name != NULL; m++)
		if (strcmp(m->name, "011") < 0) {
			assert_int_equal(sqlite3_exec(db, m->data, NULL, NULL,
			    NULL), SQLITE_OK);
			/* the store is at the last migration applied */
			last = (int)g_ascii_strtoll(m->name, NULL, 10);
		}
	pragma = g_strdup_printf("PRAGMA user_version = %d", last);
	assert_int_equal(sqlite3_exec(db, pragma, NULL, NULL, NULL),
	    SQLITE_OK);
	g_free(pragma);
	assert_int_equal(sqlite3_exec(db, "INSERT INTO imap_mailbox VALUES ('" BOX "', 42, 1000);"
	    "INSERT INTO imap_uid VALUES ('" BOX "', 42, 5, 'stored', 0, 1);"
	    "INSERT INTO imap_uid VALUES ('" BOX "', 42, 6, 'done', 0, 1);"
	    "INSERT INTO imap_uid VALUES ('" BOX "', 42, 7, 'skipped', 99, 1);",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	st = ds_store_open(path, &e);
	assert_null(e);
	a = rows(st, BOX, "42");
	assert_int_equal(a->len, 3);
	assert_string_equal(g_array_index(a, struct row, 0).id, "5");
	assert_int_equal(g_array_index(a, struct row, 0).state, DS_MSG_STORED);
	assert_int_equal(g_array_index(a, struct row, 1).state, DS_MSG_DONE);
	assert_int_equal(g_array_index(a, struct row, 2).state,
	    DS_MSG_SKIPPED);
	assert_int_equal(g_array_index(a, struct row, 2).size, 99);
	rows_free(a);
	ds_store_close(st);
	{
		const char *sfx[] = { "", "-wal", "-shm", ".lock" };
		char *p;
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(sfx); i++) {
			p = g_strconcat(path, sfx[i], NULL);
			remove(p);
			g_free(p);
		}
	}
	remove(dir);
	g_free(path);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_put_in_transaction,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_set_opaque_ids, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_epoch_change, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_migrate_imap_state,
		    ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
