/*
 * summary_text.h - the text form of "dmarcsift summary": one block per
 * policy domain that fits an 80-column terminal.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SUMMARY_TEXT_H
#define DS_SUMMARY_TEXT_H

#include <glib.h>

#include "schema/store/store_policy.h"
#include "schema/store/store_senders.h"

/*
 * Append the block of s to out: period, messages, pass rates,
 * dispositions, reporters (char * "name (reports)", the top ones),
 * policy and its changes (timeline: struct ds_policy_span of
 * store_policy.h, each change a line, weakenings marked), the sources
 * by class (classes: one line, or NULL), days without a report, then
 * the top failing sources (struct ds_sender *, may be empty). Attacker text has control characters replaced.
 */
void ds_summary_text(GString *out, const struct ds_domain_summary *s,
    GPtrArray *reporters, GPtrArray *failing, const GArray *timeline,
    const char *classes);

/* The policy shown as current: the one reported last (or NULL). */
const struct ds_policy_seen *ds_summary_current_policy(
    const struct ds_domain_summary *s);

#endif
