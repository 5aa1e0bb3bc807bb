/*
 * test_failure_diff.c - the reporter's claims against our verdict:
 * RFC 8601 Authentication-Results reading (ingest/failure/authres.c), the named
 * differences (ingest/failure/failure_diff.c) and --redact
 * (ingest/failure/failure_redact.c).
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ingest/failure/authres.h"
#include "ingest/failure/failure_diff.h"
#include "ingest/failure/failure_out.h"

static void
test_authres(void **state)
{
	char *id = NULL;
	GArray *a = ds_authres_parse("mx.example.net (v=1);\r\n dkim = fail "
	    "(bad; sig) header.d=Example.COM header.s=\"s1\" reason=\"body "
	    "hash\"; spf=softfail smtp.mailfrom=u@Sub.Example.com; "
	    "dmarc/1=pass header.from=example.com; x=y", &id);
	const struct ds_authres *r;

	assert_string_equal(id, "mx.example.net");
	assert_int_equal(a->len, 4);
	r = &g_array_index(a, struct ds_authres, 0);
	assert_string_equal(r->method, "dkim");
	assert_string_equal(r->result, "fail");
	assert_string_equal(r->header_d, "example.com");
	assert_string_equal(r->header_s, "s1");
	assert_string_equal(r->reason, "body hash");
	r = &g_array_index(a, struct ds_authres, 1);
	assert_string_equal(r->result, "softfail");
	{
		char *d = ds_authres_spf_domain(r);

		assert_string_equal(d, "sub.example.com");
		g_free(d);
	}
	r = &g_array_index(a, struct ds_authres, 2);
	assert_string_equal(r->method, "dmarc");
	assert_string_equal(r->header_from, "example.com");
	ds_authres_free(a);
	g_free(id);
	/* as reporters write it in the feedback part: no authserv-id */
	a = ds_authres_parse("dmarc=fail (p=none; dis=none) "
	    "header.from=example.com", &id);
	assert_null(id);
	assert_int_equal(a->len, 1);
	assert_string_equal(g_array_index(a, struct ds_authres, 0).result,
	    "fail");
	ds_authres_free(a);
	a = ds_authres_parse("example.net; none", &id);
	assert_int_equal(a->len, 0);
	ds_authres_free(a);
	g_free(id);
}

/* a verdict built here: one DKIM signature and DMARC */
static void
verdict(struct ds_verify_result *r, const char *spf, const char *dkim,
    const char *dmarc, bool dkim_aligned)
{
	struct ds_dkim_verdict v;

	memset(r, 0, sizeof(*r));
	r->spf_checked = spf != NULL;
	r->spf.result = g_strdup(spf);
	r->spf.domain = g_strdup("example.com");
	r->dkim = g_array_new(FALSE, TRUE, sizeof(struct ds_dkim_verdict));
	memset(&v, 0, sizeof(v));
	v.domain = g_strdup("example.com");
	v.selector = g_strdup("s1");
	v.result = g_strdup(dkim);
	v.reason = g_strdup(strcmp(dkim, "pass") == 0 ? "signature verified" :
	    "key not found");
	g_array_append_val(r->dkim, v);
	r->dmarc.result = g_strdup(dmarc);
	r->dmarc.from_domain = g_strdup("example.com");
	r->dmarc.dkim_aligned = dkim_aligned;
}

static void
verdict_free(struct ds_verify_result *r)
{
	struct ds_dkim_verdict *v = &g_array_index(r->dkim,
	    struct ds_dkim_verdict, 0);

	g_free(r->spf.result);
	g_free(r->spf.domain);
	g_free(v->domain);
	g_free(v->selector);
	g_free(v->result);
	g_free(v->reason);
	g_array_unref(r->dkim);
	g_free(r->dmarc.result);
	g_free(r->dmarc.from_domain);
}

static char *
diffs(const struct ds_failure *f, const struct ds_verify_result *r)
{
	GPtrArray *out = g_ptr_array_new_with_free_func(g_free);
	GString *g = g_string_new(NULL);
	guint i;

	ds_failure_diff(f, r, out);
	for (i = 0; i < out->len; i++)
		g_string_append_printf(g, "%s\n", (char *)out->pdata[i]);
	g_ptr_array_unref(out);
	return g_string_free(g, FALSE);
}

static void
test_diff(void **state)
{
	struct ds_verify_result r;
	struct ds_failure f;
	char *d;

	ds_failure_init(&f);
	f.auth_results = g_strdup("mx.r.example; dkim=fail header.d=example."
	    "com header.s=s1; spf=pass smtp.mailfrom=example.com; dmarc=fail "
	    "header.from=example.com");
	f.identity_alignment = g_strdup("none");
	f.sample = g_strdup("From: a@example.com\r\n\r\n");
	f.sample_len = strlen(f.sample);
	/* key published since: DKIM and DMARC differ, SPF agrees */
	verdict(&r, "pass", "pass", "pass", true);
	d = diffs(&f, &r);
	assert_non_null(strstr(d, "reporter: dkim=fail (d=example.com s=s1); "
	    "now: dkim=pass \xe2\x80\x94 key published since\n"));
	assert_non_null(strstr(d, "reporter: dmarc=fail; now: dmarc=pass"));
	assert_non_null(strstr(d, "reporter: identity-alignment=none; now: "
	    "identity-alignment=dkim\n"));
	assert_null(strstr(d, "spf="));
	g_free(d);
	verdict_free(&r);
	/* the same verdict as the reporter: nothing to say */
	verdict(&r, "pass", "fail", "fail", false);
	d = diffs(&f, &r);
	assert_string_equal(d, "");
	g_free(d);
	verdict_free(&r);
	/* a DNS failure now is never called a difference */
	verdict(&r, "temperror", "temperror", "temperror", false);
	d = diffs(&f, &r);
	assert_string_equal(d, "");
	g_free(d);
	verdict_free(&r);
	ds_failure_clear(&f);
}

/* Auth-Failure and DKIM-Domain alone, no Authentication-Results */
static void
test_diff_auth_failure(void **state)
{
	struct ds_verify_result r;
	struct ds_failure f;
	char *d;

	ds_failure_init(&f);
	f.auth_failure = g_strdup("bodyhash");
	f.dkim_domain = g_strdup("other.example");
	f.sample = g_strdup("From: a@example.com\r\n\r\n");
	f.sample_len = strlen(f.sample);
	verdict(&r, NULL, "pass", "pass", true);
	d = diffs(&f, &r);
	assert_non_null(strstr(d, "reporter: dkim-domain=other.example; now: "
	    "no signature by other.example in the sample"));
	g_free(d);
	g_free(f.dkim_domain);
	f.dkim_domain = NULL;
	d = diffs(&f, &r);
	assert_non_null(strstr(d, "reporter: auth-failure=bodyhash (d=example"
	    ".com s=s1); now: dkim=pass \xe2\x80\x94 body hash matches"));
	g_free(d);
	verdict_free(&r);
	ds_failure_clear(&f);
}

static void
test_redact(void **state)
{
	static const struct {
		const char *in, *out;
	} t[] = {
		{ "Jane <jane.doe+x@example.com>", "Jane <***@example.com>" },
		{ "smtp.mailfrom=u@example.com; a@b.example",
		  "smtp.mailfrom=***@example.com; ***@b.example" },
		{ "@example.com", "@example.com" },
		{ "no address here", "no address here" },
		{ "x@", "x@" },
	};
	size_t i;
	char *r;

	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		r = ds_failure_redact(t[i].in);
		assert_string_equal(r, t[i].out);
		g_free(r);
	}
	assert_null(ds_failure_redact(NULL));
	/* terminal safety (THREATS #8) */
	r = ds_failure_display("a\x1b[31mb\r\n\x7f\xff", 11);
	assert_string_equal(r, "a\\x1b[31mb\n\\x7f\xef\xbf\xbd");
	g_free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_authres),
		cmocka_unit_test(test_diff),
		cmocka_unit_test(test_diff_auth_failure),
		cmocka_unit_test(test_redact),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
