/*
 * test_store_doctor.c - schema/store/store_doctor.c, the evidence queries of
 * doctor: DKIM selectors per reporter and result, per-source totals
 * (DMARC pass, own signature by a selector that passes, DKIM pass with
 * SPF fail for the domain), header_from, reporters, missing days, and
 * failure-report selectors (only when the failure_report table exists).
 * Periods select reports by the midpoint of their date range.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/store/store_doctor.h"
#include "helper_store.h"

#define DAY 86400
#define D0 (1000 * (int64_t)DAY)

static void
put_dom(struct ts_fx *f, const char *org, const char *id, const char *dom,
    int64_t day, unsigned n)
{
	GError *e = NULL;

	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, org, id, dom, D0 + day * DAY,
	    D0 + day * DAY + DAY - 1, n);
	assert_true(ds_store_commit(f->st, &e));
}

static void
put(struct ts_fx *f, const char *org, const char *id, int64_t day,
    unsigned n)
{
	put_dom(f, org, id, "example.com", day, n);
}

static void
period(struct ds_query *q, int64_t from_day, int64_t to_day)
{
	ds_query_init(q);
	q->domain = "Example.COM";
	q->since = D0 + from_day * DAY;
	q->until = D0 + to_day * DAY;
}

static bool
sel_cb(const struct ds_doc_selector *r, void *payload)
{
	GString *g = payload;

	g_string_append_printf(g, "%s/%s/%s/%s/%" G_GINT64_FORMAT "/%"
	    G_GINT64_FORMAT "/%" G_GINT64_FORMAT ";", r->domain ? r->domain :
	    "-", r->selector ? r->selector : "-", r->org_name,
	    r->result ? r->result : "-", r->messages, r->reports,
	    r->spf_pass);
	return true;
}

static void
test_selectors(void **state)
{
	struct ts_fx *f = *state;
	GString *g = g_string_new(NULL);
	struct ds_query q;
	GError *e = NULL;

	put(f, "google.com", "a", 0, 4);	/* 1+2+3+4 = 10 messages */
	put(f, "google.com", "b", 1, 2);	/* 3 */
	put(f, "yahoo.com", "c", 1, 1);		/* 1 */
	put(f, "google.com", "late", 9, 4);	/* outside */
	period(&q, 0, 2);
	assert_true(ds_store_doc_selectors_each(f->st, &q, sel_cb, g, &e));
	assert_null(e);
	assert_string_equal(g->str,
	    "esp.example/-/google.com/fail/13/2/0;"
	    "example.com/s1/google.com/pass/13/2/0;"
	    "esp.example/-/yahoo.com/fail/1/1/0;"
	    "example.com/s1/yahoo.com/pass/1/1/0;");
	g_string_free(g, TRUE);
}

static bool
src_cb(const struct ds_doc_source *r, void *payload)
{
	GString *g = payload;

	g_string_append_printf(g, "%s m%" G_GINT64_FORMAT " p%" G_GINT64_FORMAT
	    " k%" G_GINT64_FORMAT " s%" G_GINT64_FORMAT " o%" G_GINT64_FORMAT
	    " f%" G_GINT64_FORMAT " x%" G_GINT64_FORMAT " r%" G_GINT64_FORMAT
	    ";", r->ip, r->messages, r->dmarc_pass, r->dkim_pass, r->spf_pass,
	    r->own_sig, r->fwd_reason, r->dkim_pass_spf_fail, r->reporters);
	return true;
}

static void
test_sources(void **state)
{
	struct ts_fx *f = *state;
	GString *g = g_string_new(NULL);
	struct ds_query q;
	GError *e = NULL;

	put(f, "google.com", "a", 0, 4);
	put(f, "yahoo.com", "c", 1, 3);
	period(&q, 0, 2);
	/* 192.0.2.1: 1 + 1, .2: 2 + 2, .3: 3 + 3, .0: 4; every record
	   dkim=pass spf=fail, s1 passes, SPF of example.com softfails,
	   reason local_policy (not a forwarding reason) */
	assert_true(ds_store_doc_sources_each(f->st, &q, "example.com",
	    src_cb, g, &e));
	assert_string_equal(g->str,
	    "192.0.2.3 m6 p6 k6 s0 o6 f0 x6 r2;"
	    "192.0.2.0 m4 p4 k4 s0 o4 f0 x4 r1;"
	    "192.0.2.2 m4 p4 k4 s0 o4 f0 x4 r2;"
	    "192.0.2.1 m2 p2 k2 s0 o2 f0 x2 r2;");
	/* for another policy domain neither signature nor SPF is its own
	   (own_sig and the SPF failure are decided per report's policy
	   domain at ingest, 018-perip.sql) */
	put_dom(f, "google.com", "o", "other.test", 0, 4);
	put_dom(f, "google.com", "x", "example", 0, 4);
	g_string_truncate(g, 0);
	q.domain = "other.test";
	assert_true(ds_store_doc_sources_each(f->st, &q, "other.test",
	    src_cb, g, &e));
	assert_non_null(strstr(g->str, "192.0.2.3 m3 p3 k3 s0 o0 f0 x0"));
	/* esp.example is under "example" but its signature (no selector)
	   never passed: not counted as the domain's own */
	g_string_truncate(g, 0);
	q.domain = "example";
	assert_true(ds_store_doc_sources_each(f->st, &q, "example",
	    src_cb, g, &e));
	assert_non_null(strstr(g->str, "192.0.2.3 m3 p3 k3 s0 o0"));
	g_string_free(g, TRUE);
}

static bool
rep_cb(const struct ds_doc_reporter *r, void *payload)
{
	GString *g = payload;

	g_string_append_printf(g, "%s %" G_GINT64_FORMAT "/%" G_GINT64_FORMAT
	    " %" G_GINT64_FORMAT ";", r->org_name, r->reports_period,
	    r->reports_before, (r->last_end - D0 + 1) / DAY);
	return true;
}

static void
test_reporters_days(void **state)
{
	struct ts_fx *f = *state;
	GString *g = g_string_new(NULL);
	GArray *days = g_array_new(FALSE, FALSE, sizeof(int64_t));
	struct ds_query q;
	GError *e = NULL;

	put(f, "google.com", "a", 0, 1);
	put(f, "google.com", "b", 2, 1);
	put(f, "yahoo.com", "c", 0, 1);
	put(f, "yahoo.com", "z", 10, 1);	/* after until */
	period(&q, 1, 4);
	assert_true(ds_store_doc_reporters_each(f->st, &q, rep_cb, g, &e));
	assert_string_equal(g->str, "google.com 1/2 3;yahoo.com 0/1 1;");
	/* days 1..3: day 2 covered */
	assert_true(ds_store_doc_missing_days(f->st, &q, days, &e));
	assert_int_equal(days->len, 2);
	assert_true(g_array_index(days, int64_t, 0) == D0 + DAY);
	assert_true(g_array_index(days, int64_t, 1) == D0 + 3 * DAY);
	/* an open period is refused */
	q.since = INT64_MIN;
	assert_false(ds_store_doc_missing_days(f->st, &q, days, &e));
	g_clear_error(&e);
	g_array_unref(days);
	g_string_free(g, TRUE);
}

static void
test_failure_selectors(void **state)
{
	struct ts_fx *f = *state;
	GString *g = g_string_new(NULL);
	struct ds_query q;
	GError *e = NULL;
	sqlite3 *w;

	period(&q, 0, 2);
	assert_true(ds_store_doc_failure_selectors_each(f->st, &q, sel_cb,
	    g, &e));
	assert_int_equal(g->len, 0);	/* no failure report yet */
	assert_int_equal(sqlite3_open(f->path, &w), SQLITE_OK);
#define ROW "INSERT INTO failure_report (identity, domain, event_ts," \
    " reporter, dkim_domain, dkim_selector, auth_failure," \
    " identity_alignment, ingested_at) VALUES "
	assert_int_equal(sqlite3_exec(w,
	    ROW "('a', 'example.com', 86400000 + 5, 'yahoo.com',"
	    " 'Example.com', 'k9', 'bodyhash', 'spf', 0);"
	    ROW "('b', 'EXAMPLE.com', 86400000 + 6, 'yahoo.com',"
	    " 'example.com', 'k9', NULL, NULL, 0);"
	    ROW "('c', 'example.com', 86400000 + 7, 'yahoo.com',"
	    " 'example.com', 'k9', 'spf', NULL, 0);"
	    ROW "('d', 'other.test', 86400000 + 8, 'yahoo.com',"
	    " 'other.test', 'k9', 'dkim', NULL, 0);"
	    ROW "('e', 'example.com', 86400000 * 2, 'yahoo.com',"
	    " 'example.com', 'k9', 'dkim', NULL, 0);"
	    ROW "('f', 'example.com', 86400000 + 9, 'yahoo.com',"
	    " 'example.com', NULL, 'dkim', NULL, 0);",
	    NULL, NULL, NULL), SQLITE_OK);
#undef ROW
	assert_true(ds_store_doc_failure_selectors_each(f->st, &q, sel_cb,
	    g, &e));
	assert_null(e);
	assert_string_equal(g->str, "example.com/k9/yahoo.com/fail/2/2/1;");
	/* a store without the table (before migration 003): nothing */
	assert_int_equal(sqlite3_exec(w, "DROP TABLE failure_sample;"
	    "DROP TABLE failure_report;", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(w);
	g_string_truncate(g, 0);
	assert_true(ds_store_doc_failure_selectors_each(f->st, &q, sel_cb,
	    g, &e));
	assert_int_equal(g->len, 0);
	g_string_free(g, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_selectors, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_sources, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_reporters_days, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_failure_selectors,
		    ts_setup, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
