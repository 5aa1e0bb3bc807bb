/*
 * weekly_advice.c - the "what to do" list of the weekly report
 * (weekly.h): for each source failing DMARC, what would make it pass
 * (RFC 7489 section 3.1 identifier alignment: SPF passes for the
 * envelope domain, DKIM for d=; DMARC needs one of them aligned with
 * the From domain), plus policy hints. Plain text; escaped on output.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "report/weekly/weekly.h"

#define MAX_TODO 8
#define MIN_FAIL 1		/* ignore sources with fewer failures */

/*
 * Not "microsoft" or "amazon": the ASN rules of services.tsv name the
 * rest of those networks "Microsoft Azure" and "Amazon AWS", machines
 * whose SPF fix is their own address, never the mail service's include.
 */
static const struct {
	const char *match;	/* lower-case substring of a service name */
	const char *include;
} services[] = {
	{ "google", "_spf.google.com" },
	{ "microsoft 365", "spf.protection.outlook.com" },
	{ "outlook", "spf.protection.outlook.com" },
	{ "amazon ses", "amazonses.com" },
	{ "sendgrid", "sendgrid.net" },
	{ "mailchimp", "servers.mcsv.net" },
	{ "mandrill", "spf.mandrillapp.com" },
	{ "mailgun", "mailgun.org" },
	{ "postmark", "spf.mtasv.net" },
	{ "sparkpost", "sparkpostmail.com" },
	{ "zoho", "zoho.com" },
	{ "brevo", "spf.brevo.com" },
};

const char *
ds_weekly_spf_include(const char *svc)
{
	char *l;
	size_t i;
	const char *r = NULL;

	if (svc == NULL)
		return NULL;
	l = g_ascii_strdown(svc, -1);
	for (i = 0; i < G_N_ELEMENTS(services) && r == NULL; i++)
		if (strstr(l, services[i].match) != NULL)
			r = services[i].include;
	g_free(l);
	return r;
}

/* The domain of the first auth result with result pass, or NULL. */
static const char *
passing(const GArray *a)
{
	guint i;

	for (i = 0; a && i < a->len; i++) {
		const struct ds_auth_count *x = &g_array_index(a,
		    struct ds_auth_count, i);

		if (x->result && strcmp(x->result, "pass") == 0 && x->domain)
			return x->domain;
	}
	return NULL;
}

static void
advise_sender(struct ds_weekly *w, const struct ds_sender *s)
{
	const char *who = s->key ? s->key : "an unknown source";
	const char *spf_dom = passing(s->spf), *dkim_dom = passing(s->dkim);
	const char *inc = ds_weekly_spf_include(s->service);
	char *name;

	if (s->dmarc_fail < MIN_FAIL || w->todo->len >= MAX_TODO)
		return;
	name = s->service ? g_strdup_printf("%s (%s)", who, s->service) :
	    s->ptr ? g_strdup_printf("%s (%s)", who, s->ptr) :
	    s->as_org ? g_strdup_printf("%s (%s)", who, s->as_org) :
	    g_strdup(who);
	/*
	 * Nothing passes, not even unaligned: spoofing unless it is yours,
	 * also from a named service or network (anyone can rent a cloud
	 * machine or a service account), so never only "add its include".
	 */
	if (s->spf_pass == 0 && s->dkim_pass == 0 && spf_dom == NULL &&
	    dkim_dom == NULL)
		g_ptr_array_add(w->todo, g_strdup_printf("%s sent %"
		    G_GINT64_FORMAT " message(s) as %s that pass neither SPF "
		    "nor DKIM: if it is not yours it is spoofing, which "
		    "p=quarantine or p=reject stops; if it is yours, add %s%s "
		    "to the SPF record of %s or sign its mail with DKIM d=%s.",
		    name, s->dmarc_fail, w->domain, inc ? "include:" : "it",
		    inc ? inc : "", w->domain, w->domain));
	else if (s->dkim_pass == 0 && s->spf_pass == 0 && dkim_dom)
		g_ptr_array_add(w->todo, g_strdup_printf("%s signs with "
		    "DKIM d=%s, not aligned with %s: have it sign with "
		    "d=%s (%" G_GINT64_FORMAT " failing).", name, dkim_dom,
		    w->domain, w->domain, s->dmarc_fail));
	else if (s->spf_pass == 0)
		g_ptr_array_add(w->todo, g_strdup_printf("%s sends as %s but "
		    "fails SPF alignment%s%s%s: add include:%s to the SPF "
		    "record of %s or sign with DKIM d=%s (%" G_GINT64_FORMAT
		    " failing).", name, w->domain, spf_dom ? " (SPF passes "
		    "for " : "", spf_dom ? spf_dom : "", spf_dom ? ")" : "",
		    inc ? inc : spf_dom ? spf_dom : "<its SPF domain>",
		    w->domain, w->domain, s->dmarc_fail));
	else
		g_ptr_array_add(w->todo, g_strdup_printf("%s fails DMARC for "
		    "%" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " message(s) "
		    "as %s: check its DKIM signing and SPF.", name,
		    s->dmarc_fail, s->messages, w->domain));
	g_free(name);
}

void
ds_weekly_advise(struct ds_weekly *w)
{
	double rate = ds_pass_rate(w->cur.dmarc_pass, w->cur.messages);
	guint i;

	for (i = 0; w->new_failing && i < w->new_failing->len; i++)
		advise_sender(w, g_ptr_array_index(w->new_failing, i));
	for (i = 0; w->top_failing && i < w->top_failing->len; i++)
		advise_sender(w, g_ptr_array_index(w->top_failing, i));
	if (w->p && strcmp(w->p, "none") == 0 && w->cur.messages > 0 &&
	    rate >= 98.0)
		g_ptr_array_add(w->todo, g_strdup_printf("%.1f %% of the mail "
		    "as %s passes DMARC but the policy is p=none: consider "
		    "p=quarantine.", rate, w->domain));
	for (i = 0; w->silent && i < w->silent->len && i < 3; i++) {
		const struct ds_weekly_silent *s = g_ptr_array_index(w->silent,
		    i);

		g_ptr_array_add(w->todo, g_strdup_printf("%s sent no report "
		    "this week (%" G_GINT64_FORMAT " in the %d weeks before): "
		    "check that the rua= address of %s still receives mail.",
		    s->org_name, s->reports, DS_WEEKLY_SILENT_WEEKS,
		    w->domain));
	}
	if (w->cur.messages == 0)
		g_ptr_array_add(w->todo, g_strdup_printf("No aggregate report "
		    "covered %s this week: check the rua= tag of "
		    "_dmarc.%s and that dmarcsift polls its mailbox.",
		    w->domain, w->domain));
	if (w->todo->len == 0)
		g_ptr_array_add(w->todo, g_strdup("Nothing to do: every "
		    "source passed DMARC."));
}
