/*
 * test_store_summary.c - the other reporter queries over the fixture of
 * helper_senders.c: per-domain summaries (pass rates, dispositions,
 * policy history, days without a report), the daily series, reporters,
 * domains, and EXPLAIN QUERY PLAN of every reporter statement (index
 * range on the report midpoint, records from the covering index, no
 * scan of report or record).
 * SPDX-License-Identifier: MIT
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
#include "schema/store/db_sqlite.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_senders.h"
#include "tests/unit/helper_senders.h"

static bool
collect_summary(const struct ds_domain_summary *s, void *payload)
{
	GPtrArray *a = payload;
	struct ds_domain_summary *c = g_memdup2(s, sizeof(*s));
	guint i;

	c->domain = g_strdup(s->domain);
	c->missing_days = g_array_copy(s->missing_days);
	c->policies = g_array_sized_new(FALSE, TRUE,
	    sizeof(struct ds_policy_seen), s->policies->len);
	for (i = 0; i < s->policies->len; i++) {
		struct ds_policy_seen p = g_array_index(s->policies,
		    struct ds_policy_seen, i);

		p.p = g_strdup(p.p);
		p.sp = p.np = p.adkim = p.aspf = p.testing = NULL;
		g_array_append_val(c->policies, p);
	}
	g_ptr_array_add(a, c);
	return true;
}

static void
summary_free(gpointer p)
{
	struct ds_domain_summary *s = p;
	guint i;

	for (i = 0; i < s->policies->len; i++)
		g_free(g_array_index(s->policies, struct ds_policy_seen, i).p);
	g_array_unref(s->policies);
	g_array_unref(s->missing_days);
	g_free(s->domain);
	g_free(s);
}

static void
test_summary(void **state)
{
	struct ts_fx *f = *state;
	GPtrArray *a = g_ptr_array_new_with_free_func(summary_free);
	const struct ds_domain_summary *s;
	struct ds_query q;
	GError *e = NULL;
	int64_t msgs = 0, pass = 0, reports = 0;
	size_t i, j;

	ds_query_init(&q);
	q.since = T0;
	q.until = T0 + 7 * DAY;
	assert_true(ds_store_summary_each(f->st, &q, collect_summary, a, &e));
	assert_null(e);
	assert_int_equal(a->len, 2);
	s = a->pdata[0];
	assert_string_equal(s->domain, "example.com");	/* lower case */
	for (i = 0; i < ts_nrep; i++) {
		if (!ts_in_period(i, &q) ||
		    g_ascii_strcasecmp(ts_reps[i].domain, "example.com") != 0)
			continue;
		reports++;
		for (j = 0; j < ts_nrec; j++)
			if (ts_recs[j].rep == (int)i) {
				msgs += ts_recs[j].count;
				pass += ts_passes(&ts_recs[j]) ? ts_recs[j].count : 0;
			}
	}
	assert_int_equal(s->reports, reports);
	assert_int_equal(s->messages, msgs);
	assert_int_equal(s->dmarc_pass, pass);
	assert_int_equal(s->dmarc_fail, msgs - pass);
	assert_int_equal(s->reporters, 2);
	assert_int_equal(s->ips, 8);
	assert_int_equal(s->disp.pass, 2);
	assert_int_equal(s->disp.quarantine, 1);
	assert_int_equal(s->first_day, T0);
	assert_int_equal(s->days, 7);
	/* days 2, 4 (y4 counts on day 5) and 6 have no report */
	assert_int_equal(s->days_without_report, 3);
	assert_int_equal(g_array_index(s->missing_days, int64_t, 0),
	    T0 + 2 * DAY);
	assert_int_equal(g_array_index(s->missing_days, int64_t, 1),
	    T0 + 4 * DAY);
	assert_int_equal(g_array_index(s->missing_days, int64_t, 2),
	    T0 + 6 * DAY);
	/* the policy changed from reject to quarantine on day 5 */
	assert_int_equal(s->policies->len, 2);
	assert_string_equal(g_array_index(s->policies, struct ds_policy_seen,
	    0).p, "reject");
	assert_int_equal(g_array_index(s->policies, struct ds_policy_seen,
	    0).reports, reports - 1);
	assert_string_equal(g_array_index(s->policies, struct ds_policy_seen,
	    1).p, "quarantine");
	assert_int_equal(g_array_index(s->policies, struct ds_policy_seen,
	    1).first_seen, T0 + 5 * DAY);
	s = a->pdata[1];
	assert_string_equal(s->domain, "example.org");
	assert_int_equal(s->messages, 8);
	assert_int_equal(s->dmarc_pass, 6);
	assert_int_equal(s->days_without_report, 6);
	g_ptr_array_set_size(a, 0);

	/* a relative since: full days only */
	q.domain = "example.com";
	q.since = T0 + 3 * DAY + 3600;
	q.until = INT64_MAX;
	assert_true(ds_store_summary_each(f->st, &q, collect_summary, a, &e));
	assert_int_equal(a->len, 1);
	s = a->pdata[0];
	assert_int_equal(s->first_day, T0 + 4 * DAY);
	assert_int_equal(s->days, 2);	/* days 4 and 5 (last report) */
	assert_int_equal(s->days_without_report, 1);
	g_ptr_array_set_size(a, 0);
	q.domain = "nothing.example";
	assert_true(ds_store_summary_each(f->st, &q, collect_summary, a, &e));
	assert_int_equal(a->len, 0);
	g_ptr_array_unref(a);
}

/*
 * Messages of count c of a report [b, e] on UTC day x: the day rule of
 * 015-rollup.sql (a multi-day report is spread by seconds per day),
 * written again here from its text.
 */
static int64_t
share(int64_t c, int64_t b, int64_t e, int64_t x)
{
	int64_t lo, hi;

	if (e <= b || e - b > 31 * DAY || b / DAY == (e - 1) / DAY)
		return (b + e) / 2 / DAY * DAY == x ? c : 0;
	if (x + DAY <= b || x >= e)
		return 0;
	lo = x > b ? x - b : 0;
	hi = x + DAY < e ? x + DAY - b : e - b;
	return c * hi / (e - b) - c * lo / (e - b);
}

static void
test_daily(void **state)
{
	struct ts_fx *f = *state;
	struct ds_query q;
	GArray *d;
	GError *e = NULL;
	const struct ds_day *x;
	guint i;
	size_t j;

	ds_query_init(&q);
	q.domain = "example.com";
	q.since = T0 - DAY;
	q.until = T0 + 8 * DAY;
	assert_true(ds_store_daily(f->st, &q, &d, &e));
	assert_int_equal(d->len, 9);
	for (i = 0; i < d->len; i++) {
		int64_t msgs = 0, pass = 0, nrep = 0;

		x = &g_array_index(d, struct ds_day, i);
		assert_int_equal(x->day, T0 + ((int64_t)i - 1) * DAY);
		for (j = 0; j < ts_nrep; j++) {
			int64_t b = ts_reps[j].begin, en = ts_reps[j].end, c;
			size_t k;

			if (g_ascii_strcasecmp(ts_reps[j].domain, q.domain))
				continue;
			/* reports by midpoint, messages spread by day */
			if ((b + en) / 2 / DAY * DAY == x->day)
				nrep++;
			for (k = 0; k < ts_nrec; k++)
				if (ts_recs[k].rep == (int)j) {
					c = share(ts_recs[k].count, b, en,
					    x->day);
					msgs += c;
					pass += ts_passes(&ts_recs[k]) ? c : 0;
				}
		}
		assert_int_equal(x->reports, nrep);
		assert_int_equal(x->messages, msgs);
		assert_int_equal(x->dmarc_pass, pass);
	}
	g_array_unref(d);
	ds_query_init(&q);
	assert_true(ds_store_daily(f->st, &q, &d, &e));
	assert_int_equal(d->len, 6);	/* days 0..5 */
	g_array_unref(d);
	q.domain = "nothing.example";
	assert_true(ds_store_daily(f->st, &q, &d, &e));
	assert_int_equal(d->len, 0);
	g_array_unref(d);
}

static bool
collect_reporter(const struct ds_reporter *r, void *payload)
{
	struct ds_reporter *c = g_memdup2(r, sizeof(*r));

	c->org_name = g_strdup(r->org_name);
	c->email = g_strdup(r->email);
	g_ptr_array_add(payload, c);
	return true;
}

static void
reporter_free(gpointer p)
{
	struct ds_reporter *r = p;

	g_free(r->org_name);
	g_free(r->email);
	g_free(r);
}

static bool
collect_domain(const struct ds_domain_row *d, void *payload)
{
	struct ds_domain_row *c = g_memdup2(d, sizeof(*d));

	c->domain = g_strdup(d->domain);
	g_ptr_array_add(payload, c);
	return true;
}

static void
domain_free(gpointer p)
{
	struct ds_domain_row *d = p;

	g_free(d->domain);
	g_free(d);
}

static void
test_reporters_domains(void **state)
{
	struct ts_fx *f = *state;
	GPtrArray *a = g_ptr_array_new_with_free_func(reporter_free);
	const struct ds_reporter *r;
	const struct ds_domain_row *d;
	struct ds_query q;
	GError *e = NULL;

	ds_query_init(&q);
	q.domain = "example.com";
	q.until = T0 + 2 * DAY;
	assert_true(ds_store_reporters_each(f->st, &q, collect_reporter, a,
	    &e));
	assert_int_equal(a->len, 2);
	r = a->pdata[0];		/* google: 15 + 12 messages */
	assert_string_equal(r->org_name, "google.com");
	assert_int_equal(r->reports, 2);
	assert_int_equal(r->messages, 27);
	assert_int_equal(r->records, 5);
	assert_int_equal(r->domains, 1);
	assert_int_equal(r->last_report, T0 + 2 * DAY - 1);
	assert_int_equal(r->last_ever, T0 + 6 * DAY - 1);
	r = a->pdata[1];
	assert_string_equal(r->org_name, "Yahoo");
	assert_int_equal(r->messages, 6);
	assert_int_equal(r->last_ever, T0 + 6 * DAY);
	g_ptr_array_set_size(a, 0);
	q.limit = 1;
	assert_true(ds_store_reporters_each(f->st, &q, collect_reporter, a,
	    &e));
	assert_int_equal(a->len, 1);
	g_ptr_array_unref(a);

	a = g_ptr_array_new_with_free_func(domain_free);
	ds_query_init(&q);
	assert_true(ds_store_domains_each(f->st, &q, collect_domain, a, &e));
	assert_int_equal(a->len, 2);
	d = a->pdata[0];
	assert_string_equal(d->domain, "example.com");
	assert_int_equal(d->reports, 6);
	assert_int_equal(d->reporters, 2);
	assert_int_equal(d->messages, 10 + 3 + 2 + 5 + 1 + 8 + 4 + 7 + 1 + 9 +
	    4 + 2 + 1);
	assert_int_equal(d->dmarc_pass, 10 + 2 + 5 + 8 + 4 + 1 + 9 + 2);
	d = a->pdata[1];
	assert_string_equal(d->domain, "example.org");
	assert_int_equal(d->dmarc_pass, 6);
	g_ptr_array_unref(a);
	assert_null(e);
}

/* Every EXPLAIN QUERY PLAN detail of sql, joined by '\n'. */
static char *
plan_of(sqlite3 *db, const char *sql)
{
	GString *g = g_string_new(NULL);
	char *eqp = g_strconcat("EXPLAIN QUERY PLAN ", sql, NULL);
	sqlite3_stmt *s;

	assert_int_equal(sqlite3_prepare_v2(db, eqp, -1, &s, NULL),
	    SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW)
		g_string_append_printf(g, "%s\n", sqlite3_column_text(s, 3));
	sqlite3_finalize(s);
	g_free(eqp);
	return g_string_free(g, FALSE);
}

static void
test_query_plans(void **state)
{
	struct ts_fx *f = *state;
	GPtrArray *sql = ds_store_reporter_sql();
	const char *t;
	char *plan;
	guint i;

	assert_true(sql->len >= 20);
	assert_true(ds_db_sqlite_register_csum(f->db));
	/* the senders query's working tables (store_senders_tmp.c) */
	assert_int_equal(sqlite3_exec(f->db, ds_store_senders_tmp_sql(), NULL,
	    NULL, NULL), SQLITE_OK);
	for (i = 0; i < sql->len; i++) {
		t = sql->pdata[i];
		plan = plan_of(f->db, t);
		if (strstr(plan, "SCAN rep") || strstr(plan, "SCAN rec") ||
		    strstr(plan, "SCAN report") ||
		    strstr(plan, "SCAN record") || strstr(plan, "SCAN ip_info"))
			fail_msg("full scan in\n%s\nplan:\n%s", t, plan);
		/* the period is an index range on the midpoint */
		if (strstr(t, "rep.domain = ?1 AND") != NULL &&
		    strstr(plan, "report_domain_mid") == NULL)
			fail_msg("not report_domain_mid:\n%s\n%s", t, plan);
		if (strstr(t, "rep.domain = ?1") == NULL &&
		    strstr(t, "/ 2) >= ?2") != NULL &&
		    strstr(plan, "report_mid") == NULL)
			fail_msg("not report_mid:\n%s\n%s", t, plan);
		/* the counting queries read records from the index only */
		if (strstr(t, "csum(rec.count)") != NULL &&
		    strstr(t, "json_each") == NULL &&
		    strstr(plan, "COVERING INDEX record_report_seq") == NULL)
			fail_msg("records not index-only:\n%s\n%s", t, plan);
		g_free(plan);
	}
	g_ptr_array_unref(sql);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_summary,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_daily,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_reporters_domains,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_query_plans,
		    ts_senders_setup, ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
