/*
 * html_build.h - "dmarcsift html": the whole static dashboard from the
 * store (index of domains, one page per domain, one per domain and
 * month with that month's reports), built on the reporter queries of
 * schema/store/store_senders.h and schema/store/store_detail.h (no SQL
 * here).
 * SPDX-License-Identifier: MIT
 *
 * Site layout (all names ours; names from reports pass through
 * ds_html_slug()):
 *   index.html              domains with volume, pass rate, sparkline
 *   domains/<slug>.html     one policy domain
 *   reports/<slug>/<YYYY-MM>.html
 *                           the reports of one domain and UTC month,
 *                           each at #report-<row id> with its records
 *                           (pages of older versions, reports/<row
 *                           id>.html, are removed: html_site.h)
 *   failures.html           failure reports, newest first
 *   failures/<row id>.html  one failure report, re-verified
 *   style.css, sort.js      from web-static/ (embedded)
 */
#ifndef DS_HTML_BUILD_H
#define DS_HTML_BUILD_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ds_dns;
struct ds_conf;

#include "schema/store/store_senders.h"
#include "report/html/html_site.h"

/* Bumped whenever report or domain page markup changes (html_site.h stamps). */
#define DS_HTML_REPORT_REV "6"
#define DS_HTML_DOMAIN_REV "3"
/* Records shown per report on a month page (--max-records). */
#define DS_HTML_MAX_RECORDS 100

struct ds_html_opts {
	const char *out;	/* site directory */
	ds_ipinfo_fn info;	/* enrichment for the senders, NULL: cache */
	void *info_payload;
	unsigned max_senders;	/* rows of a senders table, 0: 500 */
	unsigned max_records;	/* records per report on a month page,
				   0: DS_HTML_MAX_RECORDS */
	unsigned max_reports;	/* newest reports listed per domain, 0: 1000 */
	int64_t now;		/* Unix seconds of the build; 0: the clock */
	struct ds_dns *dns;	/* doctor's DNS on domain pages (NULL:
				   every DNS check skipped) */
	const struct ds_conf *conf;	/* declarations, may be NULL */
};

/* One (domain, UTC month) of the reports: the month page's inputs. */
struct ds_html_month {
	char *domain;		/* lower case */
	int ym;			/* year * 100 + month */
	int64_t reports, max_id, records, messages;
	int64_t min_end;	/* earliest report end (prune cut-off) */
};

/* What the page builders share during one build. */
struct ds_html_ctx {
	struct ds_store *st;
	struct ds_site *site;
	const struct ds_html_opts *o;
	GPtrArray *months;	/* struct ds_html_month, by domain, month */
};

/*
 * Build or refresh the site in o->out from st. Only pages whose bytes
 * change are rewritten, each atomically; month pages whose reports are
 * unchanged since the last run (html_month.c), and domain pages whose
 * domain has no new report (the same UTC day), are not even generated;
 * pages of an earlier run that are not made any more (a month whose
 * reports are gone, reports/<id>.html of earlier versions) are
 * removed (html_site.h). *out (may be NULL) gets the counts.
 * DS_ERROR_DB, DS_ERROR_IO.
 */
bool ds_html_build(struct ds_store *st, const struct ds_html_opts *o,
    struct ds_site_stats *out, GError **err);

/*
 * Write domains/<slug>.html for one policy domain (html_domain.c) with
 * stamp (html_site.h; may be NULL). DS_ERROR_DB, DS_ERROR_IO.
 */
bool ds_html_domain_page(struct ds_html_ctx *c, const char *domain,
    const char *stamp, GError **err);

/*
 * The month index: every (domain, month) with reports, sorted by domain
 * then month, into *out (caller unrefs), from one pass over the report
 * rows (html_month.c). DS_ERROR_DB.
 */
bool ds_html_months_collect(struct ds_store *st, GPtrArray **out,
    GError **err);
/* The entries of domain in the sorted index a: returns how many, from
   *first. */
guint ds_html_months_of(const GPtrArray *a, const char *domain,
    guint *first);

/*
 * Write reports/<slug>/<YYYY-MM>.html for every month of c->months
 * whose page is not fresh (html_month.c). DS_ERROR_DB, DS_ERROR_IO.
 */
bool ds_html_month_pages(struct ds_html_ctx *c, GError **err);

/*
 * Append the section of report row id (metadata, warnings, errors, at
 * most --max-records and *budget records, which it lowers) to g
 * (html_report.c). Nothing when the report is gone. DS_ERROR_DB.
 */
bool ds_html_report_section(struct ds_html_ctx *c, GString *g, int64_t id,
    unsigned *budget, GError **err);

/* UTC month (year * 100 + month) of the midpoint of [begin, end]. */
int ds_html_month_of(int64_t begin, int64_t end);
/* Unix time of the first second of month ym (UTC). */
int64_t ds_html_month_start(int ym);
/* Site-relative path of the month page (caller g_frees). */
char *ds_html_month_path(const char *domain, int ym);

/*
 * Write failures.html and failures/<id>.html for every stored failure
 * report whose page is not fresh (html_failure.c). *fingerprint (caller
 * g_frees) changes whenever the list changes. DS_ERROR_DB, DS_ERROR_IO.
 */
bool ds_html_failure_pages(struct ds_html_ctx *c, char **fingerprint,
    GError **err);

/* Append the failure reports section of domain's page to g. DS_ERROR_DB. */
bool ds_html_failure_section(struct ds_html_ctx *c, GString *g,
    const char *domain, GError **err);

/*
 * Append the SMTP TLS section of domain (KPIs, per policy and MX, the
 * failure types) to g; nothing when it has no TLS report. DS_ERROR_DB.
 */
bool ds_html_tls_section(struct ds_html_ctx *c, GString *g,
    const char *domain, GError **err);

/* Site-relative path of the page of domain (caller g_frees). */
char *ds_html_domain_path(const char *domain);

#endif
