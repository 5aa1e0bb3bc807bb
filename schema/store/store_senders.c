/*
 * store_senders.c - "who sends as our domain" (SPEC section 4): the
 * senders of a period per source IP, enriched, grouped, filtered,
 * sorted. RFC 7489 section 4.2 (DMARC pass), appendix C (auth_results).
 * SPDX-License-Identifier: MIT
 *
 * Four reads of the period's records: the per-IP totals (index-only
 * through record_report_seq), the DKIM and the SPF auth_results (from
 * the JSON columns with json_each) and the reporters and header_from
 * domains; the last three only feed the rows that survive the filter
 * and the limit. THREATS #11: every statement is constant text, values
 * are bound.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

#define FROM_JOIN " FROM report AS rep" \
    " CROSS JOIN record AS rec ON rec.report_row = rep.id AND" \
    DS_SQL_REC_PERIOD("rec")
#define BOTH(head, tail) { head SS_WHERE_ALL tail, head SS_WHERE_DOM tail }

static const char *const sql_main[2] = BOTH(
    "SELECT rec.source_ip, count(*), count(DISTINCT rep.id),"
    " min(rep.begin_ts), max(rep.end_ts)," SS_SUMS FROM_JOIN,
    " GROUP BY rec.source_ip");

/*
 * One row per auth result; tallied in C (ds_ss_row_auth hashes them),
 * which is cheaper than sorting them for a GROUP BY.
 */
#define AUTH_SQL(col, sel, EACH) \
    "SELECT rec.source_ip, lower(j.value ->> 'domain'), j.value ->> '" sel \
    "', j.value ->> 'result', rec.count" FROM_JOIN \
    " CROSS JOIN" EACH("rec." col, "j")
/* [dialect: SQLite, PostgreSQL][domain filter] */
static const char *const sql_dkim[2][2] = {
	BOTH(AUTH_SQL("dkim_auth", "selector", DS_SQL_EACH), ""),
	BOTH(AUTH_SQL("dkim_auth", "selector", DS_SQL_EACH_PG), "")
};
static const char *const sql_spf[2][2] = {
	BOTH(AUTH_SQL("spf_auth", "scope", DS_SQL_EACH), ""),
	BOTH(AUTH_SQL("spf_auth", "scope", DS_SQL_EACH_PG), "")
};
/* the reporters' <reason> types (RFC 7489 appendix C), as result */
#define REASON_SQL(EACH) \
    "SELECT rec.source_ip, NULL, NULL," \
    " lower(trim(j.value ->> 'type')), rec.count" FROM_JOIN \
    " CROSS JOIN" EACH("rec.reasons", "j")
static const char *const sql_reason[2][2] = {
	BOTH(REASON_SQL(DS_SQL_EACH), " AND rec.reasons <> '[]'"),
	BOTH(REASON_SQL(DS_SQL_EACH_PG), " AND rec.reasons <> '[]'")
};

static const char *const sql_extra[2] = BOTH(
    "SELECT DISTINCT rec.source_ip, rep.id, rep.org_name,"
    " lower(rec.header_from)" FROM_JOIN, "");

static const char *const sql_ips[2] = BOTH(
    "SELECT DISTINCT rec.source_ip" FROM_JOIN, "");

/*
 * Seen before the period? One primary-key lookup in the sender_seen
 * rollup (006-speed.sql): the IP's first report midpoint, per domain.
 */
static const char *const sql_seen[2] = {
	"SELECT 1 FROM sender_seen WHERE source_ip = ?1"
	" AND first_mid < ?3 LIMIT 1",
	"SELECT 1 FROM sender_seen WHERE source_ip = ?1"
	" AND domain = ?2 AND first_mid < ?3 LIMIT 1",
};

/* See store_senders_priv.h. */
void
ds_ss_stmts_senders(GPtrArray *out)
{
	const char *const *all[] = { sql_main, sql_dkim[0], sql_spf[0],
	    sql_reason[0], sql_extra,
	    sql_ips, sql_seen };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(all); i++) {
		g_ptr_array_add(out, (gpointer)all[i][0]);
		g_ptr_array_add(out, (gpointer)all[i][1]);
	}
}

/* Everything of one senders query. */
struct ctx {
	struct ds_store *st;
	const struct ds_sender_query *q;
	GHashTable *byip;	/* hkey(ip) -> struct ss_row (owned) */
	GHashTable *groups;	/* hkey(key) -> struct ss_row, or NULL */
	GPtrArray *rows;	/* struct ss_row *, sorted (borrowed) */
};

/* Hash key of a string that may be NULL. */
static char *
hkey(const char *s)
{
	return s ? g_strconcat("i", s, NULL) : g_strdup("n");
}

/* The row that collects data for ip, if kept; else NULL. */
static struct ss_row *
target(struct ctx *c, const char *ip)
{
	struct ss_row *r;
	char *k = hkey(ip);

	r = g_hash_table_lookup(c->byip, k);
	g_free(k);
	if (r != NULL && r->group != NULL)
		r = r->group;
	return r != NULL && r->keep ? r : NULL;
}

static bool
read_main(struct ctx *c, GError **err)
{
	struct ds_dbq *s = NULL;
	struct ss_row *r;
	struct ds_sender *d;
	const char *ip;
	int rc;

	if (!ds_ss_prepare(c->st, sql_main, &c->q->period, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		ip = ds_dbq_text(s, 0);
		r = ds_ss_row_new(ip, ip);
		d = r->s;
		d->ips = 1;
		d->records = ds_dbq_int64(s, 1);
		d->reports = ds_dbq_int64(s, 2);
		d->first_seen = ds_dbq_int64(s, 3);
		d->last_seen = ds_dbq_int64(s, 4);
		ds_ss_sums(s, 5, &d->messages, &d->dmarc_pass, &d->dkim_pass,
		    &d->spf_pass, &d->disp);
		d->dmarc_fail = d->messages - d->dmarc_pass;
		d->is_new = true;
		g_hash_table_insert(c->byip, hkey(ip), r);
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: totals per IP");
	return true;
}

/* Move the enrichment of info into the sender (info is cleared). */
static void
take_info(struct ds_sender *d, struct ds_ipinfo *info)
{
	d->ptr = info->ptr;
	d->base_domain = info->base_domain;
	d->service = info->service;
	d->ptr_confirmed = info->ptr_confirmed;
	d->asn = info->asn;
	d->as_org = info->as_org;
	d->country = info->country;
	info->ptr = info->base_domain = info->service = NULL;
	info->as_org = info->country = NULL;
	ds_ipinfo_clear(info);
}

static bool
enrich(struct ctx *c, struct ss_row *r, GError **err)
{
	struct ds_ipinfo info;
	bool found;

	if (r->s->source_ip == NULL)
		return true;
	if (c->q->info == NULL) {
		if (!ds_store_ipinfo_get(c->st, r->s->source_ip, &info, &found,
		    err))
			return false;
	} else {
		ds_ipinfo_init(&info);
		info.ip = g_strdup(r->s->source_ip);
		if (!c->q->info(&info, c->q->info_payload, err)) {
			ds_ipinfo_clear(&info);
			return false;
		}
	}
	take_info(r->s, &info);
	return true;
}

static bool
seen_before(struct ctx *c, struct ds_dbq *s, struct ss_row *r, GError **err)
{
	int rc;

	if (r->s->source_ip == NULL)
		return true;
	ds_dbq_reset(s);
	ds_dbq_bind_text(s, 1, r->s->source_ip, -1);
	if (c->q->period.domain)
		ds_dbq_bind_text(s, 2, c->q->period.domain, -1);
	ds_dbq_bind_int64(s, 3, c->q->period.since);
	rc = ds_dbq_step(s, err);
	if (rc != DS_DB_ROW && rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: IP history");
	r->s->is_new = rc == DS_DB_DONE;
	return true;
}

static gint
row_cmp(gconstpointer a, gconstpointer b, gpointer o)
{
	return ds_ss_row_cmp(*(struct ss_row *const *)a,
	    *(struct ss_row *const *)b, *(const enum ds_sender_sort *)o);
}

static gint
ipkey_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
	enum ds_sender_sort o = DS_SORT_KEY;

	return row_cmp(a, b, &o);
}

/*
 * Date every IP row and, when grouping by something enrichment decides
 * (base domain, service, ASN, country), enrich it; IPs in order, so DNS and cache
 * writes are deterministic.
 */
static bool
prepare_ips(struct ctx *c, GPtrArray *ips, GError **err)
{
	const struct ds_sender_query *q = c->q;
	struct ds_dbq *seen = NULL;
	bool ok = false, early;
	guint i;

	early = ds_ss_group_by_info(q->group);
	if (q->period.since != INT64_MIN && (seen = ds_store_prepare(c->st,
	    sql_seen[q->period.domain != NULL], "senders: prepare IP history",
	    err)) == NULL)
		goto done;
	for (i = 0; i < ips->len; i++) {
		struct ss_row *r = ips->pdata[i];

		if ((early && !enrich(c, r, err)) ||
		    (seen != NULL && !seen_before(c, seen, r, err)))
			goto done;
	}
	ok = true;
done:
	ds_dbq_finalize(seen);
	return ok;
}

/* Put IP row r into its group (created on first use). */
static void
group_add(struct ctx *c, struct ss_row *r)
{
	struct ss_row *g;
	char *key, *k;

	key = ds_ss_group_key(r, c->q->group);
	k = hkey(key);
	if ((g = g_hash_table_lookup(c->groups, k)) == NULL) {
		g = ds_ss_row_new(key, NULL);
		g->reports = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, NULL);
		g_hash_table_insert(c->groups, k, g);
	} else {
		g_free(k);
	}
	g_free(key);
	r->group = g;
}

/*
 * Build the groups and the sorted, filtered, limited list of rows to
 * fill. Sorting and filtering need counts only, so unless the grouping
 * itself needs enrichment (prepare_ips), only the IPs of kept rows are
 * enriched: a --limit saves the lookups of the rest.
 */
static bool
build_rows(struct ctx *c, GError **err)
{
	const struct ds_sender_query *q = c->q;
	GPtrArray *ips = ds_ss_values(c->byip);
	GPtrArray *all = ips;
	struct ss_row *r, *t;
	bool ok = false, early;
	guint i;

	early = ds_ss_group_by_info(q->group);
	g_ptr_array_sort_with_data(ips, ipkey_cmp, NULL);
	if (!prepare_ips(c, ips, err))
		goto done;
	if (q->group != DS_GROUP_IP) {
		c->groups = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, ds_ss_row_free);
		for (i = 0; i < ips->len; i++) {
			r = ips->pdata[i];
			group_add(c, r);
			ds_ss_row_merge(r->group, r);
		}
		all = ds_ss_values(c->groups);
	}
	for (i = 0; i < all->len; i++) {
		r = all->pdata[i];
		if ((q->failing && r->s->dmarc_fail == 0) ||
		    (q->only_new && !r->s->is_new))
			continue;
		g_ptr_array_add(c->rows, r);
	}
	g_ptr_array_sort_with_data(c->rows, row_cmp, (gpointer)&q->sort);
	if (q->period.limit && c->rows->len > q->period.limit)
		g_ptr_array_set_size(c->rows, q->period.limit);
	for (i = 0; i < c->rows->len; i++) {
		r = c->rows->pdata[i];
		r->keep = true;
		ds_ss_row_open(r);
	}
	for (i = 0; i < ips->len; i++) {
		r = ips->pdata[i];
		t = r->group ? r->group : r;
		if (!t->keep)
			continue;
		if (!early && !enrich(c, r, err))
			goto done;
		if (r->group)
			ds_ss_row_merge_info(r->group, r);
	}
	ok = true;
done:
	if (all != ips)
		g_ptr_array_unref(all);
	g_ptr_array_unref(ips);
	return ok;
}

static bool
read_auth(struct ctx *c, int kind, GError **err)
{
	struct ds_dbq *s = NULL;
	struct ss_row *r;
	int rc;

	if (!ds_ss_prepare(c->st, (kind == 2 ? sql_reason : kind ? sql_spf :
	    sql_dkim)[DS_SQL_PG(c->st)], &c->q->period, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		if ((r = target(c, ds_dbq_text(s, 0)))
		    == NULL)
			continue;
		ds_ss_row_auth(r, kind,
		    ds_dbq_text(s, 1),
		    ds_dbq_text(s, 2),
		    ds_dbq_text(s, 3), ds_ss_int(s, 4));
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: %s results",
		    kind == 2 ? "reason" : kind ? "SPF" : "DKIM");
	return true;
}

static void
set_add(GHashTable *set, const char *s)
{
	if (s != NULL && !g_hash_table_contains(set, s))
		g_hash_table_add(set, g_strdup(s));
}

static bool
read_extra(struct ctx *c, GError **err)
{
	struct ds_dbq *s = NULL;
	struct ss_row *r;
	int64_t id;
	int rc;

	if (!ds_ss_prepare(c->st, sql_extra, &c->q->period, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		if ((r = target(c, ds_dbq_text(s, 0)))
		    == NULL)
			continue;
		set_add(r->reporters, ds_dbq_text(s, 2));
		set_add(r->hfrom, ds_dbq_text(s, 3));
		id = ds_dbq_int64(s, 1);
		if (r->reports && !g_hash_table_contains(r->reports, &id))
			g_hash_table_add(r->reports, g_memdup2(&id,
			    sizeof(id)));
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: reporters");
	return true;
}

/*
 * See store_senders.h. Statements are finalized before q->info runs.
 * DS_ERROR_DB, or whatever q->info sets.
 */
bool
ds_store_senders(struct ds_store *st, const struct ds_sender_query *q,
    GPtrArray **out, GError **err)
{
	struct ctx c = { .st = st, .q = q };
	struct ss_row *r;
	bool ok = false;
	guint i;

	*out = NULL;
	c.byip = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    ds_ss_row_free);
	c.rows = g_ptr_array_new();
	if (!read_main(&c, err) || !build_rows(&c, err) ||
	    !read_auth(&c, 0, err) || !read_auth(&c, 1, err) ||
	    !read_auth(&c, 2, err) || !read_extra(&c, err))
		goto done;
	*out = g_ptr_array_new_full(c.rows->len,
	    (GDestroyNotify)ds_sender_free);
	for (i = 0; i < c.rows->len; i++) {
		r = c.rows->pdata[i];
		ds_ss_row_finish(r);
		g_ptr_array_add(*out, r->s);
		r->s = NULL;
	}
	ok = true;
done:
	g_ptr_array_unref(c.rows);
	if (c.groups)
		g_hash_table_destroy(c.groups);
	g_hash_table_destroy(c.byip);
	return ok;
}

/* See store_senders.h: every IP, no filter, most messages first. */
void
ds_sender_query_init(struct ds_sender_query *q)
{
	memset(q, 0, sizeof(*q));
	ds_query_init(&q->period);
	q->group = DS_GROUP_IP;
	q->sort = DS_SORT_MESSAGES;
}

/* See store_senders.h. */
void
ds_sender_free(struct ds_sender *s)
{
	if (s == NULL)
		return;
	g_free(s->key);
	g_free(s->source_ip);
	if (s->dkim)	/* NULL in rows never kept (ds_ss_row_open) */
		g_array_unref(s->dkim);
	if (s->spf)
		g_array_unref(s->spf);
	if (s->reasons)
		g_array_unref(s->reasons);
	if (s->reporters)
		g_ptr_array_unref(s->reporters);
	if (s->header_from)
		g_ptr_array_unref(s->header_from);
	if (s->ip_list)
		g_ptr_array_unref(s->ip_list);
	g_free(s->ptr);
	g_free(s->base_domain);
	g_free(s->service);
	g_free(s->as_org);
	g_free(s->country);
	g_free(s);
}

/*
 * See store_senders.h. NULL source IPs (a record without one) are not
 * passed to cb. DS_ERROR_DB.
 */
bool
ds_store_sender_ips_each(struct ds_store *st, const struct ds_query *q,
    ds_ip_cb cb, void *payload, GError **err)
{
	struct ds_dbq *s = NULL;
	const char *ip;
	int rc;

	if (!ds_ss_prepare(st, sql_ips, q, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		ip = ds_dbq_text(s, 0);
		if (ip != NULL && !cb(ip, payload)) {
			rc = DS_DB_DONE;
			break;
		}
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(st, err, "senders: list IPs");
	return true;
}
