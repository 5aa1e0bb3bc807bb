/*
 * test_store_dayroll.c - the day rollups (015-rollup.sql) equal what an
 * independent implementation of the day rule computes from the raw
 * records: after ingest (same-day, multi-day, long, empty and absurd
 * reports), after a duplicate, after a report rolled back to its
 * savepoint, after prune, and when migration 015 builds them for an
 * existing database. The crash case is tests/store/t_rollup_crash.sh.
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
#include "schema/store/store_prune.h"
#include "tests/unit/helper_store.h"

#define D 86400

/* Saturating sum of counts. */
static int64_t
sat(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

static int64_t
fday(int64_t t)
{
	return t >= 0 ? t / D * D : -((-t + D - 1) / D) * D;
}

struct acc {
	int64_t records, messages;
};

static void
add(GHashTable *h, const char *key, int64_t records, int64_t messages)
{
	struct acc *a = g_hash_table_lookup(h, key);

	if (a == NULL) {
		a = g_new0(struct acc, 1);
		g_hash_table_insert(h, g_strdup(key), a);
	}
	a->records = sat(a->records, records);
	a->messages = sat(a->messages, messages);
}

/*
 * The rule of 015-rollup.sql written again from its text, with 128-bit
 * products: key "domain|day|ip|disp|dkim|spf|hfrom|org" -> sums.
 */
static GHashTable *
oracle(sqlite3 *db)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT lower(rep.domain),"
	    " rep.org_name, rep.begin_ts, rep.end_ts,"
	    " coalesce(rec.source_ip, ''), coalesce(rec.disposition, ''),"
	    " coalesce(rec.dkim, ''), coalesce(rec.spf, ''),"
	    " lower(coalesce(rec.header_from, '')), rec.count"
	    " FROM record AS rec JOIN report AS rep ON rep.id = rec.report_row",
	    -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t b = sqlite3_column_int64(s, 2);
		int64_t e = sqlite3_column_int64(s, 3);
		__int128 c = sqlite3_column_int64(s, 9);
		__int128 mid = ((__int128)b + e) / 2;
		int64_t md = fday((int64_t)mid), day, prev = 0, cur, share;
		char *rest = g_strdup_printf("%s|%s|%s|%s|%s|%s",
		    sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
		    sqlite3_column_text(s, 6), sqlite3_column_text(s, 7),
		    sqlite3_column_text(s, 8), sqlite3_column_text(s, 1));
		const char *dom = (const char *)sqlite3_column_text(s, 0);
		char *key;

		if (e <= b || (__int128)e - b > 31 * D ||
		    fday(b) == fday(e - 1)) {
			key = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%s",
			    dom, md, rest);
			add(h, key, 1, (int64_t)c);
			g_free(key);
			g_free(rest);
			continue;
		}
		for (day = fday(b); day < e; day += D) {
			int64_t upto = (day + D < e ? day + D : e) - b;

			cur = (int64_t)(c * upto / ((__int128)e - b));
			share = cur - prev;
			prev = cur;
			if (share == 0 && day != md)
				continue;
			key = g_strdup_printf("%s|%" G_GINT64_FORMAT "|%s",
			    dom, day, rest);
			add(h, key, day == md, share);
			g_free(key);
		}
		assert_true(prev == c);		/* the shares sum to c */
		g_free(rest);
	}
	sqlite3_finalize(s);
	/* rows with neither a record nor a message are not kept */
	{
		GHashTableIter it;
		gpointer v;

		g_hash_table_iter_init(&it, h);
		while (g_hash_table_iter_next(&it, NULL, &v)) {
			struct acc *a = v;

			if (a->records == 0 && a->messages == 0)
				g_hash_table_iter_remove(&it);
		}
	}
	return h;
}

/* day_rollup equals the oracle, row for row; returns the rows. */
static guint
assert_rollup(sqlite3 *db)
{
	GHashTable *want = oracle(db);
	sqlite3_stmt *s;
	guint rows = 0;

	assert_int_equal(sqlite3_prepare_v2(db, "SELECT domain, day,"
	    " source_ip, disposition, dkim, spf, header_from, org_name,"
	    " records, messages FROM day_rollup", -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		char *key = g_strdup_printf("%s|%lld|%s|%s|%s|%s|%s|%s",
		    sqlite3_column_text(s, 0), sqlite3_column_int64(s, 1),
		    sqlite3_column_text(s, 2), sqlite3_column_text(s, 3),
		    sqlite3_column_text(s, 4), sqlite3_column_text(s, 5),
		    sqlite3_column_text(s, 6), sqlite3_column_text(s, 7));
		struct acc *a = g_hash_table_lookup(want, key);

		if (a == NULL)
			fail_msg("rollup row %s not in the records", key);
		assert_int_equal(sqlite3_column_int64(s, 8), a->records);
		assert_int_equal(sqlite3_column_int64(s, 9), a->messages);
		g_hash_table_remove(want, key);
		g_free(key);
		rows++;
	}
	sqlite3_finalize(s);
	assert_int_equal(g_hash_table_size(want), 0);
	g_hash_table_destroy(want);
	return rows;
}

/* A report of n records (IPs 198.51.100.base + i*step), count cnt + i. */
static void
put(struct ds_store *st, const char *org, const char *id, const char *domain,
    int64_t begin, int64_t end, unsigned n, unsigned base, uint64_t cnt)
{
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row;
	char ip[32];
	unsigned i;

	ts_meta_fill(&m, org, id, domain, begin, end);
	assert_true(ds_store_report_put(st, &m, "t", 0, &row, &e));
	for (i = 0; i < n; i++) {
		g_snprintf(ip, sizeof(ip), "198.51.100.%u", (base + i * 3) % 7);
		ts_record_fill(&r, i % 5 == 4 ? NULL : ip, cnt + i, "x");
		r.disposition = (char *)(i % 3 ? "none" : "reject");
		r.dkim = (char *)(i % 2 ? "pass" : "fail");
		r.header_from = i % 4 ? (char *)"A.Example" : NULL;
		assert_true(ds_store_record_put(st, row, &r, &e));
		ts_record_free(&r);
	}
	assert_true(ds_store_report_finish(st, row, n, 1, &m, &e));
	assert_null(e);
	ts_meta_free(&m);
}

static int64_t
day_msgs(sqlite3 *db, int64_t day)
{
	return ts_int(db, "SELECT coalesce(sum(messages), 0) FROM day_rollup"
	    " WHERE day = ?1", day);
}

static void
fill(struct ds_store *st)
{
	GError *e = NULL;
	unsigned i;

	assert_true(ds_store_begin(st, &e));
	for (i = 0; i < 12; i++) {
		char id[16];

		g_snprintf(id, sizeof(id), "s%u", i);
		/* same-day reports, both end conventions, two reporters */
		put(st, i % 2 ? "org-a" : "org-b", id,
		    i % 3 ? "a.example" : "A.EXAMPLE", (int64_t)(10 + i % 4) * D,
		    (int64_t)(11 + i % 4) * D - (i % 2), 9, i, i);
	}
	/* 24 h from noon: two days */
	put(st, "org-a", "m1", "a.example", 20 * D + D / 2, 21 * D + D / 2, 6,
	    1, 1);
	/* 3 days and a bit, odd lengths */
	put(st, "org-c", "m2", "a.example", 30 * D + 1234, 33 * D + 77, 11, 2,
	    1000003);
	/* before 1970 */
	put(st, "org-c", "m3", "b.example", -3 * D - 5, -D + 7, 4, 3, 5);
	/* longer than 31 days: on the midpoint's day */
	put(st, "org-c", "m4", "b.example", 40 * D, 80 * D, 4, 3, 5);
	/* empty range */
	put(st, "org-c", "m5", "b.example", 90 * D + 5, 90 * D + 5, 3, 3, 5);
	/* absurd counts: shares without overflow, sums saturate */
	put(st, "org-d", "m6", "c.example", 50 * D + 3, 52 * D + 11, 5, 0,
	    (uint64_t)INT64_MAX - 10);
	put(st, "org-d", "m7", "c.example", 55 * D, 56 * D, 5, 0,
	    (uint64_t)INT64_MAX - 10);
	put(st, "org-d", "m8", "c.example", 55 * D, 56 * D - 1, 5, 0,
	    (uint64_t)INT64_MAX - 10);
	assert_true(ds_store_commit(st, &e));
}

static void
test_ingest(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	GError *e = NULL;
	int64_t row, total;

	fill(f->st);
	assert_true(assert_rollup(f->db) > 50);
	/* by hand: 24 h from noon, counts 1..6 = 21 messages, half a day
	   each: floor(c / 2) on day 20, the rest on day 21 (1+1+2+2+3=9) */
	assert_int_equal(ts_int(f->db, "SELECT sum(messages) FROM day_rollup"
	    " WHERE day = ?1 AND org_name = 'org-a'", 20 * D), 0 + 1 + 1 + 2 +
	    2 + 3);
	assert_int_equal(ts_int(f->db, "SELECT sum(messages) FROM day_rollup"
	    " WHERE day = ?1 AND org_name = 'org-a'", 21 * D), 21 - 9);
	/* its 6 records count once, on the midpoint's day (21) */
	assert_int_equal(ts_int(f->db, "SELECT sum(records) FROM day_rollup"
	    " WHERE org_name = 'org-a' AND day = ?1", 21 * D), 6);
	/* every report's messages are all there, spread or not */
	total = ts_int(f->db, "SELECT sum(count) FROM record AS rec JOIN"
	    " report AS rep ON rep.id = rec.report_row WHERE"
	    " lower(rep.domain) <> 'c.example'", 0);
	assert_int_equal(ts_int(f->db, "SELECT sum(messages) FROM day_rollup"
	    " WHERE domain <> 'c.example'", 0), total);
	/* the long report sits on day 60, the empty one on day 90 */
	assert_true(day_msgs(f->db, 60 * D) > 0);
	assert_int_equal(day_msgs(f->db, 59 * D), 0);
	assert_true(day_msgs(f->db, 90 * D) > 0);
	/* saturated, not wrapped or refused */
	assert_int_equal(ts_int(f->db, "SELECT max(messages) FROM day_rollup"
	    " WHERE domain = 'c.example'", 0), INT64_MAX);

	/* a duplicate changes nothing */
	ts_meta_fill(&m, "org-c", "m2", "A.example", 30 * D + 1234, 33 * D +
	    77);
	assert_true(ds_store_begin(f->st, &e));
	assert_false(ds_store_report_put(f->st, &m, "t", 0, &row, &e));
	assert_true(g_error_matches(e, DS_ERROR, DS_ERROR_DUP));
	g_clear_error(&e);
	assert_true(ds_store_commit(f->st, &e));
	ts_meta_free(&m);
	assert_rollup(f->db);

	/* a report rolled back to its savepoint leaves no trace */
	assert_true(ds_store_begin(f->st, &e));
	assert_true(ds_store_savepoint(f->st, &e));
	put(f->st, "org-z", "gone", "a.example", 10 * D, 12 * D, 8, 0, 3);
	ds_store_rollback_to(f->st);
	ds_store_release(f->st, NULL);
	assert_true(ds_store_commit(f->st, &e));
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM day_rollup WHERE"
	    " org_name = 'org-z'", 0), 0);
	assert_rollup(f->db);

	/* more reports on the same days add up in the same rows */
	assert_true(ds_store_begin(f->st, &e));
	put(f->st, "org-a", "s100", "a.example", 10 * D, 11 * D, 9, 0, 0);
	assert_true(ds_store_commit(f->st, &e));
	assert_rollup(f->db);
}

/* prune (samples, quarantine) never touches the rollups */
static void
test_prune(void **state)
{
	struct ts_fx *f = *state;
	struct ds_prune p;
	struct ds_prune_stats out;
	GError *e = NULL;
	guint n;

	fill(f->st);
	n = assert_rollup(f->db);
	ds_prune_init(&p);
	p.samples_before = INT64_MAX;
	p.quarantine_before = INT64_MAX;
	assert_true(ds_store_prune(f->st, &p, &out, &e));
	assert_null(e);
	assert_int_equal(assert_rollup(f->db), n);
}

/*
 * A store whose rollups are gone and whose schema says 14: opening it
 * runs migration 015 (and the later ones again), whose SQL must give
 * what ingest gave.
 */
static void
test_migration(void **state)
{
	struct ts_fx *f = *state;
	char *before, *after;
	GError *e = NULL;
	sqlite3 *rw;
	guint n;

	fill(f->st);
	n = assert_rollup(f->db);
	before = ts_text(f->db, "SELECT group_concat(x, ';') FROM (SELECT"
	    " domain || day || source_ip || disposition || dkim || spf ||"
	    " header_from || org_name || records || '/' || messages AS x"
	    " FROM day_rollup ORDER BY 1)", 0);
	ds_store_close(f->st);
	assert_int_equal(sqlite3_open(f->path, &rw), SQLITE_OK);
	/* back to 14: undo 015 and what later migrations (017, 018, 019)
	 * added */
	assert_int_equal(sqlite3_exec(rw, "DROP TABLE day_rollup;"
	    " DROP TABLE day_ip; DROP TABLE day_auth;"
	    " DROP TABLE retention; DROP TABLE report_conflict;"
	    " ALTER TABLE report DROP COLUMN content_hash;"
	    " DROP INDEX record_report_seq;"
	    " ALTER TABLE record DROP COLUMN mid_ts;"
	    " CREATE INDEX record_report_seq ON record (report_row, id,"
	    " source_ip, count, disposition, dkim, spf);"
	    " PRAGMA user_version = 14", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(rw);
	f->st = ds_store_open(f->path, &e);
	assert_null(e);
	assert_true(ds_store_schema_version(f->st) >= 15);
	assert_int_equal(assert_rollup(f->db), n);
	after = ts_text(f->db, "SELECT group_concat(x, ';') FROM (SELECT"
	    " domain || day || source_ip || disposition || dkim || spf ||"
	    " header_from || org_name || records || '/' || messages AS x"
	    " FROM day_rollup ORDER BY 1)", 0);
	assert_string_equal(before, after);
	g_free(before);
	g_free(after);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ingest, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_prune, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_migration, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
