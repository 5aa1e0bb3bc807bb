/*
 * doctor_tls.c - SMTP TLS findings: the TLS-RPT record at
 * _smtp._tls.DOMAIN (RFC 8460 §3), the MTA-STS record at _mta-sts.DOMAIN
 * (RFC 8461 §3.1), and the TLS failures senders reported (RFC 8460
 * §4.3 result types), each with its fix. The policy file itself is
 * checked in doctor_mtasts.c.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_tls.h"
#include "report/doctor/doctor.h"
#include "report/doctor/doctor_tls.h"

/* RFC 8460 §4.3 result types and what the receiving side can do */
static const struct {
	const char *type;
	const char *what;
	const char *fix;
} fixes[] = {
	{ "starttls-not-supported", "the MX did not offer STARTTLS",
	  "Enable STARTTLS on every MX host listed in the reports (postfix: "
	  "smtpd_tls_security_level = may, with smtpd_tls_cert_file and "
	  "smtpd_tls_key_file set) and check it with "
	  "'openssl s_client -starttls smtp -connect MX:25'." },
	{ "certificate-host-mismatch", "the MX certificate does not name the "
	  "MX host", "Put every MX host name in the certificate's "
	  "subjectAltName (or use a wildcard that covers it), and make the MX "
	  "records point at names the certificate covers." },
	{ "certificate-expired", "the MX certificate had expired",
	  "Renew the MX certificate, automate the renewal (certbot, acme.sh) "
	  "and reload the mail server after each renewal." },
	{ "certificate-not-trusted", "the MX certificate chain is not "
	  "trusted", "Use a certificate from a public CA and serve the full "
	  "chain (intermediates included), not a self-signed one; MTA-STS "
	  "senders require WebPKI trust." },
	{ "validation-failure", "the MX certificate did not validate",
	  "Check the MX certificate: full chain served, not expired, host "
	  "name in subjectAltName; the reason codes in the evidence say "
	  "which." },
	{ "tlsa-invalid", "the TLSA records did not match",
	  "Publish TLSA records that match the MX certificate or key "
	  "(roll them before changing the certificate: publish the new "
	  "record, wait two TTLs, then switch)." },
	{ "dnssec-invalid", "DNSSEC validation failed",
	  "Fix the DNSSEC chain of the MX zone (DS at the parent, valid "
	  "signatures, keys not expired), e.g. with 'delv' or dnsviz.net." },
	{ "dane-required", "DANE was required but no usable TLSA record",
	  "Publish valid, DNSSEC-signed TLSA records for every MX host "
	  "(_25._tcp.MX)." },
	{ "sts-policy-fetch-error", "the MTA-STS policy could not be fetched",
	  "Serve https://mta-sts.DOMAIN/.well-known/mta-sts.txt with status "
	  "200, Content-Type text/plain and a publicly trusted certificate "
	  "for mta-sts.DOMAIN, without redirects; if MTA-STS is not wanted, "
	  "remove the _mta-sts TXT record." },
	{ "sts-policy-invalid", "the MTA-STS policy did not parse",
	  "Write the policy as 'version: STSv1', 'mode:', one 'mx:' line per "
	  "pattern and 'max_age:', one per line (RFC 8461 section 3.2)." },
	{ "sts-webpki-invalid", "the certificate of the MTA-STS policy host "
	  "did not validate", "Give mta-sts.DOMAIN a publicly trusted "
	  "certificate covering that name, with the full chain." },
};

/* See doctor.h: the one text of each fix (doctor, weekly). */
char *
ds_doctor_tls_fix(const char *type, const char *domain, const char **what,
    bool *known)
{
	const char *fix = "Look at the sending MTAs and receiving MX hosts "
	    "in the evidence and at the MX logs for the same time.";
	char **parts, *text;
	size_t i;

	*known = false;
	*what = "a TLS failure";
	for (i = 0; type != NULL && i < G_N_ELEMENTS(fixes); i++)
		if (strcmp(fixes[i].type, type) == 0) {
			*known = true;
			*what = fixes[i].what;
			fix = fixes[i].fix;
		}
	parts = g_strsplit(fix, "DOMAIN", -1);
	text = g_strjoinv(domain, parts);
	g_strfreev(parts);
	return text;
}

struct fail_walk {
	struct ds_doctor *d;
	int64_t sessions;	/* of the domain in the period */
};

static bool
fail_cb(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct fail_walk *w = payload;
	struct ds_doctor *d = w->d;
	struct ds_finding *f;
	bool known;
	const char *what;
	char *code, *text = ds_doctor_tls_fix(r->result_type, d->domain,
	    &what, &known);
	/* an error once it costs more than 1% of the sessions */
	enum ds_sev sev = r->failures * 100 > w->sessions ? DS_SEV_ERROR :
	    DS_SEV_WARNING;

	/* codes stay stable: a reporter's own words are not one */
	code = g_strdup_printf("tls-%s", known ? r->result_type :
	    "failure-other");
	f = ds_doctor_add(d, sev, code, r->failures, "%" G_GINT64_FORMAT
	    " SMTP TLS session%s to %s failed: %s (%s)", r->failures,
	    r->failures == 1 ? "" : "s", d->domain, ds_doctor_q(d,
	    r->result_type), what);
	g_free(code);
	ds_ev_str(f, "result_type", r->result_type);
	ds_ev_int(f, "failed_sessions", r->failures);
	ds_ev_int(f, "sessions", w->sessions);
	ds_ev_int(f, "reports", r->reports);
	ds_ev_str(f, "sending_mta_ips", r->sending_ips);
	ds_ev_str(f, "receiving_mx", r->receiving);
	ds_ev_str(f, "reason_codes", r->reason_codes);
	ds_ev_time(f, "last", r->last);
	ds_finding_fix(f, "%s", text);
	g_free(text);
	return true;
}

static bool
total_cb(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct ds_doctor_tls *t = payload;

	t->reports += r->reports;
	t->successes += r->successes;
	t->failures += r->failures;
	return true;
}

/* The TXT records of name that start with prefix (case-insensitive). */
static enum ds_dns_status
txt_with(struct ds_doctor *d, const char *name, const char *prefix,
    GPtrArray **out)
{
	GPtrArray *all = NULL;
	enum ds_dns_status st = ds_dns_txt(d->dns, name, &all);
	guint i;

	*out = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; all && i < all->len; i++) {
		const char *v = g_ptr_array_index(all, i);

		while (*v == ' ')
			v++;
		if (g_ascii_strncasecmp(v, prefix, strlen(prefix)) == 0)
			g_ptr_array_add(*out, g_strdup(v));
	}
	if (all)
		g_ptr_array_unref(all);
	return st == DS_DNS_NODATA ? DS_DNS_NXDOMAIN : st;
}

/* The value of tag in a "k=v; k=v" record (owned by d), or NULL. */
static const char *
tag(struct ds_doctor *d, const char *rec, const char *name)
{
	char **parts = g_strsplit(rec, ";", -1), *val = NULL;
	int i;

	for (i = 0; parts[i]; i++) {
		char *p = g_strstrip(parts[i]), *eq = strchr(p, '=');

		if (eq && (size_t)(eq - p) == strlen(name) &&
		    g_ascii_strncasecmp(p, name, strlen(name)) == 0) {
			val = (char *)ds_doctor_fmt(d, "%s", g_strstrip(eq + 1));
			break;
		}
	}
	g_strfreev(parts);
	return val;
}

/* the first mailto: of the DMARC record's rua= (quoted), or NULL */
static const char *
dmarc_mailto(struct ds_doctor *d)
{
	guint i;

	for (i = 0; d->has_dmarc && d->dmarc.rua != NULL &&
	    i < d->dmarc.rua->len; i++)
		if (g_ascii_strncasecmp(d->dmarc.rua->pdata[i], "mailto:", 7)
		    == 0)
			return ds_doctor_q(d, d->dmarc.rua->pdata[i]);
	return NULL;
}

static void
check_tlsrpt(struct ds_doctor *d, struct ds_doctor_tls *t)
{
	const char *name = ds_doctor_fmt(d, "_smtp._tls.%s", d->domain);
	struct ds_finding *f;
	GPtrArray *recs;
	enum ds_dns_status st = txt_with(d, name, "v=TLSRPTv1", &recs);
	const char *rua;

	if (st != DS_DNS_OK && st != DS_DNS_NXDOMAIN) {
		ds_doctor_skip(d, name, st);
	} else if (recs->len == 0) {
		f = ds_doctor_add(d, t->reports ? DS_SEV_WARNING : DS_SEV_INFO,
		    "tlsrpt-none", 0, "no TLS-RPT record at %s: senders do "
		    "not report TLS failures", name);
		ds_ev_int(f, "tls_reports", t->reports);
		ds_finding_fix(f, "Publish %s TXT \"v=TLSRPTv1; rua=%s\" "
		    "%s to learn when mail to you fails TLS.", name,
		    dmarc_mailto(d) ? dmarc_mailto(d) : ds_doctor_fmt(d,
		    "mailto:tls-reports@%s", d->domain), dmarc_mailto(d) ?
		    "(the address your DMARC rua= already uses, so the TLS "
		    "reports reach the mailbox dmarcsift reads)" : "(any "
		    "address whose mailbox dmarcsift reads)");
	} else if (recs->len > 1) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "tlsrpt-several", 0,
		    "%u TLS-RPT records at %s: senders ignore them all",
		    recs->len, name);
		ds_ev_strv(f, "records", recs);
		ds_finding_fix(f, "Keep exactly one v=TLSRPTv1 record at %s "
		    "(RFC 8460 section 3).", name);
	} else if ((rua = tag(d, g_ptr_array_index(recs, 0), "rua")) ==
	    NULL || (g_ascii_strncasecmp(rua, "mailto:", 7) != 0 &&
	    g_ascii_strncasecmp(rua, "https:", 6) != 0)) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "tlsrpt-no-rua", 0,
		    "the TLS-RPT record at %s has no usable rua=", name);
		ds_ev_str(f, "record", g_ptr_array_index(recs, 0));
		ds_finding_fix(f, "Add rua=mailto:ADDRESS (or https:) to the "
		    "record: \"v=TLSRPTv1; rua=mailto:tls-reports@%s\".",
		    d->domain);
	} else {
		t->tlsrpt = g_ptr_array_index(recs, 0) ?
		    ds_doctor_fmt(d, "%s", (char *)g_ptr_array_index(recs,
		    0)) : NULL;
		if (t->reports == 0) {
			f = ds_doctor_add(d, DS_SEV_INFO, "tlsrpt-no-reports",
			    0, "TLS-RPT is published but no TLS report for "
			    "%s was stored in the period", d->domain);
			ds_ev_str(f, "rua", rua);
			ds_finding_fix(f, "Check that %s reaches the mailbox "
			    "dmarcsift reads; large senders report daily.",
			    ds_doctor_q(d, rua));
		}
	}
	g_ptr_array_unref(recs);
}

static void
check_sts_record(struct ds_doctor *d, struct ds_doctor_tls *t)
{
	const char *name = ds_doctor_fmt(d, "_mta-sts.%s", d->domain);
	struct ds_finding *f;
	GPtrArray *recs;
	enum ds_dns_status st = txt_with(d, name, "v=STSv1", &recs);
	const char *id;

	if (st != DS_DNS_OK && st != DS_DNS_NXDOMAIN) {
		ds_doctor_skip(d, name, st);
	} else if (recs->len == 0) {
		f = ds_doctor_add(d, DS_SEV_INFO, "mta-sts-none", 0,
		    "no MTA-STS record at %s: senders may deliver to you "
		    "without TLS when an attacker strips STARTTLS", name);
		ds_finding_fix(f, "Publish a policy at https://mta-sts.%s/"
		    ".well-known/mta-sts.txt (mode: testing first) and "
		    "%s TXT \"v=STSv1; id=20260101T000000\" (RFC 8461).",
		    d->domain, name);
	} else if (recs->len > 1) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "mta-sts-several", 0,
		    "%u MTA-STS records at %s: senders treat the domain as "
		    "having no policy", recs->len, name);
		ds_ev_strv(f, "records", recs);
		ds_finding_fix(f, "Keep exactly one v=STSv1 record at %s "
		    "(RFC 8461 section 3.1).", name);
	} else if ((id = tag(d, g_ptr_array_index(recs, 0), "id")) == NULL ||
	    *id == '\0' || strlen(id) > 32 ||
	    strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789") != strlen(id)) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "mta-sts-bad-id", 0,
		    "the MTA-STS record at %s has no valid id= (1 to 32 "
		    "letters and digits)", name);
		ds_ev_str(f, "record", g_ptr_array_index(recs, 0));
		ds_finding_fix(f, "Write the record as \"v=STSv1; "
		    "id=20260101T000000\" and change id each time the "
		    "policy file changes, so senders fetch it again.");
	} else {
		t->sts_id = id;
	}
	g_ptr_array_unref(recs);
}

bool
ds_doctor_tls(struct ds_doctor *d, GError **err)
{
	struct ds_doctor_tls t = { 0 };
	struct fail_walk w = { d, 0 };

	if (!ds_store_tls_each(d->st, DS_TLS_BY_DOMAIN, d->domain, d->q.since,
	    d->q.until, total_cb, &t, err))
		return false;
	w.sessions = t.successes + t.failures;
	if (!ds_store_tls_each(d->st, DS_TLS_BY_FAILURE, d->domain,
	    d->q.since, d->q.until, fail_cb, &w, err))
		return false;
	check_tlsrpt(d, &t);
	check_sts_record(d, &t);
	return ds_doctor_mtasts(d, &t, err);
}
