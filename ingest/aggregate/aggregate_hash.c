/*
 * aggregate_hash.c - the content hash of an aggregate report
 * (aggregate_hash.h).
 * SPDX-License-Identifier: MIT
 *
 * Every field goes in with a type byte and its length, so no two
 * different records serialise alike ("ab"+"c" vs "a"+"bc", absent vs
 * empty).
 */
#include <string.h>

#include <glib.h>

#include "schema/util/sha256.h"
#include "ingest/aggregate/aggregate_hash.h"

void
ds_report_hash_init(struct ds_report_hash *h)
{
	memset(h, 0, sizeof(*h));
}

/* v in decimal after the type byte t, then the terminator z (if any) */
static void
put_num(GString *g, char t, uint64_t v, char z)
{
	char d[24];
	size_t n = sizeof(d);

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	g_string_append_c(g, t);
	g_string_append_len(g, d + n, (gssize)(sizeof(d) - n));
	if (z)
		g_string_append_c(g, z);
}

/* s with its length; NULL (absent) differs from "" */
static void
put_str(GString *g, const char *s)
{
	size_t n;

	if (s == NULL) {
		g_string_append_c(g, 'N');
		return;
	}
	n = strlen(s);
	put_num(g, 'S', n, ':');
	g_string_append_len(g, s, (gssize)n);
}

static void
put_u64(GString *g, uint64_t v)
{
	put_num(g, 'I', v, ';');
}

/*
 * The bytes hashed are those the first version fed GChecksum piece by
 * piece ("S<len>:<bytes>", "N", "I<decimal>;"): stored hashes stay
 * valid (test_report_hash.c's known answer). One serialisation and one
 * SHA-256 per record instead of a checksum object and ~30 updates.
 */
void
ds_report_hash_record(struct ds_report_hash *h, const struct ds_record *r)
{
	GString *c = h->buf ? h->buf : (h->buf = g_string_sized_new(512));
	uint8_t md[DS_SHA256_LEN];
	uint64_t part;
	guint i;

	g_string_truncate(c, 0);
	put_str(c, r->source_ip);
	put_u64(c, r->count);
	put_str(c, r->disposition);
	put_str(c, r->dkim);
	put_str(c, r->spf);
	put_u64(c, r->reasons ? r->reasons->len : 0);
	for (i = 0; r->reasons && i < r->reasons->len; i++) {
		const struct ds_reason *x = &g_array_index(r->reasons,
		    struct ds_reason, i);

		put_str(c, x->type);
		put_str(c, x->comment);
	}
	put_str(c, r->envelope_to);
	put_str(c, r->envelope_from);
	put_str(c, r->header_from);
	put_u64(c, r->dkim_results ? r->dkim_results->len : 0);
	for (i = 0; r->dkim_results && i < r->dkim_results->len; i++) {
		const struct ds_dkim_result *d = &g_array_index(
		    r->dkim_results, struct ds_dkim_result, i);

		put_str(c, d->domain);
		put_str(c, d->selector);
		put_str(c, d->result);
		put_str(c, d->human_result);
	}
	put_u64(c, r->spf_results ? r->spf_results->len : 0);
	for (i = 0; r->spf_results && i < r->spf_results->len; i++) {
		const struct ds_spf_result *p = &g_array_index(
		    r->spf_results, struct ds_spf_result, i);

		put_str(c, p->domain);
		put_str(c, p->scope);
		put_str(c, p->result);
		put_str(c, p->human_result);
	}
	put_str(c, r->extensions);
	ds_sha256(c->str, c->len, md);
	for (i = 0; i < 4; i++) {
		memcpy(&part, md + 8 * i, 8);
		/* little-endian: the same hash on every machine */
		h->acc[i] += GUINT64_FROM_LE(part);	/* unsigned: wraps by definition */
	}
	h->n++;
}

void
ds_report_hash_final(struct ds_report_hash *h,
    const struct ds_report_meta *m, char out[DS_REPORT_HASH_LEN + 1])
{
	GString *c = g_string_sized_new(256);
	guint i;

	put_str(c, m->adkim);
	put_str(c, m->aspf);
	put_str(c, m->p);
	put_str(c, m->sp);
	put_str(c, m->np);
	put_u64(c, m->pct < 0 ? UINT64_MAX : (uint64_t)m->pct);
	put_str(c, m->fo);
	put_str(c, m->discovery_method);
	put_str(c, m->testing);
	put_u64(c, h->n);
	for (i = 0; i < 4; i++)
		put_u64(c, h->acc[i]);
	ds_sha256_hex(c->str, c->len, out);
	g_string_free(c, TRUE);
	ds_report_hash_clear(h);
}

void
ds_report_hash_clear(struct ds_report_hash *h)
{
	if (h->buf)
		g_string_free(h->buf, TRUE);
	h->buf = NULL;
}
