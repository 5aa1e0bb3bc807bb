/*
 * cmd_summary.c - "dmarcsift summary": per policy domain over a period,
 * messages, DMARC pass rate (DKIM or SPF aligned pass, RFC 7489 section
 * 4.2, as policy_evaluated reports it), DKIM and SPF aligned pass
 * rates, dispositions, the published policy and its changes, top
 * failing sources, reporters, reports and days without one.
 * SPDX-License-Identifier: MIT
 *
 * JSON and CSV: one row per domain (report/text/table.c). Text: one block
 * per domain (report/text/summary_text.c). THREATS #9, #10.
 */
#include <stdio.h>
#include <string.h>

#include "schema/util/term.h"
#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/enrich/enrich.h"
#include "report/text/rq_common.h"
#include "report/classify/classify.h"
#include "report/enrich/enrich.h"
#include "report/text/summary_text.h"
#include "report/text/tls_text.h"
#include "report/text/table.h"
#include "schema/store/store_tls.h"

static gint opt_top = 5;

static const GOptionEntry own[] = {
	{ "top", 'n', 0, G_OPTION_ARG_INT, &opt_top,
	  "failing sources and reporters listed per domain (default 5)",
	  "N" },
	G_OPTION_ENTRY_NULL
};

static const char *const cols[] = { "domain", "messages", "dmarc_pass",
	"dmarc_fail", "pass_rate", "dkim_pass", "dkim_rate", "spf_pass",
	"spf_rate", "disp_none", "disp_quarantine", "disp_reject",
	"disp_pass", "disp_other", "records", "reports", "reporters", "ips",
	"first_report", "last_report", "days", "days_without_report",
	"missing_days", "policy", "policy_changed", "policies",
	"policy_timeline", "classes", "top_failing", "reporter_list",
	"tls_reports", "tls_sessions", "tls_failures", "tls_success_rate",
	NULL };

struct run {
	struct ds_enrich *en;	/* with a MaxMind database: the cache plus
				   the databases, no DNS; NULL: the cache
				   as it is */
	struct ds_store *st;
	struct ds_decl *decl;	/* declarations of --domain */
	struct ds_services *svc;
	struct ds_enrich cache_en; /* names from the cache only, services
				   matched on IP and cached PTR */
	struct ds_rq *rq;
	struct ds_table *t;	/* JSON, CSV */
	GString *text;		/* text */
	GHashTable *seen;	/* domains with a DMARC summary */
	GPtrArray *tls_only;	/* char *: domains with TLS reports only */
	GError *err;
};

static void
put_json(struct ds_table *t, GString *g)
{
	ds_table_json(t, g->str, NULL);
	g_string_free(g, TRUE);
}

static GString *
json_days(const GArray *days)
{
	GString *g = g_string_new("[");
	GDateTime *dt;
	char *s;
	guint i;

	for (i = 0; i < days->len; i++) {
		dt = g_date_time_new_from_unix_utc(g_array_index(days, int64_t,
		    i));
		s = dt ? g_date_time_format(dt, "%Y-%m-%d") : NULL;
		g_string_append(g, i ? "," : "");
		ds_rq_json_str(g, s);
		g_free(s);
		if (dt)
			g_date_time_unref(dt);
	}
	g_string_append_c(g, ']');
	return g;
}

/* "p", "sp", "np", "adkim", "aspf", "pct", "testing" of a policy */
#define JSON_TAGS(g, x) json_tags((g), (x)->p, (x)->sp, (x)->np, \
    (x)->adkim, (x)->aspf, (x)->pct, (x)->testing)

static void
json_tags(GString *g, const char *p, const char *sp, const char *np,
    const char *adkim, const char *aspf, int pct, const char *testing)
{
	g_string_append(g, "{\"p\":");
	ds_rq_json_str(g, p);
	g_string_append(g, ",\"sp\":");
	ds_rq_json_str(g, sp);
	g_string_append(g, ",\"np\":");
	ds_rq_json_str(g, np);
	g_string_append(g, ",\"adkim\":");
	ds_rq_json_str(g, adkim);
	g_string_append(g, ",\"aspf\":");
	ds_rq_json_str(g, aspf);
	if (pct < 0)
		g_string_append(g, ",\"pct\":null");
	else
		g_string_append_printf(g, ",\"pct\":%d", pct);
	g_string_append(g, ",\"testing\":");
	ds_rq_json_str(g, testing);
}

static void
json_policy(GString *g, const struct ds_policy_seen *p)
{
	JSON_TAGS(g, p);
	g_string_append_printf(g, ",\"first_seen\":%" G_GINT64_FORMAT
	    ",\"last_seen\":%" G_GINT64_FORMAT ",\"reports\":%" G_GINT64_FORMAT
	    "}", p->first_seen, p->last_seen, p->reports);
}

/* policy_timeline: {p, sp, np, adkim, aspf, pct, testing, since,
   until, reports} per span, in time order */
static GString *
json_timeline(const GArray *tl)
{
	GString *g = g_string_new("[");
	guint i;

	for (i = 0; i < tl->len; i++) {
		const struct ds_policy_span *p = &g_array_index(tl,
		    struct ds_policy_span, i);

		if (i)
			g_string_append_c(g, ',');
		JSON_TAGS(g, p);
		g_string_append_printf(g, ",\"since\":%" G_GINT64_FORMAT
		    ",\"until\":%" G_GINT64_FORMAT ",\"reports\":%"
		    G_GINT64_FORMAT "}", p->since, p->until, p->reports);
	}
	g_string_append_c(g, ']');
	return g;
}

/* classes: {"ours": {sources, messages, failing}, ...} */
static GString *
json_classes(const struct ds_class_totals *t)
{
	GString *g = g_string_new("{");
	int c;

	for (c = 0; c < DS_CLASS_COUNT; c++)
		g_string_append_printf(g, "%s\"%s\":{\"sources\":%"
		    G_GINT64_FORMAT ",\"messages\":%" G_GINT64_FORMAT
		    ",\"failing\":%" G_GINT64_FORMAT "}", c ? "," : "",
		    ds_class_name(c), t->sources[c], t->messages[c],
		    t->failing[c]);
	g_string_append_c(g, '}');
	return g;
}

/* The classes as text lines under "sources" (80 columns). */
static char *
text_classes(const struct ds_class_totals *t)
{
	GString *g = g_string_new(NULL);
	int c;

	for (c = 0; c < DS_CLASS_COUNT; c++) {
		if (t->sources[c] == 0)
			continue;
		g_string_append_printf(g, "%s%-9s %" G_GINT64_FORMAT " (%"
		    G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT
		    " failing)", g->len ? "\n                  " : "",
		    ds_class_name(c), t->sources[c], t->messages[c],
		    t->failing[c]);
	}
	return g_string_free(g, FALSE);
}

static GString *
json_failing(GPtrArray *rows)
{
	GString *g = g_string_new("[");
	guint i;

	for (i = 0; i < rows->len; i++) {
		const struct ds_sender *s = rows->pdata[i];

		g_string_append(g, i ? ",{\"source_ip\":" : "{\"source_ip\":");
		ds_rq_json_str(g, s->source_ip);
		g_string_append_printf(g, ",\"messages\":%" G_GINT64_FORMAT
		    ",\"dmarc_fail\":%" G_GINT64_FORMAT ",\"ptr\":",
		    s->messages, s->dmarc_fail);
		ds_rq_json_str(g, s->ptr);
		g_string_append(g, ",\"service\":");
		ds_rq_json_str(g, s->service);
		if (s->asn > 0)
			g_string_append_printf(g, ",\"asn\":%" G_GINT64_FORMAT,
			    s->asn);
		else
			g_string_append(g, ",\"asn\":null");
		g_string_append(g, ",\"as_org\":");
		ds_rq_json_str(g, s->as_org);
		g_string_append(g, ",\"country\":");
		ds_rq_json_str(g, s->country);
		g_string_append_c(g, '}');
	}
	g_string_append_c(g, ']');
	return g;
}

/* The reporters of one domain: JSON, and "name (reports)" for text. */
struct reps {
	GString *json;
	GPtrArray *text;
};

static bool
collect_reporter(const struct ds_reporter *r, void *payload)
{
	struct reps *rp = payload;
	GString *g = rp->json;

	g_string_append(g, g->len > 1 ? ",{\"org_name\":" :
	    "{\"org_name\":");
	ds_rq_json_str(g, r->org_name);
	g_string_append_printf(g, ",\"reports\":%" G_GINT64_FORMAT
	    ",\"messages\":%" G_GINT64_FORMAT ",\"last_report\":%"
	    G_GINT64_FORMAT "}", r->reports, r->messages, r->last_report);
	g_ptr_array_add(rp->text, g_strdup_printf("%s (%" G_GINT64_FORMAT
	    ")", r->org_name ? r->org_name : "-", r->reports));
	return true;
}

/* The extra queries of one domain: top failing sources, reporters. */
static bool
extras(struct run *run, const struct ds_domain_summary *s, GPtrArray **fail,
    struct reps *reps)
{
	struct ds_sender_query q;

	ds_sender_query_init(&q);
	q.period = run->rq->q;
	q.period.domain = s->domain;
	q.period.limit = (unsigned)opt_top;
	q.failing = true;
	q.sort = DS_SORT_FAIL;
	if (run->en != NULL) {
		q.info = ds_enrich_ipinfo;
		q.info_payload = run->en;
	}
	reps->json = g_string_new("[");
	reps->text = g_ptr_array_new_with_free_func(g_free);
	if (!ds_store_senders(run->st, &q, fail, &run->err) ||
	    !ds_store_reporters_each(run->st, &q.period, collect_reporter,
	    reps, &run->err))
		return false;
	g_string_append_c(reps->json, ']');
	return true;
}

static void
add_row(struct ds_table *t, const struct ds_domain_summary *s,
    GPtrArray *fail, const struct reps *reps, const GArray *tl,
    const struct ds_class_totals *cls)
{
	const struct ds_policy_seen *cur = ds_summary_current_policy(s);
	GString *g;
	guint i;

	ds_table_row(t);
	ds_table_str(t, s->domain);
	ds_table_int(t, s->messages);
	ds_table_int(t, s->dmarc_pass);
	ds_table_int(t, s->dmarc_fail);
	ds_table_num(t, ds_pass_rate(s->dmarc_pass, s->messages), 1);
	ds_table_int(t, s->dkim_pass);
	ds_table_num(t, ds_pass_rate(s->dkim_pass, s->messages), 1);
	ds_table_int(t, s->spf_pass);
	ds_table_num(t, ds_pass_rate(s->spf_pass, s->messages), 1);
	ds_table_int(t, s->disp.none);
	ds_table_int(t, s->disp.quarantine);
	ds_table_int(t, s->disp.reject);
	ds_table_int(t, s->disp.pass);
	ds_table_int(t, s->disp.other);
	ds_table_int(t, s->records);
	ds_table_int(t, s->reports);
	ds_table_int(t, s->reporters);
	ds_table_int(t, s->ips);
	ds_table_int(t, s->first_report);
	ds_table_int(t, s->last_report);
	ds_table_int(t, s->days);
	ds_table_int(t, s->days_without_report);
	put_json(t, json_days(s->missing_days));
	if (cur == NULL) {
		ds_table_null(t);
	} else {
		g = g_string_new(NULL);
		json_policy(g, cur);
		put_json(t, g);
	}
	ds_table_bool(t, tl->len > 1);
	g = g_string_new("[");
	for (i = 0; i < s->policies->len; i++) {
		g_string_append(g, i ? "," : "");
		json_policy(g, &g_array_index(s->policies,
		    struct ds_policy_seen, i));
	}
	g_string_append_c(g, ']');
	put_json(t, g);
	put_json(t, json_timeline(tl));
	put_json(t, json_classes(cls));
	put_json(t, json_failing(fail));
	ds_table_json(t, reps->json->str, NULL);
}

/* SMTP TLS figures of the domain: JSON/CSV columns, or a text line */
static bool
add_tls(struct run *run, const struct ds_domain_summary *s)
{
	int64_t reports, ok, failed;

	if (!ds_tls_totals(run->st, s->domain, run->rq->q.since,
	    run->rq->q.until, &reports, &ok, &failed, &run->err))
		return false;
	if (run->t) {
		ds_table_int(run->t, reports);
		ds_table_int(run->t, ok + failed);
		ds_table_int(run->t, failed);
		if (reports)
			ds_table_num(run->t, ds_tls_rate(ok, failed), 1);
		else
			ds_table_null(run->t);
	} else if (reports) {
		g_string_append_printf(run->text, "  SMTP TLS  %10" G_GINT64_FORMAT
		    " sessions, %.1f%% successful, %" G_GINT64_FORMAT
		    " failed, %" G_GINT64_FORMAT " report%s (see 'tls')\n",
		    ok + failed, ds_tls_rate(ok, failed), failed, reports,
		    reports == 1 ? "" : "s");
	}
	return true;
}

/*
 * The policy timeline (store_policy.h) and the sources by class
 * (report/classify, names from the ip_info cache as it is) of s.
 */
static bool
timeline_classes(struct run *run, const struct ds_domain_summary *s,
    GArray **tl, struct ds_class_totals *cls)
{
	struct ds_query q = run->rq->q;

	q.domain = s->domain;
	q.limit = 0;
	return ds_store_policy_timeline(run->st, &q, tl, &run->err) &&
	    ds_class_totals_walk(run->st, &q, ds_enrich_ipinfo,
	    &run->cache_en, run->decl, cls, &run->err);
}

static bool
on_domain(const struct ds_domain_summary *s, void *payload)
{
	struct run *run = payload;
	GPtrArray *fail = NULL;
	GArray *tl = NULL;
	struct ds_class_totals cls;
	struct reps reps = { NULL, NULL };
	char *ctext;
	bool ok;

	g_hash_table_add(run->seen, g_ascii_strdown(s->domain, -1));
	ok = extras(run, s, &fail, &reps) &&
	    timeline_classes(run, s, &tl, &cls);
	if (ok && run->t)
		add_row(run->t, s, fail, &reps, tl, &cls);
	else if (ok) {
		ctext = text_classes(&cls);
		ds_summary_text(run->text, s, reps.text, fail, tl, ctext);
		g_free(ctext);
	}
	if (tl)
		g_array_unref(tl);
	ok = ok && add_tls(run, s);
	if (fail)
		g_ptr_array_unref(fail);
	if (reps.json)
		g_string_free(reps.json, TRUE);
	if (reps.text)
		g_ptr_array_unref(reps.text);
	return ok;
}

/* a domain of the TLS reports without a DMARC summary row */
static bool
on_tls_domain(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct run *run = payload;
	char *d = g_ascii_strdown(r->domain ? r->domain : "", -1);

	(void)err;
	if (*d != '\0' && !g_hash_table_contains(run->seen, d)) {
		g_hash_table_add(run->seen, g_strdup(d));
		g_ptr_array_add(run->tls_only, d);
	} else
		g_free(d);
	return true;
}

/*
 * A domain that only TLS reports (RFC 8460) name: a row whose DMARC
 * columns are null (no DMARC report, not zero mail), or a text block
 * saying so, then its TLS figures.
 */
static bool
tls_only(struct run *run, const char *domain)
{
	struct ds_domain_summary s = { 0 };
	char *q;
	guint i;

	s.domain = (char *)domain;
	if (run->t) {
		ds_table_row(run->t);
		ds_table_str(run->t, domain);
		/* every column between the domain and the 4 TLS ones */
		for (i = 1; cols[i + 4] != NULL; i++)
			ds_table_null(run->t);
	} else {
		if (run->text->len > 0)
			g_string_append_c(run->text, '\n');
		q = ds_quote(domain, strlen(domain), 253);
		g_string_append_printf(run->text, "%s: no DMARC reports in "
		    "the period, SMTP TLS reports only\n", q);
		g_free(q);
	}
	return add_tls(run, &s);
}

/*
 * "dmarcsift summary": summarise each domain with its top failing
 * sources, reporters, policy timeline and sources by class, print.
 * Returns a DS_EXIT_* code.
 */
int
cmd_summary(struct ds_ctx *c, int argc, char **argv)
{
	struct run run = { 0 };
	struct ds_rq rq;
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	guint i;

	if (!ds_ctx_setup(c, NULL, "Per policy domain: messages, "
	    "DMARC/DKIM/SPF pass rates, dispositions,\npolicy timeline, "
	    "sources by class, top failing sources, reporters,\ndays "
	    "without a report.", own, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	rq.q = c->q;
	rq.fmt = c->fmt;
	rq.now = c->now;
	run.st = c->store;
	/* the databases' names for the top sources; DNS stays off */
	if (ds_mmdb_count(ds_enrich_mmdb(c->enrich)) > 0)
		run.en = c->enrich;
	if (opt_top < 0) {
		ds_fail(&e, DS_ERROR_USAGE, "--top must be >= 0");
		goto fail;
	}
	/* days without a report run up to now unless --until says */
	if (rq.q.since != INT64_MIN && rq.q.until == INT64_MAX &&
	    rq.now > rq.q.since)
		rq.q.until = rq.now;
	run.rq = &rq;
	if (!ds_decl_from_conf(&run.decl, c->conf, rq.q.domain, &e) ||
	    (run.svc = ds_services_default(NULL, &e)) == NULL)
		goto fail;
	ds_enrich_init(&run.cache_en, run.st, NULL, run.svc, rq.now);
	if (rq.fmt == DS_OUT_TEXT)
		run.text = g_string_new(NULL);
	else
		run.t = ds_table_new(cols);
	run.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	run.tls_only = g_ptr_array_new_with_free_func(g_free);
	if (!ds_store_summary_each(run.st, &rq.q, on_domain, &run, &e))
		goto fail;
	if (run.err == NULL && !ds_store_tls_each(run.st, DS_TLS_BY_DOMAIN,
	    rq.q.domain, rq.q.since, rq.q.until, on_tls_domain, &run, &e))
		goto fail;
	for (i = 0; run.err == NULL && i < run.tls_only->len; i++)
		tls_only(&run, run.tls_only->pdata[i]);
	if (run.err != NULL) {
		e = run.err;
		run.err = NULL;
		goto fail;
	}
	if (run.t)
		ds_table_emit(run.t, rq.fmt, stdout);
	else if (run.text->len == 0)
		g_print("no reports in the period\n");
	else
		ds_term_write(stdout, run.text->str, (gssize)run.text->len);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	if (run.text)
		g_string_free(run.text, TRUE);
	ds_table_free(run.t);
	if (run.seen)
		g_hash_table_destroy(run.seen);
	if (run.tls_only)
		g_ptr_array_unref(run.tls_only);
	ds_decl_free(run.decl);
	ds_services_free(run.svc);
	return rc;
}
