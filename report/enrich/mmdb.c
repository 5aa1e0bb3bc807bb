/*
 * mmdb.c - AS number, AS organisation and country of an IP from MaxMind
 * DB files with libmaxminddb (mmdb.h).
 * SPDX-License-Identifier: MIT
 *
 * The MaxMind DB format: a binary search tree over the address bits,
 * then a data section of typed values, then metadata. libmaxminddb
 * checks the metadata at MMDB_open (format version, record size, node
 * count against the file size) and every node and data offset during a
 * lookup, so a lookup walks at most 128 nodes and never reads outside
 * the mapped file; we add: a cap on the number of databases, inet_pton
 * instead of getaddrinfo (glibc accepts "010.1.2.3" and other
 * spellings, SPEC THREATS "observed"), checked values (ASN range,
 * UTF-8, length caps, no control characters), and dropping a database
 * at its first data error with one warning instead of failing.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "report/enrich/mmdb.h"

#define MAX_DBS 16		/* --mmdb files in one run */
#define MAX_TEXT 256		/* bytes of an AS organisation kept */
#define MAX_DOMAIN 253

struct db {
	MMDB_s mm;
	char *path;
	bool ok;		/* opened and not dropped */
};

struct ds_mmdb {
	GPtrArray *dbs;		/* struct db */
	GPtrArray *warnings;	/* char *, since the last ds_mmdb_warnings */
	GPtrArray *shown;	/* char *: handed out, freed next call */
};

static void
db_free(gpointer p)
{
	struct db *d = p;

	if (d->ok)
		MMDB_close(&d->mm);
	g_free(d->path);
	g_free(d);
}

static void G_GNUC_PRINTF(2, 3)
warn(struct ds_mmdb *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(m->warnings, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

/* Open one file into a new struct db, or warn and return NULL. */
static struct db *
db_open(struct ds_mmdb *m, const char *path)
{
	struct db *d;
	struct stat sb;
	int rc;

	if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		warn(m, "MaxMind database %s: not a readable file, ignored",
		    path);
		return NULL;
	}
	d = g_new0(struct db, 1);
	d->path = g_strdup(path);
	rc = MMDB_open(path, MMDB_MODE_MMAP, &d->mm);
	if (rc != MMDB_SUCCESS) {
		warn(m, "MaxMind database %s: %s, ignored", path,
		    MMDB_strerror(rc));
		db_free(d);
		return NULL;
	}
	d->ok = true;
	/* libmaxminddb checked the metadata; these it leaves to us */
	if (d->mm.metadata.binary_format_major_version != 2 ||
	    (d->mm.metadata.ip_version != 4 &&
	    d->mm.metadata.ip_version != 6) ||
	    d->mm.metadata.node_count == 0) {
		warn(m, "MaxMind database %s: unsupported format (version "
		    "%u, IPv%u), ignored", path,
		    (unsigned)d->mm.metadata.binary_format_major_version,
		    (unsigned)d->mm.metadata.ip_version);
		db_free(d);
		return NULL;
	}
	return d;
}

/* See mmdb.h. */
struct ds_mmdb *
ds_mmdb_open(const char *const *paths)
{
	struct ds_mmdb *m = g_new0(struct ds_mmdb, 1);
	struct db *d;
	size_t i;

	m->dbs = g_ptr_array_new_with_free_func(db_free);
	m->warnings = g_ptr_array_new_with_free_func(g_free);
	m->shown = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; paths != NULL && paths[i] != NULL; i++) {
		if (*paths[i] == '\0')
			continue;
		if (m->dbs->len >= MAX_DBS) {
			warn(m, "MaxMind database %s: more than %d databases, "
			    "ignored", paths[i], MAX_DBS);
			continue;
		}
		if ((d = db_open(m, paths[i])) != NULL)
			g_ptr_array_add(m->dbs, d);
	}
	return m;
}

/* See mmdb.h. */
void
ds_mmdb_free(struct ds_mmdb *m)
{
	if (m == NULL)
		return;
	g_ptr_array_unref(m->dbs);
	g_ptr_array_unref(m->warnings);
	g_ptr_array_unref(m->shown);
	g_free(m);
}

/* See mmdb.h. */
unsigned
ds_mmdb_count(const struct ds_mmdb *m)
{
	unsigned n = 0;
	guint i;

	for (i = 0; m != NULL && i < m->dbs->len; i++)
		n += ((struct db *)m->dbs->pdata[i])->ok;
	return n;
}

/* See mmdb.h. */
int64_t
ds_mmdb_built(const struct ds_mmdb *m)
{
	int64_t best = 0, v;
	guint i;

	for (i = 0; m != NULL && i < m->dbs->len; i++) {
		const struct db *d = m->dbs->pdata[i];

		if (!d->ok || d->mm.metadata.build_epoch > INT64_MAX)
			continue;
		v = (int64_t)d->mm.metadata.build_epoch;
		best = MAX(best, v);
	}
	return best;
}

/* See mmdb.h. */
const GPtrArray *
ds_mmdb_warnings(struct ds_mmdb *m)
{
	GPtrArray *t = m->shown;

	g_ptr_array_set_size(t, 0);
	m->shown = m->warnings;
	m->warnings = t;
	return m->shown;
}

/* See mmdb.h. */
void
ds_geo_clear(struct ds_geo *g)
{
	g_free(g->as_org);
	g_free(g->as_domain);
	g_free(g->country);
	memset(g, 0, sizeof(*g));
}

/* See mmdb.h. */
char *
ds_asn_text(uint32_t asn)
{
	return asn ? g_strdup_printf("AS%u", (unsigned)asn) : NULL;
}

/* See mmdb.h. */
bool
ds_asn_parse(const char *s, uint32_t *out)
{
	guint64 v;
	char *end;

	if (s == NULL)
		return false;
	if (g_ascii_strncasecmp(s, "AS", 2) == 0)
		s += 2;
	if (!g_ascii_isdigit(*s) || strlen(s) > 10)
		return false;
	v = g_ascii_strtoull(s, &end, 10);
	if (*end != '\0' || v == 0 || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* A data error (not just "this database has no such key")? */
static bool
data_error(int rc)
{
	return rc != MMDB_SUCCESS &&
	    rc != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR &&
	    rc != MMDB_INVALID_LOOKUP_PATH_ERROR;
}

/*
 * The value at the path (NULL-terminated key list) as text: a UTF-8
 * string of at most cap bytes, made valid, control characters turned
 * into '?'. *rc gets the first data error. NULL when absent.
 */
static char *
get_text(MMDB_entry_s *e, int *rc, size_t cap, const char *const *path)
{
	MMDB_entry_data_s v;
	char *s, *p;
	size_t n;
	int r;

	memset(&v, 0, sizeof(v));
	r = MMDB_aget_value(e, &v, path);
	if (data_error(r) && *rc == MMDB_SUCCESS)
		*rc = r;
	if (r != MMDB_SUCCESS || !v.has_data ||
	    v.type != MMDB_DATA_TYPE_UTF8_STRING || v.data_size == 0)
		return NULL;
	n = MIN((size_t)v.data_size, cap);
	s = g_utf8_make_valid(v.utf8_string, (gssize)n);
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	if (*s == '\0') {
		g_free(s);
		return NULL;
	}
	return s;
}

/* The unsigned integer at the path, 0 when absent or out of range. */
static uint32_t
get_uint(MMDB_entry_s *e, int *rc, const char *const *path)
{
	MMDB_entry_data_s v;
	uint64_t x;
	int r;

	memset(&v, 0, sizeof(v));
	r = MMDB_aget_value(e, &v, path);
	if (data_error(r) && *rc == MMDB_SUCCESS)
		*rc = r;
	if (r != MMDB_SUCCESS || !v.has_data)
		return 0;
	switch (v.type) {
	case MMDB_DATA_TYPE_UINT16:
		x = v.uint16;
		break;
	case MMDB_DATA_TYPE_UINT32:
		x = v.uint32;
		break;
	case MMDB_DATA_TYPE_UINT64:
		x = v.uint64;
		break;
	case MMDB_DATA_TYPE_INT32:
		x = v.int32 > 0 ? (uint64_t)v.int32 : 0;
		break;
	default:
		x = 0;
	}
	return x <= UINT32_MAX ? (uint32_t)x : 0;
}

/* Two ASCII letters, upper-cased; else NULL (s freed either way). */
static char *
country_ok(char *s)
{
	if (s != NULL && strlen(s) == 2 && g_ascii_isalpha(s[0]) &&
	    g_ascii_isalpha(s[1])) {
		s[0] = g_ascii_toupper(s[0]);
		s[1] = g_ascii_toupper(s[1]);
		return s;
	}
	g_free(s);
	return NULL;
}

/* A host name, lower-cased; else NULL (s freed either way). */
static char *
domain_ok(char *s)
{
	char *l;

	if (s == NULL || strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-.") != strlen(s)) {
		g_free(s);
		return NULL;
	}
	l = g_ascii_strdown(s, -1);
	g_free(s);
	return l;
}

/* The fields of entry e into out (empty); *rc: the first data error. */
static void
read_entry(MMDB_entry_s *e, struct ds_geo *out, int *rc)
{
	static const char *const k_asn[] = { "autonomous_system_number",
	    NULL };
	static const char *const k_org[] = {
	    "autonomous_system_organization", NULL };
	static const char *const k_cc[] = { "country", "iso_code", NULL };
	static const char *const k_rcc[] = { "registered_country",
	    "iso_code", NULL };
	static const char *const k_ii_asn[] = { "asn", NULL };
	static const char *const k_ii_org[] = { "as_name", NULL };
	static const char *const k_ii_dom[] = { "as_domain", NULL };
	static const char *const k_ii_cc[] = { "country_code", NULL };
	char *s;

	if (out->asn == 0) {
		out->asn = get_uint(e, rc, k_asn);
		if (out->asn == 0 && (s = get_text(e, rc, 16, k_ii_asn))) {
			if (!ds_asn_parse(s, &out->asn))
				out->asn = 0;
			g_free(s);
		}
	}
	if (out->as_org == NULL && (out->as_org = get_text(e, rc, MAX_TEXT,
	    k_org)) == NULL)
		out->as_org = get_text(e, rc, MAX_TEXT, k_ii_org);
	if (out->as_domain == NULL)
		out->as_domain = domain_ok(get_text(e, rc, MAX_DOMAIN,
		    k_ii_dom));
	if (out->country == NULL)
		out->country = country_ok(get_text(e, rc, 8, k_cc));
	if (out->country == NULL)
		out->country = country_ok(get_text(e, rc, 8, k_ii_cc));
	if (out->country == NULL)
		out->country = country_ok(get_text(e, rc, 8, k_rcc));
}

/* ip as a sockaddr for libmaxminddb; false when ip is not an address. */
static bool
to_sockaddr(const char *ip, struct sockaddr_storage *ss)
{
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/* Fields of from that into lacks move over; from is cleared. */
static void
merge(struct ds_geo *into, struct ds_geo *from)
{
	if (into->asn == 0)
		into->asn = from->asn;
	if (into->as_org == NULL)
		into->as_org = g_steal_pointer(&from->as_org);
	if (into->as_domain == NULL)
		into->as_domain = g_steal_pointer(&from->as_domain);
	if (into->country == NULL)
		into->country = g_steal_pointer(&from->country);
	ds_geo_clear(from);
}

/* See mmdb.h. */
bool
ds_mmdb_lookup(struct ds_mmdb *m, const char *ip, struct ds_geo *out)
{
	struct sockaddr_storage ss;
	MMDB_lookup_result_s res;
	struct ds_geo one = { 0 };
	int rc;
	guint i;

	ds_geo_clear(out);
	if (m == NULL || ip == NULL || !to_sockaddr(ip, &ss))
		return false;
	for (i = 0; i < m->dbs->len; i++) {
		struct db *d = m->dbs->pdata[i];

		if (!d->ok)
			continue;
		rc = MMDB_SUCCESS;
		res = MMDB_lookup_sockaddr(&d->mm, (struct sockaddr *)&ss, &rc);
		/* an IPv4-only database simply has no IPv6 answers */
		if (rc == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
			continue;
		if (rc == MMDB_SUCCESS && res.found_entry)
			read_entry(&res.entry, &one, &rc);
		if (rc == MMDB_SUCCESS) {
			merge(out, &one);
		} else {
			ds_geo_clear(&one);
			warn(m, "MaxMind database %s: %s (looking up %s), "
			    "ignored from now on", d->path, MMDB_strerror(rc),
			    ip);
			MMDB_close(&d->mm);
			d->ok = false;
		}
	}
	return out->asn != 0 || out->as_org != NULL || out->country != NULL;
}
