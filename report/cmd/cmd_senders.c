/*
 * cmd_senders.c - "dmarcsift senders": who sends as our domain, per
 * source IP (or /24-/48 network, PTR base domain, service, AS number,
 * country), with DMARC
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
#include "schema/util/count.h"
#include "report/cmd/commands.h"
#include "report/classify/classify.h"
#include "report/enrich/enrich.h"
#include "report/text/rq_common.h"
#include "report/text/table.h"

static gboolean opt_failing, opt_new;
static char *opt_group, *opt_sort, *opt_class;
static gint opt_limit;

static const GOptionEntry own[] = {
	{ "failing", 0, 0, G_OPTION_ARG_NONE, &opt_failing,
	  "only sources with messages failing DMARC", NULL },
	{ "new", 0, 0, G_OPTION_ARG_NONE, &opt_new,
	  "only sources never seen (for the domain) before --since", NULL },
	{ "group", 'g', 0, G_OPTION_ARG_STRING, &opt_group,
	  "ip (default), net (/24, /48), domain (PTR base domain), service, "
	  "asn, country (these two need --mmdb)", "BY" },
	{ "sort", 's', 0, G_OPTION_ARG_STRING, &opt_sort,
	  "messages (default), fail, pass, rate, ip, first, last", "KEY" },
	{ "class", 'c', 0, G_OPTION_ARG_STRING, &opt_class,
	  "only sources of this class: ours, service, forwarder, unknown "
	  "(needs --domain)", "CLASS" },
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit,
	  "at most N rows", "N" },
	G_OPTION_ENTRY_NULL
};

static const char *const cols[] = { "source_ip", "group", "ips",
	"messages", "dmarc_pass", "dmarc_fail", "pass_rate", "dkim_pass",
	"spf_pass", "disp_none", "disp_quarantine", "disp_reject",
	"disp_pass", "ptr", "ptr_confirmed", "base_domain",
	"service", "asn", "as_org", "country", "dkim", "spf", "reporters",
	"header_from", "reports", "first_seen", "last_seen", "new", "ip_list",
	"class", "class_reason", NULL };

/* text: what fits 80 columns; "ips" only when grouping */
static const char *const text_cols[] = { "source", "class", "ips",
	"messages", "fail", "pass%", "ptr", "fcrdns", "as owner", "cc",
	"service", NULL };

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
	    "service", "asn", "country", NULL };
	static const int gv[] = { DS_GROUP_IP, DS_GROUP_NET,
	    DS_GROUP_DOMAIN, DS_GROUP_SERVICE, DS_GROUP_ASN,
	    DS_GROUP_COUNTRY };
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
    const struct ds_sender_query *q, const struct ds_class_info *c)
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
	if (s->asn > 0)
		ds_table_int(t, s->asn);
	else
		ds_table_null(t);
	ds_table_str(t, s->as_org);
	ds_table_str(t, s->country);
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
	ds_table_str(t, c ? ds_class_name(c->cls) : NULL);
	ds_table_str(t, c ? c->reason : NULL);
}

static void
add_text_row(struct ds_table *t, const struct ds_sender *s,
    const struct ds_class_info *c)
{
	ds_table_row(t);
	ds_table_str(t, s->key ? s->key : "(unknown)");
	ds_table_str(t, c ? ds_class_name(c->cls) : NULL);
	ds_table_int(t, s->ips);
	ds_table_int(t, s->messages);
	ds_table_int(t, s->dmarc_fail);
	ds_table_num(t, ds_pass_rate(s->dmarc_pass, s->messages), 1);
	ds_table_str(t, s->ptr);
	ds_table_bool(t, s->ptr_confirmed);
	ds_table_str(t, s->as_org);
	ds_table_str(t, s->country);
	ds_table_str(t, s->service);
}

/* Does any row carry an AS organisation or a country? */
static bool
any_geo(const GPtrArray *rows)
{
	guint i;

	for (i = 0; i < rows->len; i++) {
		const struct ds_sender *s = rows->pdata[i];

		if (s->as_org != NULL || s->country != NULL)
			return true;
	}
	return false;
}

/* One answer per IP and run: the class query and the shown rows ask
   for the same IPs, and a --dns-zone run has no cache to ask twice. */
struct memo {
	struct ds_enrich *en;
	GHashTable *seen;	/* ip -> struct ds_ipinfo * */
};

static void
info_free(gpointer p)
{
	ds_ipinfo_clear(p);
	g_free(p);
}

static void
info_copy(struct ds_ipinfo *to, const struct ds_ipinfo *from)
{
	char *ip = to->ip;

	to->ip = NULL;
	ds_ipinfo_clear(to);
	*to = *from;
	to->ip = ip;
	to->ptr = g_strdup(from->ptr);
	to->base_domain = g_strdup(from->base_domain);
	to->service = g_strdup(from->service);
	to->status = g_strdup(from->status);
	to->as_org = g_strdup(from->as_org);
	to->as_domain = g_strdup(from->as_domain);
	to->country = g_strdup(from->country);
}

static bool
memo_info(struct ds_ipinfo *out, void *payload, GError **err)
{
	struct memo *m = payload;
	struct ds_ipinfo *c = g_hash_table_lookup(m->seen, out->ip);

	if (c != NULL) {
		info_copy(out, c);
		return true;
	}
	if (!ds_enrich_ipinfo(out, m->en, err))
		return false;
	c = g_new0(struct ds_ipinfo, 1);
	ds_ipinfo_init(c);
	c->ip = g_strdup(out->ip);
	info_copy(c, out);
	g_hash_table_insert(m->seen, c->ip, c);
	return true;
}

/*
 * The class of each of rows (the displayed rows, any grouping) into
 * *out (struct ds_class_info, same order), against every IP row of the
 * period (ds_classified_senders), so a filtered or grouped view gives
 * each source the class the full view gives it.
 */
static bool
classify(struct ds_store *st, const struct ds_sender_query *q,
    struct memo *m, const struct ds_decl *decl, GPtrArray *rows,
    GArray **out, GError **err)
{
	GPtrArray *iprows = NULL;
	GArray *ipcls = NULL, *res;
	struct ds_classifier c;
	guint i;

	if (!ds_classified_senders(st, &q->period, memo_info, m, decl,
	    &iprows, &ipcls, err))
		return false;
	ds_classifier_init(&c, q->period.domain, iprows, decl);
	res = g_array_new(FALSE, TRUE, sizeof(struct ds_class_info));
	g_array_set_clear_func(res, (GDestroyNotify)ds_class_info_clear);
	g_array_set_size(res, rows->len);
	for (i = 0; i < rows->len; i++)
		ds_classify(&c, rows->pdata[i], &g_array_index(res,
		    struct ds_class_info, i));
	ds_classifier_release(&c);
	g_ptr_array_unref(iprows);
	g_array_unref(ipcls);
	*out = res;
	return true;
}

/* what each class means, for the text headings */
static const char *const class_what[DS_CLASS_COUNT] = {
	"your own servers",
	"sending services",
	"not yours to fix",
	"unauthenticated",
};

/*
 * Text with classes: one table per class (ours, service, forwarder,
 * unknown), each under a heading with its totals; the rows kept are the
 * first limit of the sort order, as in JSON.
 */
static void
emit_text_by_class(GPtrArray *rows, GArray *cls,
    const struct ds_sender_query *q, int only, unsigned limit)
{
	bool *keep = g_new0(bool, rows->len ? rows->len : 1);
	unsigned shown = 0, printed = 0;
	guint i;
	int c;

	for (i = 0; i < rows->len && (limit == 0 || shown < limit); i++) {
		const struct ds_class_info *ci = &g_array_index(cls,
		    struct ds_class_info, i);

		if (only >= 0 && (int)ci->cls != only)
			continue;
		keep[i] = true;
		shown++;
	}
	for (c = 0; c < DS_CLASS_COUNT; c++) {
		struct ds_table *t = ds_table_new(text_cols);
		int64_t n = 0, msgs = 0, fail = 0;

		if (q->group == DS_GROUP_IP)
			ds_table_text_hide(t, "ips");
		if (q->group == DS_GROUP_SERVICE)
			ds_table_text_hide(t, "service");
		ds_table_text_hide(t, "class");
		ds_table_text_whole(t, "source");	/* an IP, net, AS */
		if (!any_geo(rows)) {
			ds_table_text_hide(t, "as owner");
			ds_table_text_hide(t, "cc");
		}
		for (i = 0; i < rows->len; i++) {
			const struct ds_sender *s = rows->pdata[i];
			const struct ds_class_info *ci = &g_array_index(cls,
			    struct ds_class_info, i);

			if (!keep[i] || (int)ci->cls != c)
				continue;
			n++;
			ds_count_add(&msgs, s->messages);
			ds_count_add(&fail, s->dmarc_fail);
			add_text_row(t, s, ci);
		}
		if (n > 0) {
			g_print("%s%s: %" G_GINT64_FORMAT " source%s, %"
			    G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT
			    " failing (%s)\n", printed++ ? "\n" : "",
			    ds_class_name(c), n, n == 1 ? "" : "s", msgs, fail,
			    class_what[c]);
			ds_table_emit(t, DS_OUT_TEXT, stdout);
		}
		ds_table_free(t);
	}
	if (printed == 0) {
		struct ds_table *t = ds_table_new(text_cols);

		ds_table_text_hide(t, "class");
		ds_table_emit(t, DS_OUT_TEXT, stdout);
		ds_table_free(t);
	}
	g_free(keep);
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
	struct ds_decl *decl = NULL;
	struct memo memo = { NULL, NULL };
	GPtrArray *rows = NULL;
	GArray *cls = NULL;
	GError *e = NULL;
	enum ds_class want = DS_CLASS_UNKNOWN;
	unsigned limit, shown = 0;
	int rc = DS_EXIT_OK;
	guint i;

	if (!ds_ctx_setup(c, NULL, "Sources that send mail as the domain, "
	    "per IP or group, with DMARC results,\nthe names behind the "
	    "IPs (cached; --offline: cache only) and the class\nof each "
	    "source: ours, service, forwarder or unknown, with the reason.",
	    own, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	ds_sender_query_init(&q);
	q.period = c->q;
	if (!parse_opts(&q, &e) ||
	    (opt_class != NULL && !ds_class_parse(opt_class, &want, &e)))
		goto fail;
	if (opt_class != NULL && q.period.domain == NULL) {
		ds_fail(&e, DS_ERROR_USAGE, "--class needs --domain");
		goto fail;
	}
	limit = q.period.limit;
	if (opt_class != NULL)
		q.period.limit = 0;	/* filtered below, then limited */
	if (!ds_decl_from_conf(&decl, c->conf, q.period.domain, &e))
		goto fail;
	en = c->enrich;
	memo.en = en;
	memo.seen = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    info_free);
	q.info = memo_info;
	q.info_payload = &memo;
	if (!ds_store_senders(c->store, &q, &rows, &e) ||
	    (q.period.domain != NULL && !classify(c->store, &q, &memo, decl,
	    rows, &cls, &e)))
		goto fail;
	if (c->verbose)
		g_printerr("dmarcsift senders: %u rows; names: %u looked "
		    "up, %u cached, %u offline; %u in MaxMind databases\n",
		    rows->len, en->lookups, en->cached, en->offline, en->geo);
	if (c->fmt == DS_OUT_TEXT && cls != NULL) {
		emit_text_by_class(rows, cls, &q, opt_class ? (int)want : -1,
		    limit);
		goto done;
	}
	t = ds_table_new(c->fmt == DS_OUT_TEXT ? text_cols : cols);
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_IP)
		ds_table_text_hide(t, "ips");
	if (c->fmt == DS_OUT_TEXT && q.group != DS_GROUP_DOMAIN)
		ds_table_text_whole(t, "source");	/* an IP, net, AS */
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_SERVICE)
		ds_table_text_hide(t, "service");	/* the key already */
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_COUNTRY)
		ds_table_text_hide(t, "cc");
	if (c->fmt == DS_OUT_TEXT && ds_mmdb_count(en->mmdb) == 0 &&
	    !any_geo(rows)) {
		/* no database, nothing cached: no empty columns */
		ds_table_text_hide(t, "as owner");
		ds_table_text_hide(t, "cc");
	}
	ds_table_text_hide(t, "class");
	for (i = 0; i < rows->len && (limit == 0 || shown < limit); i++) {
		const struct ds_class_info *ci = cls ? &g_array_index(cls,
		    struct ds_class_info, i) : NULL;

		if (opt_class != NULL && ci->cls != want)
			continue;
		shown++;
		if (c->fmt == DS_OUT_TEXT)
			add_text_row(t, rows->pdata[i], ci);
		else
			add_row(t, rows->pdata[i], &q, ci);
	}
	ds_table_emit(t, c->fmt, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	if (rows)
		g_ptr_array_unref(rows);
	if (cls)
		g_array_unref(cls);
	if (memo.seen)
		g_hash_table_destroy(memo.seen);
	ds_decl_free(decl);
	ds_table_free(t);
	return rc;
}
