/*
 * test_verify.c - ingest/verify/verify.c, the API the failure-report code
 * calls: the From domain rules (RFC 7489 §6.6.1), what is not a
 * message, SPF skipped without identity, the JSON contract (null spf,
 * escaped hostile text, RFC 8601 words) and result ownership. The DKIM
 * and SPF cases with keys and zones are in tests/verify/t_verify.sh.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "ingest/verify/verify.h"

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "@ 300 IN A 192.0.2.1\n"
    "@ 300 IN TXT \"v=spf1 ip4:192.0.2.0/24 -all\"\n"
    "_dmarc 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.twice 300 IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.twice 300 IN TXT \"v=DMARC1; p=none\"\n";

static struct ds_dns *
zone_dns(void)
{
	struct ds_dns *dns;
	GError *err = NULL;
	char *path;
	int fd;

	fd = g_file_open_tmp("dsver-XXXXXX.zone", &path, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, zone_text, -1, &err));
	dns = ds_dns_new(DS_DNS_ZONE, path, &err);
	if (dns == NULL)
		fail_msg("%s", err->message);
	unlink(path);
	g_free(path);
	return dns;
}

static bool
run(struct ds_dns *dns, const char *msg, const char *ip, const char *mf,
    struct ds_verify_result *r)
{
	struct ds_verify_input in;

	memset(&in, 0, sizeof(in));
	in.msg = msg;
	in.len = strlen(msg);
	in.source_ip = ip;
	in.mail_from = mf;
	return ds_verify_message(dns, &in, r, NULL);
}

struct from_case {
	const char	*msg;
	const char	*result;	/* DMARC result */
	const char	*from;		/* from_domain, NULL for none */
	const char	*reason;	/* substring of the DMARC reason */
};

static void
test_from_rules(void **state)
{
	static const struct from_case cases[] = {
		{ "From: a@Example.COM\r\nSubject: x\r\n\r\nbody\r\n",
		  "fail", "example.com", "no DKIM pass" },
		{ "Subject: no from\r\n\r\nbody\r\n",
		  "permerror", NULL, "no From header field" },
		{ "From: a@example.com\r\nFrom: b@example.com\r\n\r\nx\r\n",
		  "permerror", NULL, "several From header fields" },
		{ "From: a@example.com, b@example.net\r\n\r\nx\r\n",
		  "permerror", NULL, "several domains" },
		{ "From: a@example.com, b@EXAMPLE.com\r\n\r\nx\r\n",
		  "fail", "example.com", "no DKIM pass" },
		{ "From: undisclosed-recipients:;\r\n\r\nx\r\n",
		  "permerror", NULL, "no domain" },
		{ "From: a@nodmarc.invalid\r\n\r\nx\r\n",
		  "none", "nodmarc.invalid", "no DMARC record" },
		{ "From: a@twice.example.com\r\n\r\nx\r\n",
		  "none", "twice.example.com", "2 DMARC records at "
		  "_dmarc.twice.example.com: none of them applies" },
	};
	struct ds_dns *dns = zone_dns();
	struct ds_verify_result r;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_true(run(dns, cases[i].msg, NULL, NULL, &r));
		assert_false(r.spf_checked);
		assert_non_null(r.dkim);
		assert_int_equal(r.dkim->len, 0);
		if (strcmp(r.dmarc.result, cases[i].result) != 0)
			fail_msg("case %zu: %s, want %s (%s)", i,
			    r.dmarc.result, cases[i].result, r.dmarc.reason);
		if (cases[i].from == NULL)
			assert_null(r.dmarc.from_domain);
		else
			assert_string_equal(r.dmarc.from_domain,
			    cases[i].from);
		if (strstr(r.dmarc.reason, cases[i].reason) == NULL)
			fail_msg("case %zu: reason '%s'", i, r.dmarc.reason);
		ds_verify_result_clear(&r);
		ds_verify_result_clear(&r);	/* idempotent */
	}
	ds_dns_free(dns);
}

static void
test_not_a_message(void **state)
{
	static const char *bad[] = { "", "\x1f\x8b\x08\x00gzip", "<?xml x",
	    "no colon in the first line\n" };
	struct ds_dns *dns = ds_dns_new(DS_DNS_OFF, NULL, NULL);
	struct ds_verify_input in;
	struct ds_verify_result r;
	GError *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		memset(&in, 0, sizeof(in));
		in.msg = bad[i];
		in.len = strlen(bad[i]);
		assert_false(ds_verify_message(dns, &in, &r, &err));
		assert_int_equal(err->code, DS_ERROR_FORMAT);
		g_clear_error(&err);
		ds_verify_result_clear(&r);
	}
	ds_dns_free(dns);
}

static void
test_spf_and_json(void **state)
{
	struct ds_dns *dns = zone_dns();
	struct ds_verify_result r;
	GString *g = g_string_new(NULL);

	(void)state;
	assert_true(run(dns, "From: a@example.com\r\n\r\nx\r\n", "192.0.2.9",
	    "<bounce@example.com>", &r));
	assert_true(r.spf_checked);
	assert_string_equal(r.spf.result, "pass");
	assert_string_equal(r.spf.domain, "example.com");
	assert_string_equal(r.spf.mechanism, "ip4:192.0.2.0/24");
	assert_string_equal(r.dmarc.result, "pass");
	assert_true(r.dmarc.spf_aligned);
	assert_false(r.dmarc.dkim_aligned);
	ds_verify_result_json(g, &r);
	assert_non_null(strstr(g->str, "\"spf\":{\"result\":\"pass\""));
	assert_non_null(strstr(g->str, "\"dkim\":[]"));
	assert_non_null(strstr(g->str, "\"policy\":\"reject\""));
	ds_verify_result_clear(&r);
	/* a null reverse-path without HELO: SPF has no identity */
	assert_true(run(dns, "From: a@example.com\r\n\r\nx\r\n", "192.0.2.9",
	    "<>", &r));
	assert_string_equal(r.spf.result, "none");
	assert_null(r.spf.domain);
	ds_verify_result_clear(&r);
	/* no identity at all: SPF skipped, JSON null */
	assert_true(run(dns, "From: a@example.com\r\n\r\nx\r\n", "192.0.2.9",
	    NULL, &r));
	g_string_truncate(g, 0);
	ds_verify_result_json(g, &r);
	assert_true(g_str_has_prefix(g->str, "{\"spf\":null,"));
	ds_verify_result_clear(&r);
	/* loopback is never waved through */
	assert_true(run(dns, "From: a@example.com\r\n\r\nx\r\n", "127.0.0.1",
	    "a@example.com", &r));
	assert_string_equal(r.spf.result, "none");
	ds_verify_result_clear(&r);
	g_string_free(g, TRUE);
	ds_dns_free(dns);
}

/* THREATS #8, #9: hostile header text stays inert in JSON */
static void
test_json_escaping(void **state)
{
	struct ds_dns *dns = ds_dns_new(DS_DNS_OFF, NULL, NULL);
	struct ds_verify_result r;
	GString *g = g_string_new(NULL);

	(void)state;
	assert_true(run(dns, "From: a@example.com\r\nDKIM-Signature: v=1; "
	    "a=rsa-sha256; d=\"<script>.example; s=x\\\"; h=from; bh=AA==; "
	    "b=AA==\r\n\r\nx\r\n", NULL, NULL, &r));
	ds_verify_result_json(g, &r);
	assert_null(strstr(g->str, "<script>"));
	ds_verify_result_clear(&r);
	g_string_free(g, TRUE);
	ds_dns_free(dns);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_rules),
		cmocka_unit_test(test_not_a_message),
		cmocka_unit_test(test_spf_and_json),
		cmocka_unit_test(test_json_escaping),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
