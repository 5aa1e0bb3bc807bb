/*
 * doctor_dmarc.c - DMARC record findings: missing, invalid or several
 * records (RFC 7489 §6.6.3), invalid tags, p=none where the pass rate
 * allows enforcement (saying what would be rejected), pct below 100
 * (RFC 7489 §6.3) and t=y (RFC 9989), rua/ruf destinations without the
 * <domain>._report._dmarc.<dest> authorization (RFC 7489 §7.1), no rua,
 * and unused subdomains spoofed without sp/np (RFC 9989 np).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/error.h"
#include "schema/util/rate.h"
#include "schema/store/store_doctor.h"
#include "report/doctor/doctor.h"

#define MAX_SUBDOMAINS 20

/* text with tag set to value (NULL: removed); added at the end if new */
static char *
with_tag(const char *text, const char *tag, const char *value)
{
	char **terms = g_strsplit(text, ";", 0);
	GString *g = g_string_new(NULL);
	bool set = false;
	guint i;

	for (i = 0; terms[i] != NULL; i++) {
		char *t = g_strstrip(terms[i]), *name;
		const char *eq = strchr(t, '=');
		bool match;

		if (*t == '\0')
			continue;
		name = g_strndup(t, eq ? (gsize)(eq - t) : strlen(t));
		match = g_ascii_strcasecmp(g_strstrip(name), tag) == 0;
		g_free(name);
		if (match && (set || value == NULL)) {
			set = true;
			continue;
		}
		if (g->len > 0)
			g_string_append(g, "; ");
		if (match)
			g_string_append_printf(g, "%s=%s", tag, value);
		else
			g_string_append(g, t);
		set = set || match;
	}
	if (!set && value != NULL)
		g_string_append_printf(g, "; %s=%s", tag, value);
	g_strfreev(terms);
	return g_string_free(g, FALSE);
}

const char *
ds_doctor_suggest(struct ds_doctor *d, const char *tag, const char *value)
{
	char *s = with_tag(d->dmarc.text, tag, value);

	g_ptr_array_add(d->pool, s);
	return ds_doctor_q(d, s);
}

static void
report_auth(struct ds_doctor *d, const char *tag, GPtrArray *uris)
{
	struct ds_finding *f;
	enum ds_dmarc_auth a;
	char *dest = NULL;
	guint i;

	for (i = 0; i < uris->len; i++) {
		const char *u = uris->pdata[i];

		a = ds_dmarc_report_authorized(d->dns, d->domain, u, &dest);
		if (a == DS_DMARC_AUTH_TEMPFAIL)
			ds_doctor_skip(d, ds_doctor_fmt(d, "%s authorization "
			    "of %s", tag, ds_doctor_q(d, dest)),
			    DS_DNS_TEMPFAIL);
		if (a == DS_DMARC_AUTH_MISSING) {
			f = ds_doctor_add(d, DS_SEV_WARNING,
			    "dmarc-report-unauthorized", 0, "%s=%s sends "
			    "reports to %s, which does not authorize "
			    "reports for %s: receivers will not send them",
			    tag, ds_doctor_q(d, u), ds_doctor_q(d, dest),
			    d->domain);
			ds_ev_str(f, "tag", tag);
			ds_ev_str(f, "uri", u);
			ds_ev_str(f, "destination", dest);
			ds_ev_str(f, "authorization_name", ds_doctor_fmt(d,
			    "%s._report._dmarc.%s", d->domain, dest));
			ds_finding_fix(f, "Publish TXT \"v=DMARC1\" at "
			    "%s._report._dmarc.%s (in %s's zone), or send "
			    "reports to an address under %s.", d->domain,
			    ds_doctor_q(d, dest), ds_doctor_q(d, dest),
			    d->org);
		} else if (a == DS_DMARC_AUTH_BAD_URI) {
			f = ds_doctor_add(d, DS_SEV_WARNING,
			    "dmarc-tag-invalid", 0, "%s=%s is not a "
			    "mailto: address", tag, ds_doctor_q(d, u));
			ds_ev_str(f, "uri", u);
			ds_finding_fix(f, "Use %s=mailto:dmarc@%s.", tag,
			    d->domain);
		}
		g_clear_pointer(&dest, g_free);
	}
}

struct subs {
	struct ds_doctor *d;
	GPtrArray *names;	/* unused subdomains that fail DMARC */
	int64_t messages;
	unsigned checked;
};

static bool
sub_cb(const struct ds_doc_from *r, void *payload)
{
	struct subs *s = payload;
	enum ds_dns_status st;
	bool exists = true;

	if (r->header_from == NULL || r->messages == r->dmarc_pass ||
	    strcmp(r->header_from, s->d->domain) == 0 ||
	    !ds_doctor_within(r->header_from, s->d->domain))
		return true;
	if (++s->checked > MAX_SUBDOMAINS)
		return false;
	st = ds_dmarc_domain_exists(s->d->dns, r->header_from, &exists);
	if (st != DS_DNS_OK) {
		ds_doctor_skip(s->d, ds_doctor_fmt(s->d, "existence of %s",
		    ds_doctor_q(s->d, r->header_from)), st);
		return true;
	}
	if (!exists) {
		g_ptr_array_add(s->names, g_strdup(r->header_from));
		ds_count_add(&s->messages, r->messages - r->dmarc_pass);
	}
	return true;
}

/* RFC 9989 np: unused (non-existent) subdomains spoofed */
static bool
subdomains(struct ds_doctor *d, GError **err)
{
	struct subs s = { d, g_ptr_array_new_with_free_func(g_free), 0, 0 };
	const char *applied;
	struct ds_finding *f;
	bool ok;

	ok = ds_store_doc_from_each(d->st, &d->q, sub_cb, &s, err);
	applied = d->dmarc.np ? d->dmarc.np : d->dmarc.sp ? d->dmarc.sp :
	    d->dmarc.p;
	if (ok && s.names->len > 0 && strcmp(applied, "reject") != 0) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-subdomain-spoofed",
		    s.messages, "%" G_GINT64_FORMAT " messages from %u "
		    "subdomain%s of %s that do not exist failed DMARC, and "
		    "%s: their policy is %s", s.messages, s.names->len,
		    s.names->len == 1 ? "" : "s", d->domain,
		    d->dmarc.np || d->dmarc.sp ? "sp/np do not reject" :
		    "the record has no sp= or np=", applied);
		ds_ev_strv(f, "subdomains", s.names);
		ds_ev_int(f, "messages", s.messages);
		ds_ev_str(f, "record", d->dmarc.text);
		ds_finding_fix(f, "Add np=reject (RFC 9989: non-existent "
		    "subdomains) to the record, and sp=reject if no "
		    "subdomain sends mail: \"%s\".", ds_doctor_suggest(d, "np", "reject"));
	}
	g_ptr_array_unref(s.names);
	return ok;
}

static void
check_record(struct ds_doctor *d)
{
	struct ds_dmarc_record *r = &d->dmarc;
	struct ds_finding *f;

	if (r->warnings->len > 0) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-tag-invalid", 0,
		    "the DMARC record at %s has %u invalid or unknown "
		    "tag%s", d->dmarc_at, r->warnings->len,
		    r->warnings->len == 1 ? "" : "s");
		ds_ev_str(f, "record", r->text);
		ds_ev_strv(f, "problems", r->warnings);
		ds_finding_fix(f, "Correct the tags listed (RFC 9989 section "
		    "4.7); receivers ignore invalid ones and use defaults.");
	}
	if (strcmp(r->p, "none") == 0)
		ds_doctor_policy_none(d);
	if (r->pct < 100 && strcmp(r->p, "none") != 0) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-pct-partial", 0,
		    "pct=%d: p=%s applies to only %d%% of failing mail",
		    r->pct, r->p, r->pct);
		ds_ev_int(f, "pct", r->pct);
		ds_ev_str(f, "record", r->text);
		ds_doctor_readiness(d, f);
		ds_finding_fix(f, "Remove pct (RFC 9989 drops it; the "
		    "default is 100): \"%s\".", ds_doctor_suggest(d, "pct", NULL));
	}
	if (r->testing) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-testing", 0,
		    "t=y: the policy is in test mode (RFC 9989), receivers "
		    "apply one level less than p=%s", r->p);
		ds_ev_str(f, "record", r->text);
		ds_doctor_readiness(d, f);
		ds_finding_fix(f, "Remove t=y once the reports look right: "
		    "\"%s\".", ds_doctor_suggest(d, "t", NULL));
	}
	if (r->rua->len == 0) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-no-rua", 0,
		    "the DMARC record has no rua=: no aggregate reports are "
		    "sent");
		ds_ev_str(f, "record", r->text);
		ds_finding_fix(f, "Add rua=mailto:dmarc-reports@%s (the "
		    "mailbox dmarcsift reads): \"%s\".", d->domain,
		    ds_doctor_suggest(d, "rua", ds_doctor_fmt(d,
		    "mailto:dmarc-reports@%s", d->domain)));
	}
	report_auth(d, "rua", r->rua);
	report_auth(d, "ruf", r->ruf);
}

static void
missing(struct ds_doctor *d)
{
	struct ds_finding *f;

	f = ds_doctor_add(d, DS_SEV_ERROR, "dmarc-missing", d->messages,
	    "no DMARC record at _dmarc.%s (nor at the organizational domain "
	    "%s): receivers apply no policy and send no reports", d->domain,
	    d->org);
	ds_ev_str(f, "name", ds_doctor_fmt(d, "_dmarc.%s", d->domain));
	ds_finding_fix(f, "Publish TXT at _dmarc.%s: \"v=DMARC1; p=none; "
	    "rua=mailto:dmarc-reports@%s\", then tighten p as the reports "
	    "show your senders pass.", d->domain, d->domain);
}

/* Is txt meant as a DMARC record (starts with v=DMARC, any case)? */
static bool
looks_dmarc(const char *txt)
{
	while (g_ascii_isspace(*txt))
		txt++;
	return g_ascii_strncasecmp(txt, "v=dmarc", 7) == 0 ||
	    g_ascii_strncasecmp(txt, "v = dmarc", 9) == 0;
}

bool
ds_doctor_dmarc(struct ds_doctor *d, GError **err)
{
	struct ds_dmarc_record rec;
	struct ds_dmarc_policy pol;
	GPtrArray *txt = NULL, *valid, *invalid;
	enum ds_dns_status st;
	struct ds_finding *f;
	GError *e = NULL;
	char *name;
	guint i;

	name = g_strdup_printf("_dmarc.%s", d->domain);
	st = ds_dns_txt(d->dns, name, &txt);
	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE) {
		ds_doctor_skip(d, "DMARC record", st);
		g_free(name);
		return true;
	}
	valid = g_ptr_array_new_with_free_func(g_free);
	invalid = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; txt != NULL && i < txt->len; i++) {
		if (ds_dmarc_record_parse(txt->pdata[i], &rec, &e))
			g_ptr_array_add(valid, g_strdup(txt->pdata[i]));
		else if (looks_dmarc(txt->pdata[i]))
			g_ptr_array_add(invalid, g_strdup_printf("%s (%s)",
			    (char *)txt->pdata[i], e->message));
		g_clear_error(&e);
		ds_dmarc_record_clear(&rec);
	}
	if (valid->len > 1) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "dmarc-multiple-records",
		    d->messages, "%u DMARC records at %s: receivers apply "
		    "none of them (RFC 7489 section 6.6.3)", valid->len, name);
		ds_ev_strv(f, "records", valid);
		ds_finding_fix(f, "Delete all but one TXT record starting "
		    "with v=DMARC1 at %s.", name);
	} else if (valid->len == 0 && invalid->len > 0) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "dmarc-invalid",
		    d->messages, "the TXT record at %s is not a valid DMARC "
		    "record: receivers ignore it", name);
		ds_ev_strv(f, "records", invalid);
		ds_finding_fix(f, "Publish a record that starts exactly with "
		    "\"v=DMARC1;\" and separates tags with ';', e.g. "
		    "\"v=DMARC1; p=none; rua=mailto:dmarc-reports@%s\".",
		    d->domain);
	} else if (valid->len == 1) {
		ds_dmarc_record_parse(valid->pdata[0], &d->dmarc, NULL);
		d->has_dmarc = true;
		d->dmarc_at = g_strdup(name);
	} else if (ds_dmarc_discover(d->dns, d->domain, DS_DMARC_DISC_PSL,
	    &pol) && pol.found) {
		/* inherited from the organizational domain */
		d->dmarc = pol.rec;
		memset(&pol.rec, 0, sizeof(pol.rec));
		d->has_dmarc = true;
		d->dmarc_at = g_strdup_printf("_dmarc.%s", pol.record_domain);
		ds_dmarc_policy_clear(&pol);
	} else {
		if (pol.tempfail)
			ds_doctor_skip(d, "DMARC record of the organizational "
			    "domain", DS_DNS_TEMPFAIL);
		else
			missing(d);
		ds_dmarc_policy_clear(&pol);
	}
	g_ptr_array_unref(valid);
	g_ptr_array_unref(invalid);
	if (txt != NULL)
		g_ptr_array_unref(txt);
	g_free(name);
	if (!d->has_dmarc)
		return true;
	check_record(d);
	return subdomains(d, err);
}
