/*
 * test_store_senders.c - the reporter queries of store_senders.h over a
 * small hand-made store: per-IP senders (totals, DMARC pass = DKIM or
 * SPF pass in policy_evaluated, RFC 7489 section 4.2), grouping, --new,
 * --failing, sort and limit, summaries, daily series, reporters,
 * domains, the ip_info cache, and EXPLAIN QUERY PLAN of every statement
 * (no scan of report or record).
 * SPDX-License-Identifier: MIT
 *
 * Expected values are computed here from the fixture table with the
 * period rule of store_senders.h (report midpoint in [since, until)),
 * not read back from the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/error.h"
#include "schema/store_senders.h"
#include "tests/unit/helper_store.h"

#define T0 INT64_C(1767225600)	/* 2026-01-01 00:00 UTC */
#define DAY INT64_C(86400)

struct trep {
	const char *org, *id, *domain, *p;
	int64_t begin, end;
};

struct trec {
	int rep;		/* index in reps[] */
	const char *ip;
	unsigned count;
	const char *disp, *dkim, *spf;
};

static const struct trep reps[] = {
	{ "google.com", "g0", "example.com", "reject", T0, T0 + DAY - 1 },
	{ "Yahoo", "y0", "example.com", "reject", T0, T0 + DAY - 1 },
	{ "google.com", "g1", "example.com", "reject", T0 + DAY,
	  T0 + 2 * DAY - 1 },
	{ "google.com", "g1o", "example.org", "none", T0 + DAY,
	  T0 + 2 * DAY - 1 },
	/* day 2: no report for example.com */
	{ "google.com", "g3", "example.com", "reject", T0 + 3 * DAY,
	  T0 + 4 * DAY - 1 },
	/* two days long: midpoint is day 5 00:00 */
	{ "Yahoo", "y4", "example.com", "reject", T0 + 4 * DAY,
	  T0 + 6 * DAY },
	{ "google.com", "g5", "Example.COM", "quarantine", T0 + 5 * DAY,
	  T0 + 6 * DAY - 1 },
};

static const struct trec recs[] = {
	{ 0, "192.0.2.1", 10, "none", "pass", "pass" },
	{ 0, "192.0.2.7", 3, "reject", "fail", "fail" },
	{ 0, "2001:db8::1", 2, "none", "fail", "pass" },
	{ 1, "192.0.2.1", 5, "none", "pass", "fail" },
	{ 1, "198.51.100.9", 1, "quarantine", "fail", "fail" },
	{ 2, "192.0.2.1", 8, "none", "pass", "pass" },
	{ 2, "192.0.2.200", 4, "none", "pass", "fail" },
	{ 3, "192.0.2.1", 6, "none", "pass", "pass" },
	{ 3, "203.0.113.5", 2, "none", "fail", "fail" },
	{ 4, "192.0.2.7", 7, "reject", "fail", "fail" },
	{ 4, "2001:db8::2", 1, "none", "pass", "fail" },
	{ 5, "192.0.2.1", 9, "none", "fail", "pass" },
	{ 5, "203.0.113.5", 4, "reject", "fail", "fail" },
	{ 6, "192.0.2.99", 2, "pass", "pass", "pass" },
	{ 6, "192.0.2.7", 1, NULL, "fail", "fail" },
};

#define NREP G_N_ELEMENTS(reps)
#define NREC G_N_ELEMENTS(recs)

/* Store the fixture; returns the report rows in fixture order. */
static void
put_fixture(struct ds_store *st)
{
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row;
	uint64_t n, msgs;
	size_t i, j;

	assert_true(ds_store_begin(st, &e));
	for (i = 0; i < NREP; i++) {
		ts_meta_fill(&m, reps[i].org, reps[i].id, reps[i].domain,
		    reps[i].begin, reps[i].end);
		g_free(m.p);
		m.p = g_strdup(reps[i].p);
		assert_true(ds_store_report_put(st, &m, "test", 0, &row, &e));
		n = msgs = 0;
		for (j = 0; j < NREC; j++) {
			if (recs[j].rep != (int)i)
				continue;
			ts_record_fill(&r, recs[j].ip, recs[j].count, "x");
			r.disposition = (char *)recs[j].disp;
			r.dkim = (char *)recs[j].dkim;
			r.spf = (char *)recs[j].spf;
			assert_true(ds_store_record_put(st, row, &r, &e));
			ts_record_free(&r);
			n++;
			msgs += recs[j].count;
		}
		assert_true(ds_store_report_finish(st, row, n, msgs, &m, &e));
		ts_meta_free(&m);
	}
	assert_true(ds_store_commit(st, &e));
	assert_null(e);
}

static int
setup(void **state)
{
	ts_setup(state);
	put_fixture(((struct ts_fx *)*state)->st);
	return 0;
}

/* Is report i in the period of q (midpoint rule, domain w/o case)? */
static bool
in_period(size_t i, const struct ds_query *q)
{
	int64_t mid = (reps[i].begin + reps[i].end) / 2;

	if (q->domain && g_ascii_strcasecmp(q->domain, reps[i].domain) != 0)
		return false;
	return mid >= q->since && mid < q->until;
}

static bool
passes(const struct trec *r)
{
	return strcmp(r->dkim, "pass") == 0 || strcmp(r->spf, "pass") == 0;
}

struct expect {
	int64_t messages, pass, records, first, last;
	GHashTable *reports;
};

/* Expected totals of ip in the period of q. */
static void
expect_ip(const char *ip, const struct ds_query *q, struct expect *x)
{
	size_t j;

	memset(x, 0, sizeof(*x));
	x->first = INT64_MAX;
	for (j = 0; j < NREC; j++) {
		if (strcmp(recs[j].ip, ip) != 0 || !in_period(recs[j].rep, q))
			continue;
		x->messages += recs[j].count;
		x->pass += passes(&recs[j]) ? recs[j].count : 0;
		x->records++;
		x->first = MIN(x->first, reps[recs[j].rep].begin);
		x->last = MAX(x->last, reps[recs[j].rep].end);
	}
}

static const struct ds_sender *
find_sender(GPtrArray *a, const char *key)
{
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct ds_sender *s = a->pdata[i];

		if (g_strcmp0(s->key, key) == 0)
			return s;
	}
	return NULL;
}

/* Every IP of the period, checked against the fixture. */
static void
check_senders(struct ds_store *st, const struct ds_query *period)
{
	struct ds_sender_query q;
	GHashTable *ips = g_hash_table_new(g_str_hash, g_str_equal);
	const struct ds_sender *s;
	struct expect x;
	GPtrArray *out;
	GError *e = NULL;
	size_t j;

	ds_sender_query_init(&q);
	q.period = *period;
	assert_true(ds_store_senders(st, &q, &out, &e));
	assert_null(e);
	for (j = 0; j < NREC; j++)
		if (in_period(recs[j].rep, period))
			g_hash_table_add(ips, (gpointer)recs[j].ip);
	assert_int_equal(out->len, g_hash_table_size(ips));
	for (j = 0; j < out->len; j++) {
		s = out->pdata[j];
		assert_non_null(s->source_ip);
		assert_true(g_hash_table_contains(ips, s->source_ip));
		expect_ip(s->source_ip, period, &x);
		assert_int_equal(s->messages, x.messages);
		assert_int_equal(s->dmarc_pass, x.pass);
		assert_int_equal(s->dmarc_fail, x.messages - x.pass);
		assert_int_equal(s->records, x.records);
		assert_int_equal(s->first_seen, x.first);
		assert_int_equal(s->last_seen, x.last);
		assert_int_equal(s->ips, 1);
		/* every fixture record has these two DKIM results */
		assert_int_equal(s->dkim->len, 2);
		assert_int_equal(g_array_index(s->dkim, struct ds_auth_count,
		    0).messages, x.messages);
		assert_int_equal(s->spf->len, 1);
		assert_string_equal(g_array_index(s->spf,
		    struct ds_auth_count, 0).result, "softfail");
		if (j > 0)	/* default order: most messages first */
			assert_true(((struct ds_sender *)out->pdata[j - 1])
			    ->messages >= s->messages);
	}
	g_ptr_array_unref(out);
	g_hash_table_destroy(ips);
}

static void
test_senders_periods(void **state)
{
	struct ts_fx *f = *state;
	struct ds_query q;
	int64_t a, b;

	ds_query_init(&q);
	check_senders(f->st, &q);
	q.domain = "EXAMPLE.com";
	check_senders(f->st, &q);
	/* consecutive periods: the two-day report falls in one of them */
	for (a = T0 - DAY; a < T0 + 7 * DAY; a += DAY / 2) {
		for (b = a; b <= T0 + 7 * DAY; b += DAY) {
			q.since = a;
			q.until = b;
			check_senders(f->st, &q);
		}
	}
}

static void
test_senders_detail(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	const struct ds_sender *s;
	GPtrArray *out;
	GError *e = NULL;

	ds_sender_query_init(&q);
	q.period.domain = "example.com";
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "192.0.2.1");
	assert_non_null(s);
	/* reports g0 y0 g1 y4: two reporters, four reports */
	assert_int_equal(s->reports, 4);
	assert_int_equal(s->reporters->len, 2);
	assert_string_equal(s->reporters->pdata[0], "Yahoo");
	assert_string_equal(s->reporters->pdata[1], "google.com");
	assert_int_equal(s->header_from->len, 1);
	assert_string_equal(s->header_from->pdata[0], "example.com");
	assert_int_equal(s->disp.none, 32);
	assert_int_equal(s->dkim_pass, 23);
	assert_int_equal(s->spf_pass, 27);
	assert_null(s->ptr);
	assert_int_equal(s->ptr_confirmed, -1);
	s = find_sender(out, "192.0.2.7");
	assert_non_null(s);
	assert_int_equal(s->disp.reject, 10);
	assert_int_equal(s->disp.other, 1);	/* no disposition */
	assert_int_equal(s->dmarc_pass, 0);
	g_ptr_array_unref(out);
}

static void
test_senders_filters(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	const struct ds_sender *s;
	GPtrArray *out;
	GError *e = NULL;
	guint i;

	ds_sender_query_init(&q);
	q.period.domain = "example.com";
	q.failing = true;
	q.sort = DS_SORT_FAIL;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	/* failing: .7 (11), 203.0.113.5 (4, only y4), 198.51.100.9 (1) */
	assert_int_equal(out->len, 3);
	assert_string_equal(((struct ds_sender *)out->pdata[0])->key,
	    "192.0.2.7");
	assert_int_equal(((struct ds_sender *)out->pdata[0])->dmarc_fail, 11);
	for (i = 0; i < out->len; i++)
		assert_true(((struct ds_sender *)out->pdata[i])->dmarc_fail >
		    0);
	g_ptr_array_unref(out);

	q.failing = false;
	q.sort = DS_SORT_KEY;
	q.period.limit = 2;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(out->len, 2);
	assert_string_equal(((struct ds_sender *)out->pdata[0])->key,
	    "192.0.2.1");
	assert_string_equal(((struct ds_sender *)out->pdata[1])->key,
	    "192.0.2.7");
	g_ptr_array_unref(out);

	/* new since day 3: 2001:db8::2, 203.0.113.5 (seen for .org only),
	   192.0.2.99; not .1 or .7 */
	q.period.limit = 0;
	q.period.since = T0 + 3 * DAY;
	q.only_new = true;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(out->len, 3);
	assert_string_equal(((struct ds_sender *)out->pdata[0])->key,
	    "192.0.2.99");
	assert_string_equal(((struct ds_sender *)out->pdata[1])->key,
	    "203.0.113.5");
	assert_string_equal(((struct ds_sender *)out->pdata[2])->key,
	    "2001:db8::2");
	for (i = 0; i < out->len; i++)
		assert_true(((struct ds_sender *)out->pdata[i])->is_new);
	g_ptr_array_unref(out);
	/* all domains: 203.0.113.5 was seen (example.org, day 1) */
	q.period.domain = NULL;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(out->len, 2);
	assert_null(find_sender(out, "203.0.113.5"));
	s = find_sender(out, "192.0.2.99");
	assert_non_null(s);
	g_ptr_array_unref(out);
}

static void
put_info(struct ds_store *st, const char *ip, const char *ptr,
    const char *base, const char *service, int confirmed)
{
	struct ds_ipinfo i;
	GError *e = NULL;

	ds_ipinfo_init(&i);
	i.ip = (char *)ip;
	i.ptr = (char *)ptr;
	i.base_domain = (char *)base;
	i.service = (char *)service;
	i.ptr_confirmed = confirmed;
	i.checked_at = 1000;
	i.ttl = 60;
	assert_true(ds_store_ipinfo_put(st, &i, &e));
	assert_null(e);
}

/* An info callback: fills from a static table, counts its calls. */
static bool
fake_info(struct ds_ipinfo *out, void *payload, GError **err)
{
	unsigned *calls = payload;

	(void)err;
	(*calls)++;
	if (strncmp(out->ip, "192.0.2.", 8) == 0) {
		out->ptr = g_strdup_printf("mail%s.example.com", out->ip + 8);
		out->base_domain = g_strdup("example.com");
		out->service = g_strdup("Own");
		out->ptr_confirmed = strcmp(out->ip, "192.0.2.7") != 0;
	}
	return true;
}

static void
test_groups(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	const struct ds_sender *s;
	struct ds_ipinfo info;
	GPtrArray *out;
	GError *e = NULL;
	unsigned calls = 0;
	bool found;

	put_info(f->st, "192.0.2.1", "a.mx.example.net", "example.net",
	    "Example Mail", 1);
	put_info(f->st, "192.0.2.7", "b.mx.example.net", "example.net",
	    NULL, 0);
	assert_true(ds_store_ipinfo_get(f->st, "192.0.2.7", &info, &found,
	    &e));
	assert_true(found);
	assert_string_equal(info.ptr, "b.mx.example.net");
	assert_int_equal(info.ptr_confirmed, 0);
	assert_null(info.service);
	assert_string_equal(info.status, "ok");
	assert_int_equal(info.ttl, 60);
	ds_ipinfo_clear(&info);
	assert_true(ds_store_ipinfo_get(f->st, "192.0.2.8", &info, &found,
	    &e));
	assert_false(found);
	assert_string_equal(info.ip, "192.0.2.8");
	ds_ipinfo_clear(&info);

	ds_sender_query_init(&q);
	q.period.domain = "example.com";
	q.group = DS_GROUP_NET;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "192.0.2.0/24");
	assert_non_null(s);
	assert_int_equal(s->ips, 4);	/* .1 .7 .99 .200 */
	assert_int_equal(s->ip_list->len, 4);
	assert_string_equal(s->ip_list->pdata[3], "192.0.2.200");
	assert_null(s->source_ip);
	assert_int_equal(s->messages, 10 + 3 + 5 + 8 + 4 + 7 + 9 + 2 + 1);
	assert_null(s->ptr);		/* the IPs disagree */
	assert_null(s->base_domain);	/* two IPs have none */
	s = find_sender(out, "2001:db8::/48");
	assert_non_null(s);
	assert_int_equal(s->ips, 2);
	g_ptr_array_unref(out);

	q.group = DS_GROUP_DOMAIN;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "example.net");
	assert_non_null(s);
	assert_int_equal(s->ips, 2);
	assert_string_equal(s->base_domain, "example.net");
	assert_int_equal(s->ptr_confirmed, -1);	/* 1 and 0 */
	assert_int_equal(s->reports, 6);	/* g0 y0 g1 g3 y4 g5 */
	s = find_sender(out, NULL);		/* the unknown group */
	assert_non_null(s);
	assert_int_equal(s->ips, 6);
	g_ptr_array_unref(out);

	q.group = DS_GROUP_SERVICE;
	q.info = fake_info;
	q.info_payload = &calls;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(calls, 8);	/* every IP of example.com once */
	s = find_sender(out, "Own");
	assert_non_null(s);
	assert_int_equal(s->ips, 4);
	assert_int_equal(s->ptr_confirmed, -1);
	assert_string_equal(s->base_domain, "example.com");
	g_ptr_array_unref(out);

	/* IP rows: only the kept rows are looked up */
	calls = 0;
	q.group = DS_GROUP_IP;
	q.period.limit = 2;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(calls, 2);
	s = out->pdata[0];
	assert_string_equal(s->key, "192.0.2.1");
	assert_string_equal(s->ptr, "mail1.example.com");
	assert_int_equal(s->ptr_confirmed, 1);
	g_ptr_array_unref(out);
}

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
	for (i = 0; i < NREP; i++) {
		if (!in_period(i, &q) ||
		    g_ascii_strcasecmp(reps[i].domain, "example.com") != 0)
			continue;
		reports++;
		for (j = 0; j < NREC; j++)
			if (recs[j].rep == (int)i) {
				msgs += recs[j].count;
				pass += passes(&recs[j]) ? recs[j].count : 0;
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
		for (j = 0; j < NREP; j++) {
			size_t k;

			if (g_ascii_strcasecmp(reps[j].domain, q.domain) ||
			    (reps[j].begin + reps[j].end) / 2 / DAY * DAY !=
			    x->day)
				continue;
			nrep++;
			for (k = 0; k < NREC; k++)
				if (recs[k].rep == (int)j) {
					msgs += recs[k].count;
					pass += passes(&recs[k]) ?
					    recs[k].count : 0;
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
		if (strstr(t, "total(rec.count)") != NULL &&
		    strstr(t, "json_each") == NULL &&
		    strstr(plan, "COVERING INDEX record_report_cover") == NULL)
			fail_msg("records not index-only:\n%s\n%s", t, plan);
		g_free(plan);
	}
	g_ptr_array_unref(sql);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_senders_periods, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_senders_detail, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_senders_filters, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_groups, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_summary, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_daily, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_reporters_domains, setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_query_plans, setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
