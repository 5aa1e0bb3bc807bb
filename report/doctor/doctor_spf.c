/*
 * doctor_spf.c - SPF findings (RFC 7208): no record, several records
 * (§4.5), syntax and include errors (permerror), more than 10
 * DNS-querying terms and more than 2 void lookups (§4.6.4), +all and
 * ?all (§5.1), ptr (§5.5), and senders that pass DKIM but fail SPF
 * because their network is not included (named service and include).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/error.h"
#include "report/doctor/doctor.h"
#include "report/doctor/spf_check.h"

#define MAX_DKIM_ONLY 20	/* sources looked up for the include check */
#define MAX_OWN_IPS 10		/* own addresses added to one proposed record */
#define MAX_SPF_DOMAINS 5	/* envelope domains whose SPF is checked */
#define RECORD_MAX 1024		/* a proposed record is shown whole */

/* a record to publish, made safe for one line but never cut short */
static const char *
whole(struct ds_doctor *d, GString *g)
{
	char *q = ds_quote(g->str, g->len, RECORD_MAX);

	g_string_free(g, TRUE);
	g_ptr_array_add(d->pool, q);
	return q;
}

/* the record with "include:inc" (or ip) inserted before all/redirect */
static const char *
with_term(struct ds_doctor *d, const char *text, const char *term)
{
	char **w = g_strsplit(text ? text : "v=spf1 -all", " ", 0);
	GString *g = g_string_new(NULL);
	bool added = false;
	guint i;

	for (i = 0; w[i] != NULL; i++) {
		const char *t = w[i] + (w[i][0] && strchr("+-~?", w[i][0]));

		if (w[i][0] == '\0')
			continue;
		if (!added && i > 0 && (g_ascii_strcasecmp(t, "all") == 0 ||
		    g_ascii_strncasecmp(t, "redirect=", 9) == 0)) {
			g_string_append_printf(g, " %s", term);
			added = true;
		}
		g_string_append_printf(g, "%s%s", g->len ? " " : "", w[i]);
	}
	if (!added)
		g_string_append_printf(g, " %s", term);
	g_strfreev(w);
	return whole(d, g);
}

/* the record with its all term as -all */
static const char *
strict_all(struct ds_doctor *d, const char *text)
{
	char **w = g_strsplit(text, " ", 0);
	GString *g = g_string_new(NULL);
	guint i;

	for (i = 0; w[i] != NULL; i++) {
		const char *t = w[i] + (w[i][0] && strchr("+-~?", w[i][0]));

		if (w[i][0] == '\0')
			continue;
		g_string_append_printf(g, "%s%s", g->len ? " " : "",
		    g_ascii_strcasecmp(t, "all") == 0 ? "-all" : w[i]);
	}
	g_strfreev(w);
	return whole(d, g);
}

static bool
has_include(const struct ds_spf_eval *e, const char *inc)
{
	guint i;

	for (i = 0; i < e->includes->len; i++)
		if (g_ascii_strcasecmp(e->includes->pdata[i], inc) == 0)
			return true;
	return false;
}

/*
 * Messages of s that SPF should have passed for: its DKIM-pass/SPF-fail
 * mail, or for a steady sending service (report/classify) failing SPF
 * whatever DKIM did, all its mail without an aligned SPF pass (the
 * Microsoft 365 tenant without its include and without DKIM).
 */
static int64_t
spf_missing(const struct ds_doc_src *s)
{
	if (s->dkim_pass_spf_fail > 0)
		return s->dkim_pass_spf_fail;
	if ((s->cls == DS_CLASS_SERVICE && s->steady && s->include != NULL) ||
	    (s->cls == DS_CLASS_OURS && s->declared))
		return s->messages - s->spf_pass;
	return 0;
}

/* the SPF domain that failed for s */
static const char *
spf_dom(const struct ds_doctor *d, const struct ds_doc_src *s)
{
	if (s->spf_domain != NULL)
		return s->spf_domain;
	return s->own_spf_domain ? s->own_spf_domain : d->domain;
}

static gint
by_dkim_only(gconstpointer a, gconstpointer b)
{
	const struct ds_doc_src *x = *(struct ds_doc_src *const *)a;
	const struct ds_doc_src *y = *(struct ds_doc_src *const *)b;

	if (spf_missing(x) == spf_missing(y))
		return 0;
	return spf_missing(x) > spf_missing(y) ? -1 : 1;
}

/*
 * DKIM passes, SPF fails for spf_domain (d->domain or an envelope
 * subdomain, whose policy is e): a service or own server missing.
 */
static void
not_included_at(struct ds_doctor *d, const char *spf_domain,
    const struct ds_spf_eval *e, GPtrArray *cand)
{
	GPtrArray *own = g_ptr_array_new(), *order = g_ptr_array_new();
	GHashTable *by_svc;
	struct ds_finding *f;
	const char *sdq = ds_doctor_q(d, spf_domain), *all, *also;
	int64_t own_msgs = 0;
	unsigned nadd = 0;
	guint i, k;

	by_svc = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
	    (GDestroyNotify)g_ptr_array_unref);
	for (i = 0; i < cand->len; i++) {
		struct ds_doc_src *s = cand->pdata[i];
		GPtrArray *a;

		/* never an include or ip4: for what nothing authenticates */
		if (s->cls == DS_CLASS_UNKNOWN || s->cls == DS_CLASS_FORWARDER)
			continue;
		if (s->service != NULL && s->include != NULL) {
			if (has_include(e, s->include))
				continue;
			a = g_hash_table_lookup(by_svc, s->include);
			if (a == NULL) {
				a = g_ptr_array_new();
				g_hash_table_insert(by_svc,
				    (gpointer)s->include, a);
				g_ptr_array_add(order, a);
			}
			g_ptr_array_add(a, s);
		} else if ((s->service == NULL || s->hosting) &&
		    s->ip != NULL && ((s->ptr != NULL &&
		    s->ptr_confirmed == 1 && ds_doctor_within(s->ptr,
		    d->org)) || s->declared) && !ds_spf_covers(e, s->ip)) {
			g_ptr_array_add(own, s);
			ds_count_add(&own_msgs, spf_missing(s));
		}
	}
	/*
	 * One record to publish with every missing include and address
	 * added: a fix per finding that each added only its own term would
	 * undo the others when followed one after the other.
	 */
	all = e->text;
	for (k = 0; k < order->len; k++) {
		const struct ds_doc_src *s0 = ((GPtrArray *)
		    order->pdata[k])->pdata[0];

		all = with_term(d, all, ds_doctor_fmt(d, "include:%s",
		    s0->include));
		nadd++;
	}
	for (i = 0; i < own->len && i < MAX_OWN_IPS; i++) {
		const struct ds_doc_src *x = own->pdata[i];

		all = with_term(d, all, ds_doctor_fmt(d, "%s:%s",
		    strchr(x->ip, ':') ? "ip6" : "ip4", x->ip));
		nadd++;
	}
	also = nadd > 1 ? ds_doctor_fmt(d, " This record adds all %u "
	    "missing entries doctor names for %s: publish it once.", nadd,
	    sdq) : "";
	for (k = 0; k < order->len; k++) {
		GPtrArray *a = order->pdata[k];
		const struct ds_doc_src *s0 = a->pdata[0];
		int64_t n = 0, dfail = 0;

		for (i = 0; i < a->len; i++) {
			const struct ds_doc_src *x = a->pdata[i];

			ds_count_add(&n, spf_missing(x));
			ds_count_add(&dfail, x->messages - x->dmarc_pass);
		}
		/* failing DMARC too: the user's own mail that p=reject
		   would reject */
		f = ds_doctor_add(d, dfail >= 10 ? DS_SEV_ERROR :
		    DS_SEV_WARNING, "spf-include-missing", n,
		    "%" G_GINT64_FORMAT " messages from %s (%u IP%s%s) fail "
		    "SPF for %s: its SPF record does not include %s%s", n,
		    s0->service, a->len, a->len == 1 ? "" : "s", s0->steady ?
		    ", sending steadily" : "", sdq, s0->include, dfail > 0 ?
		    ds_doctor_fmt(d, "; %" G_GINT64_FORMAT " of them fail "
		    "DMARC because DKIM does not pass either", dfail) :
		    " (DKIM still passes, so DMARC does)");
		ds_ev_int(f, "dmarc_fail", dfail);
		ds_ev_str(f, "service", s0->service);
		ds_ev_str(f, "include", s0->include);
		ds_ev_str(f, "spf_domain", spf_domain);
		ds_ev_int(f, "messages", n);
		ds_ev_sources(f, "sources", a, 10);
		ds_ev_str(f, "record", e->text);
		ds_finding_fix(f, "If you send through %s, add "
		    "include:%s to the SPF record of %s: \"%s\".%s",
		    s0->service, s0->include, sdq, all, also);
	}
	if (own->len > 0) {
		const struct ds_doc_src *s0 = own->pdata[0];

		f = ds_doctor_add(d, DS_SEV_WARNING, "spf-ip-missing",
		    own_msgs, "%" G_GINT64_FORMAT " messages from %u of your "
		    "own servers (%s) fail SPF for %s: its SPF record does "
		    "not cover %s%s", own_msgs, own->len, s0->declared ?
		    "declared ours" : ds_doctor_fmt(d, "PTR under %s",
		    d->org), sdq, s0->ip, own->len > 1 ? ds_doctor_fmt(d,
		    " and %u more", own->len - 1) : "");
		ds_ev_str(f, "spf_domain", spf_domain);
		ds_ev_sources(f, "sources", own, 10);
		ds_ev_str(f, "record", e->text);
		ds_finding_fix(f, "Add the server%s address%s to the SPF "
		    "record of %s: \"%s\".%s", own->len == 1 ? "'s" : "s'",
		    own->len == 1 ? "" : "es", sdq, all, also);
	}
	g_hash_table_destroy(by_svc);
	g_ptr_array_unref(order);
	g_ptr_array_unref(own);
}

/* the DKIM-pass/SPF-fail sources, by the SPF domain that failed */
static void
not_included(struct ds_doctor *d, const struct ds_spf_eval *e)
{
	GPtrArray *cand = g_ptr_array_new(), *doms, *sub;
	struct ds_spf_eval other;
	guint i, k;

	doms = g_ptr_array_new();
	for (i = 0; i < d->sources->len; i++) {
		struct ds_doc_src *s = d->sources->pdata[i];

		if (spf_missing(s) > 0)
			g_ptr_array_add(cand, s);
	}
	g_ptr_array_sort(cand, by_dkim_only);
	g_ptr_array_set_size(cand, MIN(cand->len, MAX_DKIM_ONLY));
	for (i = 0; i < cand->len; i++) {
		struct ds_doc_src *s = cand->pdata[i];
		const char *sd = spf_dom(d, s);

		ds_doctor_enrich(d, s);
		if (!g_ptr_array_find_with_equal_func(doms, sd, g_str_equal,
		    NULL) && doms->len < MAX_SPF_DOMAINS)
			g_ptr_array_add(doms, (gpointer)sd);
	}
	for (k = 0; k < doms->len; k++) {
		const char *sd = doms->pdata[k];
		bool top = strcmp(sd, d->domain) == 0;

		sub = g_ptr_array_new();
		for (i = 0; i < cand->len; i++) {
			struct ds_doc_src *s = cand->pdata[i];

			if (strcmp(spf_dom(d, s), sd) == 0)
				g_ptr_array_add(sub, s);
		}
		if (!top)
			ds_spf_eval(d->dns, sd, &other);
		if (top || !other.tempfail || other.records > 0)
			not_included_at(d, sd, top ? e : &other, sub);
		else
			ds_doctor_skip(d, ds_doctor_fmt(d, "SPF record of %s",
			    ds_doctor_q(d, sd)), DS_DNS_TEMPFAIL);
		if (!top)
			ds_spf_eval_clear(&other);
		g_ptr_array_unref(sub);
	}
	g_ptr_array_unref(doms);
	g_ptr_array_unref(cand);
}

static void
record_findings(struct ds_doctor *d, const struct ds_spf_eval *e)
{
	struct ds_finding *f;

	if (e->errors->len > 0) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "spf-permerror", d->messages,
		    "the SPF policy of %s is broken (permerror, so SPF fails "
		    "for all mail): %s", d->domain, ds_doctor_q(d,
		    e->errors->pdata[0]));
		ds_ev_str(f, "record", e->text);
		ds_ev_strv(f, "errors", e->errors);
		ds_finding_fix(f, "Correct the SPF record of %s (or the "
		    "include it points to) so that every term is valid RFC "
		    "7208 syntax and every include has exactly one "
		    "v=spf1 record.", d->domain);
	}
	if (e->lookups > DS_SPF_MAX_TERMS) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "spf-too-many-lookups",
		    d->messages, "the SPF policy of %s needs %u DNS-querying "
		    "terms, more than the %d RFC 7208 allows: receivers "
		    "return permerror and SPF fails for all mail", d->domain,
		    e->lookups, DS_SPF_MAX_TERMS);
		ds_ev_int(f, "lookups", e->lookups);
		ds_ev_int(f, "limit", DS_SPF_MAX_TERMS);
		ds_ev_str(f, "record", e->text);
		ds_ev_strv(f, "terms", e->counted);
		ds_finding_fix(f, "Bring it to %d or fewer: remove includes of "
		    "services you no longer use, replace a and mx with ip4:/"
		    "ip6: ranges, drop ptr, or move senders to a subdomain "
		    "with its own SPF record.", DS_SPF_MAX_TERMS);
	}
	if (e->void_lookups > 0) {
		bool over = e->void_lookups > DS_SPF_MAX_VOIDS;

		f = ds_doctor_add(d, over ? DS_SEV_ERROR : DS_SEV_WARNING,
		    "spf-void-lookups", 0, "%u name%s in the SPF policy of %s "
		    "answer nothing%s", e->void_lookups,
		    e->void_lookups == 1 ? "" : "s", d->domain, over ?
		    ": more than 2 void lookups is a permerror (RFC 7208 "
		    "section 4.6.4)" : "");
		ds_ev_int(f, "void_lookups", e->void_lookups);
		ds_ev_int(f, "limit", DS_SPF_MAX_VOIDS);
		ds_ev_strv(f, "names", e->voids);
		ds_ev_str(f, "record", e->text);
		ds_finding_fix(f, "Remove the terms naming %s: the names do "
		    "not exist or have no records of that type.",
		    ds_doctor_q(d, e->voids->pdata[0]));
	}
	if (e->all_qual == '+' || e->all_qual == '?') {
		bool pass = e->all_qual == '+';

		f = ds_doctor_add(d, pass ? DS_SEV_ERROR : DS_SEV_WARNING,
		    pass ? "spf-pass-all" : "spf-neutral-all", 0,
		    "the SPF policy of %s ends in %call: %s", d->domain,
		    e->all_qual, pass ? "every host on the internet passes "
		    "SPF for it" : "hosts not listed get neutral, "
		    "which protects nothing");
		ds_ev_str(f, "record", e->text);
		ds_finding_fix(f, "End the record with -all (or ~all while "
		    "you check the reports): \"%s\".", strict_all(d, e->text));
	}
	if (e->ptr) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "spf-ptr", 0,
		    "the SPF policy of %s uses the ptr mechanism, which RFC "
		    "7208 section 5.5 says not to use: it is slow and many "
		    "receivers skip it", d->domain);
		ds_ev_str(f, "record", e->text);
		ds_ev_strv(f, "terms", e->counted);
		ds_finding_fix(f, "Replace ptr with the ip4:/ip6: ranges (or "
		    "a:host names) of your servers.");
	}
}

bool
ds_doctor_spf(struct ds_doctor *d, GError **err)
{
	struct ds_spf_eval e;
	struct ds_finding *f;

	ds_spf_eval(d->dns, d->domain, &e);
	if (e.records == 0 && e.tempfail) {
		ds_doctor_skip(d, "SPF record", ds_dns_get_mode(d->dns) ==
		    DS_DNS_OFF ? DS_DNS_OFFLINE : DS_DNS_TEMPFAIL);
		goto done;
	}
	if (e.records == 0) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "spf-missing", 0,
		    "%s publishes no SPF record: SPF gives none for its mail "
		    "and DMARC rests on DKIM alone", d->domain);
		ds_ev_str(f, "name", d->domain);
		ds_finding_fix(f, "Publish TXT at %s listing the hosts and "
		    "services that send its mail, e.g. \"v=spf1 mx -all\" "
		    "plus an include: per service.", d->domain);
	} else if (e.records > 1) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "spf-multiple-records",
		    d->messages, "%s publishes %d v=spf1 records: receivers "
		    "return permerror (RFC 7208 section 4.5) and SPF fails "
		    "for all mail", d->domain, e.records);
		ds_ev_int(f, "records", e.records);
		ds_finding_fix(f, "Merge them into one v=spf1 record at %s "
		    "(all mechanisms, one all at the end) and delete the "
		    "others.", d->domain);
	} else {
		record_findings(d, &e);
		not_included(d, &e);
	}
done:
	ds_spf_eval_clear(&e);
	return true;
}
