/*
 * store_senders.h - the reporter queries: per-domain summaries, daily
 * series, senders per source IP (grouped), reporters, the list of
 * domains, and the IP enrichment cache. Shared by the summary, senders
 * and reporters commands, the HTML dashboards and weekly report, and
 * doctor (SPEC section 4; the only SQL of these lives in
 * schema/store_senders*.c).
 * SPDX-License-Identifier: MIT
 *
 * Periods. Every query takes a struct ds_query (store.h): domain (NULL:
 * every domain; compared without ASCII case), since, until (Unix
 * seconds, INT64_MIN / INT64_MAX for none) and limit. A report belongs
 * to [since, until) when the midpoint of its date range,
 * (begin + end) / 2, falls in it, so consecutive periods never count a
 * report twice; a report's day is the UTC day of that midpoint.
 *
 * DMARC pass (RFC 7489 section 4.2): a record's messages pass when
 * policy_evaluated has dkim=pass or spf=pass (both already mean
 * "passed and aligned"); dkim_pass / spf_pass count each alone.
 *
 * Ownership (jq style, stated once): structs handed to a callback and
 * their strings live only during the call; structs returned through
 * out parameters are the caller's, freed with the matching _free or
 * _clear function. Strings are valid UTF-8 as stored (still attacker
 * text: escape on output, THREATS rows 9 and 10). Every function that
 * can fail returns false with err set (DS_ERROR_DB); a callback that
 * returns false stops the walk, which then returns true.
 */
#ifndef DS_STORE_SENDERS_H
#define DS_STORE_SENDERS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

#define DS_DAY 86400

/* messages by policy_evaluated disposition */
struct ds_disp_counts {
	int64_t none;
	int64_t quarantine;
	int64_t reject;
	int64_t pass;		/* RFC 9990 "pass" */
	int64_t other;		/* absent or off-schema */
};

/*
 * One published policy (policy_published) and when it was reported,
 * lower case, with the defaults filled in (sp = p, adkim = aspf = "r",
 * pct = 100, testing = "n"), so a reporter omitting a default is no
 * policy change; np is NULL when no report carried it, and an absent np
 * matches any.
 */
struct ds_policy_seen {
	char *p, *sp, *np;	/* p NULL only if reports lacked it */
	char *adkim, *aspf;
	int pct;		/* -1 only for an absurd stored value */
	char *testing;		/* RFC 9990 t= */
	int64_t first_seen;	/* begin of the first report showing it */
	int64_t last_seen;	/* end of the last one */
	int64_t reports;	/* reports showing it */
};

/* Per policy domain over a period: ds_store_summary_each(). */
struct ds_domain_summary {
	char *domain;		/* lower case */
	int64_t messages;
	int64_t records;
	int64_t dmarc_pass, dmarc_fail;
	int64_t dkim_pass;	/* policy_evaluated dkim=pass (aligned) */
	int64_t spf_pass;	/* policy_evaluated spf=pass (aligned) */
	struct ds_disp_counts disp;
	int64_t reports;
	int64_t reporters;	/* distinct org_name */
	int64_t ips;		/* distinct source_ip */
	int64_t first_report;	/* smallest begin; 0 when no report */
	int64_t last_report;	/* largest end */
	int64_t first_day;	/* UTC midnight: the period's first day */
	int64_t days;		/* days in the period */
	int64_t days_without_report;
	GArray *missing_days;	/* int64_t UTC midnights without a report */
	GArray *policies;	/* struct ds_policy_seen, by first_seen;
				   more than one means the policy changed */
};

/* One UTC day of a domain: ds_store_daily(). */
struct ds_day {
	int64_t day;		/* UTC midnight */
	int64_t messages;
	int64_t dmarc_pass;
	int64_t dkim_pass;
	int64_t spf_pass;
	int64_t reports;
};

/* One DKIM or SPF auth_results outcome with its messages. */
struct ds_auth_count {
	char *domain;		/* DKIM d= / SPF domain; NULL if absent */
	char *selector;		/* DKIM selector or SPF scope; NULL */
	char *result;		/* pass fail none ...; NULL if absent */
	int64_t messages;
};

enum ds_group {
	DS_GROUP_IP = 0,	/* one row per source IP */
	DS_GROUP_NET,		/* /24 for IPv4, /48 for IPv6 */
	DS_GROUP_DOMAIN,	/* base (organizational) domain of the PTR */
	DS_GROUP_SERVICE,	/* named service from the service table */
	DS_GROUP_ASN,		/* AS number (MaxMind database), "AS8075" */
	DS_GROUP_COUNTRY,	/* country of the IP (MaxMind database) */
};

enum ds_sender_sort {
	DS_SORT_MESSAGES = 0,	/* messages, most first */
	DS_SORT_FAIL,		/* dmarc_fail, most first */
	DS_SORT_PASS,		/* dmarc_pass, most first */
	DS_SORT_RATE,		/* DMARC pass rate, worst first */
	DS_SORT_KEY,		/* group key (IPs numerically) */
	DS_SORT_FIRST,		/* first_seen, newest first */
	DS_SORT_LAST,		/* last_seen, newest first */
};

/* Enrichment of one IP: the cache row (table ip_info). */
struct ds_ipinfo {
	char *ip;		/* canonical text */
	char *ptr;		/* first PTR name, NULL when none */
	int ptr_confirmed;	/* 1 forward-confirmed, 0 not, -1 unknown */
	char *base_domain;	/* organizational domain of ptr, or NULL */
	char *service;		/* service name, or NULL */
	char *status;		/* "ok", "nxdomain", "nodata", "tempfail",
				   "offline" */
	int64_t checked_at;	/* Unix seconds of the lookup */
	int64_t ttl;		/* seconds the row stays fresh */
	/* from MaxMind DB files (report/enrich/mmdb.h), migration 012 */
	int64_t asn;		/* AS number, 0 unknown */
	char *as_org;		/* AS organisation, or NULL */
	char *as_domain;	/* IPinfo's as_domain, or NULL */
	char *country;		/* ISO 3166-1 alpha-2, or NULL */
	int64_t geo_built;	/* build date of the databases asked (Unix
				   seconds), 0: none ever asked */
};

/*
 * Fill out (ds_ipinfo_init()ed by the caller, ip already set) for the
 * senders query; e.g. report/enrich/enrich.c: cache, then DNS. Called with no
 * statement of the store pending, so it may use the store. Returning
 * false stops the query with err.
 */
typedef bool (*ds_ipinfo_fn)(struct ds_ipinfo *out, void *payload,
    GError **err);

/* What ds_store_senders() returns. */
struct ds_sender_query {
	struct ds_query period;	/* domain, since, until; limit: rows
				   kept after filter and sort (0: all) */
	enum ds_group group;
	enum ds_sender_sort sort;
	bool failing;		/* only rows with dmarc_fail > 0 */
	bool only_new;		/* only rows whose IPs were never seen
				   (for this domain) before since */
	bool dkim_only;		/* leave spf, reasons, reporters and
				   header_from empty (a classifier's first
				   walk needs only DKIM: fewer reads) */
	ds_ipinfo_fn info;	/* NULL: use the ip_info cache as it is */
	void *info_payload;
};

/* One row of ds_store_senders(): an IP or a group of IPs. */
struct ds_sender {
	char *key;		/* IP, "192.0.2.0/24", base domain,
				   service, "AS8075" or country; NULL for
				   "unknown" groups */
	char *source_ip;	/* the IP when the group has one IP */
	int64_t ips;		/* distinct IPs in the row */
	int64_t messages;
	int64_t records;
	int64_t dmarc_pass, dmarc_fail;
	int64_t dkim_pass, spf_pass;	/* policy_evaluated, aligned */
	struct ds_disp_counts disp;
	GArray *dkim;		/* struct ds_auth_count, most messages
				   first */
	GArray *spf;		/* struct ds_auth_count */
	GArray *reasons;	/* struct ds_auth_count: the reporters'
				   <reason> types (forwarded, mailing_list,
				   ...) in result, domain/selector NULL */
	GPtrArray *reporters;	/* char *: org_name, sorted */
	GPtrArray *header_from;	/* char *: header_from domains, sorted */
	int64_t reports;	/* distinct reports mentioning it */
	int64_t first_seen;	/* smallest begin of those reports */
	int64_t last_seen;	/* largest end */
	bool is_new;		/* no IP of it seen before since */
	/* enrichment; for groups, set when all IPs agree, else NULL/-1 */
	char *ptr;
	int ptr_confirmed;	/* 1, 0, -1 unknown */
	char *base_domain;
	char *service;
	int64_t asn;		/* 0 unknown (or IPs disagree) */
	char *as_org;
	char *country;
	GPtrArray *ip_list;	/* char *: the IPs of the row, sorted */
};

/* Who reports about a domain: ds_store_reporters_each(). */
struct ds_reporter {
	char *org_name;
	char *email;		/* one of the reporter's addresses */
	int64_t reports;
	int64_t records;
	int64_t messages;	/* sum of report.messages */
	int64_t domains;	/* distinct policy domains reported */
	int64_t first_report;	/* smallest begin in the period */
	int64_t last_report;	/* largest end in the period */
	int64_t last_ever;	/* largest end over all stored reports
				   (for the same domain filter) */
};

/* One policy domain with totals: ds_store_domains_each(). */
struct ds_domain_row {
	char *domain;		/* lower case */
	int64_t reports;
	int64_t reporters;
	int64_t messages;
	int64_t dmarc_pass;
	int64_t first_report;
	int64_t last_report;
};

typedef bool (*ds_summary_cb)(const struct ds_domain_summary *s,
    void *payload);
typedef bool (*ds_reporter_cb)(const struct ds_reporter *r, void *payload);
typedef bool (*ds_domain_cb)(const struct ds_domain_row *d, void *payload);
typedef bool (*ds_ip_cb)(const char *ip, void *payload);

/*
 * Call cb with the summary of every policy domain that has a report in
 * the period (q->domain set: that one, and only if it has reports),
 * domains in name order. q->limit is ignored. days and
 * days_without_report count the full UTC days inside [since, until)
 * (since "7d" at noon starts at the next midnight); an open bound is
 * replaced by the day of the domain's first or last report midpoint.
 */
bool ds_store_summary_each(struct ds_store *st, const struct ds_query *q,
    ds_summary_cb cb, void *payload, GError **err);

/*
 * The daily series of q->domain (NULL: all domains together) over the
 * period: *out (caller g_array_unref) holds one struct ds_day per UTC
 * day from the first to the last day of the period, days without data
 * included with zeros. Open bounds are replaced by the first or last
 * report's day; no report at all gives an empty array.
 */
bool ds_store_daily(struct ds_store *st, const struct ds_query *q,
    GArray **out, GError **err);

typedef bool (*ds_sender_cb)(const struct ds_sender *s, void *payload);

/*
 * The senders of the period (SPEC section 4): cb is called with one
 * struct ds_sender per IP or group, filtered, sorted and limited as q
 * says, one at a time, in bounded memory whatever the number of IPs
 * (the rows are sorted in TEMP tables of the store's connection; only
 * the row handed to cb is in memory). q->info is called once per
 * distinct IP of the rows kept (grouping by base domain, service, ASN
 * or country: once per IP of the period, as the groups depend on it),
 * in IP order, with no statement pending, before the first cb. cb must
 * not use the store. Groups take an enrichment field only when all
 * their IPs agree; a group's ip_list holds all its IPs.
 */
bool ds_store_senders_each(struct ds_store *st,
    const struct ds_sender_query *q, ds_sender_cb cb, void *payload,
    GError **err);
/* The same, each row handed over: cb owns s (ds_sender_free). */
typedef bool (*ds_sender_take_cb)(struct ds_sender *s, void *payload);
bool ds_store_senders_take(struct ds_store *st,
    const struct ds_sender_query *q, ds_sender_take_cb cb, void *payload,
    GError **err);
/*
 * The same into *out (caller g_ptr_array_unref; it frees the rows),
 * empty when nothing matched: for callers that keep few rows (a limit).
 */
bool ds_store_senders(struct ds_store *st, const struct ds_sender_query *q,
    GPtrArray **out, GError **err);
void ds_sender_query_init(struct ds_sender_query *q);
void ds_sender_free(struct ds_sender *s);	/* NULL-safe */

/* Call cb with each distinct source IP of the period, in no order. */
bool ds_store_sender_ips_each(struct ds_store *st, const struct ds_query *q,
    ds_ip_cb cb, void *payload, GError **err);

/*
 * Call cb for each reporter (org_name) with a report in the period,
 * most messages first; q->limit caps the count.
 */
bool ds_store_reporters_each(struct ds_store *st, const struct ds_query *q,
    ds_reporter_cb cb, void *payload, GError **err);

/*
 * Call cb for each policy domain with a report in the period (q->domain
 * is ignored), in name order; q->limit caps the count.
 */
bool ds_store_domains_each(struct ds_store *st, const struct ds_query *q,
    ds_domain_cb cb, void *payload, GError **err);

/* ---- the enrichment cache (table ip_info) ---- */

void ds_ipinfo_init(struct ds_ipinfo *i);	/* all NULL, unknown */
void ds_ipinfo_clear(struct ds_ipinfo *i);	/* frees, then init */

/*
 * Read the cached row of ip into out (initialised by this function).
 * *found is false when there is none (out then holds ip only). Whether
 * the row is fresh is the caller's call: checked_at + ttl > now.
 */
bool ds_store_ipinfo_get(struct ds_store *st, const char *ip,
    struct ds_ipinfo *out, bool *found, GError **err);
/* Insert or replace the cached row of in->ip. */
bool ds_store_ipinfo_put(struct ds_store *st, const struct ds_ipinfo *in,
    GError **err);

/*
 * The SQL text of every query above, for the EXPLAIN QUERY PLAN test
 * (tests/unit/test_store_senders.c) and doctor: *array of borrowed
 * static strings, caller g_ptr_array_unref()s. Parameters: ?1 domain,
 * ?2 since, ?3 until, ?4 limit (sql_seen: ?1 IP, ?2 domain, ?3 since).
 */
GPtrArray *ds_store_reporter_sql(void);
/*
 * The SQLite DDL of the TEMP tables the senders statements read
 * (store_senders_tmp.c): run it before preparing those for a plan.
 */
const char *ds_store_senders_tmp_sql(void);

/* ds_pass_rate(): schema/util/rate.h, included for the callers */
#include "schema/util/rate.h"

#endif
