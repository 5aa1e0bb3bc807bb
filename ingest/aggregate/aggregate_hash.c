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

#include "ingest/aggregate/aggregate_hash.h"

void
ds_report_hash_init(struct ds_report_hash *h)
{
	memset(h, 0, sizeof(*h));
}

/* s with its length; NULL (absent) differs from "" */
static void
put_str(GChecksum *c, const char *s)
{
	char len[24];

	if (s == NULL) {
		g_checksum_update(c, (const guchar *)"N", 1);
		return;
	}
	g_snprintf(len, sizeof(len), "S%zu:", strlen(s));
	g_checksum_update(c, (const guchar *)len, -1);
	g_checksum_update(c, (const guchar *)s, (gssize)strlen(s));
}

static void
put_u64(GChecksum *c, uint64_t v)
{
	char num[24];

	g_snprintf(num, sizeof(num), "I%" G_GUINT64_FORMAT ";", v);
	g_checksum_update(c, (const guchar *)num, -1);
}

void
ds_report_hash_record(struct ds_report_hash *h, const struct ds_record *r)
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
	guint8 md[32];
	gsize len = sizeof(md);
	uint64_t part;
	guint i;

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
	g_checksum_get_digest(c, md, &len);
	g_checksum_free(c);
	for (i = 0; i < 4; i++) {
		memcpy(&part, md + 8 * i, 8);
		/* little-endian: the same hash on every machine */
		h->acc[i] += GUINT64_FROM_LE(part);	/* unsigned: wraps by definition */
	}
	h->n++;
}

void
ds_report_hash_final(const struct ds_report_hash *h,
    const struct ds_report_meta *m, char out[DS_REPORT_HASH_LEN + 1])
{
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
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
	g_strlcpy(out, g_checksum_get_string(c), DS_REPORT_HASH_LEN + 1);
	g_checksum_free(c);
}
