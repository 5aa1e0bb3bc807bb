/*
 * test_store_rollup.c - the sender_seen rollup (006-speed.sql) equals
 * what the raw records answer: after ingest, after duplicates, after a
 * report rolled back to its savepoint, and when migration 006 builds it
 * for a database written by an older dmarcsift (schema 4).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "schema/store/store_senders.h"
#include "tests/unit/helper_store.h"

/* The old "seen" answer, straight from the records (migration 004). */
#define RAW "SELECT rec.source_ip, lower(rep.domain)," \
    " min((rep.begin_ts + rep.end_ts) / 2)," \
    " max((rep.begin_ts + rep.end_ts) / 2)" \
    " FROM record AS rec JOIN report AS rep ON rep.id = rec.report_row" \
    " WHERE rec.source_ip IS NOT NULL GROUP BY 1, 2"
#define ROLL "SELECT source_ip, domain, first_mid, last_mid FROM sender_seen"

/* Rows of a EXCEPT b: 0 when a is contained in b. */
static int64_t
except(sqlite3 *db, const char *a, const char *b)
{
	char *sql = g_strdup_printf("SELECT count(*) FROM (%s EXCEPT %s)", a,
	    b);
	int64_t n = ts_int(db, sql, 0);

	g_free(sql);
	return n;
}

static void
assert_rollup_equal(sqlite3 *db)
{
	assert_int_equal(except(db, RAW, ROLL), 0);
	assert_int_equal(except(db, ROLL, RAW), 0);
}

/*
 * A report of n records from IPs base, base+step, ... (mod 251) in
 * 198.51.100.0/24 and one record without a source IP; no commit.
 */
static void
put(struct ds_store *st, const char *id, const char *domain, int64_t begin,
    int64_t end, unsigned n, unsigned base, unsigned step)
{
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row;
	char ip[32];
	unsigned i;

	ts_meta_fill(&m, "org", id, domain, begin, end);
	assert_true(ds_store_report_put(st, &m, "t", 0, &row, &e));
	for (i = 0; i <= n; i++) {
		g_snprintf(ip, sizeof(ip), "198.51.100.%u",
		    (base + i * step) % 251);
		ts_record_fill(&r, i == n ? NULL : ip, i + 1, "x");
		assert_true(ds_store_record_put(st, row, &r, &e));
		ts_record_free(&r);
	}
	assert_true(ds_store_report_finish(st, row, n + 1, 1, &m, &e));
	assert_null(e);
	ts_meta_free(&m);
}

static void
test_ingest_dup_rollback(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	GError *e = NULL;
	int64_t row;
	unsigned i;

	assert_true(ds_store_begin(f->st, &e));
	/* days out of order, two domains (one in upper case), overlaps */
	for (i = 0; i < 20; i++) {
		char id[16];

		g_snprintf(id, sizeof(id), "r%u", i);
		put(f->st, id, i % 3 ? "a.example" : "B.Example",
		    (int64_t)((i * 7) % 20) * 86400,
		    (int64_t)((i * 7) % 20 + 1 + i % 2) * 86400, 40, i * 5, 3);
	}
	assert_true(ds_store_commit(f->st, &e));
	assert_true(ts_int(f->db, "SELECT count(*) FROM sender_seen", 0) > 100);
	assert_rollup_equal(f->db);

	/* the same report again: a duplicate, nothing changes */
	ts_meta_fill(&m, "org", "r3", "b.example", 1 * 86400, 3 * 86400);
	assert_true(ds_store_begin(f->st, &e));
	assert_false(ds_store_report_put(f->st, &m, "t", 0, &row, &e));
	assert_true(g_error_matches(e, DS_ERROR, DS_ERROR_DUP));
	g_clear_error(&e);
	assert_true(ds_store_commit(f->st, &e));
	ts_meta_free(&m);
	assert_rollup_equal(f->db);

	/* a report rolled back to its savepoint leaves no trace */
	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_savepoint(f->st, &e));
	put(f->st, "gone", "a.example", -30 * 86400, -29 * 86400, 30, 7, 1);
	ds_store_rollback_to(f->st);
	ds_store_release(f->st, NULL);
	assert_true(ds_store_commit(f->st, &e));
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM sender_seen"
	    " WHERE first_mid < 0", 0), 0);
	assert_rollup_equal(f->db);

	/* an older report lowers first_mid, a newer one raises last_mid */
	assert_true(ds_store_begin(f->st, &e));
	put(f->st, "old", "a.example", -10 * 86400, -9 * 86400, 5, 0, 5);
	put(f->st, "new", "a.example", 90 * 86400, 91 * 86400, 5, 0, 5);
	assert_true(ds_store_commit(f->st, &e));
	assert_int_equal(ts_int(f->db, "SELECT first_mid FROM sender_seen"
	    " WHERE source_ip = '198.51.100.0' AND domain = 'a.example'", 0),
	    -10 * 86400 + 43200);
	assert_int_equal(ts_int(f->db, "SELECT last_mid FROM sender_seen"
	    " WHERE source_ip = '198.51.100.0' AND domain = 'A.EXAMPLE'", 0),
	    90 * 86400 + 43200);
	assert_rollup_equal(f->db);
}

/* senders --new through the rollup gives the raw records' answer. */
static void
test_senders_new(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	GPtrArray *rows;
	GError *e = NULL;
	struct ds_sender *s;
	char *sql;
	guint i;

	assert_true(ds_store_begin(f->st, &e));
	put(f->st, "d1", "a.example", 0, 86400, 20, 0, 1);
	put(f->st, "d2", "b.example", 86400, 2 * 86400, 20, 10, 1);
	put(f->st, "d3", "a.example", 2 * 86400, 3 * 86400, 20, 15, 1);
	assert_true(ds_store_commit(f->st, &e));
	ds_sender_query_init(&q);
	q.period.domain = "A.example";
	q.period.since = 2 * 86400;
	q.period.until = 3 * 86400;
	assert_true(ds_store_senders(f->st, &q, &rows, &e));
	assert_int_equal(rows->len, 21);	/* 20 IPs and "no IP" */
	for (i = 0; i < rows->len; i++) {
		s = rows->pdata[i];
		if (s->source_ip == NULL)
			continue;
		sql = g_strdup_printf("SELECT count(*) FROM record AS rec"
		    " JOIN report AS rep ON rep.id = rec.report_row"
		    " WHERE rec.source_ip = '%s' AND rep.domain = 'a.example'"
		    " AND (rep.begin_ts + rep.end_ts) / 2 < ?1", s->source_ip);
		assert_int_equal(s->is_new, ts_int(f->db, sql, q.period.since)
		    == 0);
		g_free(sql);
	}
	/*
	 * 15..19 were in d1 (0..19), b.example's 20..29 do not count:
	 * 198.51.100.20-34 are new, and the row without an IP
	 */
	q.only_new = true;
	g_ptr_array_unref(rows);
	assert_true(ds_store_senders(f->st, &q, &rows, &e));
	assert_int_equal(rows->len, 16);
	g_ptr_array_unref(rows);
	assert_null(e);
}

/* Run the SQL file DS_SRC/schema/store/sql/name on db. */
static void
run_sql(sqlite3 *db, const char *name)
{
	const char *src = g_getenv("DS_SRC");
	char *path, *text = NULL;

	assert_non_null(src);
	path = g_build_filename(src, "schema", "store", "sql", name, NULL);
	assert_true(g_file_get_contents(path, &text, NULL, NULL));
	assert_int_equal(sqlite3_exec(db, text, NULL, NULL, NULL), SQLITE_OK);
	g_free(text);
	g_free(path);
}

/*
 * A database as dmarcsift wrote it at schema 4 (records inserted with
 * plain SQL, as the old code did), then opened by this one: migration
 * 006 builds the rollup from the records.
 */
static void
test_migration(void **state)
{
	char *dir = g_dir_make_tmp("ds-roll-XXXXXX", NULL);
	char *path = g_build_filename(dir, "old.db", NULL);
	struct ds_store *st;
	GError *e = NULL;
	sqlite3 *db;
	int i;

	(void)state;
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	run_sql(db, "001-initial.sql");
	run_sql(db, "002-imap.sql");
	run_sql(db, "003-failure.sql");
	run_sql(db, "004-reporter.sql");
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 4;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 59) INSERT INTO report (id, org_name, report_id,"
	    " domain, begin_ts, end_ts, format, ingested_at)"
	    " SELECT i + 1, 'org' || (i % 4), 'id' || i,"
	    " CASE WHEN i % 3 THEN 'a.example' ELSE 'B.example' END,"
	    " (i % 17) * 86400, (i % 17 + 1) * 86400 + i, 'rfc7489', 0"
	    " FROM n;"
	    "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n"
	    " WHERE i < 5999) INSERT INTO record (report_row, source_ip,"
	    " count) SELECT i / 100 + 1, CASE WHEN i % 50 = 0 THEN NULL"
	    " ELSE '203.0.113.' || ((i * 7) % 97) END, i FROM n;",
	    NULL, NULL, NULL), SQLITE_OK);
	st = ds_store_open(path, &e);
	assert_null(e);
	assert_non_null(st);
	assert_true(ds_store_schema_version(st) >= 6);	/* and later ones */
	assert_true(ts_int(db, "SELECT count(*) FROM sender_seen", 0) > 100);
	assert_rollup_equal(db);
	/* the record indexes of 006 replaced those of 001 and 004 */
	assert_int_equal(ts_int(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name IN ('record_ip', 'record_report_cover',"
	    " 'record_report')", 0), 0);
	assert_int_equal(ts_int(db, "SELECT count(*) FROM sqlite_schema"
	    " WHERE name = 'record_report_seq'", 0), 1);
	/* and the store goes on maintaining it */
	assert_true(ds_store_begin(st, &e));
	for (i = 0; i < 3; i++) {
		char id[8];

		g_snprintf(id, sizeof(id), "n%d", i);
		put(st, id, "b.example", -86400 * i, 86400, 30, 40 * i, 2);
	}
	assert_true(ds_store_commit(st, &e));
	assert_rollup_equal(db);
	ds_store_close(st);
	sqlite3_close(db);
	remove(path);
	g_free(path);
	path = g_strconcat(dir, "/old.db-wal", NULL);
	remove(path);
	g_free(path);
	path = g_strconcat(dir, "/old.db-shm", NULL);
	remove(path);
	g_free(path);
	path = g_strconcat(dir, "/old.db.lock", NULL);
	remove(path);
	g_free(path);
	remove(dir);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest_dup_rollback,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_senders_new,
		    ts_setup, ts_teardown),
		cmocka_unit_test(test_migration),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
