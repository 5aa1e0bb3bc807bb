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

/* Does the row carry an AS organisation or a country? */
static bool
has_geo(const struct ds_sender *s)
{
	return s->as_org != NULL || s->country != NULL;
}

/* One answer per IP and run: the class query and the shown rows ask
   for the same IPs, and a --dns-zone run has no cache to ask twice.
   At most MEMO_MAX answers are kept (then forgotten and asked again:
   the same answer, from the cache or the zone), so 200,000 IPs do not
   cost 200,000 kept answers. */
#define MEMO_MAX 4096

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
	if (g_hash_table_size(m->seen) >= MEMO_MAX)
		g_hash_table_remove_all(m->seen);
	c = g_new0(struct ds_ipinfo, 1);
	ds_ipinfo_init(c);
	c->ip = g_strdup(out->ip);
	info_copy(c, out);
	g_hash_table_insert(m->seen, c->ip, c);
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
 * What the rows streamed from the store go into: one table (JSON, CSV,
 * text without classes) or one per class (text with classes: ours,
 * service, forwarder, unknown, each under a heading with its totals).
 * Tables spool to disk (table.c), so any number of rows costs bounded
 * memory; the rows kept are the first limit of the sort order that
 * pass --class.
 */
struct emit {
	struct ds_ctx *c;
	const struct ds_sender_query *q;
	const struct ds_classifier *cl;	/* NULL without --domain */
	int only;			/* --class, or -1 */
	unsigned limit, shown, rows;
	bool geo;			/* some row has AS owner/country */
	struct ds_table *t;		/* the one table, or NULL */
	struct ds_table *by[DS_CLASS_COUNT];
	int64_t n[DS_CLASS_COUNT], msgs[DS_CLASS_COUNT],
	    fail[DS_CLASS_COUNT];
};

static bool
on_row(const struct ds_sender *s, void *payload)
{
	struct emit *e = payload;
	struct ds_class_info ci;
	bool have = e->cl != NULL;

	e->rows++;
	if (has_geo(s))
		e->geo = true;
	if (e->limit != 0 && e->shown >= e->limit)
		return true;	/* read on: geo counts over every row */
	if (have)
		ds_classify(e->cl, s, &ci);
	if (e->only >= 0 && (!have || (int)ci.cls != e->only))
		goto done;
	e->shown++;
	if (e->t == NULL) {
		e->n[ci.cls]++;
		ds_count_add(&e->msgs[ci.cls], s->messages);
		ds_count_add(&e->fail[ci.cls], s->dmarc_fail);
		add_text_row(e->by[ci.cls], s, &ci);
	} else if (e->c->fmt == DS_OUT_TEXT)
		add_text_row(e->t, s, have ? &ci : NULL);
	else
		add_row(e->t, s, e->q, have ? &ci : NULL);
done:
	if (have)
		ds_class_info_clear(&ci);
	return true;
}

static void
emit_text_by_class(struct emit *e)
{
	unsigned printed = 0;
	int c;

	for (c = 0; c < DS_CLASS_COUNT; c++) {
		struct ds_table *t = e->by[c];

		if (!e->geo) {
			ds_table_text_hide(t, "as owner");
			ds_table_text_hide(t, "cc");
		}
		if (e->n[c] > 0) {
			g_print("%s%s: %" G_GINT64_FORMAT " source%s, %"
			    G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT
			    " failing (%s)\n", printed++ ? "\n" : "",
			    ds_class_name(c), e->n[c], e->n[c] == 1 ? "" : "s",
			    e->msgs[c], e->fail[c], class_what[c]);
			ds_table_emit(t, DS_OUT_TEXT, stdout);
		}
	}
	if (printed == 0) {
		struct ds_table *t = ds_table_new(text_cols);

		ds_table_text_hide(t, "class");
		ds_table_emit(t, DS_OUT_TEXT, stdout);
		ds_table_free(t);
	}
}

static struct ds_table *
class_table(const struct ds_sender_query *q)
{
	struct ds_table *t = ds_table_new(text_cols);

	if (q->group == DS_GROUP_IP)
		ds_table_text_hide(t, "ips");
	if (q->group == DS_GROUP_SERVICE)
		ds_table_text_hide(t, "service");
	ds_table_text_hide(t, "class");
	ds_table_text_whole(t, "source");	/* an IP, net, AS */
	return t;
}

/*
 * "dmarcsift senders": stream ds_store_senders_each() with the context's
 * enrichment into the table(s), classified against every IP row of the
 * period (ds_classifier_from_store) so a filtered or grouped view gives
 * each source the class the full view gives it. Returns a DS_EXIT_*
 * code.
 */
int
cmd_senders(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_enrich *en;
	struct ds_sender_query q;
	struct ds_decl *decl = NULL;
	struct memo memo = { NULL, NULL };
	struct ds_classifier cl;
	struct emit e;
	GError *err = NULL;
	enum ds_class want = DS_CLASS_UNKNOWN;
	bool have_cl = false;
	int rc = DS_EXIT_OK, k;

	memset(&e, 0, sizeof(e));
	if (!ds_ctx_setup(c, NULL, "Sources that send mail as the domain, "
	    "per IP or group, with DMARC results,\nthe names behind the "
	    "IPs (cached; --offline: cache only) and the class\nof each "
	    "source: ours, service, forwarder or unknown, with the reason.",
	    own, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	ds_sender_query_init(&q);
	q.period = c->q;
	if (!parse_opts(&q, &err) ||
	    (opt_class != NULL && !ds_class_parse(opt_class, &want, &err)))
		goto fail;
	if (opt_class != NULL && q.period.domain == NULL) {
		ds_fail(&err, DS_ERROR_USAGE, "--class needs --domain");
		goto fail;
	}
	e.c = c;
	e.q = &q;
	e.only = opt_class != NULL ? (int)want : -1;
	e.limit = q.period.limit;
	if (opt_class != NULL)
		q.period.limit = 0;	/* filtered below, then limited */
	if (!ds_decl_from_conf(&decl, c->conf, q.period.domain, &err))
		goto fail;
	en = c->enrich;
	memo.en = en;
	memo.seen = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    info_free);
	q.info = memo_info;
	q.info_payload = &memo;
	if (q.period.domain != NULL) {
		if (!ds_classifier_from_store(&cl, c->store, &q.period,
		    memo_info, &memo, decl, &err))
			goto fail;
		have_cl = true;
		e.cl = &cl;
	}
	if (c->fmt == DS_OUT_TEXT && have_cl) {
		for (k = 0; k < DS_CLASS_COUNT; k++)
			e.by[k] = class_table(&q);
	} else {
		e.t = ds_table_new(c->fmt == DS_OUT_TEXT ? text_cols : cols);
	}
	if (!ds_store_senders_each(c->store, &q, on_row, &e, &err))
		goto fail;
	if (c->verbose)
		g_printerr("dmarcsift senders: %u rows; names: %u looked "
		    "up, %u cached, %u offline; %u in MaxMind databases\n",
		    e.rows, en->lookups, en->cached, en->offline, en->geo);
	if (e.t == NULL) {
		emit_text_by_class(&e);
		goto done;
	}
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_IP)
		ds_table_text_hide(e.t, "ips");
	if (c->fmt == DS_OUT_TEXT && q.group != DS_GROUP_DOMAIN)
		ds_table_text_whole(e.t, "source");	/* an IP, net, AS */
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_SERVICE)
		ds_table_text_hide(e.t, "service");	/* the key already */
	if (c->fmt == DS_OUT_TEXT && q.group == DS_GROUP_COUNTRY)
		ds_table_text_hide(e.t, "cc");
	if (c->fmt == DS_OUT_TEXT && ds_mmdb_count(en->mmdb) == 0 &&
	    !e.geo) {
		/* no database, nothing cached: no empty columns */
		ds_table_text_hide(e.t, "as owner");
		ds_table_text_hide(e.t, "cc");
	}
	ds_table_text_hide(e.t, "class");
	ds_table_emit(e.t, c->fmt, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, err);
	g_clear_error(&err);
done:
	if (have_cl)
		ds_classifier_release(&cl);
	if (memo.seen)
		g_hash_table_destroy(memo.seen);
	ds_decl_free(decl);
	ds_table_free(e.t);
	for (k = 0; k < DS_CLASS_COUNT; k++)
		ds_table_free(e.by[k]);
	return rc;
}
