/*
 * test_doctor_dmarc.c - the parts of schema/policy/dmarc_policy.h doctor uses:
 * ds_dmarc_record_parse (RFC 7489 §6.3, RFC 9989 np/t/psd; v=DMARC1
 * first, lenient tags with warnings), ds_dmarc_report_authorized
 * (RFC 7489 §7.1 `_report._dmarc`) and ds_dmarc_discover over a zone.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/policy/dmarc_policy.h"

static const char zone[] =
    "$TTL 300\n"
    "_dmarc.example.com. IN TXT \"v=DMARC1; p=reject; sp=quarantine\"\n"
    "_dmarc.two.test. IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.two.test. IN TXT \"v=DMARC1; p=reject\"\n"
    "example.com._report._dmarc.ok.example.net. IN TXT \"v=DMARC1\"\n"
    "example.com._report._dmarc.bad.example.net. IN TXT \"hello\"\n";

static int
setup(void **state)
{
	GError *err = NULL;
	char *path;
	int fd;

	fd = g_file_open_tmp("dsdmarc-XXXXXX.zone", &path, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, zone, -1, &err));
	*state = ds_dns_new(DS_DNS_ZONE, path, &err);
	if (*state == NULL)
		fail_msg("%s", err->message);
	unlink(path);
	g_free(path);
	return 0;
}

static int
teardown(void **state)
{
	ds_dns_free(*state);
	return 0;
}

static bool
warned(const struct ds_dmarc_record *r, const char *s)
{
	guint i;

	for (i = 0; i < r->warnings->len; i++)
		if (strstr(r->warnings->pdata[i], s) != NULL)
			return true;
	return false;
}

static void
test_parse(void **state)
{
	struct ds_dmarc_record r;
	GError *err = NULL;

	(void)state;
	assert_true(ds_dmarc_record_parse("v=DMARC1; p=Quarantine; sp=reject;"
	    " np=reject; pct=50; t=y; adkim=s; rua=mailto:a@x.test, "
	    "mailto:b@y.test!10m; ruf=mailto:f@x.test", &r, &err));
	assert_string_equal(r.p, "quarantine");
	assert_string_equal(r.sp, "reject");
	assert_string_equal(r.np, "reject");
	assert_int_equal(r.pct, 50);
	assert_true(r.testing);
	assert_int_equal(r.adkim, 's');
	assert_int_equal(r.aspf, 'r');
	assert_int_equal(r.rua->len, 2);
	assert_string_equal(r.rua->pdata[1], "mailto:b@y.test!10m");
	assert_int_equal(r.ruf->len, 1);
	assert_int_equal(r.warnings->len, 0);
	ds_dmarc_record_clear(&r);

	/* defaults, and invalid values become warnings */
	assert_true(ds_dmarc_record_parse("v=DMARC1; p=rejekt; pct=150; "
	    "foo=bar; p=none", &r, NULL));
	assert_string_equal(r.p, "none");
	assert_int_equal(r.pct, 100);
	assert_null(r.sp);
	assert_false(r.testing);
	assert_int_equal(r.rua->len, 0);
	assert_true(warned(&r, "invalid p=rejekt"));
	assert_true(warned(&r, "invalid pct=150"));
	assert_true(warned(&r, "unknown tag foo"));
	assert_true(warned(&r, "duplicate tag p"));
	ds_dmarc_record_clear(&r);

	/* not DMARC records at all */
	assert_false(ds_dmarc_record_parse("v=DMARC1 p=reject", &r, &err));
	assert_non_null(strstr(err->message, "v=DMARC1 must come first"));
	g_clear_error(&err);
	ds_dmarc_record_clear(&r);
	assert_false(ds_dmarc_record_parse("p=reject; v=DMARC1", &r, NULL));
	ds_dmarc_record_clear(&r);
	assert_false(ds_dmarc_record_parse("v=dmarc1; p=reject", &r, NULL));
	ds_dmarc_record_clear(&r);
}

static void
test_authorized(void **state)
{
	struct ds_dns *dns = *state;
	char *dest = NULL;

	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:x@Reports.Example.COM", &dest), DS_DMARC_AUTH_SAME_ORG);
	assert_string_equal(dest, "reports.example.com");
	g_free(dest);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:x@ok.example.net!10m", NULL), DS_DMARC_AUTH_OK);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:x@bad.example.net", NULL), DS_DMARC_AUTH_MISSING);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:x@none.example.net", NULL), DS_DMARC_AUTH_MISSING);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "https://x.test/", NULL), DS_DMARC_AUTH_BAD_URI);
}

static void
test_discover(void **state)
{
	struct ds_dmarc_policy p;

	assert_true(ds_dmarc_discover(*state, "Shop.Example.com",
	    DS_DMARC_DISC_PSL, &p));
	assert_true(p.found);
	assert_string_equal(p.record_domain, "example.com");
	assert_string_equal(p.rec.p, "reject");
	ds_dmarc_policy_clear(&p);
	/* two records: none applies */
	assert_true(ds_dmarc_discover(*state, "two.test", DS_DMARC_DISC_PSL,
	    &p));
	assert_false(p.found);
	assert_true(p.notes->len > 0);
	ds_dmarc_policy_clear(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_authorized),
		cmocka_unit_test(test_discover),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
