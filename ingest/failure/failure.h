/*
 * failure.h - parse one failure (ruf) report: RFC 5965 ARF,
 * RFC 6591 auth-failure, RFC 9991.
 * SPDX-License-Identifier: MIT
 *
 * A pure function over the raw message bytes: no DNS, no store. What it
 * accepts (ingest/aggregate/QUIRKS.md, "Failure reports"):
 *  - multipart/report; report-type=feedback-report with a
 *    message/feedback-report part and the original as message/rfc822,
 *    message/global, text/rfc822-headers or message/global-headers,
 *    redacted or not, in any order, at any depth, CRLF or LF;
 *  - a report without the original (stored, warning no-sample);
 *  - a report whose ARF parts sit inside an attached message (forwarded;
 *    warning forwarded-report);
 *  - a report with no message/feedback-report part at all (exim's
 *    plain-text "DMARC Forensic Report"): the "Sender IP Address:",
 *    "Sender Domain:", "Received date:" ... lines of the text and the
 *    header copy after it are used, with the warning no-arf-part, as long
 *    as a valid source IP or a reported domain is found; otherwise it is
 *    rejected with the reason.
 */
#ifndef DS_FAILURE_H
#define DS_FAILURE_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/model/limits.h"
#include "schema/model/model_failure.h"

/*
 * Parse the failure report in buf[0..len) into *out, which this call
 * initialises (ds_failure_clear it in every case, also after failure).
 * Caps: lim->max_message (input and decoded parts), max_mime_depth,
 * max_mime_parts, max_text (one field value; longer ones are cut with a
 * warning). Returns false with err: DS_ERROR_FORMAT when buf is not a
 * mail message or holds nothing usable as a failure report,
 * DS_ERROR_LIMIT when a cap was hit.
 */
bool ds_failure_parse(struct ds_failure *out, const char *buf, size_t len,
    const struct ds_limits *lim, GError **err);

#endif
