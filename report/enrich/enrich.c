/*
 * enrich.c - forward-confirmed reverse DNS, organizational domain and
 * service of a source IP, cached in the store (enrich.h).
 * SPDX-License-Identifier: MIT
 *
 * FCrDNS: the PTR names of the IP, then the A (IPv4) or AAAA (IPv6)
 * records of each name until one holds the IP. The organizational
 * domain comes from the Public Suffix List (RFC 9989's PSL discovery
 * uses the same list). THREATS #17: one DNS budget window per IP; names
 * that are not host names are kept for display but get no base domain.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "schema/util/error.h"
#include "report/enrich/enrich.h"

#define MAX_PTR 5	/* PTR names checked forward per IP */

/* See enrich.h. */
void
ds_enrich_init(struct ds_enrich *e, struct ds_store *st, struct ds_dns *dns,
    const struct ds_services *svc, int64_t now)
{
	memset(e, 0, sizeof(*e));
	e->st = st;
	e->dns = dns;
	e->svc = svc;
	e->now = now;
	/* THREATS: a zone file's answers must not outlive the what-if */
	e->whatif = dns != NULL && ds_dns_get_mode(dns) == DS_DNS_ZONE;
}

/* Letters, digits, '-', '_' and '.', 1..253 bytes: a host name. */
static bool
hostname_ok(const char *s)
{
	size_t n = strlen(s);

	return n > 0 && n <= 253 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-_.") == n;
}

static bool
addr_of(const char *s, int *family, unsigned char a[16])
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, a) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* 1: name has an address equal to a, 0: not, -1: lookup failed. */
static int
forward_ok(struct ds_dns *dns, const char *name, int family,
    const unsigned char a[16])
{
	enum ds_dns_status st;
	GPtrArray *addrs = NULL;
	unsigned char b[16];
	int f, found = 0;
	guint i;

	st = ds_dns_addr(dns, name, family, &addrs);
	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE)
		return -1;
	if (st != DS_DNS_OK)
		return 0;
	for (i = 0; i < addrs->len && !found; i++)
		if (addr_of(addrs->pdata[i], &f, b) && f == family &&
		    memcmp(a, b, 16) == 0)
			found = 1;
	g_ptr_array_unref(addrs);
	return found;
}

static const char *
status_name(enum ds_dns_status st)
{
	switch (st) {
	case DS_DNS_OK:
		return "ok";
	case DS_DNS_NXDOMAIN:
		return "nxdomain";
	case DS_DNS_NODATA:
		return "nodata";
	case DS_DNS_OFFLINE:
		return "offline";
	case DS_DNS_TEMPFAIL:
	default:
		return "tempfail";
	}
}

/* See enrich.h. */
void
ds_enrich_resolve(struct ds_dns *dns, const char *ip, struct ds_ipinfo *out)
{
	enum ds_dns_status st;
	GPtrArray *names = NULL;
	unsigned char a[16];
	int family, fc, confirmed = 0;
	char *name;
	guint i;

	g_clear_pointer(&out->ptr, g_free);
	g_clear_pointer(&out->base_domain, g_free);
	g_clear_pointer(&out->status, g_free);
	out->ptr_confirmed = -1;
	out->ttl = 0;
	if (!addr_of(ip, &family, a)) {
		out->status = g_strdup("nxdomain");
		out->ttl = DS_ENRICH_TTL_NEG;
		return;
	}
	ds_dns_budget_restart(dns);
	st = ds_dns_ptr(dns, ip, &names);
	out->status = g_strdup(status_name(st));
	if (st == DS_DNS_NXDOMAIN || st == DS_DNS_NODATA)
		out->ttl = DS_ENRICH_TTL_NEG;
	if (st != DS_DNS_OK)
		return;
	out->ttl = DS_ENRICH_TTL_OK;
	for (i = 0; i < names->len && i < MAX_PTR; i++) {
		name = g_ascii_strdown(names->pdata[i], -1);
		fc = hostname_ok(name) ? forward_ok(dns, name, family, a) : 0;
		if (out->ptr == NULL || (fc == 1 && confirmed != 1)) {
			g_free(out->ptr);
			out->ptr = name;
			name = NULL;
		}
		if (fc == 1) {
			confirmed = 1;
			g_free(name);
			break;
		}
		if (fc < 0)
			confirmed = -1;
		g_free(name);
	}
	g_ptr_array_unref(names);
	out->ptr_confirmed = confirmed;
	if (out->ptr != NULL && hostname_ok(out->ptr))
		out->base_domain = ds_org_domain(out->ptr);
}

/* Keep only ip of out, for a new answer. */
static void
reset_keep_ip(struct ds_ipinfo *out)
{
	char *ip = out->ip;

	out->ip = NULL;
	ds_ipinfo_clear(out);
	out->ip = ip;
}

/* Move the database fields of from to to (whose own are freed). */
static void
geo_move(struct ds_ipinfo *to, struct ds_ipinfo *from)
{
	g_free(to->as_org);
	g_free(to->as_domain);
	g_free(to->country);
	to->asn = from->asn;
	to->as_org = g_steal_pointer(&from->as_org);
	to->as_domain = g_steal_pointer(&from->as_domain);
	to->country = g_steal_pointer(&from->country);
	to->geo_built = from->geo_built;
	from->asn = 0;
	from->geo_built = 0;
}

/*
 * Look out->ip up in the databases when the cached answer is from
 * another build (or e->refresh, or always); true when out changed. A
 * database dropped on a data error during the lookup leaves out as it
 * was: an answer from the remaining ones would be stored as complete.
 */
static bool
geo_update(struct ds_enrich *e, struct ds_ipinfo *out, bool always)
{
	struct ds_ipinfo tmp;
	struct ds_geo g = { 0 };
	unsigned before;
	int64_t built;

	if (e->mmdb == NULL || (before = ds_mmdb_count(e->mmdb)) == 0)
		return false;
	built = ds_mmdb_built(e->mmdb);
	if (!always && !e->refresh && out->geo_built == built)
		return false;
	ds_mmdb_lookup(e->mmdb, out->ip, &g);
	ds_enrich_mmdb_warn(e->mmdb);
	if (ds_mmdb_count(e->mmdb) != before) {
		ds_geo_clear(&g);
		return false;
	}
	ds_ipinfo_init(&tmp);
	tmp.asn = g.asn;
	tmp.as_org = g_steal_pointer(&g.as_org);
	tmp.as_domain = g_steal_pointer(&g.as_domain);
	tmp.country = g_steal_pointer(&g.country);
	tmp.geo_built = built;
	geo_move(out, &tmp);
	ds_geo_clear(&g);
	e->geo++;
	return true;
}

static char *
match(const struct ds_enrich *e, const struct ds_ipinfo *i)
{
	if (e->svc == NULL)
		return NULL;
	return g_strdup(ds_services_match_asn(e->svc, i->ip, i->ptr,
	    i->asn > 0 && i->asn <= UINT32_MAX ? (uint32_t)i->asn : 0));
}

/* See enrich.h. */
bool
ds_enrich_ipinfo(struct ds_ipinfo *out, void *payload, GError **err)
{
	struct ds_enrich *e = payload;
	struct ds_ipinfo row;
	bool found = false, fresh, offline, write = false;
	char *ip;

	if (e->whatif) {
		reset_keep_ip(out);
		ds_enrich_resolve(e->dns, out->ip, out);
		out->checked_at = e->now;
		e->lookups++;
		geo_update(e, out, true);
		goto service;
	}
	offline = e->dns == NULL || ds_dns_get_mode(e->dns) == DS_DNS_OFF;
	if (e->whatif && e->dns != NULL) {
		/*
		 * A what-if zone: its answers only, never the cache's, and
		 * never written to it (issue 12), so later runs, dashboards
		 * and weekly mails see real names only.
		 */
		reset_keep_ip(out);
		ds_enrich_resolve(e->dns, out->ip, out);
		out->checked_at = e->now;
		e->lookups++;
		g_free(out->service);
		out->service = e->svc ? g_strdup(ds_services_match(e->svc,
		    out->ip, out->ptr)) : NULL;
		return true;
	}
	ip = g_strdup(out->ip);
	if (!ds_store_ipinfo_get(e->st, ip, &row, &found, err)) {
		g_free(ip);
		return false;
	}
	g_free(ip);
	fresh = found && !e->refresh && row.checked_at <= e->now &&
	    e->now - row.checked_at < row.ttl;
	if (found && (fresh || offline)) {
		ds_ipinfo_clear(out);
		*out = row;
		e->cached++;
	} else {
		reset_keep_ip(out);
		geo_move(out, &row);	/* kept unless looked up again */
		ds_ipinfo_clear(&row);
		if (offline) {
			out->status = g_strdup("offline");
			e->offline++;
		} else {
			ds_enrich_resolve(e->dns, out->ip, out);
			out->checked_at = e->now;
			e->lookups++;
			write = out->ttl > 0;
		}
	}
	if (geo_update(e, out, false))
		write = true;
	if (write) {
		g_free(out->service);
		out->service = match(e, out);
		if (!ds_store_ipinfo_put(e->st, out, err))
			return false;
	}
service:
	g_free(out->service);
	out->service = match(e, out);
	return true;
}
