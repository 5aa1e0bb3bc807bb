/*
 * parse_failure.c - failure reports as an entry of the pipeline's parser
 * table: parse, re-verify, store, inside the input's transaction.
 * SPDX-License-Identifier: MIT
 *
 * RFC 5965 / RFC 6591 / RFC 9991 via ingest/failure/failure.c. THREATS #13 (a
 * report stored before - same Message-ID, else same bytes - counts as a
 * duplicate), #17 (DNS budget per sample, ingest/failure/failure_verify.c).
 * A report that cannot be parsed is returned as a rejection with the
 * parser's one-line reason; the pipeline quarantines it. DNS comes from
 * the pipeline's options (ds_pipeline_dns), never from the command line.
 * What is stored of the report's personal data follows [ingest]
 * store-samples (ingest/failure/failure_keep.h).
 */
#include "schema/util/error.h"
#include "schema/store/store_failure.h"
#include "ingest/failure/failure.h"
#include "ingest/failure/failure_keep.h"
#include "ingest/failure/failure_verify.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"

static bool
ingest(struct ds_pipeline *pl, const struct ds_parse_unit *u,
    struct ds_parse_result *out, GError **err)
{
	struct ds_failure f;
	struct ds_dns *dns;
	int64_t row, now = g_get_real_time() / G_USEC_PER_SEC;
	bool ok = false;

	if (!ds_failure_parse(&f, u->buf, u->len, ds_pipeline_limits(pl), err))
		goto done;
	f.source = g_strdup(u->source);
	if ((dns = ds_pipeline_dns(pl)) == NULL)
		ds_failure_warn(&f, "not-verified: no DNS resolver");
	ds_failure_reverify(&f, dns, now);
	/* after the verdict on the sample as received (failure_keep.h) */
	ds_failure_keep(&f, ds_pipeline_store_samples(pl));
	if (!ds_store_failure_put(ds_pipeline_store(pl), &f, u->msg_id, &row,
	    err))
		goto done;
	out->items = 1;
	out->said = g_strdup_printf("stored failure report %" G_GINT64_FORMAT
	    " from %s (%u differences)", row, f.reporter ? f.reporter :
	    "unknown reporter", f.differences->len);
	ok = true;
done:
	ds_failure_clear(&f);
	return ok;
}

const struct ds_report_parser ds_parser_failure = {
	.name = "failure",
	.label = "failure report",
	.kind = DS_REPORT_FAILURE,
	.scope = DS_PARSER_MESSAGE,
	.part_type = "message/feedback-report",
	.top_type = "multipart/report",
	.ingest = ingest,
};
