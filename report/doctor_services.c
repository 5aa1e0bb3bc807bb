/*
 * doctor_services.c - who is behind a source IP: its PTR name, whether
 * that name resolves back to the IP (forward-confirmed reverse DNS,
 * SPEC section 4), and the sending service with the SPF include it
 * documents.
 * SPDX-License-Identifier: MIT
 *
 * The service table is a small internal map until the reporter's
 * service table lands on main (then doctor switches to it). Lookups are
 * capped per run (d->enrich_left) and go through the budgeted, cached
 * struct ds_dns (THREATS #17).
 */
#include <sys/socket.h>
#include <string.h>

#include "report/doctor.h"

struct service {
	const char *suffix;	/* PTR names ending in .suffix */
	const char *name;
	const char *include;	/* the include its documentation gives */
};

static const struct service services[] = {
	{ "google.com", "Google Workspace", "_spf.google.com" },
	{ "outlook.com", "Microsoft 365", "spf.protection.outlook.com" },
	{ "amazonses.com", "Amazon SES", "amazonses.com" },
	{ "sendgrid.net", "SendGrid", "sendgrid.net" },
	{ "mcsv.net", "Mailchimp", "servers.mcsv.net" },
	{ "rsgsv.net", "Mailchimp", "servers.mcsv.net" },
	{ "mcdlv.net", "Mailchimp", "servers.mcsv.net" },
	{ "mandrillapp.com", "Mandrill", "spf.mandrillapp.com" },
	{ "mailgun.net", "Mailgun", "mailgun.org" },
	{ "sparkpostmail.com", "SparkPost", "sparkpostmail.com" },
	{ "mtasv.net", "Postmark", "spf.mtasv.net" },
	{ "mailjet.com", "Mailjet", "spf.mailjet.com" },
	{ "zoho.com", "Zoho Mail", "zoho.com" },
	{ "zohomail.eu", "Zoho Mail", "zoho.eu" },
	{ "exacttarget.com", "Salesforce Marketing Cloud",
	  "cust-spf.exacttarget.com" },
	{ "messagelabs.com", "Broadcom Email Security",
	  "spf.messagelabs.com" },
	{ "messagingengine.com", "Fastmail", "spf.messagingengine.com" },
	{ "pphosted.com", "Proofpoint", NULL },
};

bool
ds_doctor_service(const char *ptr, const char **name, const char **include)
{
	size_t i;

	for (i = 0; ptr != NULL && i < G_N_ELEMENTS(services); i++)
		if (ds_doctor_within(ptr, services[i].suffix)) {
			*name = services[i].name;
			*include = services[i].include;
			return true;
		}
	return false;
}

static bool
has_str(const GPtrArray *a, const char *s)
{
	guint i;

	for (i = 0; a != NULL && i < a->len; i++)
		if (g_ascii_strcasecmp(a->pdata[i], s) == 0)
			return true;
	return false;
}

void
ds_doctor_enrich(struct ds_doctor *d, struct ds_doc_src *s)
{
	enum ds_dns_status st;
	GPtrArray *a = NULL;
	int fam;

	if (s->enriched || s->ip == NULL || d->enrich_left == 0)
		return;
	d->enrich_left--;
	s->enriched = true;
	st = ds_dns_ptr(d->dns, s->ip, &a);
	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE) {
		ds_doctor_skip(d, ds_doctor_fmt(d, "PTR of %s", s->ip), st);
		s->enriched = false;
		return;
	}
	if (a != NULL && a->len > 0)
		s->ptr = g_ascii_strdown(a->pdata[0], -1);
	if (a != NULL)
		g_ptr_array_unref(a);
	if (s->ptr == NULL)
		return;
	ds_doctor_service(s->ptr, &s->service, &s->include);
	fam = strchr(s->ip, ':') != NULL ? AF_INET6 : AF_INET;
	a = NULL;
	st = ds_dns_addr(d->dns, s->ptr, fam, &a);
	if (st == DS_DNS_OK)
		s->ptr_confirmed = has_str(a, s->ip) ? 1 : 0;
	else if (st == DS_DNS_NXDOMAIN || st == DS_DNS_NODATA)
		s->ptr_confirmed = 0;
	if (a != NULL)
		g_ptr_array_unref(a);
}
