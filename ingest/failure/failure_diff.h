/*
 * failure_diff.h - where our re-verification of a failure sample
 * disagrees with what the reporter said.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_FAILURE_DIFF_H
#define DS_FAILURE_DIFF_H

#include <glib.h>

#include "schema/model/model_failure.h"
#include "ingest/verify/verify.h"

/*
 * Compare the reporter's claims in f (the topmost Authentication-Results
 * of the feedback part, else of the sample; Auth-Failure;
 * Identity-Alignment; DKIM-Domain) with our verdict r and append one
 * string (g_malloc'd) per difference to out, e.g. "reporter: dkim=fail
 * (d=example.com); now: dkim=pass - key published since". A check we
 * could not complete (temperror, no DNS) is never called a difference.
 */
void ds_failure_diff(const struct ds_failure *f,
    const struct ds_verify_result *r, GPtrArray *out);

#endif
