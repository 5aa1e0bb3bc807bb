/*
 * failure_keep.h - what of a failure report's personal data is stored:
 * [ingest] store-samples = full | headers | redacted | none (issue 13,
 * SPEC.md §2: store forensic samples deliberately).
 * SPDX-License-Identifier: MIT
 *
 *   full      the sample (message/rfc822 or headers) and every field as
 *             received
 *   headers   the sample's header block only (the body is dropped);
 *             fields as received
 *   redacted  the default: the header block only, with the local part
 *             of every address replaced (ds_failure_redact: domains
 *             kept) and the Subject withheld; the same rule over every
 *             field that can hold an address; DKIM-Canonicalized-*
 *             (base64 copies of the headers and body) dropped
 *   none      no sample at all; fields redacted as with redacted
 *
 * Applied at ingest after the re-verification, which sees the sample
 * as received: the stored verdict is the one on the full sample. A
 * report stored with anything but full carries the warning
 * "sample-stored: <setting> ([ingest] store-samples)", by which the
 * commands know that --unredacted and --reverify cannot see more.
 */
#ifndef DS_FAILURE_KEEP_H
#define DS_FAILURE_KEEP_H

#include <stdbool.h>

#include "schema/model/model_failure.h"

enum ds_store_samples {
	DS_SAMPLES_REDACTED = 0,	/* the default */
	DS_SAMPLES_FULL,
	DS_SAMPLES_HEADERS,
	DS_SAMPLES_NONE,
};

/* "full" "headers" "redacted" "none" -> *out; false for anything else */
bool ds_store_samples_parse(const char *s, enum ds_store_samples *out);
const char *ds_store_samples_name(enum ds_store_samples how);

/* Reduce f to what how keeps, and mark it (see above). */
void ds_failure_keep(struct ds_failure *f, enum ds_store_samples how);

/*
 * How f was stored: DS_SAMPLES_FULL for reports without the mark (also
 * every report stored before store-samples existed).
 */
enum ds_store_samples ds_failure_stored_as(const struct ds_failure *f);

#endif
