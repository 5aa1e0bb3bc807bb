/*
 * test_dns.c - schema/dns*.c: zone files (RFC 1035 master-file syntax
 * parsed by ldns, answered by unbound local data), NXDOMAIN vs NODATA,
 * TXT joining (RFC 7208 §3.3), MX order, PTR, budgets (THREATS #17),
 * the organizational domain (libpsl).
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/dns/dns.h"
#include "schema/util/error.h"

static const char zone_text[] =
    "; test zone\n"
    "$TTL 300\n"
    "rootrel.test. IN TXT \"absolute before any origin\"\n"
    "norigin.test IN TXT \"relative to the default root origin\"\n"
    "$ORIGIN example.com.\n"
    "@\tIN TXT \"v=spf1 \" \"ip4:192.0.2.0/24 \" \"-all\"\n"
    "@\tIN TXT \"second record\"\n"
    "sel._domainkey IN TXT ( \"v=DKIM1; k=rsa; \"\n"
    "\t\"p=ABCDEF\" )\n"
    "www 60 IN A 192.0.2.1\n"
    "www IN AAAA 2001:db8::1\n"
    "@ IN MX 20 mx2\n"
    "@ IN MX 10 mx1.example.com.\n"
    "alias IN CNAME www\n"
    "other.test. IN TXT \"absolute name\"\n"
    "$ORIGIN 2.0.192.in-addr.arpa.\n"
    "1 IN PTR www.example.com.\n"
    "$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR v6.example.com.\n";

static char *
write_tmp(const char *text)
{
	char *path;
	int fd;
	GError *err = NULL;

	fd = g_file_open_tmp("dstest-XXXXXX.zone", &path, &err);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, text, -1, &err));
	return path;
}

static struct ds_dns *
zone_dns(const char *text)
{
	struct ds_dns *dns;
	GError *err = NULL;
	char *path;

	path = write_tmp(text);
	dns = ds_dns_new(DS_DNS_ZONE, path, &err);
	if (dns == NULL)
		fail_msg("%s", err->message);
	unlink(path);
	g_free(path);
	return dns;
}

static int
setup(void **state)
{
	*state = zone_dns(zone_text);
	return 0;
}

static int
teardown(void **state)
{
	ds_dns_free(*state);
	return 0;
}

static bool
has(const GPtrArray *a, const char *s)
{
	guint i;

	for (i = 0; a != NULL && i < a->len; i++)
		if (strcmp(a->pdata[i], s) == 0)
			return true;
	return false;
}

static void
test_txt(void **state)
{
	struct ds_dns *dns = *state;
	GPtrArray *a;

	assert_int_equal(ds_dns_txt(dns, "example.com", &a), DS_DNS_OK);
	assert_int_equal(a->len, 2);
	assert_true(has(a, "v=spf1 ip4:192.0.2.0/24 -all"));
	assert_true(has(a, "second record"));
	g_ptr_array_unref(a);
	/* parenthesised continuation, relative name, case, trailing dot */
	assert_int_equal(ds_dns_txt(dns, "SEL._domainkey.Example.COM.", &a),
	    DS_DNS_OK);
	assert_int_equal(a->len, 1);
	assert_string_equal(a->pdata[0], "v=DKIM1; k=rsa; p=ABCDEF");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_txt(dns, "other.test", &a), DS_DNS_OK);
	assert_string_equal(a->pdata[0], "absolute name");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_txt(dns, "rootrel.test", &a), DS_DNS_OK);
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_txt(dns, "norigin.test", &a), DS_DNS_OK);
	assert_string_equal(a->pdata[0],
	    "relative to the default root origin");
	g_ptr_array_unref(a);
	/* "other.test" was absolute: not under example.com */
	assert_int_equal(ds_dns_txt(dns, "other.test.example.com", &a),
	    DS_DNS_NXDOMAIN);
	assert_null(a);
}

static void
test_nxdomain_nodata(void **state)
{
	struct ds_dns *dns = *state;
	GPtrArray *a;

	assert_int_equal(ds_dns_txt(dns, "missing.example.com", &a),
	    DS_DNS_NXDOMAIN);
	assert_null(a);
	assert_int_equal(ds_dns_txt(dns, "nowhere.invalid", &a),
	    DS_DNS_NXDOMAIN);
	assert_int_equal(ds_dns_txt(dns, "www.example.com", &a),
	    DS_DNS_NODATA);
	assert_null(a);
	assert_int_equal(ds_dns_mx(dns, "www.example.com", &a),
	    DS_DNS_NODATA);
	assert_int_equal(ds_dns_addr(dns, "example.com", AF_INET, &a),
	    DS_DNS_NODATA);
	/* not a domain name at all */
	assert_int_equal(ds_dns_txt(dns, "a..b", &a), DS_DNS_NXDOMAIN);
	assert_int_equal(ds_dns_txt(dns, "sp ace.example.com", &a),
	    DS_DNS_NXDOMAIN);
}

static void
test_addr_mx_ptr(void **state)
{
	struct ds_dns *dns = *state;
	GPtrArray *a;

	assert_int_equal(ds_dns_addr(dns, "www.example.com", AF_INET, &a),
	    DS_DNS_OK);
	assert_int_equal(a->len, 1);
	assert_string_equal(a->pdata[0], "192.0.2.1");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_addr(dns, "www.example.com", AF_INET6, &a),
	    DS_DNS_OK);
	assert_string_equal(a->pdata[0], "2001:db8::1");
	g_ptr_array_unref(a);
	/* CNAME in local data is followed */
	assert_int_equal(ds_dns_addr(dns, "alias.example.com", AF_INET, &a),
	    DS_DNS_OK);
	assert_string_equal(a->pdata[0], "192.0.2.1");
	g_ptr_array_unref(a);
	/* lowest preference first, relative exchange completed */
	assert_int_equal(ds_dns_mx(dns, "example.com", &a), DS_DNS_OK);
	assert_int_equal(a->len, 2);
	assert_string_equal(a->pdata[0], "mx1.example.com");
	assert_string_equal(a->pdata[1], "mx2.example.com");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_ptr(dns, "192.0.2.1", &a), DS_DNS_OK);
	assert_string_equal(a->pdata[0], "www.example.com");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_ptr(dns, "2001:db8::1", &a), DS_DNS_OK);
	assert_string_equal(a->pdata[0], "v6.example.com");
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_ptr(dns, "192.0.2.2", &a), DS_DNS_NXDOMAIN);
	assert_int_equal(ds_dns_ptr(dns, "not-an-ip", &a), DS_DNS_NXDOMAIN);
}

static void
test_raw(void **state)
{
	struct ds_dns *dns = *state;
	unsigned char *pkt;
	int len;

	assert_int_equal(ds_dns_raw(dns, "example.com", DS_DNS_T_TXT, &pkt,
	    &len), DS_DNS_OK);
	assert_non_null(pkt);
	assert_true(len > 12);
	/* header: QR set, RCODE 0, two answers */
	assert_true(pkt[2] & 0x80);
	assert_int_equal(pkt[3] & 0x0f, 0);
	assert_int_equal(pkt[6] << 8 | pkt[7], 2);
	g_free(pkt);
	assert_int_equal(ds_dns_raw(dns, "missing.example.com", DS_DNS_T_TXT,
	    &pkt, &len), DS_DNS_NXDOMAIN);
	if (pkt != NULL)
		assert_int_equal(pkt[3] & 0x0f, 3);
	g_free(pkt);
}

static void
test_cache_budget(void **state)
{
	struct ds_dns *dns = zone_dns(zone_text);
	GPtrArray *a;
	unsigned before;

	(void)state;
	ds_dns_set_budget(dns, 2, 0, 0);
	assert_int_equal(ds_dns_txt(dns, "example.com", &a), DS_DNS_OK);
	g_ptr_array_unref(a);
	before = ds_dns_query_count(dns);
	/* a cache hit costs nothing */
	assert_int_equal(ds_dns_txt(dns, "Example.com.", &a), DS_DNS_OK);
	g_ptr_array_unref(a);
	assert_int_equal(ds_dns_query_count(dns), before);
	assert_int_equal(ds_dns_txt(dns, "missing.example.com", &a),
	    DS_DNS_NXDOMAIN);
	assert_false(ds_dns_budget_exhausted(dns));
	/* third distinct query in the window: refused */
	assert_int_equal(ds_dns_txt(dns, "other.test", &a), DS_DNS_TEMPFAIL);
	assert_true(ds_dns_budget_exhausted(dns));
	/* cached answers still come */
	assert_int_equal(ds_dns_txt(dns, "missing.example.com", &a),
	    DS_DNS_NXDOMAIN);
	ds_dns_budget_restart(dns);
	assert_false(ds_dns_budget_exhausted(dns));
	assert_int_equal(ds_dns_txt(dns, "other.test", &a), DS_DNS_OK);
	g_ptr_array_unref(a);
	ds_dns_free(dns);
}

static void
test_offline_and_errors(void **state)
{
	struct ds_dns *dns;
	GPtrArray *a;
	GError *err = NULL;
	char *path;

	(void)state;
	dns = ds_dns_new(DS_DNS_OFF, NULL, &err);
	assert_non_null(dns);
	assert_int_equal(ds_dns_get_mode(dns), DS_DNS_OFF);
	assert_int_equal(ds_dns_txt(dns, "example.com", &a), DS_DNS_OFFLINE);
	assert_int_equal(ds_dns_query_count(dns), 0);
	ds_dns_free(dns);

	assert_null(ds_dns_new(DS_DNS_ZONE, "/nonexistent/z.zone", &err));
	assert_int_equal(err->code, DS_ERROR_USAGE);
	assert_non_null(strstr(err->message, "/nonexistent/z.zone"));
	g_clear_error(&err);

	/* a syntax error names the file and the line */
	path = write_tmp("$TTL 300\nok.test. IN TXT \"x\"\n"
	    "bad.test. IN A 300.1.2.3\n");
	assert_null(ds_dns_new(DS_DNS_ZONE, path, &err));
	assert_int_equal(err->code, DS_ERROR_USAGE);
	assert_non_null(strstr(err->message, path));
	assert_non_null(strstr(err->message, ":3:"));
	g_clear_error(&err);
	unlink(path);
	g_free(path);

	assert_null(ds_dns_new(DS_DNS_ZONE, NULL, &err));
	g_clear_error(&err);
}

static void
test_org_domain(void **state)
{
	static const char *cases[][2] = {
		{ "example.com", "example.com" },
		{ "mail.Example.COM", "example.com" },
		{ "news.example.co.uk", "example.co.uk" },
		{ "a.b.c.example.org.", "example.org" },
		{ "a.github.io", "a.github.io" },
		{ "x.b.github.io", "b.github.io" },
		{ "co.uk", "co.uk" },	/* a public suffix: itself */
	};
	size_t i;
	char *o;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		o = ds_org_domain(cases[i][0]);
		assert_string_equal(o, cases[i][1]);
		g_free(o);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_txt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nxdomain_nodata, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_addr_mx_ptr, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_raw, setup, teardown),
		cmocka_unit_test(test_cache_budget),
		cmocka_unit_test(test_offline_and_errors),
		cmocka_unit_test(test_org_domain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
