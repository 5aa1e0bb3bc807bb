/*
 * store_summary_roll.c - the per-period sums of summary and of the
 * daily series (html, weekly) read from the day rollups
 * (015-rollup.sql) instead of the raw records.
 * SPDX-License-Identifier: MIT
 *
 * The period of the rollups: a UTC day belongs to [since, until) when
 * its noon (day + 43200) does. For a report within one UTC day this is
 * the midpoint rule of every command (a day-long report's midpoint is
 * its day's noon, or one second before it); a multi-day report counts
 * on each day it covers by its share (015-rollup.sql). One index range
 * per query (the primary key with --domain, day_rollup_day without).
 * Written on the database driver (db.h); THREATS #11: values are bound.
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_summary_roll.h"

#define NOON 43200

#define SUMS \
    " csum(r.records)," \
    " count(DISTINCT CASE WHEN r.source_ip <> '' THEN r.source_ip END)," \
    " csum(r.messages)," \
    " csum(CASE WHEN r.dkim = 'pass' OR r.spf = 'pass' THEN r.messages" \
    " END)," \
    " csum(CASE WHEN r.dkim = 'pass' THEN r.messages END)," \
    " csum(CASE WHEN r.spf = 'pass' THEN r.messages END)," \
    " csum(CASE WHEN r.disposition = 'none' THEN r.messages END)," \
    " csum(CASE WHEN r.disposition = 'quarantine' THEN r.messages END)," \
    " csum(CASE WHEN r.disposition = 'reject' THEN r.messages END)," \
    " csum(CASE WHEN r.disposition = 'pass' THEN r.messages END)"
#define PERIOD " r.day >= ?2 AND r.day < ?3"
#define DOM " r.domain = lower(CAST(?1 AS TEXT)) AND"

/* [by day][with domain] */
static const char *const sql_sums[2][2] = {
	{ "SELECT r.domain," SUMS " FROM day_rollup AS r WHERE" PERIOD
	  " GROUP BY r.domain",
	  "SELECT r.domain," SUMS " FROM day_rollup AS r WHERE" DOM PERIOD
	  " GROUP BY r.domain" },
	{ "SELECT r.day," SUMS " FROM day_rollup AS r WHERE" PERIOD
	  " GROUP BY r.day ORDER BY r.day",
	  "SELECT r.day," SUMS " FROM day_rollup AS r WHERE" DOM PERIOD
	  " GROUP BY r.day ORDER BY r.day" },
};

/* t - NOON, saturating at INT64_MIN. */
static int64_t
day_bound(int64_t t)
{
	return t < INT64_MIN + NOON ? INT64_MIN : t - NOON;
}

/* A csum() column as a count, clamped to [0, INT64_MAX]. */
static int64_t
col(struct ds_dbq *q, int i)
{
	int64_t v = ds_dbq_int64(q, i);

	return v < 0 ? 0 : v;
}

/* See store_summary_roll.h. */
bool
ds_roll_sums(struct ds_store *st, const struct ds_query *q, bool by_day,
    ds_roll_cb cb, void *payload, GError **err)
{
	struct ds_db *db = st->db;
	struct ds_roll_sums s;
	struct ds_dbq *s_q;
	enum ds_db_step rc;
	int64_t known;

	s_q = ds_db_prepare(db, sql_sums[by_day][q->domain != NULL], err);
	if (s_q == NULL)
		return false;
	if (q->domain != NULL)
		ds_dbq_bind_text(s_q, 1, q->domain, -1);
	ds_dbq_bind_int64(s_q, 2, day_bound(q->since));
	ds_dbq_bind_int64(s_q, 3, day_bound(q->until));
	while ((rc = ds_dbq_step(s_q, err)) == DS_DB_ROW) {
		memset(&s, 0, sizeof(s));
		if (by_day)
			s.day = ds_dbq_int64(s_q, 0);
		else
			s.domain = ds_dbq_text(s_q, 0);
		s.records = col(s_q, 1);
		s.ips = col(s_q, 2);
		s.messages = col(s_q, 3);
		s.dmarc_pass = col(s_q, 4);
		s.dkim_pass = col(s_q, 5);
		s.spf_pass = col(s_q, 6);
		s.disp.none = col(s_q, 7);
		s.disp.quarantine = col(s_q, 8);
		s.disp.reject = col(s_q, 9);
		s.disp.pass = col(s_q, 10);
		known = s.disp.none;
		(void)ds_count_add(&known, s.disp.quarantine);
		(void)ds_count_add(&known, s.disp.reject);
		(void)ds_count_add(&known, s.disp.pass);
		s.disp.other = s.messages > known ? s.messages - known : 0;
		if (s.domain == NULL && !by_day)
			continue;
		cb(&s, payload);
	}
	ds_dbq_finalize(s_q);
	return rc == DS_DB_DONE;
}
