/*
 * cmd_senders.c - "dmarcsift senders": who sends as our domain, per
 * source IP (or /24-/48 network, PTR base domain, service), with DMARC
 * results (RFC 7489 section 4.2), reporters, and the names behind the
 * IPs (report/enrich/enrich.c: FCrDNS, PSL, service table).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #10 (CSV formulas) and #9 (escaping) via report/text/table.c;
 * #17 DNS budgets via report/enrich/enrich.c.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/enrich/enrich.h"
#include "report/text/rq_common.h"
#include "report/text/table.h"

static gboolean opt_failing, opt_new;
static char *opt_group, *opt_sort;
static gint opt_limit;

static const GOptionEntry own[] = {
	{ "failing", 0, 0, G_OPTION_ARG_NONE, &opt_failing,
	  "only sources with messages failing DMARC", NULL },
	{ "new", 0, 0, G_OPTION_ARG_NONE, &opt_new,
	  "only sources never seen (for the domain) before --since", NULL },
	{ "group", 'g', 0, G_OPTION_ARG_STRING, &opt_group,
	  "ip (default), net (/24, /48), domain (PTR base domain), service",
	  "BY" },
	{ "sort", 's', 0, G_OPTION_ARG_STRING, &opt_sort,
	  "messages (default), fail, pass, rate, ip, first, last", "KEY" },
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit,
	  "at most N rows", "N" },
	G_OPTION_ENTRY_NULL
};

static const char *const cols[] = { "source_ip", "group", "ips",
	"messages", "dmarc_pass", "dmarc_fail", "pass_rate", "dkim_pass",
	"spf_pass", "disp_none", "disp_quarantine", "disp_reject",
	"disp_pass", "ptr", "ptr_confirmed", "base_domain",
	"service", "dkim", "spf", "reporters", "header_from", "reports",
	"first_seen", "last_seen", "new", "ip_list", NULL };

/* text: what fits 80 columns; "ips" only when grouping */
static const char *const text_cols[] = { "source", "ips", "messages",
	"fail", "pass%", "ptr", "fcrdns", "service", NULL };

static bool
parse_choice(const char *s, const char *const *names, const int *vals,
    int *out, const char *opt, GError **err)
{
	size_t i;

	if (s == NULL)
		return true;
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = vals[i];
			return true;
		}
	return ds_fail(err, DS_ERROR_USAGE, "bad %s value (see --help)", opt);
}

static bool
parse_opts(struct ds_sender_query *q, GError **err)
{
	static const char *const groups[] = { "ip", "net", "domain",
	    "service", NULL };
	static const int gv[] = { DS_GROUP_IP, DS_GROUP_NET,
	    DS_GROUP_DOMAIN, DS_GROUP_SERVICE };
	static const char *const sorts[] = { "messages", "fail", "pass",
	    "rate", "ip", "key", "first", "last", NULL };
	static const int sv[] = { DS_SORT_MESSAGES, DS_SORT_FAIL,
	    DS_SORT_PASS, DS_SORT_RATE, DS_SORT_KEY, DS_SORT_KEY,
	    DS_SORT_FIRST, DS_SORT_LAST };
	int g = DS_GROUP_IP, s = DS_SORT_MESSAGES;

	if (!parse_choice(opt_group, groups, gv, &g, "--group", err) ||
	    !parse_choice(opt_sort, sorts, sv, &s, "--sort", err))
		return false;
	if (opt_limit < 0)
		return ds_fail(err, DS_ERROR_USAGE, "--limit must be >= 0");
	q->group = g;
	q->sort = s;
	q->failing = opt_failing;
	q->only_new = opt_new;
	q->period.limit = (unsigned)opt_limit;
	if (opt_new && q->period.since == INT64_MIN)
		return ds_fail(err, DS_ERROR_USAGE, "--new needs --since");
	return true;
}

static void
put_json(struct ds_table *t, char *json, char *text)
{
	ds_table_json(t, json, text);
	g_free(json);
	g_free(text);
}

static void
add_row(struct ds_table *t, const struct ds_sender *s,
    const struct ds_sender_query *q)
{
	enum ds_group g = q->group;
	char *text;
	char *json;

	ds_table_row(t);
	ds_table_str(t, s->source_ip);
	ds_table_str(t, g == DS_GROUP_IP ? s->source_ip : s->key);
	ds_table_int(t, s->ips);
	ds_table_int(t, s->messages);
	ds_table_int(t, s->dmarc_pass);
	ds_table_int(t, s->dmarc_fail);
	ds_table_num(t, ds_pass_rate(s->dmarc_pass, s->messages), 1);
	ds_table_int(t, s->dkim_pass);
	ds_table_int(t, s->spf_pass);
	ds_table_int(t, s->disp.none);
	ds_table_int(t, s->disp.quarantine);
	ds_table_int(t, s->disp.reject);
	ds_table_int(t, s->disp.pass);
	ds_table_str(t, s->ptr);
	ds_table_bool(t, s->ptr_confirmed);
	ds_table_str(t, s->base_domain);
	ds_table_str(t, s->service);
	json = ds_rq_json_auth(s->dkim, "selector", &text);
	put_json(t, json, text);
	json = ds_rq_json_auth(s->spf, "scope", &text);
	put_json(t, json, text);
	json = ds_rq_json_strv(s->reporters, &text);
	put_json(t, json, text);
	json = ds_rq_json_strv(s->header_from, &text);
	put_json(t, json, text);
	ds_table_int(t, s->reports);
	ds_table_time(t, s->first_seen);
	ds_table_time(t, s->last_seen);
	/* "new" means something only against a --since */
	ds_table_bool(t, q->period.since == INT64_MIN ? -1 : s->is_new);
	json = ds_rq_json_strv(s->ip_list, &text);
	put_json(t, json, text);
}

static void
add_text_row(struct ds_table *t, const struct ds_sender *s)
{
	ds_table_row(t);
	ds_table_str(t, s->key ? s->key : "(unknown)");
	ds_table_int(t, s->ips);
	ds_table_int(t, s->messages);
	ds_table_int(t, s->dmarc_fail);
	ds_table_num(t, ds_pass_rate(s->dmarc_pass, s->messages), 1);
	ds_table_str(t, s->ptr);
	ds_table_bool(t, s->ptr_confirmed);
	ds_table_str(t, s->service);
}

/*
 * "dmarcsift senders": run ds_store_senders() with the context's
 * enrichment, print the table. Returns a DS_EXIT_* code.
 */
int
cmd_senders(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_enrich *en;
	struct ds_table *t = NULL;
	struct ds_sender_query q;
	GPtrArray *rows = NULL;
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	guint i;

	if (!ds_ctx_setup(c, NULL, "Sources that send mail as the domain, "
	    "per IP or group, with DMARC results\nand the names behind the "
	    "IPs (cached; --offline: cache only).", own, argc, argv) ||
	    !ds_ctx_no_args(c))
		return c->rc;
	ds_sender_query_init(&q);
	q.period = c->q;
	if (!parse_opts(&q, &e))
		goto fail;
	en = c->enrich;
	q.info = ds_enrich_ipinfo;
	q.info_payload = en;
	if (!ds_store_senders(c->store, &q, &rows, &e))
		goto fail;
	if (c->verbose)
		fprintf(stderr, "dmarcsift senders: %u rows; names: %u looked "
		    "up, %u cached, %u offline\n", rows->len, en->lookups,
		    en->cached, en->offline);
	t = ds_table_new(c->fmt == DS_OUT_TEXT ? text_cols : cols);
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_IP)
		ds_table_text_hide(t, "ips");
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_SERVICE)
		ds_table_text_hide(t, "service");	/* the key already */
	for (i = 0; i < rows->len; i++) {
		if (c->fmt == DS_OUT_TEXT)
			add_text_row(t, rows->pdata[i]);
		else
			add_row(t, rows->pdata[i], &q);
	}
	ds_table_emit(t, c->fmt, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	if (rows)
		g_ptr_array_unref(rows);
	ds_table_free(t);
	return rc;
}
