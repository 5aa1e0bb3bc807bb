/*
 * test_dmarc_policy.c - schema/policy/dmarc_policy.c over a zone file:
 * discovery (RFC 7489 §6.6.3 with the PSL, RFC 9989 §4.10 tree walk and
 * its 8-name bound, THREATS #17), several records, non-DMARC TXT, the
 * organizational domain (psd=y, psd=n), the policy that applies (p, sp,
 * np), identifier alignment (relaxed/strict, PSL private rules), and
 * external report destinations (RFC 7489 §7.1).
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
#include "schema/util/error.h"

static const char zone_text[] =
    "$TTL 300\n"
    "$ORIGIN example.com.\n"
    "@ IN A 192.0.2.1\n"
    "_dmarc IN TXT \"v=DMARC1; p=reject; sp=quarantine; np=none\"\n"
    "_dmarc IN TXT \"some verification token\"\n"
    "sub IN A 192.0.2.2\n"
    "mailonly IN MX 10 mx.example.com.\n"
    "own IN A 192.0.2.3\n"
    "_dmarc.own IN TXT \"v=DMARC1; p=none\"\n"
    "_dmarc.twice IN TXT \"v=DMARC1; p=reject\"\n"
    "_dmarc.twice IN TXT \"v=DMARC1; p=none\"\n"
    "twice IN A 192.0.2.4\n"
    "$ORIGIN example.net.\n"
    "@ IN A 192.0.2.5\n"
    "_dmarc IN TXT \"v=DMARC1; p=none; sp=reject\"\n"
    "$ORIGIN test.\n"
    "_dmarc IN TXT \"v=DMARC1; p=reject; psd=y\"\n"
    "_dmarc.corp.org IN TXT \"v=DMARC1; p=quarantine; psd=n\"\n"
    "$ORIGIN example.org.\n"
    "example.com._report._dmarc IN TXT \"v=DMARC1\"\n";

static struct ds_dns *
zone_dns(void)
{
	struct ds_dns *dns;
	GError *err = NULL;
	char *path;
	int fd;

	fd = g_file_open_tmp("dspol-XXXXXX.zone", &path, &err);
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

static int
setup(void **state)
{
	*state = zone_dns();
	return 0;
}

static int
teardown(void **state)
{
	ds_dns_free(*state);
	return 0;
}

struct disc {
	const char	*from;
	int		 how;
	bool		 found;
	const char	*record_domain;
	const char	*org;
	const char	*applied;	/* NULL: no policy */
};

static void
test_discover(void **state)
{
	static const struct disc cases[] = {
		/* the record of the domain itself, the TXT token skipped */
		{ "example.com", DS_DMARC_DISC_PSL, true, "example.com",
		  "example.com", "reject" },
		{ "EXAMPLE.com.", DS_DMARC_DISC_PSL, true, "example.com",
		  "example.com", "reject" },
		/* existing subdomain: sp; MX only still exists */
		{ "sub.example.com", DS_DMARC_DISC_PSL, true, "example.com",
		  "example.com", "quarantine" },
		{ "mailonly.example.com", DS_DMARC_DISC_PSL, true,
		  "example.com", "example.com", "quarantine" },
		/* non-existent subdomain: np (RFC 9989) */
		{ "ghost.example.com", DS_DMARC_DISC_PSL, true, "example.com",
		  "example.com", "none" },
		/* its own record wins over the organizational one */
		{ "own.example.com", DS_DMARC_DISC_PSL, true,
		  "own.example.com", "example.com", "none" },
		/* two DMARC records: none applies (RFC 7489 §6.6.3) */
		{ "twice.example.com", DS_DMARC_DISC_PSL, false, NULL,
		  "example.com", NULL },
		/* no np: sp applies to a non-existent name */
		{ "ghost.example.net", DS_DMARC_DISC_PSL, true, "example.net",
		  "example.net", "reject" },
		{ "nodmarc.invalid", DS_DMARC_DISC_PSL, false, NULL,
		  "nodmarc.invalid", NULL },
		/* PSL misses the public suffix record, the tree walk finds it */
		{ "mail.shop.test", DS_DMARC_DISC_PSL, false, NULL,
		  "shop.test", NULL },
		{ "mail.shop.test", DS_DMARC_DISC_TREEWALK, true, "test",
		  "shop.test", "reject" },
		/* psd=n marks the organizational domain itself */
		{ "a.b.corp.org.test", DS_DMARC_DISC_TREEWALK, true,
		  "corp.org.test", "corp.org.test", "quarantine" },
		{ "example.com", DS_DMARC_DISC_TREEWALK, true, "example.com",
		  "example.com", "reject" },
	};
	struct ds_dns *dns = *state;
	struct ds_dmarc_policy p;
	const char *a;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		const struct disc *c = &cases[i];

		assert_true(ds_dmarc_discover(dns, c->from, c->how, &p));
		assert_false(p.tempfail);
		if (p.found != c->found)
			fail_msg("%s: found %d", c->from, p.found);
		if (c->record_domain != NULL)
			assert_string_equal(p.record_domain, c->record_domain);
		if (strcmp(p.org_domain, c->org) != 0)
			fail_msg("%s: org %s, want %s", c->from, p.org_domain,
			    c->org);
		a = ds_dmarc_applied_policy(dns, &p);
		if (c->applied == NULL)
			assert_null(a);
		else if (a == NULL || strcmp(a, c->applied) != 0)
			fail_msg("%s: policy %s, want %s", c->from,
			    a ? a : "(none)", c->applied);
		ds_dmarc_policy_clear(&p);
	}
}

static void
test_several_records_note(void **state)
{
	struct ds_dns *dns = *state;
	struct ds_dmarc_policy p;

	assert_true(ds_dmarc_discover(dns, "twice.example.com",
	    DS_DMARC_DISC_PSL, &p));
	assert_false(p.found);
	assert_true(p.notes->len >= 1);
	assert_non_null(strstr(p.notes->pdata[0], "2 DMARC records"));
	ds_dmarc_policy_clear(&p);
}

/* THREATS #17: the walk asks for at most DS_DMARC_WALK_MAX names */
static void
test_walk_bound(void **state)
{
	struct ds_dns *dns = *state;
	struct ds_dmarc_policy p;
	unsigned before;

	before = ds_dns_query_count(dns);
	assert_true(ds_dmarc_discover(dns,
	    "a.b.c.d.e.f.g.h.i.j.k.l.deep.example", DS_DMARC_DISC_TREEWALK,
	    &p));
	assert_false(p.found);
	assert_true(ds_dns_query_count(dns) - before <= DS_DMARC_WALK_MAX);
	assert_true(ds_dns_query_count(dns) - before >= 2);
	ds_dmarc_policy_clear(&p);
}

static void
test_offline(void **state)
{
	struct ds_dns *dns;
	struct ds_dmarc_policy p;

	(void)state;
	dns = ds_dns_new(DS_DNS_OFF, NULL, NULL);
	assert_false(ds_dmarc_discover(dns, "example.com", DS_DMARC_DISC_PSL,
	    &p));
	assert_true(p.tempfail);
	assert_false(p.found);
	assert_null(ds_dmarc_applied_policy(dns, &p));
	ds_dmarc_policy_clear(&p);
	ds_dns_free(dns);
}

struct al {
	const char	*from;
	const char	*id;
	char		 mode;
	bool		 aligned;
};

static void
test_aligned(void **state)
{
	static const struct al cases[] = {
		{ "example.com", "example.com", 's', true },
		{ "Example.COM", "example.com.", 's', true },
		{ "example.com", "mail.example.com", 's', false },
		{ "example.com", "mail.example.com", 'r', true },
		{ "news.example.com", "bounce.example.com", 'r', true },
		{ "example.com", "example.net", 'r', false },
		{ "example.co.uk", "mail.example.co.uk", 'r', true },
		{ "example.co.uk", "other.co.uk", 'r', false },
		/* PSL private rules: different organizations */
		{ "a.github.io", "b.github.io", 'r', false },
		{ "example.com", "", 'r', false },
		{ "example.com", NULL, 'r', false },
		{ NULL, "example.com", 'r', false },
	};
	struct ds_dns *dns = *state;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(cases); i++)
		if (ds_dmarc_aligned(dns, cases[i].from, cases[i].id,
		    cases[i].mode, DS_DMARC_DISC_PSL) != cases[i].aligned)
			fail_msg("%s vs %s (%c): want %d", cases[i].from,
			    cases[i].id, cases[i].mode, cases[i].aligned);
	/* tree walk: the org domain comes from DNS (psd=y at .test) */
	assert_true(ds_dmarc_aligned(dns, "mail.shop.test", "shop.test", 'r',
	    DS_DMARC_DISC_TREEWALK));
	assert_false(ds_dmarc_aligned(dns, "mail.shop.test", "other.test",
	    'r', DS_DMARC_DISC_TREEWALK));
}

static void
test_report_authorized(void **state)
{
	struct ds_dns *dns = *state, *off;
	char *dest = NULL;

	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:dmarc@reports.example.com", &dest),
	    DS_DMARC_AUTH_SAME_ORG);
	assert_string_equal(dest, "reports.example.com");
	g_free(dest);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:rua@Example.ORG!10m", &dest), DS_DMARC_AUTH_OK);
	assert_string_equal(dest, "example.org");
	g_free(dest);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.net",
	    "mailto:rua@example.org", NULL), DS_DMARC_AUTH_MISSING);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "https://example.org/r", NULL), DS_DMARC_AUTH_BAD_URI);
	assert_int_equal(ds_dmarc_report_authorized(dns, "example.com",
	    "mailto:nodomain", NULL), DS_DMARC_AUTH_BAD_URI);
	off = ds_dns_new(DS_DNS_OFF, NULL, NULL);
	assert_int_equal(ds_dmarc_report_authorized(off, "example.com",
	    "mailto:rua@example.org", NULL), DS_DMARC_AUTH_TEMPFAIL);
	ds_dns_free(off);
	assert_string_equal(ds_dmarc_auth_name(DS_DMARC_AUTH_OK),
	    "authorized");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_discover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_several_records_note,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk_bound, setup,
		    teardown),
		cmocka_unit_test(test_offline),
		cmocka_unit_test_setup_teardown(test_aligned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_authorized, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
