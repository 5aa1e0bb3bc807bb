/*
 * store_senders.c - "who sends as our domain" (SPEC section 4): the
 * senders of a period per source IP, enriched, grouped, filtered,
 * sorted. RFC 7489 section 4.2 (DMARC pass), appendix C (auth_results).
 * SPDX-License-Identifier: MIT
 *
 * Bounded memory whatever the number of IPs (issue 20): the per-IP
 * totals go into the TEMP table ds_ss_ip, the rows (IPs or groups) into
 * ds_ss_row (store_senders_tmp.c), where SQL filters, sorts and limits
 * them; the kept rows are then streamed in their order, each merged
 * from ordered reads of its enrichment, its DKIM and SPF auth_results,
 * reasons, reporters and header_from domains. Only one row is in
 * memory at a time. Every read is of the period's rollups, never the
 * raw records, so that prune --raw-older-than changes no answer.
 * THREATS #11: every statement is constant text, values are bound.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"
#include "schema/store/store_perip.h"

/*
 * Every statement reads the rollups (store_perip.h), bound by
 * ds_roll_prepare(): per-IP totals from day_rollup, reports and
 * reporters from day_ip joined to the reports, auth_results outcomes
 * and reason types from day_auth. '' in a rollup is an absent value
 * (018-perip.sql): NULLIF gives the NULL the callers know, and it is
 * the absent IP's ipk in ds_ss_ip. "r" is day_rollup (DS_ROLL_DAYS),
 * "w" the working row of ds_ss_row.
 */
#define BOTH(head, where, tail) { head " WHERE" where tail, \
    head " WHERE" DS_ROLL_DOM where tail }
#define BOTH_REP(head, t, tail) { head " WHERE" DS_ROLL_REPS("rep", t) \
    tail, head " WHERE" DS_ROLL_REPS_DOM("rep", t) tail }
#define FROM_IP " FROM report AS rep" \
    " CROSS JOIN day_ip AS d ON d.report_row = rep.id"
#define FROM_AUTH " FROM report AS rep" \
    " CROSS JOIN day_auth AS a ON a.report_row = rep.id"
/* a rollup row's IP, then its working IP and row (store_senders_tmp.c) */
#define TO_IP(t) " CROSS JOIN ds_ss_ip AS p ON p.ipk = " t ".source_ip"
#define TO_ROW(t) TO_IP(t) " CROSS JOIN ds_ss_row AS w ON w.gk = p.gk"
#define KEPT " AND w.ord IS NOT NULL"

/* per IP: records, reports, first and last seen, then SS_SUMS' sums */
#define MAIN_REPS(where) \
    " LEFT JOIN (SELECT d.source_ip AS ip, count(DISTINCT rep.id) AS n," \
    " min(rep.begin_ts) AS b, max(rep.end_ts) AS e" FROM_IP " WHERE" \
    where " GROUP BY d.source_ip) AS x ON x.ip = t.ip"
#define MAIN_TOT(where) \
    "SELECT NULLIF(t.ip, ''), t.records, coalesce(x.n, 0)," \
    " coalesce(x.b, 0), coalesce(x.e, 0), t.s1, t.s2, t.s3, t.s4, t.s5," \
    " t.s6, t.s7, t.s8 FROM (SELECT r.source_ip AS ip," \
    " csum(r.records) AS records, " \
    " csum(r.messages) AS s1," \
    " csum(CASE WHEN r.dkim = 'pass' OR r.spf = 'pass' THEN r.messages" \
    " END) AS s2," \
    " csum(CASE WHEN r.dkim = 'pass' THEN r.messages END) AS s3," \
    " csum(CASE WHEN r.spf = 'pass' THEN r.messages END) AS s4," \
    " csum(CASE WHEN r.disposition = 'none' THEN r.messages END) AS s5," \
    " csum(CASE WHEN r.disposition = 'quarantine' THEN r.messages END)" \
    " AS s6," \
    " csum(CASE WHEN r.disposition = 'reject' THEN r.messages END) AS s7," \
    " csum(CASE WHEN r.disposition = 'pass' THEN r.messages END) AS s8" \
    " FROM day_rollup AS r WHERE" where " GROUP BY r.source_ip) AS t"
static const char *const sql_main[2] = {
	MAIN_TOT(DS_ROLL_DAYS) MAIN_REPS(DS_ROLL_REPS("rep", "d")),
	MAIN_TOT(DS_ROLL_DOM DS_ROLL_DAYS)
	    MAIN_REPS(DS_ROLL_REPS_DOM("rep", "d"))
};

/*
 * One row per rollup row of a kept row, in row order; tallied in C
 * (ds_ss_row_auth hashes them), kind 0 DKIM, 1 SPF, 2 the reporters'
 * <reason> types (RFC 7489 appendix C) in result.
 */
#define AUTH_SQL(kind) BOTH_REP( \
    "SELECT w.ord, NULLIF(a.auth_domain, ''), NULLIF(a.selector, '')," \
    " NULLIF(a.result, ''), a.messages" FROM_AUTH TO_ROW("a"), \
    "a", " AND a.kind = " kind KEPT " ORDER BY w.ord")
static const char *const sql_dkim[2] = AUTH_SQL("0");
static const char *const sql_spf[2] = AUTH_SQL("1");
static const char *const sql_reason[2] = AUTH_SQL("2");

/* the reporters of each kept row, then its header_from domains */
#define EXTRA_ORG(where) \
    "SELECT DISTINCT w.ord, rep.org_name, CAST(NULL AS TEXT)" FROM_IP \
    TO_ROW("d") " WHERE" where KEPT
#define EXTRA_HF(where) \
    " UNION ALL SELECT DISTINCT w.ord, CAST(NULL AS TEXT)," \
    " NULLIF(r.header_from, '') FROM day_rollup AS r" TO_ROW("r") \
    " WHERE" where KEPT " ORDER BY 1"
static const char *const sql_extra[2] = {
	EXTRA_ORG(DS_ROLL_REPS("rep", "d")) EXTRA_HF(DS_ROLL_DAYS),
	EXTRA_ORG(DS_ROLL_REPS_DOM("rep", "d"))
	    EXTRA_HF(DS_ROLL_DOM DS_ROLL_DAYS)
};

/* distinct reports of each group (an IP row has its own count) */
static const char *const sql_reports[2] = BOTH_REP(
    "SELECT p.gk, count(DISTINCT rep.id)" FROM_IP TO_IP("d"), "d",
    " GROUP BY p.gk");
static const char *const sql_set_reports =
    "UPDATE ds_ss_row SET reports = ?2 WHERE gk = ?1";

/* the kept rows in order, and the IPs (with enrichment) of each */
static const char *const sql_rows =
    "SELECT ord, gk, ips, records, reports, first_seen, last_seen,"
    " messages, pass, fail, dkim, spf, dn, dq, dr, dp, is_new, source_ip"
    " FROM ds_ss_row WHERE ord IS NOT NULL ORDER BY ord";
static const char *const sql_row_ips =
    "SELECT r.ord, p.ip, p.ptr, p.conf, p.base, p.service, p.asn,"
    " p.as_org, p.country FROM ds_ss_row AS r CROSS JOIN ds_ss_ip AS p"
    " ON p.gk = r.gk WHERE r.ord IS NOT NULL ORDER BY r.ord, p.skey";

static const char *const sql_ips[2] = BOTH(
    "SELECT DISTINCT r.source_ip FROM day_rollup AS r",
    DS_ROLL_DAYS " AND r.source_ip <> ''", "");

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
	const char *const *all[] = { sql_main, sql_dkim, sql_spf,
	    sql_reason, sql_extra, sql_reports, sql_ips, sql_seen };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(all); i++) {
		g_ptr_array_add(out, (gpointer)all[i][0]);
		g_ptr_array_add(out, (gpointer)all[i][1]);
	}
	g_ptr_array_add(out, (gpointer)sql_set_reports);
	g_ptr_array_add(out, (gpointer)sql_rows);
	g_ptr_array_add(out, (gpointer)sql_row_ips);
	ds_ss_stmts_tmp(out);
}

/* Everything of one senders query. */
struct ctx {
	struct ds_store *st;
	const struct ds_sender_query *q;
	struct ds_ss_tmp t;
	struct ds_dbq *seen;	/* sql_seen, or NULL without since */
	bool tx;		/* batch() began a transaction */
};

/*
 * The working tables are written in one transaction per phase, not one
 * per row (200,000 single-row commits cost more than the queries). Not
 * across the lookups: q->info may write the ip_info cache, and a
 * deferred SQLite transaction that read before another connection's
 * commit cannot write. Nothing when the caller has a transaction open.
 */
static bool
batch(struct ctx *c, bool begin, GError **err)
{
	if (begin) {
		if (ds_db_in_tx(c->st->db))
			return true;
		if (!ds_store_exec(c->st, "BEGIN", "senders: begin", err))
			return false;
		c->tx = true;
		return true;
	}
	if (!c->tx)
		return true;
	c->tx = false;
	return ds_store_exec(c->st, "COMMIT", "senders: commit", err);
}

/* Hash key of a string that may be NULL: the group key gk. */
static char *
hkey(const char *s)
{
	return s ? g_strconcat("i", s, NULL) : g_strdup("n");
}

static bool
seen_before(struct ctx *c, const char *ip, bool *is_new, GError **err)
{
	struct ds_dbq *s = c->seen;
	int rc;

	if (s == NULL || ip == NULL)
		return true;
	ds_dbq_reset(s);
	ds_dbq_bind_text(s, 1, ip, -1);
	if (c->q->period.domain)
		ds_dbq_bind_text(s, 2, c->q->period.domain, -1);
	ds_dbq_bind_int64(s, 3, c->q->period.since);
	rc = ds_dbq_step(s, err);
	ds_dbq_reset(s);
	if (rc != DS_DB_ROW && rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: IP history");
	*is_new = rc == DS_DB_DONE;
	return true;
}

/*
 * The per-IP totals of the period into ds_ss_ip, each dated (new since
 * q->since?) and keyed by its group when the grouping needs no
 * enrichment (IP, network); the others are keyed once looked up.
 */
static bool
fill_ips(struct ctx *c, GError **err)
{
	struct ds_dbq *s = NULL;
	struct ds_sender d;
	char *key, *gk;
	bool ok;
	int rc;

	if (!ds_roll_prepare(c->st, sql_main[c->q->period.domain != NULL],
	    &c->q->period, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		memset(&d, 0, sizeof(d));
		d.source_ip = (char *)ds_dbq_text(s, 0);
		d.ips = 1;
		d.records = ds_dbq_int64(s, 1);
		d.reports = ds_dbq_int64(s, 2);
		d.first_seen = ds_dbq_int64(s, 3);
		d.last_seen = ds_dbq_int64(s, 4);
		ds_ss_sums(s, 5, &d.messages, &d.dmarc_pass, &d.dkim_pass,
		    &d.spf_pass, &d.disp);
		d.dmarc_fail = d.messages - d.dmarc_pass;
		d.is_new = true;
		key = ds_ss_group_by_info(c->q->group) ? NULL :
		    ds_ss_group_key_of(&d, c->q->group);
		gk = hkey(key);
		ok = seen_before(c, d.source_ip, &d.is_new, err) &&
		    ds_ss_tmp_add_ip(&c->t, &d, gk, err);
		g_free(key);
		g_free(gk);
		if (!ok) {
			ds_dbq_finalize(s);
			return false;
		}
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: totals per IP");
	return true;
}

/* A ds_ss_enrich_fn: q->info, or the cache as it is; the group key. */
static bool
enrich_ip(struct ds_ipinfo *info, char **gk, void *payload, GError **err)
{
	struct ctx *c = payload;
	struct ds_ipinfo got;
	struct ds_sender v;
	bool found;
	char *key;

	if (c->q->info != NULL) {
		if (!c->q->info(info, c->q->info_payload, err))
			return false;
	} else {
		if (!ds_store_ipinfo_get(c->st, info->ip, &got, &found, err))
			return false;
		ds_ipinfo_clear(info);
		*info = got;
	}
	if (!ds_ss_group_by_info(c->q->group))
		return true;
	memset(&v, 0, sizeof(v));
	v.source_ip = info->ip;
	v.base_domain = info->base_domain;
	v.service = info->service;
	v.asn = info->asn;
	v.country = info->country;
	key = ds_ss_group_key_of(&v, c->q->group);
	*gk = hkey(key);
	g_free(key);
	return true;
}

/* Distinct reports per group (an IP row counted its own). */
static bool
group_reports(struct ctx *c, GError **err)
{
	struct ds_dbq *s = NULL, *up;
	bool ok = true;
	int rc;

	if (c->q->group == DS_GROUP_IP)
		return true;
	if ((up = ds_store_prepare(c->st, sql_set_reports,
	    "senders: prepare group reports", err)) == NULL)
		return false;
	if (!ds_roll_prepare(c->st, sql_reports[c->q->period.domain != NULL],
	    &c->q->period, &s, err)) {
		ds_dbq_finalize(up);
		return false;
	}
	while (ok && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		ds_dbq_reset(up);
		ds_dbq_bind_text(up, 1, ds_dbq_text(s, 0), -1);
		ds_dbq_bind_int64(up, 2, ds_dbq_int64(s, 1));
		ok = ds_store_step_done(c->st, up, "senders: group reports",
		    err);
	}
	ds_dbq_finalize(s);
	ds_dbq_finalize(up);
	if (ok && rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "senders: group reports");
	return ok;
}

/* One ordered read of the merge: the row it stands on, if any. */
struct cur {
	struct ds_dbq *s;
	int rc;
};

static bool
cur_open(struct ctx *c, struct cur *k, const char *const sql[2],
    GError **err)
{
	if (sql[1] == NULL) {
		if ((k->s = ds_store_prepare(c->st, sql[0],
		    "senders: prepare rows", err)) == NULL)
			return false;
	} else if (!ds_roll_prepare(c->st, sql[c->q->period.domain != NULL],
	    &c->q->period, &k->s, err))
		return false;
	k->rc = ds_dbq_step(k->s, err);
	return k->rc != DS_DB_FAIL;
}

/* Does k stand on a row of ord? */
static bool
cur_at(struct cur *k, int64_t ord)
{
	return k->rc == DS_DB_ROW && ds_dbq_int64(k->s, 0) == ord;
}

static bool
cur_next(struct cur *k, GError **err)
{
	k->rc = ds_dbq_step(k->s, err);
	return k->rc != DS_DB_FAIL;
}

enum { K_ROWS, K_IPS, K_DKIM, K_SPF, K_REASON, K_EXTRA, K_COUNT };

static void
set_add(GHashTable *set, const char *s)
{
	if (s != NULL && !g_hash_table_contains(set, s))
		g_hash_table_add(set, g_strdup(s));
}

/* The row k[K_ROWS] stands on, with everything of it from the others. */
static bool
build_row(struct cur *k, struct ds_sender **out, GError **err)
{
	struct ds_dbq *s = k[K_ROWS].s;
	int64_t ord = ds_dbq_int64(s, 0);
	const char *gk = ds_dbq_text(s, 1);
	struct ss_row *r = ds_ss_row_new(gk[0] == 'i' ? gk + 1 : NULL, NULL);
	struct ds_sender *d = r->s, v;
	struct ss_row tr;
	int kind;

	d->ips = ds_ss_int(s, 2);
	d->records = ds_ss_int(s, 3);
	d->reports = ds_ss_int(s, 4);
	d->first_seen = ds_dbq_int64(s, 5);
	d->last_seen = ds_dbq_int64(s, 6);
	d->messages = ds_ss_int(s, 7);
	d->dmarc_pass = ds_ss_int(s, 8);
	d->dmarc_fail = ds_ss_int(s, 9);
	d->dkim_pass = ds_ss_int(s, 10);
	d->spf_pass = ds_ss_int(s, 11);
	d->disp.none = ds_ss_int(s, 12);
	d->disp.quarantine = ds_ss_int(s, 13);
	d->disp.reject = ds_ss_int(s, 14);
	d->disp.pass = ds_ss_int(s, 15);
	d->disp.other = d->messages - MIN(d->messages, ds_ss_add(
	    ds_ss_add(d->disp.none, d->disp.quarantine),
	    ds_ss_add(d->disp.reject, d->disp.pass)));
	d->is_new = ds_dbq_int64(s, 16) != 0;
	d->source_ip = ds_ss_col(s, 17);
	d->ip_list = g_ptr_array_new_with_free_func(g_free);
	ds_ss_row_open(r);
	for (s = k[K_IPS].s; cur_at(&k[K_IPS], ord);) {
		memset(&v, 0, sizeof(v));
		memset(&tr, 0, sizeof(tr));
		tr.s = &v;
		v.ptr = (char *)ds_dbq_text(s, 2);
		v.ptr_confirmed = (int)ds_dbq_int64(s, 3);
		v.base_domain = (char *)ds_dbq_text(s, 4);
		v.service = (char *)ds_dbq_text(s, 5);
		v.asn = ds_dbq_int64(s, 6);
		v.as_org = (char *)ds_dbq_text(s, 7);
		v.country = (char *)ds_dbq_text(s, 8);
		ds_ss_row_merge_info(r, &tr);
		if (ds_dbq_text(s, 1) != NULL)
			g_ptr_array_add(d->ip_list, ds_ss_col(s, 1));
		if (!cur_next(&k[K_IPS], err))
			goto fail;
	}
	for (kind = 0; kind < 3; kind++)
		for (s = k[K_DKIM + kind].s; cur_at(&k[K_DKIM + kind], ord);) {
			ds_ss_row_auth(r, kind, ds_dbq_text(s, 1),
			    ds_dbq_text(s, 2), ds_dbq_text(s, 3),
			    ds_ss_int(s, 4));
			if (!cur_next(&k[K_DKIM + kind], err))
				goto fail;
		}
	for (s = k[K_EXTRA].s; cur_at(&k[K_EXTRA], ord);) {
		set_add(r->reporters, ds_dbq_text(s, 1));
		set_add(r->hfrom, ds_dbq_text(s, 2));
		if (!cur_next(&k[K_EXTRA], err))
			goto fail;
	}
	ds_ss_row_finish(r);
	*out = r->s;
	r->s = NULL;
	ds_ss_row_free(r);
	return true;
fail:
	ds_ss_row_free(r);
	return false;
}

/* The kept rows in order, each handed (owned) to take. */
typedef ds_sender_take_cb take_fn;

static bool
stream_rows(struct ctx *c, take_fn take, void *payload, GError **err)
{
	const char *const rows[2] = { sql_rows, NULL };
	const char *const ips[2] = { sql_row_ips, NULL };
	struct cur k[K_COUNT];
	struct ds_sender *d;
	bool ok = false;
	int i;

	memset(k, 0, sizeof(k));
	if (!cur_open(c, &k[K_ROWS], rows, err) ||
	    !cur_open(c, &k[K_IPS], ips, err) ||
	    !cur_open(c, &k[K_DKIM], sql_dkim, err) ||
	    (!c->q->dkim_only &&
	    (!cur_open(c, &k[K_SPF], sql_spf, err) ||
	    !cur_open(c, &k[K_REASON], sql_reason, err) ||
	    !cur_open(c, &k[K_EXTRA], sql_extra, err))))
		goto done;
	while (k[K_ROWS].rc == DS_DB_ROW) {
		if (!build_row(k, &d, err))
			goto done;
		if (!take(d, payload)) {
			ok = true;
			goto done;
		}
		if (!cur_next(&k[K_ROWS], err))
			goto done;
	}
	ok = true;
done:
	for (i = 0; i < K_COUNT; i++)
		ds_dbq_finalize(k[i].s);
	if (!ok && err != NULL && *err == NULL)
		ds_store_fail(c->st, err, "senders: rows");
	return ok;
}

/*
 * The whole query: IPs into ds_ss_ip (enriched first when the grouping
 * needs it), rows into ds_ss_row, ranked, the kept IPs enriched (only
 * those: a --limit saves the lookups of the rest), then streamed.
 */
static bool
walk(struct ds_store *st, const struct ds_sender_query *q, take_fn take,
    void *payload, GError **err)
{
	struct ctx c = { .st = st, .q = q };
	bool early = ds_ss_group_by_info(q->group), ok = false;

	if (!ds_ss_tmp_create(&c.t, st, err))
		goto done;
	if (q->period.since != INT64_MIN && (c.seen = ds_store_prepare(st,
	    sql_seen[q->period.domain != NULL], "senders: prepare IP history",
	    err)) == NULL)
		goto done;
	if (!batch(&c, true, err) || !fill_ips(&c, err) ||
	    !batch(&c, false, err))
		goto done;
	ds_dbq_finalize(c.seen);
	c.seen = NULL;
	if ((early && !ds_ss_tmp_enrich(&c.t, false, enrich_ip, &c, err)) ||
	    !batch(&c, true, err) ||
	    !ds_ss_tmp_group(&c.t, err) || !group_reports(&c, err) ||
	    !ds_ss_tmp_rank(&c.t, q, err) || !batch(&c, false, err) ||
	    (!early && !ds_ss_tmp_enrich(&c.t, true, enrich_ip, &c, err)))
		goto done;
	ok = stream_rows(&c, take, payload, err);
done:
	ds_dbq_finalize(c.seen);
	if (c.tx)
		(void)ds_db_exec(st->db, "ROLLBACK", NULL);
	ds_ss_tmp_drop(&c.t);
	return ok;
}

struct each {
	ds_sender_cb cb;
	void *payload;
};

static bool
take_each(struct ds_sender *s, void *payload)
{
	struct each *e = payload;
	bool go = e->cb(s, e->payload);

	ds_sender_free(s);
	return go;
}

/* See store_senders.h. DS_ERROR_DB, or whatever q->info sets. */
bool
ds_store_senders_each(struct ds_store *st, const struct ds_sender_query *q,
    ds_sender_cb cb, void *payload, GError **err)
{
	struct each e = { cb, payload };

	return walk(st, q, take_each, &e, err);
}

/* See store_senders.h. */
bool
ds_store_senders_take(struct ds_store *st, const struct ds_sender_query *q,
    ds_sender_take_cb cb, void *payload, GError **err)
{
	return walk(st, q, cb, payload, err);
}

static bool
take_array(struct ds_sender *s, void *payload)
{
	g_ptr_array_add(payload, s);
	return true;
}

/*
 * See store_senders.h: ds_store_senders_each() into an array, for
 * callers whose rows are few (a --limit, tests).
 */
bool
ds_store_senders(struct ds_store *st, const struct ds_sender_query *q,
    GPtrArray **out, GError **err)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ds_sender_free);

	*out = NULL;
	if (!walk(st, q, take_array, a, err)) {
		g_ptr_array_unref(a);
		return false;
	}
	*out = a;
	return true;
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

	if (!ds_roll_prepare(st, sql_ips[q->domain != NULL], q, &s, err))
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
