/*
 * store_summary.c - per policy domain summaries of a period and the
 * daily series (store_senders.h): messages, DMARC, DKIM and SPF passes
 * (RFC 7489 section 4.2, policy_evaluated), dispositions, the published
 * policies seen (policy_published), reports, reporters, days without a
 * report.
 * SPDX-License-Identifier: MIT
 *
 * Four constant queries per summary, each one index range search over
 * the period's reports (report_domain_mid / report_mid) and, for the
 * counts, the covering index of their records (record_report_seq);
 * merged here by lower-cased domain (grouping by lower(domain) also
 * keeps the planner from walking a whole domain index for the order). THREATS #11: values are bound.
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"
#include "schema/store/store_summary_roll.h"

/* days kept in a summary's missing_days or a daily series at most */
#define MAX_DAYS 36600
#define EMPTY_DAYS 3660	/* empty days in a daily series: ten years */

#define BOTH(head, tail) { head SS_WHERE_ALL tail, head SS_WHERE_DOM tail }
#define FROM_JOIN " FROM report AS rep" \
    " CROSS JOIN record AS rec ON rec.report_row = rep.id AND" \
    DS_SQL_REC_PERIOD("rec")

static const char *const sql_reports[2] = BOTH(
    "SELECT lower(rep.domain), count(*), count(DISTINCT rep.org_name),"
    " min(rep.begin_ts), max(rep.end_ts), min(" SS_MID "), max(" SS_MID ")"
    " FROM report AS rep", " GROUP BY 1");


/*
 * Published policies with the defaults filled in (RFC 7489 section
 * 6.3: sp = p, adkim = aspf = r, pct = 100; RFC 9990: t = n), so that
 * reporters that omit a default do not look like a policy change. np
 * stays NULL when absent (RFC 7489 reports cannot carry it); row_policy
 * merges it.
 */
static const char *const sql_policies[2] = BOTH(
    "SELECT lower(rep.domain), lower(rep.p), coalesce(lower(rep.sp),"
    " lower(rep.p)), lower(rep.np), coalesce(lower(rep.adkim), 'r'),"
    " coalesce(lower(rep.aspf), 'r'), coalesce(rep.pct, 100),"
    " coalesce(lower(rep.testing), 'n'), min(rep.begin_ts),"
    " max(rep.end_ts), count(*) FROM report AS rep",
    " GROUP BY 1, 2, 3, 4, 5, 6, 7, 8 ORDER BY 9, 10");

static const char *const sql_days[2] = BOTH(
    "SELECT DISTINCT lower(rep.domain), " SS_DAY " FROM report AS rep",
    "");

/* reports by their midpoint's day; the sums come from the rollups */
static const char *const sql_daily[2] = BOTH(
    "SELECT " SS_DAY ", count(*) FROM report AS rep",
    " GROUP BY 1 ORDER BY 1");

/* See store_senders_priv.h. */
void
ds_ss_stmts_summary(GPtrArray *out)
{
	const char *const *all[] = { sql_reports, sql_policies,
	    sql_days, sql_daily };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(all); i++) {
		g_ptr_array_add(out, (gpointer)all[i][0]);
		g_ptr_array_add(out, (gpointer)all[i][1]);
	}
}

static void
policy_clear(gpointer p)
{
	struct ds_policy_seen *s = p;

	g_free(s->p);
	g_free(s->sp);
	g_free(s->np);
	g_free(s->adkim);
	g_free(s->aspf);
	g_free(s->testing);
}

static void
summary_free(gpointer p)
{
	struct ds_domain_summary *s = p;

	g_free(s->domain);
	g_array_unref(s->missing_days);
	g_array_unref(s->policies);
	g_free(s);
}

static struct ds_domain_summary *
summary_new(const char *domain)
{
	struct ds_domain_summary *s = g_new0(struct ds_domain_summary, 1);

	s->domain = g_strdup(domain);
	s->missing_days = g_array_new(FALSE, FALSE, sizeof(int64_t));
	s->policies = g_array_new(FALSE, TRUE, sizeof(struct ds_policy_seen));
	g_array_set_clear_func(s->policies, policy_clear);
	return s;
}

/* Everything of one summary run. */
struct ctx {
	struct ds_store *st;
	const struct ds_query *q;
	GHashTable *by;		/* lower-case domain -> summary (owned) */
	GHashTable *days;	/* summary -> set of int64_t days with a
				   report */
	GHashTable *mid;	/* domain -> int64_t[2] min and max mid */
};

static struct ds_domain_summary *
lookup(struct ctx *c, struct ds_dbq *s)
{
	const char *d = ds_dbq_text(s, 0);
	struct ds_domain_summary *r;
	char *k;

	if (d == NULL)
		return NULL;
	k = g_ascii_strdown(d, -1);
	r = g_hash_table_lookup(c->by, k);
	g_free(k);
	return r;
}

static void
row_reports(struct ctx *c, struct ds_dbq *s)
{
	const char *d = ds_dbq_text(s, 0);
	struct ds_domain_summary *r;
	int64_t *mid;

	if (d == NULL)
		return;
	r = summary_new(NULL);
	r->domain = g_ascii_strdown(d, -1);
	r->reports = ds_dbq_int64(s, 1);
	r->reporters = ds_dbq_int64(s, 2);
	r->first_report = ds_dbq_int64(s, 3);
	r->last_report = ds_dbq_int64(s, 4);
	mid = g_new(int64_t, 2);
	mid[0] = ds_dbq_int64(s, 5);
	mid[1] = ds_dbq_int64(s, 6);
	g_hash_table_insert(c->mid, r, mid);
	g_hash_table_insert(c->by, g_strdup(r->domain), r);
}

/* The sums of a domain's days (day rollups, store_summary_roll.c). */
static void
row_records(const struct ds_roll_sums *s, void *payload)
{
	struct ctx *c = payload;
	struct ds_domain_summary *r = g_hash_table_lookup(c->by, s->domain);

	if (r == NULL)
		return;
	r->records = s->records;
	r->ips = s->ips;
	r->messages = s->messages;
	r->dmarc_pass = s->dmarc_pass;
	r->dkim_pass = s->dkim_pass;
	r->spf_pass = s->spf_pass;
	r->disp = s->disp;
	r->dmarc_fail = r->messages - r->dmarc_pass;
}

/* Equal, where an absent np matches any np. */
static bool
same_policy(const struct ds_policy_seen *a, const struct ds_policy_seen *b)
{
	return g_strcmp0(a->p, b->p) == 0 && g_strcmp0(a->sp, b->sp) == 0 &&
	    (a->np == NULL || b->np == NULL || strcmp(a->np, b->np) == 0) &&
	    g_strcmp0(a->adkim, b->adkim) == 0 &&
	    g_strcmp0(a->aspf, b->aspf) == 0 && a->pct == b->pct &&
	    g_strcmp0(a->testing, b->testing) == 0;
}

static void
row_policy(struct ctx *c, struct ds_dbq *s)
{
	struct ds_domain_summary *r = lookup(c, s);
	struct ds_policy_seen p, *q;
	guint i;

	if (r == NULL)
		return;
	p.p = ds_ss_col(s, 1);
	p.sp = ds_ss_col(s, 2);
	p.np = ds_ss_col(s, 3);
	p.adkim = ds_ss_col(s, 4);
	p.aspf = ds_ss_col(s, 5);
	p.pct = ds_dbq_null(s, 6) ? -1 :
	    (int)ds_dbq_int64(s, 6);
	p.testing = ds_ss_col(s, 7);
	p.first_seen = ds_dbq_int64(s, 8);
	p.last_seen = ds_dbq_int64(s, 9);
	p.reports = ds_dbq_int64(s, 10);
	for (i = 0; i < r->policies->len; i++) {
		q = &g_array_index(r->policies, struct ds_policy_seen, i);
		if (same_policy(q, &p)) {
			q->first_seen = MIN(q->first_seen, p.first_seen);
			q->last_seen = MAX(q->last_seen, p.last_seen);
			ds_count_add(&q->reports, p.reports);
			if (q->np == NULL) {
				q->np = p.np;
				p.np = NULL;
			}
			policy_clear(&p);
			return;
		}
	}
	g_array_append_val(r->policies, p);
}

static void
row_day(struct ctx *c, struct ds_dbq *s)
{
	struct ds_domain_summary *r = lookup(c, s);
	GHashTable *set;
	int64_t *day;

	if (r == NULL)
		return;
	if ((set = g_hash_table_lookup(c->days, r)) == NULL) {
		set = g_hash_table_new_full(g_int64_hash, g_int64_equal,
		    g_free, NULL);
		g_hash_table_insert(c->days, r, set);
	}
	day = g_new(int64_t, 1);
	*day = ds_dbq_int64(s, 1);
	g_hash_table_add(set, day);
}

/* Run one of the queries above, handing each row to fn. */
static bool
walk(struct ctx *c, const char *const sql[2],
    void (*fn)(struct ctx *, struct ds_dbq *), const char *what, GError **err)
{
	struct ds_dbq *s = NULL;
	int rc;

	if (!ds_ss_prepare(c->st, sql, c->q, &s, err))
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW)
		fn(c, s);
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(c->st, err, "summary: %s", what);
	return true;
}

/* Midnight at or after t, without overflow. */
static int64_t
day_ceil(int64_t t)
{
	int64_t d = ds_ss_day(t);

	return d == t || d > INT64_MAX - DS_DAY ? d : d + DS_DAY;
}

/*
 * The full UTC days of the period (open bounds: the days of the first
 * and last report midpoints), and which of them have no report.
 */
static void
fill_days(struct ctx *c, struct ds_domain_summary *r)
{
	const int64_t *mid = g_hash_table_lookup(c->mid, r);
	GHashTable *set = g_hash_table_lookup(c->days, r);
	int64_t first, end, d;

	first = c->q->since == INT64_MIN ? ds_ss_day(mid[0]) :
	    day_ceil(c->q->since);
	end = c->q->until == INT64_MAX ? ds_ss_day(mid[1]) + DS_DAY :
	    ds_ss_day(c->q->until);
	r->first_day = first;
	if (end <= first)
		return;
	/* (end - first) may not fit: both can be anywhere in int64 */
	if ((double)end - (double)first > (double)MAX_DAYS * DS_DAY) {
		first = MAX(first, ds_ss_day(mid[0]));
		end = MIN(end, ds_ss_day(mid[1]) + DS_DAY);
		r->first_day = first;
		if (end <= first)
			return;
	}
	r->days = (end - first) / DS_DAY;
	for (d = first; d < end && r->missing_days->len < MAX_DAYS;
	    d += DS_DAY) {
		if (set == NULL || !g_hash_table_contains(set, &d))
			g_array_append_val(r->missing_days, d);
	}
	r->days_without_report = r->missing_days->len;
}

static gint
name_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * See store_senders.h. days counts the full UTC days inside
 * [since, until) (a relative since like "7d" starts the next midnight);
 * open bounds take the days of the first and last report midpoints.
 * Periods longer than 100 years are cut to the reports' days.
 * DS_ERROR_DB.
 */
bool
ds_store_summary_each(struct ds_store *st, const struct ds_query *q,
    ds_summary_cb cb, void *payload, GError **err)
{
	struct ctx c = { .st = st, .q = q };
	GPtrArray *keys = NULL;
	GHashTableIter it;
	gpointer k;
	bool ok = false;
	guint i;

	c.by = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    summary_free);
	c.days = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    (GDestroyNotify)g_hash_table_destroy);
	c.mid = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL,
	    g_free);
	if (!walk(&c, sql_reports, row_reports, "reports", err) ||
	    !ds_roll_sums(st, q, false, row_records, &c, err) ||
	    !walk(&c, sql_policies, row_policy, "policies", err) ||
	    !walk(&c, sql_days, row_day, "days", err))
		goto done;
	keys = g_ptr_array_new();
	g_hash_table_iter_init(&it, c.by);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(keys, k);
	g_ptr_array_sort(keys, name_cmp);
	ok = true;
	for (i = 0; i < keys->len; i++) {
		struct ds_domain_summary *r = g_hash_table_lookup(c.by,
		    keys->pdata[i]);

		fill_days(&c, r);
		if (!cb(r, payload))
			break;
	}
done:
	if (keys)
		g_ptr_array_unref(keys);
	g_hash_table_destroy(c.mid);
	g_hash_table_destroy(c.days);
	g_hash_table_destroy(c.by);
	return ok;
}

/* A day of the rollups' sums, appended (merged by merge_days). */
static void
daily_sums(const struct ds_roll_sums *s, void *payload)
{
	GArray *got = payload;
	struct ds_day day;

	memset(&day, 0, sizeof(day));
	day.day = s->day;
	day.messages = s->messages;
	day.dmarc_pass = s->dmarc_pass;
	day.dkim_pass = s->dkim_pass;
	day.spf_pass = s->spf_pass;
	g_array_append_val(got, day);
}

static gint
day_cmp(gconstpointer a, gconstpointer b)
{
	int64_t x = ((const struct ds_day *)a)->day;
	int64_t y = ((const struct ds_day *)b)->day;

	return x < y ? -1 : x > y;
}

/* Merge the entries of a day (sorted): reports from one, sums from
 * the other; each day is at most once in either list. */
static void
merge_days(GArray *got)
{
	guint i, o = 0;

	for (i = 0; i < got->len; i++) {
		struct ds_day *p = &g_array_index(got, struct ds_day, i);
		struct ds_day *q;

		if (o > 0 && (q = &g_array_index(got, struct ds_day, o - 1))->
		    day == p->day) {
			q->reports += p->reports;
			q->messages += p->messages;
			q->dmarc_pass += p->dmarc_pass;
			q->dkim_pass += p->dkim_pass;
			q->spf_pass += p->spf_pass;
			continue;
		}
		if (o != i)
			g_array_index(got, struct ds_day, o) = *p;
		o++;
	}
	g_array_set_size(got, o);
}

/*
 * See store_senders.h. Each day runs from day(since) (partial first day
 * included) to the day of until - 1, with at most EMPTY_DAYS empty days
 * in all (later gaps are left out). DS_ERROR_DB.
 */
bool
ds_store_daily(struct ds_store *st, const struct ds_query *q, GArray **out,
    GError **err)
{
	struct ds_dbq *s = NULL;
	GArray *got = g_array_new(FALSE, TRUE, sizeof(struct ds_day));
	struct ds_day day, *p = NULL;
	int64_t first, last, d, empty;
	guint i = 0;
	int rc;

	*out = NULL;
	if (!ds_ss_prepare(st, sql_daily, q, &s, err)) {
		g_array_unref(got);
		return false;
	}
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		memset(&day, 0, sizeof(day));
		day.day = ds_dbq_int64(s, 0);
		day.reports = ds_dbq_int64(s, 1);
		g_array_append_val(got, day);
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE) {
		g_array_unref(got);
		return ds_store_fail(st, err, "daily series");
	}
	if (!ds_roll_sums(st, q, true, daily_sums, got, err)) {
		g_array_unref(got);
		return false;
	}
	g_array_sort(got, day_cmp);
	merge_days(got);
	*out = g_array_new(FALSE, TRUE, sizeof(struct ds_day));
	if (got->len == 0) {
		g_array_unref(got);
		return true;
	}
	first = q->since == INT64_MIN ? g_array_index(got, struct ds_day,
	    0).day : ds_ss_day(q->since);
	last = q->until == INT64_MAX ? g_array_index(got, struct ds_day,
	    got->len - 1).day : ds_ss_day(q->until - 1);
	/*
	 * THREATS #21: the days with data, and empty days between them
	 * while a budget of EMPTY_DAYS lasts; past it, gaps are left out.
	 * The length is bounded by the days with data, never by the
	 * numeric span of stored dates.
	 */
	empty = EMPTY_DAYS;
	d = first;
	for (i = 0; i < got->len; i++) {
		p = &g_array_index(got, struct ds_day, i);
		if (p->day < first || p->day > last)
			continue;
		for (; d < p->day && empty > 0; d += DS_DAY, empty--) {
			memset(&day, 0, sizeof(day));
			day.day = d;
			g_array_append_val(*out, day);
		}
		g_array_append_val(*out, *p);
		if (p->day > INT64_MAX - DS_DAY)
			break;
		d = p->day + DS_DAY;
	}
	for (; d <= last && empty > 0 && d < INT64_MAX - DS_DAY;
	    d += DS_DAY, empty--) {
		memset(&day, 0, sizeof(day));
		day.day = d;
		g_array_append_val(*out, day);
	}
	g_array_unref(got);
	return true;
}
