/*
 * store_reporters.c - who reports about a domain (ds_store_reporters_each)
 * and which policy domains have reports (ds_store_domains_each), over a
 * period (store_senders.h).
 * SPDX-License-Identifier: MIT
 *
 * Read from the report rows (their records and messages columns), found
 * through report_domain_mid / report_mid; the last report ever of a
 * reporter through report_domain_org. THREATS #11: values are bound.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

#define BOTH(head, tail) { head SS_WHERE_ALL tail, head SS_WHERE_DOM tail }

static const char *const sql_reporters[2] = BOTH(
    "SELECT rep.org_name, min(rep.email), count(*), csum(rep.records),"
    " csum(rep.messages), count(DISTINCT rep.domain), min(rep.begin_ts),"
    " max(rep.end_ts) FROM report AS rep",
    " GROUP BY rep.org_name ORDER BY 5 DESC, 1 LIMIT ?4");

/* the newest report of one reporter, ever (same domain filter) */
static const char *const sql_last_ever[2] = {
	"SELECT max(end_ts) FROM report WHERE org_name = ?2",
	"SELECT max(end_ts) FROM report WHERE domain = ?1 AND org_name = ?2",
};

/*
 * The DMARC passes of a domain: a correlated sum over each report's
 * records, read from record_report_seq.
 */
static const char *const sql_domains[2] = {
	"SELECT lower(rep.domain), count(*), count(DISTINCT rep.org_name),"
	" csum(rep.messages), csum((SELECT csum(rec.count) FROM record AS"
	" rec WHERE rec.report_row = rep.id AND" DS_SQL_REC_PERIOD("rec")
	" AND " SS_PASS ")),"
	" min(rep.begin_ts), max(rep.end_ts) FROM report AS rep"
	SS_WHERE_ALL " GROUP BY 1 ORDER BY 1 LIMIT ?4",
	NULL,
};

/* See store_senders_priv.h. */
void
ds_ss_stmts_reporters(GPtrArray *out)
{
	g_ptr_array_add(out, (gpointer)sql_reporters[0]);
	g_ptr_array_add(out, (gpointer)sql_reporters[1]);
	g_ptr_array_add(out, (gpointer)sql_last_ever[0]);
	g_ptr_array_add(out, (gpointer)sql_last_ever[1]);
	g_ptr_array_add(out, (gpointer)sql_domains[0]);
}

static void
reporter_clear(struct ds_reporter *r)
{
	g_free(r->org_name);
	g_free(r->email);
	memset(r, 0, sizeof(*r));
}

/* r->last_ever from the newest report of r->org_name. */
static bool
last_ever(struct ds_store *st, struct ds_dbq *s, const struct ds_query *q,
    struct ds_reporter *r, GError **err)
{
	int rc;

	ds_dbq_reset(s);
	if (q->domain)
		ds_dbq_bind_text(s, 1, q->domain, -1);
	ds_dbq_bind_text(s, 2, r->org_name, -1);
	rc = ds_dbq_step(s, err);
	if (rc != DS_DB_ROW)
		return ds_store_fail(st, err, "reporters: last report");
	r->last_ever = ds_dbq_int64(s, 0);
	return true;
}

/*
 * See store_senders.h. Ties in messages go by org_name. The rows are
 * read into memory first, then last_ever is looked up for each.
 * DS_ERROR_DB.
 */
bool
ds_store_reporters_each(struct ds_store *st, const struct ds_query *q,
    ds_reporter_cb cb, void *payload, GError **err)
{
	struct ds_dbq *s = NULL, *le = NULL;
	GArray *rows = g_array_new(FALSE, TRUE, sizeof(struct ds_reporter));
	struct ds_reporter r;
	bool ok = false;
	guint i;
	int rc;

	if (!ds_ss_prepare(st, sql_reporters, q, &s, err))
		goto done;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		memset(&r, 0, sizeof(r));
		r.org_name = ds_ss_col(s, 0);
		r.email = ds_ss_col(s, 1);
		r.reports = ds_dbq_int64(s, 2);
		r.records = ds_ss_int(s, 3);
		r.messages = ds_ss_int(s, 4);
		r.domains = ds_dbq_int64(s, 5);
		r.first_report = ds_dbq_int64(s, 6);
		r.last_report = ds_dbq_int64(s, 7);
		g_array_append_val(rows, r);
	}
	if (rc != DS_DB_DONE) {
		ds_store_fail(st, err, "reporters");
		goto done;
	}
	if ((le = ds_db_prepare(st->db, sql_last_ever[q->domain != NULL], err)) == NULL) {
		ds_store_fail(st, err, "prepare reporters: last report");
		goto done;
	}
	for (i = 0; i < rows->len; i++)
		if (!last_ever(st, le, q, &g_array_index(rows,
		    struct ds_reporter, i), err))
			goto done;
	ok = true;
	for (i = 0; i < rows->len; i++)
		if (!cb(&g_array_index(rows, struct ds_reporter, i), payload))
			break;
done:
	ds_dbq_finalize(s);
	ds_dbq_finalize(le);
	for (i = 0; i < rows->len; i++)
		reporter_clear(&g_array_index(rows, struct ds_reporter, i));
	g_array_unref(rows);
	return ok;
}

/* See store_senders.h. DS_ERROR_DB. */
bool
ds_store_domains_each(struct ds_store *st, const struct ds_query *q,
    ds_domain_cb cb, void *payload, GError **err)
{
	const char *const sql[2] = { sql_domains[0], sql_domains[0] };
	struct ds_query all = *q;
	struct ds_domain_row d;
	struct ds_dbq *s = NULL;
	bool more = true;
	int rc;

	all.domain = NULL;
	if (!ds_ss_prepare(st, sql, &all, &s, err))
		return false;
	while (more && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		d.domain = (char *)ds_dbq_text(s, 0);
		d.reports = ds_dbq_int64(s, 1);
		d.reporters = ds_dbq_int64(s, 2);
		d.messages = ds_ss_int(s, 3);
		d.dmarc_pass = ds_ss_int(s, 4);
		d.first_report = ds_dbq_int64(s, 5);
		d.last_report = ds_dbq_int64(s, 6);
		if (d.domain != NULL)
			more = cb(&d, payload);
	}
	if (more && rc != DS_DB_DONE) {
		ds_dbq_finalize(s);
		return ds_store_fail(st, err, "list domains");
	}
	ds_dbq_finalize(s);
	return true;
}
