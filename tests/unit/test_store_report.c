/*
 * test_store_report.c - aggregate reports in the SQLite store: records,
 * the report key, JSON columns, listings, counts, the reporter's plan.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11 (injection stored literally), #13 (report key dedup), #8
 * (JSON columns stay valid). Checks go through a second, plain sqlite3
 * connection to the same file (tests/unit/helper_store.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/util/error.h"
#include "schema/store/store.h"
#include "tests/unit/helper_store.h"

static void
test_report_and_records(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store_counts c;
	GError *e = NULL;
	int64_t row;
	char *s;

	assert_true(ds_store_begin(f->st, &e));
	row = ts_put_report(f->st, "google.com", "1234", "example.com", 1000,
	    2000, 3);
	assert_true(ds_store_commit(f->st, &e));
	assert_null(e);
	assert_true(row > 0);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM record "
	    "WHERE report_row = ?1", row), 3);
	assert_int_equal(ts_int(f->db, "SELECT sum(count) FROM record "
	    "WHERE report_row = ?1", row), 6);
	assert_int_equal(ts_int(f->db, "SELECT messages FROM report "
	    "WHERE id = ?1", row), 6);
	assert_int_equal(ts_int(f->db, "SELECT pct IS NULL FROM report "
	    "WHERE id = ?1", row), 1);
	s = ts_text(f->db, "SELECT format FROM report WHERE id = ?1", row);
	assert_string_equal(s, "rfc9990");
	g_free(s);
	s = ts_text(f->db, "SELECT json_extract(dkim_auth, '$[0].selector') "
	    "FROM record WHERE report_row = ?1 ORDER BY id LIMIT 1", row);
	assert_string_equal(s, "s1");
	g_free(s);
	s = ts_text(f->db, "SELECT json_type(dkim_auth, '$[1].selector') "
	    "FROM record WHERE report_row = ?1 ORDER BY id LIMIT 1", row);
	assert_string_equal(s, "null");
	g_free(s);
	s = ts_text(f->db, "SELECT group_concat(j.value ->> 'result', ',') "
	    "FROM record, json_each(record.spf_auth) AS j "
	    "WHERE report_row = ?1", row);
	assert_string_equal(s, "softfail,softfail,softfail");
	g_free(s);
	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.reports, 1);
	assert_int_equal(c.records, 3);
	assert_int_equal(c.records, ts_int(f->db,
	    "SELECT count(*) FROM record", 0));
	assert_int_equal(c.failures, 0);
}

static void
test_duplicate_key(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	GError *e = NULL;
	int64_t first, again = 0;

	assert_true(ds_store_begin(f->st, &e));
	first = ts_put_report(f->st, "google.com", "r-1", "example.com", 100,
	    200, 1);
	ts_meta_fill(&m, "google.com", "r-1", "Example.COM", 100, 200);
	assert_false(ds_store_report_put(f->st, &m, "again", 0, &again, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_DUP);
	assert_int_equal(again, first);
	g_clear_error(&e);
	/* same report_id, another range (rspamd): a new report */
	m.end = 300;
	assert_true(ds_store_report_put(f->st, &m, "again", 0, &again, &e));
	assert_true(again != first);
	ts_meta_free(&m);
	assert_true(ds_store_commit(f->st, &e));
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0), 2);
}

static void
test_record_needs_report(void **state)
{
	struct ts_fx *f = *state;
	struct ds_record r;
	GError *e = NULL;

	ts_record_fill(&r, "192.0.2.1", 1, NULL);
	assert_true(ds_store_begin(f->st, &e));
	/* foreign_keys is on */
	assert_false(ds_store_record_put(f->st, 424242, &r, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_DB);
	g_clear_error(&e);
	r.count = (uint64_t)INT64_MAX + 1;
	assert_false(ds_store_record_put(f->st, 1, &r, &e));
	assert_int_equal(e->code, DS_ERROR_SCHEMA);
	g_clear_error(&e);
	ds_store_rollback(f->st);
	ts_record_free(&r);
}

static void
test_sql_injection_literal(void **state)
{
	static const char *evil[] = {
		"x'); DROP TABLE report;--",
		"\"; DELETE FROM record; --",
		"1 OR 1=1",
		"'||(SELECT sqlite_version())||'",
	};
	struct ts_fx *f = *state;
	GError *e = NULL;
	int64_t row;
	char *s;
	size_t i;

	assert_true(ds_store_begin(f->st, &e));
	for (i = 0; i < G_N_ELEMENTS(evil); i++) {
		row = ts_put_report(f->st, evil[i], evil[i], evil[i], 1, 2, 1);
		assert_true(ds_store_commit(f->st, &e));
		s = ts_text(f->db, "SELECT report_id FROM report WHERE id = ?1",
		    row);
		assert_string_equal(s, evil[i]);
		g_free(s);
		s = ts_text(f->db, "SELECT org_name || domain FROM report "
		    "WHERE id = ?1", row);
		assert_true(g_str_has_prefix(s, evil[i]));
		assert_true(g_str_has_suffix(s, evil[i]));
		g_free(s);
		assert_true(ds_store_begin(f->st, &e));
	}
	ds_store_rollback(f->st);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM sqlite_schema "
	    "WHERE type = 'table' AND name IN ('message', 'report', "
	    "'record', 'quarantine')", 0), 4);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report", 0),
	    (int64_t)G_N_ELEMENTS(evil));
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM record", 0),
	    (int64_t)G_N_ELEMENTS(evil));
}

static void
test_json_columns(void **state)
{
	static const char *texts[] = {
		"plain",
		"quote \" backslash \\ slash /",
		"ctl \x01\x1f\x7f tab\tnl\ncr\r",
		"<script>alert(1)</script> & </x>",
		"line\xe2\x80\xa8sep\xe2\x80\xa9 \xc3\xa9\xf0\x9f\x98\x80",
		"",
	};
	struct ts_fx *f = *state;
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row;
	char *s, id[16];
	size_t i;

	assert_true(ds_store_begin(f->st, &e));
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		g_snprintf(id, sizeof(id), "json-%zu", i);
		ts_meta_fill(&m, "o", id, "example.com", 1, 2);
		g_ptr_array_add(m.warnings, g_strdup(texts[i]));
		g_ptr_array_add(m.errors, g_strdup(texts[i]));
		assert_true(ds_store_report_put(f->st, &m, "t", 0, &row, &e));
		ts_record_fill(&r, "2001:db8::1", 1, texts[i]);
		assert_true(ds_store_record_put(f->st, row, &r, &e));
		ts_record_free(&r);
		assert_true(ds_store_report_finish(f->st, row, 1, 1, &m, &e));
		ts_meta_free(&m);
	}
	/* invalid UTF-8 (never expected) still yields valid JSON */
	ts_meta_fill(&m, "o", "bad-utf8", "example.com", 1, 2);
	g_ptr_array_add(m.warnings, g_strdup("bad \xff\xfe byte"));
	assert_true(ds_store_report_put(f->st, &m, "t", 0, &row, &e));
	ts_meta_free(&m);
	assert_true(ds_store_commit(f->st, &e));
	assert_null(e);

	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM record WHERE "
	    "NOT json_valid(reasons) OR NOT json_valid(dkim_auth) OR "
	    "NOT json_valid(spf_auth)", 0), 0);
	assert_int_equal(ts_int(f->db, "SELECT count(*) FROM report WHERE "
	    "NOT json_valid(warnings) OR NOT json_valid(errors)", 0), 0);
	/* and the values round-trip exactly */
	for (i = 0; i < G_N_ELEMENTS(texts); i++) {
		row = ts_int(f->db, "SELECT id FROM report WHERE report_id = "
		    "'json-' || ?1", (int64_t)i);
		s = ts_text(f->db, "SELECT warnings ->> '$[0]' FROM report "
		    "WHERE id = ?1", row);
		assert_string_equal(s, texts[i]);
		g_free(s);
		s = ts_text(f->db, "SELECT errors ->> '$[0]' FROM report "
		    "WHERE id = ?1", row);
		assert_string_equal(s, texts[i]);
		g_free(s);
		s = ts_text(f->db, "SELECT reasons ->> '$[0].comment' FROM "
		    "record WHERE report_row = ?1", row);
		assert_string_equal(s, texts[i]);
		g_free(s);
		s = ts_text(f->db, "SELECT dkim_auth ->> '$[1].human_result' "
		    "FROM record WHERE report_row = ?1", row);
		assert_string_equal(s, texts[i]);
		g_free(s);
		/* nothing that could close a <script> element */
		assert_int_equal(ts_int(f->db, "SELECT instr(reasons, '<') + "
		    "instr(reasons, '>') + instr(reasons, '&') FROM record "
		    "WHERE report_row = ?1", row), 0);
	}
}

static const struct {
	const char *domain;
	int64_t begin, end;
} each_tab[] = {
	{ "one.example", 100, 200 },
	{ "one.example", 200, 300 },
	{ "two.example", 150, 250 },
	{ "one.example", 300, 400 },
	{ "two.example", 50, 100 },
};

struct seen {
	GString *ids;		/* "i,i,..." of each_tab indices */
	unsigned stop_after;	/* 0: never */
	unsigned n;
	int64_t last_begin;
};

static bool
each_cb(const struct ds_report_row *r, void *payload)
{
	struct seen *s = payload;

	assert_true(r->begin >= s->last_begin);	/* oldest first */
	s->last_begin = r->begin;
	assert_string_equal(r->policy_p, "reject");
	assert_string_equal(r->warnings_json, "[]");
	g_string_append_printf(s->ids, "%s,", r->report_id);
	s->n++;
	return s->stop_after == 0 || s->n < s->stop_after;
}

static void
check_query(struct ds_store *st, const char *domain, int64_t since,
    int64_t until, unsigned limit)
{
	struct seen s = { g_string_new(""), 0, 0, INT64_MIN };
	GString *want = g_string_new("");
	struct ds_query q;
	GError *e = NULL;
	unsigned n = 0;
	int64_t b;
	size_t i;

	ds_query_init(&q);
	q.domain = domain;
	q.since = since;
	q.until = until;
	q.limit = limit;
	/* ids in begin order: the table's begins are distinct */
	for (b = 0; b <= 1000; b++)
		for (i = 0; i < G_N_ELEMENTS(each_tab); i++)
			if (each_tab[i].begin == b &&
			    (domain == NULL || g_ascii_strcasecmp(domain,
			    each_tab[i].domain) == 0) &&
			    each_tab[i].end >= since &&
			    each_tab[i].begin < until &&
			    (limit == 0 || n < limit)) {
				g_string_append_printf(want, "%zu,", i);
				n++;
			}
	assert_true(ds_store_reports_each(st, &q, each_cb, &s, &e));
	assert_null(e);
	assert_string_equal(s.ids->str, want->str);
	g_string_free(s.ids, TRUE);
	g_string_free(want, TRUE);
}

static void
test_reports_each(void **state)
{
	struct ts_fx *f = *state;
	struct seen s = { NULL, 1, 0, INT64_MIN };
	struct ds_query q;
	GError *e = NULL;
	char id[8];
	size_t i;

	assert_true(ds_store_begin(f->st, &e));
	for (i = 0; i < G_N_ELEMENTS(each_tab); i++) {
		g_snprintf(id, sizeof(id), "%zu", i);
		ts_put_report(f->st, "org", id, each_tab[i].domain,
		    each_tab[i].begin, each_tab[i].end, 1);
	}
	assert_true(ds_store_commit(f->st, &e));
	check_query(f->st, NULL, INT64_MIN, INT64_MAX, 0);
	check_query(f->st, "one.example", INT64_MIN, INT64_MAX, 0);
	check_query(f->st, "ONE.Example", INT64_MIN, INT64_MAX, 0);
	check_query(f->st, "two.example", 250, INT64_MAX, 0);
	check_query(f->st, NULL, 250, INT64_MAX, 0);
	check_query(f->st, NULL, INT64_MIN, 200, 0);
	check_query(f->st, "one.example", 150, 300, 0);
	check_query(f->st, NULL, INT64_MIN, INT64_MAX, 2);
	check_query(f->st, "nobody.example", INT64_MIN, INT64_MAX, 0);
	check_query(f->st, "x' OR '1'='1", INT64_MIN, INT64_MAX, 0);
	/* a callback returning false stops the walk, which succeeds */
	s.ids = g_string_new("");
	ds_query_init(&q);
	assert_true(ds_store_reports_each(f->st, &q, each_cb, &s, &e));
	assert_int_equal(s.n, 1);
	g_string_free(s.ids, TRUE);
}

static void
test_counts(void **state)
{
	struct ts_fx *f = *state;
	struct ds_store_counts c;
	GError *e = NULL;
	sqlite3 *rw;

	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.reports + c.records + c.messages + c.quarantined +
	    c.failures, 0);
	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "a", "1", "example.com", 1, 2, 4);
	ts_put_report(f->st, "a", "2", "example.com", 2, 3, 5);
	assert_true(ds_store_commit(f->st, &e));
	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.reports, 2);
	assert_int_equal(c.records, 9);
	/* migration 003's failure_report table is counted */
	assert_int_equal(sqlite3_open(f->path, &rw), SQLITE_OK);
	assert_int_equal(sqlite3_exec(rw, "CREATE TABLE IF NOT EXISTS "
	    "failure_report (id INTEGER PRIMARY KEY, identity TEXT, "
	    "event_ts INTEGER, ingested_at INTEGER); INSERT INTO "
	    "failure_report (id, identity, event_ts, ingested_at) "
	    "VALUES (1, 'a', 0, 0), (2, 'b', 0, 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(rw);
	assert_true(ds_store_counts(f->st, &c, &e));
	assert_int_equal(c.failures, 2);
}

/* Every EXPLAIN QUERY PLAN line of sql, joined by '\n'. Caller frees. */
static char *
plan_of(sqlite3 *db, const char *sql)
{
	GString *g = g_string_new("");
	sqlite3_stmt *s;
	char *eqp = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);

	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &s, NULL), SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_string_append_printf(g, "%s\n", sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	g_free(eqp);
	return g_string_free(g, FALSE);
}

static void
test_query_plan(void **state)
{
	struct ts_fx *f = *state;
	GError *e = NULL;
	char *plan;
	int i;

	assert_true(ds_store_begin(f->st, &e));
	for (i = 0; i < 50; i++) {
		char id[8];

		g_snprintf(id, sizeof(id), "%d", i);
		ts_put_report(f->st, "org", id, i % 2 ? "a.example" :
		    "b.example", i * 86400, (i + 1) * 86400, 8);
	}
	assert_true(ds_store_commit(f->st, &e));
	/* SPEC 4: who sends as one domain over a date range */
	plan = plan_of(f->db, "SELECT rec.source_ip, sum(rec.count),"
	    " sum(rec.count) FILTER (WHERE rec.dkim = 'pass' OR"
	    " rec.spf = 'pass'), min(rep.begin_ts), max(rep.end_ts)"
	    " FROM report AS rep JOIN record AS rec ON rec.report_row = rep.id"
	    " WHERE rep.domain = ?1 AND rep.end_ts >= ?2 AND rep.begin_ts < ?3"
	    " GROUP BY rec.source_ip");
	assert_null(strstr(plan, "SCAN rec"));
	assert_null(strstr(plan, "SCAN rep"));
	assert_non_null(strstr(plan, "record_report"));
	assert_non_null(strstr(plan, "report_domain_time"));
	g_free(plan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_and_records,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_duplicate_key, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_record_needs_report,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_sql_injection_literal,
		    ts_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_json_columns, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_reports_each, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_counts, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_query_plan, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
