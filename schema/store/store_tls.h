/*
 * store_tls.h - SMTP TLS reports (RFC 8460) in the store.
 * SPDX-License-Identifier: MIT
 *
 * Tables of sql/007-tls.sql. A report is stored once by its identity
 * (organization, report-id, policy domain, date range); THREATS #11
 * (values bound), #13 (dedup), #14 (counts are checked int64).
 */
#ifndef DS_STORE_TLS_H
#define DS_STORE_TLS_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/model/model_tls.h"
#include "schema/store/store.h"

/*
 * Store r with its policies and failure details, inside the caller's
 * transaction. source and msg_row (0: none) say where it came from.
 * *out_id is the new row. DS_ERROR_DUP when the identity is stored
 * (then *out_id is that row), DS_ERROR_DB otherwise.
 */
bool ds_store_tls_put(struct ds_store *st, const struct ds_tls_report *r,
    const char *source, int64_t msg_row, int64_t *out_id, GError **err);

/* Totals of one group of sessions (per domain, policy, MX, ...). */
struct ds_tls_row {
	const char *domain;	/* policy domain */
	const char *policy_type;	/* per policy rows, else NULL */
	const char *mx;		/* per MX rows: mx-host or receiving MX */
	const char *result_type;	/* per failure rows */
	const char *sending_ips;	/* failure rows: comma-separated */
	const char *receiving;	/* failure rows: receiving MX hosts */
	const char *reason_codes;	/* failure rows: failure-reason-codes */
	int64_t reports;
	int64_t successes;
	int64_t failures;	/* failure rows: failed-session-count sum */
	int64_t first;		/* earliest begin, latest end */
	int64_t last;
};

enum ds_tls_group {
	DS_TLS_BY_DOMAIN = 0,	/* one row per policy domain */
	DS_TLS_BY_POLICY,	/* domain, policy type */
	DS_TLS_BY_MX,		/* domain, policy type, its mx-host list */
	DS_TLS_BY_FAILURE,	/* domain, result-type (with sending MTAs) */
};

typedef bool (*ds_tls_row_cb)(const struct ds_tls_row *row, void *payload,
    GError **err);

/*
 * Call cb for each group of the TLS reports of domain (NULL: all) whose
 * date range midpoint is in [since, until) (the period rule of every
 * report), ordered by domain then most failures. Row strings are valid
 * during the call only.
 */
bool ds_store_tls_each(struct ds_store *st, enum ds_tls_group g,
    const char *domain, int64_t since, int64_t until, ds_tls_row_cb cb,
    void *payload, GError **err);

/*
 * The lines of every MTA-STS policy (policy-type sts, policy-string) the
 * reporters saw for domain in reports beginning before until, oldest
 * report first: cb(begin, policy_row, line) once per line, lines of
 * one policy in order. For doctor's policy checks.
 */
typedef bool (*ds_tls_line_cb)(int64_t begin, int64_t policy_row,
    const char *line, void *payload, GError **err);
bool ds_store_tls_sts_lines(struct ds_store *st, const char *domain,
    int64_t until, ds_tls_line_cb cb, void *payload, GError **err);

#endif
