/*
 * test_tlsrpt.c - the SMTP TLS report parser (ingest/tlsrpt): every
 * field, the real-world deviations kept with named warnings, hostile
 * JSON rejected with a reason (THREATS #20), content sniffing.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "ingest/tlsrpt/tlsrpt.h"

#define HEAD "{\"organization-name\":\"Org\",\"report-id\":\"r1\"," \
	"\"date-range\":{\"start-datetime\":\"2026-11-01T00:00:00Z\"," \
	"\"end-datetime\":\"2026-11-01T23:59:59Z\"},"

static struct ds_limits lim;

static bool
parse(struct ds_tls_report *r, const char *s, GError **e)
{
	return ds_tlsrpt_parse(r, s, strlen(s), &lim, e);
}

static bool
has_warning(const struct ds_tls_report *r, const char *w)
{
	guint i;

	for (i = 0; i < r->warnings->len; i++)
		if (strncmp(g_ptr_array_index(r->warnings, i), w,
		    strlen(w)) == 0)
			return true;
	return false;
}

static void
test_every_field(void **state)
{
	const char *s = HEAD "\"contact-info\":\"tls@org.example\","
	    "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	    "\"policy-string\":[\"version: STSv1\",\"mode: enforce\"],"
	    "\"policy-domain\":\"Example.COM.\",\"mx-host\":[\"*.mx.example\"]},"
	    "\"summary\":{\"total-successful-session-count\":10,"
	    "\"total-failure-session-count\":4},\"failure-details\":[{"
	    "\"result-type\":\"certificate-expired\",\"sending-mta-ip\":"
	    "\"2001:DB8:0::1\",\"receiving-mx-hostname\":\"mx1.example\","
	    "\"receiving-mx-helo\":\"helo.example\",\"receiving-ip\":"
	    "\"192.0.2.1\",\"failed-session-count\":4,"
	    "\"additional-information\":\"https://x.example/i\","
	    "\"failure-reason-code\":\"X509_V_ERR_CERT_HAS_EXPIRED\"}]}]}";
	struct ds_tls_report r;
	struct ds_tls_policy *p;
	struct ds_tls_failure *f;
	GError *e = NULL;

	assert_true(parse(&r, s, &e));
	assert_string_equal(r.org_name, "Org");
	assert_string_equal(r.report_id, "r1");
	assert_string_equal(r.contact_info, "tls@org.example");
	assert_int_equal(r.begin, 1793491200);
	assert_int_equal(r.end, 1793491200 + 86399);
	assert_string_equal(r.domain, "example.com");
	assert_int_equal(r.policies->len, 1);
	p = g_ptr_array_index(r.policies, 0);
	assert_string_equal(p->type, "sts");
	assert_int_equal(p->strings->len, 2);
	assert_string_equal(g_ptr_array_index(p->mx_hosts, 0), "*.mx.example");
	assert_int_equal(p->successes, 10);
	assert_int_equal(p->failures, 4);
	f = g_ptr_array_index(p->details, 0);
	assert_string_equal(f->result_type, "certificate-expired");
	assert_string_equal(f->sending_mta_ip, "2001:db8::1");
	assert_string_equal(f->receiving_mx_hostname, "mx1.example");
	assert_string_equal(f->receiving_mx_helo, "helo.example");
	assert_string_equal(f->receiving_ip, "192.0.2.1");
	assert_int_equal(f->failed_sessions, 4);
	assert_string_equal(f->additional_info, "https://x.example/i");
	assert_string_equal(f->failure_reason_code,
	    "X509_V_ERR_CERT_HAS_EXPIRED");
	assert_int_equal(r.warnings->len, 0);
	ds_tls_report_clear(&r);
}

/* deviations: stored, each with its named warning */
static const struct {
	const char *json;
	const char *warning;
} quirks[] = {
	{ HEAD "\"contact-info\":null,\"policies\":[]}", "no-contact-info" },
	{ HEAD "\"contact-info\":\"a@b\"}", "no-policies" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"d.example\"},\"summary\":{"
	  "\"total-successful-session-count\":0,"
	  "\"total-failure-session-count\":3},\"failure-details\":[{"
	  "\"result-type\":\"sts-policy-fetch-error\","
	  "\"failed-session-count\":3}]}]}", "no-sending-mta-ip" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"d.example\",\"mx-host\":\"*.d.example\"},"
	  "\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", "not-an-array: mx-host" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"d.example\",\"mx-host\":[\"mx: m.d.example\"]},"
	  "\"summary\":{\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", "mx-host-with-prefix" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"d.example\"},\"summary\":{"
	  "\"total-successful-session-count\":\"12\","
	  "\"total-failure-session-count\":0}}]}", "count-as-string" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"dane\","
	  "\"policy-domain\":\"d.example\"},\"summary\":{"
	  "\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", "unknown-policy-type" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"d.example\"},\"summary\":{"
	  "\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":1},\"failure-details\":[{"
	  "\"result-type\":\"validation-failure\",\"sending-mta-ip\":"
	  "\"not-an-ip\",\"failed-session-count\":1}]}]}", "bad-ip" },
	{ "{\"report-id\":\"x\",\"contact-info\":\"tls@org.example\","
	  "\"date-range\":{\"start-datetime\":\"2026-11-01T00:00:00\","
	  "\"end-datetime\":\"2026-11-02T00:00:00Z\"}}", "date-without-zone" },
	{ "{\"report-id\":\"x\",\"contact-info\":\"tls@org.example\","
	  "\"date-range\":{\"start-datetime\":\"2026-11-01T00:00:00Z\","
	  "\"end-datetime\":\"2026-11-02T00:00:00Z\"}}",
	  "no-organization-name" },
	{ HEAD "\"policies\":[{\"policy\":{\"policy-type\":\"sts\","
	  "\"policy-domain\":\"a.example\"},\"summary\":{"
	  "\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}},{\"policy\":{\"policy-type\":"
	  "\"sts\",\"policy-domain\":\"b.example\"},\"summary\":{"
	  "\"total-successful-session-count\":1,"
	  "\"total-failure-session-count\":0}}]}", "several-policy-domains" },
	{ "\xef\xbb\xbf" HEAD "\"policies\":[]}", "utf8-bom" },
};

static void
test_quirks_kept_with_warning(void **state)
{
	struct ds_tls_report r;
	GError *e = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(quirks); i++) {
		if (!parse(&r, quirks[i].json, &e))
			fail_msg("quirk %zu rejected: %s", i, e->message);
		if (!has_warning(&r, quirks[i].warning))
			fail_msg("quirk %zu: no warning %s", i,
			    quirks[i].warning);
		ds_tls_report_clear(&r);
	}
	/* the derived organization comes from contact-info */
	assert_true(parse(&r, quirks[9].json, &e));
	assert_string_equal(r.org_name, "org.example");
	ds_tls_report_clear(&r);
}

/* hostile or unusable input: rejected, each with its reason */
static const struct {
	const char *json;
	int code;
	const char *reason;
} bad[] = {
	{ "[1,2]", DS_ERROR_SCHEMA, "not an object" },
	{ "{\"report-id\":\"x\"}", DS_ERROR_SCHEMA, "no date-range" },
	{ "{\"organization-name\":\"o\",\"date-range\":{}}", DS_ERROR_SCHEMA,
	  "no report-id" },
	{ HEAD "\"policies\":[{\"summary\":{"
	  "\"total-successful-session-count\":1e999}}]}", DS_ERROR_SCHEMA,
	  "not a count" },
	{ HEAD "\"policies\":[{\"summary\":{"
	  "\"total-successful-session-count\":-5}}]}", DS_ERROR_SCHEMA,
	  "not a count" },
	{ HEAD "\"policies\":[{\"summary\":{"
	  "\"total-successful-session-count\":99999999999999999999}}]}",
	  DS_ERROR_SCHEMA, "not a count" },
	{ HEAD "\"policies\":[{\"summary\":{"
	  "\"total-successful-session-count\":1.5}}]}", DS_ERROR_SCHEMA,
	  "not a count" },
	{ HEAD "\"policies\":[{\"failure-details\":[{"
	  "\"failed-session-count\":\"many\"}]}]}", DS_ERROR_SCHEMA,
	  "failure-details: failed-session-count" },
	{ HEAD "\"report-id\":\"r2\",\"policies\":[]}", DS_ERROR_FORMAT,
	  "key 'report-id' twice" },
	{ "{\"report-id\":\"\xff\xfe\"}", DS_ERROR_FORMAT, "UTF-8" },
	{ "{\"report-id\":\"x\",\"date-range\":{\"start-datetime\":"
	  "\"yesterday\",\"end-datetime\":\"2026-11-02T00:00:00Z\"}}",
	  DS_ERROR_SCHEMA, "not an RFC 3339 date-time" },
	{ "{\"report-id\":\"x\",\"date-range\":{\"start-datetime\":"
	  "\"2026-11-03T00:00:00Z\",\"end-datetime\":\"2026-11-02T00:00:00Z\"}}",
	  DS_ERROR_SCHEMA, "ends before it starts" },
	{ "{\"report-id\":", DS_ERROR_FORMAT, "not JSON" },
};

static void
test_bad_rejected_with_reason(void **state)
{
	struct ds_tls_report r;
	GError *e = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		if (parse(&r, bad[i].json, &e))
			fail_msg("bad %zu accepted", i);
		if (e->code != bad[i].code ||
		    strstr(e->message, bad[i].reason) == NULL)
			fail_msg("bad %zu: code %d '%s'", i, e->code,
			    e->message);
		g_clear_error(&e);
		ds_tls_report_clear(&r);
	}
}

static void
test_deep_and_large(void **state)
{
	struct ds_tls_report r;
	struct ds_limits small = lim;
	GString *g = g_string_new("{\"report-id\":");
	GError *e = NULL;
	int i;

	for (i = 0; i < 100000; i++)
		g_string_append_c(g, '[');
	assert_false(ds_tlsrpt_parse(&r, g->str, g->len, &lim, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_clear_error(&e);
	ds_tls_report_clear(&r);
	small.max_message = 100;
	g_string_assign(g, HEAD "\"contact-info\":\"");
	for (i = 0; i < 200; i++)
		g_string_append_c(g, 'a');
	g_string_append(g, "\"}");
	assert_false(ds_tlsrpt_parse(&r, g->str, g->len, &small, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_clear_error(&e);
	ds_tls_report_clear(&r);
	/* more policies than max_records */
	small = lim;
	small.max_records = 3;
	g_string_assign(g, HEAD "\"policies\":[{},{},{},{},{}]}");
	assert_false(ds_tlsrpt_parse(&r, g->str, g->len, &small, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_clear_error(&e);
	ds_tls_report_clear(&r);
	g_string_free(g, TRUE);
}

static void
test_sniff(void **state)
{
	assert_true(ds_tlsrpt_sniff(HEAD, strlen(HEAD)));
	assert_true(ds_tlsrpt_sniff("\xef\xbb\xbf  \n{\"policies\":", 19));
	assert_false(ds_tlsrpt_sniff("<?xml version=\"1.0\"?><feedback>", 31));
	assert_false(ds_tlsrpt_sniff("{\"access_token\":\"x\"}", 20));
	assert_false(ds_tlsrpt_sniff("", 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_quirks_kept_with_warning),
		cmocka_unit_test(test_bad_rejected_with_reason),
		cmocka_unit_test(test_deep_and_large),
		cmocka_unit_test(test_sniff),
	};

	ds_limits_default(&lim);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
