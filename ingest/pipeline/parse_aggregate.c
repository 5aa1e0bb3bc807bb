/*
 * parse_aggregate.c - aggregate reports (RFC 7489 appendix C, RFC 9990)
 * as an entry of the pipeline's parser table: stream the leaf through
 * ingest/aggregate/aggregate.c into the store.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (the report key dedups: a report whose key is stored is
 * read to the end and its content hash compared, issue 13: the same
 * content is DS_ERROR_DUP, other content is kept as a conflicting
 * version, store_conflict.h), #14 (counts checked before they are
 * summed).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_conflict.h"
#include "ingest/aggregate/aggregate.h"
#include "ingest/aggregate/aggregate_hash.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"

/* one aggregate report being parsed */
struct report {
	struct ds_pipeline *pl;
	const struct ds_parse_unit *u;
	int64_t row;
	bool dup;		/* row is the stored report of this key */
	uint64_t records, messages;
	struct ds_report_hash hash;
};

static bool
meta_cb(const struct ds_report_meta *m, void *payload, GError **err)
{
	struct report *r = payload;
	GError *e = NULL;

	if (ds_store_report_put(ds_pipeline_store(r->pl), m, r->u->source,
	    r->u->msg_id, &r->row, &e))
		return true;
	if (e->domain == DS_ERROR && e->code == DS_ERROR_DUP && r->row > 0) {
		/* read on: same content or a conflicting version? */
		g_error_free(e);
		r->dup = true;
		return true;
	}
	g_propagate_error(err, e);
	return false;
}

static bool
record_cb(struct ds_report_meta *m, const struct ds_record *rec,
    void *payload, GError **err)
{
	struct report *r = payload;

	/* THREATS #14: counts are 64-bit and the sum must not overflow */
	if (rec->count > (uint64_t)INT64_MAX ||
	    r->messages + rec->count > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_SCHEMA,
		    "record %" G_GUINT64_FORMAT ": count too large",
		    r->records + 1);
	r->records++;
	r->messages += rec->count;
	ds_report_hash_record(&r->hash, rec);
	if (r->dup)
		return true;
	return ds_store_record_put(ds_pipeline_store(r->pl), r->row, rec,
	    err);
}

/* The key of m for a summary line, terminal-safe quoting. Caller frees. */
static char *
key_line(const struct ds_report_meta *m)
{
	char *id = ds_quote(m->report_id, strlen(m->report_id), 80);
	char *org = ds_quote(m->org_name, strlen(m->org_name), 80);
	char *dom = ds_quote(m->domain, strlen(m->domain), 80);
	char *s = g_strdup_printf("report '%s' from '%s' for '%s'", id, org,
	    dom);

	g_free(id);
	g_free(org);
	g_free(dom);
	return s;
}

/*
 * A report whose key is stored, read to the end: DS_ERROR_DUP when it
 * says what the stored one says, else kept as a conflicting version
 * (not counted) and described for the run summary.
 */
static bool
version(struct report *r, const struct ds_report_meta *m, const char *hash,
    struct ds_parse_result *out, GError **err)
{
	struct ds_report_version v;
	bool conflict;
	char *key;

	if (!ds_store_report_version(ds_pipeline_store(r->pl), r->row, hash,
	    r->records, r->messages, r->u->source, r->u->input,
	    r->u->input_len, &conflict, &v, err))
		return false;
	key = key_line(m);
	if (!conflict) {
		ds_fail(err, DS_ERROR_DUP, "%s already stored", key);
		g_free(key);
		return false;
	}
	out->conflict = g_strdup_printf("conflicting version of %s: stored "
	    "%" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT " messages; "
	    "this one %" G_GINT64_FORMAT " records, %" G_GINT64_FORMAT
	    " messages%s (kept, not counted: the first stored counts)", key,
	    v.records, v.messages, v.new_records, v.new_messages,
	    v.records == v.new_records && v.messages == v.new_messages ?
	    ", other content" : "");
	out->said = g_strdup(out->conflict);
	g_free(key);
	return true;
}

static int
leaf_read(void *ctx, char *buf, int len)
{
	return ds_leaf_read(ctx, buf, len);
}

static const GError *
leaf_error(void *ctx)
{
	return ((struct ds_leaf *)ctx)->error;
}

static bool
ingest(struct ds_pipeline *pl, const struct ds_parse_unit *u,
    struct ds_parse_result *out, GError **err)
{
	static const struct ds_aggregate_cbs cbs = { meta_cb, record_cb };
	struct ds_leaf *leaf = u->leaf;
	struct report r = { pl, u, 0, false, 0, 0, { { 0 }, 0, NULL } };
	struct ds_report_meta m;
	char hash[DS_REPORT_HASH_LEN + 1];
	bool ok;
	guint i;

	ds_report_hash_init(&r.hash);
	if (leaf->mem)
		ok = ds_aggregate_parse(&m, leaf->mem, leaf->mem_len,
		    ds_pipeline_limits(pl), &cbs, &r, err);
	else
		ok = ds_aggregate_parse_io(&m, leaf_read, leaf, leaf_error,
		    ds_pipeline_limits(pl), &cbs, &r, err);
	if (ok)
		ds_report_hash_final(&r.hash, &m, hash);
	else
		ds_report_hash_clear(&r.hash);
	if (ok && r.dup) {
		ok = version(&r, &m, hash, out, err);
		ds_report_meta_clear(&m);
		return ok;
	}
	if (ok) {
		for (i = 0; u->warnings && i < u->warnings->len; i++)
			ds_report_warn(&m, "%s",
			    (char *)g_ptr_array_index(u->warnings, i));
		ok = ds_store_report_finish(ds_pipeline_store(pl), r.row,
		    r.records, r.messages, &m, err) &&
		    ds_store_report_hash_set(ds_pipeline_store(pl), r.row, hash,
		    err);
	}
	if (ok) {
		out->items = r.records;
		out->said = g_strdup_printf("stored report %s from %s for %s (%"
		    G_GUINT64_FORMAT " records)", m.report_id, m.org_name,
		    m.domain, r.records);
	}
	ds_report_meta_clear(&m);
	return ok;
}

const struct ds_report_parser ds_parser_aggregate = {
	.name = "aggregate",
	.label = "aggregate report",
	.kind = DS_REPORT_AGGREGATE,
	.scope = DS_PARSER_LEAF,
	.sniff = ds_aggregate_sniff,
	.ingest = ingest,
};
