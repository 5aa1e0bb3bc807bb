/*
 * store_policy.c - the policy timeline of store_policy.h: one constant
 * query over the period's reports of a domain (index report_domain_mid),
 * per-day majority, then spans of equal consecutive days.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: values are bound. Policy words are attacker text as
 * stored (lower-cased here): callers escape them on output.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_policy.h"
#include "schema/store/store_senders_priv.h"

/* ?1 domain, ?2 since, ?3 until; only the [1] variant is used */
static const char *const sql_timeline[2] = {
	"SELECT 1 WHERE 1 = 0",
	"SELECT " SS_DAY ", lower(rep.p), coalesce(lower(rep.sp),"
	" lower(rep.p)), lower(rep.np), coalesce(lower(rep.adkim), 'r'),"
	" coalesce(lower(rep.aspf), 'r'), coalesce(rep.pct, 100),"
	" coalesce(lower(rep.testing), 'n'), rep.begin_ts, rep.end_ts"
	" FROM report AS rep" SS_WHERE_DOM
	" ORDER BY 1, rep.end_ts, rep.begin_ts"
};

static void
span_clear(gpointer p)
{
	struct ds_policy_span *s = p;

	g_free(s->p);
	g_free(s->sp);
	g_free(s->np);
	g_free(s->adkim);
	g_free(s->aspf);
	g_free(s->testing);
	memset(s, 0, sizeof(*s));
}

/* Same policy, an absent np matching any. */
static bool
same(const struct ds_policy_span *a, const struct ds_policy_span *b)
{
	return g_strcmp0(a->p, b->p) == 0 && g_strcmp0(a->sp, b->sp) == 0 &&
	    (a->np == NULL || b->np == NULL || strcmp(a->np, b->np) == 0) &&
	    g_strcmp0(a->adkim, b->adkim) == 0 &&
	    g_strcmp0(a->aspf, b->aspf) == 0 && a->pct == b->pct &&
	    g_strcmp0(a->testing, b->testing) == 0;
}

/* Fold span b (one policy) into a (the same policy): b is consumed. */
static void
merge(struct ds_policy_span *a, struct ds_policy_span *b)
{
	a->since = MIN(a->since, b->since);
	a->until = MAX(a->until, b->until);
	a->reports += b->reports;
	if (a->np == NULL) {
		a->np = b->np;
		b->np = NULL;
	}
	span_clear(b);
}

/* The day's majority policy, appended to (or merged into) out. */
static void
close_day(GArray *cand, GArray *ends, GArray *out)
{
	struct ds_policy_span *best = NULL, *last;
	int64_t best_end = INT64_MIN, best_n = -1;
	int64_t reports = 0, since = INT64_MAX, until = INT64_MIN;
	guint i;

	for (i = 0; i < cand->len; i++) {
		struct ds_policy_span *c = &g_array_index(cand,
		    struct ds_policy_span, i);
		int64_t e = g_array_index(ends, int64_t, i);

		reports += c->reports;
		since = MIN(since, c->since);
		until = MAX(until, c->until);
		if (c->reports > best_n || (c->reports == best_n &&
		    e > best_end)) {
			best = c;
			best_n = c->reports;
			best_end = e;
		}
	}
	if (best == NULL)
		return;
	/* the day's reports all count for the policy the day had */
	best->reports = reports;
	best->since = since;
	best->until = until;
	last = out->len ? &g_array_index(out, struct ds_policy_span,
	    out->len - 1) : NULL;
	if (last != NULL && same(last, best)) {
		merge(last, best);
	} else {
		g_array_append_val(out, *best);
		memset(best, 0, sizeof(*best));
	}
	for (i = 0; i < cand->len; i++)
		span_clear(&g_array_index(cand, struct ds_policy_span, i));
	g_array_set_size(cand, 0);
	g_array_set_size(ends, 0);
}

/* See store_policy.h. */
bool
ds_store_policy_timeline(struct ds_store *st, const struct ds_query *q,
    GArray **out, GError **err)
{
	struct ds_dbq *s = NULL;
	GArray *res, *cand, *ends;
	int64_t day = INT64_MIN;
	bool ok = false;
	int rc;

	*out = NULL;
	if (q->domain == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "policy timeline: no "
		    "domain");
	if (!ds_ss_prepare(st, sql_timeline, q, &s, err))
		return false;
	res = g_array_new(FALSE, TRUE, sizeof(struct ds_policy_span));
	g_array_set_clear_func(res, span_clear);
	cand = g_array_new(FALSE, TRUE, sizeof(struct ds_policy_span));
	ends = g_array_new(FALSE, TRUE, sizeof(int64_t));
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		struct ds_policy_span p;
		int64_t d = ds_dbq_int64(s, 0), end;
		guint i;

		if (d != day) {
			close_day(cand, ends, res);
			day = d;
		}
		memset(&p, 0, sizeof(p));
		p.p = ds_ss_col(s, 1);
		p.sp = ds_ss_col(s, 2);
		p.np = ds_ss_col(s, 3);
		p.adkim = ds_ss_col(s, 4);
		p.aspf = ds_ss_col(s, 5);
		p.pct = ds_dbq_int64(s, 6) < 0 ||
		    ds_dbq_int64(s, 6) > 100 ? -1 :
		    (int)ds_dbq_int64(s, 6);
		p.testing = ds_ss_col(s, 7);
		p.since = ds_dbq_int64(s, 8);
		p.until = end = ds_dbq_int64(s, 9);
		p.reports = 1;
		for (i = 0; i < cand->len; i++) {
			struct ds_policy_span *c = &g_array_index(cand,
			    struct ds_policy_span, i);

			if (same(c, &p)) {
				merge(c, &p);
				g_array_index(ends, int64_t, i) = MAX(
				    g_array_index(ends, int64_t, i), end);
				break;
			}
		}
		if (i == cand->len) {
			g_array_append_val(cand, p);
			g_array_append_val(ends, end);
		}
	}
	if (rc != DS_DB_DONE) {
		ds_store_fail(st, err, "policy timeline");
		goto done;
	}
	close_day(cand, ends, res);
	ok = true;
done:
	ds_dbq_finalize(s);
	g_array_unref(cand);
	g_array_unref(ends);
	if (ok)
		*out = res;
	else
		g_array_unref(res);
	return ok;
}

static int
strength(const char *p)
{
	if (p == NULL)
		return -1;
	if (strcmp(p, "reject") == 0)
		return 2;
	if (strcmp(p, "quarantine") == 0)
		return 1;
	return 0;
}

/* See store_policy.h. */
bool
ds_policy_weaker(const struct ds_policy_span *a,
    const struct ds_policy_span *b, const char **what)
{
	const char *w = NULL;

	if (strength(b->p) >= 0 && strength(b->p) < strength(a->p))
		w = "p lowered";
	else if (strength(b->sp) >= 0 && strength(b->sp) < strength(a->sp))
		w = "sp lowered";
	else if (b->np != NULL && a->np != NULL &&
	    strength(b->np) < strength(a->np))
		w = "np lowered";
	else if (b->pct >= 0 && a->pct >= 0 && b->pct < a->pct)
		w = "pct lowered";
	else if (g_strcmp0(b->testing, "y") == 0 &&
	    g_strcmp0(a->testing, "y") != 0)
		w = "t=y added";
	if (what != NULL)
		*what = w;
	return w != NULL;
}

/* See store_policy.h. */
char *
ds_policy_span_text(const struct ds_policy_span *s)
{
	GString *g = g_string_new(NULL);

	g_string_append_printf(g, "p=%s sp=%s", s->p ? s->p : "?",
	    s->sp ? s->sp : "?");
	if (s->np != NULL)
		g_string_append_printf(g, " np=%s", s->np);
	g_string_append_printf(g, " adkim=%s aspf=%s", s->adkim ? s->adkim :
	    "r", s->aspf ? s->aspf : "r");
	if (s->pct >= 0)
		g_string_append_printf(g, " pct=%d", s->pct);
	if (g_strcmp0(s->testing, "y") == 0)
		g_string_append(g, " t=y");
	return g_string_free(g, FALSE);
}
