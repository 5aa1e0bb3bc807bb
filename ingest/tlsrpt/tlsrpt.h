/*
 * tlsrpt.h - parse one SMTP TLS report (RFC 8460 §4, JSON).
 * SPDX-License-Identifier: MIT
 *
 * A pure function over the bytes: no store, no DNS. The JSON goes
 * through ds_json_parse (schema/jsonin): size capped by
 * lim->max_message, nesting by DS_TLSRPT_MAX_DEPTH, invalid UTF-8 and
 * duplicate keys rejected (THREATS #20). Real-world deviations are kept
 * with named warnings (ingest/tlsrpt/QUIRKS.md).
 */
#ifndef DS_TLSRPT_H
#define DS_TLSRPT_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/model/limits.h"
#include "schema/model/model_tls.h"

/* a report nests 5 deep (report, policies, policy, details, detail) */
#define DS_TLSRPT_MAX_DEPTH 16u

/*
 * Parse the report in buf[0..len) into *out, which this call
 * initialises (ds_tls_report_clear it in every case). Returns false
 * with err: DS_ERROR_LIMIT (too large, too deep, more than
 * lim->max_records policies or failure details), DS_ERROR_FORMAT (not
 * JSON, invalid UTF-8, duplicate keys), DS_ERROR_SCHEMA (not an object,
 * no report-id, no usable date-range, a count that is not a
 * non-negative integer).
 */
bool ds_tlsrpt_parse(struct ds_tls_report *out, const char *buf, size_t len,
    const struct ds_limits *lim, GError **err);

/*
 * Does head[0..len) (the first bytes of a leaf) look like a TLS report:
 * a JSON object (after white space and a UTF-8 BOM) naming one of the
 * RFC 8460 top-level members in its first bytes?
 */
bool ds_tlsrpt_sniff(const char *head, size_t len);

#endif
