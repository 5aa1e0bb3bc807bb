/*
 * dmarc_policy.c - DMARC policy discovery (RFC 7489 §6.6.3 with the
 * Public Suffix List, RFC 9989 §4.10 DNS tree walk), the organizational
 * domain, identifier alignment (RFC 7489 §3.1), the policy that applies
 * (p, sp, RFC 9989 np) and external report destinations (RFC 7489
 * §7.1). THREATS #17: at most DS_DMARC_WALK_MAX names per walk, all
 * lookups through the budgeted, cached struct ds_dns.
 * SPDX-License-Identifier: MIT
 */
#include <sys/socket.h>
#include <string.h>

#include "schema/policy/dmarc_policy.h"
#include "schema/util/error.h"

static char *
norm(const char *d)
{
	size_t n;
	char *s;

	if (d == NULL)
		return NULL;
	s = g_ascii_strdown(d, -1);
	n = strlen(s);
	if (n > 0 && s[n - 1] == '.')
		s[n - 1] = '\0';
	return s;
}

/*
 * The DMARC record at _dmarc.<d>: *count valid DMARC records found; the
 * first goes to rec when there is exactly one. TXT records that do not
 * start with v=DMARC1 are not DMARC records and are skipped.
 */
static enum ds_dns_status
fetch(struct ds_dns *dns, const char *d, struct ds_dmarc_record *rec,
    int *count, GPtrArray *notes)
{
	struct ds_dmarc_record tmp;
	enum ds_dns_status st;
	GPtrArray *txt = NULL;
	char *name;
	guint i;

	*count = 0;
	memset(rec, 0, sizeof(*rec));
	name = g_strconcat("_dmarc.", d, NULL);
	st = ds_dns_txt(dns, name, &txt);
	if (st == DS_DNS_NXDOMAIN || st == DS_DNS_NODATA)
		st = DS_DNS_OK;
	else if (st != DS_DNS_OK && notes != NULL)
		g_ptr_array_add(notes, g_strdup_printf("%s: %s", name,
		    ds_dns_status_name(st)));
	for (i = 0; txt != NULL && i < txt->len; i++) {
		if (!ds_dmarc_record_parse(txt->pdata[i], &tmp, NULL)) {
			ds_dmarc_record_clear(&tmp);
			continue;
		}
		if (++*count == 1)
			*rec = tmp;
		else
			ds_dmarc_record_clear(&tmp);
	}
	if (*count > 1) {
		ds_dmarc_record_clear(rec);
		if (notes != NULL)
			g_ptr_array_add(notes, g_strdup_printf("%d DMARC "
			    "records at %s: none of them applies", *count,
			    name));
	}
	if (txt != NULL)
		g_ptr_array_unref(txt);
	g_free(name);
	return st;
}

/* RFC 9989 §4.10: d itself, then at most WALK_MAX - 1 labels, down to 1 */
static GPtrArray *
walk_names(const char *d)
{
	GPtrArray *a;
	char **labels;
	guint n, k, start;

	a = g_ptr_array_new_with_free_func(g_free);
	g_ptr_array_add(a, g_strdup(d));
	labels = g_strsplit(d, ".", 0);
	n = g_strv_length(labels);
	start = MIN(n - 1, DS_DMARC_WALK_MAX - 1);
	for (k = start; n > 0 && k >= 1; k--)
		g_ptr_array_add(a, g_strjoinv(".", labels + (n - k)));
	g_strfreev(labels);
	return a;
}

/* the last k labels of d */
static char *
last_labels(const char *d, guint k)
{
	char **labels = g_strsplit(d, ".", 0);
	guint n = g_strv_length(labels);
	char *s;

	s = g_strjoinv(".", labels + (k < n ? n - k : 0));
	g_strfreev(labels);
	return s;
}

char *
ds_dmarc_org_domain(struct ds_dns *dns, const char *name,
    enum ds_dmarc_disc how)
{
	struct ds_dmarc_record rec;
	GPtrArray *names;
	char *d, *org = NULL, *shortest = NULL;
	guint i;
	int count;

	d = norm(name);
	if (how == DS_DMARC_DISC_PSL || d[0] == '\0') {
		org = ds_org_domain(d);
		g_free(d);
		return org;
	}
	names = walk_names(d);
	for (i = 0; i < names->len && org == NULL; i++) {
		const char *n = names->pdata[i];

		if (fetch(dns, n, &rec, &count, NULL) != DS_DNS_OK ||
		    count != 1)
			continue;
		if (rec.psd == 'n')
			org = g_strdup(n);
		else if (rec.psd == 'y' && i > 0) {
			guint labels = 1;
			const char *p;

			for (p = n; *p != '\0'; p++)
				labels += *p == '.';
			org = last_labels(d, labels + 1);
		}
		g_free(shortest);
		shortest = g_strdup(n);
		ds_dmarc_record_clear(&rec);
	}
	g_ptr_array_unref(names);
	if (org == NULL)
		org = shortest != NULL ? g_strdup(shortest) : g_strdup(d);
	g_free(shortest);
	g_free(d);
	return org;
}

bool
ds_dmarc_discover(struct ds_dns *dns, const char *domain,
    enum ds_dmarc_disc how, struct ds_dmarc_policy *out)
{
	GPtrArray *names;
	enum ds_dns_status st;
	guint i;
	int count;

	memset(out, 0, sizeof(*out));
	out->notes = g_ptr_array_new_with_free_func(g_free);
	out->domain = norm(domain);
	out->org_domain = ds_dmarc_org_domain(dns, out->domain, how);
	if (how == DS_DMARC_DISC_PSL) {
		names = g_ptr_array_new_with_free_func(g_free);
		g_ptr_array_add(names, g_strdup(out->domain));
		if (strcmp(out->org_domain, out->domain) != 0)
			g_ptr_array_add(names, g_strdup(out->org_domain));
	} else
		names = walk_names(out->domain);
	for (i = 0; i < names->len; i++) {
		st = fetch(dns, names->pdata[i], &out->rec, &count,
		    out->notes);
		if (st != DS_DNS_OK) {
			out->tempfail = true;
			break;
		}
		if (count == 1) {
			out->found = true;
			out->record_domain = g_strdup(names->pdata[i]);
			break;
		}
		/* RFC 7489: several records end discovery, no policy */
		if (count > 1 && how == DS_DMARC_DISC_PSL)
			break;
	}
	g_ptr_array_unref(names);
	return !out->tempfail;
}

void
ds_dmarc_policy_clear(struct ds_dmarc_policy *p)
{
	if (p == NULL)
		return;
	g_free(p->domain);
	g_free(p->org_domain);
	g_free(p->record_domain);
	ds_dmarc_record_clear(&p->rec);
	if (p->notes != NULL)
		g_ptr_array_unref(p->notes);
	memset(p, 0, sizeof(*p));
}

enum ds_dns_status
ds_dmarc_domain_exists(struct ds_dns *dns, const char *domain, bool *exists)
{
	static const int fam[] = { AF_INET, AF_INET6 };
	enum ds_dns_status st;
	GPtrArray *a = NULL;
	size_t i;

	*exists = true;
	for (i = 0; i < G_N_ELEMENTS(fam); i++) {
		st = ds_dns_addr(dns, domain, fam[i], &a);
		if (a != NULL)
			g_ptr_array_unref(a);
		if (st != DS_DNS_NXDOMAIN)
			return st == DS_DNS_NODATA ? DS_DNS_OK : st;
	}
	st = ds_dns_mx(dns, domain, &a);
	if (a != NULL)
		g_ptr_array_unref(a);
	if (st == DS_DNS_NXDOMAIN) {
		*exists = false;
		return DS_DNS_OK;
	}
	return st == DS_DNS_NODATA ? DS_DNS_OK : st;
}

const char *
ds_dmarc_applied_policy(struct ds_dns *dns, const struct ds_dmarc_policy *p)
{
	bool exists = true;

	if (!p->found)
		return NULL;
	if (strcmp(p->record_domain, p->domain) == 0)
		return p->rec.p;
	if (p->rec.np != NULL &&
	    ds_dmarc_domain_exists(dns, p->domain, &exists) == DS_DNS_OK &&
	    !exists)
		return p->rec.np;
	return p->rec.sp != NULL ? p->rec.sp : p->rec.p;
}

bool
ds_dmarc_aligned(struct ds_dns *dns, const char *from_domain,
    const char *id_domain, char mode, enum ds_dmarc_disc how)
{
	char *a, *b, *oa, *ob;
	bool ok;

	if (from_domain == NULL || id_domain == NULL || *from_domain == '\0' ||
	    *id_domain == '\0')
		return false;
	a = norm(from_domain);
	b = norm(id_domain);
	ok = strcmp(a, b) == 0;
	if (!ok && mode != 's') {
		oa = ds_dmarc_org_domain(dns, a, how);
		ob = ds_dmarc_org_domain(dns, b, how);
		ok = strcmp(oa, ob) == 0;
		g_free(oa);
		g_free(ob);
	}
	g_free(a);
	g_free(b);
	return ok;
}

/* "mailto:x@Dest.example!10m" -> "dest.example" */
static char *
uri_domain(const char *uri)
{
	const char *at, *end;

	if (g_ascii_strncasecmp(uri, "mailto:", 7) != 0)
		return NULL;
	end = uri + strcspn(uri, "!?");
	at = g_strrstr_len(uri + 7, end - (uri + 7), "@");
	if (at == NULL || at + 1 >= end)
		return NULL;
	return g_ascii_strdown(at + 1, end - (at + 1));
}

enum ds_dmarc_auth
ds_dmarc_report_authorized(struct ds_dns *dns, const char *policy_domain,
    const char *uri, char **dest_out)
{
	enum ds_dmarc_auth res = DS_DMARC_AUTH_MISSING;
	enum ds_dns_status st;
	GPtrArray *txt = NULL;
	char *dest, *pd, *o1, *o2, *name;
	guint i;

	if (dest_out != NULL)
		*dest_out = NULL;
	dest = uri_domain(uri);
	if (dest == NULL)
		return DS_DMARC_AUTH_BAD_URI;
	pd = norm(policy_domain);
	o1 = ds_org_domain(pd);
	o2 = ds_org_domain(dest);
	if (strcmp(o1, o2) == 0)
		res = DS_DMARC_AUTH_SAME_ORG;
	else {
		name = g_strdup_printf("%s._report._dmarc.%s", pd, dest);
		st = ds_dns_txt(dns, name, &txt);
		if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE)
			res = DS_DMARC_AUTH_TEMPFAIL;
		for (i = 0; txt != NULL && i < txt->len; i++)
			if (g_str_has_prefix(g_strchug(txt->pdata[i]),
			    "v=DMARC1"))
				res = DS_DMARC_AUTH_OK;
		if (txt != NULL)
			g_ptr_array_unref(txt);
		g_free(name);
	}
	g_free(o1);
	g_free(o2);
	g_free(pd);
	if (dest_out != NULL)
		*dest_out = dest;
	else
		g_free(dest);
	return res;
}

const char *
ds_dmarc_auth_name(enum ds_dmarc_auth a)
{
	switch (a) {
	case DS_DMARC_AUTH_SAME_ORG:
		return "same organizational domain";
	case DS_DMARC_AUTH_OK:
		return "authorized";
	case DS_DMARC_AUTH_MISSING:
		return "not authorized";
	case DS_DMARC_AUTH_TEMPFAIL:
		return "unknown (DNS failure)";
	case DS_DMARC_AUTH_BAD_URI:
		return "not a mailto: URI";
	}
	return "?";
}
