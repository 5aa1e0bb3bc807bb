/*
 * html_page.c - page frame, headline numbers and table cells of the
 * static dashboard (html_page.h). THREATS #9: a Content-Security-Policy
 * meta on every page; every value from a report goes through
 * html_escape.h.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/rate.h"
#include "report/html/html_page.h"
#include "schema/store/store_senders.h"

void
ds_page_begin(GString *g, const char *root, const char *title)
{
	g_string_append(g, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta http-equiv=\"Content-Security-Policy\" content=\""
	    DS_HTML_CSP "\">\n"
	    "<meta name=\"referrer\" content=\"no-referrer\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n"
	    "<meta name=\"color-scheme\" content=\"light dark\">\n"
	    "<meta name=\"generator\" content=\"dmarcsift " DS_VERSION
	    "\">\n<title>");
	ds_html_text(g, title);
	g_string_append(g, " \xe2\x80\x93 dmarcsift</title>\n"
	    "<link rel=\"stylesheet\" href=\"");
	g_string_append(g, root);
	g_string_append(g, DS_HTML_CSS "\">\n<script src=\"");
	g_string_append(g, root);
	g_string_append(g, DS_HTML_JS "\" defer></script>\n<script src=\"");
	g_string_append(g, root);
	g_string_append(g, DS_HTML_GEN_JS "\" defer></script>\n</head>\n"
	    "<body>\n"
	    "<header class=\"top\"><a class=\"brand\" href=\"");
	g_string_append(g, root);
	g_string_append(g, "index.html\">dmarcsift</a><nav><a href=\"");
	g_string_append(g, root);
	g_string_append(g, "index.html\">Domains</a><a href=\"");
	g_string_append(g, root);
	g_string_append(g, "failures.html\">Failure reports</a></nav>"
	    "</header>\n<main>\n");
}

void
ds_page_end(GString *g, const char *note)
{
	g_string_append(g, "</main>\n<footer>Made by dmarcsift " DS_VERSION
	    " from stored DMARC reports");
	if (note) {
		g_string_append(g, " \xc2\xb7 ");
		ds_html_text(g, note);
	}
	/* filled in by generated.js: the time of the latest build */
	g_string_append(g, "<span id=\"ds-generated\"></span>. Static "
	    "page: nothing is fetched.</footer>\n</body>\n</html>\n");
}

void
ds_page_h2(GString *g, const char *id, const char *text)
{
	g_string_append_printf(g, "<h2 id=\"%s\">", id);
	ds_html_text(g, text);
	g_string_append(g, "</h2>\n");
}

static void
kpi_open(GString *g, const char *id, const char *label)
{
	g_string_append_printf(g, "<div class=\"kpi\" id=\"%s\">"
	    "<div class=\"l\">", id);
	ds_html_text(g, label);
	g_string_append(g, "</div>");
}

void
ds_page_kpi(GString *g, const char *id, const char *label, int64_t value)
{
	kpi_open(g, id, label);
	g_string_append_printf(g, "<div class=\"v\" data-v=\"%" G_GINT64_FORMAT
	    "\">", value);
	ds_fmt_int(g, value);
	g_string_append(g, "</div></div>\n");
}

void
ds_page_kpi_pct(GString *g, const char *id, const char *label, double pct)
{
	kpi_open(g, id, label);
	g_string_append_printf(g, "<div class=\"v\" data-v=\"%.2f\">%.1f %%"
	    "</div></div>\n", pct, pct);
}

void
ds_page_kpi_text(GString *g, const char *id, const char *label,
    const char *text)
{
	kpi_open(g, id, label);
	g_string_append(g, "<div class=\"v\">");
	ds_html_text(g, text);
	g_string_append(g, "</div></div>\n");
}

void
ds_page_table_open(GString *g, const char *id,
    const char *const *cols, bool filter)
{
	g_string_append_printf(g, "<div class=\"tw\"><table class=\"sortable\""
	    " id=\"%s\"%s>\n<thead><tr>", id, filter ? " data-filter" : "");
	for (; *cols; cols++) {
		if ((*cols)[0] == '#') {
			g_string_append(g, "<th class=\"n\">");
			ds_html_text(g, *cols + 1);
		} else {
			g_string_append(g, "<th>");
			ds_html_text(g, *cols);
		}
		g_string_append(g, "</th>");
	}
	g_string_append(g, "</tr></thead>\n<tbody>\n");
}

void
ds_page_table_close(GString *g)
{
	g_string_append(g, "</tbody></table></div>\n");
}

void
ds_html_cut(GString *g, const char *s)
{
	g_string_append(g, "<span class=\"cut\" title=\"");
	ds_html_attr(g, s ? s : "");
	g_string_append(g, "\">");
	ds_html_text(g, s);
	g_string_append(g, "</span>");
}

void
ds_td_text(GString *g, const char *s)
{
	g_string_append(g, "<td class=\"wrap\">");
	ds_html_text(g, s);
	g_string_append(g, "</td>");
}

void
ds_td_mono(GString *g, const char *s)
{
	g_string_append(g, "<td class=\"mono\">");
	ds_html_text(g, s);
	g_string_append(g, "</td>");
}

void
ds_td_int(GString *g, int64_t v)
{
	g_string_append_printf(g, "<td class=\"n\" data-v=\"%" G_GINT64_FORMAT
	    "\">", v);
	ds_fmt_int(g, v);
	g_string_append(g, "</td>");
}

void
ds_td_day(GString *g, int64_t t)
{
	g_string_append_printf(g, "<td class=\"n\" data-v=\"%" G_GINT64_FORMAT
	    "\">", t);
	ds_fmt_time(g, t, false);
	g_string_append(g, "</td>");
}

void
ds_td_time(GString *g, int64_t t)
{
	g_string_append_printf(g, "<td class=\"n\" data-v=\"%" G_GINT64_FORMAT
	    "\">", t);
	ds_fmt_time(g, t, true);
	g_string_append(g, "</td>");
}

void
ds_td_rate(GString *g, int64_t pass, int64_t messages)
{
	double r = ds_pass_rate(pass, messages);
	double w = r < 0 ? 0 : r > 100 ? 100 : r;

	g_string_append_printf(g, "<td class=\"n\" data-v=\"%.3f\">", r);
	if (messages <= 0) {
		g_string_append(g, "\xe2\x80\x93</td>");
		return;
	}
	g_string_append_printf(g, "%.1f %%<svg class=\"rate\" viewBox=\"0 0 "
	    "100 10\" aria-hidden=\"true\"><rect class=\"bg\" width=\"100\" "
	    "height=\"10\" rx=\"2\"/><rect class=\"%s\" width=\"%.1f\" "
	    "height=\"10\" rx=\"2\"/></svg></td>", r, r >= 90 ? "ok" : "bad",
	    w);
}

void
ds_td_link(GString *g, const char *href, const char *text)
{
	g_string_append(g, "<td class=\"wrap\"><a href=\"");
	ds_html_attr(g, href);
	g_string_append(g, "\">");
	ds_html_text(g, text);
	g_string_append(g, "</a></td>");
}

void
ds_tr_kv(GString *g, const char *k, const char *v)
{
	g_string_append(g, "<tr><th>");
	ds_html_text(g, k);
	g_string_append(g, "</th><td class=\"wrap\">");
	ds_html_text(g, v ? v : "\xe2\x80\x93");
	g_string_append(g, "</td></tr>\n");
}

void
ds_td_result(GString *g, const char *s)
{
	g_string_append(g, "<td>");
	ds_fmt_result(g, s);
	g_string_append(g, "</td>");
}

void
ds_fmt_int(GString *g, int64_t v)
{
	char *s;

	if (v < 0) { /* a difference, never a count */
		g_string_append_c(g, '-');
		v = v == INT64_MIN ? INT64_MAX : -v;
	}
	s = ds_count_str(v, false, ',');
	g_string_append(g, s);
	g_free(s);
}

void
ds_fmt_time(GString *g, int64_t t, bool with_time)
{
	GDateTime *dt;
	char *s;

	if (t == 0 || (dt = g_date_time_new_from_unix_utc(t)) == NULL) {
		g_string_append(g, "\xe2\x80\x93");
		return;
	}
	s = g_date_time_format(dt, with_time ? "%Y-%m-%d %H:%M" : "%Y-%m-%d");
	g_string_append(g, s);
	g_free(s);
	g_date_time_unref(dt);
}

void
ds_fmt_result(GString *g, const char *word)
{
	const char *cls = "tag";

	if (word == NULL) {
		g_string_append(g, "\xe2\x80\x93");
		return;
	}
	if (strcmp(word, "pass") == 0)
		cls = "pass";
	else if (strcmp(word, "fail") == 0 || strcmp(word, "reject") == 0 ||
	    strcmp(word, "permerror") == 0 || strcmp(word, "softfail") == 0)
		cls = "fail";
	else if (strcmp(word, "quarantine") == 0 ||
	    strcmp(word, "temperror") == 0)
		cls = "warn";
	g_string_append_printf(g, "<span class=\"%s\">", cls);
	ds_html_text(g, word);
	g_string_append(g, "</span>");
}
