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

struct include {
	const char *service;	/* name in services.tsv */
	const char *include;	/* NULL: no single include to name */
	bool mailbox;		/* a mailbox provider: DKIM pass with SPF
				   fail from it is its users forwarding */
	bool hosting;		/* a cloud network (an ASN rule): its
				   machines may be the domain's own */
};

/* from each service's sending documentation */
static const struct include includes[] = {
	{ "Google", "_spf.google.com", false, false },
	{ "Microsoft 365", "spf.protection.outlook.com", false, false },
	{ "Amazon SES", "amazonses.com", false, false },
	{ "SendGrid", "sendgrid.net", false, false },
	{ "Mailchimp", "servers.mcsv.net", false, false },
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

const char *
ds_doctor_service_include(const char *service, bool *mailbox)
{
	size_t i;

	*mailbox = false;
	for (i = 0; service != NULL && i < G_N_ELEMENTS(includes); i++)
		if (strcmp(includes[i].service, service) == 0) {
			*mailbox = includes[i].mailbox;
			return includes[i].include;
		}
	return NULL;
}

bool
ds_doctor_service_hosting(const char *service)
{
	size_t i;

	for (i = 0; service != NULL && i < G_N_ELEMENTS(includes); i++)
		if (strcmp(includes[i].service, service) == 0)
			return includes[i].hosting;
	return false;
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
