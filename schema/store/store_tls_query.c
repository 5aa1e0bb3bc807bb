/*
 * store_tls_query.c - TLS report totals for the tls command, summary,
 * the dashboard, the weekly mail and doctor (store_tls.h).
 * SPDX-License-Identifier: MIT
 *
 * The period rule of every report: a report belongs to [since, until)
 * when the midpoint of its date range does (SPEC.md, store_senders.h).
 */
#include <stdlib.h>
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_sql.h"
#include "schema/store/store_tls.h"

#define TLS_WHERE \
	" WHERE (r.domain = ?1 OR ?1 IS NULL) AND" DS_SQL_PERIOD("r")

/*
 * columns: domain, type, mx, result, ips, receiving, codes, reports,
 * successes, failures, first, last. MX is the policy's hosts joined by
 * spaces, the lists of a failure row the distinct values joined by ",":
 * one text per dialect, { SQLite, PostgreSQL }.
 */
#define MX_HOSTS \
	"(SELECT group_concat(value, ' ') FROM json_each(p.mx_hosts))"
#define MX_HOSTS_PG \
	"(SELECT string_agg(m.value, ' ' ORDER BY m.key) FROM" \
	DS_SQL_EACH_TEXT_PG("p.mx_hosts", "m") ")"
#define SQL_GROUP(MX, JOIN) { \
	[DS_TLS_BY_DOMAIN] = \
	    "SELECT r.domain, NULL, NULL, NULL, NULL, NULL, NULL, count(*)," \
	    " csum(r.successes), csum(r.failures), min(r.begin_ts)," \
	    " max(r.end_ts) FROM tls_report r" TLS_WHERE \
	    " GROUP BY r.domain ORDER BY r.domain", \
	[DS_TLS_BY_POLICY] = \
	    "SELECT r.domain, p.type, NULL, NULL, NULL, NULL, NULL," \
	    " count(DISTINCT r.id), csum(p.successes), csum(p.failures)," \
	    " min(r.begin_ts), max(r.end_ts)" \
	    " FROM tls_report r JOIN tls_policy p ON p.report_row = r.id" \
	    TLS_WHERE " GROUP BY r.domain, p.type" \
	    " ORDER BY r.domain, csum(p.failures) DESC, p.type", \
	[DS_TLS_BY_MX] = \
	    "SELECT r.domain, p.type, " MX ", NULL, NULL, NULL, NULL," \
	    " count(DISTINCT r.id), csum(p.successes), csum(p.failures)," \
	    " min(r.begin_ts), max(r.end_ts)" \
	    " FROM tls_report r JOIN tls_policy p ON p.report_row = r.id" \
	    TLS_WHERE " GROUP BY r.domain, p.type, 3" \
	    " ORDER BY r.domain, csum(p.failures) DESC, 3 NULLS FIRST, p.type", \
	[DS_TLS_BY_FAILURE] = \
	    "SELECT r.domain, " JOIN("p.type") ", NULL," \
	    " f.result_type, " JOIN("f.sending_mta_ip") "," \
	    " " JOIN("f.receiving_mx_hostname") "," \
	    " " JOIN("f.failure_reason_code") "," \
	    " count(DISTINCT r.id), 0, csum(f.failed_sessions)," \
	    " min(r.begin_ts), max(r.end_ts)" \
	    " FROM tls_report r JOIN tls_policy p ON p.report_row = r.id" \
	    " JOIN tls_failure f ON f.policy_row = p.id" TLS_WHERE \
	    " GROUP BY r.domain, f.result_type" \
	    " ORDER BY r.domain, csum(f.failed_sessions) DESC, f.result_type" }
static const char *const sql_group[2][DS_TLS_BY_FAILURE + 1] = {
	SQL_GROUP(MX_HOSTS, DS_SQL_JOIN_DISTINCT),
	SQL_GROUP(MX_HOSTS_PG, DS_SQL_JOIN_DISTINCT_PG)
};

/* The string members of each STS policy's strings, in order. */
static const char *const sql_sts[2] = {
	"SELECT r.begin_ts, p.id, j.value FROM tls_report r"
	" JOIN tls_policy p ON p.report_row = r.id,"
	" json_each(p.strings) j"
	" WHERE p.domain = ?1 AND p.type = 'sts' AND r.begin_ts < ?2"
	" AND j.type = 'text' ORDER BY r.begin_ts, p.id, j.key",
	"SELECT r.begin_ts, p.id, j.value #>> '{}' FROM tls_report r"
	" JOIN tls_policy p ON p.report_row = r.id,"
	DS_SQL_EACH_PG("p.strings", "j")
	" WHERE p.domain = ?1 AND p.type = 'sts' AND r.begin_ts < ?2"
	" AND jsonb_typeof(j.value) = 'string'"
	" ORDER BY r.begin_ts, p.id, j.key"
};

static const char *
col(struct ds_dbq *s, int i)
{
	return ds_dbq_text(s, i);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * A ","-joined list of distinct names (policy types, IPs, host names:
 * never a comma inside) in byte order, whatever order the back end
 * aggregated them in: SQLite keeps the first-seen order, PostgreSQL's
 * string_agg(DISTINCT) sorts. NULL stays NULL. Caller frees.
 */
static char *
sorted_list(const char *v)
{
	char **parts, *out;

	if (v == NULL)
		return NULL;
	parts = g_strsplit(v, ",", -1);
	qsort(parts, g_strv_length(parts), sizeof(*parts), cmp_str);
	out = g_strjoinv(",", parts);
	g_strfreev(parts);
	return out;
}

bool
ds_store_tls_each(struct ds_store *st, enum ds_tls_group g,
    const char *domain, int64_t since, int64_t until, ds_tls_row_cb cb,
    void *payload, GError **err)
{
	struct ds_tls_row row;
	struct ds_dbq *s;
	bool ok = true;
	int rc;

	if ((unsigned)g >= G_N_ELEMENTS(sql_group[0]))
		return ds_fail(err, DS_ERROR_USAGE, "bad TLS grouping");
	if ((s = ds_db_prepare(st->db, sql_group[DS_SQL_PG(st)][g],
	    err)) == NULL)
		return ds_store_fail(st, err, "prepare TLS query");
	ds_dbq_bind_text(s, 1, domain, -1);
	ds_dbq_bind_int64(s, 2, since);
	ds_dbq_bind_int64(s, 3, until);
	while (ok && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		char *types = NULL, *ips = NULL, *mxs = NULL;

		row.domain = col(s, 0);
		row.policy_type = col(s, 1);
		row.mx = col(s, 2);
		row.result_type = col(s, 3);
		row.sending_ips = col(s, 4);
		row.receiving = col(s, 5);
		row.reason_codes = col(s, 6);
		if (g == DS_TLS_BY_FAILURE) {
			row.policy_type = types = sorted_list(row.policy_type);
			row.sending_ips = ips = sorted_list(row.sending_ips);
			row.receiving = mxs = sorted_list(row.receiving);
		}
		row.reports = ds_dbq_int64(s, 7);
		row.successes = ds_dbq_int64(s, 8);
		row.failures = ds_dbq_int64(s, 9);
		row.first = ds_dbq_int64(s, 10);
		row.last = ds_dbq_int64(s, 11);
		ok = cb(&row, payload, err);
		g_free(types);
		g_free(ips);
		g_free(mxs);
	}
	if (ok && rc != DS_DB_DONE)
		ok = ds_store_fail(st, err, "read TLS reports");
	ds_dbq_finalize(s);
	return ok;
}

bool
ds_store_tls_sts_lines(struct ds_store *st, const char *domain,
    int64_t until, ds_tls_line_cb cb, void *payload, GError **err)
{
	struct ds_dbq *s;
	bool ok = true;
	int rc;

	if ((s = ds_db_prepare(st->db, sql_sts[DS_SQL_PG(st)], err)) == NULL)
		return ds_store_fail(st, err, "prepare MTA-STS query");
	ds_dbq_bind_text(s, 1, domain, -1);
	ds_dbq_bind_int64(s, 2, until);
	while (ok && (rc = ds_dbq_step(s, err)) == DS_DB_ROW)
		ok = cb(ds_dbq_int64(s, 0), ds_dbq_int64(s, 1),
		    col(s, 2), payload, err);
	if (ok && rc != DS_DB_DONE)
		ok = ds_store_fail(st, err, "read MTA-STS policies");
	ds_dbq_finalize(s);
	return ok;
}
