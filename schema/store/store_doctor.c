/*
 * store_doctor.c - the evidence queries of `dmarcsift doctor` (see
 * store_doctor.h): DKIM selectors per reporter, per-source totals with
 * the DKIM-pass/SPF-fail (RFC 7489 §4.2, §10.1 forwarding) patterns,
 * header_from domains, reporters and days without reports.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: every value is a bound parameter (?1 domain, ?2 since,
 * ?3 until; the rollup queries their day and report bounds, see
 * store_perip.h); JSON is read with json_each() (PostgreSQL:
 * jsonb_array_elements()).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_doctor.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_sql.h"
#include "schema/store/store_perip.h"

#define MID DS_SQL_MID("r")
#define PERIOD " r.domain = ?1 AND" DS_SQL_PERIOD("r")
/* 1 when cond holds, else 0 (a count both dialects sum) */
#define ONE_IF(cond) "CASE WHEN " cond " THEN 1 ELSE 0 END"

/*
 * The evidence per selector, source and header_from domain is read from
 * the rollups (018-perip.sql, store_perip.h), never from the raw
 * records, so a pruned period answers as before. ?1 domain, ?2 ?3 the
 * day bounds, ?4 ?5 the report midpoint bounds (ds_roll_prepare). ''
 * in a rollup is an absent value: NULLIF gives NULL back.
 */
#define RPERIOD DS_ROLL_REPS_DOM("r", "a")
static const char sql_selectors[] =
    "SELECT NULLIF(a.auth_domain, '') AS d, NULLIF(a.selector, '') AS s,"
    " r.org_name, lower(trim(NULLIF(a.result, ''))) AS res,"
    " csum(a.messages), count(DISTINCT r.id), max(r.end_ts),"
    " csum(CASE WHEN a.spf_pass = 1 THEN a.messages ELSE 0 END)"
    " FROM report r JOIN day_auth a ON a.report_row = r.id"
    " WHERE" RPERIOD " AND a.kind = 0"
    " GROUP BY d, s, r.org_name, res"
    " ORDER BY 5 DESC, d, s, r.org_name, res";

/*
 * own_sig counts a record's messages when one of its DKIM results for
 * the policy domain (or below it: day_ip.own_dkim, fixed at ingest)
 * has a (domain, selector) that passed somewhere in the period:
 * spoofers can claim d= of the domain with a made-up selector, a
 * forwarder or list breaks a real one. day_ip.spf_fail is set only for
 * an aligned DKIM pass without an SPF pass that has a failing SPF
 * result for the domain.
 */
#define SQL_SOURCES(EACH) \
    "WITH good (d, s) AS (SELECT DISTINCT a.auth_domain," \
    "  NULLIF(a.selector, '')" \
    "  FROM report r JOIN day_auth a ON a.report_row = r.id" \
    "  WHERE" RPERIOD " AND a.kind = 0" \
    "  AND lower(trim(a.result)) = 'pass')" \
    " SELECT NULLIF(c.source_ip, ''), csum(c.messages)," \
    " csum(CASE WHEN " DS_SQL_PASS("c") " THEN c.messages ELSE 0 END)," \
    " csum(CASE WHEN lower(c.dkim) = 'pass' THEN c.messages ELSE 0 END)," \
    " csum(CASE WHEN lower(c.spf) = 'pass' THEN c.messages ELSE 0 END)," \
    " count(DISTINCT r.org_name)," \
    " csum(CASE WHEN c.fwd = 1 THEN c.messages ELSE 0 END)," \
    " csum(CASE WHEN c.own_dkim <> '[]' AND EXISTS (SELECT 1 FROM" \
    EACH("c.own_dkim", "x") " WHERE (x.value ->> 0, x.value ->> 1)" \
    "  IN (SELECT d, s FROM good)) THEN c.messages ELSE 0 END)," \
    " csum(CASE WHEN c.spf_fail <> '' THEN c.messages ELSE 0 END)," \
    " min(r.begin_ts), max(r.end_ts), max(NULLIF(c.spf_fail, ''))" \
    " FROM report r JOIN day_ip c ON c.report_row = r.id" \
    " WHERE" DS_ROLL_REPS_DOM("r", "c") \
    " GROUP BY c.source_ip ORDER BY 2 DESC, NULLIF(c.source_ip, '')"
static const char *const sql_sources[2] = {
	SQL_SOURCES(DS_SQL_EACH), SQL_SOURCES(DS_SQL_EACH_PG)
};

static const char *const sql_has_failures[2] = {
	DS_SQL_HAS_TABLE("'failure_report'"),
	DS_SQL_HAS_TABLE_PG("'failure_report'")
};

#define SQL_FAILURE_SELECTORS(CONTAINS) \
    "SELECT lower(f.dkim_domain) AS d, f.dkim_selector AS s," \
    " coalesce(f.reporter, '(unknown)') AS o, 'fail', count(*)," \
    " count(*), max(f.event_ts)," \
    " csum(" ONE_IF(CONTAINS("lower(coalesce(f.identity_alignment, ''))", \
    "'spf'")) ")" \
    " FROM failure_report f" \
    " WHERE f.domain = ?1 AND f.event_ts >= ?2 AND f.event_ts < ?3" \
    " AND f.dkim_selector IS NOT NULL AND f.dkim_domain IS NOT NULL" \
    " AND lower(coalesce(f.auth_failure, 'dkim')) IN ('dkim', 'bodyhash'," \
    " 'revoked', 'signature', 'dmarc')" \
    " GROUP BY d, s, o ORDER BY 5 DESC, d, s, o"
static const char *const sql_failure_selectors[2] = {
	SQL_FAILURE_SELECTORS(DS_SQL_CONTAINS),
	SQL_FAILURE_SELECTORS(DS_SQL_CONTAINS_PG)
};

/* the statements below are one text for both dialects */
static const char sql_from[] =
    "SELECT r.header_from AS hf, csum(r.messages),"
    " csum(CASE WHEN " DS_SQL_PASS("r") " THEN r.messages ELSE 0 END),"
    " count(DISTINCT NULLIF(r.source_ip, ''))"
    " FROM day_rollup r WHERE" DS_ROLL_DOM DS_ROLL_DAYS
    " AND r.header_from <> ''"
    " GROUP BY hf ORDER BY 2 DESC, hf";

static const char sql_reporters[] =
    "SELECT r.org_name, csum(" ONE_IF(MID " >= ?2") "), count(*),"
    " min(r.begin_ts), max(r.end_ts) FROM report r"
    " WHERE r.domain = ?1 AND " MID " < ?3"
    " GROUP BY r.org_name ORDER BY r.org_name";

static const char sql_ranges[] =
    "SELECT r.begin_ts, r.end_ts FROM report r WHERE r.domain = ?1"
    " AND r.end_ts >= ?2 AND r.begin_ts < ?3";

/* Prepare sql and bind the period (and own domain when given). */
static struct ds_dbq *
prepare(struct ds_store *st, const char *sql, const struct ds_query *q,
    const char *own, GError **err)
{
	struct ds_dbq *s = NULL;

	if ((s = ds_store_prepare(st, sql, "prepare doctor query",
	    err)) == NULL)
		return NULL;
	ds_dbq_bind_text(s, 1, q->domain ? q->domain : "", -1);
	ds_dbq_bind_int64(s, 2, q->since);
	ds_dbq_bind_int64(s, 3, q->until);
	if (own != NULL)
		ds_dbq_bind_text(s, 4, own, -1);
	return s;
}

/* Finish a walk: rc is the last ds_dbq_step() result. */
static bool
finish(struct ds_store *st, struct ds_dbq *s, int rc, bool stopped,
    GError **err)
{
	bool ok = true;

	if (!stopped && rc != DS_DB_DONE)
		ok = ds_store_fail(st, err, "doctor query");
	ds_dbq_finalize(s);
	return ok;
}

#define TXT(s, i) (ds_dbq_text((s), (i)))
#define I64(s, i) ds_dbq_int64((s), (i))

/* See store_doctor.h. */
bool
ds_store_doc_selectors_each(struct ds_store *st, const struct ds_query *q,
    ds_doc_selector_cb cb, void *payload, GError **err)
{
	struct ds_doc_selector r;
	struct ds_dbq *s;
	bool stop = false;
	int rc;

	if (!ds_roll_prepare(st, sql_selectors, q, &s, err))
		return false;
	while (!stop && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		r.domain = TXT(s, 0);
		r.selector = TXT(s, 1);
		r.org_name = TXT(s, 2);
		r.result = TXT(s, 3);
		r.messages = I64(s, 4);
		r.reports = I64(s, 5);
		r.last_seen = I64(s, 6);
		r.spf_pass = I64(s, 7);
		stop = !cb(&r, payload);
	}
	return finish(st, s, rc, stop, err);
}

/* See store_doctor.h. */
bool
ds_store_doc_failure_selectors_each(struct ds_store *st,
    const struct ds_query *q, ds_doc_selector_cb cb, void *payload,
    GError **err)
{
	struct ds_doc_selector r;
	struct ds_dbq *s;
	bool stop = false, has;
	int rc;

	if ((s = ds_store_prepare(st, sql_has_failures[DS_SQL_PG(st)],
	    "prepare doctor query", err)) == NULL)
		return false;
	rc = ds_dbq_step(s, err);
	has = rc == DS_DB_ROW && I64(s, 0) > 0;
	if (!finish(st, s, rc == DS_DB_ROW ? DS_DB_DONE : rc, false, err))
		return false;
	if (!has)
		return true;
	if ((s = prepare(st, sql_failure_selectors[DS_SQL_PG(st)],
	    q, NULL, err)) == NULL)
		return false;
	while (!stop && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		r.domain = TXT(s, 0);
		r.selector = TXT(s, 1);
		r.org_name = TXT(s, 2);
		r.result = TXT(s, 3);
		r.messages = I64(s, 4);
		r.reports = I64(s, 5);
		r.last_seen = I64(s, 6);
		r.spf_pass = I64(s, 7);
		stop = !cb(&r, payload);
	}
	return finish(st, s, rc, stop, err);
}

/* See store_doctor.h. */
bool
ds_store_doc_sources_each(struct ds_store *st, const struct ds_query *q,
    const char *own_domain, ds_doc_source_cb cb, void *payload,
    GError **err)
{
	struct ds_doc_source r;
	struct ds_dbq *s;
	bool stop = false;
	int rc;

	(void)own_domain;	/* fixed at ingest: the policy domain */
	if (!ds_roll_prepare(st, sql_sources[DS_SQL_PG(st)], q, &s, err))
		return false;
	while (!stop && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		r.ip = TXT(s, 0);
		r.messages = I64(s, 1);
		r.dmarc_pass = I64(s, 2);
		r.dkim_pass = I64(s, 3);
		r.spf_pass = I64(s, 4);
		r.reporters = I64(s, 5);
		r.fwd_reason = I64(s, 6);
		r.own_sig = I64(s, 7);
		r.dkim_pass_spf_fail = I64(s, 8);
		r.first_seen = I64(s, 9);
		r.last_seen = I64(s, 10);
		r.spf_fail_domain = TXT(s, 11);
		stop = !cb(&r, payload);
	}
	return finish(st, s, rc, stop, err);
}

/* See store_doctor.h. */
bool
ds_store_doc_from_each(struct ds_store *st, const struct ds_query *q,
    ds_doc_from_cb cb, void *payload, GError **err)
{
	struct ds_doc_from r;
	struct ds_dbq *s;
	bool stop = false;
	int rc;

	if (!ds_roll_prepare(st, sql_from, q, &s, err))
		return false;
	while (!stop && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		r.header_from = TXT(s, 0);
		r.messages = I64(s, 1);
		r.dmarc_pass = I64(s, 2);
		r.ips = I64(s, 3);
		stop = !cb(&r, payload);
	}
	return finish(st, s, rc, stop, err);
}

/* See store_doctor.h. */
bool
ds_store_doc_reporters_each(struct ds_store *st, const struct ds_query *q,
    ds_doc_reporter_cb cb, void *payload, GError **err)
{
	struct ds_doc_reporter r;
	struct ds_dbq *s;
	bool stop = false;
	int rc;

	if ((s = prepare(st, sql_reporters, q, NULL, err)) == NULL)
		return false;
	while (!stop && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		r.org_name = TXT(s, 0);
		r.reports_period = I64(s, 1);
		r.reports_before = I64(s, 2);
		r.first_begin = I64(s, 3);
		r.last_end = I64(s, 4);
		stop = !cb(&r, payload);
	}
	return finish(st, s, rc, stop, err);
}

/* at most ten years of days, so a silly period cannot eat memory */
#define MAX_DAYS 3660

/* See store_doctor.h. DS_ERROR_USAGE for an open or too long period. */
bool
ds_store_doc_missing_days(struct ds_store *st, const struct ds_query *q,
    GArray *days, GError **err)
{
	int64_t first, ndays, i, b, e;
	struct ds_dbq *s;
	guint8 *covered;
	int rc;
	bool ok;

	if (q->since == INT64_MIN || q->until == INT64_MAX ||
	    q->until <= q->since)
		return ds_fail(err, DS_ERROR_USAGE, "missing days: the period "
		    "needs both bounds");
	first = q->since - (q->since % 86400 + 86400) % 86400;
	ndays = (q->until - first + 86399) / 86400;
	if (ndays > MAX_DAYS)
		return ds_fail(err, DS_ERROR_USAGE, "missing days: period "
		    "longer than %d days", MAX_DAYS);
	if ((s = prepare(st, sql_ranges, q, NULL, err)) == NULL)
		return false;
	covered = g_new0(guint8, ndays);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		b = (I64(s, 0) - first) / 86400;
		/* an end at midnight does not cover the day it starts */
		e = (MAX(I64(s, 1) - 1, I64(s, 0)) - first) / 86400;
		for (i = MAX(b, 0); i <= e && i < ndays; i++)
			covered[i] = 1;
	}
	ok = finish(st, s, rc, false, err);
	for (i = 0; ok && i < ndays; i++)
		if (!covered[i]) {
			int64_t d = first + i * 86400;

			g_array_append_val(days, d);
		}
	g_free(covered);
	return ok;
}
