/*
 * html_advice.c - the decision part of a domain page (issue 12): the
 * policy as a timeline (store_policy.h, the current one last, weakenings
 * marked), doctor's findings with their fixes and the readiness for an
 * enforced policy (report/doctor), and the sources by class
 * (report/classify). The same code the commands run, so the dashboard
 * never tells another story. THREATS #9: all text escaped.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_policy.h"
#include "report/doctor/doctor.h"
#include "report/html/html_advice.h"
#include "report/html/html_page.h"

static void
timeline(GString *g, const GArray *tl)
{
	static const char *const cols[] = { "Policy", "#Since", "#Until",
	    "#Reports", "Change", NULL };
	guint i;

	if (tl == NULL || tl->len == 0) {
		g_string_append(g, "<p class=\"note\">No policy reported."
		    "</p>\n");
		return;
	}
	{
		const struct ds_policy_span *cur = &g_array_index(tl,
		    struct ds_policy_span, tl->len - 1);
		char *t = ds_policy_span_text(cur);

		g_string_append(g, "<p id=\"policy-current\">Current policy "
		    "(latest report): <code>");
		ds_html_text(g, t);
		g_string_append(g, "</code></p>\n");
		g_free(t);
	}
	ds_page_table_open(g, "t-timeline", cols, false);
	for (i = 0; i < tl->len; i++) {
		const struct ds_policy_span *p = &g_array_index(tl,
		    struct ds_policy_span, i);
		const char *what = NULL;
		char *t = ds_policy_span_text(p);

		g_string_append(g, "<tr>");
		ds_td_mono(g, t);
		ds_td_day(g, p->since);
		ds_td_day(g, p->until);
		ds_td_int(g, p->reports);
		if (i > 0 && ds_policy_weaker(&g_array_index(tl,
		    struct ds_policy_span, i - 1), p, &what)) {
			g_string_append(g, "<td class=\"warn\">weakened: ");
			ds_html_text(g, what);
			g_string_append(g, "</td>");
		} else
			ds_td_text(g, i > 0 ? "changed" : "");
		g_string_append(g, "</tr>\n");
		g_free(t);
	}
	ds_page_table_close(g);
}

static void
classes(GString *g, const struct ds_class_totals *t)
{
	static const char *const cols[] = { "Class", "#Sources",
	    "#Messages", "#Failing", "What it means", NULL };
	static const char *const means[DS_CLASS_COUNT] = {
		"your own servers",
		"sending services sending as the domain",
		"forwarders and mailing lists: not yours to fix",
		"nothing authenticates them: what a policy blocks",
	};
	int c;

	ds_page_table_open(g, "t-classes", cols, false);
	for (c = 0; c < DS_CLASS_COUNT; c++) {
		g_string_append(g, "<tr>");
		ds_td_text(g, ds_class_name(c));
		ds_td_int(g, t->sources[c]);
		ds_td_int(g, t->messages[c]);
		ds_td_int(g, t->failing[c]);
		ds_td_text(g, means[c]);
		g_string_append(g, "</tr>\n");
	}
	ds_page_table_close(g);
}

static void
findings(GString *g, const struct ds_doctor *d)
{
	static const char *const cols[] = { "Severity", "Finding", "Fix",
	    NULL };
	guint i;

	if (d->findings->len == 0) {
		g_string_append(g, "<p class=\"note\" id=\"t-findings\">No "
		    "findings.</p>\n");
		return;
	}
	ds_page_table_open(g, "t-findings", cols, false);
	for (i = 0; i < d->findings->len; i++) {
		const struct ds_finding *f = d->findings->pdata[i];

		g_string_append(g, "<tr>");
		ds_td_result(g, ds_sev_name(f->sev));
		g_string_append(g, "<td class=\"wrap\"><code>");
		ds_html_text(g, f->code);
		g_string_append(g, "</code><br>");
		ds_html_text(g, f->message);
		g_string_append(g, "</td><td class=\"wrap small\">");
		ds_html_text(g, f->fix ? f->fix : "");
		g_string_append(g, "</td></tr>\n");
	}
	ds_page_table_close(g);
}

bool
ds_html_advice(struct ds_html_ctx *c, GString *g, const char *domain,
    GError **err)
{
	const struct ds_html_opts *o = c->o;
	struct ds_decl *decl = NULL;
	struct ds_dns *off = NULL, *dns = o->dns;
	struct ds_doctor d;
	struct ds_query q;
	GArray *tl = NULL;
	bool ok = false, inited = false;

	ds_query_init(&q);
	q.domain = domain;
	if (!ds_store_policy_timeline(c->st, &q, &tl, err) ||
	    !ds_decl_from_conf(&decl, o->conf, domain, err))
		goto done;
	ds_page_h2(g, "policy", "Policy");
	timeline(g, tl);
	/* doctor over the last 30 days of reports, as `dmarcsift doctor` */
	q.until = o->now ? o->now : g_get_real_time() / G_USEC_PER_SEC;
	q.since = q.until - 30 * 86400;
	if (dns == NULL && (dns = off = ds_dns_new(DS_DNS_OFF, NULL,
	    err)) == NULL)
		goto done;
	inited = true;
	if (!ds_doctor_init(&d, c->st, dns, domain, &q, q.until, decl,
	    err) || !ds_doctor_run(&d, err))
		goto done;
	ds_page_h2(g, "classes", "Sources by class (last 30 days)");
	classes(g, &d.classes);
	ds_page_h2(g, "findings", "What to do (doctor, last 30 days)");
	findings(g, &d);
	ok = true;
done:
	if (inited)
		ds_doctor_release(&d);
	if (tl != NULL)
		g_array_unref(tl);
	ds_decl_free(decl);
	ds_dns_free(off);
	return ok;
}
