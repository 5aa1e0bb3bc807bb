/*
 * test_store_failure.c - failure reports in the store
 * (schema/store/store_failure.c, schema/store/sql/003-failure.sql): a parsed report
 * stored and read back field for field, the sample in its own table,
 * the identity stored once (THREATS #13), filters bound (THREATS #11).
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "schema/store/store_failure.h"
#include "ingest/failure/failure.h"
#include "tests/unit/helper_store.h"

static const char report[] =
    "From: ruf@reporter.example\r\nMessage-ID: <r1@reporter.example>\r\n"
    "Date: Tue, 03 Nov 2026 10:00:00 +0000\r\nSubject: r\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/report; "
    "report-type=feedback-report; boundary=B\r\n\r\n"
    "--B\r\nContent-Type: message/feedback-report\r\n\r\n"
    "Feedback-Type: auth-failure\r\nUser-Agent: u/1\r\nVersion: 1\r\n"
    "Original-Rcpt-To: <a@reporter.example>\r\n"
    "Original-Rcpt-To: <b@reporter.example>\r\n"
    "Arrival-Date: Mon, 02 Nov 2026 22:59:58 +0000\r\n"
    "Source-IP: 192.0.2.9\r\nReported-Domain: Example.com\r\n"
    "Authentication-Results: r.example; dkim=fail header.d=example.com\r\n"
    "Auth-Failure: dkim\r\nSPF-DNS: txt : example.com : \"v=spf1 -all\"\r\n"
    "X-Odd: \xc3\xa9t\xc3\xa9\r\n\r\n"
    "--B\r\nContent-Type: message/rfc822\r\n\r\n"
    "From: Jane <jane@example.com>\r\nSubject: hi\r\n"
    "DKIM-Signature: v=1; d=example.com; s=s1\r\n\r\nbody\x00with NUL\r\n"
    "--B--\r\n";

static void
parse(struct ds_failure *f)
{
	struct ds_limits lim;
	GError *e = NULL;

	ds_limits_default(&lim);
	assert_true(ds_failure_parse(f, report, sizeof(report) - 1, &lim,
	    &e));
	f->source = g_strdup("test");
	f->verification = g_strdup("{\"spf\":null,\"dkim\":[],\"dmarc\":null}");
	f->dmarc_now = g_strdup("fail");
	f->dns_mode = g_strdup("zone");
	f->verified_at = 1800000000;
	g_ptr_array_add(f->differences, g_strdup("reporter: dkim=fail; now: "
	    "dkim=pass"));
}

static void
test_round_trip(void **state)
{
	struct ts_fx *fx = *state;
	struct ds_failure a, b;
	GError *e = NULL;
	int64_t id, id2;
	guint i;

	parse(&a);
	assert_true(ds_store_begin(fx->st, &e));
	assert_true(ds_store_failure_put(fx->st, &a, 0, &id, &e));
	/* the same identity again: DS_ERROR_DUP with the first row */
	assert_false(ds_store_failure_put(fx->st, &a, 0, &id2, &e));
	assert_int_equal(e->code, DS_ERROR_DUP);
	assert_int_equal(id2, id);
	g_clear_error(&e);
	assert_true(ds_store_commit(fx->st, &e));
	assert_int_equal(ts_int(fx->db, "SELECT count(*) FROM failure_report",
	    0), 1);
	assert_int_equal(ts_int(fx->db, "SELECT length(raw) FROM "
	    "failure_sample WHERE report_row = ?1", id), a.sample_len);

	assert_true(ds_store_failure_get(fx->st, id, true, &b, &e));
	assert_string_equal(b.identity, a.identity);
	assert_string_equal(b.source_ip, "192.0.2.9");
	assert_int_equal(b.arrival_ts, a.arrival_ts);
	assert_int_equal(b.event_ts, a.arrival_ts);
	assert_string_equal(b.reporter, "reporter.example");
	assert_int_equal(b.original_rcpt_to->len, 2);
	assert_string_equal(g_ptr_array_index(b.reported_domain, 0),
	    "example.com");
	assert_int_equal(b.spf_dns->len, 1);
	assert_int_equal(b.fields->len, a.fields->len);
	for (i = 0; i < a.fields->len; i++) {
		assert_string_equal(g_array_index(b.fields,
		    struct ds_failure_field, i).name, g_array_index(a.fields,
		    struct ds_failure_field, i).name);
		assert_string_equal(g_array_index(b.fields,
		    struct ds_failure_field, i).value, g_array_index(a.fields,
		    struct ds_failure_field, i).value);
	}
	/* the sample byte for byte, NUL included (THREATS #8) */
	assert_int_equal(b.sample_len, a.sample_len);
	assert_memory_equal(b.sample, a.sample, a.sample_len);
	assert_int_equal(b.sample_kind, DS_SAMPLE_MESSAGE);
	assert_string_equal(b.sample_from, "Jane <jane@example.com>");
	assert_int_equal(b.sample_dkim->len, 1);
	assert_string_equal(b.verification, a.verification);
	assert_string_equal(b.dmarc_now, "fail");
	assert_string_equal(b.dns_mode, "zone");
	assert_int_equal(b.verified_at, 1800000000);
	assert_int_equal(b.differences->len, 1);
	assert_int_equal(b.warnings->len, a.warnings->len);
	ds_failure_clear(&b);
	/* without the sample */
	assert_true(ds_store_failure_get(fx->st, id, false, &b, &e));
	assert_null(b.sample);
	ds_failure_clear(&b);
	/* no such report: a usage error */
	assert_false(ds_store_failure_get(fx->st, id + 7, true, &b, &e));
	assert_int_equal(e->code, DS_ERROR_USAGE);
	g_clear_error(&e);
	ds_failure_clear(&b);
	ds_failure_clear(&a);
}

static bool
count_cb(const struct ds_failure *f, void *payload)
{
	(*(unsigned *)payload)++;
	return f->sample == NULL;	/* listings carry no sample */
}

static unsigned
count(struct ds_store *st, const char *domain, int64_t since, int64_t until)
{
	struct ds_query q;
	GError *e = NULL;
	unsigned n = 0;

	ds_query_init(&q);
	q.domain = domain;
	q.since = since;
	q.until = until;
	assert_true(ds_store_failures_each(st, &q, count_cb, &n, &e));
	return n;
}

static void
test_filters(void **state)
{
	struct ts_fx *fx = *state;
	struct ds_failure a;
	GError *e = NULL;
	int64_t id, t;

	parse(&a);
	t = a.arrival_ts;
	assert_true(ds_store_begin(fx->st, &e));
	assert_true(ds_store_failure_put(fx->st, &a, 0, &id, &e));
	g_free(a.identity);
	a.identity = g_strdup("sha256:other");
	g_ptr_array_set_size(a.reported_domain, 0);
	g_ptr_array_add(a.reported_domain, g_strdup("other.example"));
	a.arrival_ts += 86400;
	assert_true(ds_store_failure_put(fx->st, &a, 0, &id, &e));
	assert_true(ds_store_commit(fx->st, &e));
	assert_int_equal(count(fx->st, NULL, INT64_MIN, INT64_MAX), 2);
	assert_int_equal(count(fx->st, "EXAMPLE.COM", INT64_MIN, INT64_MAX),
	    1);
	assert_int_equal(count(fx->st, NULL, t + 1, INT64_MAX), 1);
	assert_int_equal(count(fx->st, NULL, INT64_MIN, t), 0);
	assert_int_equal(count(fx->st, "x' OR '1'='1", INT64_MIN, INT64_MAX),
	    0);
	ds_failure_clear(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_round_trip, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_filters, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
