/*
 * model_tls.h - one SMTP TLS report (RFC 8460), as ingest/tlsrpt
 * parses it and schema/store stores it.
 * SPDX-License-Identifier: MIT
 *
 * Ownership as in model.h: every char * is g_malloc'd, valid UTF-8 and
 * NULL when the member was absent; free with ds_tls_report_clear.
 * Counts are checked non-negative 64-bit integers.
 */
#ifndef DS_MODEL_TLS_H
#define DS_MODEL_TLS_H

#include <stdint.h>
#include <glib.h>

/* one failure-details entry (RFC 8460 §4.4) */
struct ds_tls_failure {
	char *result_type;		/* starttls-not-supported, ... */
	char *sending_mta_ip;		/* canonical (inet_ntop) */
	char *receiving_mx_hostname;
	char *receiving_mx_helo;
	char *receiving_ip;		/* canonical */
	int64_t failed_sessions;	/* failed-session-count */
	char *additional_info;		/* additional-information (a URI) */
	char *failure_reason_code;
};

/* one policies[] entry */
struct ds_tls_policy {
	char *type;		/* sts | tlsa | no-policy-found, else
				   verbatim with a warning */
	char *domain;		/* policy-domain, lower case */
	GPtrArray *strings;	/* char *: policy-string lines */
	GPtrArray *mx_hosts;	/* char *: mx-host patterns */
	int64_t successes;	/* total-successful-session-count */
	int64_t failures;	/* total-failure-session-count */
	GPtrArray *details;	/* struct ds_tls_failure * */
};

struct ds_tls_report {
	char *org_name;		/* organization-name */
	char *contact_info;
	char *report_id;
	char *start_text;	/* date-range, verbatim */
	char *end_text;
	int64_t begin;		/* Unix seconds UTC */
	int64_t end;
	char *domain;		/* the report's policy domain: the first
				   policy's, else TLS-Report-Domain */
	char *submitter;	/* TLS-Report-Submitter header, if mailed */
	GPtrArray *policies;	/* struct ds_tls_policy * */
	GPtrArray *warnings;	/* char *: "name: detail", QUIRKS.md */
};

void ds_tls_report_init(struct ds_tls_report *r);
/* Free the contents; r can be initialised again. */
void ds_tls_report_clear(struct ds_tls_report *r);
/* Add a warning (duplicates are kept once). */
void ds_tls_warn(struct ds_tls_report *r, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
struct ds_tls_policy *ds_tls_policy_new(void);
void ds_tls_policy_free(void *p);
struct ds_tls_failure *ds_tls_failure_new(void);
void ds_tls_failure_free(void *f);
/* Sums over all policies, saturating at INT64_MAX. */
int64_t ds_tls_report_successes(const struct ds_tls_report *r);
int64_t ds_tls_report_failures(const struct ds_tls_report *r);

#endif
