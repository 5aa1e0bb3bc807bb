/*
 * weekly_tls.c - the SMTP TLS part of the weekly report (RFC 8460
 * reports of the week): sessions, success rate and the failure types,
 * in the HTML and the text part; nothing when no TLS report came.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #9: reported strings are escaped (HTML) or made one-line and
 * control-free (text).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_tls.h"
#include "schema/util/rate.h"
#include "report/doctor/doctor.h"
#include "report/html/html_escape.h"
#include "report/weekly/weekly.h"

#define FONT "font-family:Arial,Helvetica,sans-serif;"
#define H2 "<h2 style=\"" FONT "font-size:16px;margin:22px 0 8px;" \
	"color:#1d2330;\">"
#define TOP_TYPES 5

static bool
on_total(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct ds_weekly_tls *t = payload;

	t->reports += r->reports;
	t->ok += r->successes;
	t->failed += r->failures;
	return true;
}

struct fail_walk {
	struct ds_weekly_tls *t;
	const char *domain;
};

/*
 * One failure type of the week: sessions, receiving MX hosts, what it
 * means and doctor's fix for it (ds_doctor_tls_fix: one text for both).
 */
static bool
on_failure(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct fail_walk *fw = payload;
	struct ds_weekly_tls *t = fw->t;
	const char *what;
	char *fix, **mx, *mxs;
	bool known;

	(void)err;
	if (t->failures->len >= TOP_TYPES)
		return true;
	fix = ds_doctor_tls_fix(r->result_type, fw->domain, &what, &known);
	mx = g_strsplit(r->receiving ? r->receiving : "", ",", -1);
	mxs = g_strjoinv(", ", mx);
	g_ptr_array_add(t->failures, g_strdup_printf("%s: %" G_GINT64_FORMAT
	    " failed session%s%s%s (%s). Fix: %s", r->result_type ?
	    r->result_type : "(none)", r->failures, r->failures == 1 ? "" :
	    "s", *mxs ? " to MX " : "", mxs, what, fix));
	g_free(mxs);
	g_strfreev(mx);
	g_free(fix);
	return true;
}

bool
ds_weekly_tls_compute(struct ds_store *st, struct ds_weekly *w,
    GError **err)
{
	struct fail_walk fw = { &w->tls, w->domain };

	w->tls.failures = g_ptr_array_new_with_free_func(g_free);
	return ds_store_tls_each(st, DS_TLS_BY_DOMAIN, w->domain, w->since,
	    w->until, on_total, &w->tls, err) &&
	    ds_store_tls_each(st, DS_TLS_BY_FAILURE, w->domain, w->since,
	    w->until, on_failure, &fw, err);
}

static double
rate(const struct ds_weekly_tls *t)
{
	return t->ok + t->failed ? ds_pass_rate(t->ok, t->ok + t->failed) :
	    100.0;
}

void
ds_weekly_tls_html(GString *g, const struct ds_weekly *w)
{
	const struct ds_weekly_tls *t = &w->tls;
	guint i;

	if (t->reports == 0)
		return;
	g_string_append(g, H2 "SMTP TLS</h2>\n<p id=\"w-tls\" style=\"" FONT
	    "font-size:14px;margin:0 0 6px;\">");
	g_string_append_printf(g, "%" G_GINT64_FORMAT " sessions to your MX "
	    "hosts in %" G_GINT64_FORMAT " TLS report%s, %.1f %% over TLS "
	    "as the policy asks, %" G_GINT64_FORMAT " failed.</p>\n",
	    t->ok + t->failed, t->reports, t->reports == 1 ? "" : "s",
	    rate(t), t->failed);
	if (t->failures->len == 0)
		return;
	g_string_append(g, "<ul id=\"w-tls-failures\" style=\"" FONT
	    "font-size:14px;margin:0;padding-left:22px;\">\n");
	for (i = 0; i < t->failures->len; i++) {
		g_string_append(g, "<li>");
		ds_html_text(g, g_ptr_array_index(t->failures, i));
		g_string_append(g, "</li>\n");
	}
	g_string_append(g, "</ul>\n<p style=\"" FONT "font-size:13px;"
	    "color:#5f6b7d;\">The evidence (sending MTAs, reason codes): "
	    "<code>dmarcsift doctor ");
	ds_html_text(g, w->domain);
	g_string_append(g, "</code></p>\n");
}

void
ds_weekly_tls_text(GString *g, const struct ds_weekly *w)
{
	const struct ds_weekly_tls *t = &w->tls;
	char *q;
	guint i;

	if (t->reports == 0)
		return;
	g_string_append_printf(g, "\nSMTP TLS\n  %" G_GINT64_FORMAT
	    " sessions in %" G_GINT64_FORMAT " TLS report%s, %.1f %% "
	    "successful, %" G_GINT64_FORMAT " failed\n", t->ok + t->failed,
	    t->reports, t->reports == 1 ? "" : "s", rate(t), t->failed);
	for (i = 0; i < t->failures->len; i++) {
		const char *s = g_ptr_array_index(t->failures, i);

		q = ds_quote(s, strlen(s), 1024);
		g_string_append_printf(g, "  %s\n", q);
		g_free(q);
	}
}
