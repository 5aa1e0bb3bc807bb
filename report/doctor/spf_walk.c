/*
 * spf_walk.c - the static walk of a published SPF policy (RFC 7208):
 * DNS-querying terms and void lookups (§4.6.4), include of a domain
 * without a record (§5.2), several records (§4.5), ptr (§5.5), the
 * effective all through redirect (§5.1, §6.1), and the address ranges
 * met on the way.
 * SPDX-License-Identifier: MIT
 *
 * The walk counts every term that would query DNS, as a receiver that
 * evaluates the whole record would; it never evaluates an IP. THREATS
 * #17: depth and counted lookups are capped, DNS goes through the
 * budgeted, cached struct ds_dns. Macros (§7) are not expanded: a
 * domain-spec with '%' counts but is not looked up.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/doctor/spf_check.h"

#define MAX_DEPTH 10
#define MAX_COUNTED 40

/* ---- the walk ---- */

struct walk {
	struct ds_dns *dns;
	struct ds_spf_eval *e;
	GHashTable *seen;	/* domains on the include path */
};

static void
note(GPtrArray *a, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
note(GPtrArray *a, const char *fmt, ...)
{
	va_list ap;

	if (a->len >= 64)
		return;
	va_start(ap, fmt);
	g_ptr_array_add(a, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static bool
is_void(enum ds_dns_status st)
{
	return st == DS_DNS_NXDOMAIN || st == DS_DNS_NODATA;
}

static void
check_status(struct walk *w, enum ds_dns_status st, const char *name)
{
	if (is_void(st)) {
		w->e->void_lookups++;
		note(w->e->voids, "%s", name);
	} else if (st != DS_DNS_OK)
		w->e->tempfail = true;
}

/* the v=spf1 records of d: count, and the only one in *out */
static enum ds_dns_status
fetch(struct walk *w, const char *d, int *count, char **out)
{
	GPtrArray *txt = NULL;
	enum ds_dns_status st;
	guint i;

	*count = 0;
	*out = NULL;
	st = ds_dns_txt(w->dns, d, &txt);
	for (i = 0; txt != NULL && i < txt->len; i++)
		if (ds_spf_is_record(txt->pdata[i]) && ++*count == 1)
			*out = g_strdup(txt->pdata[i]);
	if (*count > 1)
		g_clear_pointer(out, g_free);
	if (txt != NULL)
		g_ptr_array_unref(txt);
	return st;
}

static char walk_domain(struct walk *w, const char *d, unsigned depth,
    bool top);

static void
add_nets(struct walk *w, GPtrArray *a)
{
	guint i;

	for (i = 0; a != NULL && i < a->len && w->e->nets->len < 256; i++)
		g_ptr_array_add(w->e->nets, g_strdup(a->pdata[i]));
	if (a != NULL)
		g_ptr_array_unref(a);
}

static void
look_addr(struct walk *w, const char *name)
{
	enum ds_dns_status s4, s6;
	GPtrArray *a = NULL;

	s4 = ds_dns_addr(w->dns, name, AF_INET, &a);
	add_nets(w, a);
	a = NULL;
	s6 = is_void(s4) ? ds_dns_addr(w->dns, name, AF_INET6, &a) : s4;
	add_nets(w, a);
	check_status(w, is_void(s4) ? s6 : s4, name);
}

static void
look_mx(struct walk *w, const char *name)
{
	GPtrArray *mx = NULL;
	enum ds_dns_status st;

	st = ds_dns_mx(w->dns, name, &mx);
	check_status(w, st, name);
	if (mx != NULL && mx->len > DS_SPF_MAX_MX)
		note(w->e->errors, "mx:%s has %u MX hosts (RFC 7208 §4.6.4 "
		    "allows %d)", name, mx->len, DS_SPF_MAX_MX);
	if (mx != NULL)
		g_ptr_array_unref(mx);
}

/* Count t; for a redirect, return the target's effective all. */
static char
walk_term(struct walk *w, const char *d, const struct ds_spf_term *t,
    unsigned depth)
{
	char all = 0;

	const char *target = t->domain ? t->domain : d;
	bool macro = strchr(target, '%') != NULL;

	switch (t->kind) {
	case DS_SPF_INCLUDE:
	case DS_SPF_A:
	case DS_SPF_MX:
	case DS_SPF_PTR:
	case DS_SPF_EXISTS:
	case DS_SPF_REDIRECT:
		break;
	case DS_SPF_IP4:
	case DS_SPF_IP6:
		if (w->e->nets->len < 256)
			g_ptr_array_add(w->e->nets, g_strdup(t->text +
			    strcspn(t->text, ":") + 1));
		return 0;
	default:
		return 0;
	}
	w->e->lookups++;
	note(w->e->counted, "%s: %s", d, t->text);
	if (t->kind == DS_SPF_PTR)
		w->e->ptr = true;
	if (macro || w->e->lookups > MAX_COUNTED)
		return 0;
	switch (t->kind) {
	case DS_SPF_INCLUDE:
		walk_domain(w, target, depth + 1, false);
		break;
	case DS_SPF_REDIRECT:
		all = walk_domain(w, target, depth + 1, false);
		break;
	case DS_SPF_A:
	case DS_SPF_EXISTS:
		look_addr(w, target);
		break;
	case DS_SPF_MX:
		look_mx(w, target);
		break;
	default:
		break;
	}
	return all;
}

/* Walk d's record; returns its effective all qualifier (0: none). */
static char
walk_domain(struct walk *w, const char *d, unsigned depth, bool top)
{
	struct ds_spf_record rec = { NULL };
	const struct ds_spf_term *redirect = NULL;
	enum ds_dns_status st;
	GError *err = NULL;
	char *txt = NULL;
	int count;
	guint i;
	char all = 0;

	if (depth > MAX_DEPTH) {
		note(w->e->errors, "more than %d nested include/redirect",
		    MAX_DEPTH);
		return 0;
	}
	if (g_hash_table_contains(w->seen, d)) {
		note(w->e->errors, "include loop through %s", d);
		return 0;
	}
	st = fetch(w, d, &count, &txt);
	if (top) {
		w->e->records = count;
		w->e->text = g_strdup(txt);
	}
	if (!top) {
		if (is_void(st) || st == DS_DNS_OK)
			g_ptr_array_add(w->e->includes, g_strdup(d));
		if (is_void(st))
			check_status(w, st, d);
		else if (st != DS_DNS_OK)
			w->e->tempfail = true;
		if (st != DS_DNS_OK || count == 0)
			note(w->e->errors, "%s has no SPF record (include or "
			    "redirect to it is a permerror)", d);
		else if (count > 1)
			note(w->e->errors, "%s has %d SPF records", d, count);
	} else if (st != DS_DNS_OK && !is_void(st))
		w->e->tempfail = true;
	if (txt == NULL)
		return 0;
	if (!ds_spf_parse(&rec, txt, strlen(txt), &err)) {
		note(w->e->errors, "%s: %s", d, err->message);
		g_clear_error(&err);
		goto done;
	}
	g_hash_table_add(w->seen, g_strdup(d));
	for (i = 0; i < rec.terms->len; i++) {
		const struct ds_spf_term *t = rec.terms->pdata[i];

		if (t->kind == DS_SPF_ALL && all == 0)
			all = t->qual;
		/* §6.1: redirect is ignored when the record has all */
		if (t->kind == DS_SPF_REDIRECT)
			redirect = t;
		else
			walk_term(w, d, t, depth);
	}
	/* the redirect target's all decides the result */
	if (redirect != NULL && all == 0)
		all = walk_term(w, d, redirect, depth);
	g_hash_table_remove(w->seen, d);
done:
	ds_spf_record_clear(&rec);
	g_free(txt);
	return all;
}

void
ds_spf_eval(struct ds_dns *dns, const char *domain, struct ds_spf_eval *out)
{
	struct walk w;

	memset(out, 0, sizeof(*out));
	out->counted = g_ptr_array_new_with_free_func(g_free);
	out->voids = g_ptr_array_new_with_free_func(g_free);
	out->includes = g_ptr_array_new_with_free_func(g_free);
	out->errors = g_ptr_array_new_with_free_func(g_free);
	out->nets = g_ptr_array_new_with_free_func(g_free);
	w.dns = dns;
	w.e = out;
	w.seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	out->all_qual = walk_domain(&w, domain, 0, true);
	g_hash_table_destroy(w.seen);
}

void
ds_spf_eval_clear(struct ds_spf_eval *e)
{
	g_free(e->text);
	if (e->counted != NULL)
		g_ptr_array_unref(e->counted);
	if (e->voids != NULL)
		g_ptr_array_unref(e->voids);
	if (e->includes != NULL)
		g_ptr_array_unref(e->includes);
	if (e->errors != NULL)
		g_ptr_array_unref(e->errors);
	if (e->nets != NULL)
		g_ptr_array_unref(e->nets);
	memset(e, 0, sizeof(*e));
}

/* net is "addr" or "addr/len"; same family as ip (bytes of n octets) */
static bool
in_net(const unsigned char *ip, int family, const char *net)
{
	unsigned char a[16];
	char buf[64];
	const char *slash = strchr(net, '/');
	size_t n = slash ? (size_t)(slash - net) : strlen(net);
	long bits, max = family == AF_INET ? 32 : 128;
	char *end;
	int i;

	if (n >= sizeof(buf))
		return false;
	memcpy(buf, net, n);
	buf[n] = '\0';
	if (inet_pton(family, buf, a) != 1)
		return false;
	bits = max;
	if (slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		if (end == slash + 1 || *end != '\0' || bits < 0 ||
		    bits > max)
			return false;
	}
	for (i = 0; bits > 0; i++, bits -= 8) {
		unsigned char m = bits >= 8 ? 0xff :
		    (unsigned char)(0xff << (8 - bits));

		if ((ip[i] & m) != (a[i] & m))
			return false;
	}
	return true;
}

bool
ds_spf_covers(const struct ds_spf_eval *e, const char *ip)
{
	unsigned char b[16];
	int family = strchr(ip, ':') != NULL ? AF_INET6 : AF_INET;
	guint i;

	if (inet_pton(family, ip, b) != 1)
		return false;
	for (i = 0; e->nets != NULL && i < e->nets->len; i++)
		if (in_net(b, family, e->nets->pdata[i]))
			return true;
	return false;
}
