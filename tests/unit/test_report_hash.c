/*
 * test_report_hash.c - the content hash of an aggregate report
 * (ingest/aggregate/aggregate_hash.h) and the redaction of a failure
 * report for [ingest] store-samples (ingest/failure/failure_keep.h):
 * issue 13.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib.h>

#include "ingest/aggregate/aggregate_hash.h"
#include "ingest/failure/failure_keep.h"

static void
rec(struct ds_record *r, const char *ip, uint64_t count, const char *from)
{
	ds_record_init(r);
	r->source_ip = g_strdup(ip);
	r->count = count;
	r->disposition = g_strdup("none");
	r->dkim = g_strdup("pass");
	r->spf = g_strdup("fail");
	r->header_from = from ? g_strdup(from) : NULL;
}

/* the hash of records a[0..n) in the order of idx */
static void
hash_of(struct ds_record *a, const int *idx, int n,
    const struct ds_report_meta *m, char out[DS_REPORT_HASH_LEN + 1])
{
	struct ds_report_hash h;
	int i;

	ds_report_hash_init(&h);
	for (i = 0; i < n; i++)
		ds_report_hash_record(&h, &a[idx[i]]);
	ds_report_hash_final(&h, m, out);
}

static void
test_hash(void **state)
{
	struct ds_report_meta m;
	struct ds_record r[4];
	char h1[65], h2[65], h3[65], h4[65], h5[65], h6[65];
	static const int fwd[] = { 0, 1, 2 }, back[] = { 2, 1, 0 },
	    two[] = { 0, 1 }, twice[] = { 0, 1, 1 };
	int i;

	(void)state;
	ds_report_meta_init(&m);
	m.p = g_strdup("none");
	m.pct = -1;
	rec(&r[0], "192.0.2.1", 10, "example.com");
	rec(&r[1], "192.0.2.2", 5, "example.com");
	rec(&r[2], "198.51.100.7", 999, "example.com");
	rec(&r[3], "192.0.2.1", 10, "");	/* empty, not absent */
	hash_of(r, fwd, 3, &m, h1);
	hash_of(r, back, 3, &m, h2);
	assert_int_equal(strlen(h1), 64);
	assert_string_equal(h1, h2);		/* order-free */
	hash_of(r, two, 2, &m, h3);
	assert_string_not_equal(h1, h3);	/* a record more */
	hash_of(r, twice, 3, &m, h4);
	assert_string_not_equal(h1, h4);	/* a repeated row counts */
	g_free(r[0].header_from);
	r[0].header_from = NULL;
	hash_of(r, two, 2, &m, h5);
	r[0].header_from = g_strdup("example.com");
	assert_string_not_equal(h3, h5);	/* absent differs */
	hash_of((struct ds_record[]){ r[3], r[1] }, (const int[]){ 0, 1 }, 2,
	    &m, h6);
	assert_string_not_equal(h5, h6);	/* absent vs "" */
	r[1].count = 6;
	hash_of(r, two, 2, &m, h5);
	assert_string_not_equal(h3, h5);	/* a count */
	r[1].count = 5;
	g_free(m.p);
	m.p = g_strdup("reject");
	hash_of(r, two, 2, &m, h5);
	assert_string_not_equal(h3, h5);	/* the published policy */
	for (i = 0; i < 4; i++)
		ds_record_clear(&r[i]);
	ds_report_meta_clear(&m);
}

/*
 * Known answer: stored reports keep the hash computed when they were
 * ingested (report.content_hash), so the bytes hashed must never
 * change; a re-sent copy would otherwise look like a conflicting
 * version. The value was computed by the GChecksum implementation this
 * one replaced (every field, a long one past any buffer size, a NULL in
 * each kind of list).
 */
static void
test_hash_known(void **state)
{
	struct ds_report_meta m;
	struct ds_record r[2];
	struct ds_reason why = { g_strdup("forwarded"), NULL };
	struct ds_dkim_result d = { g_strdup("example.com"), g_strdup("s1"),
	    g_strdup("pass"), NULL };
	struct ds_dkim_result d2 = { g_strdup("x.example"), NULL,
	    g_strdup("hardfail"), g_strdup("body hash did not verify") };
	struct ds_spf_result sp = { g_strdup("example.com"), g_strdup("mfrom"),
	    g_strdup("softfail"), NULL };
	static const int both[] = { 0, 1 };
	char h[65];
	GString *big = g_string_new(NULL);
	int i;

	(void)state;
	for (i = 0; i < 500; i++)
		g_string_append_printf(big, "<x%d>\xc3\xa9</x%d>", i, i);
	ds_report_meta_init(&m);
	m.adkim = g_strdup("r");
	m.aspf = g_strdup("s");
	m.p = g_strdup("quarantine");
	m.sp = g_strdup("");
	m.pct = 50;
	m.fo = g_strdup("1");
	rec(&r[0], "2001:db8::1", 18446744073709551615u, "example.com");
	r[0].envelope_to = g_strdup("example.net");
	g_array_append_val(r[0].reasons, why);
	g_array_append_val(r[0].dkim_results, d);
	g_array_append_val(r[0].dkim_results, d2);
	g_array_append_val(r[0].spf_results, sp);
	r[0].extensions = g_string_free(big, FALSE);
	rec(&r[1], "192.0.2.1", 0, NULL);
	hash_of(r, both, 2, &m, h);
	assert_string_equal(h, "40b4a3f0508daf2e449d31c65b92001304752d41f5a3f16aa2babf01b3d09c37");
	m.pct = -1;
	hash_of(r, both, 1, &m, h);
	assert_string_equal(h, "3d8621abcafdbf4ace4e5c966e4471cc8b1e26e46971ffb4dfafba09a0fcec8c");
	for (i = 0; i < 2; i++)
		ds_record_clear(&r[i]);
	ds_report_meta_clear(&m);
}

static void
failure(struct ds_failure *f)
{
	static const char sample[] = "From: Jane <jane.doe@example.com>\r\n"
	    "Subject: salary\r\n and more\r\n"
	    "To: bob@example.org\r\n\r\nthe body of jane";
	struct ds_failure_field x = { g_strdup("Original-Rcpt-To"),
	    g_strdup("<bob@example.org>") };
	struct ds_failure_field y = { g_strdup("DKIM-Canonicalized-Body"),
	    g_strdup("dGhlIGJvZHk=") };

	ds_failure_init(f);
	g_array_append_val(f->fields, x);
	g_array_append_val(f->fields, y);
	f->original_mail_from = g_strdup("<bounce+x@mail.example.com>");
	g_ptr_array_add(f->original_rcpt_to, g_strdup("<bob@example.org>"));
	f->auth_results = g_strdup("mx; spf=fail smtp.mailfrom=jane@example.com");
	f->dkim_canon_body = g_strdup("dGhlIGJvZHk=");
	f->sample_subject = g_strdup("salary");
	f->sample_from = g_strdup("Jane <jane.doe@example.com>");
	f->sample = g_strdup(sample);
	f->sample_len = strlen(sample);
	f->sample_kind = DS_SAMPLE_MESSAGE;
}

static void
test_keep(void **state)
{
	struct ds_failure f;
	enum ds_store_samples how;

	(void)state;
	assert_true(ds_store_samples_parse("headers", &how));
	assert_int_equal(how, DS_SAMPLES_HEADERS);
	assert_false(ds_store_samples_parse("Full", &how));
	assert_false(ds_store_samples_parse(NULL, &how));

	failure(&f);
	ds_failure_keep(&f, DS_SAMPLES_FULL);
	assert_int_equal(ds_failure_stored_as(&f), DS_SAMPLES_FULL);
	assert_non_null(strstr(f.sample, "the body of jane"));
	ds_failure_clear(&f);

	failure(&f);
	ds_failure_keep(&f, DS_SAMPLES_HEADERS);
	assert_int_equal(ds_failure_stored_as(&f), DS_SAMPLES_HEADERS);
	assert_null(strstr(f.sample, "the body"));
	assert_non_null(strstr(f.sample, "jane.doe@example.com"));
	assert_true(f.headers_only);
	assert_int_equal(f.sample_len, strlen(f.sample));
	ds_failure_clear(&f);

	failure(&f);
	ds_failure_keep(&f, DS_SAMPLES_REDACTED);
	assert_int_equal(ds_failure_stored_as(&f), DS_SAMPLES_REDACTED);
	assert_string_equal(f.sample, "From: <***@example.com>\r\n"
	    "Subject: [redacted]\r\nTo: ***@example.org\r\n\r\n");
	assert_string_equal(f.original_mail_from, "<***@mail.example.com>");
	assert_string_equal(g_ptr_array_index(f.original_rcpt_to, 0),
	    "<***@example.org>");
	assert_string_equal(f.auth_results,
	    "mx; spf=fail smtp.mailfrom=***@example.com");
	assert_string_equal(g_array_index(f.fields, struct ds_failure_field,
	    0).value, "<***@example.org>");
	assert_string_equal(g_array_index(f.fields, struct ds_failure_field,
	    1).value, "[withheld]");
	assert_null(f.dkim_canon_body);
	assert_string_equal(f.sample_subject, "[redacted]");
	assert_string_equal(f.sample_from, "<***@example.com>");
	ds_failure_clear(&f);

	failure(&f);
	ds_failure_keep(&f, DS_SAMPLES_NONE);
	assert_int_equal(ds_failure_stored_as(&f), DS_SAMPLES_NONE);
	assert_null(f.sample);
	assert_int_equal(f.sample_len, 0);
	assert_string_equal(f.original_mail_from, "<***@mail.example.com>");
	ds_failure_clear(&f);

	/* the text rule and the address rule on hostile shapes */
	{
		static const struct { const char *in, *text, *addr; } t[] = {
			{ "\"jane doe\"@example.com", "***@example.com",
			  "***@example.com" },
			{ "Doe, Jane <jane@example.com>", "Doe, Jane <***@example.com>",
			  "***, <***@example.com>" },
			{ "<\"><b id=x>victim</b>@xss.example>", NULL,
			  "<***@xss.example>" },
			{ "header.i=@example.com", "header.i=@example.com", NULL },
			{ "undisclosed-recipients:;", NULL, "***" },
		};
		char *r;
		size_t i;

		for (i = 0; i < G_N_ELEMENTS(t); i++) {
			if (t[i].text) {
				r = ds_failure_redact(t[i].in);
				assert_string_equal(r, t[i].text);
				g_free(r);
			}
			if (t[i].addr) {
				r = ds_failure_redact_addr(t[i].in);
				assert_string_equal(r, t[i].addr);
				g_free(r);
			}
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test(test_hash_known),
		cmocka_unit_test(test_keep),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
