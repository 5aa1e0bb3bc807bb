/*
 * test_store_imap.c - IMAP ingestion state in the store
 * (schema/store/store_imap.c, schema/store/sql/002-imap.sql) on a real file.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19: a UID row put inside a transaction that rolls back is
 * gone with the reports; a changed UIDVALIDITY forgets the old UIDs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/util/error.h"
#include "schema/store/store_imap.h"
#include "tests/unit/helper_store.h"

#define BOX "imaps://dmarc@imap.example.com:993/INBOX"

static bool
collect(const struct ds_imap_uid_row *row, void *payload)
{
	g_array_append_val((GArray *)payload, *row);
	return true;
}

static GArray *
rows(struct ds_store *st, uint32_t v)
{
	GArray *a = g_array_new(FALSE, FALSE, sizeof(struct ds_imap_uid_row));
	GError *e = NULL;

	assert_true(ds_store_imap_uids_each(st, BOX, v, collect, a, &e));
	return a;
}

static void
test_uid_in_transaction(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	GArray *a;

	/* committed with a report */
	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "org", "r1", "example.com", 0, 86400, 2);
	assert_true(ds_store_imap_uid_put(f->st, BOX, 7, 3,
	    DS_IMAP_STORED, 0, &e));
	assert_true(ds_store_commit(f->st, &e));
	/* rolled back with its report: neither remains */
	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "org", "r2", "example.com", 0, 86400, 2);
	assert_true(ds_store_imap_uid_put(f->st, BOX, 7, 4,
	    DS_IMAP_REJECTED, 0, &e));
	ds_store_rollback(f->st);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0), 1);
	a = rows(f->st, 7);
	assert_int_equal(a->len, 1);
	assert_int_equal(g_array_index(a, struct ds_imap_uid_row, 0).uid, 3);
	assert_int_equal(g_array_index(a, struct ds_imap_uid_row, 0).state,
	    DS_IMAP_STORED);
	g_array_free(a, TRUE);
	/* outside a transaction it commits by itself; put replaces */
	assert_true(ds_store_imap_uid_put(f->st, BOX, 7, 9, DS_IMAP_SKIPPED,
	    123456789, &e));
	assert_true(ds_store_imap_uid_put(f->st, BOX, 7, 9, DS_IMAP_SKIPPED,
	    5, &e));
	assert_int_equal(ts_int(f->db, "SELECT size FROM imap_uid WHERE "
	    "uid = ?1", 9), 5);
	assert_false(ds_store_imap_uid_put(f->st, BOX, 7, 0, DS_IMAP_DONE, 0,
	    &e));
	assert_int_equal(e->code, DS_ERROR_DB);
	g_clear_error(&e);
}

static void
test_uids_set(void **state)
{
	struct ts_fx *f = *state;
	uint32_t uids[] = { 1, 2, 5 };
	GError *e = NULL;
	GArray *a;
	guint i;

	for (i = 1; i <= 5; i++)
		assert_true(ds_store_imap_uid_put(f->st, BOX, 7, i,
		    DS_IMAP_STORED, 0, &e));
	assert_true(ds_store_imap_uids_set(f->st, BOX, 7, uids, 3,
	    DS_IMAP_DONE, &e));
	a = rows(f->st, 7);
	assert_int_equal(a->len, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(g_array_index(a, struct ds_imap_uid_row,
		    i).state, i == 2 || i == 3 ? DS_IMAP_STORED :
		    DS_IMAP_DONE);
	g_array_free(a, TRUE);
}

static void
test_uidvalidity_change(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	uint32_t old = 99;
	GArray *a;

	assert_true(ds_store_imap_mailbox(f->st, BOX, 7, &old, &e));
	assert_int_equal(old, 0);		/* first seen */
	assert_true(ds_store_imap_uid_put(f->st, BOX, 7, 1, DS_IMAP_DONE, 0,
	    &e));
	assert_true(ds_store_imap_uid_put(f->st, "imap://other:143/INBOX", 7,
	    1, DS_IMAP_DONE, 0, &e));
	assert_true(ds_store_imap_mailbox(f->st, BOX, 7, &old, &e));
	assert_int_equal(old, 0);		/* unchanged */
	a = rows(f->st, 7);
	assert_int_equal(a->len, 1);
	g_array_free(a, TRUE);
	assert_true(ds_store_imap_mailbox(f->st, BOX, 8, &old, &e));
	assert_int_equal(old, 7);		/* changed: old UIDs gone */
	a = rows(f->st, 7);
	assert_int_equal(a->len, 0);
	g_array_free(a, TRUE);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM imap_uid", 0), 1);
	assert_int_equal(ts_int(f->db, "SELECT uidvalidity FROM imap_mailbox",
	    0), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_uid_in_transaction,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_uids_set, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_uidvalidity_change,
		    ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
