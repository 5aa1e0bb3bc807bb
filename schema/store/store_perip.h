/*
 * store_perip.h - how the reporter queries read the rollups per period
 * (day_rollup of 015-rollup.sql, day_ip and day_auth of 018-perip.sql):
 * the period test as constant SQL and the one function that binds it.
 * Never included outside schema/store/.
 * SPDX-License-Identifier: MIT
 *
 * A rollup day belongs to [since, until) when its noon does (README
 * "Day rollups"): day >= since - 12h and day < until - 12h, bound as ?2
 * and ?3 so that the test is an index range (and no bound overflows in
 * SQL: PostgreSQL fails on bigint overflow). day_ip and day_auth are
 * keyed by report: their rows are reached from the period's reports,
 * whose midpoint lies within 33 days of any day they have rows on (the
 * day rule spreads at most 31 days), bound as ?4 and ?5 for the
 * report_domain_mid / report_mid index range.
 */
#ifndef DS_STORE_PERIP_H
#define DS_STORE_PERIP_H

#include <stdbool.h>

#include "schema/store/store.h"
#include "schema/store/store_sql.h"

/* day_rollup AS r of the period (?1 the domain, if any) */
#define DS_ROLL_DAYS " r.day >= ?2 AND r.day < ?3"
#define DS_ROLL_DOM " r.domain = lower(CAST(?1 AS TEXT)) AND"
/* report AS rep joined to a per-report rollup t, of the period */
#define DS_ROLL_REPS(rep, t) " " DS_SQL_MID(rep) " >= ?4 AND " \
    DS_SQL_MID(rep) " < ?5 AND " t ".day >= ?2 AND " t ".day < ?3"
#define DS_ROLL_REPS_DOM(rep, t) " " rep ".domain = ?1 AND" \
    DS_ROLL_REPS(rep, t)

/*
 * Prepare sql (DS_ERROR_DB) and bind the period of q: ?1 the domain
 * (when q->domain is set), ?2 ?3 the day bounds, and ?4 ?5 the report
 * midpoint bounds when the text has them. *out finalized by the caller.
 */
bool ds_roll_prepare(struct ds_store *st, const char *sql,
    const struct ds_query *q, struct ds_dbq **out, GError **err);

#endif
