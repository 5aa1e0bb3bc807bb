/*
 * store_doctor.h - the evidence queries of `dmarcsift doctor`: DKIM
 * selectors per reporter with pass/fail, per-source totals with the
 * DKIM-pass/SPF-fail and forwarding patterns, header_from domains, and
 * reporters with their last report. Only doctor-specific SQL lives here
 * (schema/store/store_doctor.c); the generic sender queries are
 * store_senders.h.
 * SPDX-License-Identifier: MIT
 *
 * Periods follow store_senders.h: a report belongs to [since, until)
 * when the midpoint of its date range, (begin + end) / 2, falls in it;
 * the evidence per selector, source and header_from is read from the
 * rollups with the day rule (README "Day rollups"), so it survives
 * prune --raw-older-than.
 * The policy domain matches without ASCII case. Rows handed to a
 * callback live only during the call; a callback returning false stops
 * the walk, which then returns true. Failures are DS_ERROR_DB. Strings
 * are attacker text as stored: escape them on output (THREATS 9, 10).
 */
#ifndef DS_STORE_DOCTOR_H
#define DS_STORE_DOCTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

/* One (DKIM domain, selector, reporter, result) with its messages. */
struct ds_doc_selector {
	const char *domain;	/* d=, lower case; NULL when absent */
	const char *selector;	/* NULL when absent */
	const char *org_name;	/* the reporter */
	const char *result;	/* lower case; NULL when absent */
	int64_t messages;
	int64_t spf_pass;	/* of those, policy_evaluated spf=pass:
				   mail SPF says is the domain's own */
	int64_t reports;	/* distinct reports */
	int64_t last_seen;	/* largest report end */
};

/* Totals of one source IP over the period. */
struct ds_doc_source {
	const char *ip;		/* NULL when the reports had none */
	int64_t messages;
	int64_t dmarc_pass;	/* policy_evaluated dkim=pass or spf=pass */
	int64_t dkim_pass;	/* policy_evaluated dkim=pass (aligned) */
	int64_t spf_pass;	/* policy_evaluated spf=pass (aligned) */
	int64_t reporters;	/* distinct org_name */
	int64_t fwd_reason;	/* messages with reason forwarded,
				   mailing_list or trusted_forwarder */
	int64_t own_sig;	/* messages carrying a DKIM result for
				   own_domain or a subdomain with a
				   selector that passed somewhere in the
				   period (a real one, broken on the way) */
	int64_t dkim_pass_spf_fail; /* aligned DKIM pass while the SPF
				   result for own_domain (or a subdomain)
				   was not pass */
	int64_t first_seen, last_seen;
	const char *spf_fail_domain; /* a domain (own_domain or below) of
				   those SPF failures, lower case, or NULL */
};

/* One RFC5322.From domain with its messages. */
struct ds_doc_from {
	const char *header_from;	/* lower case */
	int64_t messages;
	int64_t dmarc_pass;
	int64_t ips;			/* distinct source IPs */
};

/* One reporter of the domain. */
struct ds_doc_reporter {
	const char *org_name;
	int64_t reports_period;	/* reports in the period */
	int64_t reports_before;	/* reports with a midpoint < until */
	int64_t first_begin;	/* over those reports */
	int64_t last_end;
};

typedef bool (*ds_doc_selector_cb)(const struct ds_doc_selector *r,
    void *payload);
typedef bool (*ds_doc_source_cb)(const struct ds_doc_source *r,
    void *payload);
typedef bool (*ds_doc_from_cb)(const struct ds_doc_from *r, void *payload);
typedef bool (*ds_doc_reporter_cb)(const struct ds_doc_reporter *r,
    void *payload);

/*
 * Every DKIM auth_results entry of q->domain's reports in the period,
 * grouped by (domain, selector, reporter, result), most messages first.
 */
bool ds_store_doc_selectors_each(struct ds_store *st,
    const struct ds_query *q, ds_doc_selector_cb cb, void *payload,
    GError **err);

/*
 * The DKIM-Selector of failure reports (RFC 6591 §3.1, table
 * failure_report of migration 003) about q->domain in the period (by
 * event time) that failed DKIM or DMARC (Auth-Failure dkim, bodyhash,
 * revoked, signature, dmarc, or absent), grouped by (DKIM-Domain, selector, reporter);
 * result is "fail", messages and reports the failure reports, spf_pass
 * those whose Identity-Alignment names spf. Calls nothing when the
 * store has no failure reports table.
 */
bool ds_store_doc_failure_selectors_each(struct ds_store *st,
    const struct ds_query *q, ds_doc_selector_cb cb, void *payload,
    GError **err);

/*
 * Per source IP totals of q->domain's reports in the period, most
 * messages first, from the rollups (018-perip.sql). own_sig and
 * dkim_pass_spf_fail are decided at ingest against each report's
 * policy domain (q->domain); own_domain is kept for the callers and
 * must be q->domain lower-cased.
 */
bool ds_store_doc_sources_each(struct ds_store *st,
    const struct ds_query *q, const char *own_domain, ds_doc_source_cb cb,
    void *payload, GError **err);

/* Per header_from domain totals of the period, most messages first. */
bool ds_store_doc_from_each(struct ds_store *st, const struct ds_query *q,
    ds_doc_from_cb cb, void *payload, GError **err);

/*
 * Every reporter with a report for q->domain whose midpoint is before
 * q->until (q->since is used for reports_period only), by name.
 */
bool ds_store_doc_reporters_each(struct ds_store *st,
    const struct ds_query *q, ds_doc_reporter_cb cb, void *payload,
    GError **err);

/*
 * The UTC days (int64_t midnights) of [since, until) that no report of
 * q->domain covers (by its date range), appended to days; both bounds
 * must be finite. Reports counted for coverage are those overlapping
 * the period.
 */
bool ds_store_doc_missing_days(struct ds_store *st, const struct ds_query *q,
    GArray *days, GError **err);

#endif
