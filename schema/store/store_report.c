/*
 * store_report.c - store aggregate reports and their records.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7489 appendix C and RFC 9990 fields, as parsed into model.h.
 * THREATS #11 (every value bound, never spliced into SQL), #13 (the key
 * (org_name, report_id, domain, begin, end) is stored once: a second put
 * is DS_ERROR_DUP), #14 (counts beyond INT64_MAX are refused).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/json.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_sql.h"
#include "schema/store/store_part.h"

/* Bound 1..21 by bind_meta(), then source, message row, ingested_at. */
static const char sql_report_insert[] =
    "INSERT INTO report (org_name, report_id, domain, begin_ts, end_ts,"
    " format, version, email, extra_contact_info, generator, errors,"
    " adkim, aspf, p, sp, np, pct, fo, discovery_method, testing,"
    " extensions, warnings, source, message_row, ingested_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"
    " ON CONFLICT DO NOTHING RETURNING id";

static const char sql_report_find[] =
    "SELECT id FROM report WHERE org_name = ?1 AND report_id = ?2"
    " AND domain = ?3 AND begin_ts = ?4 AND end_ts = ?5";

/* The key never changes: ?1..?5, bound by bind_meta(), are unused. */
static const char sql_report_finish[] =
    "UPDATE report SET format = ?6, version = ?7, email = ?8,"
    " extra_contact_info = ?9, generator = ?10, errors = ?11,"
    " adkim = ?12, aspf = ?13, p = ?14, sp = ?15, np = ?16, pct = ?17,"
    " fo = ?18, discovery_method = ?19, testing = ?20,"
    " extensions = ?21, warnings = ?22,"
    " records = ?23, messages = ?24 WHERE id = ?25";

static const char sql_record_insert[] =
    "INSERT INTO record (report_row, source_ip, count, disposition, dkim,"
    " spf, envelope_to, envelope_from, header_from, reasons, dkim_auth,"
    " spf_auth, extensions, mid_ts)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " (SELECT (begin_ts + end_ts) / 2 FROM report WHERE id = ?1))";

/*
 * The sender_seen rollup of one finished report (?1), 006-speed.sql:
 * GROUP BY sorts the report's IPs, so the upsert walks the table in key
 * order. min()/max() of the constant midpoint keep it plain SQL.
 */
static const char sql_seen_put[] =
    "INSERT INTO sender_seen (source_ip, domain, first_mid, last_mid)"
    " SELECT rec.source_ip, lower(min(rep.domain)),"
    " min" DS_SQL_MID("rep") ", max" DS_SQL_MID("rep")
    " FROM report AS rep JOIN record AS rec ON rec.report_row = rep.id"
    " WHERE rep.id = ?1 AND rec.source_ip IS NOT NULL"
    " GROUP BY rec.source_ip"
    " ON CONFLICT (source_ip, domain) DO UPDATE SET"
    " first_mid = CASE WHEN excluded.first_mid < sender_seen.first_mid"
    " THEN excluded.first_mid ELSE sender_seen.first_mid END,"
    " last_mid = CASE WHEN excluded.last_mid > sender_seen.last_mid"
    " THEN excluded.last_mid ELSE sender_seen.last_mid END";

/*
 * Borrowed: every string bound here outlives the step and the reset
 * that follows it (ds_store_stmt resets before the next use).
 */
static void
bind_str(struct ds_dbq *s, int i, const char *v)
{
	/* a NULL v binds NULL */
	ds_dbq_bind_text_ref(s, i, v, -1);
}

/*
 * Bind the report's metadata to ?1..?22 of s. The JSON texts live in
 * errors and warnings, which must outlive the step.
 */
static void
bind_meta(struct ds_dbq *s, const struct ds_report_meta *m, GString *errors,
    GString *warnings)
{
	g_string_truncate(errors, 0);
	ds_json_str_array(errors, m->errors);
	g_string_truncate(warnings, 0);
	ds_json_str_array(warnings, m->warnings);

	bind_str(s, 1, m->org_name);
	bind_str(s, 2, m->report_id);
	bind_str(s, 3, m->domain);
	ds_dbq_bind_int64(s, 4, m->begin);
	ds_dbq_bind_int64(s, 5, m->end);
	bind_str(s, 6, ds_format_name(m->format));
	bind_str(s, 7, m->version);
	bind_str(s, 8, m->email);
	bind_str(s, 9, m->extra_contact_info);
	bind_str(s, 10, m->generator);
	ds_dbq_bind_text_ref(s, 11, errors->str, (ssize_t)errors->len);
	bind_str(s, 12, m->adkim);
	bind_str(s, 13, m->aspf);
	bind_str(s, 14, m->p);
	bind_str(s, 15, m->sp);
	bind_str(s, 16, m->np);
	if (m->pct >= 0)	/* -1: absent (RFC 9990 has no pct) */
		ds_dbq_bind_int64(s, 17, m->pct);
	bind_str(s, 18, m->fo);
	bind_str(s, 19, m->discovery_method);
	bind_str(s, 20, m->testing);
	bind_str(s, 21, m->extensions);
	ds_dbq_bind_text_ref(s, 22, warnings->str,
	    (ssize_t)warnings->len);
}

/* The key of m quoted for an error message. Caller frees. */
static char *
key_text(const struct ds_report_meta *m)
{
	char *id = ds_quote(m->report_id, strlen(m->report_id), 80);
	char *org = ds_quote(m->org_name, strlen(m->org_name), 80);
	char *dom = ds_quote(m->domain, strlen(m->domain), 80);
	char *s = g_strdup_printf("report '%s' from '%s' for '%s'", id, org,
	    dom);

	g_free(id);
	g_free(org);
	g_free(dom);
	return s;
}

/* Look up the row of an already stored key, for DS_ERROR_DUP. */
static bool
find_existing(struct ds_store *st, const struct ds_report_meta *m,
    int64_t *out_id, GError **err)
{
	struct ds_dbq *s;
	char *key;
	int rc;

	if ((s = ds_store_stmt(st, DS_STMT_REPORT_FIND, sql_report_find,
	    err)) == NULL)
		return false;
	bind_str(s, 1, m->org_name);
	bind_str(s, 2, m->report_id);
	bind_str(s, 3, m->domain);
	ds_dbq_bind_int64(s, 4, m->begin);
	ds_dbq_bind_int64(s, 5, m->end);
	rc = ds_dbq_step(s, err);
	key = key_text(m);
	if (rc == DS_DB_ROW) {
		*out_id = ds_dbq_int64(s, 0);
		ds_fail(err, DS_ERROR_DUP, "%s already stored", key);
	} else {
		ds_store_fail(st, err, "find %s", key);
	}
	ds_dbq_reset(s);
	g_free(key);
	return false;
}

/*
 * See store.h. DS_ERROR_SCHEMA when a key field is NULL (the parser
 * rejects such reports first), DS_ERROR_DUP with *out_id set when the
 * key is stored, DS_ERROR_DB otherwise.
 */
bool
ds_store_report_put(struct ds_store *st, const struct ds_report_meta *m,
    const char *source, int64_t msg_id, int64_t *out_id, GError **err)
{
	struct ds_dbq *s;
	char *key;
	int rc;

	*out_id = 0;
	st->rip_report = 0;	/* store_rollup_ip.c: a new report */
	if (m->org_name == NULL || m->report_id == NULL || m->domain == NULL)
		return ds_fail(err, DS_ERROR_SCHEMA, "report without %s",
		    m->org_name == NULL ? "org_name" :
		    m->report_id == NULL ? "report_id" : "policy domain");
	if ((s = ds_store_stmt(st, DS_STMT_REPORT_INSERT, sql_report_insert,
	    err)) == NULL)
		return false;
	bind_meta(s, m, st->json[0], st->json[1]);
	bind_str(s, 23, source);
	if (msg_id > 0)
		ds_dbq_bind_int64(s, 24, msg_id);
	ds_dbq_bind_int64(s, 25, ds_store_now());
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_ROW) {
		*out_id = ds_dbq_int64(s, 0);
		ds_dbq_reset(s);
		/* PostgreSQL: the month partitions its rows go to */
		return ds_store_part_report(st, m->begin, m->end, err);
	}
	if (rc == DS_DB_DONE) {	/* ON CONFLICT DO NOTHING */
		ds_dbq_reset(s);
		return find_existing(st, m, out_id, err);
	}
	key = key_text(m);
	ds_store_fail(st, err, "insert %s", key);
	g_free(key);
	ds_dbq_reset(s);
	return false;
}

/* Append the JSON array of a record's <reason> elements. */
static void
json_reasons(GString *g, const GArray *a)
{
	const struct ds_reason *r;
	guint i;

	g_string_append_c(g, '[');
	for (i = 0; a && i < a->len; i++) {
		r = &g_array_index(a, struct ds_reason, i);
		g_string_append(g, i ? ",{\"type\":" : "{\"type\":");
		ds_json_escape(g, r->type);
		g_string_append(g, ",\"comment\":");
		ds_json_escape(g, r->comment);
		g_string_append_c(g, '}');
	}
	g_string_append_c(g, ']');
}

/* Append the JSON array of auth_results/dkim. */
static void
json_dkim(GString *g, const GArray *a)
{
	const struct ds_dkim_result *d;
	guint i;

	g_string_append_c(g, '[');
	for (i = 0; a && i < a->len; i++) {
		d = &g_array_index(a, struct ds_dkim_result, i);
		g_string_append(g, i ? ",{\"domain\":" : "{\"domain\":");
		ds_json_escape(g, d->domain);
		g_string_append(g, ",\"selector\":");
		ds_json_escape(g, d->selector);
		g_string_append(g, ",\"result\":");
		ds_json_escape(g, d->result);
		g_string_append(g, ",\"human_result\":");
		ds_json_escape(g, d->human_result);
		g_string_append_c(g, '}');
	}
	g_string_append_c(g, ']');
}

/* Append the JSON array of auth_results/spf. */
static void
json_spf(GString *g, const GArray *a)
{
	const struct ds_spf_result *p;
	guint i;

	g_string_append_c(g, '[');
	for (i = 0; a && i < a->len; i++) {
		p = &g_array_index(a, struct ds_spf_result, i);
		g_string_append(g, i ? ",{\"domain\":" : "{\"domain\":");
		ds_json_escape(g, p->domain);
		g_string_append(g, ",\"scope\":");
		ds_json_escape(g, p->scope);
		g_string_append(g, ",\"result\":");
		ds_json_escape(g, p->result);
		g_string_append(g, ",\"human_result\":");
		ds_json_escape(g, p->human_result);
		g_string_append_c(g, '}');
	}
	g_string_append_c(g, ']');
}

/*
 * See store.h. One cached INSERT per record; reasons and auth results
 * become JSON arrays (objects always carry every key, null when absent).
 * DS_ERROR_SCHEMA for a count beyond INT64_MAX, DS_ERROR_DB otherwise
 * (also for an unknown report_id: foreign key).
 */
bool
ds_store_record_put(struct ds_store *st, int64_t report_id,
    const struct ds_record *r, GError **err)
{
	struct ds_dbq *s;
	GString *reasons = st->json[0], *dkim = st->json[1],
	    *spf = st->json[2];
	char *ip;

	/* THREATS #14: SQLite integers are signed 64-bit */
	if (r->count > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_SCHEMA, "record count %"
		    G_GUINT64_FORMAT " is too large", r->count);
	if ((s = ds_store_stmt(st, DS_STMT_RECORD_INSERT, sql_record_insert,
	    err)) == NULL)
		return false;
	g_string_truncate(reasons, 0);
	json_reasons(reasons, r->reasons);
	g_string_truncate(dkim, 0);
	json_dkim(dkim, r->dkim_results);
	g_string_truncate(spf, 0);
	json_spf(spf, r->spf_results);

	ds_dbq_bind_int64(s, 1, report_id);
	bind_str(s, 2, r->source_ip);
	ds_dbq_bind_int64(s, 3, (int64_t)r->count);
	bind_str(s, 4, r->disposition);
	bind_str(s, 5, r->dkim);
	bind_str(s, 6, r->spf);
	bind_str(s, 7, r->envelope_to);
	bind_str(s, 8, r->envelope_from);
	bind_str(s, 9, r->header_from);
	ds_dbq_bind_text_ref(s, 10, reasons->str, (ssize_t)reasons->len);
	ds_dbq_bind_text_ref(s, 11, dkim->str, (ssize_t)dkim->len);
	ds_dbq_bind_text_ref(s, 12, spf->str, (ssize_t)spf->len);
	bind_str(s, 13, r->extensions);
	if (ds_dbq_step(s, err) != DS_DB_DONE) {
		ip = r->source_ip ? ds_quote(r->source_ip,
		    strlen(r->source_ip), 64) : g_strdup("(none)");
		ds_store_fail(st, err, "insert record for %s of report row %"
		    G_GINT64_FORMAT, ip, report_id);
		g_free(ip);
		ds_dbq_reset(s);
		return false;
	}
	ds_dbq_reset(s);
	/* the per-IP rollups of 018-perip.sql, from the parsed record */
	return ds_store_rollup_ip(st, report_id, r, err);
}

/*
 * See store.h. Also rewrites every non-key column from m (the parser
 * may learn extensions, errors and warnings after the first record);
 * m NULL is not allowed. Then adds the report's IPs to the sender_seen
 * rollup (006-speed.sql) and its records to the day rollups
 * (015-rollup.sql). DS_ERROR_SCHEMA when a total exceeds INT64_MAX,
 * DS_ERROR_DB when report_id is not a stored report.
 */
bool
ds_store_report_finish(struct ds_store *st, int64_t report_id,
    uint64_t records, uint64_t messages, const struct ds_report_meta *m,
    GError **err)
{
	struct ds_dbq *s;
	int64_t n;

	if (records > (uint64_t)INT64_MAX || messages > (uint64_t)INT64_MAX)
		return ds_fail(err, DS_ERROR_SCHEMA, "report totals too large");
	if ((s = ds_store_stmt(st, DS_STMT_REPORT_FINISH, sql_report_finish,
	    err)) == NULL)
		return false;
	bind_meta(s, m, st->json[0], st->json[1]);
	ds_dbq_bind_int64(s, 23, (int64_t)records);
	ds_dbq_bind_int64(s, 24, (int64_t)messages);
	ds_dbq_bind_int64(s, 25, report_id);
	n = ds_store_step_changes(st, s, "finish report", err);
	if (n < 0)
		return false;
	if (n != 1)
		return ds_fail(err, DS_ERROR_DB, "finish report: no report "
		    "row %" G_GINT64_FORMAT, report_id);
	if ((s = ds_store_stmt(st, DS_STMT_SEEN_PUT, sql_seen_put, err))
	    == NULL)
		return false;
	ds_dbq_bind_int64(s, 1, report_id);
	if (!ds_store_step_done(st, s, "finish report: senders seen", err))
		return false;
	return ds_store_rollup_report(st, report_id, err);
}
