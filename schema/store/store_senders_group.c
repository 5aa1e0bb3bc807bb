/*
 * store_senders_group.c - the working rows of the senders query: group
 * keys (/24, /48, base domain, service, ASN, country), merging IP rows into groups,
 * auth_results tallies, sort order. No SQL here.
 * SPDX-License-Identifier: MIT
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "schema/store/store_senders_priv.h"

#define CONFLICT_PTR (1u << 0)
#define CONFLICT_CONFIRMED (1u << 1)
#define CONFLICT_BASE (1u << 2)
#define CONFLICT_SERVICE (1u << 3)
#define CONFLICT_ASN (1u << 4)
#define CONFLICT_AS_ORG (1u << 5)
#define CONFLICT_COUNTRY (1u << 6)

static void
auth_clear(gpointer p)
{
	struct ds_auth_count *a = p;

	g_free(a->domain);
	g_free(a->selector);
	g_free(a->result);
}

static GArray *
auth_array(void)
{
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct ds_auth_count));

	g_array_set_clear_func(a, auth_clear);
	return a;
}

static GHashTable *
str_set(void)
{
	return g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
}

static bool parse_ip(const char *s, int *family, unsigned char out[16]);

/*
 * A new working row with an empty sender: key and ip copied (either may
 * be NULL). Its lists and sets are made by ds_ss_row_open() once the
 * row is kept: a period with 200,000 IPs holds 200,000 small rows, not
 * 200,000 times nine empty containers. Free with ds_ss_row_free(),
 * which also frees the sender unless it was handed out (r->s NULL).
 */
struct ss_row *
ds_ss_row_new(const char *key, const char *ip)
{
	struct ss_row *r = g_new0(struct ss_row, 1);
	struct ds_sender *s = g_new0(struct ds_sender, 1);

	s->key = g_strdup(key);
	s->source_ip = g_strdup(ip);
	s->ptr_confirmed = -1;
	s->first_seen = INT64_MAX;
	s->last_seen = INT64_MIN;
	r->s = s;
	if (!parse_ip(key, &r->family, r->addr))
		r->family = 0;
	return r;
}

/* See store_senders_priv.h. */
void
ds_ss_row_open(struct ss_row *r)
{
	struct ds_sender *s = r->s;

	if (r->auth[0] != NULL)
		return;
	s->dkim = auth_array();
	s->spf = auth_array();
	s->reasons = auth_array();
	s->reporters = g_ptr_array_new_with_free_func(g_free);
	s->header_from = g_ptr_array_new_with_free_func(g_free);
	if (s->ip_list == NULL) {
		s->ip_list = g_ptr_array_new_with_free_func(g_free);
		/* an IP row lists its own IP; groups got theirs merged */
		if (r->reports == NULL && s->source_ip != NULL)
			g_ptr_array_add(s->ip_list, g_strdup(s->source_ip));
	}
	r->auth[0] = str_set();
	r->auth[1] = str_set();
	r->auth[2] = str_set();
	r->reporters = str_set();
	r->hfrom = str_set();
}

/* Free a working row (a GDestroyNotify); NULL-safe. */
void
ds_ss_row_free(gpointer p)
{
	struct ss_row *r = p;

	if (r == NULL)
		return;
	ds_sender_free(r->s);
	if (r->auth[0] != NULL) {
		g_hash_table_destroy(r->auth[0]);
		g_hash_table_destroy(r->auth[1]);
		g_hash_table_destroy(r->auth[2]);
		g_hash_table_destroy(r->reporters);
		g_hash_table_destroy(r->hfrom);
	}
	if (r->reports)
		g_hash_table_destroy(r->reports);
	g_free(r);
}

/* Parse "ip" or "ip/len" into family and 16 bytes; false if no IP. */
static bool
parse_ip(const char *s, int *family, unsigned char out[16])
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash;
	size_t n;

	if (s == NULL)
		return false;
	slash = strchr(s, '/');
	n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(out, 0, 16);
	if (inet_pton(AF_INET, buf, out) == 1) {
		*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out) == 1) {
		*family = AF_INET6;
		return true;
	}
	return false;
}

/* The network of ip: /24 for IPv4, /48 for IPv6; else a copy of ip. */
static char *
net_key(const char *ip)
{
	unsigned char a[16];
	char buf[INET6_ADDRSTRLEN];
	int family;

	if (!parse_ip(ip, &family, a) || strchr(ip, '/') != NULL)
		return g_strdup(ip);
	if (family == AF_INET) {
		a[3] = 0;
		inet_ntop(AF_INET, a, buf, sizeof(buf));
		return g_strdup_printf("%s/24", buf);
	}
	memset(a + 6, 0, 10);
	inet_ntop(AF_INET6, a, buf, sizeof(buf));
	return g_strdup_printf("%s/48", buf);
}

/*
 * See store_senders_priv.h. r is an IP row whose enrichment is filled.
 * Returns NULL for the "unknown" group (no IP, no base domain, no
 * service).
 */
char *
ds_ss_group_key(const struct ss_row *r, enum ds_group g)
{
	return ds_ss_group_key_of(r->s, g);
}

/* See store_senders_priv.h. */
char *
ds_ss_group_key_of(const struct ds_sender *s, enum ds_group g)
{
	switch (g) {
	case DS_GROUP_NET:
		return net_key(s->source_ip);
	case DS_GROUP_DOMAIN:
		return g_strdup(s->base_domain);
	case DS_GROUP_SERVICE:
		return g_strdup(s->service);
	case DS_GROUP_ASN:
		return s->asn > 0 ? g_strdup_printf("AS%" G_GINT64_FORMAT,
		    s->asn) : NULL;
	case DS_GROUP_COUNTRY:
		return g_strdup(s->country);
	case DS_GROUP_IP:
	default:
		return g_strdup(s->source_ip);
	}
}

/* See store_senders_priv.h. */
bool
ds_ss_group_by_info(enum ds_group g)
{
	return g == DS_GROUP_DOMAIN || g == DS_GROUP_SERVICE ||
	    g == DS_GROUP_ASN || g == DS_GROUP_COUNTRY;
}

/* Set *dst to a copy of v the first time; NULL once two values differ. */
static void
agree_str(struct ss_row *g, char **dst, const char *v, unsigned bit)
{
	if (g->conflict & bit)
		return;
	if (g->merged == 0) {
		*dst = g_strdup(v);
	} else if (g_strcmp0(*dst, v) != 0) {
		g_free(*dst);
		*dst = NULL;
		g->conflict |= bit;
	}
}

static void
disp_add(struct ds_disp_counts *d, const struct ds_disp_counts *s)
{
	d->none = ds_ss_add(d->none, s->none);
	d->quarantine = ds_ss_add(d->quarantine, s->quarantine);
	d->reject = ds_ss_add(d->reject, s->reject);
	d->pass = ds_ss_add(d->pass, s->pass);
	d->other = ds_ss_add(d->other, s->other);
}

/* See store_senders_priv.h. Auth tallies and sets are added later. */
void
ds_ss_row_merge(struct ss_row *g, const struct ss_row *r)
{
	struct ds_sender *d = g->s;
	const struct ds_sender *s = r->s;

	d->ips++;
	d->messages = ds_ss_add(d->messages, s->messages);
	d->records = ds_ss_add(d->records, s->records);
	d->dmarc_pass = ds_ss_add(d->dmarc_pass, s->dmarc_pass);
	d->dmarc_fail = ds_ss_add(d->dmarc_fail, s->dmarc_fail);
	d->dkim_pass = ds_ss_add(d->dkim_pass, s->dkim_pass);
	d->spf_pass = ds_ss_add(d->spf_pass, s->spf_pass);
	disp_add(&d->disp, &s->disp);
	d->first_seen = MIN(d->first_seen, s->first_seen);
	d->last_seen = MAX(d->last_seen, s->last_seen);
	d->is_new = d->ips == 1 ? s->is_new : d->is_new && s->is_new;
	if (d->ips == 1) {
		d->source_ip = g_strdup(s->source_ip);
	} else if (g_strcmp0(d->source_ip, s->source_ip) != 0) {
		g_free(d->source_ip);
		d->source_ip = NULL;
	}
	if (d->ip_list == NULL)
		d->ip_list = g_ptr_array_new_with_free_func(g_free);
	if (s->source_ip)
		g_ptr_array_add(d->ip_list, g_strdup(s->source_ip));
}

/*
 * See store_senders_priv.h. Called once per IP row of the group; a
 * field keeps its value while every IP agrees, else NULL (-1).
 */
void
ds_ss_row_merge_info(struct ss_row *g, const struct ss_row *r)
{
	struct ds_sender *d = g->s;
	const struct ds_sender *s = r->s;

	agree_str(g, &d->ptr, s->ptr, CONFLICT_PTR);
	agree_str(g, &d->base_domain, s->base_domain, CONFLICT_BASE);
	agree_str(g, &d->service, s->service, CONFLICT_SERVICE);
	agree_str(g, &d->as_org, s->as_org, CONFLICT_AS_ORG);
	agree_str(g, &d->country, s->country, CONFLICT_COUNTRY);
	if (!(g->conflict & CONFLICT_ASN)) {
		if (g->merged == 0) {
			d->asn = s->asn;
		} else if (d->asn != s->asn) {
			d->asn = 0;
			g->conflict |= CONFLICT_ASN;
		}
	}
	if (!(g->conflict & CONFLICT_CONFIRMED)) {
		if (g->merged == 0) {
			d->ptr_confirmed = s->ptr_confirmed;
		} else if (d->ptr_confirmed != s->ptr_confirmed) {
			d->ptr_confirmed = -1;
			g->conflict |= CONFLICT_CONFIRMED;
		}
	}
	g->merged++;
}

/* See store_senders_priv.h. NULL fields stay NULL (absent in XML). */
void
ds_ss_row_auth(struct ss_row *r, int kind, const char *domain,
    const char *selector, const char *result, int64_t messages)
{
	GArray *a = kind == 2 ? r->s->reasons : kind ? r->s->spf :
	    r->s->dkim;
	struct ds_auth_count c = { 0 };
	gpointer idx;
	char *key;

	key = g_strdup_printf("%s\037%s\037%s", domain ? domain : "\036",
	    selector ? selector : "\036", result ? result : "\036");
	idx = g_hash_table_lookup(r->auth[kind], key);
	if (idx != NULL) {
		struct ds_auth_count *p = &g_array_index(a,
		    struct ds_auth_count, GPOINTER_TO_UINT(idx) - 1);

		p->messages = ds_ss_add(p->messages, messages);
		g_free(key);
		return;
	}
	c.domain = g_strdup(domain);
	c.selector = g_strdup(selector);
	c.result = g_strdup(result);
	c.messages = messages;
	g_array_append_val(a, c);
	g_hash_table_insert(r->auth[kind], key, GUINT_TO_POINTER(a->len));
}

static gint
auth_cmp(gconstpointer pa, gconstpointer pb)
{
	const struct ds_auth_count *a = pa, *b = pb;
	int c;

	if (a->messages != b->messages)
		return a->messages > b->messages ? -1 : 1;
	if ((c = g_strcmp0(a->domain, b->domain)) != 0 ||
	    (c = g_strcmp0(a->selector, b->selector)) != 0)
		return c;
	return g_strcmp0(a->result, b->result);
}

static gint
str_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void
set_to_array(GHashTable *set, GPtrArray *a)
{
	GHashTableIter it;
	gpointer k;

	g_hash_table_iter_init(&it, set);
	while (g_hash_table_iter_next(&it, &k, NULL))
		g_ptr_array_add(a, g_strdup(k));
	g_ptr_array_sort(a, str_cmp);
}

static gint
ip_cmp(gconstpointer a, gconstpointer b);

/* See store_senders_priv.h. */
void
ds_ss_row_finish(struct ss_row *r)
{
	struct ds_sender *s = r->s;

	ds_ss_row_open(r);
	g_array_sort(s->dkim, auth_cmp);
	g_array_sort(s->spf, auth_cmp);
	g_array_sort(s->reasons, auth_cmp);
	set_to_array(r->reporters, s->reporters);
	set_to_array(r->hfrom, s->header_from);
	g_ptr_array_sort(s->ip_list, ip_cmp);
	if (r->reports)
		s->reports = g_hash_table_size(r->reports);
	if (s->first_seen == INT64_MAX)
		s->first_seen = 0;
	if (s->last_seen == INT64_MIN)
		s->last_seen = 0;
}

/* "AS8075" as 8075; 0 for any other text. */
static guint64
as_number(const char *s)
{
	if (s[0] != 'A' || s[1] != 'S' || !g_ascii_isdigit(s[2]) ||
	    strlen(s) > 12 || strspn(s + 2, "0123456789") != strlen(s + 2))
		return 0;
	return g_ascii_strtoull(s + 2, NULL, 10);
}

/*
 * IPs (and "ip/len") numerically, IPv4 first; other text after (AS
 * numbers numerically), NULL last. fa/fb and x/y: the parsed addresses
 * (family 0: not an IP).
 */
static int
addr_cmp(const char *a, int fa, const unsigned char *x, const char *b,
    int fb, const unsigned char *y)
{
	guint64 na, nb;
	int c;

	if (a == NULL || b == NULL)
		return a == b ? 0 : a == NULL ? 1 : -1;
	if (fa && fb) {
		if (fa != fb)
			return fa == AF_INET ? -1 : 1;
		if ((c = memcmp(x, y, 16)) != 0)
			return c;
		return strcmp(a, b);
	}
	if ((fa != 0) != (fb != 0))
		return fa ? -1 : 1;
	if ((na = as_number(a)) != 0 && (nb = as_number(b)) != 0 && na != nb)
		return na < nb ? -1 : 1;
	return strcmp(a, b);
}



/* See store_senders_priv.h: the order of addr_cmp() as bytes. */
GByteArray *
ds_ss_sort_key(const char *key)
{
	GByteArray *b = g_byte_array_new();
	unsigned char a[16], head[2];
	guint64 n;
	int family, i;

	if (key == NULL) {
		head[0] = 0xff;
		return g_byte_array_append(b, head, 1);
	}
	if (parse_ip(key, &family, a)) {
		head[0] = 0x01;
		head[1] = family == AF_INET ? 4 : 6;
		g_byte_array_append(b, head, 2);
		g_byte_array_append(b, a, 16);
	} else if ((n = as_number(key)) != 0) {
		head[0] = 0x02;
		g_byte_array_append(b, head, 1);
		for (i = 7; i >= 0; i--) {
			head[1] = (unsigned char)(n >> (i * 8));
			g_byte_array_append(b, head + 1, 1);
		}
	} else {
		head[0] = 0x03;
		g_byte_array_append(b, head, 1);
	}
	return g_byte_array_append(b, (const guint8 *)key,
	    (guint)strlen(key));
}

static int
key_cmp(const char *a, const char *b)
{
	unsigned char x[16], y[16];
	int fa = 0, fb = 0;

	if (a != NULL && !parse_ip(a, &fa, x))
		fa = 0;
	if (b != NULL && !parse_ip(b, &fb, y))
		fb = 0;
	return addr_cmp(a, fa, x, b, fb, y);
}

/* Rows by key, with the addresses parsed once in ds_ss_row_new(). */
static int
row_key_cmp(const struct ss_row *a, const struct ss_row *b)
{
	return addr_cmp(a->s->key, a->family, a->addr, b->s->key, b->family,
	    b->addr);
}

static gint
ip_cmp(gconstpointer a, gconstpointer b)
{
	return key_cmp(*(char *const *)a, *(char *const *)b);
}

static int
desc(int64_t a, int64_t b)
{
	return a == b ? 0 : a > b ? -1 : 1;
}

/*
 * See store_senders_priv.h. Ties fall back to messages (most first),
 * then the key, so the order is total and output is stable.
 */
int
ds_ss_row_cmp(const struct ss_row *ra, const struct ss_row *rb,
    enum ds_sender_sort o)
{
	const struct ds_sender *a = ra->s, *b = rb->s;
	double x, y;
	int c = 0;

	switch (o) {
	case DS_SORT_FAIL:
		c = desc(a->dmarc_fail, b->dmarc_fail);
		break;
	case DS_SORT_PASS:
		c = desc(a->dmarc_pass, b->dmarc_pass);
		break;
	case DS_SORT_RATE:
		x = ds_pass_rate(a->dmarc_pass, a->messages);
		y = ds_pass_rate(b->dmarc_pass, b->messages);
		c = x < y ? -1 : x > y ? 1 : 0;
		break;
	case DS_SORT_KEY:
		return row_key_cmp(ra, rb);
	case DS_SORT_FIRST:
		c = desc(a->first_seen, b->first_seen);
		break;
	case DS_SORT_LAST:
		c = desc(a->last_seen, b->last_seen);
		break;
	case DS_SORT_MESSAGES:
	default:
		break;
	}
	if (c == 0)
		c = desc(a->messages, b->messages);
	return c != 0 ? c : row_key_cmp(ra, rb);
}
