/*
 * html_report.c - one stored aggregate report as a section of its
 * month page (html_month.c, html_build.h): report_metadata,
 * policy_published (RFC 7489 appendix C, RFC 9990), warnings and
 * errors, and its first records in a collapsed table. Every id in the
 * section carries the report's row id, so a month page holds many.
 * THREATS #9: every field is attacker text, escaped by html_page.h.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_detail.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"

static void
meta_table(GString *g, const struct ds_report_detail *d)
{
	const struct ds_report_meta *m = &d->meta;
	char pct[16];

	g_string_append_printf(g, "<div class=\"tw\"><table class=\"kv\" "
	    "id=\"t-meta-%" G_GINT64_FORMAT "\">\n", d->id);
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
list(GString *g, const char *id, int64_t rid, const char *title,
    const GPtrArray *a)
{
	guint i;

	if (a == NULL || a->len == 0)
		return;
	g_string_append_printf(g, "<h3 id=\"%s-%" G_GINT64_FORMAT "\">", id,
	    rid);
	ds_html_text(g, title);
	g_string_append(g, "</h3>\n<ul class=\"plain\">\n");
	for (i = 0; i < a->len; i++) {
		g_string_append(g, "<li>");
		ds_html_text(g, g_ptr_array_index(a, i));
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
}

/* The page being written and the records written to it. */
struct shown {
	GString *g;
	int64_t n;
};

static bool
on_record(const struct ds_record *r, void *payload)
{
	struct shown *sh = payload;
	GString *g = sh->g;
	guint i;

	sh->n++;
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

bool
ds_html_report_section(struct ds_html_ctx *c, GString *g, int64_t id,
    unsigned *budget, GError **err)
{
	static const char *const cols[] = { "Source IP", "#Count",
	    "Disposition", "DKIM", "SPF", "Header from", "Envelope from",
	    "DKIM results", "SPF results", "Reasons", NULL };
	struct ds_report_detail d;
	struct shown sh = { g, 0 };
	char tid[48];
	unsigned max = c->o->max_records ? c->o->max_records :
	    DS_HTML_MAX_RECORDS;
	bool found, ok = false;

	if (!ds_store_report_get(c->st, id, &d, &found, err))
		return false;
	if (!found)
		return true;	/* deleted meanwhile: the next run drops it */
	if (max > *budget)
		max = *budget;
	g_string_append_printf(g, "<section class=\"report\" id=\"report-%"
	    G_GINT64_FORMAT "\">\n<h2>", id);
	ds_html_text(g, d.meta.org_name ? d.meta.org_name : "?");
	g_string_append(g, " <span class=\"muted small\">");
	ds_html_text(g, d.meta.report_id);
	g_string_append(g, "</span></h2>\n<div class=\"kpis\">\n");
	g_snprintf(tid, sizeof(tid), "k-records-%" G_GINT64_FORMAT, id);
	ds_page_kpi(g, tid, "Records", d.records);
	g_snprintf(tid, sizeof(tid), "k-messages-%" G_GINT64_FORMAT, id);
	ds_page_kpi(g, tid, "Messages", d.messages);
	g_string_append(g, "</div>\n");
	list(g, "warnings", id, "Warnings (tolerated deviations)",
	    d.meta.warnings);
	list(g, "errors", id, "Errors reported by the reporter",
	    d.meta.errors);
	g_string_append(g, "<details><summary>Metadata and published "
	    "policy</summary>\n");
	meta_table(g, &d);
	g_string_append(g, "</details>\n");
	/* open when short: a long table stays one click away */
	g_string_append_printf(g, "<details%s><summary>Records (",
	    d.records <= 10 ? " open" : "");
	ds_fmt_int(g, d.records);
	g_string_append(g, ")</summary>\n");
	if (d.records > (int64_t)max)
		g_string_append_printf(g, "<p class=\"note\">The first %u of "
		    "%" G_GINT64_FORMAT " records%s.</p>\n", max, d.records,
		    max < *budget ? " (--max-records)" : ": this month's page "
		    "shows no more");
	g_snprintf(tid, sizeof(tid), "t-records-%" G_GINT64_FORMAT, id);
	ds_page_table_open(g, tid, cols, d.records > 10 && max > 10);
	if (max > 0 && !ds_store_records_each(c->st, id, max, on_record, &sh,
	    err))
		goto done;
	ds_page_table_close(g);
	*budget -= (unsigned)sh.n;
	if (sh.n == 0 && d.records > 0 && max > 0)
		g_string_append(g, "<p class=\"note pruned\">The "
		    "records of this report were pruned (dmarcsift prune "
		    "--raw-older-than); its totals above stay.</p>\n");
	g_string_append(g, "</details>\n</section>\n");
	ok = true;
done:
	ds_report_detail_clear(&d);
	return ok;
}
