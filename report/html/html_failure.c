/*
 * html_failure.c - failure (ruf) reports in the dashboard (html_build.h):
 * the list page, one page per report with the reporter's fields, our
 * re-verification and the differences between the two (SPEC sections 2
 * and 3; RFC 5965, RFC 6591, RFC 9991), and the section of a domain
 * page. The forensic sample itself is never put on a page, only some
 * of its headers, and every address on a page is redacted by the one
 * rule (ds_failure_redact_fields: local parts replaced, domains kept,
 * the sample's Subject withheld); the pages are written mode 0640
 * (html_site.c). THREATS #9: all of it is attacker text, escaped
 * through html_page.h / html_escape.h.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_failure.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"

#define LIST_MAX 1000		/* newest failure reports on a list */
#define DOMAIN_MAX 100

static const char *const cols[] = { "#Arrival", "Domain", "Source IP",
    "Reporter",
    "Auth-Failure", "Delivery", "#SPF now", "#DKIM now", "#DMARC now",
    "Differences", NULL };

static char *
stamp_of(const struct ds_failure *f)
{
	return g_strdup_printf("v" DS_VERSION "r" DS_HTML_REPORT_REV "-%"
	    G_GINT64_FORMAT, f->verified_at);
}

/* One table row for f, linked to its page under root. */
static char *
row(const struct ds_failure *f, const char *root)
{
	GString *g = g_string_new("<tr>");
	char href[80];
	guint i;

	g_snprintf(href, sizeof(href), "%sfailures/%" G_GINT64_FORMAT
	    ".html", root, f->id);
	ds_td_time(g, f->event_ts);
	/* the Reported-Domain(s): which domain the failure is about */
	g_string_append(g, "<td class=\"wrap\">");
	for (i = 0; f->reported_domain && i < f->reported_domain->len &&
	    i < 3; i++) {
		if (i)
			g_string_append(g, ", ");
		ds_html_text(g, g_ptr_array_index(f->reported_domain, i));
	}
	g_string_append(g, "</td>");
	g_string_append(g, "<td class=\"mono\"><a href=\"");
	ds_html_attr(g, href);
	g_string_append(g, "\">");
	ds_html_text(g, f->source_ip ? f->source_ip : "(no Source-IP)");
	g_string_append(g, "</a></td>");
	ds_td_text(g, f->reporter);
	ds_td_text(g, f->auth_failure);
	ds_td_text(g, f->delivery_result);
	ds_td_result(g, f->spf_now);
	ds_td_result(g, f->dkim_now);
	ds_td_result(g, f->dmarc_now);
	g_string_append(g, "<td class=\"wrap small\">");
	for (i = 0; f->differences && i < f->differences->len; i++) {
		if (i)
			g_string_append(g, "<br>");
		ds_html_text(g, g_ptr_array_index(f->differences, i));
	}
	g_string_append(g, "</td></tr>\n");
	return g_string_free(g, FALSE);
}

struct walk {
	struct ds_html_ctx *c;
	const char *root;
	GPtrArray *rows;	/* char *, oldest first, at most max */
	unsigned max;
	int64_t seen;
	GArray *todo;		/* int64_t ids whose page must be made */
};

static bool
on_failure(const struct ds_failure *f, void *payload)
{
	struct walk *w = payload;
	char path[64], *stamp;

	if (w->rows->len == w->max)
		g_ptr_array_remove_index(w->rows, 0);
	g_ptr_array_add(w->rows, row(f, w->root));
	w->seen++;
	if (w->todo) {
		g_snprintf(path, sizeof(path), "failures/%" G_GINT64_FORMAT
		    ".html", f->id);
		stamp = stamp_of(f);
		if (!ds_site_fresh(w->c->site, path, stamp))
			g_array_append_val(w->todo, f->id);
		g_free(stamp);
	}
	return true;
}

static void
table(GString *g, const char *id, const struct walk *w)
{
	guint i;

	if (w->rows->len == 0) {
		g_string_append(g, "<p class=\"note\">No failure report "
		    "stored.</p>\n");
		return;
	}
	if (w->seen > w->rows->len)
		g_string_append_printf(g, "<p class=\"note\">The newest %u of %"
		    G_GINT64_FORMAT " failure reports.</p>\n", w->rows->len,
		    w->seen);
	ds_page_table_open(g, id, cols, w->rows->len > 10);
	for (i = w->rows->len; i > 0; i--)
		g_string_append(g, g_ptr_array_index(w->rows, i - 1));
	ds_page_table_close(g);
}

bool
ds_html_failure_section(struct ds_html_ctx *c, GString *g,
    const char *domain, GError **err)
{
	struct walk w = { c, "../", g_ptr_array_new_with_free_func(g_free),
	    DOMAIN_MAX, 0, NULL };
	struct ds_query q;
	bool ok;

	ds_query_init(&q);
	q.domain = domain;
	ok = ds_store_failures_each(c->st, &q, on_failure, &w, err);
	if (ok)
		table(g, "t-failures", &w);
	g_ptr_array_unref(w.rows);
	return ok;
}

static void
fields(GString *g, const struct ds_failure *f)
{
	guint i;

	g_string_append(g, "<div class=\"tw\"><table class=\"kv\" "
	    "id=\"t-fields\">\n");
	ds_tr_kv(g, "Reporter", f->report_from);
	ds_tr_kv(g, "Report subject", f->report_subject);
	ds_tr_kv(g, "Report date", f->report_date);
	ds_tr_kv(g, "Feedback-Type", f->feedback_type);
	ds_tr_kv(g, "User-Agent", f->user_agent);
	ds_tr_kv(g, "Arrival-Date", f->arrival_date);
	ds_tr_kv(g, "Source-IP", f->source_ip);
	for (i = 0; f->reported_domain && i < f->reported_domain->len; i++)
		ds_tr_kv(g, "Reported-Domain", g_ptr_array_index(f->reported_domain,
		    i));
	ds_tr_kv(g, "Original-Mail-From", f->original_mail_from);
	for (i = 0; f->original_rcpt_to && i < f->original_rcpt_to->len; i++)
		ds_tr_kv(g, "Original-Rcpt-To",
		    g_ptr_array_index(f->original_rcpt_to, i));
	ds_tr_kv(g, "Auth-Failure", f->auth_failure);
	ds_tr_kv(g, "Authentication-Results", f->auth_results);
	ds_tr_kv(g, "DKIM-Domain", f->dkim_domain);
	ds_tr_kv(g, "DKIM-Selector", f->dkim_selector);
	ds_tr_kv(g, "Delivery-Result", f->delivery_result);
	ds_tr_kv(g, "Identity-Alignment", f->identity_alignment);
	ds_tr_kv(g, "Sample", ds_sample_kind_name(f->sample_kind));
	ds_tr_kv(g, "Sample From", f->sample_from);
	ds_tr_kv(g, "Sample Subject", f->sample_subject);
	ds_tr_kv(g, "Sample Message-ID", f->sample_message_id);
	ds_tr_kv(g, "Sample Authentication-Results", f->sample_auth_results);
	for (i = 0; f->sample_dkim && i < f->sample_dkim->len; i++)
		ds_tr_kv(g, "Sample DKIM-Signature", g_ptr_array_index(f->sample_dkim,
		    i));
	g_string_append(g, "</table></div>\n");
}

static void
list(GString *g, const char *id, const char *title, const GPtrArray *a)
{
	guint i;

	if (a == NULL || a->len == 0)
		return;
	ds_page_h2(g, id, title);
	g_string_append_printf(g, "<ul class=\"plain\" id=\"l-%s\">\n", id);
	for (i = 0; i < a->len; i++) {
		g_string_append(g, "<li>");
		ds_html_text(g, g_ptr_array_index(a, i));
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
}

static bool
failure_page(struct ds_html_ctx *c, int64_t id, GError **err)
{
	struct ds_failure f;
	GString *g = g_string_sized_new(8192);
	char path[64], *stamp = NULL, *dom = NULL, *title = NULL;
	bool ok = false;

	if (!ds_store_failure_get(c->st, id, true, &f, err))
		goto done;
	/* issue 13: no address leaves unredacted, whatever was stored */
	ds_failure_redact_fields(&f);
	g_snprintf(path, sizeof(path), "failures/%" G_GINT64_FORMAT ".html",
	    id);
	dom = ds_failure_domain(&f);
	title = g_strdup_printf("Failure report from %s about %s",
	    f.reporter ? f.reporter : "?", dom ? dom : "?");
	ds_page_begin(g, "../", title);
	g_string_append(g, "<p class=\"sub\"><a href=\"../failures.html\">"
	    "\xe2\x86\x90 all failure reports</a></p>\n<h1>");
	ds_html_text(g, title);
	g_string_append(g, "</h1>\n");
	ds_page_h2(g, "verify", "Re-verification now");
	g_string_append(g, "<div class=\"kpis\">\n");
	ds_page_kpi_text(g, "k-spf", "SPF now", f.spf_now ? f.spf_now :
	    "not checked");
	ds_page_kpi_text(g, "k-dkim", "DKIM now", f.dkim_now ? f.dkim_now :
	    "not checked");
	ds_page_kpi_text(g, "k-dmarc", "DMARC now", f.dmarc_now ?
	    f.dmarc_now : "not checked");
	g_string_append(g, "</div>\n");
	if (f.verified_at) {
		g_string_append(g, "<p class=\"note\">Checked ");
		ds_fmt_time(g, f.verified_at, true);
		g_string_append(g, " UTC with DNS: ");
		ds_html_text(g, f.dns_mode);
		g_string_append(g, ".</p>\n");
	}
	list(g, "differences", "Where the reporter and we differ",
	    f.differences);
	if (f.verification_text) {
		g_string_append(g, "<pre class=\"raw\" id=\"verification\">");
		ds_html_text(g, f.verification_text);
		g_string_append(g, "</pre>\n");
	}
	ds_page_h2(g, "fields", "What the reporter said");
	fields(g, &f);
	list(g, "warnings", "Warnings", f.warnings);
	ds_page_end(g, "forensic sample bodies are not published");
	stamp = stamp_of(&f);
	ok = ds_site_put(c->site, path, g->str, g->len, stamp, err);
done:
	ds_failure_clear(&f);
	g_string_free(g, TRUE);
	g_free(stamp);
	g_free(title);
	g_free(dom);
	return ok;
}

bool
ds_html_failure_pages(struct ds_html_ctx *c, char **fingerprint,
    GError **err)
{
	struct walk w = { c, "", g_ptr_array_new_with_free_func(g_free),
	    LIST_MAX, 0, g_array_new(FALSE, FALSE, sizeof(int64_t)) };
	GString *g = g_string_sized_new(16384);
	struct ds_query q;
	bool ok = false;
	guint i;

	ds_query_init(&q);
	if (!ds_store_failures_each(c->st, &q, on_failure, &w, err))
		goto done;
	for (i = 0; i < w.todo->len; i++)
		if (!failure_page(c, g_array_index(w.todo, int64_t, i), err))
			goto done;
	ds_page_begin(g, "", "Failure reports");
	g_string_append(g, "<h1>Failure reports</h1>\n<p class=\"sub\">"
	    "Reports of single messages that failed (ruf), with what "
	    "dmarcsift found when it checked them again.</p>\n");
	table(g, "t-failures", &w);
	ds_page_end(g, NULL);
	if (!ds_site_put(c->site, "failures.html", g->str, g->len, NULL, err))
		goto done;
	/* what the domain pages show of it changes with this */
	*fingerprint = g_compute_checksum_for_string(G_CHECKSUM_SHA256,
	    g->str, (gssize)g->len);
	(*fingerprint)[12] = '\0';
	ok = true;
done:
	g_string_free(g, TRUE);
	g_ptr_array_unref(w.rows);
	g_array_unref(w.todo);
	return ok;
}
