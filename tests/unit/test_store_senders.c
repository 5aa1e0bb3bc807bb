/*
 * test_store_senders.c - ds_store_senders() over the hand-made store of
 * helper_senders.c: per-IP totals (DMARC pass = DKIM or SPF pass in
 * policy_evaluated, RFC 7489 section 4.2), auth results, reporters,
 * periods by report midpoint, --failing, --new, sort, limit, grouping
 * by network, base domain and service, the ip_info cache and the
 * enrichment callback.
 * SPDX-License-Identifier: MIT
 *
 * Expected values are recomputed from the fixture table with the period
 * rule of store_senders.h, not read back from the store.
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
#include "schema/store/store_senders.h"
#include "tests/unit/helper_senders.h"

struct expect {
	int64_t messages, pass, records, first, last;
};

/*
 * Expected totals of ip in the period of q, by the day rule (the
 * senders read the rollups): a report counts for an IP when the IP has
 * a row on a day of the period.
 */
static void
expect_ip(const char *ip, const struct ds_query *q, struct expect *x)
{
	int64_t m, n;
	size_t j;

	memset(x, 0, sizeof(*x));
	x->first = INT64_MAX;
	for (j = 0; j < ts_nrec; j++) {
		if (strcmp(ts_recs[j].ip, ip) != 0 ||
		    !ts_roll_period(ts_recs[j].rep, ts_recs[j].count, q, &m, &n))
			continue;
		x->messages += m;
		x->pass += ts_passes(&ts_recs[j]) ? m : 0;
		x->records += n;
		x->first = MIN(x->first, ts_reps[ts_recs[j].rep].begin);
		x->last = MAX(x->last, ts_reps[ts_recs[j].rep].end);
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
	int64_t m, n;
	size_t j;

	ds_sender_query_init(&q);
	q.period = *period;
	assert_true(ds_store_senders(st, &q, &out, &e));
	assert_null(e);
	for (j = 0; j < ts_nrec; j++)
		if (ts_roll_period(ts_recs[j].rep, ts_recs[j].count, period,
		    &m, &n))
			g_hash_table_add(ips, (gpointer)ts_recs[j].ip);
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
	/* consecutive periods, half-day steps: the two-day report is
	   spread over its days (day rule), a day counts when its noon is in
	   the period */
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

/* An info callback with AS and country for the example.com IPs. */
static bool
fake_geo(struct ds_ipinfo *out, void *payload, GError **err)
{
	(void)payload;
	(void)err;
	if (strncmp(out->ip, "192.0.2.", 8) != 0)
		return true;
	if (strcmp(out->ip, "192.0.2.7") == 0) {
		out->asn = 9;
		out->as_org = g_strdup("Other Net");
		out->country = g_strdup("FR");
	} else {
		out->asn = 64500;
		out->as_org = g_strdup("Example Hosting");
		out->country = g_strdup("DE");
	}
	return true;
}

/* --group asn and country; the AS columns of the cache round-trip. */
static void
test_groups_geo(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	const struct ds_sender *s;
	struct ds_ipinfo info;
	struct expect x;
	GPtrArray *out;
	GError *e = NULL;
	int64_t n;
	bool found;

	ds_ipinfo_init(&info);
	info.ip = g_strdup("192.0.2.1");
	info.asn = 4294967295;
	info.as_org = g_strdup("Org \xc3\xa9");
	info.as_domain = g_strdup("org.example");
	info.country = g_strdup("DE");
	info.geo_built = 1700000000;
	info.checked_at = 1000;
	assert_true(ds_store_ipinfo_put(f->st, &info, &e));
	ds_ipinfo_clear(&info);
	assert_true(ds_store_ipinfo_get(f->st, "192.0.2.1", &info, &found,
	    &e));
	assert_true(found);
	assert_int_equal(info.asn, 4294967295);
	assert_string_equal(info.as_org, "Org \xc3\xa9");
	assert_string_equal(info.as_domain, "org.example");
	assert_string_equal(info.country, "DE");
	assert_int_equal(info.geo_built, 1700000000);
	ds_ipinfo_clear(&info);

	ds_sender_query_init(&q);
	q.period.domain = "example.com";
	q.group = DS_GROUP_ASN;
	q.info = fake_geo;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "AS64500");
	assert_non_null(s);
	assert_int_equal(s->ips, 3);		/* .1 .99 .200 */
	assert_int_equal(s->asn, 64500);
	assert_string_equal(s->as_org, "Example Hosting");
	assert_string_equal(s->country, "DE");
	expect_ip("192.0.2.1", &q.period, &x);
	n = x.messages;
	expect_ip("192.0.2.99", &q.period, &x);
	n += x.messages;
	expect_ip("192.0.2.200", &q.period, &x);
	assert_int_equal(s->messages, n + x.messages);
	s = find_sender(out, "AS9");
	assert_non_null(s);
	assert_int_equal(s->ips, 1);
	assert_string_equal(s->source_ip, "192.0.2.7");
	s = find_sender(out, NULL);		/* no AS known */
	assert_non_null(s);
	assert_int_equal(s->asn, 0);
	assert_null(s->as_org);
	g_ptr_array_unref(out);

	/* by key: AS numbers numerically (AS9 before AS10), unknown last */
	q.sort = DS_SORT_KEY;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_int_equal(out->len, 3);
	assert_string_equal(((struct ds_sender *)out->pdata[0])->key, "AS9");
	assert_string_equal(((struct ds_sender *)out->pdata[1])->key,
	    "AS64500");
	assert_null(((struct ds_sender *)out->pdata[2])->key);
	g_ptr_array_unref(out);
	q.sort = DS_SORT_MESSAGES;

	q.group = DS_GROUP_COUNTRY;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "DE");
	assert_non_null(s);
	assert_int_equal(s->ips, 3);
	s = find_sender(out, "FR");
	assert_non_null(s);
	assert_string_equal(s->as_org, "Other Net");
	g_ptr_array_unref(out);

	/* a network group keeps only what all its IPs agree on */
	q.group = DS_GROUP_NET;
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	s = find_sender(out, "192.0.2.0/24");
	assert_non_null(s);
	assert_int_equal(s->asn, 0);
	assert_null(s->as_org);
	assert_null(s->country);
	g_ptr_array_unref(out);
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
count_ip(const char *ip, void *payload)
{
	g_hash_table_add(payload, g_strdup(ip));
	return true;
}

/* THREATS #14: absurd counts clamp instead of failing; IP listing. */
static void
test_absurd(void **state)
{
	struct ts_fx *f = *state;
	struct ds_sender_query q;
	struct ds_report_meta m;
	struct ds_record r;
	const struct ds_sender *s;
	GHashTable *ips;
	GPtrArray *out;
	GError *e = NULL;
	int64_t row;

	assert_true(ds_store_begin(f->st, &e));
	ts_meta_fill(&m, "huge.example", "h1", "example.com", T0, T0 + 10);
	assert_true(ds_store_report_put(f->st, &m, "test", 0, &row, &e));
	ts_record_fill(&r, "192.0.2.1", INT64_MAX, "x");
	assert_true(ds_store_record_put(f->st, row, &r, &e));
	assert_true(ds_store_record_put(f->st, row, &r, &e));
	ts_record_free(&r);
	assert_true(ds_store_report_finish(f->st, row, 2, INT64_MAX, &m, &e));
	ts_meta_free(&m);
	assert_true(ds_store_commit(f->st, &e));
	assert_null(e);

	ds_sender_query_init(&q);
	assert_true(ds_store_senders(f->st, &q, &out, &e));
	assert_null(e);
	assert_int_equal(out->len, 1);
	s = out->pdata[0];
	assert_int_equal(s->messages, INT64_MAX);
	assert_int_equal(s->dmarc_pass, INT64_MAX);
	assert_int_equal(s->dmarc_fail, 0);
	g_ptr_array_unref(out);

	ips = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	assert_true(ds_store_sender_ips_each(f->st, &q.period, count_ip, ips,
	    &e));
	assert_int_equal(g_hash_table_size(ips), 1);
	assert_true(g_hash_table_contains(ips, "192.0.2.1"));
	g_hash_table_destroy(ips);
}

static void
test_ips_each(void **state)
{
	struct ts_fx *f = *state;
	GHashTable *ips = g_hash_table_new_full(g_str_hash, g_str_equal,
	    g_free, NULL);
	struct ds_query q;
	GError *e = NULL;
	int64_t m, n;
	size_t j;

	ds_query_init(&q);
	q.domain = "example.org";
	assert_true(ds_store_sender_ips_each(f->st, &q, count_ip, ips, &e));
	assert_int_equal(g_hash_table_size(ips), 2);
	q.domain = "example.com";
	q.since = T0 + 3 * DAY;
	g_hash_table_remove_all(ips);
	assert_true(ds_store_sender_ips_each(f->st, &q, count_ip, ips, &e));
	for (j = 0; j < ts_nrec; j++)
		if (ts_roll_period(ts_recs[j].rep, ts_recs[j].count, &q,
		    &m, &n) && !g_hash_table_contains(ips, ts_recs[j].ip))
			fail_msg("%s missing", ts_recs[j].ip);
	/* .1 .7 .99 203.0.113.5 2001:db8::2 */
	assert_int_equal(g_hash_table_size(ips), 5);
	g_hash_table_destroy(ips);
	assert_null(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_senders_periods,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_senders_detail,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_senders_filters,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_groups_geo,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_groups,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_ips_each,
		    ts_senders_setup, ts_teardown),
		cmocka_unit_test_setup_teardown(test_absurd, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
