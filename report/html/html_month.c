/*
 * html_month.c - the report pages of the dashboard: one page per
 * (policy domain, UTC month), reports/<domain slug>/<YYYY-MM>.html, with
 * a table of the month's reports and each report's section
 * (html_report.c) at #report-<row id>. The site's file count grows with
 * domains and months, not with reports (issue 20).
 * SPDX-License-Identifier: MIT
 *
 * A report belongs to the month of the midpoint of its date range, the
 * period rule of every command. The month index is one pass over the
 * report table (no records); a month page is regenerated only when its
 * fingerprint changes: how many reports, the highest row id, their
 * record and message totals, its neighbours (the previous/next links)
 * and the raw-record cut-off of prune when it reaches the month
 * (html_site.h stamps). One new report therefore rewrites one month
 * page.
 */
#include <string.h>

#include "schema/store/store_prune.h"
#include "schema/util/count.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"

/* Reports above this many on a month page keep their records hidden. */
#define PAGE_RECORDS 10000

/* Days from 1970-01-01 to y-m-01 (proleptic Gregorian, H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int
ds_html_month_of(int64_t begin, int64_t end)
{
	/* midpoint without overflow, floored */
	int64_t mid = begin / 2 + end / 2 + (begin % 2 + end % 2) / 2;
	int64_t z, era, doe, yoe, y, doy, mp, day;
	int m;

	day = mid >= 0 ? mid / DS_DAY : (mid - (DS_DAY - 1)) / DS_DAY;
	z = day + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = (int)(mp < 10 ? mp + 3 : mp - 9);
	y += m <= 2;
	/* the store keeps plausible dates only; clamp for the page name */
	y = CLAMP(y, 0, 9999);
	return (int)y * 100 + m;
}

int64_t
ds_html_month_start(int ym)
{
	return days_from_civil(ym / 100, ym % 100) * DS_DAY;
}

static int
month_next(int ym)
{
	return ym % 100 == 12 ? (ym / 100 + 1) * 100 + 1 : ym + 1;
}

char *
ds_html_month_path(const char *domain, int ym)
{
	char *slug = ds_html_slug(domain), *p;

	p = g_strdup_printf("reports/%s/%04d-%02d.html", slug, ym / 100,
	    ym % 100);
	g_free(slug);
	return p;
}

static void
month_free(gpointer p)
{
	struct ds_html_month *m = p;

	g_free(m->domain);
	g_free(m);
}

static bool
on_index_report(const struct ds_report_row *r, void *payload)
{
	GHashTable *h = payload;
	char *dom = g_ascii_strdown(r->domain ? r->domain : "", -1);
	int ym = ds_html_month_of(r->begin, r->end);
	char *key = g_strdup_printf("%s %d", dom, ym);
	struct ds_html_month *m = g_hash_table_lookup(h, key);

	if (m == NULL) {
		m = g_new0(struct ds_html_month, 1);
		m->domain = dom;
		m->ym = ym;
		m->min_end = r->end;
		g_hash_table_insert(h, key, m);
	} else {
		g_free(dom);
		g_free(key);
	}
	m->reports++;
	m->max_id = MAX(m->max_id, r->id);
	m->min_end = MIN(m->min_end, r->end);
	ds_count_add(&m->records, r->records);
	ds_count_add(&m->messages, r->messages);
	return true;
}

static gint
cmp_month(gconstpointer a, gconstpointer b)
{
	const struct ds_html_month *x = *(const struct ds_html_month *const *)a;
	const struct ds_html_month *y = *(const struct ds_html_month *const *)b;
	int c = strcmp(x->domain, y->domain);

	return c ? c : (x->ym > y->ym) - (x->ym < y->ym);
}

bool
ds_html_months_collect(struct ds_store *st, GPtrArray **out, GError **err)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	GPtrArray *a = g_ptr_array_new_with_free_func(month_free);
	GHashTableIter it;
	struct ds_query q;
	gpointer v;
	bool ok;

	ds_query_init(&q);
	ok = ds_store_reports_each(st, &q, on_index_report, h, err);
	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(a, v);
	g_hash_table_destroy(h);
	if (!ok) {
		g_ptr_array_unref(a);
		*out = NULL;
		return false;
	}
	g_ptr_array_sort(a, cmp_month);
	*out = a;
	return true;
}

/* The months of domain in a (sorted): *first and the count. */
guint
ds_html_months_of(const GPtrArray *a, const char *domain, guint *first)
{
	char *dom = g_ascii_strdown(domain, -1);
	guint lo = 0, hi = a->len, n = 0;

	while (lo < hi) {	/* first entry >= dom */
		guint mid = lo + (hi - lo) / 2;
		const struct ds_html_month *m = g_ptr_array_index(a, mid);

		if (strcmp(m->domain, dom) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (lo + n < a->len && strcmp(((const struct ds_html_month *)
	    g_ptr_array_index(a, lo + n))->domain, dom) == 0)
		n++;
	g_free(dom);
	return n;
}

/* What the month page shows: same stamp, same page. */
static char *
month_stamp(const struct ds_html_month *m, int prev, int next,
    int64_t pruned, unsigned max_records)
{
	return g_strdup_printf("v" DS_VERSION "r" DS_HTML_REPORT_REV "-%"
	    G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%"
	    G_GINT64_FORMAT "-%d-%d-p%" G_GINT64_FORMAT "-m%u", m->reports,
	    m->max_id, m->records, m->messages, prev, next,
	    pruned > m->min_end ? pruned : 0, max_records);
}

/* The month's reports: the summary rows rendered, the ids to detail. */
struct month_rows {
	int ym;
	GString *g;
	GArray *ids;		/* int64_t */
};

static bool
on_month_report(const struct ds_report_row *r, void *payload)
{
	struct month_rows *mr = payload;
	char href[48];

	if (ds_html_month_of(r->begin, r->end) != mr->ym)
		return true;	/* overlaps the month, counted in another */
	g_array_append_val(mr->ids, r->id);
	g_snprintf(href, sizeof(href), "#report-%" G_GINT64_FORMAT, r->id);
	g_string_append(mr->g, "<tr>");
	ds_td_day(mr->g, r->begin);
	ds_td_link(mr->g, href, r->org_name);
	ds_td_mono(mr->g, r->report_id);
	ds_td_int(mr->g, r->records);
	ds_td_int(mr->g, r->messages);
	ds_td_result(mr->g, r->policy_p);
	g_string_append(mr->g, "</tr>\n");
	return true;
}

static void
month_link(GString *g, const char *domain, int ym, const char *label)
{
	char *p = ds_html_month_path(domain, ym);

	/* from reports/<slug>/ to a sibling: the file name alone */
	g_string_append(g, "<a href=\"");
	ds_html_attr(g, strrchr(p, '/') + 1);
	g_string_append_printf(g, "\">%s %04d-%02d</a>", label, ym / 100,
	    ym % 100);
	g_free(p);
}

static bool
month_page(struct ds_html_ctx *c, const struct ds_html_month *m, int prev,
    int next, const char *stamp, GError **err)
{
	static const char *const cols[] = { "#Begin", "Reporter",
	    "Report ID", "#Records", "#Messages", "p", NULL };
	struct month_rows mr = { m->ym, g_string_new(NULL),
	    g_array_new(FALSE, FALSE, sizeof(int64_t)) };
	GString *g = g_string_sized_new(65536);
	char *path = ds_html_month_path(m->domain, m->ym);
	char *dpath = ds_html_domain_path(m->domain), *title;
	unsigned budget = PAGE_RECORDS;
	struct ds_query q;
	bool ok = false;
	guint i;

	/* every report whose midpoint is in the month overlaps it (ingest
	   refuses a range that begins after it ends) */
	ds_query_init(&q);
	q.domain = m->domain;
	q.since = ds_html_month_start(m->ym);
	q.until = ds_html_month_start(month_next(m->ym));
	if (!ds_store_reports_each(c->st, &q, on_month_report, &mr, err))
		goto done;
	title = g_strdup_printf("%s reports, %04d-%02d", m->domain,
	    m->ym / 100, m->ym % 100);
	ds_page_begin(g, "../../", title);
	g_string_append(g, "<p class=\"sub\"><a href=\"../../");
	ds_html_attr(g, dpath);
	g_string_append(g, "\">\xe2\x86\x90 ");
	ds_html_text(g, m->domain);
	g_string_append(g, "</a>");
	if (prev) {
		g_string_append(g, " \xc2\xb7 ");
		month_link(g, m->domain, prev, "\xe2\x86\x90");
	}
	if (next) {
		g_string_append(g, " \xc2\xb7 ");
		month_link(g, m->domain, next, "\xe2\x86\x92");
	}
	g_string_append(g, "</p>\n<h1 id=\"month\">");
	ds_html_text(g, title);
	g_free(title);
	g_string_append(g, "</h1>\n<div class=\"kpis\">\n");
	ds_page_kpi(g, "k-reports", "Reports", mr.ids->len);
	ds_page_kpi(g, "k-records", "Records", m->records);
	ds_page_kpi(g, "k-messages", "Messages", m->messages);
	g_string_append(g, "</div>\n");
	ds_page_h2(g, "reports", "Reports (UTC month of each report's "
	    "midpoint)");
	ds_page_table_open(g, "t-reports", cols, mr.ids->len > 10);
	g_string_append_len(g, mr.g->str, mr.g->len);
	ds_page_table_close(g);
	for (i = 0; i < mr.ids->len; i++)
		if (!ds_html_report_section(c, g, g_array_index(mr.ids,
		    int64_t, i), &budget, err))
			goto done;
	ds_page_end(g, NULL);
	ok = ds_site_put(c->site, path, g->str, g->len, stamp, err);
done:
	g_string_free(mr.g, TRUE);
	g_array_unref(mr.ids);
	g_string_free(g, TRUE);
	g_free(path);
	g_free(dpath);
	return ok;
}

bool
ds_html_month_pages(struct ds_html_ctx *c, GError **err)
{
	const GPtrArray *a = c->months;
	int64_t pruned;
	guint i;

	if (!ds_store_raw_pruned_before(c->st, &pruned, err))
		return false;
	for (i = 0; i < a->len; i++) {
		const struct ds_html_month *m = g_ptr_array_index(a, i);
		const struct ds_html_month *p = i > 0 ?
		    g_ptr_array_index(a, i - 1) : NULL;
		const struct ds_html_month *n = i + 1 < a->len ?
		    g_ptr_array_index(a, i + 1) : NULL;
		int prev = p && strcmp(p->domain, m->domain) == 0 ? p->ym : 0;
		int next = n && strcmp(n->domain, m->domain) == 0 ? n->ym : 0;
		char *path = ds_html_month_path(m->domain, m->ym);
		char *stamp = month_stamp(m, prev, next, pruned,
		    c->o->max_records);
		bool ok = ds_site_fresh(c->site, path, stamp) ||
		    month_page(c, m, prev, next, stamp, err);

		g_free(path);
		g_free(stamp);
		if (!ok)
			return false;
	}
	return true;
}
