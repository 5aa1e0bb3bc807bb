/*
 * test_services.c - report/enrich/services.c: the service table format, PTR
 * suffix matching on label boundaries, IPv4 and IPv6 networks, rule
 * order (user rules first), ASN rules after PTR and IP rules, errors
 * with file and line, the shipped table.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "report/enrich/services.h"

static const char rules[] =
    "# comment\n"
    "\n"
    "Relay A\tptr\tmx.example.net\n"
    "Relay B\tptr\t.example.net\n"
    "Net4\tip\t192.0.2.128/25\n"
    "Net4 odd\tip\t198.51.100.0/23\n"
    "Net6\tip\t2001:db8:1::/48\r\n"
    "All4\tip\t0.0.0.0/0\n";

static void
test_match(void **state)
{
	struct ds_services *s = ds_services_new();
	GError *e = NULL;

	(void)state;
	assert_true(ds_services_parse(s, rules, strlen(rules), "t", &e));
	assert_null(e);
	assert_int_equal(ds_services_count(s), 6);
	assert_string_equal(ds_services_match(s, NULL, "mx.example.net"),
	    "Relay A");
	assert_string_equal(ds_services_match(s, NULL, "o1.MX.Example.NET."),
	    "Relay A");
	assert_string_equal(ds_services_match(s, NULL, "web.example.net"),
	    "Relay B");
	assert_string_equal(ds_services_match(s, NULL, "example.net"),
	    "Relay B");
	/* a suffix matches whole labels only */
	assert_null(ds_services_match(s, NULL, "badexample.net"));
	assert_null(ds_services_match(s, NULL, "example.net.evil.test"));
	/* PTR rules win over IP rules; IP rules when the PTR matches none */
	assert_string_equal(ds_services_match(s, "192.0.2.200",
	    "mx.example.net"), "Relay A");
	assert_string_equal(ds_services_match(s, "192.0.2.200", "x.test"),
	    "Net4");
	assert_string_equal(ds_services_match(s, "192.0.2.127", NULL),
	    "All4");
	assert_string_equal(ds_services_match(s, "198.51.101.255", NULL),
	    "Net4 odd");
	assert_string_equal(ds_services_match(s, "198.51.102.0", NULL),
	    "All4");
	assert_string_equal(ds_services_match(s, "2001:db8:1:ffff::1", NULL),
	    "Net6");
	assert_null(ds_services_match(s, "2001:db8:2::1", NULL));
	assert_null(ds_services_match(s, "not an ip", NULL));
	assert_null(ds_services_match(s, NULL, NULL));
	ds_services_free(s);
}

static void
expect_error(const char *text, const char *what)
{
	struct ds_services *s = ds_services_new();
	GError *e = NULL;

	assert_false(ds_services_parse(s, text, strlen(text), "f.tsv", &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_USAGE);
	if (strstr(e->message, what) == NULL)
		fail_msg("'%s' lacks '%s'", e->message, what);
	assert_int_equal(ds_services_count(s), 0);	/* nothing added */
	g_error_free(e);
	ds_services_free(s);
}

static void
test_errors(void **state)
{
	(void)state;
	expect_error("A\tptr\tok.test\nB\tptr\n", "f.tsv:2:");
	expect_error("A\tdns\tx.test\n", "kind");
	expect_error("A\tip\t192.0.2.0/33\n", "f.tsv:1:");
	expect_error("A\tip\t192.0.2.0\n", "network");
	expect_error("A\tip\t2001:db8::/129\n", "network");
	expect_error("A\tip\t192.0.2.0/x\n", "network");
	expect_error("\tptr\tx.test\n", "name");
	expect_error("A\tptr\tx.test\tmore\n", "three");
	expect_error("A\tasn\tASx\n", "AS number");
	expect_error("A\tasn\tAS0\n", "AS number");
	expect_error("A\tasn\t4294967296\n", "AS number");
	expect_error("A\tnet\t192.0.2.0/24\n", "ptr, ip or asn");
}

/* ASN rules: only when no PTR and no IP rule matched. */
static void
test_asn(void **state)
{
	static const char asn_rules[] =
	    "By AS\tasn\tAS64500\n"
	    "By AS too\tasn\t64501\n"
	    "By PTR\tptr\tmx.example.net\n"
	    "By IP\tip\t192.0.2.0/25\n";
	struct ds_services *s = ds_services_new();
	GError *e = NULL;

	(void)state;
	assert_true(ds_services_parse(s, asn_rules, strlen(asn_rules), "t",
	    &e));
	assert_int_equal(ds_services_count(s), 4);
	assert_string_equal(ds_services_match_asn(s, "192.0.2.200", NULL,
	    64500), "By AS");
	assert_string_equal(ds_services_match_asn(s, "2001:db8::1", NULL,
	    64501), "By AS too");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.200",
	    "o1.mx.example.net", 64500), "By PTR");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    64500), "By IP");
	assert_null(ds_services_match_asn(s, "192.0.2.200", NULL, 64502));
	assert_null(ds_services_match_asn(s, "192.0.2.200", NULL, 0));
	/* without an AS number, as before */
	assert_null(ds_services_match(s, "192.0.2.200", NULL));
	ds_services_free(s);
}

static void
test_default(void **state)
{
	struct ds_services *s;
	GError *e = NULL;
	char *path;
	int fd;

	(void)state;
	/* the shipped table alone (no user file in an empty XDG dir) */
	path = g_dir_make_tmp("ds-svc-XXXXXX", NULL);
	g_setenv("XDG_CONFIG_HOME", path, TRUE);
	s = ds_services_default(NULL, &e);
	assert_non_null(s);
	assert_true(ds_services_count(s) > 50);
	assert_string_equal(ds_services_match(s, NULL,
	    "mail-wr1-f54.google.com"), "Google");
	assert_string_equal(ds_services_match(s, NULL,
	    "mail-db8eur05on2071.outbound.protection.outlook.com"),
	    "Microsoft 365");
	assert_string_equal(ds_services_match(s, NULL,
	    "a8-30.smtp-out.amazonses.com"), "Amazon SES");
	assert_string_equal(ds_services_match(s, "167.89.64.9", NULL),
	    "SendGrid");
	assert_string_equal(ds_services_match(s, "2a00:1450:4864:20::52e",
	    NULL), "Google");
	/* the shipped ASN rules, for senders without PTR or IP rule */
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    11377), "SendGrid");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    15169), "Google");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    8075), "Microsoft Azure");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    16509), "Amazon AWS");
	assert_string_equal(ds_services_match_asn(s, "192.0.2.1", NULL,
	    14618), "Amazon AWS");
	/* Microsoft 365's and Amazon SES's own ranges name the service */
	assert_string_equal(ds_services_match_asn(s, "40.107.22.1", NULL,
	    8075), "Microsoft 365");
	assert_string_equal(ds_services_match_asn(s, "54.240.8.1", NULL,
	    16509), "Amazon SES");
	ds_services_free(s);
	rmdir(path);
	g_free(path);

	/* a user file comes first */
	fd = g_file_open_tmp("ds-svc-XXXXXX.tsv", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, "Our relay\tptr\tgoogle.com\n",
	    -1, NULL));
	s = ds_services_default(path, &e);
	assert_non_null(s);
	assert_string_equal(ds_services_match(s, NULL, "x.google.com"),
	    "Our relay");
	ds_services_free(s);
	assert_true(g_file_set_contents(path, "bad line\n", -1, NULL));
	assert_null(ds_services_default(path, &e));
	assert_non_null(strstr(e->message, path));
	g_clear_error(&e);
	unlink(path);
	assert_null(ds_services_default(path, &e));	/* missing */
	assert_int_equal(e->code, DS_ERROR_USAGE);
	g_clear_error(&e);
	g_free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_asn),
		cmocka_unit_test(test_default),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
