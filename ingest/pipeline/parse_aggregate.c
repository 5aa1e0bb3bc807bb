/*
 * parse_aggregate.c - aggregate reports (RFC 7489 appendix C, RFC 9990)
 * as an entry of the pipeline's parser table: stream the leaf through
 * ingest/aggregate/aggregate.c into the store.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (the report key dedups: DS_ERROR_DUP from the store stops
 * the parse early), #14 (counts checked before they are summed).
 */
#include "schema/util/error.h"
#include "ingest/aggregate/aggregate.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"

/* one aggregate report being parsed */
struct report {
	struct ds_pipeline *pl;
	const struct ds_parse_unit *u;
	int64_t row;
	uint64_t records, messages;
};

static bool
meta_cb(const struct ds_report_meta *m, void *payload, GError **err)
{
	struct report *r = payload;

	return ds_store_report_put(ds_pipeline_store(r->pl), m, r->u->source,
	    r->u->msg_id, &r->row, err);
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
	return ds_store_record_put(ds_pipeline_store(r->pl), r->row, rec,
	    err);
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
	struct report r = { pl, u, 0, 0, 0 };
	struct ds_report_meta m;
	bool ok;
	guint i;

	if (leaf->mem)
		ok = ds_aggregate_parse(&m, leaf->mem, leaf->mem_len,
		    ds_pipeline_limits(pl), &cbs, &r, err);
	else
		ok = ds_aggregate_parse_io(&m, leaf_read, leaf, leaf_error,
		    ds_pipeline_limits(pl), &cbs, &r, err);
	if (ok) {
		for (i = 0; u->warnings && i < u->warnings->len; i++)
			ds_report_warn(&m, "%s",
			    (char *)g_ptr_array_index(u->warnings, i));
		ok = ds_store_report_finish(ds_pipeline_store(pl), r.row,
		    r.records, r.messages, &m, err);
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
