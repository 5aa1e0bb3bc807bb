/*
 * store_policy.h - the published DMARC policy of a domain as a timeline
 * (policy_published of every report, RFC 7489 appendix C, RFC 9990):
 * one span per policy in force, in time order, where a return to an
 * earlier policy is a new span. Shared by summary, html, weekly and
 * doctor, so all of them tell the same story.
 * SPDX-License-Identifier: MIT
 *
 * How the spans are made: reports are grouped by the UTC day of their
 * midpoint; each day's policy is the one most of its reports show (a tie
 * goes to the report that ends last), so a reporter still holding a
 * cached record for a day does not split the timeline; consecutive days
 * with the same policy form one span. Defaults are filled in as in
 * struct ds_policy_seen (sp = p, adkim = aspf = "r", pct = 100, testing
 * "n"); np absent from a report matches any np.
 */
#ifndef DS_STORE_POLICY_H
#define DS_STORE_POLICY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

/* One policy in force over [since, until]. */
struct ds_policy_span {
	char *p, *sp, *np;	/* lower case; np NULL when no report of
				   the span carried it; p NULL only when
				   the reports lacked it */
	char *adkim, *aspf;
	int pct;		/* 0..100; -1 for an absurd stored value */
	char *testing;		/* "y" or "n" (RFC 9990 t=) */
	int64_t since;		/* begin of the span's first report */
	int64_t until;		/* end of its last report */
	int64_t reports;	/* reports in the span */
};

/*
 * The timeline of q->domain (required) over the period (by report
 * midpoint, as store_senders.h): *out (caller g_array_unref; it clears
 * the spans) holds struct ds_policy_span in time order, empty when no
 * report. DS_ERROR_DB.
 */
bool ds_store_policy_timeline(struct ds_store *st, const struct ds_query *q,
    GArray **out, GError **err);

/*
 * Is b weaker than a (the change a -> b a downgrade)? p or sp lowered
 * (reject > quarantine > none), pct lowered, or t=y added. *what (may
 * be NULL) gets a static description of the first weakening found.
 */
bool ds_policy_weaker(const struct ds_policy_span *a,
    const struct ds_policy_span *b, const char **what);

/* "p=reject sp=reject adkim=r aspf=r pct=100" (+ np=, t=y when set). */
char *ds_policy_span_text(const struct ds_policy_span *s);

#endif
