/*
 * test_dmarc_record.c - schema/policy/dmarc_record.c: DMARC policy record
 * parsing (RFC 7489 §6.3, §6.4; RFC 9989 np, psd, t): what is a DMARC
 * record at all, every tag, defaults, and the lenient handling of
 * invalid, unknown and duplicate tags (warnings, never failure).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/policy/dmarc_policy.h"
#include "schema/util/error.h"

static bool
warned(const struct ds_dmarc_record *r, const char *part)
{
	guint i;

	for (i = 0; i < r->warnings->len; i++)
		if (strstr(r->warnings->pdata[i], part) != NULL)
			return true;
	return false;
}

static void
test_not_dmarc(void **state)
{
	static const char *bad[] = {
		"v=spf1 -all",
		"p=reject; v=DMARC1",		/* v= must come first */
		"v=DMARC2; p=reject",
		"v=dmarc1; p=reject",		/* "DMARC1" is case-sensitive */
		"v=DMARC1x; p=reject",
		"",
		";;",
		"v; p=reject",
	};
	struct ds_dmarc_record r;
	GError *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_false(ds_dmarc_record_parse(bad[i], &r, &err));
		assert_non_null(err);
		assert_int_equal(err->code, DS_ERROR_SCHEMA);
		g_clear_error(&err);
		ds_dmarc_record_clear(&r);
		ds_dmarc_record_clear(&r);	/* idempotent */
	}
}

static void
test_defaults(void **state)
{
	struct ds_dmarc_record r;

	(void)state;
	assert_true(ds_dmarc_record_parse("v=DMARC1; p=reject", &r, NULL));
	assert_string_equal(r.p, "reject");
	assert_null(r.sp);
	assert_null(r.np);
	assert_int_equal(r.adkim, 'r');
	assert_int_equal(r.aspf, 'r');
	assert_int_equal(r.pct, 100);
	assert_false(r.testing);
	assert_int_equal(r.psd, 'u');
	assert_string_equal(r.fo, "0");
	assert_string_equal(r.rf, "afrf");
	assert_int_equal(r.ri, 86400);
	assert_int_equal(r.rua->len, 0);
	assert_int_equal(r.ruf->len, 0);
	assert_int_equal(r.warnings->len, 0);
	assert_string_equal(r.text, "v=DMARC1; p=reject");
	ds_dmarc_record_clear(&r);
	/* spaces around '=' and ';', trailing ';', upper-case values */
	assert_true(ds_dmarc_record_parse(" v = DMARC1 ;p = REJECT ; ", &r,
	    NULL));
	assert_string_equal(r.p, "reject");
	assert_int_equal(r.warnings->len, 0);
	ds_dmarc_record_clear(&r);
}

static void
test_all_tags(void **state)
{
	struct ds_dmarc_record r;

	(void)state;
	assert_true(ds_dmarc_record_parse("v=DMARC1;p=quarantine;sp=none;"
	    "np=reject;adkim=s;aspf=S;pct=50;t=y;psd=n;fo=1:d;rf=afrf;"
	    "ri=3600;rua=mailto:a@x.example, mailto:b@y.example!10m;"
	    "ruf=mailto:f@x.example", &r, NULL));
	assert_string_equal(r.p, "quarantine");
	assert_string_equal(r.sp, "none");
	assert_string_equal(r.np, "reject");
	assert_int_equal(r.adkim, 's');
	assert_int_equal(r.aspf, 's');
	assert_int_equal(r.pct, 50);
	assert_true(r.testing);
	assert_int_equal(r.psd, 'n');
	assert_string_equal(r.fo, "1:d");
	assert_int_equal(r.ri, 3600);
	assert_int_equal(r.rua->len, 2);
	assert_string_equal(r.rua->pdata[0], "mailto:a@x.example");
	assert_string_equal(r.rua->pdata[1], "mailto:b@y.example!10m");
	assert_int_equal(r.ruf->len, 1);
	assert_int_equal(r.warnings->len, 0);
	ds_dmarc_record_clear(&r);
}

struct lenient {
	const char	*txt;
	const char	*warning;	/* a substring of one warning */
	const char	*p;		/* p after parsing */
};

static void
test_lenient(void **state)
{
	static const struct lenient cases[] = {
		{ "v=DMARC1; p=bogus", "invalid p=bogus", "none" },
		{ "v=DMARC1; rua=mailto:x@example.com", "no p= tag", "none" },
		{ "v=DMARC1; p=reject; p=none", "duplicate tag p", "reject" },
		{ "v=DMARC1; p=reject; foo=bar", "unknown tag foo", "reject" },
		{ "v=DMARC1; p=reject; pct=101", "invalid pct=101", "reject" },
		{ "v=DMARC1; p=reject; pct=-1", "invalid pct=-1", "reject" },
		{ "v=DMARC1; p=reject; adkim=x", "invalid adkim=x", "reject" },
		{ "v=DMARC1; p=reject; sp=maybe", "invalid sp=maybe", "reject" },
		{ "v=DMARC1; p=reject; np=", "invalid np=", "reject" },
		{ "v=DMARC1; p=reject; psd=q", "invalid psd=q", "reject" },
		{ "v=DMARC1; p=reject; t=1", "invalid t=1", "reject" },
		{ "v=DMARC1; p=reject; fo=2", "invalid fo=2", "reject" },
		{ "v=DMARC1; p=reject; rf=iodef", "unsupported rf=iodef",
		  "reject" },
		{ "v=DMARC1; p=reject; ri=soon", "invalid ri=soon", "reject" },
		{ "v=DMARC1; p=reject; rua=nouri", "invalid URI in rua",
		  "reject" },
		{ "v=DMARC1; p=reject; junk", "malformed term", "reject" },
		{ "v=DMARC1; p=reject; v=DMARC1", "v= must be the first",
		  "reject" },
	};
	struct ds_dmarc_record r;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		assert_true(ds_dmarc_record_parse(cases[i].txt, &r, NULL));
		if (!warned(&r, cases[i].warning))
			fail_msg("%s: no warning '%s'", cases[i].txt,
			    cases[i].warning);
		assert_string_equal(r.p, cases[i].p);
		ds_dmarc_record_clear(&r);
	}
	/* invalid values keep the default */
	assert_true(ds_dmarc_record_parse("v=DMARC1; p=reject; pct=101; "
	    "adkim=x; sp=maybe; ri=soon", &r, NULL));
	assert_int_equal(r.pct, 100);
	assert_int_equal(r.adkim, 'r');
	assert_null(r.sp);
	assert_int_equal(r.ri, 86400);
	assert_int_equal(r.warnings->len, 4);
	ds_dmarc_record_clear(&r);
}

static void
test_many_tags(void **state)
{
	struct ds_dmarc_record r;
	GString *g = g_string_new("v=DMARC1; p=reject");
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		g_string_append_printf(g, "; x%d=y", i);
	assert_true(ds_dmarc_record_parse(g->str, &r, NULL));
	assert_true(warned(&r, "the rest is ignored"));
	assert_true(r.warnings->len <= 70);	/* bounded, not 200 */
	ds_dmarc_record_clear(&r);
	g_string_free(g, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_dmarc),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_all_tags),
		cmocka_unit_test(test_lenient),
		cmocka_unit_test(test_many_tags),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
