/*
 * test_store.c - the SQLite store on real files: open, migrations,
 * transactions, inputs by hash, quarantine, the run lock.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (input hash dedup), #18 (flock between two opens), #19
 * (savepoint rollback). Checks go through a second, plain sqlite3
 * connection to the same file (tests/unit/helper_store.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/store/store.h"
#include "tests/unit/helper_store.h"

/* The highest migration number embedded in this build. */
static int
newest_migration(void)
{
	const struct ds_embed *e;
	int v = 0;

	for (e = ds_migrations; e->name; e++)
		if (g_ascii_isdigit(e->name[0]))
			v = MAX(v, (int)g_ascii_strtoll(e->name, NULL, 10));
	return v;
}

static void
test_open_twice(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	struct stat sb;
	char *mode, *dir;
	int want = newest_migration();

	assert_true(want >= 1);
	assert_int_equal(ds_store_schema_version(f->st), want);
	assert_string_equal(ds_store_path(f->st), f->path);
	ds_store_close(f->st);
	f->st = ds_store_open(f->path, &e);
	assert_null(e);
	assert_non_null(f->st);
	assert_int_equal(ds_store_schema_version(f->st), want);
	assert_int_equal(ts_int(f->db, "PRAGMA user_version", 0), want);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('message', 'report', "
	    "'record', 'quarantine')", 0), 4);
	mode = ts_text(f->db, "PRAGMA journal_mode", 0);
	assert_string_equal(mode, "wal");
	g_free(mode);
	/* forensic data: the directory and file are private */
	dir = g_path_get_dirname(f->path);
	assert_int_equal(stat(dir, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	assert_int_equal(stat(f->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0077, 0);
	g_free(dir);
}

static void
test_newer_schema_refused(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store *st;
	GError *e = NULL;
	sqlite3 *rw;

	assert_int_equal(sqlite3_open(f->path, &rw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rw, "PRAGMA user_version = 999", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(rw);
	st = ds_store_open(f->path, &e);
	assert_null(st);
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_PERMANENT);
	assert_non_null(strstr(e->message, "newer"));
	assert_non_null(strstr(e->message, f->path));
	g_clear_error(&e);
}

static void
test_savepoint_rollback(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t kept, half;

	assert_false(ds_store_savepoint(f->st, &e));	/* no transaction */
	g_clear_error(&e);
	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_savepoint(f->st, &e));
	kept = ts_put_report(f->st, "a.example", "kept", "example.com", 1, 2,
	    2);
	assert_true(ds_store_release(f->st, &e));

	assert_true(ds_store_savepoint(f->st, &e));
	ts_meta_fill(&m, "a.example", "half", "example.com", 1, 2);
	assert_true(ds_store_report_put(f->st, &m, "t", 0, &half, &e));
	ts_record_fill(&r, "198.51.100.7", 5, NULL);
	assert_true(ds_store_record_put(f->st, half, &r, &e));
	ds_store_rollback_to(f->st);
	assert_true(ds_store_release(f->st, &e));
	assert_false(ds_store_release(f->st, &e));	/* none left */
	g_clear_error(&e);
	assert_true(ds_store_commit(f->st, &e));

	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0), 1);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM record "
	    "WHERE report_row <> ?1", kept), 0);
	/* the dropped key is free again */
	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_report_put(f->st, &m, "t", 0, &half, &e));
	assert_null(e);
	ds_store_rollback(f->st);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0), 1);
	ts_record_free(&r);
	ts_meta_free(&m);
}

static void
test_message_dedup(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store_counts c;
	GError *e = NULL;
	int64_t id1, id2;
	char *h1, *h2;

	h1 = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "one", -1);
	h2 = g_compute_checksum_for_string(G_CHECKSUM_SHA256, "two", -1);
	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_message_put(f->st, h1, "mbox:1", 3, &id1, &e));
	/* not done yet (say, a crash before commit): same row again */
	assert_true(ds_store_message_put(f->st, h1, "mbox:2", 3, &id2, &e));
	assert_int_equal(id1, id2);
	assert_true(ds_store_message_done(f->st, id1, "done", &e));
	assert_false(ds_store_message_put(f->st, h1, "mbox:3", 3, &id2, &e));
	assert_int_equal(e->code, DS_ERROR_DUP);
	g_clear_error(&e);
	/* rejected inputs are tried again */
	assert_true(ds_store_message_put(f->st, h2, "mbox:4", 3, &id2, &e));
	assert_true(ds_store_message_done(f->st, id2, "rejected", &e));
	assert_true(ds_store_message_put(f->st, h2, "mbox:5", 3, &id1, &e));
	assert_int_equal(id1, id2);
	/* bad status, unknown row, bad hash */
	assert_false(ds_store_message_done(f->st, id2, "bogus", &e));
	g_clear_error(&e);
	assert_false(ds_store_message_done(f->st, 987654, "done", &e));
	g_clear_error(&e);
	assert_false(ds_store_message_put(f->st, "abc'--", "x", 1, &id1, &e));
	g_clear_error(&e);
	assert_true(ds_store_commit(f->st, &e));
	assert_null(e);

	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM message", 0), 2);
	assert_int_equal(ts_int(f->db, "SELECT arrivals FROM message "
	    "WHERE id = ?1", id2), 2);
	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.messages, 2);
	g_free(h1);
	g_free(h2);
}

static void
test_quarantine_dedup(void **state)
{
	static const char raw[] = "From: x\r\n\r\n\0binary\xff\0";
	struct ts_fx *f = *state;
	struct ds_store_counts c;
	sqlite3_stmt *s;
	GError *e = NULL;
	char *sha;

	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_quarantine_put(f->st, "imap://h/INBOX;UID=1",
	    "xml: not well-formed", raw, sizeof(raw), &e));
	assert_true(ds_store_quarantine_put(f->st, "imap://h/INBOX;UID=2",
	    "xml: not well-formed", raw, sizeof(raw), &e));
	assert_true(ds_store_quarantine_put(f->st, "file",
	    "zip: encrypted entry", raw, sizeof(raw), &e));
	assert_true(ds_store_quarantine_put(f->st, "empty", "empty input",
	    NULL, 0, &e));
	assert_true(ds_store_commit(f->st, &e));
	assert_null(e);

	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM quarantine", 0),
	    3);
	sha = g_compute_checksum_for_data(G_CHECKSUM_SHA256,
	    (const guchar *)raw, sizeof(raw));
	assert_int_equal(sqlite3_prepare_v2(f->db, "SELECT raw, size, sha256 "
	    "FROM quarantine WHERE source = 'imap://h/INBOX;UID=1'", -1, &s,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	assert_int_equal(sqlite3_column_bytes(s, 0), sizeof(raw));
	assert_memory_equal(sqlite3_column_blob(s, 0), raw, sizeof(raw));
	assert_int_equal(sqlite3_column_int64(s, 1), sizeof(raw));
	assert_string_equal((const char *)sqlite3_column_text(s, 2), sha);
	sqlite3_finalize(s);
	assert_int_equal(ts_int(f->db, "SELECT length(raw) FROM quarantine "
	    "WHERE source = 'empty'", 0), 0);
	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.quarantined, 3);
	g_free(sha);
}

static void
test_lock(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store *other;
	GError *e = NULL;
	gint64 t0, waited;

	assert_true(ds_store_lock(f->st, 0, &e));
	assert_true(ds_store_lock(f->st, 0, &e));	/* already ours */
	other = ds_store_open(f->path, &e);
	assert_non_null(other);
	t0 = g_get_monotonic_time();
	assert_false(ds_store_lock(other, 100, &e));
	waited = g_get_monotonic_time() - t0;
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_LOCKED);
	assert_non_null(strstr(e->message, ".lock"));
	assert_true(waited >= 100 * 1000);
	g_clear_error(&e);
	ds_store_close(f->st);		/* releases the lock */
	f->st = NULL;
	assert_true(ds_store_lock(other, 100, &e));
	assert_null(e);
	f->st = other;
}

/*
 * On SQLite a mailbox's lock is the run lock of the database: any key
 * taken by one connection keeps another out of every key and of the run
 * lock, and a connection holding the run lock takes any key at once.
 */
static void
test_lock_key(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store *other;
	GError *e = NULL;

	assert_true(ds_store_lock_key(f->st, "imaps://a@h/INBOX", 0, &e));
	assert_true(ds_store_lock_key(f->st, "imaps://b@h/INBOX", 0, &e));
	assert_true(ds_store_lock(f->st, 0, &e));	/* the same lock */
	other = ds_store_open(f->path, &e);
	assert_non_null(other);
	assert_false(ds_store_lock_key(other, "imaps://c@h/INBOX", 50, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_LOCKED);
	assert_non_null(strstr(e->message, ".lock"));
	g_clear_error(&e);
	assert_false(ds_store_lock(other, 0, &e));
	g_clear_error(&e);
	ds_store_close(f->st);
	f->st = other;
	assert_true(ds_store_lock_key(other, "imaps://c@h/INBOX", 50, &e));
	assert_true(ds_store_lock(other, 0, &e));
	assert_null(e);
}

/* Reports for test_reports_each; expectations computed from this. */
struct holder {
	const char *path;
	GMutex mu;
	GCond cond;
	bool began;		/* holder is inside its transaction */
	bool ok;		/* holder committed (checked by the test) */
};

/*
 * Hold the write lock of another connection for 300 ms, then commit.
 * No cmocka asserts here: they must run on the test's thread.
 */
static gpointer
hold_write(gpointer data)
{
	struct holder *h = data;
	struct ds_store *st = ds_store_open(h->path, NULL);
	int64_t id;
	bool ok;

	ok = st != NULL && ds_store_begin(st, NULL) &&
	    ds_store_message_put(st, "0123456789abcdef0123456789abcdef"
	    "0123456789abcdef0123456789abcdef", "holder", 1, &id, NULL);
	g_mutex_lock(&h->mu);
	h->began = true;
	g_cond_signal(&h->cond);
	g_mutex_unlock(&h->mu);
	g_usleep(300 * 1000);
	h->ok = ok && ds_store_commit(st, NULL);
	ds_store_close(st);
	return NULL;
}

/* THREATS #18: BEGIN IMMEDIATE waits (busy_timeout), never SQLITE_BUSY */
static void
test_busy_waits(void **state)
{
	struct ts_fx *f = *state;
	struct holder h = { f->path, { 0 }, { 0 }, false, false };
	GThread *t;
	GError *e = NULL;
	gint64 t0;

	g_mutex_init(&h.mu);
	g_cond_init(&h.cond);
	t = g_thread_new("holder", hold_write, &h);
	g_mutex_lock(&h.mu);
	while (!h.began)
		g_cond_wait(&h.cond, &h.mu);
	g_mutex_unlock(&h.mu);
	t0 = g_get_monotonic_time();
	assert_true(ds_store_begin(f->st, &e));
	assert_null(e);
	assert_true(g_get_monotonic_time() - t0 >= 100 * 1000);
	ds_store_rollback(f->st);
	g_thread_join(t);
	/* we got the lock only once the holder had committed */
	assert_true(h.ok);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM message", 0), 1);
	g_mutex_clear(&h.mu);
	g_cond_clear(&h.cond);
}

static void
test_default_path(void **state)
{
	char *old_db = g_strdup(getenv("DMARCSIFT_DB"));
	char *old_xdg = g_strdup(getenv("XDG_DATA_HOME"));
	char *p, *want;

	(void)state;
	setenv("DMARCSIFT_DB", "/srv/d.db", 1);
	p = ds_store_default_path();
	assert_string_equal(p, "/srv/d.db");
	g_free(p);
	unsetenv("DMARCSIFT_DB");
	setenv("XDG_DATA_HOME", "/xdg", 1);
	p = ds_store_default_path();
	assert_string_equal(p, "/xdg/dmarcsift/dmarc.db");
	g_free(p);
	setenv("XDG_DATA_HOME", "relative", 1);	/* XDG: ignored */
	p = ds_store_default_path();
	want = g_build_filename(getenv("HOME") ? getenv("HOME") :
	    g_get_home_dir(), ".local/share/dmarcsift/dmarc.db", NULL);
	assert_string_equal(p, want);
	g_free(p);
	g_free(want);
	if (old_db)
		setenv("DMARCSIFT_DB", old_db, 1);
	if (old_xdg)
		setenv("XDG_DATA_HOME", old_xdg, 1);
	else
		unsetenv("XDG_DATA_HOME");
	g_free(old_db);
	g_free(old_xdg);
}

static void
test_memory_store(void **state)
{
	struct ds_store *st;
	GError *e = NULL;

	(void)state;
	st = ds_store_open(":memory:", &e);
	assert_non_null(st);
	assert_true(ds_store_lock(st, 0, &e));
	assert_true(ds_store_begin(st, &e));
	ts_put_report(st, "a", "b", "c.example", 1, 2, 2);
	assert_true(ds_store_commit(st, &e));
	assert_null(e);
	ds_store_close(st);
}

static void
test_embed_find(void **state)
{
	const struct ds_embed *e;

	(void)state;
	e = ds_embed_find(ds_migrations, "001-initial.sql");
	assert_non_null(e);
	assert_int_equal(strlen(e->data), e->len);
	assert_non_null(strstr(e->data, "CREATE TABLE report"));
	assert_null(ds_embed_find(ds_migrations, "001-initial"));
	assert_null(ds_embed_find(ds_migrations, NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_open_twice, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_savepoint_rollback,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_message_dedup, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_quarantine_dedup,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_lock_key, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_lock, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_busy_waits, ts_setup,
		    ts_teardown),
		cmocka_unit_test(test_default_path),
		cmocka_unit_test(test_memory_store),
		cmocka_unit_test(test_embed_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
