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

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/text/rq_common.h"
#include "report/text/summary_text.h"
#include "report/text/table.h"

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
	"top_failing", "reporter_list", NULL };

struct run {
	struct ds_store *st;
	struct ds_rq *rq;
	struct ds_table *t;	/* JSON, CSV */
	GString *text;		/* text */
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

static void
json_policy(GString *g, const struct ds_policy_seen *p)
{
	g_string_append(g, "{\"p\":");
	ds_rq_json_str(g, p->p);
	g_string_append(g, ",\"sp\":");
	ds_rq_json_str(g, p->sp);
	g_string_append(g, ",\"np\":");
	ds_rq_json_str(g, p->np);
	g_string_append(g, ",\"adkim\":");
	ds_rq_json_str(g, p->adkim);
	g_string_append(g, ",\"aspf\":");
	ds_rq_json_str(g, p->aspf);
	if (p->pct < 0)
		g_string_append(g, ",\"pct\":null");
	else
		g_string_append_printf(g, ",\"pct\":%d", p->pct);
	g_string_append(g, ",\"testing\":");
	ds_rq_json_str(g, p->testing);
	g_string_append_printf(g, ",\"first_seen\":%" G_GINT64_FORMAT
	    ",\"last_seen\":%" G_GINT64_FORMAT ",\"reports\":%" G_GINT64_FORMAT
	    "}", p->first_seen, p->last_seen, p->reports);
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
    GPtrArray *fail, const struct reps *reps)
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
	ds_table_bool(t, s->policies->len > 1);
	g = g_string_new("[");
	for (i = 0; i < s->policies->len; i++) {
		g_string_append(g, i ? "," : "");
		json_policy(g, &g_array_index(s->policies,
		    struct ds_policy_seen, i));
	}
	g_string_append_c(g, ']');
	put_json(t, g);
	put_json(t, json_failing(fail));
	ds_table_json(t, reps->json->str, NULL);
}

static bool
on_domain(const struct ds_domain_summary *s, void *payload)
{
	struct run *run = payload;
	GPtrArray *fail = NULL;
	struct reps reps = { NULL, NULL };
	bool ok;

	ok = extras(run, s, &fail, &reps);
	if (ok && run->t)
		add_row(run->t, s, fail, &reps);
	else if (ok)
		ds_summary_text(run->text, s, reps.text, fail);
	if (fail)
		g_ptr_array_unref(fail);
	if (reps.json)
		g_string_free(reps.json, TRUE);
	if (reps.text)
		g_ptr_array_unref(reps.text);
	return ok;
}

/*
 * "dmarcsift summary": summarise each domain with its top
 * failing sources and reporters, print. Returns a DS_EXIT_* code.
 */
int
cmd_summary(struct ds_ctx *c, int argc, char **argv)
{
	struct run run = { 0 };
	struct ds_rq rq;
	GError *e = NULL;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, NULL, "Per policy domain: messages, "
	    "DMARC/DKIM/SPF pass rates, dispositions,\npolicy and its "
	    "changes, top failing sources, reporters, days without a "
	    "report.", own, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	rq.q = c->q;
	rq.fmt = c->fmt;
	rq.now = c->now;
	run.st = c->store;
	if (opt_top < 0) {
		ds_fail(&e, DS_ERROR_USAGE, "--top must be >= 0");
		goto fail;
	}
	/* days without a report run up to now unless --until says */
	if (rq.q.since != INT64_MIN && rq.q.until == INT64_MAX &&
	    rq.now > rq.q.since)
		rq.q.until = rq.now;
	run.rq = &rq;
	if (rq.fmt == DS_OUT_TEXT)
		run.text = g_string_new(NULL);
	else
		run.t = ds_table_new(cols);
	if (!ds_store_summary_each(run.st, &rq.q, on_domain, &run, &e))
		goto fail;
	if (run.err != NULL) {
		e = run.err;
		run.err = NULL;
		goto fail;
	}
	if (run.t)
		ds_table_emit(run.t, rq.fmt, stdout);
	else if (run.text->len == 0)
		printf("no reports in the period\n");
	else
		fwrite(run.text->str, 1, run.text->len, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	if (run.text)
		g_string_free(run.text, TRUE);
	ds_table_free(run.t);
	return rc;
}
