/*
 * store_senders_priv.h - what schema/store_senders*.c, store_summary.c
 * and store_ipinfo.c share: the period filter as constant SQL, and the
 * working rows of the senders query. Never included elsewhere.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_SENDERS_PRIV_H
#define DS_STORE_SENDERS_PRIV_H

#include "schema/store/store_priv.h"
#include "schema/store/store_sql.h"
#include "schema/store/store_senders.h"

/*
 * The period test of store_senders.h over "report AS rep" and the pass
 * test over "record AS rec": the one definition in store_sql.h.
 */
#define SS_MID DS_SQL_MID("rep")
#define SS_PERIOD DS_SQL_PERIOD("rep")
/* with and without the domain filter (?1): two constant statements */
#define SS_WHERE_DOM " WHERE rep.domain = ?1 AND" SS_PERIOD
#define SS_WHERE_ALL " WHERE" SS_PERIOD
/* UTC day (midnight, Unix seconds) of the midpoint, floored */
#define SS_DAY "((CASE WHEN " SS_MID " >= 0 THEN " SS_MID " / 86400" \
    " ELSE (" SS_MID " - 86399) / 86400 END) * 86400)"
#define SS_PASS DS_SQL_PASS("rec")
/*
 * Sums use csum() (exact, saturating at 2^63-1, never an error) so two
 * absurd 2^63-1 counts cannot stop a query; ds_ss_int() clamps.
 */
#define SS_SUMS \
    " csum(rec.count)," \
    " csum(CASE WHEN " SS_PASS " THEN rec.count END)," \
    " csum(CASE WHEN rec.dkim = 'pass' THEN rec.count END)," \
    " csum(CASE WHEN rec.spf = 'pass' THEN rec.count END)," \
    " csum(CASE WHEN rec.disposition = 'none' THEN rec.count END)," \
    " csum(CASE WHEN rec.disposition = 'quarantine' THEN rec.count END)," \
    " csum(CASE WHEN rec.disposition = 'reject' THEN rec.count END)," \
    " csum(CASE WHEN rec.disposition = 'pass' THEN rec.count END)"
#define SS_NSUMS 8

/* Working row of ds_store_senders(): one IP, or one group of IPs. */
struct ss_row {
	struct ds_sender *s;	/* handed out when kept */
	struct ss_row *group;	/* IP rows when grouping: their group */
	GHashTable *auth[3];	/* "d\037s\037r" -> index+1 in dkim/spf/
				   reasons */
	GHashTable *reporters;	/* set of char * */
	GHashTable *hfrom;	/* set of char * */
	GHashTable *reports;	/* set of report row ids (groups only) */
	bool keep;		/* survived filter, sort and limit */
	int family;		/* of the key when it is an IP or net,
				   else 0 (precomputed for sorting) */
	unsigned char addr[16];
	unsigned merged;	/* groups: IP enrichments merged so far */
	unsigned conflict;	/* groups: enrichment fields that differ */
};

/*
 * Prepare sql[q->domain != NULL] (index 0: all domains, 1: ?1 is the
 * domain) and bind ?1 domain, ?2 since, ?3 until and, when the
 * statement has it, ?4 limit (-1 for none). *out finalized by caller.
 */
bool ds_ss_prepare(struct ds_store *st, const char *const sql[2],
    const struct ds_query *q, struct ds_dbq **out, GError **err);
/* Column i as a new string or NULL. */
char *ds_ss_col(struct ds_dbq *s, int i);
/* A csum() column as int64, clamped to [0, INT64_MAX]. */
int64_t ds_ss_int(struct ds_dbq *s, int i);
/* Fill sums from SS_SUMS columns starting at column i. */
void ds_ss_sums(struct ds_dbq *s, int i, int64_t *messages, int64_t *pass,
    int64_t *dkim, int64_t *spf, struct ds_disp_counts *d);
/* Clamp an int64 addition (counts are never negative). */
int64_t ds_ss_add(int64_t a, int64_t b);
/* The values of h as a new array (g_ptr_array_unref; values borrowed). */
GPtrArray *ds_ss_values(GHashTable *h);
/* UTC midnight of the day holding t (floored, also before 1970). */
int64_t ds_ss_day(int64_t t);

/*
 * Append the constant statements of store_senders.c, store_summary.c,
 * store_reporters.c, store_ipinfo.c to out (borrowed static text), for
 * ds_store_reporter_sql().
 */
void ds_ss_stmts_senders(GPtrArray *out);
void ds_ss_stmts_summary(GPtrArray *out);
void ds_ss_stmts_reporters(GPtrArray *out);
void ds_ss_stmts_ipinfo(GPtrArray *out);
void ds_ss_stmts_tmp(GPtrArray *out);

/* store_senders_tmp.c: the working TEMP tables of the senders query */
struct ds_ss_tmp {
	struct ds_store *st;
	struct ds_dbq *ins_ip, *ins_row;
	int64_t ips, rows;	/* ids given so far */
	bool made;		/* the tables exist */
};
/* (Re)create ds_ss_ip and ds_ss_row, empty. */
bool ds_ss_tmp_create(struct ds_ss_tmp *t, struct ds_store *st,
    GError **err);
/* Drop them (errors ignored: the connection's end drops them too). */
void ds_ss_tmp_drop(struct ds_ss_tmp *t);
/* Add the IP row d (source_ip, totals, is_new) with group key gk. */
bool ds_ss_tmp_add_ip(struct ds_ss_tmp *t, const struct ds_sender *d,
    const char *gk, GError **err);
/* Sum the IPs into ds_ss_row per group key. */
bool ds_ss_tmp_group(struct ds_ss_tmp *t, GError **err);
/* Number the rows kept by q's filter, sort and limit (ord). */
bool ds_ss_tmp_rank(struct ds_ss_tmp *t, const struct ds_sender_query *q,
    GError **err);
/*
 * Look up an IP: fill info (ip set); *gk may be set to a new group key
 * (caller g_free). False stops with err.
 */
typedef bool (*ds_ss_enrich_fn)(struct ds_ipinfo *info, char **gk,
    void *payload, GError **err);
/*
 * Call fn for every IP (kept_only: of the rows ranked) in key order,
 * with no statement pending, and store what it found.
 */
bool ds_ss_tmp_enrich(struct ds_ss_tmp *t, bool kept_only,
    ds_ss_enrich_fn fn, void *payload, GError **err);

/* store_senders_group.c */
struct ss_row *ds_ss_row_new(const char *key, const char *ip);
void ds_ss_row_free(gpointer p);
/* Make the lists and sets of a row that is kept (idempotent). */
void ds_ss_row_open(struct ss_row *r);
/* Group key of ip row r for group g (caller g_free; NULL: unknown). */
char *ds_ss_group_key(const struct ss_row *r, enum ds_group g);
/* The same for an enriched IP sender s. */
char *ds_ss_group_key_of(const struct ds_sender *s, enum ds_group g);
/*
 * A byte string that sorts (memcmp, shorter first) as ds_ss_row_cmp()
 * sorts keys: IPs and networks numerically, IPv4 first, AS numbers
 * numerically, other text bytewise, NULL last. Caller unrefs.
 */
GByteArray *ds_ss_sort_key(const char *key);
/* Does grouping by g need the enrichment of every IP first? */
bool ds_ss_group_by_info(enum ds_group g);
/* Add the totals and IP of IP row r into group row g. */
void ds_ss_row_merge(struct ss_row *g, const struct ss_row *r);
/* Then its enrichment (once enriched): kept while all IPs agree. */
void ds_ss_row_merge_info(struct ss_row *g, const struct ss_row *r);
/* Add one auth_results outcome (kind 0 DKIM, 1 SPF, 2 a reason type). */
void ds_ss_row_auth(struct ss_row *r, int kind, const char *domain,
    const char *selector, const char *result, int64_t messages);
/* Move sets into the sender's arrays and sort them. */
void ds_ss_row_finish(struct ss_row *r);
/* qsort-style compare of two struct ss_row ** for sort order o. */
int ds_ss_row_cmp(const struct ss_row *a, const struct ss_row *b,
    enum ds_sender_sort o);

#endif
