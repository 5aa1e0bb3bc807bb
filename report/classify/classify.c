/*
 * classify.c - the classification of classify.h: one pure function over
 * a sender row, so every report command calls the same rules.
 * SPDX-License-Identifier: MIT
 *
 * DMARC identifier alignment (RFC 7489 §3.1, RFC 9989): a DKIM d= or
 * SPF domain is the domain's own when it is the organizational domain
 * or below it (relaxed). Row strings are attacker text: reasons quote
 * them with ds_quote() (THREATS 9) and callers escape them on output.
 */
#include <string.h>

#include "schema/dns/dns.h"
#include "schema/util/error.h"
#include "schema/util/count.h"
#include "report/classify/classify.h"

#define QUOTE_MAX 64

static const char *const names[DS_CLASS_COUNT] = {
	"ours", "service", "forwarder", "unknown"
};

const char *
ds_class_name(enum ds_class c)
{
	return c < DS_CLASS_COUNT ? names[c] : "unknown";
}

bool
ds_class_parse(const char *s, enum ds_class *out, GError **err)
{
	int i;

	for (i = 0; i < DS_CLASS_COUNT; i++)
		if (s != NULL && strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	return ds_fail(err, DS_ERROR_USAGE, "bad class '%s' (ours, service, "
	    "forwarder or unknown)", s ? s : "");
}

struct include {
	const char *service;	/* name in services.tsv */
	const char *include;	/* NULL: no single include to name */
	bool mailbox;		/* a mailbox provider: its users forward */
	bool hosting;		/* a cloud network (an ASN rule): its
				   machines are anybody's, the domain's own
				   or a spoofer's: never a "service" */
};

/* from each service's sending documentation */
static const struct include includes[] = {
	{ "Google", "_spf.google.com", false, false },
	{ "Microsoft 365", "spf.protection.outlook.com", false, false },
	{ "Amazon SES", "amazonses.com", false, false },
	{ "SendGrid", "sendgrid.net", false, false },
	{ "Mailchimp", "servers.mcsv.net", false, false },
	{ "Mandrill", "spf.mandrillapp.com", false, false },
	{ "Mailgun", "mailgun.org", false, false },
	{ "Mailjet", "spf.mailjet.com", false, false },
	{ "Postmark", "spf.mtasv.net", false, false },
	{ "SparkPost", "sparkpostmail.com", false, false },
	{ "Brevo", "spf.brevo.com", false, false },
	{ "Campaign Monitor", "_spf.createsend.com", false, false },
	{ "Constant Contact", "spf.constantcontact.com", false, false },
	{ "Zendesk", "mail.zendesk.com", false, false },
	{ "Salesforce", "_spf.salesforce.com", false, false },
	{ "Zoho", "zoho.com", false, false },
	{ "Fastmail", "spf.messagingengine.com", false, false },
	{ "Barracuda", "spf.ess.barracudanetworks.com", false, false },
	{ "Outlook.com", NULL, true, false },
	{ "Yahoo", NULL, true, false },
	{ "GMX / Web.de", NULL, true, false },
	{ "Mail.ru", NULL, true, false },
	{ "Yandex", NULL, true, false },
	{ "Apple iCloud", NULL, true, false },
	/* services.tsv's ASN rules for cloud networks: rented machines */
	{ "Microsoft Azure", NULL, false, true },
	{ "Amazon AWS", NULL, false, true },
};

bool
ds_service_hosting(const char *service)
{
	size_t i;

	for (i = 0; service != NULL && i < G_N_ELEMENTS(includes); i++)
		if (strcmp(includes[i].service, service) == 0)
			return includes[i].hosting;
	return false;
}

const char *
ds_service_include(const char *service, bool *mailbox)
{
	size_t i;

	*mailbox = false;
	for (i = 0; service != NULL && i < G_N_ELEMENTS(includes); i++)
		if (g_ascii_strcasecmp(includes[i].service, service) == 0) {
			*mailbox = includes[i].mailbox;
			return includes[i].include;
		}
	return NULL;
}

/* name is org or below it (lower case compare) */
static bool
within(const char *name, const char *org)
{
	size_t n, m;

	if (name == NULL || org == NULL)
		return false;
	n = strlen(name);
	m = strlen(org);
	if (n == m)
		return g_ascii_strcasecmp(name, org) == 0;
	return n > m && name[n - m - 1] == '.' &&
	    g_ascii_strcasecmp(name + n - m, org) == 0;
}

static bool
is(const char *r, const char *word)
{
	return r != NULL && g_ascii_strcasecmp(r, word) == 0;
}

static char *
sel_key(const char *d, const char *s)
{
	char *k = g_strdup_printf("%s\037%s", d ? d : "", s ? s : "");
	char *l = g_ascii_strdown(k, -1);

	g_free(k);
	return l;
}

void
ds_classifier_init(struct ds_classifier *c, const char *domain,
    const GPtrArray *rows, const struct ds_decl *decl)
{
	size_t n;
	guint i, k;

	memset(c, 0, sizeof(*c));
	c->domain = g_ascii_strdown(domain ? domain : "", -1);
	n = strlen(c->domain);
	if (n > 0 && c->domain[n - 1] == '.')
		c->domain[n - 1] = '\0';
	c->org = ds_org_domain(c->domain);
	if (c->org == NULL)
		c->org = g_strdup(c->domain);
	c->decl = decl;
	c->good_sel = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	for (i = 0; rows != NULL && i < rows->len; i++) {
		const struct ds_sender *s = rows->pdata[i];

		for (k = 0; s->dkim != NULL && k < s->dkim->len; k++) {
			const struct ds_auth_count *a = &g_array_index(
			    s->dkim, struct ds_auth_count, k);

			if (is(a->result, "pass") && within(a->domain, c->org))
				g_hash_table_add(c->good_sel,
				    sel_key(a->domain, a->selector));
		}
	}
}

void
ds_classifier_release(struct ds_classifier *c)
{
	g_free(c->domain);
	g_free(c->org);
	if (c->good_sel != NULL)
		g_hash_table_destroy(c->good_sel);
	memset(c, 0, sizeof(*c));
}

void
ds_class_info_clear(struct ds_class_info *i)
{
	g_free(i->reason);
	memset(i, 0, sizeof(*i));
}

/* What the auth results of a row say. */
struct evid {
	int64_t own_pass;	/* DKIM pass for the org domain */
	int64_t own_broken;	/* DKIM fail, good selector */
	int64_t own_unknown_sel; /* DKIM fail, selector never passing */
	const char *broken_sel, *bad_sel;
	const char *foreign_dkim; /* a passing foreign d= */
	const char *foreign_spf; /* a passing foreign SPF domain */
	int64_t own_spf_fail;	/* SPF results for the org domain, not pass */
};

static void
gather(const struct ds_classifier *c, const struct ds_sender *s,
    struct evid *e)
{
	guint k;

	memset(e, 0, sizeof(*e));
	for (k = 0; s->dkim != NULL && k < s->dkim->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->dkim,
		    struct ds_auth_count, k);
		char *key;

		if (!within(a->domain, c->org)) {
			if (is(a->result, "pass") && e->foreign_dkim == NULL)
				e->foreign_dkim = a->domain;
			continue;
		}
		if (is(a->result, "pass")) {
			ds_count_add(&e->own_pass, a->messages);
			continue;
		}
		if (a->result == NULL || is(a->result, "none") ||
		    is(a->result, "temperror"))
			continue;
		key = sel_key(a->domain, a->selector);
		if (g_hash_table_contains(c->good_sel, key)) {
			ds_count_add(&e->own_broken, a->messages);
			if (e->broken_sel == NULL)
				e->broken_sel = a->selector;
		} else {
			ds_count_add(&e->own_unknown_sel, a->messages);
			if (e->bad_sel == NULL)
				e->bad_sel = a->selector;
		}
		g_free(key);
	}
	for (k = 0; s->spf != NULL && k < s->spf->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->spf,
		    struct ds_auth_count, k);

		if (!within(a->domain, c->org)) {
			if (is(a->result, "pass") && e->foreign_spf == NULL)
				e->foreign_spf = a->domain;
		} else if (!is(a->result, "pass"))
			ds_count_add(&e->own_spf_fail, a->messages);
	}
}

static char *
q(const char *s)
{
	return ds_quote(s ? s : "", s ? strlen(s) : 0, QUOTE_MAX);
}

/* "12 of 40 pass DMARC" */
static char *
passes(const struct ds_sender *s)
{
	return g_strdup_printf("%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
	    " pass DMARC", s->dmarc_pass, s->messages);
}

void
ds_classify(const struct ds_classifier *c, const struct ds_sender *s,
    struct ds_class_info *out)
{
	const char *what = NULL, *ip = s->source_ip ? s->source_ip : s->key;
	char *a = NULL, *b = NULL, *p = passes(s);
	struct evid e;
	bool ptr_ours;
	int dec;

	memset(out, 0, sizeof(*out));
	gather(c, s, &e);
	out->failing = s->dmarc_fail;
	out->service = s->service;
	out->include = ds_service_include(s->service, &out->mailbox);
	out->steady = s->reporters != NULL && s->reporters->len >=
	    DS_STEADY_REPORTERS && s->reports >= DS_STEADY_REPORTS;
	if (e.own_unknown_sel > 0 && e.own_pass == 0)
		out->bad_selector = e.bad_sel;
	ptr_ours = s->ptr != NULL && s->ptr_confirmed == 1 &&
	    within(s->ptr, c->org);
	dec = ds_decl_match(c->decl, ip, s->service, &what);
	if (dec != 0) {
		out->declared = true;
		out->cls = dec > 0 ? DS_CLASS_OURS : DS_CLASS_UNKNOWN;
		a = q(what);
		out->reason = g_strdup_printf("declared %s in the "
		    "configuration (%s); %s", dec > 0 ? "ours" : "not ours",
		    a, p);
	} else if (s->service != NULL && !out->mailbox &&
	    !ds_service_hosting(s->service)) {
		out->cls = DS_CLASS_SERVICE;
		a = q(s->service);
		b = q(s->ptr);
		out->reason = g_strdup_printf("%s (%s%s); %s%s", a,
		    s->ptr ? "PTR " : "IP range", s->ptr ? b : "", p,
		    out->steady ? ", seen steadily" : "");
	} else if (ptr_ours) {
		out->cls = DS_CLASS_OURS;
		a = q(s->ptr);
		out->reason = g_strdup_printf("forward-confirmed PTR %s under "
		    "%s; %s", a, c->org, p);
	} else if (e.own_broken > 0 && s->dmarc_fail > 0 &&
	    s->spf_pass == 0) {
		out->cls = DS_CLASS_FORWARDER;
		a = q(e.broken_sel);
		b = q(e.foreign_spf ? e.foreign_spf : e.foreign_dkim);
		out->reason = g_strdup_printf("your DKIM signature (selector "
		    "%s, which passes elsewhere) arrives broken%s%s: a "
		    "mailing list or forwarder", a, e.foreign_spf ||
		    e.foreign_dkim ? "; passes for " : "", e.foreign_spf ||
		    e.foreign_dkim ? b : "");
	} else if (e.own_pass > 0 && s->spf_pass == 0 &&
	    (e.own_spf_fail > 0 || e.foreign_spf != NULL || out->mailbox)) {
		out->cls = DS_CLASS_FORWARDER;
		a = q(e.foreign_spf);
		b = q(s->service);
		out->reason = g_strdup_printf("your DKIM passes but SPF does "
		    "not%s%s%s%s%s: mail re-sent by a forwarder",
		    e.foreign_spf ? " (SPF passes for " : "",
		    e.foreign_spf ? a : "", e.foreign_spf ? ")" : "",
		    out->mailbox ? "; mailbox provider " : "",
		    out->mailbox ? b : "");
	} else if (s->messages > 0 && s->dmarc_pass >= s->messages - s->dmarc_pass &&
	    s->dmarc_pass > 0) {
		out->cls = DS_CLASS_OURS;
		out->reason = g_strdup_printf("%s (%s)", p, s->dkim_pass > 0 &&
		    s->spf_pass > 0 ? "aligned DKIM and SPF" :
		    s->dkim_pass > 0 ? "aligned DKIM" : "aligned SPF");
	} else {
		out->cls = DS_CLASS_UNKNOWN;
		a = q(e.foreign_dkim);
		out->reason = g_strdup_printf("nothing authenticates it as "
		    "%s; %s%s%s%s", c->domain, p, e.foreign_dkim ?
		    "; DKIM passes only for " : "", e.foreign_dkim ? a : "",
		    e.own_unknown_sel > 0 ? "; signs with a selector of "
		    "yours that never passes" : "");
	}
	g_free(a);
	g_free(b);
	g_free(p);
}

GArray *
ds_classify_rows(const char *domain, const GPtrArray *rows,
    const struct ds_decl *decl)
{
	struct ds_classifier c;
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct ds_class_info));
	guint i;

	g_array_set_clear_func(out, (GDestroyNotify)ds_class_info_clear);
	ds_classifier_init(&c, domain, rows, decl);
	g_array_set_size(out, rows ? rows->len : 0);
	for (i = 0; rows != NULL && i < rows->len; i++)
		ds_classify(&c, rows->pdata[i], &g_array_index(out,
		    struct ds_class_info, i));
	ds_classifier_release(&c);
	return out;
}
