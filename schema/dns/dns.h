/*
 * dns.h - the one DNS layer of dmarcsift (SPF, DKIM keys, _dmarc records
 * and the RFC 9989 tree walk, PTR enrichment, doctor).
 * SPDX-License-Identifier: MIT
 *
 * Backed by libunbound: the system resolver (/etc/resolv.conf), or, with
 * a zone file, answers from that file only (RFC 1035 master-file syntax
 * parsed by unbound/ldns, names absent from it answer NXDOMAIN), or
 * offline (every query answers DS_DNS_OFFLINE). Answers are cached for
 * the life of the struct; a time budget and a query budget bound one
 * run (THREATS #17).
 */
#ifndef DS_DNS_H
#define DS_DNS_H

#include <stdbool.h>
#include <glib.h>

enum ds_dns_mode {
	DS_DNS_SYSTEM = 0,	/* the system resolver */
	DS_DNS_ZONE,		/* answers from a zone file only */
	DS_DNS_OFF,		/* no DNS at all (--offline) */
};

enum ds_dns_status {
	DS_DNS_OK = 0,		/* one or more answers */
	DS_DNS_NXDOMAIN,	/* the name does not exist */
	DS_DNS_NODATA,		/* the name exists, no record of that type */
	DS_DNS_TEMPFAIL,	/* timeout, SERVFAIL, budget exhausted */
	DS_DNS_OFFLINE,		/* DS_DNS_OFF mode */
};

struct ds_dns;

/*
 * New resolver. zone_file is used (and required) in DS_DNS_ZONE mode.
 * Fails with DS_ERROR_USAGE when the zone file cannot be read or parsed
 * (the message names the file and line), DS_ERROR_NET when the resolver
 * cannot be set up.
 */
struct ds_dns *ds_dns_new(enum ds_dns_mode mode, const char *zone_file,
    GError **err);
void ds_dns_free(struct ds_dns *dns);	/* NULL-safe */
enum ds_dns_mode ds_dns_get_mode(const struct ds_dns *dns);

/*
 * TXT records of name: *out gets one char * per record, its strings
 * concatenated (RFC 7208 §3.3), caller frees with g_ptr_array_unref.
 * *out is NULL unless DS_DNS_OK.
 */
enum ds_dns_status ds_dns_txt(struct ds_dns *dns, const char *name,
    GPtrArray **out);
/* A (family AF_INET) or AAAA (AF_INET6) records as canonical text. */
enum ds_dns_status ds_dns_addr(struct ds_dns *dns, const char *name,
    int family, GPtrArray **out);
/* PTR names of ip (text, v4 or v6), without the trailing dot. */
enum ds_dns_status ds_dns_ptr(struct ds_dns *dns, const char *ip,
    GPtrArray **out);
/* MX exchange names, lowest preference first, without trailing dot. */
enum ds_dns_status ds_dns_mx(struct ds_dns *dns, const char *name,
    GPtrArray **out);
/*
 * Raw answer packet for libspf2's DNS layer and libopendkim's key
 * lookup: *out_pkt (g_free) of *out_len bytes, wire format; NULL when
 * the resolver gave no packet (offline, budget, timeout).
 */
enum ds_dns_status ds_dns_raw(struct ds_dns *dns, const char *name,
    int rrtype, unsigned char **out_pkt, int *out_len);

/*
 * Budgets (THREATS #17). A window is one message being re-verified:
 * within it at most max_queries queries go to the resolver (cache hits
 * are free) and max_ms milliseconds pass; each query waits at most
 * query_ms. Past a limit every uncached query answers DS_DNS_TEMPFAIL
 * and ds_dns_budget_exhausted() turns true until the next restart.
 * A zero argument keeps the current value. Defaults: 200 queries,
 * 20000 ms per window, 5000 ms per query.
 */
void ds_dns_set_budget(struct ds_dns *dns, unsigned max_queries,
    unsigned max_ms, unsigned query_ms);
/* Open a new window (the cache is kept). */
void ds_dns_budget_restart(struct ds_dns *dns);
bool ds_dns_budget_exhausted(const struct ds_dns *dns);
/* Queries sent to the resolver since ds_dns_new (cache hits excluded). */
unsigned ds_dns_query_count(const struct ds_dns *dns);

/* DNS type numbers for ds_dns_raw (RFC 1035, RFC 3596) */
#define DS_DNS_T_A	1
#define DS_DNS_T_PTR	12
#define DS_DNS_T_MX	15
#define DS_DNS_T_TXT	16
#define DS_DNS_T_AAAA	28

/* "NXDOMAIN", "timeout", ... for messages */
const char *ds_dns_status_name(enum ds_dns_status s);

/*
 * The organizational domain of a lower-case domain name by the Public
 * Suffix List (libpsl, Debian's /usr/share/publicsuffix list), or a
 * copy of name when it has none. Caller g_frees.
 */
char *ds_org_domain(const char *name);

#endif
