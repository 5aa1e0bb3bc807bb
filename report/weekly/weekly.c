/*
 * weekly.c - compute the weekly report (weekly.h) from the reporter
 * queries of schema/store/store_senders.h: ISO 8601 weeks, headline numbers
 * of this and the previous week, new senders, newly failing sources,
 * policy changes, silent reporters.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_policy.h"
#include "report/weekly/weekly.h"

bool
ds_iso_week_parse(const char *s, int64_t *out, GError **err)
{
	int y, w, n = 0;
	GDateTime *jan4, *mon;
	gint64 t;

	if (s == NULL || sscanf(s, "%4d-W%2d%n", &y, &w, &n) != 2 ||
	    s[n] != '\0' || n != 8 || y < 1971 || y > 9998 || w < 1)
		return ds_fail(err, DS_ERROR_USAGE, "'%s' is not an ISO week "
		    "like 2026-W47", s ? s : "");
	/* ISO 8601: week 1 is the week with January 4th in it */
	jan4 = g_date_time_new_utc(y, 1, 4, 0, 0, 0);
	mon = g_date_time_add_days(jan4, 1 - g_date_time_get_day_of_week(jan4)
	    + 7 * (w - 1));
	t = g_date_time_to_unix(mon);
	if (g_date_time_get_week_numbering_year(mon) != y) {
		g_date_time_unref(jan4);
		g_date_time_unref(mon);
		return ds_fail(err, DS_ERROR_USAGE, "%d has no week %d", y, w);
	}
	g_date_time_unref(jan4);
	g_date_time_unref(mon);
	*out = t;
	return true;
}

int64_t
ds_iso_week_last(int64_t now)
{
	int64_t day = now - (now % DS_DAY + DS_DAY) % DS_DAY;
	/* 1970-01-01 was a Thursday: Monday-based weekday 0..6 */
	int64_t wd = ((day / DS_DAY) % 7 + 7 + 3) % 7;

	return day - wd * DS_DAY - DS_WEEK;
}

void
ds_iso_week_name(int64_t t, char buf[16])
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);

	if (dt == NULL) {
		g_strlcpy(buf, "?", 16);
		return;
	}
	g_snprintf(buf, 16, "%04d-W%02d",
	    g_date_time_get_week_numbering_year(dt),
	    g_date_time_get_week_of_year(dt));
	g_date_time_unref(dt);
}

static void
silent_free(gpointer p)
{
	struct ds_weekly_silent *s = p;

	g_free(s->org_name);
	g_free(s);
}

static char *
policy_text(const struct ds_policy_seen *p)
{
	GString *g = g_string_new(NULL);

	g_string_append_printf(g, "p=%s", p->p ? p->p : "?");
	if (p->sp)
		g_string_append_printf(g, " sp=%s", p->sp);
	if (p->np)
		g_string_append_printf(g, " np=%s", p->np);
	if (p->adkim)
		g_string_append_printf(g, " adkim=%s", p->adkim);
	if (p->aspf)
		g_string_append_printf(g, " aspf=%s", p->aspf);
	if (p->pct >= 0 && p->pct != 100)
		g_string_append_printf(g, " pct=%d", p->pct);
	if (p->testing)
		g_string_append_printf(g, " t=%s", p->testing);
	return g_string_free(g, FALSE);
}

/*
 * What a policy change is compared on: p, sp, adkim, aspf, pct with
 * their RFC 7489 section 6.3 defaults filled in, so two reporters that
 * show the same record with and without the defaults (or, legacy ones,
 * without np) do not look like a change.
 */
static char *
policy_key(const struct ds_policy_seen *p)
{
	return g_strdup_printf("%s/%s/%s/%s/%d", p->p ? p->p : "?",
	    p->sp ? p->sp : p->p ? p->p : "?", p->adkim ? p->adkim : "r",
	    p->aspf ? p->aspf : "r", p->pct >= 0 ? p->pct : 100);
}

struct sum_ctx {
	struct ds_weekly_nums *n;
	GPtrArray *policies;	/* char *: text, key, text, key... */
	char *last_p;
};

static bool
on_summary(const struct ds_domain_summary *s, void *payload)
{
	struct sum_ctx *c = payload;
	guint i;

	c->n->messages = s->messages;
	c->n->dmarc_pass = s->dmarc_pass;
	c->n->dmarc_fail = s->dmarc_fail;
	c->n->dkim_pass = s->dkim_pass;
	c->n->spf_pass = s->spf_pass;
	c->n->quarantine = s->disp.quarantine;
	c->n->reject = s->disp.reject;
	c->n->reports = s->reports;
	c->n->reporters = s->reporters;
	c->n->ips = s->ips;
	for (i = 0; s->policies && i < s->policies->len; i++) {
		const struct ds_policy_seen *p = &g_array_index(s->policies,
		    struct ds_policy_seen, i);

		g_ptr_array_add(c->policies, policy_text(p));
		g_ptr_array_add(c->policies, policy_key(p));
		g_free(c->last_p);
		c->last_p = g_strdup(p->p);
	}
	return false;
}

static bool
week_summary(struct ds_store *st, const char *domain, int64_t since,
    struct ds_weekly_nums *n, GPtrArray *policies, char **last_p,
    GError **err)
{
	struct sum_ctx c = { n, policies, NULL };
	struct ds_query q;
	bool ok;

	ds_query_init(&q);
	q.domain = domain;
	q.since = since;
	q.until = since + DS_WEEK;
	ok = ds_store_summary_each(st, &q, on_summary, &c, err);
	if (last_p)
		*last_p = c.last_p;
	else
		g_free(c.last_p);
	return ok;
}

static void
week_query(struct ds_sender_query *q, const struct ds_weekly *w,
    int64_t since, bool failing, bool only_new, unsigned limit,
    ds_ipinfo_fn info, void *payload)
{
	ds_sender_query_init(q);
	q->period.domain = w->domain;
	q->period.since = since;
	q->period.until = since + DS_WEEK;
	q->period.limit = limit;
	q->group = DS_GROUP_IP;
	q->sort = failing ? DS_SORT_FAIL : DS_SORT_MESSAGES;
	q->failing = failing;
	q->only_new = only_new;
	q->info = info;
	q->info_payload = payload;
}

static bool
senders(struct ds_store *st, const struct ds_weekly *w, int64_t since,
    bool failing, bool only_new, unsigned limit, ds_ipinfo_fn info,
    void *payload, GPtrArray **out, GError **err)
{
	struct ds_sender_query q;

	week_query(&q, w, since, failing, only_new, limit, info, payload);
	return ds_store_senders(st, &q, out, err);
}

static bool
add_key(const struct ds_sender *s, void *payload)
{
	if (s->key != NULL)
		g_hash_table_add(payload, g_strdup(s->key));
	return true;
}

/*
 * The week's failing sources, streamed worst first: the first
 * DS_WEEKLY_TOP whose key did not fail the week before go to
 * new_failing, the others (and the new ones past the first ten) to
 * top_failing, as many. Only the keys of last week's failing sources
 * are held, never every row.
 */
struct fail_split {
	struct ds_weekly *w;
	GHashTable *had;	/* keys failing the week before */
};

static bool
split_failing(struct ds_sender *s, void *payload)
{
	struct fail_split *f = payload;
	struct ds_weekly *w = f->w;

	if (s->key != NULL && !g_hash_table_contains(f->had, s->key) &&
	    w->new_failing->len < DS_WEEKLY_TOP)
		g_ptr_array_add(w->new_failing, s);
	else if (w->top_failing->len < DS_WEEKLY_TOP)
		g_ptr_array_add(w->top_failing, s);
	else
		ds_sender_free(s);
	return w->new_failing->len < DS_WEEKLY_TOP ||
	    w->top_failing->len < DS_WEEKLY_TOP;
}

static bool
failing(struct ds_store *st, struct ds_weekly *w, int64_t monday,
    ds_ipinfo_fn info, void *payload, GError **err)
{
	struct fail_split f = { w, g_hash_table_new_full(g_str_hash,
	    g_str_equal, g_free, NULL) };
	struct ds_sender_query q;
	bool ok;

	w->new_failing = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ds_sender_free);
	w->top_failing = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ds_sender_free);
	week_query(&q, w, monday - DS_WEEK, true, false, 0, NULL, NULL);
	ok = ds_store_senders_each(st, &q, add_key, f.had, err);
	week_query(&q, w, monday, true, false, 0, info, payload);
	ok = ok && ds_store_senders_take(st, &q, split_failing, &f, err);
	g_hash_table_destroy(f.had);
	return ok;
}

struct rep_ctx {
	GHashTable *names;	/* org_name -> struct ds_weekly_silent * */
	bool collect;
};

static bool
on_reporter(const struct ds_reporter *r, void *payload)
{
	struct rep_ctx *c = payload;
	struct ds_weekly_silent *s;

	if (r->org_name == NULL)
		return true;
	if (!c->collect) {
		if ((s = g_hash_table_lookup(c->names, r->org_name)) != NULL) {
			g_hash_table_remove(c->names, r->org_name);
			silent_free(s);
		}
		return true;
	}
	s = g_new0(struct ds_weekly_silent, 1);
	s->org_name = g_strdup(r->org_name);
	s->last_report = r->last_report;
	s->reports = r->reports;
	g_hash_table_replace(c->names, s->org_name, s);
	return true;
}

static gint
silent_cmp(gconstpointer a, gconstpointer b)
{
	const struct ds_weekly_silent *x = *(void *const *)a;
	const struct ds_weekly_silent *y = *(void *const *)b;

	return x->reports != y->reports ? (x->reports < y->reports ? 1 : -1) :
	    strcmp(x->org_name, y->org_name);
}

static bool
silent(struct ds_store *st, struct ds_weekly *w, GError **err)
{
	struct rep_ctx c = { g_hash_table_new(g_str_hash, g_str_equal), true };
	GHashTableIter it;
	gpointer v;
	struct ds_query q;
	bool ok = false;

	ds_query_init(&q);
	q.domain = w->domain;
	q.since = w->since - DS_WEEKLY_SILENT_WEEKS * DS_WEEK;
	q.until = w->since;
	if (!ds_store_reporters_each(st, &q, on_reporter, &c, err))
		goto done;
	c.collect = false;
	q.since = w->since;
	q.until = w->until;
	if (!ds_store_reporters_each(st, &q, on_reporter, &c, err))
		goto done;
	g_hash_table_iter_init(&it, c.names);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(w->silent, v);
	g_ptr_array_sort(w->silent, silent_cmp);
	ok = true;
done:
	if (!ok) {
		g_hash_table_iter_init(&it, c.names);
		while (g_hash_table_iter_next(&it, NULL, &v))
			silent_free(v);
	}
	g_hash_table_destroy(c.names);
	return ok;
}

/*
 * The policy at the end of the week and its changes, from the policy
 * timeline of this week and the one before (store_policy.h): a change
 * is a span starting this week; a weakening is marked.
 */
static bool
policy_timeline(struct ds_store *st, struct ds_weekly *w, GError **err)
{
	struct ds_query q;
	GArray *tl = NULL;
	guint i;

	ds_query_init(&q);
	q.domain = w->domain;
	q.since = w->since - DS_WEEK;
	q.until = w->until;
	if (!ds_store_policy_timeline(st, &q, &tl, err))
		return false;
	g_clear_pointer(&w->policy, g_free);
	g_clear_pointer(&w->p, g_free);
	if (tl->len > 0) {
		const struct ds_policy_span *last = &g_array_index(tl,
		    struct ds_policy_span, tl->len - 1);

		w->policy = ds_policy_span_text(last);
		w->p = g_strdup(last->p);
	}
	for (i = 1; i < tl->len; i++) {
		const struct ds_policy_span *a = &g_array_index(tl,
		    struct ds_policy_span, i - 1);
		const struct ds_policy_span *b = &g_array_index(tl,
		    struct ds_policy_span, i);
		const char *what = NULL;
		char *ta, *tb;

		/* the span's first report has its midpoint in the week */
		if (b->since + DS_DAY / 2 < w->since)
			continue;
		ta = ds_policy_span_text(a);
		tb = ds_policy_span_text(b);
		g_ptr_array_add(w->policy_changes, g_strdup_printf("%s -> %s%s"
		    "%s%s", ta, tb, ds_policy_weaker(a, b, &what) ?
		    " (weakened: " : "", what ? what : "", what ? ")" : ""));
		g_free(ta);
		g_free(tb);
	}
	g_array_unref(tl);
	return true;
}

bool
ds_weekly_compute(struct ds_store *st, const char *domain, int64_t monday,
    ds_ipinfo_fn info, void *info_payload, struct ds_weekly *w,
    GError **err)
{
	GPtrArray *prev_pol = g_ptr_array_new_with_free_func(g_free);
	GPtrArray *cur_pol = g_ptr_array_new_with_free_func(g_free);
	char *prev_p = NULL;
	bool ok = false;

	memset(w, 0, sizeof(*w));
	w->domain = g_strdup(domain);
	w->since = monday;
	w->until = monday + DS_WEEK;
	ds_iso_week_name(monday, w->week);
	w->policy_changes = g_ptr_array_new_with_free_func(g_free);
	w->silent = g_ptr_array_new_with_free_func(silent_free);
	w->todo = g_ptr_array_new_with_free_func(g_free);
	if (!week_summary(st, domain, monday - DS_WEEK, &w->prev, prev_pol,
	    &prev_p, err) ||
	    !week_summary(st, domain, monday, &w->cur, cur_pol, &w->p, err))
		goto done;
	if (!senders(st, w, monday, false, true, DS_WEEKLY_TOP, info,
	    info_payload, &w->new_senders, err) ||
	    !failing(st, w, monday, info, info_payload, err))
		goto done;
	if (!silent(st, w, err) || !ds_weekly_tls_compute(st, w, err) ||
	    !policy_timeline(st, w, err))
		goto done;
	ok = true;
done:
	g_ptr_array_unref(prev_pol);
	g_ptr_array_unref(cur_pol);
	g_free(prev_p);
	return ok;
}

void
ds_weekly_clear(struct ds_weekly *w)
{
	g_free(w->domain);
	g_free(w->policy);
	g_free(w->p);
	if (w->policy_changes)
		g_ptr_array_unref(w->policy_changes);
	if (w->new_senders)
		g_ptr_array_unref(w->new_senders);
	if (w->new_failing)
		g_ptr_array_unref(w->new_failing);
	if (w->top_failing)
		g_ptr_array_unref(w->top_failing);
	if (w->classes)
		g_hash_table_destroy(w->classes);
	if (w->silent)
		g_ptr_array_unref(w->silent);
	if (w->todo)
		g_ptr_array_unref(w->todo);
	if (w->tls.failures)
		g_ptr_array_unref(w->tls.failures);
	memset(w, 0, sizeof(*w));
}
