/*
 * html_domain.c - the page of one policy domain (html_build.h): headline
 * numbers, daily volume and pass-rate chart, senders with PTR, service
 * and pass/fail, failing sources, dispositions, reporters, published
 * policy history, the reports. SPEC section 4; THREATS #9 (all report
 * text escaped through html_escape.h / html_page.h).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "report/classify/classify.h"
#include "report/html/html_advice.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"
#include "report/html/html_svg.h"

#define TOP_FAILING 100

/* What the summary callback renders (no store access inside it). */
struct sum_out {
	GString *kpi, *tail;
	int64_t first, last;
	bool found;
};

static void
disp_row(GString *g, const char *name, int64_t n, int64_t total)
{
	g_string_append(g, "<tr>");
	ds_td_result(g, name);
	ds_td_int(g, n);
	g_string_append_printf(g, "<td class=\"n\" data-v=\"%.3f\">%.1f %%"
	    "</td></tr>\n", ds_pass_rate(n, total), ds_pass_rate(n, total));
}

static void
policy_rows(GString *g, const GArray *pol)
{
	static const char *const cols[] = { "p", "sp", "np", "adkim",
	    "aspf", "#pct", "testing", "#First seen", "#Last seen",
	    "#Reports", NULL };
	guint i;

	if (pol == NULL || pol->len == 0) {
		g_string_append(g, "<p class=\"note\">No policy reported."
		    "</p>\n");
		return;
	}
	if (pol->len > 1)
		g_string_append_printf(g, "<p class=\"warn\">The published "
		    "policy changed %u times in this period.</p>\n",
		    pol->len - 1);
	ds_page_table_open(g, "t-policy", cols, false);
	for (i = 0; i < pol->len; i++) {
		const struct ds_policy_seen *p = &g_array_index(pol,
		    struct ds_policy_seen, i);

		g_string_append(g, "<tr>");
		ds_td_result(g, p->p);
		ds_td_text(g, p->sp);
		ds_td_text(g, p->np);
		ds_td_text(g, p->adkim);
		ds_td_text(g, p->aspf);
		if (p->pct < 0)
			ds_td_text(g, NULL);
		else
			ds_td_int(g, p->pct);
		ds_td_text(g, p->testing);
		ds_td_day(g, p->first_seen);
		ds_td_day(g, p->last_seen);
		ds_td_int(g, p->reports);
		g_string_append(g, "</tr>\n");
	}
	ds_page_table_close(g);
}

static bool
on_summary(const struct ds_domain_summary *s, void *payload)
{
	static const char *const dcols[] = { "Disposition", "#Messages",
	    "#Share", NULL };
	struct sum_out *o = payload;
	const struct ds_disp_counts *d = &s->disp;
	guint i;

	o->found = true;
	o->first = s->first_report;
	o->last = s->last_report;
	g_string_append(o->kpi, "<div class=\"kpis\">\n");
	ds_page_kpi(o->kpi, "k-messages", "Messages", s->messages);
	ds_page_kpi_pct(o->kpi, "k-rate", "DMARC pass rate",
	    ds_pass_rate(s->dmarc_pass, s->messages));
	ds_page_kpi(o->kpi, "k-fail", "Failing DMARC", s->dmarc_fail);
	ds_page_kpi_pct(o->kpi, "k-dkim", "DKIM aligned pass",
	    ds_pass_rate(s->dkim_pass, s->messages));
	ds_page_kpi_pct(o->kpi, "k-spf", "SPF aligned pass",
	    ds_pass_rate(s->spf_pass, s->messages));
	ds_page_kpi(o->kpi, "k-sources", "Source IPs", s->ips);
	ds_page_kpi(o->kpi, "k-reports", "Reports", s->reports);
	ds_page_kpi(o->kpi, "k-reporters", "Reporters", s->reporters);
	g_string_append(o->kpi, "</div>\n");

	ds_page_h2(o->tail, "dispositions", "Dispositions");
	ds_page_table_open(o->tail, "t-disp", dcols, false);
	disp_row(o->tail, "none", d->none, s->messages);
	disp_row(o->tail, "quarantine", d->quarantine, s->messages);
	disp_row(o->tail, "reject", d->reject, s->messages);
	if (d->pass)
		disp_row(o->tail, "pass", d->pass, s->messages);
	if (d->other)
		disp_row(o->tail, "other", d->other, s->messages);
	ds_page_table_close(o->tail);
	ds_page_h2(o->tail, "policy", "Published policy history");
	policy_rows(o->tail, s->policies);
	if (s->missing_days && s->missing_days->len > 0) {
		g_string_append_printf(o->tail, "<p class=\"note\" "
		    "id=\"missing\">%u day(s) without any report:",
		    s->missing_days->len);
		for (i = 0; i < s->missing_days->len && i < 60; i++) {
			g_string_append_c(o->tail, ' ');
			ds_fmt_time(o->tail, g_array_index(s->missing_days,
			    int64_t, i), false);
		}
		g_string_append(o->tail, i < s->missing_days->len ?
		    " \xe2\x80\xa6</p>\n" : "</p>\n");
	}
	return false;
}

/* "d=example.com pass (12)" lines of the DKIM or SPF outcomes. */
static void
td_auth(GString *g, const GArray *a)
{
	guint i;

	g_string_append(g, "<td class=\"wrap small\">");
	for (i = 0; a && i < a->len && i < 4; i++) {
		const struct ds_auth_count *x = &g_array_index(a,
		    struct ds_auth_count, i);

		if (i)
			g_string_append(g, "<br>");
		ds_html_cut(g, x->domain ? x->domain : "?");
		g_string_append_c(g, ' ');
		ds_fmt_result(g, x->result);
		g_string_append(g, " (");
		ds_fmt_int(g, x->messages);
		g_string_append_c(g, ')');
	}
	if (a && a->len > 4)
		g_string_append_printf(g, "<br>+%u more", a->len - 4);
	g_string_append(g, "</td>");
}

/* The PTR name, and beside it the network: AS number, owner, country. */
static void
td_ptr(GString *g, const struct ds_sender *s)
{
	g_string_append(g, "<td class=\"wrap mono\">");
	if (s->ptr != NULL)
		ds_html_cut(g, s->ptr);
	if (s->ptr && s->ptr_confirmed == 0)
		g_string_append(g, " <span class=\"warn\" title=\"the name "
		    "does not resolve back to this IP\">unconfirmed</span>");
	if (s->asn > 0 || s->as_org != NULL || s->country != NULL) {
		g_string_append(g, s->ptr ? "<br><span class=\"small muted\" "
		    "title=\"network (MaxMind database)\">" : "<span class=\""
		    "small muted\" title=\"network (MaxMind database)\">");
		if (s->asn > 0)
			g_string_append_printf(g, "AS%" G_GINT64_FORMAT "%s",
			    s->asn, s->as_org || s->country ? " " : "");
		ds_html_text(g, s->as_org);
		if (s->country != NULL) {
			g_string_append(g, s->as_org ? ", " : "");
			ds_html_text(g, s->country);
		}
		g_string_append(g, "</span>");
	}
	g_string_append(g, "</td>");
}

static void
td_list(GString *g, const GPtrArray *a)
{
	guint i;

	g_string_append(g, "<td class=\"wrap small\">");
	for (i = 0; a && i < a->len && i < 5; i++) {
		if (i)
			g_string_append(g, ", ");
		ds_html_text(g, g_ptr_array_index(a, i));
	}
	if (a && a->len > 5)
		g_string_append_printf(g, " +%u", a->len - 5);
	g_string_append(g, "</td>");
}

/* Most failing messages first; ties keep the messages order. */
static gint
cmp_fail(gconstpointer a, gconstpointer b)
{
	const struct ds_sender *x = *(const struct ds_sender *const *)a;
	const struct ds_sender *y = *(const struct ds_sender *const *)b;

	return (x->dmarc_fail < y->dmarc_fail) - (x->dmarc_fail > y->dmarc_fail);
}

/*
 * The senders of domain over all time, classified (report/classify),
 * most messages first, as `dmarcsift senders` gives them: one query
 * serves both tables of the page. DS_ERROR_DB.
 */
static bool
load_senders(struct ds_html_ctx *c, const char *domain, GPtrArray **rows,
    GArray **cls, GError **err)
{
	struct ds_decl *decl = NULL;
	struct ds_query q;
	bool ok;

	ds_query_init(&q);
	q.domain = domain;
	ok = ds_decl_from_conf(&decl, c->o->conf, domain, err) &&
	    ds_classified_senders(c->st, &q, c->o->info, c->o->info_payload,
	    decl, rows, cls, err);
	ds_decl_free(decl);
	return ok;
}

/*
 * The failing sources (the TOP_FAILING with the most failing messages,
 * as `senders --failing --sort fail`) or every source with its class
 * (the first --max-senders), from the rows of load_senders().
 */
static void
senders(struct ds_html_ctx *c, GString *g, const GPtrArray *all,
    const GArray *allcls, bool failing)
{
	static const char *const all_cols[] = { "Source IP", "Class",
	    "PTR / network",
	    "Service", "#Messages", "#Fail", "#Pass rate", "DKIM",
	    "SPF", "Reporters", "#Seen", NULL };
	static const char *const fail_cols[] = { "Source IP", "PTR / network",
	    "Service", "#Failing", "#Messages", "DKIM", "SPF", "Header from",
	    "Dispositions", NULL };
	GPtrArray *rows = g_ptr_array_new();
	const GArray *cls = failing ? NULL : allcls;
	unsigned limit = failing ? TOP_FAILING :
	    (c->o->max_senders ? c->o->max_senders : 500);
	guint i;

	for (i = 0; i < all->len; i++)
		if (!failing || ((const struct ds_sender *)
		    all->pdata[i])->dmarc_fail > 0)
			g_ptr_array_add(rows, all->pdata[i]);
	if (failing)	/* stable: equal counts stay by messages, key */
		g_ptr_array_sort(rows, cmp_fail);
	if (rows->len > limit)
		g_ptr_array_set_size(rows, limit);
	if (rows->len == 0) {
		g_string_append(g, failing ? "<p class=\"note\" id=\"t-failing\">"
		    "No source failed DMARC.</p>\n" : "<p class=\"note\">"
		    "No senders.</p>\n");
		g_ptr_array_unref(rows);
		return;
	}
	if (rows->len == limit)
		g_string_append_printf(g, "<p class=\"note\">The %u sources "
		    "with the most %s messages.</p>\n", rows->len,
		    failing ? "failing" : "");
	ds_page_table_open(g, failing ? "t-failing" : "t-senders",
	    failing ? fail_cols : all_cols, !failing);
	for (i = 0; i < rows->len; i++) {
		const struct ds_sender *s = g_ptr_array_index(rows, i);

		g_string_append(g, "<tr>");
		ds_td_mono(g, s->key);
		if (cls != NULL) {
			const struct ds_class_info *ci = &g_array_index(cls,
			    struct ds_class_info, i);

			g_string_append(g, "<td class=\"small\" title=\"");
			ds_html_attr(g, ci->reason);
			g_string_append(g, "\">");
			ds_html_text(g, ds_class_name(ci->cls));
			g_string_append(g, "</td>");
		}
		td_ptr(g, s);
		ds_td_text(g, s->service);
		if (failing) {
			ds_td_int(g, s->dmarc_fail);
			ds_td_int(g, s->messages);
			td_auth(g, s->dkim);
			td_auth(g, s->spf);
			td_list(g, s->header_from);
			g_string_append(g, "<td class=\"small\">");
			g_string_append_printf(g, "none %" G_GINT64_FORMAT
			    "<br>quarantine %" G_GINT64_FORMAT
			    "<br>reject %" G_GINT64_FORMAT "</td>",
			    s->disp.none, s->disp.quarantine, s->disp.reject);
		} else {
			/* passing = messages - failing: the rate shows it */
			ds_td_int(g, s->messages);
			ds_td_int(g, s->dmarc_fail);
			ds_td_rate(g, s->dmarc_pass, s->messages);
			td_auth(g, s->dkim);
			td_auth(g, s->spf);
			td_list(g, s->reporters);
			/* first and last seen in one cell, sorted by first */
			g_string_append_printf(g, "<td class=\"n small\" "
			    "data-v=\"%" G_GINT64_FORMAT "\">", s->first_seen);
			ds_fmt_time(g, s->first_seen, false);
			g_string_append(g, "<br>");
			ds_fmt_time(g, s->last_seen, false);
			g_string_append(g, "</td>");
		}
		g_string_append(g, "</tr>\n");
	}
	ds_page_table_close(g);
	g_ptr_array_unref(rows);
}

static bool
on_reporter(const struct ds_reporter *r, void *payload)
{
	GString *g = payload;

	g_string_append(g, "<tr>");
	ds_td_text(g, r->org_name);
	ds_td_text(g, r->email);
	ds_td_int(g, r->reports);
	ds_td_int(g, r->messages);
	ds_td_day(g, r->first_report);
	ds_td_day(g, r->last_report);
	g_string_append(g, "</tr>\n");
	return true;
}

/* The newest reports, kept as rendered rows in a ring of max. */
struct rep_ring {
	GPtrArray *rows;	/* char *: <tr>..</tr> */
	unsigned max;
	int64_t seen;
	const char *domain;
};

static bool
on_report(const struct ds_report_row *r, void *payload)
{
	struct rep_ring *rr = payload;
	GString *g = g_string_new("<tr>");
	char *mp = ds_html_month_path(rr->domain, ds_html_month_of(r->begin,
	    r->end));
	char *href = g_strdup_printf("../%s#report-%" G_GINT64_FORMAT, mp,
	    r->id);

	g_free(mp);
	ds_td_day(g, r->begin);
	ds_td_link(g, href, r->org_name);
	ds_td_mono(g, r->report_id);
	ds_td_int(g, r->records);
	ds_td_int(g, r->messages);
	ds_td_result(g, r->policy_p);
	g_string_append(g, "</tr>\n");
	g_free(href);
	if (rr->rows->len == rr->max)
		g_ptr_array_remove_index(rr->rows, 0);
	g_ptr_array_add(rr->rows, g_string_free(g, FALSE));
	rr->seen++;
	return true;
}

static bool
reports(struct ds_html_ctx *c, GString *g, const char *domain, GError **err)
{
	static const char *const cols[] = { "#Begin", "Reporter",
	    "Report ID", "#Records", "#Messages", "p", NULL };
	static const char *const mcols[] = { "Month", "#Reports",
	    "#Records", "#Messages", NULL };
	struct rep_ring rr = { g_ptr_array_new_with_free_func(g_free), 0, 0,
	    domain };
	struct ds_query q;
	guint i, first, n;

	/* one page per month holds the reports themselves (html_month.c) */
	n = ds_html_months_of(c->months, domain, &first);
	if (n > 0) {
		ds_page_table_open(g, "t-months", mcols, false);
		for (i = first + n; i > first; i--) {
			const struct ds_html_month *m =
			    g_ptr_array_index(c->months, i - 1);
			char *mp = ds_html_month_path(m->domain, m->ym);
			char *href = g_strdup_printf("../%s", mp);
			char label[16];

			g_snprintf(label, sizeof(label), "%04d-%02d",
			    m->ym / 100, m->ym % 100);
			g_string_append(g, "<tr>");
			ds_td_link(g, href, label);
			ds_td_int(g, m->reports);
			ds_td_int(g, m->records);
			ds_td_int(g, m->messages);
			g_string_append(g, "</tr>\n");
			g_free(href);
			g_free(mp);
		}
		ds_page_table_close(g);
		g_string_append(g, "<p class=\"note\">Each month's page "
		    "holds its reports with their records. The newest "
		    "reports:</p>\n");
	}

	rr.max = c->o->max_reports ? c->o->max_reports : 1000;
	ds_query_init(&q);
	q.domain = domain;
	if (!ds_store_reports_each(c->st, &q, on_report, &rr, err)) {
		g_ptr_array_unref(rr.rows);
		return false;
	}
	if (rr.seen > rr.rows->len)
		g_string_append_printf(g, "<p class=\"note\">The newest %u "
		    "of %" G_GINT64_FORMAT " reports.</p>\n", rr.rows->len,
		    rr.seen);
	ds_page_table_open(g, "t-reports", cols, true);
	for (i = rr.rows->len; i > 0; i--)
		g_string_append(g, g_ptr_array_index(rr.rows, i - 1));
	ds_page_table_close(g);
	g_ptr_array_unref(rr.rows);
	return true;
}

bool
ds_html_domain_page(struct ds_html_ctx *c, const char *domain,
    const char *stamp, GError **err)
{
	static const char *const rcols[] = { "Reporter", "Email",
	    "#Reports", "#Messages", "#First", "#Last", NULL };
	struct sum_out so = { g_string_new(NULL), g_string_new(NULL), 0, 0,
	    false };
	GString *g = g_string_sized_new(65536);
	GArray *days = NULL, *cls = NULL;
	GPtrArray *rows = NULL;
	struct ds_query q;
	char *path = ds_html_domain_path(domain);
	bool ok = false;

	ds_query_init(&q);
	q.domain = domain;
	if (!ds_store_summary_each(c->st, &q, on_summary, &so, err) ||
	    !ds_store_daily(c->st, &q, &days, err))
		goto done;
	ds_page_begin(g, "../", domain);
	g_string_append(g, "<h1 id=\"domain\">");
	ds_html_text(g, domain);
	if (!so.found) {
		/* only SMTP TLS reports name the domain (RFC 8460) */
		g_string_append(g, "</h1>\n<p class=\"sub\" id=\"no-dmarc\">"
		    "No DMARC aggregate reports are stored for this domain; "
		    "SMTP TLS reports only.</p>\n");
		if (!ds_html_tls_section(c, g, domain, err))
			goto done;
		ds_page_end(g, NULL);
		ok = ds_site_put(c->site, path, g->str, g->len, stamp, err);
		goto done;
	}
	g_string_append(g, "</h1>\n<p class=\"sub\">Aggregate reports from ");
	ds_fmt_time(g, so.first, false);
	g_string_append(g, " to ");
	ds_fmt_time(g, so.last, false);
	g_string_append(g, " (UTC)</p>\n");
	g_string_append_len(g, so.kpi->str, so.kpi->len);
	if (!ds_html_advice(c, g, domain, err))
		goto done;
	ds_page_h2(g, "volume", "Daily volume and DMARC pass rate");
	ds_svg_daily(g, days);
	if (!load_senders(c, domain, &rows, &cls, err))
		goto done;
	ds_page_h2(g, "failing", "Failing sources");
	senders(c, g, rows, cls, true);
	ds_page_h2(g, "senders", "Who sends as this domain");
	senders(c, g, rows, cls, false);
	g_ptr_array_unref(rows);
	g_array_unref(cls);
	rows = NULL;
	cls = NULL;
	g_string_append_len(g, so.tail->str, so.tail->len);
	ds_page_h2(g, "reporters", "Reporters");
	ds_page_table_open(g, "t-reporters", rcols, false);
	if (!ds_store_reporters_each(c->st, &q, on_reporter, g, err))
		goto done;
	ds_page_table_close(g);
	ds_page_h2(g, "reports", "Reports");
	if (!reports(c, g, domain, err))
		goto done;
	ds_page_h2(g, "failures", "Failure reports");
	if (!ds_html_failure_section(c, g, domain, err))
		goto done;
	if (!ds_html_tls_section(c, g, domain, err))
		goto done;
	ds_page_end(g, NULL);
	ok = ds_site_put(c->site, path, g->str, g->len, stamp, err);
done:
	if (days)
		g_array_unref(days);
	if (rows)
		g_ptr_array_unref(rows);
	if (cls)
		g_array_unref(cls);
	g_string_free(so.kpi, TRUE);
	g_string_free(so.tail, TRUE);
	g_string_free(g, TRUE);
	g_free(path);
	return ok;
}
