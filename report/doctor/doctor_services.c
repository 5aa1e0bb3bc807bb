/*
 * doctor_services.c - who is behind a source IP: PTR name and
 * forward-confirmed reverse DNS (report/enrich/enrich.h, SPEC section 4), the
 * sending service from the reporter's service table (report/enrich/services.h,
 * report/enrich/data/services.tsv plus the user's rules), and the SPF include
 * each service documents, which only doctor needs.
 * SPDX-License-Identifier: MIT
 *
 * Doctor resolves now, without the ip_info cache: it diagnoses the DNS
 * of today (or of a --dns-zone what-if), so a cached answer from
 * another zone must not leak in. Lookups are capped per run
 * (d->enrich_left), each IP in its own DNS budget window (THREATS #17).
 * The AS number comes from the MaxMind databases (d->mmdb) directly, so
 * a sender without a PTR name still gets a service from an ASN rule.
 */
#include <string.h>

#include "report/doctor/doctor.h"
#include "report/enrich/enrich.h"
#include "report/enrich/mmdb.h"

const char *
ds_doctor_service_include(const char *service, bool *mailbox)
{
	return ds_service_include(service, mailbox);
}

bool
ds_doctor_service_hosting(const char *service)
{
	return ds_service_hosting(service);
}

void
ds_doctor_enrich(struct ds_doctor *d, struct ds_doc_src *s)
{
	struct ds_ipinfo info;
	struct ds_geo geo = { 0 };
	const char *svc;

	if (s->enriched || s->ip == NULL || d->enrich_left == 0)
		return;
	d->enrich_left--;
	ds_ipinfo_init(&info);
	info.ip = g_strdup(s->ip);
	ds_enrich_resolve(d->dns, s->ip, &info);
	if (d->mmdb != NULL) {
		ds_mmdb_lookup(d->mmdb, s->ip, &geo);
		ds_enrich_mmdb_warn(d->mmdb);
		s->asn = geo.asn;
		if (geo.as_org != NULL)
			s->as_org = ds_doctor_fmt(d, "%s", geo.as_org);
		ds_geo_clear(&geo);
	}
	/* the IP and ASN rules of the table need no DNS */
	svc = ds_services_match_asn(d->svc, s->ip, info.ptr, s->asn);
	if (svc != NULL) {
		s->service = ds_doctor_fmt(d, "%s", svc);
		s->include = ds_doctor_service_include(svc, &s->mailbox);
		s->hosting = ds_doctor_service_hosting(svc);
	}
	if (info.status != NULL && (strcmp(info.status, "tempfail") == 0 ||
	    strcmp(info.status, "offline") == 0)) {
		ds_doctor_skip(d, ds_doctor_fmt(d, "PTR of %s", s->ip),
		    strcmp(info.status, "offline") == 0 ? DS_DNS_OFFLINE :
		    DS_DNS_TEMPFAIL);
	} else {
		s->enriched = true;
		s->ptr = info.ptr;
		info.ptr = NULL;
		s->ptr_confirmed = info.ptr_confirmed;
	}
	ds_ipinfo_clear(&info);
}

/* ---- the classes ---- */

struct cls_walk {
	struct ds_doctor *d;
	GHashTable *top;	/* IPs resolved now */
	GHashTable *got;	/* of those, ip -> struct ds_ipinfo * found
				   (the classes walk the store twice) */
	GHashTable *by_ip;	/* ip -> struct ds_doc_src * */
};

static void
info_free(gpointer p)
{
	ds_ipinfo_clear(p);
	g_free(p);
}

/* to := the lookup's answer in from (to->ip kept). */
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

/* A ds_ipinfo_fn: fresh DNS for the top sources, IP rules for all. */
static bool
doc_info(struct ds_ipinfo *out, void *payload, GError **err)
{
	struct cls_walk *w = payload;
	struct ds_doctor *d = w->d;

	struct ds_ipinfo *had;

	(void)err;
	if ((had = g_hash_table_lookup(w->got, out->ip)) != NULL) {
		info_copy(out, had);
	} else if (g_hash_table_contains(w->top, out->ip) &&
	    d->enrich_left > 0) {
		d->enrich_left--;
		ds_enrich_resolve(d->dns, out->ip, out);
		if (out->status != NULL && (strcmp(out->status,
		    "tempfail") == 0 || strcmp(out->status, "offline") == 0))
			ds_doctor_skip(d, ds_doctor_fmt(d, "PTR of %s",
			    out->ip), strcmp(out->status, "offline") == 0 ?
			    DS_DNS_OFFLINE : DS_DNS_TEMPFAIL);
		had = g_new0(struct ds_ipinfo, 1);
		ds_ipinfo_init(had);
		had->ip = g_strdup(out->ip);
		info_copy(had, out);
		g_hash_table_insert(w->got, had->ip, had);
	}
	/* the AS number: the ASN rules name PTR-less senders too */
	if (d->mmdb != NULL) {
		struct ds_geo geo = { 0 };

		ds_mmdb_lookup(d->mmdb, out->ip, &geo);
		ds_enrich_mmdb_warn(d->mmdb);
		out->asn = geo.asn;
		if (geo.as_org != NULL) {
			g_free(out->as_org);
			out->as_org = g_strdup(geo.as_org);
		}
		ds_geo_clear(&geo);
	}
	g_free(out->service);
	out->service = g_strdup(ds_services_match_asn(d->svc, out->ip,
	    out->ptr, out->asn > 0 && out->asn <= UINT32_MAX ?
	    (uint32_t)out->asn : 0));
	return true;
}

static char *
vouch_key(const char *domain, const char *selector)
{
	char *k = g_strdup_printf("%s\037%s", domain ? domain : "",
	    selector ? selector : "");
	char *l = g_ascii_strdown(k, -1);

	g_free(k);
	return l;
}

/* selectors that ours/service sources sign with */
static void
vouch(struct ds_doctor *d, const struct ds_sender *s)
{
	guint k;

	for (k = 0; s->dkim != NULL && k < s->dkim->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->dkim,
		    struct ds_auth_count, k);
		char *key;
		int64_t n;

		if (!ds_doctor_within(a->domain, d->org) || a->selector ==
		    NULL)
			continue;
		key = vouch_key(a->domain, a->selector);
		n = GPOINTER_TO_SIZE(g_hash_table_lookup(d->vouched, key));
		g_hash_table_insert(d->vouched, key, GSIZE_TO_POINTER(
		    (gsize)(n + a->messages)));
	}
}

/* the first SPF domain of ours not passing for s */
static const char *
own_spf_fail(struct ds_doctor *d, const struct ds_sender *s)
{
	guint k;

	for (k = 0; s->spf != NULL && k < s->spf->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->spf,
		    struct ds_auth_count, k);

		if (ds_doctor_within(a->domain, d->org) && (a->result == NULL
		    || strcmp(a->result, "pass") != 0))
			return ds_doctor_fmt(d, "%s", a->domain);
	}
	return NULL;
}

/* One classified source IP of the period (ds_classified_senders_each). */
static bool
on_source(const struct ds_sender *r, const struct ds_class_info *c,
    void *payload)
{
	struct cls_walk *w = payload;
	struct ds_doctor *d = w->d;
	struct ds_doc_src *s = r->source_ip ? g_hash_table_lookup(w->by_ip,
	    r->source_ip) : NULL;

	ds_class_totals_add(&d->classes, r, c);
	/* a service's selector counts when it sends steadily: a spoofer
	   on shared infrastructure makes selectors up */
	if (c->cls == DS_CLASS_OURS || (c->cls == DS_CLASS_SERVICE &&
	    c->steady))
		vouch(d, r);
	if (s == NULL)
		return true;
	s->cls = c->cls;
	s->class_reason = ds_doctor_fmt(d, "%s", c->reason);
	s->steady = c->steady;
	s->declared = c->declared;
	s->own_spf_domain = own_spf_fail(d, r);
	if (r->service != NULL) {
		s->service = ds_doctor_fmt(d, "%s", r->service);
		s->include = ds_service_include(r->service, &s->mailbox);
		s->hosting = ds_service_hosting(r->service);
	}
	if (g_hash_table_contains(w->top, r->source_ip) &&
	    (r->ptr != NULL || r->ptr_confirmed >= 0)) {
		s->enriched = true;
		s->ptr = g_strdup(r->ptr);
		s->ptr_confirmed = r->ptr_confirmed;
	}
	return true;
}

bool
ds_doctor_classify(struct ds_doctor *d, GError **err)
{
	struct cls_walk w = { d, g_hash_table_new(g_str_hash, g_str_equal),
	    g_hash_table_new_full(g_str_hash, g_str_equal, NULL, info_free),
	    g_hash_table_new(g_str_hash, g_str_equal) };
	guint i;
	bool ok;

	for (i = 0; i < d->sources->len; i++) {
		struct ds_doc_src *s = d->sources->pdata[i];

		if (s->ip != NULL && i < d->enrich_left)
			g_hash_table_add(w.top, s->ip);
		if (s->ip != NULL)
			g_hash_table_insert(w.by_ip, s->ip, s);
	}
	memset(&d->classes, 0, sizeof(d->classes));
	ok = ds_classified_senders_each(d->st, &d->q, doc_info, &w, d->decl,
	    on_source, &w, err);
	g_hash_table_destroy(w.by_ip);
	g_hash_table_destroy(w.got);
	g_hash_table_destroy(w.top);
	return ok;
}

int64_t
ds_doctor_vouched(const struct ds_doctor *d, const char *domain,
    const char *selector)
{
	char *key = vouch_key(domain, selector);
	int64_t n = GPOINTER_TO_SIZE(g_hash_table_lookup(d->vouched, key));

	g_free(key);
	return n;
}

const char *
ds_doctor_class_text(struct ds_doctor *d)
{
	GString *g = g_string_new(NULL);
	int c;

	for (c = 0; c < DS_CLASS_COUNT; c++)
		g_string_append_printf(g, "%s%s: %" G_GINT64_FORMAT
		    " source%s, %" G_GINT64_FORMAT " messages, %"
		    G_GINT64_FORMAT " failing", c ? "; " : "",
		    ds_class_name(c), d->classes.sources[c],
		    d->classes.sources[c] == 1 ? "" : "s",
		    d->classes.messages[c], d->classes.failing[c]);
	g_ptr_array_add(d->pool, g->str);
	return g_string_free(g, FALSE);
}

void
ds_ev_classes(struct ds_doctor *d, struct ds_finding *f)
{
	GString *j = g_string_new("{");
	int c;

	for (c = 0; c < DS_CLASS_COUNT; c++)
		g_string_append_printf(j, "%s\"%s\":{\"sources\":%"
		    G_GINT64_FORMAT ",\"messages\":%" G_GINT64_FORMAT
		    ",\"failing\":%" G_GINT64_FORMAT "}", c ? "," : "",
		    ds_class_name(c), d->classes.sources[c],
		    d->classes.messages[c], d->classes.failing[c]);
	g_string_append_c(j, '}');
	ds_ev_raw(f, "by_class", j->str, ds_doctor_class_text(d));
	g_string_free(j, TRUE);
}
