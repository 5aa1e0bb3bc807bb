/*
 * test_doctor_spf.c - report/spf_check.c: SPF record syntax (RFC 7208
 * §4.6.1, §5, §6), and the walk over a zone file: DNS-querying terms
 * counted through include and redirect (§4.6.4), void lookups, include
 * without a record, loops, several records, the effective all through
 * redirect, ptr, and the ranges ds_spf_covers() knows.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/dns/dns.h"
#include "report/doctor/spf_check.h"

static const char zone[] =
    "$TTL 300\n"
    "a.test. IN TXT \"v=spf1 include:i1.test include:i2.test -all\"\n"
    "i1.test. IN TXT \"v=spf1 a mx ip4:198.51.100.0/24 ~all\"\n"
    "i1.test. IN A 192.0.2.1\n"
    "i1.test. IN MX 10 i1.test.\n"
    "i2.test. IN TXT \"v=spf1 include:i3.test -all\"\n"
    "i3.test. IN TXT \"v=spf1 a:host.i3.test exists:%{i}.x.test -all\"\n"
    "host.i3.test. IN A 203.0.113.9\n"
    "big.test. IN TXT \"v=spf1 include:a.test include:a.test "
    "include:i1.test include:i1.test -all\"\n"
    "void.test. IN TXT \"v=spf1 a:no1.test mx:no2.test include:no3.test "
    "?all\"\n"
    "two.test. IN TXT \"v=spf1 -all\"\n"
    "two.test. IN TXT \"v=spf1 +all\"\n"
    "loop.test. IN TXT \"v=spf1 include:loop2.test -all\"\n"
    "loop2.test. IN TXT \"v=spf1 include:loop.test -all\"\n"
    "redir.test. IN TXT \"v=spf1 ptr redirect=final.test\"\n"
    "final.test. IN TXT \"v=spf1 ip6:2001:db8::/32 ?all\"\n"
    "redirall.test. IN TXT \"v=spf1 -all redirect=final.test\"\n"
    "notspf.test. IN TXT \"hello\"\n"
    "incnot.test. IN TXT \"v=spf1 include:notspf.test -all\"\n"
    "bad.test. IN TXT \"v=spf1 ip4:192.0.2.300 -all\"\n";

static int
setup(void **state)
{
	GError *err = NULL;
	char *path;
	int fd;

	fd = g_file_open_tmp("dsspf-XXXXXX.zone", &path, &err);
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

static void
test_parse(void **state)
{
	static const char *const good[] = {
		"v=spf1",
		"v=spf1 -all",
		"V=SPF1 IP4:192.0.2.0/24 ~ALL",
		"v=spf1 a a/24 a:x.test a:x.test/24//64 mx//64 ptr ptr:x.test "
		    "ip6:2001:db8::/32 ip6:::1 exists:%{i}.x.test ?all",
		"v=spf1 include:_spf.google.com redirect=x.test exp=e.x.test",
		"v=spf1 unknown-mod=whatever  -all",
	};
	static const struct {
		const char *txt, *why;
	} bad[] = {
		{ "v=spf10 -all", "not an SPF" },
		{ "spf1 -all", "not an SPF" },
		{ "v=spf1 ip4:192.0.2.300", "bad argument" },
		{ "v=spf1 ip4:192.0.2.0/33", "bad argument" },
		{ "v=spf1 ip6:192.0.2.1", "bad argument" },
		{ "v=spf1 include", "bad argument" },
		{ "v=spf1 all:x.test", "bad argument" },
		{ "v=spf1 a/40", "bad argument" },
		{ "v=spf1 foo:bar", "unknown mechanism" },
		{ "v=spf1 1mod=x", "bad modifier" },
	};
	struct ds_spf_record r;
	struct ds_spf_term *t;
	GError *err = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(good); i++) {
		if (!ds_spf_parse(&r, good[i], strlen(good[i]), &err))
			fail_msg("'%s': %s", good[i], err->message);
		ds_spf_record_clear(&r);
	}
	for (i = 0; i < G_N_ELEMENTS(bad); i++) {
		assert_false(ds_spf_parse(&r, bad[i].txt, strlen(bad[i].txt),
		    &err));
		if (strstr(err->message, bad[i].why) == NULL)
			fail_msg("'%s': '%s' lacks '%s'", bad[i].txt,
			    err->message, bad[i].why);
		g_clear_error(&err);
		ds_spf_record_clear(&r);
	}
	assert_true(ds_spf_parse(&r, good[2], strlen(good[2]), NULL));
	assert_int_equal(r.terms->len, 2);
	t = r.terms->pdata[1];
	assert_int_equal(t->kind, DS_SPF_ALL);
	assert_int_equal(t->qual, '~');
	ds_spf_record_clear(&r);
	assert_true(ds_spf_parse(&r, good[3], strlen(good[3]), NULL));
	t = r.terms->pdata[2];
	assert_int_equal(t->kind, DS_SPF_A);
	assert_string_equal(t->domain, "x.test");
	assert_int_equal(t->qual, '+');
	ds_spf_record_clear(&r);
	assert_true(ds_spf_is_record("v=spf1"));
	assert_false(ds_spf_is_record("v=spf1x"));
}

static bool
has(const GPtrArray *a, const char *s)
{
	guint i;

	for (i = 0; i < a->len; i++)
		if (strstr(a->pdata[i], s) != NULL)
			return true;
	return false;
}

static void
test_count(void **state)
{
	struct ds_spf_eval e;

	/* include i1 (1) + a, mx (2) + include i2 (1) + include i3 (1) +
	   a:host, exists (2) = 7 */
	ds_spf_eval(*state, "a.test", &e);
	assert_int_equal(e.records, 1);
	assert_int_equal(e.lookups, 7);
	assert_int_equal(e.void_lookups, 0);
	assert_int_equal(e.all_qual, '-');
	assert_int_equal(e.errors->len, 0);
	assert_false(e.tempfail);
	assert_true(has(e.counted, "i3.test: exists:%{i}.x.test"));
	assert_true(has(e.includes, "i3.test"));
	/* ranges met: ip4 of i1, a of i1 and of host.i3 */
	assert_true(ds_spf_covers(&e, "198.51.100.77"));
	assert_true(ds_spf_covers(&e, "192.0.2.1"));
	assert_true(ds_spf_covers(&e, "203.0.113.9"));
	assert_false(ds_spf_covers(&e, "203.0.113.10"));
	assert_false(ds_spf_covers(&e, "2001:db8::1"));
	ds_spf_eval_clear(&e);
	/* 2 * 7 + 2 * 3 + 4 own terms... counted again for every include */
	ds_spf_eval(*state, "big.test", &e);
	assert_int_equal(e.lookups, 2 * 8 + 2 * 3);
	assert_true(e.lookups > DS_SPF_MAX_TERMS);
	ds_spf_eval_clear(&e);
}

static void
test_problems(void **state)
{
	struct ds_spf_eval e;

	ds_spf_eval(*state, "void.test", &e);
	assert_int_equal(e.lookups, 3);
	assert_int_equal(e.void_lookups, 3);
	assert_true(has(e.voids, "no1.test"));
	assert_true(has(e.errors, "no3.test has no SPF record"));
	assert_int_equal(e.all_qual, '?');
	ds_spf_eval_clear(&e);

	ds_spf_eval(*state, "two.test", &e);
	assert_int_equal(e.records, 2);
	assert_null(e.text);
	ds_spf_eval_clear(&e);

	ds_spf_eval(*state, "loop.test", &e);
	assert_true(has(e.errors, "include loop through loop.test"));
	ds_spf_eval_clear(&e);

	ds_spf_eval(*state, "incnot.test", &e);
	assert_true(has(e.errors, "notspf.test has no SPF record"));
	assert_int_equal(e.void_lookups, 0);	/* it has a TXT record */
	ds_spf_eval_clear(&e);

	ds_spf_eval(*state, "bad.test", &e);
	assert_true(has(e.errors, "ip4:192.0.2.300"));
	ds_spf_eval_clear(&e);

	ds_spf_eval(*state, "nothing.test", &e);
	assert_int_equal(e.records, 0);
	assert_int_equal(e.lookups, 0);
	ds_spf_eval_clear(&e);
}

static void
test_redirect(void **state)
{
	struct ds_spf_eval e;

	/* the effective all is the redirect target's */
	ds_spf_eval(*state, "redir.test", &e);
	assert_int_equal(e.all_qual, '?');
	assert_true(e.ptr);
	assert_int_equal(e.lookups, 2);
	assert_true(ds_spf_covers(&e, "2001:db8:1::5"));
	ds_spf_eval_clear(&e);
	/* RFC 7208 §6.1: redirect is ignored when all is present */
	ds_spf_eval(*state, "redirall.test", &e);
	assert_int_equal(e.all_qual, '-');
	assert_int_equal(e.lookups, 0);
	ds_spf_eval_clear(&e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_count),
		cmocka_unit_test(test_problems),
		cmocka_unit_test(test_redirect),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
