/*
 * store_rollup.c - the day rollups (015-rollup.sql): a report's records
 * added at ingest, in the report's own savepoint, spread over the UTC
 * days the report covers by the rule stated in 015-rollup.sql.
 * SPDX-License-Identifier: MIT
 *
 * Written on the database driver (db.h): plain SQL both back ends take
 * (INSERT ... SELECT ... ON CONFLICT DO UPDATE, CASE, csum). THREATS #11:
 * every value is bound; #14: shares are computed without overflow and
 * totals saturate at 2^63-1.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_rollup.h"

#define DAY 86400

static const char sql_meta[] =
    "SELECT lower(domain), org_name, begin_ts, end_ts FROM report"
    " WHERE id = ?1";

/* saturating a + b of two non-negative counts, in SQL */
#define SAT(col) "CASE WHEN day_rollup." col " > 9223372036854775807 -" \
    " excluded." col " THEN 9223372036854775807 ELSE day_rollup." col \
    " + excluded." col " END"
/*
 * The share of day k of a record of count c (015-rollup.sql): ?5 and
 * ?6 the seconds of the range before the day and before its end, ?7
 * the range's length. Parameters are cast where their type comes from
 * no column (PostgreSQL must know it).
 */
#define LO "CAST(?5 AS BIGINT)"
#define HI "CAST(?6 AS BIGINT)"
#define DUR "CAST(?7 AS BIGINT)"
#define MINE "CAST(?8 AS BIGINT)"
#define SHARE "((count / " DUR ") * (" HI " - " LO ") + ((count % " DUR \
    ") * " HI ") / " DUR " - ((count % " DUR ") * " LO ") / " DUR ")"

static const char sql_put[] =
    "INSERT INTO day_rollup (domain, day, source_ip, disposition, dkim,"
    " spf, header_from, org_name, records, messages)"
    " SELECT CAST(?2 AS TEXT), CAST(?3 AS BIGINT), coalesce(source_ip, ''),"
    " coalesce(disposition, ''), coalesce(dkim, ''), coalesce(spf, ''),"
    " lower(coalesce(header_from, '')), CAST(?4 AS TEXT),"
    " count(*) * " MINE ", csum(" SHARE ")"
    " FROM record WHERE report_row = ?1 GROUP BY 3, 4, 5, 6, 7"
    " HAVING " MINE " = 1 OR csum(" SHARE ") > 0"
    " ON CONFLICT (domain, day, source_ip, disposition, dkim, spf,"
    " header_from, org_name) DO UPDATE SET records = " SAT("records")
    ", messages = " SAT("messages");

/* See store_rollup.h. */
int64_t
ds_rollup_floor_day(int64_t t)
{
	return (t >= 0 ? t / DAY : (t - (DAY - 1)) / DAY) * DAY;
}

/* See store_rollup.h. */
unsigned
ds_rollup_days(int64_t begin, int64_t end, struct ds_rollup_day *out)
{
	int64_t mid, md, d, dur, sum;
	unsigned n = 0;

	/* (begin + end) / 2 as the period rule computes it */
	if (__builtin_add_overflow(begin, end, &sum))
		mid = begin / 2 + end / 2;
	else
		mid = sum / 2;
	md = ds_rollup_floor_day(mid);
	if (end <= begin || __builtin_sub_overflow(end, begin, &dur) ||
	    dur > DS_ROLLUP_MAX_SPREAD ||
	    ds_rollup_floor_day(begin) == ds_rollup_floor_day(end - 1)) {
		out[0].day = md;
		out[0].lo = 0;
		out[0].hi = 1;
		out[0].dur = 1;
		out[0].mine = true;
		return 1;
	}
	for (d = ds_rollup_floor_day(begin); d < end &&
	    n < DS_ROLLUP_MAX_DAYS; d += DAY) {
		out[n].day = d;
		out[n].lo = d > begin ? d - begin : 0;
		out[n].hi = d + DAY < end ? d + DAY - begin : dur;
		out[n].dur = dur;
		out[n].mine = d == md;
		n++;
		if (d > INT64_MAX - DAY)
			break;
	}
	return n;
}

void
ds_store_rollup_free(struct ds_store *st)
{
	guint i;

	for (i = 0; i < G_N_ELEMENTS(st->roll); i++) {
		ds_dbq_finalize(st->roll[i]);
		st->roll[i] = NULL;
	}
	for (i = 0; i < G_N_ELEMENTS(st->roll_ip); i++) {
		ds_dbq_finalize(st->roll_ip[i]);
		st->roll_ip[i] = NULL;
	}
	g_free(st->rip_dom);
	st->rip_dom = NULL;
	st->rip_report = 0;
	if (st->rip_buf)
		g_string_free(st->rip_buf, TRUE);
	st->rip_buf = NULL;
}

/* The cached statement i, prepared from sql on first use, reset. */
static struct ds_dbq *
stmt(struct ds_store *st, guint i, const char *sql, GError **err)
{
	if (st->roll[i] == NULL)
		st->roll[i] = ds_db_prepare(st->db, sql, err);
	else
		ds_dbq_reset(st->roll[i]);
	return st->roll[i];
}

/* See store_priv.h. */
bool
ds_store_rollup_report(struct ds_store *st, int64_t report_id, GError **err)
{
	struct ds_rollup_day days[DS_ROLLUP_MAX_DAYS];
	struct ds_dbq *q;
	char *dom = NULL, *org = NULL;
	int64_t begin, end;
	unsigned n, i;
	bool ok = false;

	if ((q = stmt(st, 0, sql_meta, err)) == NULL)
		return false;
	ds_dbq_bind_int64(q, 1, report_id);
	switch (ds_dbq_step(q, err)) {
	case DS_DB_ROW:
		break;
	case DS_DB_DONE:
		return ds_fail(err, DS_ERROR_DB, "day rollup: no report row %"
		    G_GINT64_FORMAT, report_id);
	default:
		return false;
	}
	dom = g_strdup(ds_dbq_text(q, 0));
	org = g_strdup(ds_dbq_text(q, 1));
	begin = ds_dbq_int64(q, 2);
	end = ds_dbq_int64(q, 3);
	ds_dbq_reset(q);
	n = ds_rollup_days(begin, end, days);
	for (i = 0; i < n; i++) {
		if ((q = stmt(st, 1, sql_put, err)) == NULL)
			goto done;
		ds_dbq_bind_int64(q, 1, report_id);
		ds_dbq_bind_text(q, 2, dom ? dom : "", -1);
		ds_dbq_bind_int64(q, 3, days[i].day);
		ds_dbq_bind_text(q, 4, org ? org : "", -1);
		ds_dbq_bind_int64(q, 5, days[i].lo);
		ds_dbq_bind_int64(q, 6, days[i].hi);
		ds_dbq_bind_int64(q, 7, days[i].dur);
		ds_dbq_bind_int64(q, 8, days[i].mine ? 1 : 0);
		if (!ds_dbq_run(q, err))
			goto done;
	}
	ok = true;
done:
	g_free(dom);
	g_free(org);
	return ok;
}
