/*
 * store_rollup_ip.c - the per-IP rollups of 018-perip.sql (day_ip,
 * day_auth): one report's records added for one day of the day rule,
 * inside the report's own savepoint, with one INSERT ... SELECT ...
 * GROUP BY per table and day (store_rollup.c calls it per day).
 * SPDX-License-Identifier: MIT
 *
 * The rows are keyed by the report first, so a plain INSERT appends
 * them: a report's rollups are written once, when it is finished (a
 * duplicate or rolled-back report never gets here). The texts differ
 * between SQLite and PostgreSQL only in how a JSON array is walked and
 * built (store_sql.h). THREATS #11: every value is bound; #14: shares
 * as in store_rollup.c, sums saturate (csum).
 */
#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_rollup.h"
#include "schema/store/store_sql.h"

/*
 * ?1 report row, ?2 the day, ?3 ?4 ?5 the share of the day
 * (store_rollup.c), ?6 1 on the midpoint's day, ?7 the report's
 * lower-case policy domain (day_ip only: PostgreSQL wants every
 * parameter number up to the last one used).
 */
#define DAY "CAST(?2 AS BIGINT)"
#define LO "CAST(?3 AS BIGINT)"
#define HI "CAST(?4 AS BIGINT)"
#define DUR "CAST(?5 AS BIGINT)"
#define MINE "CAST(?6 AS BIGINT)"
#define DOM "CAST(?7 AS TEXT)"
#define SHARE "((rec.count / " DUR ") * (" HI " - " LO ") + ((rec.count % " \
    DUR ") * " HI ") / " DUR " - ((rec.count % " DUR ") * " LO ") / " \
    DUR ")"
#define JDOM "lower(x.value ->> 'domain')"
/* JDOM is the policy domain or below it (no negative substr) */
#define OURS "(" JDOM " = " DOM " OR (length(" JDOM ") > length(" DOM \
    ") AND substr(" JDOM ", length(" JDOM ") - length(" DOM ")) = '.' || " \
    DOM "))"

#define FWD(EACH) \
    "CASE WHEN rec.reasons <> '[]' AND EXISTS (SELECT 1 FROM" \
    EACH("rec.reasons", "x") " WHERE lower(x.value ->> 'type') IN" \
    " ('forwarded', 'mailing_list', 'trusted_forwarder')) THEN 1 ELSE 0" \
    " END"
#define SPF_FAIL(EACH) \
    "CASE WHEN lower(coalesce(rec.dkim, '')) = 'pass'" \
    " AND lower(coalesce(rec.spf, '')) <> 'pass' THEN coalesce((SELECT " \
    JDOM " FROM" EACH("rec.spf_auth", "x") " WHERE " OURS \
    " AND lower(coalesce(x.value ->> 'scope', 'mfrom')) <> 'helo'" \
    " AND lower(coalesce(x.value ->> 'result', '')) <> 'pass'" \
    " ORDER BY x.key LIMIT 1), '') ELSE '' END"
#define OWN_SQLITE \
    "CASE WHEN instr(lower(rec.dkim_auth), " DOM ") > 0 THEN (SELECT" \
    " json_group_array(json_array(" JDOM ", x.value ->> 'selector'))" \
    " FROM" DS_SQL_EACH("rec.dkim_auth", "x") " WHERE " OURS ")" \
    " ELSE '[]' END"
#define OWN_PG \
    "CASE WHEN strpos(lower(rec.dkim_auth), " DOM ") > 0 THEN" \
    " coalesce((SELECT CAST(jsonb_agg(jsonb_build_array(" JDOM "," \
    " x.value ->> 'selector') ORDER BY x.key) AS TEXT) FROM" \
    DS_SQL_EACH_PG("rec.dkim_auth", "x") " WHERE " OURS "), '[]')" \
    " ELSE '[]' END"

#define SQL_IP(EACH, OWN) \
    "INSERT INTO day_ip (report_row, day, source_ip, dkim, spf, fwd," \
    " spf_fail, own_dkim, records, messages)" \
    " SELECT CAST(?1 AS BIGINT), " DAY ", ip, dk, sp, fw, sf," \
    " ow, count(*) * " MINE ", csum(share) FROM (SELECT" \
    " coalesce(rec.source_ip, '') AS ip, coalesce(rec.dkim, '') AS dk," \
    " coalesce(rec.spf, '') AS sp, " FWD(EACH) " AS fw, " \
    SPF_FAIL(EACH) " AS sf, " OWN " AS ow, " SHARE " AS share" \
    " FROM record AS rec WHERE rec.report_row = ?1) AS t" \
    " GROUP BY ip, dk, sp, fw, sf, ow" \
    " HAVING " MINE " = 1 OR csum(share) > 0"

/* one auth_results (or reason) array of the report's records */
#define AUTH_PART(EACH, kind, col, dom, sel, res, spf) \
    " SELECT coalesce(rec.source_ip, '') AS ip, " kind " AS kind, " dom \
    " AS d, " sel " AS s, " res " AS r, " spf " AS p, " SHARE " AS share" \
    " FROM record AS rec CROSS JOIN" EACH("rec." col, "j") \
    " WHERE rec.report_row = ?1 AND rec." col " <> '[]'"
#define SQL_AUTH(EACH) \
    "INSERT INTO day_auth (report_row, day, source_ip, kind, auth_domain," \
    " selector, result, spf_pass, messages)" \
    " SELECT CAST(?1 AS BIGINT), " DAY ", ip, kind, d, s, r, p," \
    " csum(share) FROM (" \
    AUTH_PART(EACH, "0", "dkim_auth", \
	"coalesce(lower(j.value ->> 'domain'), '')", \
	"coalesce(j.value ->> 'selector', '')", \
	"coalesce(j.value ->> 'result', '')", \
	"CASE WHEN lower(rec.spf) = 'pass' THEN 1 ELSE 0 END") \
    " UNION ALL" AUTH_PART(EACH, "1", "spf_auth", \
	"coalesce(lower(j.value ->> 'domain'), '')", \
	"coalesce(j.value ->> 'scope', '')", \
	"coalesce(j.value ->> 'result', '')", "0") \
    " UNION ALL" AUTH_PART(EACH, "2", "reasons", "''", "''", \
	"coalesce(lower(trim(j.value ->> 'type')), '')", "0") \
    ") AS t GROUP BY ip, kind, d, s, r, p" \
    " HAVING " MINE " = 1 OR csum(share) > 0"

/* [table][dialect] */
static const char *const sql_put[2][2] = {
	{ SQL_IP(DS_SQL_EACH, OWN_SQLITE), SQL_IP(DS_SQL_EACH_PG, OWN_PG) },
	{ SQL_AUTH(DS_SQL_EACH), SQL_AUTH(DS_SQL_EACH_PG) },
};

/* See store_priv.h. */
bool
ds_store_rollup_ip(struct ds_store *st, int64_t report_id, const char *dom,
    const struct ds_rollup_day *day, GError **err)
{
	struct ds_dbq *q;
	guint i;

	for (i = 0; i < 2; i++) {
		if (st->roll_ip[i] == NULL)
			st->roll_ip[i] = ds_db_prepare(st->db,
			    sql_put[i][DS_SQL_PG(st)], err);
		else
			ds_dbq_reset(st->roll_ip[i]);
		if ((q = st->roll_ip[i]) == NULL)
			return false;
		ds_dbq_bind_int64(q, 1, report_id);
		ds_dbq_bind_int64(q, 2, day->day);
		ds_dbq_bind_int64(q, 3, day->lo);
		ds_dbq_bind_int64(q, 4, day->hi);
		ds_dbq_bind_int64(q, 5, day->dur);
		ds_dbq_bind_int64(q, 6, day->mine ? 1 : 0);
		if (i == 0)
			ds_dbq_bind_text(q, 7, dom, -1);
		if (!ds_dbq_run(q, err))
			return false;
	}
	return true;
}
