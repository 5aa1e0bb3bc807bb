/*
 * html_report.c - one page per stored aggregate report (html_build.h):
 * report_metadata, policy_published (RFC 7489 appendix C, RFC 9990),
 * warnings and errors, and its records. A report never changes once
 * stored, so its page is regenerated only when its stamp (size of the
 * report, page revision) differs from the last run (html_site.h).
 * THREATS #9: every field is attacker text, escaped by html_page.h.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_detail.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"

struct todo {
	struct ds_html_ctx *c;
	GArray *ids;		/* int64_t rows whose page must be made */
};

static char *
stamp_of(int64_t records, int64_t messages)
{
	return g_strdup_printf("v" DS_VERSION "r" DS_HTML_REPORT_REV
	    "-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, records, messages);
}

static bool
on_report(const struct ds_report_row *r, void *payload)
{
	struct todo *t = payload;
	char path[64], *stamp = stamp_of(r->records, r->messages);

	g_snprintf(path, sizeof(path), "reports/%" G_GINT64_FORMAT ".html",
	    r->id);
	if (!ds_site_fresh(t->c->site, path, stamp))
		g_array_append_val(t->ids, r->id);
	g_free(stamp);
	return true;
}

static void
meta_table(GString *g, const struct ds_report_detail *d)
{
	const struct ds_report_meta *m = &d->meta;
	char pct[16];

	g_string_append(g, "<div class=\"tw\"><table class=\"kv\" "
	    "id=\"t-meta\">\n");
	ds_tr_kv(g, "Reporter", m->org_name);
	ds_tr_kv(g, "Email", m->email);
	ds_tr_kv(g, "Extra contact", m->extra_contact_info);
	ds_tr_kv(g, "Report ID", m->report_id);
	g_string_append(g, "<tr><th>Period (UTC)</th><td>");
	ds_fmt_time(g, m->begin, true);
	g_string_append(g, " \xe2\x80\x93 ");
	ds_fmt_time(g, m->end, true);
	g_string_append(g, "</td></tr>\n");
	ds_tr_kv(g, "Format", ds_format_name(m->format));
	ds_tr_kv(g, "Generator", m->generator);
	ds_tr_kv(g, "Policy domain", m->domain);
	ds_tr_kv(g, "p", m->p);
	ds_tr_kv(g, "sp", m->sp);
	ds_tr_kv(g, "np", m->np);
	ds_tr_kv(g, "adkim", m->adkim);
	ds_tr_kv(g, "aspf", m->aspf);
	g_snprintf(pct, sizeof(pct), "%d", m->pct);
	ds_tr_kv(g, "pct", m->pct >= 0 ? pct : NULL);
	ds_tr_kv(g, "fo", m->fo);
	ds_tr_kv(g, "testing", m->testing);
	/* d->source (a local path or mailbox URL) stays private */
	g_string_append(g, "</table></div>\n");
}

static void
list(GString *g, const char *id, const char *title, const GPtrArray *a)
{
	guint i;

	if (a == NULL || a->len == 0)
		return;
	ds_page_h2(g, id, title);
	g_string_append(g, "<ul class=\"plain\">\n");
	for (i = 0; i < a->len; i++) {
		g_string_append(g, "<li>");
		ds_html_text(g, g_ptr_array_index(a, i));
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
}

static bool
on_record(const struct ds_record *r, void *payload)
{
	GString *g = payload;
	guint i;

	g_string_append(g, "<tr>");
	ds_td_mono(g, r->source_ip);
	ds_td_int(g, (int64_t)MIN(r->count, (uint64_t)G_MAXINT64));
	ds_td_result(g, r->disposition);
	ds_td_result(g, r->dkim);
	ds_td_result(g, r->spf);
	ds_td_text(g, r->header_from);
	ds_td_text(g, r->envelope_from);
	g_string_append(g, "<td class=\"wrap small\">");
	for (i = 0; r->dkim_results && i < r->dkim_results->len; i++) {
		const struct ds_dkim_result *k = &g_array_index(
		    r->dkim_results, struct ds_dkim_result, i);

		if (i)
			g_string_append(g, "<br>");
		ds_html_cut(g, k->domain);
		if (k->selector) {
			g_string_append(g, " s=");
			ds_html_cut(g, k->selector);
		}
		g_string_append_c(g, ' ');
		ds_fmt_result(g, k->result);
	}
	g_string_append(g, "</td><td class=\"wrap small\">");
	for (i = 0; r->spf_results && i < r->spf_results->len; i++) {
		const struct ds_spf_result *s = &g_array_index(
		    r->spf_results, struct ds_spf_result, i);

		if (i)
			g_string_append(g, "<br>");
		ds_html_cut(g, s->domain);
		if (s->scope) {
			g_string_append(g, " (");
			ds_html_text(g, s->scope);
			g_string_append_c(g, ')');
		}
		g_string_append_c(g, ' ');
		ds_fmt_result(g, s->result);
	}
	g_string_append(g, "</td><td class=\"wrap small\">");
	for (i = 0; r->reasons && i < r->reasons->len; i++) {
		const struct ds_reason *x = &g_array_index(r->reasons,
		    struct ds_reason, i);

		if (i)
			g_string_append(g, "<br>");
		ds_html_text(g, x->type);
		if (x->comment) {
			g_string_append(g, ": ");
			ds_html_text(g, x->comment);
		}
	}
	g_string_append(g, "</td></tr>\n");
	return true;
}

static bool
report_page(struct ds_html_ctx *c, int64_t id, GError **err)
{
	static const char *const cols[] = { "Source IP", "#Count",
	    "Disposition", "DKIM", "SPF", "Header from", "Envelope from",
	    "DKIM results", "SPF results", "Reasons", NULL };
	struct ds_report_detail d;
	GString *g = NULL;
	char path[64], *title = NULL, *dom = NULL, *stamp = NULL;
	unsigned max = c->o->max_records ? c->o->max_records : 2000;
	bool found, ok = false;

	if (!ds_store_report_get(c->st, id, &d, &found, err))
		return false;
	if (!found)
		return true;	/* deleted meanwhile: not listed either */
	g = g_string_sized_new(16384);
	g_snprintf(path, sizeof(path), "reports/%" G_GINT64_FORMAT ".html",
	    id);
	title = g_strdup_printf("%s report for %s",
	    d.meta.org_name ? d.meta.org_name : "?",
	    d.meta.domain ? d.meta.domain : "?");
	ds_page_begin(g, "../", title);
	dom = ds_html_domain_path(d.meta.domain);
	g_string_append(g, "<p class=\"sub\"><a href=\"../");
	ds_html_attr(g, dom);
	g_string_append(g, "\">\xe2\x86\x90 ");
	ds_html_text(g, d.meta.domain);
	g_string_append(g, "</a></p>\n<h1>");
	ds_html_text(g, title);
	g_string_append(g, "</h1>\n<div class=\"kpis\">\n");
	ds_page_kpi(g, "k-records", "Records", d.records);
	ds_page_kpi(g, "k-messages", "Messages", d.messages);
	g_string_append(g, "</div>\n");
	meta_table(g, &d);
	list(g, "warnings", "Warnings (tolerated deviations)",
	    d.meta.warnings);
	list(g, "errors", "Errors reported by the reporter", d.meta.errors);
	ds_page_h2(g, "records", "Records");
	if (d.records > (int64_t)max)
		g_string_append_printf(g, "<p class=\"note\">The first %u of "
		    "%" G_GINT64_FORMAT " records.</p>\n", max, d.records);
	ds_page_table_open(g, "t-records", cols, d.records > 10);
	if (!ds_store_records_each(c->st, id, max, on_record, g, err))
		goto done;
	ds_page_table_close(g);
	ds_page_end(g, NULL);
	stamp = stamp_of(d.records, d.messages);
	ok = ds_site_put(c->site, path, g->str, g->len, stamp, err);
done:
	ds_report_detail_clear(&d);
	g_string_free(g, TRUE);
	g_free(stamp);
	g_free(title);
	g_free(dom);
	return ok;
}

bool
ds_html_report_pages(struct ds_html_ctx *c, GError **err)
{
	struct todo t = { c, g_array_new(FALSE, FALSE, sizeof(int64_t)) };
	struct ds_query q;
	bool ok = false;
	guint i;

	ds_query_init(&q);
	if (!ds_store_reports_each(c->st, &q, on_report, &t, err))
		goto done;
	for (i = 0; i < t.ids->len; i++)
		if (!report_page(c, g_array_index(t.ids, int64_t, i), err))
			goto done;
	ok = true;
done:
	g_array_unref(t.ids);
	return ok;
}
