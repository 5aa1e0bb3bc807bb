/*
 * html_build.c - "dmarcsift html": assets, the index page, and the
 * order of the build (html_build.h). THREATS #9: every value from a
 * report goes through html_escape.h; CSP on every page (html_page.c).
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/store/store_tls.h"
#include "report/html/html_build.h"
#include "report/html/html_page.h"
#include "report/html/html_svg.h"

/* A domain of the index, copied out of the ds_store_domains_each call. */
struct dom {
	char *domain;
	int64_t reports, reporters, messages, dmarc_pass;
	int64_t first_report, last_report;
	bool tls_only;		/* only SMTP TLS reports name it */
};

static void
dom_free(gpointer p)
{
	struct dom *d = p;

	g_free(d->domain);
	g_free(d);
}

static bool
collect_domain(const struct ds_domain_row *r, void *payload)
{
	struct dom *d = g_new0(struct dom, 1);

	d->domain = g_strdup(r->domain);
	d->reports = r->reports;
	d->reporters = r->reporters;
	d->messages = r->messages;
	d->dmarc_pass = r->dmarc_pass;
	d->first_report = r->first_report;
	d->last_report = r->last_report;
	g_ptr_array_add(payload, d);
	return true;
}

/* A policy domain of the TLS reports that no DMARC report names. */
static bool
collect_tls_domain(const struct ds_tls_row *r, void *payload, GError **err)
{
	GPtrArray *doms = payload;
	struct dom *d;
	guint i;

	(void)err;
	if (r->domain == NULL || *r->domain == '\0')
		return true;
	for (i = 0; i < doms->len; i++)
		if (g_ascii_strcasecmp(((struct dom *)doms->pdata[i])->domain,
		    r->domain) == 0)
			return true;
	d = g_new0(struct dom, 1);
	d->domain = g_ascii_strdown(r->domain, -1);
	d->tls_only = true;
	g_ptr_array_add(doms, d);
	return true;
}

char *
ds_html_domain_path(const char *domain)
{
	char *slug = ds_html_slug(domain), *p;

	p = g_strdup_printf("domains/%s.html", slug);
	g_free(slug);
	return p;
}

/*
 * What a domain page is made from, in short: its totals over all time
 * and the UTC day (so names behind the IPs, which expire, are looked up
 * again at least daily), and the failure reports' fingerprint. Same
 * stamp, same data: the page is kept without
 * running the domain's queries again (the senders of a domain with
 * 500,000 records take tens of seconds).
 */
static char *
domain_stamp(const struct dom *d, const char *failures, int64_t now,
    const int64_t tls[3])
{
	return g_strdup_printf("v" DS_VERSION "r" DS_HTML_DOMAIN_REV "-%"
	    G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%"
	    G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-d%"
	    G_GINT64_FORMAT "-f%s-t%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT
	    "-%" G_GINT64_FORMAT, d->reports, d->reporters, d->messages,
	    d->dmarc_pass, d->first_report, d->last_report,
	    now / DS_DAY, failures, tls[0], tls[1], tls[2]);
}

static bool
tls_total(const struct ds_tls_row *r, void *payload, GError **err)
{
	int64_t *t = payload;

	t[0] += r->reports;
	t[1] += r->successes;
	t[2] += r->failures;
	return true;
}

/*
 * generated.js: the build time (UTC, from now: $DMARCSIFT_NOW makes it
 * reproducible) written into every page's footer. The one file that
 * changes on every run with a new time.
 */
static bool
put_generated(struct ds_site *site, int64_t now, GError **err)
{
	GDateTime *t = g_date_time_new_from_unix_utc(now);
	char *when = t ? g_date_time_format(t, "%Y-%m-%d %H:%M:%S UTC") :
	    g_strdup("(unknown)");
	char *js = g_strdup_printf("/*\n * " DS_HTML_GEN_JS " - written by "
	    "every \"dmarcsift html\" run: when the site was\n * generated. "
	    "Pages whose content did not change keep their bytes\n * and read "
	    "the time from here.\n */\n(function () {\n\t\"use strict\";"
	    "\n\tvar e = document.getElementById(\"ds-generated\");\n\n"
	    "\tif (e)\n\t\te.textContent = \" \\u00b7 generated at %s\";\n"
	    "})();\n", when);
	bool ok = ds_site_put(site, DS_HTML_GEN_JS, js, strlen(js), NULL, err);

	g_free(js);
	g_free(when);
	if (t)
		g_date_time_unref(t);
	return ok;
}

/* Copy every embedded web-static/ file to the site root. */
static bool
put_assets(struct ds_site *site, GError **err)
{
	const struct ds_embed *e;

	for (e = ds_assets; e->name != NULL; e++)
		if (!ds_site_put(site, e->name, e->data, e->len, NULL, err))
			return false;
	return true;
}

/*
 * What the index is made from: every domain's totals (the daily series
 * follow the reports). Same stamp, same page: a rerun with nothing new
 * does not read the day rollups of every domain again.
 */
static char *
index_stamp(const GPtrArray *doms)
{
	GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
	char *stamp;
	guint i;

	for (i = 0; i < doms->len; i++) {
		const struct dom *d = g_ptr_array_index(doms, i);
		char *line = g_strdup_printf("%s %" G_GINT64_FORMAT " %"
		    G_GINT64_FORMAT " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
		    " %" G_GINT64_FORMAT " %" G_GINT64_FORMAT " %d\n",
		    d->domain, d->reports, d->reporters, d->messages,
		    d->dmarc_pass, d->first_report, d->last_report,
		    d->tls_only);

		g_checksum_update(h, (const guchar *)line, -1);
		g_free(line);
	}
	stamp = g_strdup_printf("v" DS_VERSION "r" DS_HTML_DOMAIN_REV "-%.32s",
	    g_checksum_get_string(h));
	g_checksum_free(h);
	return stamp;
}

static bool
index_page(struct ds_html_ctx *c, GPtrArray *doms, GError **err)
{
	static const char *const cols[] = { "Domain", "#Messages",
	    "#DMARC pass", "#DMARC fail", "#Pass rate", "Volume", "#Reports",
	    "#Reporters", "#First report", "#Last report", NULL };
	GString *g;
	struct ds_query q;
	GArray *days = NULL;
	int64_t msgs = 0, pass = 0, reports = 0, fail;
	char *stamp = index_stamp(doms);
	bool ok = false;
	guint i;

	if (ds_site_fresh(c->site, "index.html", stamp)) {
		g_free(stamp);
		return true;
	}
	g = g_string_sized_new(16384);

	for (i = 0; i < doms->len; i++) {
		struct dom *d = g_ptr_array_index(doms, i);

		ds_count_add(&msgs, d->messages);
		ds_count_add(&pass, d->dmarc_pass);
		ds_count_add(&reports, d->reports);
	}
	ds_page_begin(g, "", "DMARC domains");
	g_string_append(g, "<h1>DMARC domains</h1>\n<div class=\"kpis\">\n");
	ds_page_kpi(g, "k-domains", "Domains", doms->len);
	ds_page_kpi(g, "k-messages", "Messages reported", msgs);
	ds_page_kpi_pct(g, "k-rate", "DMARC pass rate",
	    ds_pass_rate(pass, msgs));
	ds_count_sub(&fail, msgs, pass);
	ds_page_kpi(g, "k-fail", "Failing DMARC", fail);
	ds_page_kpi(g, "k-reports", "Aggregate reports", reports);
	g_string_append(g, "</div>\n");
	ds_query_init(&q);
	if (!ds_store_daily(c->st, &q, &days, err))
		goto done;
	ds_page_h2(g, "volume", "Volume and pass rate, all domains");
	ds_svg_daily(g, days);
	g_array_unref(days);
	days = NULL;
	ds_page_h2(g, "domains", "Domains");
	if (doms->len == 0)
		g_string_append(g, "<p class=\"note\">No aggregate reports "
		    "stored yet: run <code>dmarcsift ingest</code> or "
		    "<code>dmarcsift poll</code>.</p>\n");
	else
		ds_page_table_open(g, "t-domains", cols, doms->len > 10);
	for (i = 0; i < doms->len; i++) {
		struct dom *d = g_ptr_array_index(doms, i);
		char *href = ds_html_domain_path(d->domain);

		q.domain = d->domain;
		if (!ds_store_daily(c->st, &q, &days, err)) {
			g_free(href);
			goto done;
		}
		g_string_append(g, "<tr>");
		ds_td_link(g, href, d->domain);
		if (d->tls_only) {
			/* no DMARC report: no figures, not zeros */
			g_string_append(g, "<td class=\"note\" colspan=\"9\">"
			    "no DMARC reports; SMTP TLS reports only</td></tr>\n");
			g_array_unref(days);
			days = NULL;
			g_free(href);
			continue;
		}
		ds_td_int(g, d->messages);
		ds_td_int(g, d->dmarc_pass);
		ds_td_int(g, d->messages - d->dmarc_pass);
		ds_td_rate(g, d->dmarc_pass, d->messages);
		g_string_append(g, "<td>");
		ds_svg_spark(g, days);
		g_string_append(g, "</td>");
		ds_td_int(g, d->reports);
		ds_td_int(g, d->reporters);
		ds_td_day(g, d->first_report);
		ds_td_day(g, d->last_report);
		g_string_append(g, "</tr>\n");
		g_array_unref(days);
		days = NULL;
		g_free(href);
	}
	if (doms->len > 0)
		ds_page_table_close(g);
	ds_page_end(g, NULL);
	ok = ds_site_put(c->site, "index.html", g->str, g->len, stamp, err);
done:
	if (days)
		g_array_unref(days);
	g_string_free(g, TRUE);
	g_free(stamp);
	return ok;
}

bool
ds_html_build(struct ds_store *st, const struct ds_html_opts *o,
    struct ds_site_stats *out, GError **err)
{
	struct ds_html_ctx c = { st, NULL, o, NULL };
	GPtrArray *doms = g_ptr_array_new_with_free_func(dom_free);
	struct ds_query q;
	char *failures = NULL;
	bool ok = false;
	guint i;

	if ((c.site = ds_site_open(o->out, err)) == NULL)
		goto done;
	ds_query_init(&q);
	if (!put_assets(c.site, err) || !put_generated(c.site, o->now ?
	    o->now : g_get_real_time() / G_USEC_PER_SEC, err) ||
	    !ds_html_failure_pages(&c, &failures, err) ||
	    !ds_html_months_collect(st, &c.months, err) ||
	    !ds_store_domains_each(st, &q, collect_domain, doms, err) ||
	    !ds_store_tls_each(st, DS_TLS_BY_DOMAIN, NULL, INT64_MIN,
	    INT64_MAX, collect_tls_domain, doms, err))
		goto done;
	for (i = 0; i < doms->len; i++) {
		struct dom *d = g_ptr_array_index(doms, i);
		char *path, *stamp;
		int64_t tls[3] = { 0, 0, 0 };	/* a new TLS report, too */
		bool fresh;

		if (!ds_store_tls_each(st, DS_TLS_BY_DOMAIN, d->domain,
		    INT64_MIN, INT64_MAX, tls_total, tls, err))
			goto done;
		path = ds_html_domain_path(d->domain);
		stamp = domain_stamp(d, failures, o->now ? o->now :
		    g_get_real_time() / G_USEC_PER_SEC, tls);
		fresh = ds_site_fresh(c.site, path, stamp);

		g_free(path);
		if (!fresh && !ds_html_domain_page(&c, d->domain, stamp, err)) {
			g_free(stamp);
			goto done;
		}
		g_free(stamp);
	}
	if (!ds_html_month_pages(&c, err) || !index_page(&c, doms, err))
		goto done;
	ok = ds_site_close(c.site, out, err);
	c.site = NULL;
done:
	ds_site_free(c.site);
	if (c.months)
		g_ptr_array_unref(c.months);
	g_ptr_array_unref(doms);
	g_free(failures);
	return ok;
}
