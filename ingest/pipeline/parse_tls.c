/*
 * parse_tls.c - SMTP TLS reports (RFC 8460) as an entry of the
 * pipeline's parser table: parse the leaf (bare .json, .json.gz, an
 * application/tlsrpt+json or +gzip attachment) with ingest/tlsrpt and
 * store it with schema/store/store_tls.h.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #13 (identity stored once), #20 (hostile JSON: the parser
 * bounds it; the leaf is read into memory only up to lim->max_message).
 */
#include "schema/util/error.h"
#include "schema/store/store_tls.h"
#include "ingest/payload/message.h"
#include "ingest/tlsrpt/tlsrpt.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"

/*
 * RFC 8460 §5.3: TLS-Report-Domain and TLS-Report-Submitter. The
 * submitter is kept; the domain names a report that has no policy, and
 * a different one is warned about (the JSON wins).
 */
static void
mail_headers(struct ds_tls_report *r, const char *msg, size_t len)
{
	char *dom = ds_message_header(msg, len, "TLS-Report-Domain");

	r->submitter = ds_message_header(msg, len, "TLS-Report-Submitter");
	if (dom == NULL)
		return;
	if (r->domain == NULL) {
		r->domain = g_ascii_strdown(dom, -1);
		ds_tls_warn(r, "domain-from-header");
	} else if (g_ascii_strcasecmp(r->domain, dom) != 0) {
		char *q = g_strescape(dom, NULL);

		ds_tls_warn(r, "header-domain-differs: '%.60s'", q);
		g_free(q);
	}
	g_free(dom);
}

static bool
ingest(struct ds_pipeline *pl, const struct ds_parse_unit *u,
    struct ds_parse_result *out, GError **err)
{
	const struct ds_limits *lim = ds_pipeline_limits(pl);
	struct ds_tls_report r;
	char *buf = NULL;
	const char *data = u->leaf->mem;
	size_t len = u->leaf->mem_len;
	int64_t row;
	bool ok = false;
	guint i;

	ds_tls_report_init(&r);
	if (data == NULL) {
		if ((buf = ds_leaf_slurp(u->leaf, lim->max_message, &len,
		    err)) == NULL)
			goto done;
		data = buf;
	}
	ds_tls_report_clear(&r);
	if (!ds_tlsrpt_parse(&r, data, len, lim, err))
		goto done;
	if (u->buf)
		mail_headers(&r, u->buf, u->len);
	for (i = 0; u->warnings && i < u->warnings->len; i++)
		ds_tls_warn(&r, "%s", (char *)g_ptr_array_index(u->warnings,
		    i));
	if (!ds_store_tls_put(ds_pipeline_store(pl), &r, u->source,
	    u->msg_id, &row, err))
		goto done;
	out->items = r.policies->len;
	out->said = g_strdup_printf("stored TLS report %s from %s for %s (%"
	    G_GINT64_FORMAT " sessions ok, %" G_GINT64_FORMAT " failed)",
	    r.report_id, r.org_name, r.domain ? r.domain : "no domain",
	    ds_tls_report_successes(&r), ds_tls_report_failures(&r));
	ok = true;
done:
	ds_tls_report_clear(&r);
	g_free(buf);
	return ok;
}

const struct ds_report_parser ds_parser_tls = {
	.name = "tls",
	.label = "TLS report",
	.kind = DS_REPORT_TLS,
	.scope = DS_PARSER_LEAF,
	.sniff = ds_tlsrpt_sniff,
	.ingest = ingest,
};
