/*
 * test_enrich.c - report/enrich/enrich.c against a zone file: forward-confirmed
 * reverse DNS (confirmed, pointing elsewhere, no forward name, several
 * PTR names, IPv6), base domain (PSL), service, NXDOMAIN; the ip_info
 * cache: written once, answered from while fresh (no DNS query),
 * refreshed after its TTL, used as is offline; temporary failures and
 * offline answers not cached. AS and country from MaxMind databases
 * (written by tests/enrich/mkmmdb.pl): cached with the build date,
 * looked up again for a newer build, kept without a database; services
 * by ASN for a sender without PTR; a what-if (zone) run touches no row.
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
#include "report/enrich/enrich.h"
#include "tests/unit/helper_mmdb.h"
#include "tests/unit/helper_store.h"

#define NOW INT64_C(1767225600)

static const char zone[] =
    "$TTL 300\n"
    "$ORIGIN 2.0.192.in-addr.arpa.\n"
    "1 IN PTR mail.example.com.\n"
    "2 IN PTR fake.example.com.\n"
    "3 IN PTR o1.ptr1.sendgrid.net.\n"
    "4 IN PTR first.example.org.\n"
    "4 IN PTR second.example.org.\n"
    "6 IN PTR nohost.example.net.\n"
    "$ORIGIN 8.b.d.0.1.0.0.2.ip6.arpa.\n"
    "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0 IN PTR "
    "v6.mail.example.co.uk.\n"
    "$ORIGIN example.com.\n"
    "mail IN A 192.0.2.1\n"
    "fake IN A 192.0.2.99\n"
    "$ORIGIN example.org.\n"
    "first IN A 192.0.2.50\n"
    "second IN A 192.0.2.4\n"
    "o1.ptr1.sendgrid.net. IN A 192.0.2.3\n"
    "v6.mail.example.co.uk. IN AAAA 2001:db8::1\n";

struct fx {
	struct ts_fx *ts;
	struct ds_dns *dns;
	struct ds_services *svc;
};

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	GError *e = NULL;
	char *path;
	int fd;

	ts_setup((void **)&f->ts);
	fd = g_file_open_tmp("ds-enrich-XXXXXX.zone", &path, NULL);
	assert_true(fd >= 0);
	close(fd);
	assert_true(g_file_set_contents(path, zone, -1, NULL));
	f->dns = ds_dns_new(DS_DNS_ZONE, path, &e);
	if (f->dns == NULL)
		fail_msg("%s", e->message);
	unlink(path);
	g_free(path);
	f->svc = ds_services_default(NULL, &e);
	assert_non_null(f->svc);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	ds_dns_free(f->dns);
	ds_services_free(f->svc);
	ts_teardown((void **)&f->ts);
	g_free(f);
	return 0;
}

static void
resolve(struct ds_dns *dns, const char *ip, struct ds_ipinfo *i)
{
	ds_ipinfo_init(i);
	i->ip = g_strdup(ip);
	ds_enrich_resolve(dns, ip, i);
}

static void
test_resolve(void **state)
{
	struct fx *f = *state;
	struct ds_ipinfo i;

	resolve(f->dns, "192.0.2.1", &i);
	assert_string_equal(i.ptr, "mail.example.com");
	assert_int_equal(i.ptr_confirmed, 1);
	assert_string_equal(i.base_domain, "example.com");
	assert_string_equal(i.status, "ok");
	assert_int_equal(i.ttl, DS_ENRICH_TTL_OK);
	ds_ipinfo_clear(&i);

	resolve(f->dns, "192.0.2.2", &i);	/* A points elsewhere */
	assert_string_equal(i.ptr, "fake.example.com");
	assert_int_equal(i.ptr_confirmed, 0);
	ds_ipinfo_clear(&i);

	resolve(f->dns, "192.0.2.6", &i);	/* the name has no A */
	assert_string_equal(i.ptr, "nohost.example.net");
	assert_int_equal(i.ptr_confirmed, 0);
	assert_string_equal(i.base_domain, "example.net");
	ds_ipinfo_clear(&i);

	resolve(f->dns, "192.0.2.4", &i);	/* the second name confirms */
	assert_string_equal(i.ptr, "second.example.org");
	assert_int_equal(i.ptr_confirmed, 1);
	ds_ipinfo_clear(&i);

	resolve(f->dns, "2001:db8::1", &i);
	assert_string_equal(i.ptr, "v6.mail.example.co.uk");
	assert_int_equal(i.ptr_confirmed, 1);
	assert_string_equal(i.base_domain, "example.co.uk");
	ds_ipinfo_clear(&i);

	resolve(f->dns, "192.0.2.9", &i);	/* no PTR */
	assert_null(i.ptr);
	assert_null(i.base_domain);
	assert_string_equal(i.status, "nxdomain");
	assert_int_equal(i.ttl, DS_ENRICH_TTL_NEG);
	ds_ipinfo_clear(&i);
}

static void
info(struct ds_enrich *en, const char *ip, struct ds_ipinfo *i)
{
	GError *e = NULL;

	ds_ipinfo_init(i);
	i->ip = g_strdup(ip);
	assert_true(ds_enrich_ipinfo(i, en, &e));
	assert_null(e);
}

static void
test_cache(void **state)
{
	struct fx *f = *state;
	struct ds_dns *off;
	struct ds_enrich en;
	struct ds_ipinfo i;
	GError *e = NULL;
	unsigned q;

	ds_enrich_init(&en, f->ts->st, f->dns, f->svc, NOW);
	assert_true(en.whatif);		/* a zone file: what-if */
	en.whatif = false;		/* here: the zone plays the DNS */
	info(&en, "192.0.2.3", &i);
	assert_string_equal(i.ptr, "o1.ptr1.sendgrid.net");
	assert_int_equal(i.ptr_confirmed, 1);
	assert_string_equal(i.base_domain, "sendgrid.net");
	assert_string_equal(i.service, "SendGrid");
	ds_ipinfo_clear(&i);
	assert_int_equal(en.lookups, 1);
	assert_int_equal(ts_int(f->ts->db, "SELECT checked_at FROM ip_info "
	    "WHERE ip = '192.0.2.3'", 0), NOW);
	assert_int_equal(ts_int(f->ts->db, "SELECT ptr_confirmed FROM ip_info"
	    " WHERE ip = '192.0.2.3'", 0), 1);

	/* fresh: from the cache, no DNS query */
	q = ds_dns_query_count(f->dns);
	en.now = NOW + DS_ENRICH_TTL_OK - 1;
	info(&en, "192.0.2.3", &i);
	assert_string_equal(i.ptr, "o1.ptr1.sendgrid.net");
	assert_string_equal(i.service, "SendGrid");
	ds_ipinfo_clear(&i);
	assert_int_equal(en.cached, 1);
	assert_int_equal(ds_dns_query_count(f->dns), q);

	/* a negative answer is cached for a day */
	en.now = NOW;
	info(&en, "192.0.2.9", &i);
	assert_null(i.ptr);
	ds_ipinfo_clear(&i);
	assert_int_equal(ts_int(f->ts->db, "SELECT ttl FROM ip_info "
	    "WHERE ip = '192.0.2.9'", 0), DS_ENRICH_TTL_NEG);

	/* stale: looked up again and rewritten */
	en.now = NOW + DS_ENRICH_TTL_OK;
	info(&en, "192.0.2.3", &i);
	ds_ipinfo_clear(&i);
	assert_int_equal(en.lookups, 3);
	assert_int_equal(ts_int(f->ts->db, "SELECT checked_at FROM ip_info "
	    "WHERE ip = '192.0.2.3'", 0), NOW + DS_ENRICH_TTL_OK);

	/* offline: any cached row, else nothing and nothing stored */
	off = ds_dns_new(DS_DNS_OFF, NULL, &e);
	assert_non_null(off);
	ds_enrich_init(&en, f->ts->st, off, f->svc, NOW + 1000 * 86400);
	info(&en, "192.0.2.3", &i);
	assert_string_equal(i.ptr, "o1.ptr1.sendgrid.net");
	ds_ipinfo_clear(&i);
	info(&en, "167.89.64.1", &i);
	assert_null(i.ptr);
	assert_int_equal(i.ptr_confirmed, -1);
	assert_string_equal(i.status, "offline");
	assert_string_equal(i.service, "SendGrid");	/* by IP range */
	ds_ipinfo_clear(&i);
	assert_int_equal(en.cached, 1);
	assert_int_equal(en.offline, 1);
	assert_int_equal(ts_int(f->ts->db, "SELECT count(*) FROM ip_info "
	    "WHERE ip = '167.89.64.1'", 0), 0);
	ds_dns_free(off);

	/* --refresh ignores a fresh row */
	ds_enrich_init(&en, f->ts->st, f->dns, f->svc, NOW + DS_ENRICH_TTL_OK);
	en.whatif = false;
	en.refresh = true;
	info(&en, "192.0.2.3", &i);
	ds_ipinfo_clear(&i);
	assert_int_equal(en.lookups, 1);
}

#define BUILT INT64_C(1700000000)

/* The MaxMind databases: AS and country, cached with their build date. */
static void
test_geo(void **state)
{
	struct fx *f = *state;
	struct ds_mmdb *m1, *m2;
	struct ds_dns *off;
	struct ds_enrich en;
	struct ds_ipinfo i;
	GError *e = NULL;
	char *d1, *d2, *p[3];

	d1 = tm_make(f->ts->dir, BUILT, "");
	d2 = tm_make(f->ts->dir, BUILT + 86400, " v2");
	p[0] = tm_path(d1, "asn.mmdb");
	p[1] = tm_path(d1, "country.mmdb");
	p[2] = NULL;
	m1 = ds_mmdb_open((const char *const *)p);
	g_free(p[0]);
	g_free(p[1]);
	p[0] = tm_path(d2, "ipinfo.mmdb");
	p[1] = NULL;
	m2 = ds_mmdb_open((const char *const *)p);
	g_free(p[0]);
	assert_int_equal(ds_mmdb_count(m1), 2);
	assert_int_equal(ds_mmdb_count(m2), 1);

	ds_enrich_init(&en, f->ts->st, f->dns, f->svc, NOW);
	en.whatif = false;
	en.mmdb = m1;
	/* no PTR: the service comes from the ASN rule */
	info(&en, "192.0.2.77", &i);
	assert_null(i.ptr);
	assert_int_equal(i.asn, 8075);
	assert_string_equal(i.as_org, "MICROSOFT-CORP-MSN-AS-BLOCK");
	assert_string_equal(i.country, "IE");
	assert_string_equal(i.service, "Microsoft Azure");
	ds_ipinfo_clear(&i);
	info(&en, "203.0.113.9", &i);
	assert_string_equal(i.service, "SendGrid");
	ds_ipinfo_clear(&i);
	/* a PTR rule still wins over the AS */
	info(&en, "192.0.2.3", &i);
	assert_string_equal(i.service, "SendGrid");
	assert_int_equal(i.asn, 8075);
	ds_ipinfo_clear(&i);
	assert_int_equal(en.geo, 3);
	assert_int_equal(ts_int(f->ts->db, "SELECT asn FROM ip_info WHERE "
	    "ip = '192.0.2.77'", 0), 8075);
	assert_int_equal(ts_int(f->ts->db, "SELECT geo_built FROM ip_info "
	    "WHERE ip = '192.0.2.77'", 0), BUILT);

	/* the same databases again: from the cache */
	info(&en, "192.0.2.77", &i);
	assert_string_equal(i.country, "IE");
	ds_ipinfo_clear(&i);
	assert_int_equal(en.geo, 3);
	assert_int_equal(en.cached, 1);

	/* a newer build: looked up again at once, the PTR row kept */
	en.mmdb = m2;
	info(&en, "192.0.2.77", &i);
	assert_string_equal(i.as_org, "MICROSOFT-CORP-MSN-AS-BLOCK v2");
	assert_string_equal(i.as_domain, "microsoft.com");
	ds_ipinfo_clear(&i);
	assert_int_equal(en.geo, 4);
	assert_int_equal(en.lookups, 3);	/* no new DNS lookup */
	assert_int_equal(ts_int(f->ts->db, "SELECT geo_built FROM ip_info "
	    "WHERE ip = '192.0.2.77'", 0), BUILT + 86400);

	/* no database: the cached answer stays */
	en.mmdb = NULL;
	info(&en, "192.0.2.77", &i);
	assert_int_equal(i.asn, 8075);
	assert_string_equal(i.as_org, "MICROSOFT-CORP-MSN-AS-BLOCK v2");
	assert_string_equal(i.service, "Microsoft Azure");
	ds_ipinfo_clear(&i);
	/* nor after the PTR's time to live, when DNS is asked again */
	en.now = NOW + DS_ENRICH_TTL_NEG + 1;
	info(&en, "192.0.2.77", &i);
	assert_int_equal(en.lookups, 4);
	assert_string_equal(i.as_org, "MICROSOFT-CORP-MSN-AS-BLOCK v2");
	ds_ipinfo_clear(&i);

	/* offline with a database: AS and country, no DNS */
	off = ds_dns_new(DS_DNS_OFF, NULL, &e);
	assert_non_null(off);
	ds_enrich_init(&en, f->ts->st, off, f->svc, NOW);
	en.mmdb = m1;
	info(&en, "2001:db8:10::25", &i);
	assert_string_equal(i.status, "offline");
	assert_int_equal(i.asn, 64501);
	assert_string_equal(i.country, "FR");
	ds_ipinfo_clear(&i);
	ds_dns_free(off);

	/* what-if (--dns-zone): everything now, no cache row read or written */
	ds_enrich_init(&en, f->ts->st, f->dns, f->svc, NOW);
	assert_true(en.whatif);
	en.mmdb = m1;
	info(&en, "192.0.2.1", &i);
	assert_string_equal(i.ptr, "mail.example.com");
	assert_int_equal(i.asn, 8075);
	ds_ipinfo_clear(&i);
	info(&en, "192.0.2.77", &i);
	assert_string_equal(i.as_org, "MICROSOFT-CORP-MSN-AS-BLOCK");
	ds_ipinfo_clear(&i);
	assert_int_equal(en.cached, 0);
	assert_int_equal(ts_int(f->ts->db, "SELECT count(*) FROM ip_info "
	    "WHERE ip = '192.0.2.1'", 0), 0);
	assert_int_equal(ts_int(f->ts->db, "SELECT geo_built FROM ip_info "
	    "WHERE ip = '192.0.2.77'", 0), BUILT + 86400);

	ds_mmdb_free(m1);
	ds_mmdb_free(m2);
	g_free(d1);
	g_free(d2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_resolve, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_geo, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
