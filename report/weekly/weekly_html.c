/*
 * weekly_html.c - the weekly report as one HTML document for mail
 * clients (weekly.h): inline CSS only, tables for layout, bars drawn
 * with table cells; no script, no SVG, no image, nothing fetched.
 * THREATS #9: values from reports through html_escape.h; a CSP meta
 * that allows inline styles and nothing else.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "report/html/html_escape.h"
#include "report/html/html_page.h"
#include "report/weekly/weekly.h"

#define FONT "font-family:Arial,Helvetica,sans-serif;"
#define C_FG "#1d2330"
#define C_MUTED "#5f6b7d"
#define C_LINE "#dde1e8"
#define C_PASS "#1f8a4c"
#define C_FAIL "#c23a2b"
#define TD "padding:6px 8px;border-bottom:1px solid " C_LINE ";"
#define TDN TD "text-align:right;white-space:nowrap;"
#define TH "padding:6px 8px;border-bottom:2px solid " C_LINE ";" \
	"text-align:left;font-size:12px;color:" C_MUTED ";"
#define H2 "<h2 style=\"" FONT "font-size:16px;margin:22px 0 8px;color:" \
	C_FG ";\">"

/* "+12.5 %" / "-3" / "new" change of cur against prev. */
static void
change(GString *g, int64_t cur, int64_t prev)
{
	const char *col = C_MUTED;

	if (prev == 0) {
		g_string_append_printf(g, "<span style=\"color:%s;\">%s</span>",
		    col, cur ? "new this week" : "no change");
		return;
	}
	g_string_append_printf(g, "<span style=\"color:%s;\">%+.1f %% vs "
	    "last week (", col, 100.0 * (double)(cur - prev) / (double)prev);
	ds_fmt_int(g, prev);
	g_string_append(g, ")</span>");
}

static void
kpi(GString *g, const char *id, const char *label, int64_t cur,
    int64_t prev)
{
	g_string_append_printf(g, "<td style=\"padding:8px;vertical-align:top;"
	    "width:33%%;\"><div style=\"font-size:12px;color:" C_MUTED ";\">"
	    "%s</div><div id=\"%s\" data-v=\"%" G_GINT64_FORMAT "\" "
	    "style=\"font-size:22px;font-weight:bold;\">", label, id, cur);
	ds_fmt_int(g, cur);
	g_string_append(g, "</div><div style=\"font-size:12px;\">");
	change(g, cur, prev);
	g_string_append(g, "</div></td>");
}

static void
rate_kpi(GString *g, const struct ds_weekly *w)
{
	double r = ds_pass_rate(w->cur.dmarc_pass, w->cur.messages);
	double p = ds_pass_rate(w->prev.dmarc_pass, w->prev.messages);

	if (w->cur.messages == 0) {
		/* no DMARC data is not a 0 % pass rate */
		g_string_append(g, "<td style=\"padding:8px;vertical-align:"
		    "top;width:33%;\"><div style=\"font-size:12px;color:"
		    C_MUTED ";\">DMARC pass rate</div><div id=\"w-rate\" "
		    "style=\"font-size:22px;font-weight:bold;\">no data"
		    "</div></td>");
		return;
	}
	g_string_append_printf(g, "<td style=\"padding:8px;vertical-align:top;"
	    "width:33%%;\"><div style=\"font-size:12px;color:" C_MUTED ";\">"
	    "DMARC pass rate</div><div id=\"w-rate\" data-v=\"%.2f\" "
	    "style=\"font-size:22px;font-weight:bold;color:%s;\">%.1f %%"
	    "</div><div style=\"font-size:12px;color:" C_MUTED ";\">", r,
	    r >= 90 ? C_PASS : C_FAIL, r);
	if (w->prev.messages > 0)
		g_string_append_printf(g, "%+.1f points vs last week "
		    "(%.1f %%)", r - p, p);
	else
		g_string_append(g, "no data last week");
	g_string_append(g, "</div></td>");
}

/* A pass/fail bar of 100 % width made of two table cells. */
static void
bar(GString *g, int64_t pass, int64_t total)
{
	int w = total > 0 ? (int)(100.0 * (double)pass / (double)total + 0.5)
	    : 0;

	if (total <= 0)
		return;
	g_string_append(g, "<table role=\"presentation\" width=\"100%\" "
	    "cellpadding=\"0\" cellspacing=\"0\" style=\"border-collapse:"
	    "collapse;margin:4px 0 2px;\"><tr>");
	if (w > 0)
		g_string_append_printf(g, "<td width=\"%d%%\" height=\"12\" "
		    "bgcolor=\"" C_PASS "\" style=\"background:" C_PASS ";"
		    "height:12px;font-size:0;line-height:0;\">&nbsp;</td>", w);
	if (w < 100)
		g_string_append_printf(g, "<td width=\"%d%%\" height=\"12\" "
		    "bgcolor=\"" C_FAIL "\" style=\"background:" C_FAIL ";"
		    "height:12px;font-size:0;line-height:0;\">&nbsp;</td>",
		    100 - w);
	g_string_append(g, "</tr></table><div style=\"font-size:12px;color:"
	    C_MUTED ";\">green: passing DMARC, red: failing</div>");
}

static void
sender_table(GString *g, const struct ds_weekly *w, const char *id,
    const GPtrArray *a, bool fail)
{
	guint i;

	g_string_append_printf(g, "<table id=\"%s\" role=\"presentation\" "
	    "width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" style=\""
	    FONT "font-size:13px;border-collapse:collapse;\"><tr>"
	    "<th style=\"" TH "\">Source</th><th style=\"" TH "\">Name"
	    "</th><th style=\"" TH "\">Class</th><th style=\"" TH
	    "text-align:right;\">Messages</th>"
	    "<th style=\"" TH "text-align:right;\">%s</th></tr>\n", id,
	    fail ? "Failing" : "Pass rate");
	for (i = 0; i < a->len; i++) {
		const struct ds_sender *s = g_ptr_array_index(a, i);

		g_string_append(g, "<tr><td style=\"" TD "font-family:"
		    "monospace;\">");
		ds_html_text(g, s->key);
		g_string_append(g, "</td><td style=\"" TD "\">");
		ds_html_text(g, s->service ? s->service : s->ptr ? s->ptr :
		    s->as_org ? s->as_org : "\xe2\x80\x93");
		g_string_append(g, "</td><td style=\"" TD "\">");
		ds_html_text(g, w->classes && s->source_ip ?
		    g_hash_table_lookup(w->classes, s->source_ip) : NULL);
		g_string_append(g, "</td><td style=\"" TDN "\">");
		ds_fmt_int(g, s->messages);
		g_string_append(g, "</td><td style=\"" TDN "\">");
		if (fail)
			ds_fmt_int(g, s->dmarc_fail);
		else
			g_string_append_printf(g, "%.1f %%", ds_pass_rate(
			    s->dmarc_pass, s->messages));
		g_string_append(g, "</td></tr>\n");
	}
	g_string_append(g, "</table>\n");
}

static void
text_list(GString *g, const char *id, const GPtrArray *a, bool ordered)
{
	guint i;

	g_string_append_printf(g, "<%s id=\"%s\" style=\"" FONT
	    "font-size:14px;margin:0;padding-left:22px;\">\n",
	    ordered ? "ol" : "ul", id);
	for (i = 0; i < a->len; i++) {
		g_string_append(g, "<li style=\"margin:0 0 6px;\">");
		ds_html_text(g, g_ptr_array_index(a, i));
		g_string_append(g, "</li>\n");
	}
	g_string_append_printf(g, "</%s>\n", ordered ? "ol" : "ul");
}

static void
none(GString *g, const char *text)
{
	g_string_append(g, "<p style=\"" FONT "font-size:14px;color:"
	    C_MUTED ";margin:0;\">");
	g_string_append(g, text);
	g_string_append(g, "</p>\n");
}

static void
sections(GString *g, const struct ds_weekly *w)
{
	guint i;

	g_string_append(g, H2 "What to do</h2>\n");
	text_list(g, "w-todo", w->todo, true);
	g_string_append(g, H2 "New senders this week</h2>\n");
	if (w->new_senders->len)
		sender_table(g, w, "w-new", w->new_senders, false);
	else
		none(g, "No source sent as this domain for the first time.");
	g_string_append(g, H2 "Sources that started failing</h2>\n");
	if (w->new_failing->len)
		sender_table(g, w, "w-newfail", w->new_failing, true);
	else
		none(g, "None.");
	if (w->top_failing->len) {
		g_string_append(g, H2 "Still failing</h2>\n");
		sender_table(g, w, "w-fail", w->top_failing, true);
	}
	g_string_append(g, H2 "Policy</h2>\n<p style=\"" FONT
	    "font-size:14px;margin:0 0 6px;\">Published: <code>");
	ds_html_text(g, w->policy ? w->policy : "unknown (no report)");
	g_string_append(g, "</code></p>\n");
	if (w->policy_changes->len)
		text_list(g, "w-policy", w->policy_changes, false);
	else
		none(g, "No change this week.");
	ds_weekly_tls_html(g, w);
	g_string_append(g, H2 "Reporters that went silent</h2>\n");
	if (w->silent->len == 0) {
		none(g, "None.");
		return;
	}
	g_string_append(g, "<ul id=\"w-silent\" style=\"" FONT
	    "font-size:14px;margin:0;padding-left:22px;\">\n");
	for (i = 0; i < w->silent->len; i++) {
		const struct ds_weekly_silent *s = g_ptr_array_index(w->silent,
		    i);

		g_string_append(g, "<li>");
		ds_html_text(g, s->org_name);
		g_string_append(g, ": last report ended ");
		ds_fmt_time(g, s->last_report, false);
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n");
}

void
ds_weekly_html(GString *g, const struct ds_weekly *w)
{
	char *subj = ds_weekly_subject(w);

	g_string_append(g, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta http-equiv=\"Content-Security-"
	    "Policy\" content=\"default-src 'none'; style-src "
	    "'unsafe-inline'\">\n<meta name=\"viewport\" content=\"width="
	    "device-width, initial-scale=1\">\n<title>");
	ds_html_text(g, subj);
	g_string_append(g, "</title>\n</head>\n<body style=\"margin:0;"
	    "padding:0;background:#f4f5f7;\">\n<table role=\"presentation\" "
	    "width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" "
	    "bgcolor=\"#f4f5f7\"><tr><td align=\"center\" style=\"padding:"
	    "12px;\">\n<table role=\"presentation\" width=\"640\" "
	    "cellpadding=\"0\" cellspacing=\"0\" bgcolor=\"#ffffff\" style=\""
	    "max-width:640px;width:100%;background:#ffffff;border:1px solid "
	    C_LINE ";" FONT "color:" C_FG ";\"><tr><td style=\"padding:16px "
	    "20px;\">\n<h1 id=\"w-domain\" style=\"" FONT "font-size:20px;"
	    "margin:0 0 4px;\">");
	ds_html_text(g, w->domain);
	g_string_append_printf(g, "</h1>\n<p style=\"" FONT "font-size:13px;"
	    "color:" C_MUTED ";margin:0 0 12px;\">Weekly DMARC report, "
	    "<span id=\"w-week\">%s</span> (", w->week);
	ds_fmt_time(g, w->since, false);
	g_string_append(g, " to ");
	ds_fmt_time(g, w->until - DS_DAY, false);
	g_string_append(g, ", UTC)</p>\n<table role=\"presentation\" "
	    "width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" style=\""
	    FONT "\"><tr>");
	kpi(g, "w-messages", "Messages", w->cur.messages, w->prev.messages);
	rate_kpi(g, w);
	kpi(g, "w-failing", "Failing DMARC", w->cur.dmarc_fail,
	    w->prev.dmarc_fail);
	g_string_append(g, "</tr><tr>");
	kpi(g, "w-reports", "Reports", w->cur.reports, w->prev.reports);
	kpi(g, "w-sources", "Source IPs", w->cur.ips, w->prev.ips);
	kpi(g, "w-rejected", "Quarantined or rejected", w->cur.quarantine +
	    w->cur.reject, w->prev.quarantine + w->prev.reject);
	g_string_append(g, "</tr></table>\n");
	bar(g, w->cur.dmarc_pass, w->cur.messages);
	sections(g, w);
	g_string_append(g, "<p style=\"" FONT "font-size:12px;color:" C_MUTED
	    ";margin:24px 0 0;\">Made by dmarcsift " DS_VERSION " from the "
	    "aggregate reports stored for this domain.</p>\n"
	    "</td></tr></table>\n</td></tr></table>\n</body>\n</html>\n");
	g_free(subj);
}
