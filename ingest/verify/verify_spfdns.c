/*
 * verify_spfdns.c - a libspf2 DNS layer (SPF_dns_server_t) answering
 * from struct ds_dns, with the RFC 7208 §4.6.4 limits libspf2 1.2.10
 * lacks: 10 DNS-querying terms over the whole evaluation (includes
 * included) and 2 void lookups. THREATS #17: every lookup goes through
 * the budgeted, cached ds_dns.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7208 §3.1: the SPF RR type (99) is not used; such queries answer
 * NO_DATA here without touching DNS. §4.5: the strings of one TXT
 * record are joined (ds_dns_txt does that).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <string.h>

#define HAVE_DECL_NS_T_SPF 1
#include "ingest/verify/verify_spf_priv.h"

static bool
same_name(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && g_ascii_strncasecmp(a, b, la) == 0;
}

static char *
lower_name(const char *s)
{
	char *n = g_ascii_strdown(s, -1);
	size_t len = strlen(n);

	if (len > 0 && n[len - 1] == '.')
		n[len - 1] = '\0';
	return n;
}

/* "4.3.2.1.in-addr.arpa" -> "1.2.3.4"; ip6.arpa nibbles likewise */
static char *
arpa_to_ip(const char *name)
{
	char **l = g_strsplit(name, ".", 0);
	guint n = g_strv_length(l), i;
	GString *g = g_string_new(NULL);
	char *res = NULL;

	if (n == 6 && g_ascii_strcasecmp(l[4], "in-addr") == 0 &&
	    g_ascii_strcasecmp(l[5], "arpa") == 0) {
		g_string_printf(g, "%s.%s.%s.%s", l[3], l[2], l[1], l[0]);
		res = g_string_free(g, FALSE);
	} else if (n == 34 && g_ascii_strcasecmp(l[32], "ip6") == 0 &&
	    g_ascii_strcasecmp(l[33], "arpa") == 0) {
		for (i = 0; i < 32; i++) {
			if (strlen(l[31 - i]) != 1)
				break;
			g_string_append(g, l[31 - i]);
			if (i % 4 == 3 && i < 31)
				g_string_append_c(g, ':');
		}
		res = g_string_free(g, i != 32);
	} else
		g_string_free(g, TRUE);
	g_strfreev(l);
	return res;
}

static SPF_dns_rr_t *
rr_status(struct ds_spf_layer *l, const char *domain, ns_type type,
    SPF_dns_stat_t herrno)
{
	return SPF_dns_rr_new_init(&l->srv, domain, type, 0, herrno);
}

/* copy strings (or, for A/AAAA, addresses) into a new rr */
static SPF_dns_rr_t *
rr_fill(struct ds_spf_layer *l, const char *domain, ns_type type,
    GPtrArray *v)
{
	SPF_dns_rr_t *rr;
	guint i;
	int n = 0;

	rr = rr_status(l, domain, type, NETDB_SUCCESS);
	if (rr == NULL)
		return NULL;
	for (i = 0; v != NULL && i < v->len; i++) {
		const char *s = v->pdata[i];
		size_t len = strlen(s) + 2;

		if (SPF_dns_rr_buf_realloc(rr, n, len) != SPF_E_SUCCESS)
			break;
		if (type == ns_t_a) {
			if (inet_pton(AF_INET, s, &rr->rr[n]->a) != 1)
				continue;
		} else if (type == ns_t_aaaa) {
			if (inet_pton(AF_INET6, s, &rr->rr[n]->aaaa) != 1)
				continue;
		} else if (type == ns_t_txt &&
		    g_ascii_strcasecmp(s, "v=spf1") == 0)
			/* libspf2 wants "v=spf1 ": an empty record is valid */
			memcpy(rr->rr[n]->txt, "v=spf1 ", 8);
		else
			memcpy(rr->rr[n]->txt, s, len - 1);
		n++;
	}
	rr->num_rr = n;
	if (n == 0)
		rr->herrno = NO_DATA;
	return rr;
}

/* RFC 7208 §4.5: "v=spf1" alone or followed by a space */
static bool
is_spf(const char *s)
{
	return g_ascii_strncasecmp(s, "v=spf1", 6) == 0 &&
	    (s[6] == '\0' || s[6] == ' ');
}

static bool
has_spf(GPtrArray *txt)
{
	guint i;

	for (i = 0; txt != NULL && i < txt->len; i++)
		if (is_spf(txt->pdata[i]))
			return true;
	return false;
}

static enum ds_dns_status
query(struct ds_spf_layer *l, const char *domain, ns_type type, bool top,
    GPtrArray **out)
{
	enum ds_dns_status st;
	char *ip;

	*out = NULL;
	switch (type) {
	case ns_t_txt:
		if (top && l->override != NULL) {
			*out = g_ptr_array_new_with_free_func(g_free);
			g_ptr_array_add(*out, g_strdup(l->override));
			return DS_DNS_OK;
		}
		return ds_dns_txt(l->dns, domain, out);
	case ns_t_a:
		return ds_dns_addr(l->dns, domain, AF_INET, out);
	case ns_t_aaaa:
		return ds_dns_addr(l->dns, domain, AF_INET6, out);
	case ns_t_mx:
		return ds_dns_mx(l->dns, domain, out);
	case ns_t_ptr:
		ip = arpa_to_ip(domain);
		if (ip == NULL)
			return DS_DNS_NXDOMAIN;
		st = ds_dns_ptr(l->dns, ip, out);
		g_free(ip);
		return st;
	default:
		return DS_DNS_NODATA;
	}
}

/* Is this lookup one of the DNS-querying terms RFC 7208 §4.6.4 counts? */
static bool
is_term(struct ds_spf_layer *l, const char *domain, ns_type type)
{
	char *n;
	bool follower;

	if (type != ns_t_a && type != ns_t_aaaa)
		return true;	/* include/redirect TXT, mx, ptr */
	/* the address lookups of MX and PTR names are part of their term */
	n = lower_name(domain);
	follower = g_hash_table_remove(l->followers, n);
	g_free(n);
	return !follower;
}

static SPF_dns_rr_t *
layer_lookup(SPF_dns_server_t *srv, const char *domain, ns_type type,
    int should_cache)
{
	struct ds_spf_layer *l = srv->hook;
	enum ds_dns_status st;
	GPtrArray *v = NULL;
	SPF_dns_rr_t *rr;
	bool top = false, is_void;
	guint i;

	(void)should_cache;
	if (domain == NULL || type == ns_t_spf)
		return rr_status(l, domain, type, NO_DATA);
	if (type == ns_t_txt && !l->top_seen && same_name(domain, l->top))
		top = l->top_seen = true;
	else if (is_term(l, domain, type) &&
	    ++l->terms > DS_SPF_MAX_TERMS) {
		l->too_many_terms = true;
		return rr_status(l, domain, type, TRY_AGAIN);
	}
	st = query(l, domain, type, top, &v);
	if (top) {
		l->top_status = st;
		for (i = 0; v != NULL && i < v->len &&
		    l->top_record == NULL; i++)
			if (is_spf(v->pdata[i]))
				l->top_record = g_strdup(v->pdata[i]);
	} else if (type == ns_t_txt && st != DS_DNS_TEMPFAIL &&
	    st != DS_DNS_OFFLINE && !has_spf(v)) {
		g_free(l->nospf);
		l->nospf = lower_name(domain);
	}
	if (type == ns_t_mx || type == ns_t_ptr) {
		g_hash_table_remove_all(l->followers);
		for (i = 0; v != NULL && i < v->len; i++)
			g_hash_table_add(l->followers,
			    lower_name(v->pdata[i]));
	}
	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE) {
		l->offline = st == DS_DNS_OFFLINE;
		if (l->failed == NULL)
			l->failed = g_strdup_printf("%s (%s)", domain,
			    type == ns_t_txt ? "TXT" : type == ns_t_a ? "A" :
			    type == ns_t_aaaa ? "AAAA" : type == ns_t_mx ?
			    "MX" : "PTR");
		rr = rr_status(l, domain, type, TRY_AGAIN);
		goto done;
	}
	is_void = st != DS_DNS_OK || v == NULL || v->len == 0;
	if (!top && is_void && ++l->voids > DS_SPF_MAX_VOIDS) {
		l->too_many_voids = true;
		rr = rr_status(l, domain, type, TRY_AGAIN);
		goto done;
	}
	if (st == DS_DNS_NXDOMAIN)
		rr = rr_status(l, domain, type, HOST_NOT_FOUND);
	else if (st != DS_DNS_OK)
		rr = rr_status(l, domain, type, NO_DATA);
	else
		rr = rr_fill(l, domain, type, v);
done:
	if (v != NULL)
		g_ptr_array_unref(v);
	return rr;
}

void
ds_spf_layer_init(struct ds_spf_layer *l, struct ds_dns *dns,
    const char *top)
{
	memset(l, 0, sizeof(*l));
	l->srv.lookup = layer_lookup;
	l->srv.name = "dmarcsift";
	l->srv.hook = l;
	l->dns = dns;
	l->top = g_strdup(top);
	l->followers = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
}

void
ds_spf_layer_reset(struct ds_spf_layer *l)
{
	l->top_seen = false;
	l->terms = l->voids = 0;
	l->too_many_terms = l->too_many_voids = l->offline = false;
	g_clear_pointer(&l->failed, g_free);
	g_clear_pointer(&l->nospf, g_free);
	g_hash_table_remove_all(l->followers);
}

void
ds_spf_layer_release(struct ds_spf_layer *l)
{
	ds_spf_layer_reset(l);
	g_free(l->top);
	g_free(l->override);
	g_free(l->top_record);
	g_hash_table_destroy(l->followers);
	memset(l, 0, sizeof(*l));
}
