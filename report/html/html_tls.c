/*
 * html_tls.c - the SMTP TLS section of a domain's dashboard page
 * (RFC 8460 reports): sessions and success rate, per policy and MX
 * pattern, the failure types with their sending MTAs.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #9: every reported string is attacker text and leaves through
 * the escaping cells of html_page.h.
 */
#include "schema/store/store_tls.h"
#include "schema/util/rate.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"

struct tls_walk {
	GString *g;
	enum ds_tls_group grp;
	int64_t reports, ok, failed;
};

/* "a,b" from group_concat as "a, b" (owned by the caller) */
static char *
spaced(const char *s)
{
	char **v, *j;

	if (s == NULL)
		return NULL;
	v = g_strsplit(s, ",", -1);
	j = g_strjoinv(", ", v);
	g_strfreev(v);
	return j;
}

static bool
on_row(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct tls_walk *w = payload;
	GString *g = w->g;

	if (w->grp == DS_TLS_BY_DOMAIN) {
		w->reports += r->reports;
		w->ok += r->successes;
		w->failed += r->failures;
		return true;
	}
	g_string_append(g, "<tr>");
	if (w->grp == DS_TLS_BY_FAILURE) {
		ds_td_mono(g, r->result_type);
		ds_td_int(g, r->failures);
		char *ips = spaced(r->sending_ips), *mx = spaced(r->receiving);

		ds_td_mono(g, ips);
		ds_td_mono(g, mx);
		g_free(ips);
		g_free(mx);
		ds_td_text(g, r->reason_codes);
	} else {
		ds_td_text(g, r->policy_type);
		ds_td_mono(g, r->mx ? r->mx : "(none listed)");
		ds_td_int(g, r->reports);
		ds_td_int(g, r->successes);
		ds_td_int(g, r->failures);
		ds_td_rate(g, r->successes, r->successes + r->failures);
	}
	g_string_append(g, "</tr>\n");
	return true;
}

bool
ds_html_tls_section(struct ds_html_ctx *c, GString *g, const char *domain,
    GError **err)
{
	static const char *const pcols[] = { "Policy", "MX pattern",
	    "#Reports", "#Successful", "#Failed", "#Success rate", NULL };
	static const char *const fcols[] = { "Result type", "#Failed",
	    "Sending MTAs", "Receiving MX", "Reason codes", NULL };
	struct tls_walk w = { g, DS_TLS_BY_DOMAIN, 0, 0, 0 };

	if (!ds_store_tls_each(c->st, DS_TLS_BY_DOMAIN, domain, INT64_MIN,
	    INT64_MAX, on_row, &w, err))
		return false;
	if (w.reports == 0)
		return true;	/* no TLS reports: no section */
	ds_page_h2(g, "tls", "SMTP TLS (RFC 8460 reports)");
	g_string_append(g, "<div class=\"kpis\">\n");
	ds_page_kpi(g, "k-tls-sessions", "TLS sessions", w.ok + w.failed);
	ds_page_kpi_pct(g, "k-tls-rate", "TLS success rate",
	    w.ok + w.failed ? ds_pass_rate(w.ok, w.ok + w.failed) : 100.0);
	ds_page_kpi(g, "k-tls-failed", "TLS failures", w.failed);
	ds_page_kpi(g, "k-tls-reports", "TLS reports", w.reports);
	g_string_append(g, "</div>\n");
	ds_page_table_open(g, "t-tls-mx", pcols, false);
	w.grp = DS_TLS_BY_MX;
	if (!ds_store_tls_each(c->st, DS_TLS_BY_MX, domain, INT64_MIN,
	    INT64_MAX, on_row, &w, err))
		return false;
	ds_page_table_close(g);
	if (w.failed == 0)
		return true;
	g_string_append(g, "<p class=\"note\">Failed sessions by result "
	    "type; <code>dmarcsift doctor</code> gives the fix for each.</p>\n");
	ds_page_table_open(g, "t-tls-failures", fcols, false);
	w.grp = DS_TLS_BY_FAILURE;
	if (!ds_store_tls_each(c->st, DS_TLS_BY_FAILURE, domain, INT64_MIN,
	    INT64_MAX, on_row, &w, err))
		return false;
	ds_page_table_close(g);
	return true;
}
