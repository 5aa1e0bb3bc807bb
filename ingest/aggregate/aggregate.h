/*
 * aggregate.h - streaming parser for DMARC aggregate reports.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7489 appendix C (no namespace, http://dmarc.org/dmarc-xml/0.1) and
 * RFC 9990 (urn:ietf:params:xml:ns:dmarc-2.0), with the real-world
 * quirks of ingest/aggregate/QUIRKS.md. libxml2's xmlTextReader, XML_PARSE_NONET,
 * no entity substitution, no DTD, DOCTYPE rejected, depth capped:
 * THREATS #1, #2, #3, #8, #14.
 */
#ifndef DS_AGGREGATE_H
#define DS_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/model/limits.h"
#include "schema/model/model.h"

struct ds_aggregate_cbs {
	/*
	 * Called once, when report_metadata and policy_published are
	 * known (at the first <record>; a report without any record is
	 * rejected and meta is never called), after the required fields
	 * were checked. Return false with err to
	 * stop; DS_ERROR_DUP stops the parse early and the parse returns
	 * false with that error.
	 */
	bool (*meta)(const struct ds_report_meta *m, void *payload,
	    GError **err);
	/*
	 * Called as each <record> closes; r is valid only during the call.
	 * Warnings about the record go to m (the same struct as *out).
	 */
	bool (*record)(struct ds_report_meta *m, const struct ds_record *r,
	    void *payload, GError **err);
};

/*
 * Parse one report from buf[0..len). Metadata and policy go to *out
 * (initialised by the callee; the caller clears it with
 * ds_report_meta_clear() whatever the result). Returns false with err
 * set: DS_ERROR_XML (not well-formed, DOCTYPE, bad encoding),
 * DS_ERROR_SCHEMA (wrong root, missing report_id, policy domain or date
 * range, non-numeric date or count, no record), DS_ERROR_LIMIT, or
 * whatever a callback set.
 */
bool ds_aggregate_parse(struct ds_report_meta *out, const char *buf,
    size_t len, const struct ds_limits *lim,
    const struct ds_aggregate_cbs *cbs, void *payload, GError **err);

/*
 * The same, reading through read(ctx, buf, len) (libxml2's
 * xmlInputReadCallback contract: bytes read, 0 at end, -1 on error).
 * read_error, when not NULL, is called after a -1 to fetch the reason.
 */
bool ds_aggregate_parse_io(struct ds_report_meta *out,
    int (*read)(void *ctx, char *buf, int len), void *ctx,
    const GError *(*read_error)(void *ctx),
    const struct ds_limits *lim, const struct ds_aggregate_cbs *cbs,
    void *payload, GError **err);

/* Does head[0..len) look like an aggregate report (a <feedback> root)? */
bool ds_aggregate_sniff(const char *head, size_t len);

#endif
