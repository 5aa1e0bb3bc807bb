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
	const char *fwd;	/* envelope domains its mailbox users'
				   forwarding and its lists use, each
				   followed by a space, or NULL */
};

/*
 * From each service's sending documentation. Google is a sending
 * service (Google Workspace signs as the domain, envelope in the
 * domain) and a forwarder (Gmail forwarding rewrites the envelope to
 * gmail.com, Google Groups to googlegroups.com): the envelope tells
 * them apart.
 */
static const struct include includes[] = {
	{ "Google", "_spf.google.com", false, false,
	    "gmail.com googlemail.com googlegroups.com " },
	{ "Microsoft 365", "spf.protection.outlook.com", false, false, NULL },
	{ "Amazon SES", "amazonses.com", false, false, NULL },
	{ "SendGrid", "sendgrid.net", false, false, NULL },
	{ "Mailchimp", "servers.mcsv.net", false, false, NULL },
	{ "Mandrill", "spf.mandrillapp.com", false, false, NULL },
	{ "Mailgun", "mailgun.org", false, false, NULL },
	{ "Mailjet", "spf.mailjet.com", false, false, NULL },
	{ "Postmark", "spf.mtasv.net", false, false, NULL },
	{ "SparkPost", "sparkpostmail.com", false, false, NULL },
	{ "Brevo", "spf.brevo.com", false, false, NULL },
	{ "Campaign Monitor", "_spf.createsend.com", false, false, NULL },
	{ "Constant Contact", "spf.constantcontact.com", false, false, NULL },
	{ "Zendesk", "mail.zendesk.com", false, false, NULL },
	{ "Salesforce", "_spf.salesforce.com", false, false, NULL },
	{ "Zoho", "zoho.com", false, false, NULL },
	{ "Fastmail", "spf.messagingengine.com", false, false, NULL },
	{ "Barracuda", "spf.ess.barracudanetworks.com", false, false, NULL },
	{ "Outlook.com", NULL, true, false, NULL },
	{ "Yahoo", NULL, true, false, NULL },
	{ "GMX / Web.de", NULL, true, false, NULL },
	{ "Mail.ru", NULL, true, false, NULL },
	{ "Yandex", NULL, true, false, NULL },
	{ "Apple iCloud", NULL, true, false, NULL },
	/* services.tsv's ASN rules for cloud networks: rented machines */
	{ "Microsoft Azure", NULL, false, true, NULL },
	{ "Amazon AWS", NULL, false, true, NULL },
};

static const struct include *
find_include(const char *service)
{
	size_t i;

	for (i = 0; service != NULL && i < G_N_ELEMENTS(includes); i++)
		if (g_ascii_strcasecmp(includes[i].service, service) == 0)
			return &includes[i];
	return NULL;
}

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
	const struct include *i = find_include(service);

	*mailbox = i != NULL && i->mailbox;
	return i != NULL ? i->include : NULL;
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

/* Where one of the domain's selectors passes. */
struct sel_seen {
	unsigned rows;		/* source rows it passes in */
	char *service;		/* service of the first ("" none) */
	bool mixed;		/* passes in rows of different services */
};

static void
sel_seen_free(gpointer p)
{
	struct sel_seen *x = p;

	g_free(x->service);
	g_free(x);
}

void
ds_classifier_begin(struct ds_classifier *c, const char *domain,
    const struct ds_decl *decl)
{
	size_t n;

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
	    sel_seen_free);
}

void
ds_classifier_add(struct ds_classifier *c, const struct ds_sender *s)
{
	const char *svc = s->service ? s->service : "";
	guint k;

	for (k = 0; s->dkim != NULL && k < s->dkim->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->dkim,
		    struct ds_auth_count, k);
		struct sel_seen *x;
		char *key;

		if (!is(a->result, "pass") || !within(a->domain, c->org))
			continue;
		key = sel_key(a->domain, a->selector);
		x = g_hash_table_lookup(c->good_sel, key);
		if (x == NULL) {
			x = g_new0(struct sel_seen, 1);
			x->service = g_strdup(svc);
			g_hash_table_insert(c->good_sel, key, x);
		} else
			g_free(key);
		/* a row lists a selector once per result */
		x->rows++;
		if (strcmp(x->service, svc) != 0)
			x->mixed = true;
	}
}

void
ds_classifier_init(struct ds_classifier *c, const char *domain,
    const GPtrArray *rows, const struct ds_decl *decl)
{
	guint i;

	ds_classifier_begin(c, domain, decl);
	for (i = 0; rows != NULL && i < rows->len; i++)
		ds_classifier_add(c, rows->pdata[i]);
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

/* What the auth results and reporters' reasons of a row say. */
struct evid {
	int64_t own_pass;	/* DKIM pass for the org domain */
	int64_t own_shared;	/* ... by a selector passing at other
				   sources too (the original's signature) */
	int64_t own_outside;	/* ... passing at sources of another
				   service (or of none) too */
	int64_t own_broken;	/* DKIM fail, good selector */
	int64_t own_unknown_sel; /* DKIM fail, selector never passing */
	const char *broken_sel, *bad_sel, *pass_sel;
	const char *foreign_dkim; /* a passing foreign d= */
	const char *foreign_spf; /* a passing foreign SPF domain */
	const char *fwd_spf;	/* a passing SPF domain the service uses
				   for forwarding (gmail.com) */
	int64_t own_spf_fail;	/* SPF results for the org domain, not pass */
	int64_t own_spf;	/* SPF results (any scope) for the org domain:
				   the envelope or HELO is the domain's */
	int64_t fwd_reason;	/* messages the reporters marked forwarded,
				   mailing_list or trusted_forwarder */
	const char *fwd_reason_type;
};

/* Is name (any case) one of the space-terminated words of list? */
static bool
listed(const char *list, const char *name)
{
	char *l, *n, *w;
	bool r;

	if (list == NULL || name == NULL)
		return false;
	l = g_strconcat(" ", list, NULL);
	n = g_ascii_strdown(name, -1);
	w = g_strconcat(" ", n, " ", NULL);
	r = strstr(l, w) != NULL;
	g_free(l);
	g_free(n);
	g_free(w);
	return r;
}

/*
 * RFC 7489 appendix C PolicyOverrideType: the receiver overrode the
 * policy because it knows the mail was forwarded or sent by a list.
 */
static bool
fwd_type(const char *t)
{
	return is(t, "forwarded") || is(t, "mailing_list") ||
	    is(t, "trusted_forwarder");
}

static void
gather(const struct ds_classifier *c, const struct ds_sender *s,
    const struct include *inc, struct evid *e)
{
	const char *svc = s->service ? s->service : "";
	guint k;

	memset(e, 0, sizeof(*e));
	for (k = 0; s->dkim != NULL && k < s->dkim->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->dkim,
		    struct ds_auth_count, k);
		const struct sel_seen *x;
		char *key;

		if (!within(a->domain, c->org)) {
			if (is(a->result, "pass") && e->foreign_dkim == NULL)
				e->foreign_dkim = a->domain;
			continue;
		}
		if (a->result == NULL || is(a->result, "none") ||
		    is(a->result, "temperror"))
			continue;
		key = sel_key(a->domain, a->selector);
		x = g_hash_table_lookup(c->good_sel, key);
		g_free(key);
		if (is(a->result, "pass")) {
			ds_count_add(&e->own_pass, a->messages);
			if (e->pass_sel == NULL)
				e->pass_sel = a->selector;
			if (x != NULL && x->rows > 1)
				ds_count_add(&e->own_shared, a->messages);
			if (x != NULL && (x->mixed || strcmp(x->service, svc)
			    != 0))
				ds_count_add(&e->own_outside, a->messages);
		} else if (x != NULL) {
			ds_count_add(&e->own_broken, a->messages);
			if (e->broken_sel == NULL)
				e->broken_sel = a->selector;
		} else {
			ds_count_add(&e->own_unknown_sel, a->messages);
			if (e->bad_sel == NULL)
				e->bad_sel = a->selector;
		}
	}
	for (k = 0; s->spf != NULL && k < s->spf->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->spf,
		    struct ds_auth_count, k);

		if (!within(a->domain, c->org)) {
			if (is(a->result, "pass") && e->foreign_spf == NULL)
				e->foreign_spf = a->domain;
			if (is(a->result, "pass") && e->fwd_spf == NULL &&
			    inc != NULL && listed(inc->fwd, a->domain))
				e->fwd_spf = a->domain;
		} else {
			ds_count_add(&e->own_spf, a->messages);
			if (!is(a->result, "pass"))
				ds_count_add(&e->own_spf_fail, a->messages);
		}
	}
	for (k = 0; s->reasons != NULL && k < s->reasons->len; k++) {
		const struct ds_auth_count *a = &g_array_index(s->reasons,
		    struct ds_auth_count, k);

		if (!fwd_type(a->result))
			continue;
		ds_count_add(&e->fwd_reason, a->messages);
		if (e->fwd_reason_type == NULL)
			e->fwd_reason_type = a->result;
	}
	/* a record may carry two such reasons: never more than the row */
	if (e->fwd_reason > s->messages)
		e->fwd_reason = s->messages;
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

/* "; the reporters marked 12 of its messages 'forwarded'" or "" */
static char *
reason_note(const struct ds_sender *s, const struct evid *e)
{
	char *t, *r;

	if (e->fwd_reason == 0)
		return g_strdup("");
	t = q(e->fwd_reason_type);
	r = g_strdup_printf("; the reporters marked %" G_GINT64_FORMAT
	    " of its %" G_GINT64_FORMAT " messages %s", e->fwd_reason,
	    s->messages, t);
	g_free(t);
	return r;
}

/*
 * Forwarding by a service that is also a mailbox and list host
 * (Google): no aligned SPF pass, and either the envelope is the
 * service's forwarding domain (Gmail forwarding, Google Groups), or the
 * envelope is not the domain's (no SPF result for it in any scope:
 * forwarding and lists rewrite it) and the domain's DKIM it carries,
 * intact or broken, is a signature made elsewhere, not the service's
 * own. With the domain's own envelope it is the domain's mail sent
 * through the service (Workspace, its SMTP relay): a service.
 */
static bool
service_forwards(const struct ds_sender *s, const struct include *inc,
    const struct evid *e)
{
	if (inc == NULL || inc->fwd == NULL || s->spf_pass > 0)
		return false;
	if (e->fwd_spf != NULL)
		return true;
	if (e->own_spf > 0)
		return false;
	return (e->own_pass > 0 && e->own_outside == e->own_pass) ||
	    (e->own_pass == 0 && e->own_broken > 0);
}

void
ds_classify(const struct ds_classifier *c, const struct ds_sender *s,
    struct ds_class_info *out)
{
	const char *what = NULL, *ip = s->source_ip ? s->source_ip : s->key;
	const struct include *inc = find_include(s->service);
	char *a = NULL, *b = NULL, *p = passes(s), *rn;
	struct evid e;
	bool ptr_ours;
	int dec;

	memset(out, 0, sizeof(*out));
	gather(c, s, inc, &e);
	rn = reason_note(s, &e);
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
	} else if (e.fwd_reason > 0 && e.fwd_reason >= s->messages -
	    e.fwd_reason && s->spf_pass == 0) {
		/* the receivers themselves say so, for most of its mail */
		out->cls = DS_CLASS_FORWARDER;
		a = q(e.fwd_reason_type);
		out->reason = g_strdup_printf("the reporters marked %"
		    G_GINT64_FORMAT " of its %" G_GINT64_FORMAT " messages "
		    "%s: mail re-sent by a forwarder or mailing list; %s",
		    e.fwd_reason, s->messages, a, p);
	} else if (s->service != NULL && service_forwards(s, inc, &e)) {
		out->cls = DS_CLASS_FORWARDER;
		a = q(s->service);
		b = q(e.fwd_spf ? e.fwd_spf : e.own_pass > 0 ? e.pass_sel :
		    e.broken_sel);
		out->reason = g_strdup_printf("%s re-sending your mail (%s "
		    "%s%s): Gmail forwarding or a Google Group, not your "
		    "own %s account; %s%s", a, e.fwd_spf ? "SPF passes for "
		    "its forwarding domain" : "envelope not yours, and it "
		    "carries your DKIM signature by selector", b, e.fwd_spf ?
		    "" : ", made by another of your sources", a, p, rn);
	} else if (s->service != NULL && !out->mailbox &&
	    !ds_service_hosting(s->service)) {
		out->cls = DS_CLASS_SERVICE;
		a = q(s->service);
		b = q(s->ptr);
		out->reason = g_strdup_printf("%s (%s%s); %s%s%s", a,
		    s->ptr ? "PTR " : "IP range", s->ptr ? b : "", p,
		    out->steady ? ", seen steadily" : "", rn);
	} else if (ptr_ours) {
		out->cls = DS_CLASS_OURS;
		a = q(s->ptr);
		out->reason = g_strdup_printf("forward-confirmed PTR %s under "
		    "%s; %s%s", a, c->org, p, rn);
	} else if (e.own_broken > 0 && s->dmarc_fail > 0 &&
	    s->spf_pass == 0) {
		out->cls = DS_CLASS_FORWARDER;
		a = q(e.broken_sel);
		b = q(e.foreign_spf ? e.foreign_spf : e.foreign_dkim);
		out->reason = g_strdup_printf("your DKIM signature (selector "
		    "%s, which passes elsewhere) arrives broken%s%s: a "
		    "mailing list or forwarder%s", a, e.foreign_spf ||
		    e.foreign_dkim ? "; passes for " : "", e.foreign_spf ||
		    e.foreign_dkim ? b : "", rn);
	} else if (e.own_pass > 0 && s->spf_pass == 0 && (out->mailbox ||
	    (e.foreign_spf != NULL && e.own_shared == e.own_pass))) {
		/*
		 * Forwarding keeps DKIM and rewrites the envelope (SRS) or
		 * comes from a mailbox provider. An aligned DKIM pass with
		 * SPF failing for the domain itself is the domain's own
		 * signing server missing from SPF: ours (rule 4).
		 */
		out->cls = DS_CLASS_FORWARDER;
		a = q(e.foreign_spf);
		b = q(s->service);
		out->reason = g_strdup_printf("your DKIM passes but SPF does "
		    "not%s%s%s%s%s: mail re-sent by a forwarder%s",
		    e.foreign_spf ? " (SPF passes for " : "",
		    e.foreign_spf ? a : "", e.foreign_spf ? ")" : "",
		    out->mailbox ? "; mailbox provider " : "",
		    out->mailbox ? b : "", rn);
	} else if (s->messages > 0 && s->dmarc_pass >= s->messages -
	    s->dmarc_pass && s->dmarc_pass > 0) {
		out->cls = DS_CLASS_OURS;
		a = q(e.pass_sel);
		out->reason = g_strdup_printf("%s (%s%s%s)%s%s", p,
		    s->dkim_pass > 0 && s->spf_pass > 0 ?
		    "aligned DKIM and SPF" : s->dkim_pass > 0 ?
		    "aligned DKIM" : "aligned SPF", s->dkim_pass > 0 &&
		    e.pass_sel ? ", selector " : "", s->dkim_pass > 0 &&
		    e.pass_sel ? a : "", s->dkim_pass > 0 && s->spf_pass == 0
		    && e.own_spf_fail > 0 ? "; SPF fails for your domain: "
		    "a server of yours missing from SPF" : "", rn);
	} else {
		out->cls = DS_CLASS_UNKNOWN;
		a = q(e.foreign_dkim);
		out->reason = g_strdup_printf("nothing authenticates it as "
		    "%s; %s%s%s%s%s", c->domain, p, e.foreign_dkim ?
		    "; DKIM passes only for " : "", e.foreign_dkim ? a : "",
		    e.own_unknown_sel > 0 ? "; signs with a selector of "
		    "yours that never passes" : "", rn);
	}
	g_free(a);
	g_free(b);
	g_free(p);
	g_free(rn);
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
