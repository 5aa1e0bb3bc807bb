/*
 * failure_out.h - stored failure reports as JSON, CSV and text for
 * `dmarcsift failures` (ingest/cmd/cmd_failures.c).
 * SPDX-License-Identifier: MIT
 *
 * JSON contract (issue 4): one object per report with "spf" {result,
 * domain, reason, ...}, "dkim" [{domain, selector, algorithm, result,
 * reason, ...}], "dmarc" {result, from_domain, org_domain, policy,
 * spf_aligned, dkim_aligned, ...} (ingest/verify/verify.h, null / [] when not
 * re-verified) plus "source_ip", "reported_domain", "arrival_date",
 * "reporter", "differences" and the other report fields. Addresses of
 * people (Original-Mail-From, Original-Rcpt-To, the sample) only in
 * the detailed form (show).
 */
#ifndef DS_FAILURE_OUT_H
#define DS_FAILURE_OUT_H

#include <stdbool.h>
#include <glib.h>

#include "schema/model/model_failure.h"

/*
 * Append f to g as one JSON object. detail adds the personal fields,
 * every feedback field in order and the sample; redact hides the local
 * parts of addresses, the sample's Subject and body.
 */
void ds_failure_json(GString *g, const struct ds_failure *f, bool detail,
    bool redact);

/* The CSV header line and one report as a CSV line (RFC 4180). */
void ds_failure_csv_header(GString *g);
void ds_failure_csv(GString *g, const struct ds_failure *f, bool redact);

/* One report as a text line (80 columns) and its differences below. */
void ds_failure_text_row(GString *g, const struct ds_failure *f,
    bool redact);
/* The text header line matching ds_failure_text_row. */
void ds_failure_text_header(GString *g);

/* Everything about one report as text (`failures show`). */
void ds_failure_text_show(GString *g, const struct ds_failure *f,
    bool redact);

/* ds_failure_redact(): schema/model/model_failure.h */

/*
 * s[0..len) safe for a terminal: valid UTF-8, CR dropped, other control
 * characters as \xNN (tab and newline kept). Caller g_frees.
 */
char *ds_failure_display(const char *s, size_t len);

/*
 * The sample's header block for display (redacted when asked: addresses
 * hidden, Subject withheld) and in *out_body its body (or, redacted, a
 * note that it is withheld; NULL when there is none). NULL when f has
 * no sample. Both g_free.
 */
char *ds_failure_sample_display(const struct ds_failure *f, bool redact,
    char **out_body);

#endif
