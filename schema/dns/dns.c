/*
 * dns.c - the one DNS layer: libunbound in three modes, a per-struct
 * cache, query and time budgets, typed answers.
 * SPDX-License-Identifier: MIT
 *
 * RFC 1035 (names, wire format, TXT character-strings), RFC 3596 (AAAA,
 * ip6.arpa), RFC 7208 §3.3 (the strings of one TXT record are joined
 * without spaces). THREATS #17: cache per run, a query and time budget
 * per window (one message), a timeout per query.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>

#include <unbound.h>

#include "schema/dns/dns.h"
#include "schema/dns/dns_priv.h"
#include "schema/util/error.h"

#define DEF_MAX_QUERIES	200
#define DEF_MAX_MS	20000
#define DEF_QUERY_MS	5000
#define MAX_CACHE	8192	/* entries; the cache is emptied past it */
#define CLASS_IN	1
#define MAX_CNAME	8

struct answer {
	enum ds_dns_status	 st;
	GPtrArray		*rdata;	/* GBytes *, NULL unless DS_DNS_OK */
	GBytes			*pkt;	/* answer packet or NULL */
};

struct ds_dns {
	enum ds_dns_mode	 mode;
	struct ub_ctx		*ctx;
	GHashTable		*cache;	/* "type/name" -> struct answer */
	unsigned		 max_queries, max_ms, query_ms;
	unsigned		 win_queries;
	gint64			 win_start;	/* monotonic, microseconds */
	bool			 exhausted;
	unsigned		 total;
};

struct pending {
	bool		 done;
	int		 err;
	struct ub_result *res;
};

static const struct answer tempfail = { DS_DNS_TEMPFAIL, NULL, NULL };
static const struct answer offline = { DS_DNS_OFFLINE, NULL, NULL };
static const struct answer nxdomain = { DS_DNS_NXDOMAIN, NULL, NULL };

static void
answer_free(gpointer p)
{
	struct answer *a = p;

	if (a->rdata != NULL)
		g_ptr_array_unref(a->rdata);
	if (a->pkt != NULL)
		g_bytes_unref(a->pkt);
	g_free(a);
}

struct ds_dns *
ds_dns_new(enum ds_dns_mode mode, const char *zone_file, GError **err)
{
	struct ds_dns *dns;
	int rc;

	dns = g_new0(struct ds_dns, 1);
	dns->mode = mode;
	dns->max_queries = DEF_MAX_QUERIES;
	dns->max_ms = DEF_MAX_MS;
	dns->query_ms = DEF_QUERY_MS;
	dns->win_start = g_get_monotonic_time();
	dns->cache = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    answer_free);
	if (mode == DS_DNS_OFF)
		return dns;
	dns->ctx = ub_ctx_create();
	if (dns->ctx == NULL) {
		ds_fail(err, DS_ERROR_NET, "cannot create the DNS resolver");
		goto fail;
	}
	if (mode == DS_DNS_ZONE) {
		if (zone_file == NULL) {
			ds_fail(err, DS_ERROR_USAGE, "a zone file is required");
			goto fail;
		}
		rc = ub_ctx_zone_add(dns->ctx, ".", "static");
		if (rc != 0) {
			ds_fail(err, DS_ERROR_NET, "DNS zone setup: %s",
			    ub_strerror(rc));
			goto fail;
		}
		if (!ds_dns_zone_load(dns->ctx, zone_file, err))
			goto fail;
		return dns;
	}
	/* no usable resolv.conf: unbound recurses from the root itself */
	(void)ub_ctx_resolvconf(dns->ctx, NULL);
	rc = ub_ctx_async(dns->ctx, 1);
	if (rc != 0) {
		ds_fail(err, DS_ERROR_NET, "DNS resolver setup: %s",
		    ub_strerror(rc));
		goto fail;
	}
	return dns;
fail:
	ds_dns_free(dns);
	return NULL;
}

void
ds_dns_free(struct ds_dns *dns)
{
	if (dns == NULL)
		return;
	if (dns->ctx != NULL)
		ub_ctx_delete(dns->ctx);
	g_hash_table_destroy(dns->cache);
	g_free(dns);
}

enum ds_dns_mode
ds_dns_get_mode(const struct ds_dns *dns)
{
	return dns->mode;
}

void
ds_dns_set_budget(struct ds_dns *dns, unsigned max_queries, unsigned max_ms,
    unsigned query_ms)
{
	if (max_queries > 0)
		dns->max_queries = max_queries;
	if (max_ms > 0)
		dns->max_ms = max_ms;
	if (query_ms > 0)
		dns->query_ms = query_ms;
}

void
ds_dns_budget_restart(struct ds_dns *dns)
{
	dns->win_queries = 0;
	dns->win_start = g_get_monotonic_time();
	dns->exhausted = false;
}

bool
ds_dns_budget_exhausted(const struct ds_dns *dns)
{
	return dns->exhausted;
}

unsigned
ds_dns_query_count(const struct ds_dns *dns)
{
	return dns->total;
}

const char *
ds_dns_status_name(enum ds_dns_status s)
{
	switch (s) {
	case DS_DNS_OK:
		return "ok";
	case DS_DNS_NXDOMAIN:
		return "NXDOMAIN";
	case DS_DNS_NODATA:
		return "no record of that type";
	case DS_DNS_TEMPFAIL:
		return "temporary DNS failure";
	case DS_DNS_OFFLINE:
		return "offline (no DNS)";
	}
	return "?";
}

/* Lower-cased name without the trailing dot, or NULL if not a name. */
static char *
norm_name(const char *name)
{
	size_t n, i, label = 0;

	n = strlen(name);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c == '.') {
			if (label == 0)
				return NULL;
			label = 0;
			continue;
		}
		if (c <= ' ' || c >= 0x7f || c == '\\' || c == '"' ||
		    ++label > 63)
			return NULL;
	}
	if (label == 0)
		return NULL;
	return g_ascii_strdown(name, (gssize)n);
}

static void
resolve_cb(void *data, int err, struct ub_result *res)
{
	struct pending *p = data;

	p->done = true;
	p->err = err;
	p->res = res;
}

/* 0 with *res, -1 resolver error, -2 timeout */
static int
resolve(struct ds_dns *dns, const char *name, int type,
    struct ub_result **res)
{
	struct pending p = { false, 0, NULL };
	struct pollfd pfd;
	gint64 end, left;
	int id;

	if (dns->mode == DS_DNS_ZONE)
		return ub_resolve(dns->ctx, name, type, CLASS_IN, res) == 0 ?
		    0 : -1;
	if (ub_resolve_async(dns->ctx, name, type, CLASS_IN, &p, resolve_cb,
	    &id) != 0)
		return -1;
	end = g_get_monotonic_time() + (gint64)dns->query_ms * 1000;
	while (!p.done) {
		left = (end - g_get_monotonic_time()) / 1000;
		if (left <= 0) {
			(void)ub_cancel(dns->ctx, id);
			return -2;
		}
		pfd.fd = ub_fd(dns->ctx);
		pfd.events = POLLIN;
		if (poll(&pfd, 1, (int)left) > 0 && ub_process(dns->ctx) != 0) {
			(void)ub_cancel(dns->ctx, id);
			return -1;
		}
	}
	if (p.err != 0) {
		ub_resolve_free(p.res);
		return -1;
	}
	*res = p.res;
	return 0;
}

static struct answer *
answer_from(struct ub_result *r)
{
	struct answer *a;
	int i;

	a = g_new0(struct answer, 1);
	if (r->answer_packet != NULL && r->answer_len > 0)
		a->pkt = g_bytes_new(r->answer_packet, (gsize)r->answer_len);
	if (r->nxdomain)
		a->st = DS_DNS_NXDOMAIN;
	else if (r->rcode != 0 || r->bogus)
		a->st = DS_DNS_TEMPFAIL;
	else if (!r->havedata)
		a->st = DS_DNS_NODATA;
	else {
		a->st = DS_DNS_OK;
		a->rdata = g_ptr_array_new_with_free_func(
		    (GDestroyNotify)g_bytes_unref);
		for (i = 0; r->data[i] != NULL; i++)
			g_ptr_array_add(a->rdata, g_bytes_new(r->data[i],
			    (gsize)r->len[i]));
	}
	return a;
}

static const struct answer *lookup(struct ds_dns *, const char *, int,
    unsigned);

/*
 * Unbound local data does not chase a CNAME to other local data: the
 * answer is NODATA with canonname set. Follow it here (zone mode), at
 * most MAX_CNAME times, and give the alias a copy of the final answer.
 */
static struct answer *
chase(struct ds_dns *dns, struct ub_result *res, int type, unsigned depth)
{
	const struct answer *t;
	struct answer *a;
	char *c, *q;
	bool same;

	if (res->havedata || res->nxdomain || res->rcode != 0 ||
	    res->canonname == NULL || res->qname == NULL ||
	    depth >= MAX_CNAME)
		return NULL;
	c = norm_name(res->canonname);
	q = norm_name(res->qname);
	same = c == NULL || q == NULL || strcmp(c, q) == 0;
	g_free(q);
	if (same) {
		g_free(c);
		return NULL;
	}
	t = lookup(dns, c, type, depth + 1);
	g_free(c);
	a = g_new0(struct answer, 1);
	a->st = t->st;
	if (t->rdata != NULL)
		a->rdata = g_ptr_array_ref(t->rdata);
	if (t->pkt != NULL)
		a->pkt = g_bytes_ref(t->pkt);
	return a;
}

/*
 * The answer for (name, type): from the cache, else from the resolver
 * within the budget. The pointer is valid until the next lookup.
 */
static const struct answer *
lookup(struct ds_dns *dns, const char *name, int type, unsigned depth)
{
	struct ub_result *res = NULL;
	struct answer *a;
	char *n, *key;
	gint64 used_ms;
	int rc;

	if (dns->mode == DS_DNS_OFF)
		return &offline;
	n = norm_name(name);
	if (n == NULL)
		return &nxdomain;
	key = g_strdup_printf("%d/%s", type, n);
	a = g_hash_table_lookup(dns->cache, key);
	if (a != NULL) {
		g_free(key);
		g_free(n);
		return a;
	}
	used_ms = (g_get_monotonic_time() - dns->win_start) / 1000;
	if (dns->win_queries >= dns->max_queries ||
	    used_ms >= (gint64)dns->max_ms) {
		dns->exhausted = true;
		g_free(key);
		g_free(n);
		return &tempfail;
	}
	dns->win_queries++;
	dns->total++;
	rc = resolve(dns, n, type, &res);
	g_free(n);
	if (rc == -1) {	/* not cached: may work next time */
		g_free(key);
		return &tempfail;
	}
	if (rc == -2) {	/* a timeout is remembered for the run */
		a = g_new0(struct answer, 1);
		a->st = DS_DNS_TEMPFAIL;
	} else {
		a = chase(dns, res, type, depth);
		if (a == NULL)
			a = answer_from(res);
		ub_resolve_free(res);
	}
	if (g_hash_table_size(dns->cache) >= MAX_CACHE)
		g_hash_table_remove_all(dns->cache);
	g_hash_table_insert(dns->cache, key, a);
	return a;
}

enum ds_dns_status
ds_dns_txt(struct ds_dns *dns, const char *name, GPtrArray **out)
{
	const struct answer *a;
	GString *g;
	guint i;
	gsize len, off, l, j;

	*out = NULL;
	a = lookup(dns, name, DS_DNS_T_TXT, 0);
	if (a->st != DS_DNS_OK)
		return a->st;
	*out = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < a->rdata->len; i++) {
		const unsigned char *p = g_bytes_get_data(a->rdata->pdata[i],
		    &len);

		g = g_string_new(NULL);
		for (off = 0; off < len; off += l) {
			l = p[off++];
			if (off + l > len)
				l = len - off;	/* malformed: keep what is there */
			for (j = 0; j < l; j++)	/* no NUL inside C strings */
				g_string_append_c(g, p[off + j] != '\0' ?
				    (char)p[off + j] : '?');
		}
		g_ptr_array_add(*out, g_string_free(g, FALSE));
	}
	return DS_DNS_OK;
}

enum ds_dns_status
ds_dns_addr(struct ds_dns *dns, const char *name, int family,
    GPtrArray **out)
{
	const struct answer *a;
	char buf[INET6_ADDRSTRLEN];
	size_t want = family == AF_INET6 ? 16 : 4;
	gsize len;
	guint i;

	*out = NULL;
	a = lookup(dns, name, family == AF_INET6 ? DS_DNS_T_AAAA :
	    DS_DNS_T_A, 0);
	if (a->st != DS_DNS_OK)
		return a->st;
	*out = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < a->rdata->len; i++) {
		const void *p = g_bytes_get_data(a->rdata->pdata[i], &len);

		if (len == want && inet_ntop(family == AF_INET6 ? AF_INET6 :
		    AF_INET, p, buf, sizeof(buf)) != NULL)
			g_ptr_array_add(*out, g_strdup(buf));
	}
	return DS_DNS_OK;
}

/* names in rdata at offset skip (PTR: 0, MX: 2) */
static enum ds_dns_status
names(struct ds_dns *dns, const char *name, int type, size_t skip,
    GPtrArray **out)
{
	const struct answer *a;
	GArray *pref;
	gsize len;
	guint i, j;
	char *s;

	*out = NULL;
	a = lookup(dns, name, type, 0);
	if (a->st != DS_DNS_OK)
		return a->st;
	*out = g_ptr_array_new_with_free_func(g_free);
	pref = g_array_new(FALSE, FALSE, sizeof(unsigned));
	for (i = 0; i < a->rdata->len; i++) {
		const unsigned char *p = g_bytes_get_data(a->rdata->pdata[i],
		    &len);
		unsigned pr;

		if (len <= skip ||
		    (s = ds_dns_wire_name(p + skip, len - skip, NULL)) == NULL)
			continue;
		pr = skip == 2 ? (unsigned)(p[0] << 8 | p[1]) : 0;
		for (j = 0; j < pref->len &&
		    g_array_index(pref, unsigned, j) <= pr; j++)
			;
		g_array_insert_val(pref, j, pr);
		g_ptr_array_insert(*out, (gint)j, s);
	}
	g_array_free(pref, TRUE);
	return DS_DNS_OK;
}

enum ds_dns_status
ds_dns_mx(struct ds_dns *dns, const char *name, GPtrArray **out)
{
	return names(dns, name, DS_DNS_T_MX, 2, out);
}

enum ds_dns_status
ds_dns_ptr(struct ds_dns *dns, const char *ip, GPtrArray **out)
{
	unsigned char b[16];
	GString *g;
	enum ds_dns_status st;
	int i;

	*out = NULL;
	g = g_string_new(NULL);
	if (inet_pton(AF_INET, ip, b) == 1)
		g_string_printf(g, "%u.%u.%u.%u.in-addr.arpa", b[3], b[2],
		    b[1], b[0]);
	else if (inet_pton(AF_INET6, ip, b) == 1) {
		for (i = 15; i >= 0; i--)
			g_string_append_printf(g, "%x.%x.", b[i] & 0xf,
			    b[i] >> 4);
		g_string_append(g, "ip6.arpa");
	} else {
		g_string_free(g, TRUE);
		return DS_DNS_NXDOMAIN;
	}
	st = names(dns, g->str, DS_DNS_T_PTR, 0, out);
	g_string_free(g, TRUE);
	return st;
}

enum ds_dns_status
ds_dns_raw(struct ds_dns *dns, const char *name, int rrtype,
    unsigned char **out_pkt, int *out_len)
{
	const struct answer *a;
	gsize len = 0;
	const void *p;

	*out_pkt = NULL;
	*out_len = 0;
	a = lookup(dns, name, rrtype, 0);
	if (a->pkt != NULL) {
		p = g_bytes_get_data(a->pkt, &len);
		*out_pkt = g_memdup2(p, len);
		*out_len = (int)len;
	}
	return a->st;
}
