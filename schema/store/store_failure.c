/*
 * store_failure.c - failure (ruf) reports in failure_report and their
 * samples in failure_sample (schema/store/sql/003-failure.sql).
 * SPDX-License-Identifier: MIT
 *
 * RFC 5965 / RFC 6591 / RFC 9991 fields as parsed into model_failure.h.
 * THREATS #11 (every value bound), #13 (the identity - report
 * Message-ID, else content hash - is stored once: DS_ERROR_DUP), #8 (the
 * sample's raw bytes kept as received). Failure reports are few, so the
 * statements are prepared per call rather than cached.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/json.h"
#include "schema/store/store_failure.h"
#include "schema/store/store_priv.h"

static const char sql_insert[] =
    "INSERT INTO failure_report (identity, domain, event_ts,"
    " report_message_id, report_from, reporter, report_date, report_ts,"
    " report_subject, report_type, fields, feedback_type, user_agent,"
    " version, original_mail_from, original_rcpt_to, arrival_date,"
    " arrival_ts, source_ip, reported_domain, reported_uri, auth_results,"
    " auth_failure, dkim_domain, dkim_identity, dkim_selector,"
    " dkim_canon_header, dkim_canon_body, spf_dns, delivery_result,"
    " identity_alignment, sample_kind, warnings, verification,"
    " verification_text, spf_now, dkim_now, dmarc_now, differences,"
    " dns_mode, verified_at, source, message_row, ingested_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
    " ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26,"
    " ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39,"
    " ?40, ?41, ?42, ?43, ?44)"
    " ON CONFLICT (identity) DO NOTHING RETURNING id";

static const char sql_find[] =
    "SELECT id FROM failure_report WHERE identity = ?1";

static const char sql_sample_insert[] =
    "INSERT INTO failure_sample (report_row, headers_only, raw,"
    " header_from, subject, message_id, date, auth_results,"
    " dkim_signatures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

/* column i of a listing row is insert parameter i (1-based), id is 0 */
#define COLS "SELECT id, identity, domain, event_ts, report_message_id," \
    " report_from, reporter, report_date, report_ts, report_subject," \
    " report_type, fields, feedback_type, user_agent, version," \
    " original_mail_from, original_rcpt_to, arrival_date, arrival_ts," \
    " source_ip, reported_domain, reported_uri, auth_results," \
    " auth_failure, dkim_domain, dkim_identity, dkim_selector," \
    " dkim_canon_header, dkim_canon_body, spf_dns, delivery_result," \
    " identity_alignment, sample_kind, warnings, verification," \
    " verification_text, spf_now, dkim_now, dmarc_now, differences," \
    " dns_mode, verified_at, source, message_row, ingested_at" \
    " FROM failure_report"

static const char sql_each_domain[] = COLS
    " WHERE domain = ?1 AND event_ts >= ?2 AND event_ts < ?3"
    " ORDER BY event_ts, id LIMIT ?4";
static const char sql_each_all[] = COLS
    " WHERE event_ts >= ?2 AND event_ts < ?3 ORDER BY event_ts, id LIMIT ?4";
static const char sql_get[] = COLS " WHERE id = ?1";

static const char sql_sample_get[] =
    "SELECT headers_only, raw, header_from, subject, message_id, date,"
    " auth_results, dkim_signatures FROM failure_sample"
    " WHERE report_row = ?1";

/*
 * The JSON array columns read back, one dialect each: [SQLite,
 * PostgreSQL] by ds_db_kind().
 */
static const char *const sql_json_strings[] = {
	"SELECT value FROM json_each(?1)",
	"SELECT jsonb_array_elements_text(CAST(?1 AS jsonb))"
};
static const char *const sql_json_fields[] = {
	"SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]')"
	" FROM json_each(?1)",
	"SELECT value->>0, value->>1"
	" FROM jsonb_array_elements(CAST(?1 AS jsonb))"
};

static void
bind_str(struct ds_dbq *s, int i, const char *v)
{
	ds_dbq_bind_text(s, i, v, -1);
}

/* bind a JSON text built in g (it must outlive the step) */
static void
bind_json(struct ds_dbq *s, int i, GString *g)
{
	ds_dbq_bind_text(s, i, g->str, (int)g->len);
}

static void
bind_ts(struct ds_dbq *s, int i, int64_t v)
{
	if (v != 0)
		ds_dbq_bind_int64(s, i, v);
}

static GString *
json_array(const GPtrArray *a)
{
	GString *g = g_string_new(NULL);

	ds_json_str_array(g, a);
	return g;
}

static GString *
json_fields(const GArray *a)
{
	GString *g = g_string_new("[");
	const struct ds_failure_field *x;
	guint i;

	for (i = 0; a && i < a->len; i++) {
		x = &g_array_index(a, struct ds_failure_field, i);
		g_string_append(g, i ? ",[" : "[");
		ds_json_escape(g, x->name);
		g_string_append_c(g, ',');
		ds_json_escape(g, x->value);
		g_string_append_c(g, ']');
	}
	g_string_append_c(g, ']');
	return g;
}

static bool
find_existing(struct ds_store *st, const char *identity, int64_t *out_id,
    GError **err)
{
	struct ds_dbq *s = NULL;
	char *q;
	bool ok = false;

	if ((s = ds_db_prepare(st->db, sql_find, err)) == NULL) {
		ds_store_fail(st, err, "prepare failure report lookup");
		goto done;
	}
	bind_str(s, 1, identity);
	if (ds_dbq_step(s, err) != DS_DB_ROW) {
		ds_store_fail(st, err, "find failure report");
		goto done;
	}
	*out_id = ds_dbq_int64(s, 0);
	q = ds_quote(identity, strlen(identity), 120);
	ds_fail(err, DS_ERROR_DUP, "failure report '%s' already stored", q);
	g_free(q);
done:
	ds_dbq_finalize(s);
	return ok;
}

static bool
put_sample(struct ds_store *st, const struct ds_failure *f, int64_t row,
    GError **err)
{
	struct ds_dbq *s = NULL;
	GString *dkim = json_array(f->sample_dkim);
	bool ok = false;

	if (f->sample_len > DS_DB_MAX_LENGTH) {
		ds_fail(err, DS_ERROR_LIMIT, "sample of %zu bytes is too large",
		    f->sample_len);
		goto done;
	}
	if ((s = ds_db_prepare(st->db, sql_sample_insert, err)) == NULL) {
		ds_store_fail(st, err, "prepare sample insert");
		goto done;
	}
	ds_dbq_bind_int64(s, 1, row);
	ds_dbq_bind_int64(s, 2, f->headers_only ? 1 : 0);
	ds_dbq_bind_blob(s, 3, f->sample, f->sample_len);
	bind_str(s, 4, f->sample_from);
	bind_str(s, 5, f->sample_subject);
	bind_str(s, 6, f->sample_message_id);
	bind_str(s, 7, f->sample_date);
	bind_str(s, 8, f->sample_auth_results);
	bind_json(s, 9, dkim);
	ok = ds_store_step_done(st, s, "insert failure sample", err);
done:
	ds_dbq_finalize(s);
	g_string_free(dkim, TRUE);
	return ok;
}

bool
ds_store_failure_put(struct ds_store *st, const struct ds_failure *f,
    int64_t msg_id, int64_t *out_id, GError **err)
{
	GString *j[7];
	struct ds_dbq *s = NULL;
	char *domain = ds_failure_domain(f);
	int64_t now = ds_store_now();
	bool ok = false;
	int rc, i;

	*out_id = 0;
	j[0] = json_fields(f->fields);
	j[1] = json_array(f->original_rcpt_to);
	j[2] = json_array(f->reported_domain);
	j[3] = json_array(f->reported_uri);
	j[4] = json_array(f->spf_dns);
	j[5] = json_array(f->warnings);
	j[6] = json_array(f->differences);
	if (f->identity == NULL) {
		ds_fail(err, DS_ERROR_DB, "failure report without identity");
		goto done;
	}
	if ((s = ds_db_prepare(st->db, sql_insert, err)) == NULL) {
		ds_store_fail(st, err, "prepare failure report insert");
		goto done;
	}
	bind_str(s, 1, f->identity);
	bind_str(s, 2, domain);
	ds_dbq_bind_int64(s, 3, f->arrival_ts ? f->arrival_ts :
	    f->report_ts ? f->report_ts : now);
	bind_str(s, 4, f->report_message_id);
	bind_str(s, 5, f->report_from);
	bind_str(s, 6, f->reporter);
	bind_str(s, 7, f->report_date);
	bind_ts(s, 8, f->report_ts);
	bind_str(s, 9, f->report_subject);
	bind_str(s, 10, f->report_type);
	bind_json(s, 11, j[0]);
	bind_str(s, 12, f->feedback_type);
	bind_str(s, 13, f->user_agent);
	bind_str(s, 14, f->version);
	bind_str(s, 15, f->original_mail_from);
	bind_json(s, 16, j[1]);
	bind_str(s, 17, f->arrival_date);
	bind_ts(s, 18, f->arrival_ts);
	bind_str(s, 19, f->source_ip);
	bind_json(s, 20, j[2]);
	bind_json(s, 21, j[3]);
	bind_str(s, 22, f->auth_results);
	bind_str(s, 23, f->auth_failure);
	bind_str(s, 24, f->dkim_domain);
	bind_str(s, 25, f->dkim_identity);
	bind_str(s, 26, f->dkim_selector);
	bind_str(s, 27, f->dkim_canon_header);
	bind_str(s, 28, f->dkim_canon_body);
	bind_json(s, 29, j[4]);
	bind_str(s, 30, f->delivery_result);
	bind_str(s, 31, f->identity_alignment);
	bind_str(s, 32, ds_sample_kind_name(f->sample_kind));
	bind_json(s, 33, j[5]);
	bind_str(s, 34, f->verification);
	bind_str(s, 35, f->verification_text);
	bind_str(s, 36, f->spf_now);
	bind_str(s, 37, f->dkim_now);
	bind_str(s, 38, f->dmarc_now);
	bind_json(s, 39, j[6]);
	bind_str(s, 40, f->dns_mode);
	bind_ts(s, 41, f->verified_at);
	bind_str(s, 42, f->source);
	if (msg_id > 0)
		ds_dbq_bind_int64(s, 43, msg_id);
	ds_dbq_bind_int64(s, 44, now);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_DONE) {	/* ON CONFLICT: stored before */
		ok = find_existing(st, f->identity, out_id, err);
		goto done;
	}
	if (rc != DS_DB_ROW) {
		ds_store_fail(st, err, "insert failure report");
		goto done;
	}
	*out_id = ds_dbq_int64(s, 0);
	ds_dbq_reset(s);
	ok = f->sample == NULL || put_sample(st, f, *out_id, err);
done:
	ds_dbq_finalize(s);
	for (i = 0; i < 7; i++)
		g_string_free(j[i], TRUE);
	g_free(domain);
	return ok;
}

/* The strings of a JSON array text into out (bad JSON: none). */
static bool
json_strings(struct ds_store *st, const char *json, GPtrArray *out,
    GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	if (json == NULL)
		return true;
	if ((s = ds_db_prepare(st->db,
	    sql_json_strings[ds_db_kind(st->db) == DS_DB_PG], err)) == NULL)
		return ds_store_fail(st, err, "prepare json_each");
	ds_dbq_bind_text(s, 1, json, -1);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW)
		g_ptr_array_add(out, g_strdup(ds_dbq_text(s, 0)));
	if (rc != DS_DB_DONE)
		ds_store_fail(st, err, "read JSON array");
	else
		ok = true;
	ds_dbq_finalize(s);
	return ok;
}

static bool
json_field_list(struct ds_store *st, const char *json, GArray *out,
    GError **err)
{
	struct ds_failure_field x;
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	if ((s = ds_db_prepare(st->db,
	    sql_json_fields[ds_db_kind(st->db) == DS_DB_PG], err)) == NULL)
		return ds_store_fail(st, err, "prepare json_each");
	ds_dbq_bind_text(s, 1, json, -1);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		x.name = g_strdup(ds_dbq_text(s, 0));
		x.value = g_strdup(ds_dbq_text(s, 1));
		g_array_append_val(out, x);
	}
	if (rc != DS_DB_DONE)
		ds_store_fail(st, err, "read fields");
	else
		ok = true;
	ds_dbq_finalize(s);
	return ok;
}

static char *
col(struct ds_dbq *s, int i)
{
	return g_strdup(ds_dbq_text(s, i));
}

/* Fill f (ds_failure_init'ed) from a COLS row. */
static bool
row_read(struct ds_store *st, struct ds_dbq *s, struct ds_failure *f,
    GError **err)
{
	f->id = ds_dbq_int64(s, 0);
	f->identity = col(s, 1);
	f->event_ts = ds_dbq_int64(s, 3);
	f->report_message_id = col(s, 4);
	f->report_from = col(s, 5);
	f->reporter = col(s, 6);
	f->report_date = col(s, 7);
	f->report_ts = ds_dbq_int64(s, 8);
	f->report_subject = col(s, 9);
	f->report_type = col(s, 10);
	f->feedback_type = col(s, 12);
	f->user_agent = col(s, 13);
	f->version = col(s, 14);
	f->original_mail_from = col(s, 15);
	f->arrival_date = col(s, 17);
	f->arrival_ts = ds_dbq_int64(s, 18);
	f->source_ip = col(s, 19);
	f->auth_results = col(s, 22);
	f->auth_failure = col(s, 23);
	f->dkim_domain = col(s, 24);
	f->dkim_identity = col(s, 25);
	f->dkim_selector = col(s, 26);
	f->dkim_canon_header = col(s, 27);
	f->dkim_canon_body = col(s, 28);
	f->delivery_result = col(s, 30);
	f->identity_alignment = col(s, 31);
	f->sample_kind = ds_sample_kind_from_name(ds_dbq_text(s, 32));
	f->headers_only = f->sample_kind == DS_SAMPLE_HEADERS ||
	    f->sample_kind == DS_SAMPLE_TEXT;
	f->verification = col(s, 34);
	f->verification_text = col(s, 35);
	f->spf_now = col(s, 36);
	f->dkim_now = col(s, 37);
	f->dmarc_now = col(s, 38);
	f->dns_mode = col(s, 40);
	f->verified_at = ds_dbq_int64(s, 41);
	f->source = col(s, 42);
	f->ingested_at = ds_dbq_int64(s, 44);
	return json_field_list(st, ds_dbq_text(s, 11), f->fields,
	    err) &&
	    json_strings(st, ds_dbq_text(s, 16), f->original_rcpt_to,
	    err) &&
	    json_strings(st, ds_dbq_text(s, 20), f->reported_domain,
	    err) &&
	    json_strings(st, ds_dbq_text(s, 21), f->reported_uri,
	    err) &&
	    json_strings(st, ds_dbq_text(s, 29), f->spf_dns, err) &&
	    json_strings(st, ds_dbq_text(s, 33), f->warnings, err) &&
	    json_strings(st, ds_dbq_text(s, 39), f->differences, err);
}

bool
ds_store_failures_each(struct ds_store *st, const struct ds_query *q,
    ds_failure_row_cb cb, void *payload, GError **err)
{
	struct ds_failure f;
	struct ds_dbq *s = NULL;
	bool ok = false, go = true;
	int rc;

	if ((s = ds_db_prepare(st->db, q->domain ? sql_each_domain :
	    sql_each_all, err)) == NULL)
		return ds_store_fail(st, err, "prepare failure listing");
	if (q->domain)
		bind_str(s, 1, q->domain);
	ds_dbq_bind_int64(s, 2, q->since);
	ds_dbq_bind_int64(s, 3, q->until);
	ds_dbq_bind_int64(s, 4, q->limit ? (int64_t)q->limit :
	    INT64_MAX);
	while (go && (rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		ds_failure_init(&f);
		if (!row_read(st, s, &f, err)) {
			ds_failure_clear(&f);
			goto done;
		}
		go = cb(&f, payload);
		ds_failure_clear(&f);
	}
	if (go && rc != DS_DB_DONE) {
		ds_store_fail(st, err, "list failure reports");
		goto done;
	}
	ok = true;
done:
	ds_dbq_finalize(s);
	return ok;
}

static bool
sample_read(struct ds_store *st, struct ds_failure *f, GError **err)
{
	struct ds_dbq *s = NULL;
	const void *raw;
	size_t n;
	bool ok = false;
	int rc;

	if ((s = ds_db_prepare(st->db, sql_sample_get, err)) == NULL)
		return ds_store_fail(st, err, "prepare sample read");
	ds_dbq_bind_int64(s, 1, f->id);
	if ((rc = ds_dbq_step(s, err)) == DS_DB_DONE) {
		ok = true;	/* the report came without the original */
		goto done;
	}
	if (rc != DS_DB_ROW) {
		ds_store_fail(st, err, "read sample");
		goto done;
	}
	f->headers_only = (int)ds_dbq_int64(s, 0) != 0;
	raw = ds_dbq_blob(s, 1, &n);
	f->sample = g_malloc(n + 1);
	if (n > 0)
		memcpy(f->sample, raw, n);
	f->sample[n] = '\0';
	f->sample_len = n;
	f->sample_from = col(s, 2);
	f->sample_subject = col(s, 3);
	f->sample_message_id = col(s, 4);
	f->sample_date = col(s, 5);
	f->sample_auth_results = col(s, 6);
	ok = json_strings(st, ds_dbq_text(s, 7), f->sample_dkim, err);
done:
	ds_dbq_finalize(s);
	return ok;
}

bool
ds_store_failure_get(struct ds_store *st, int64_t id, bool with_sample,
    struct ds_failure *out, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	ds_failure_init(out);
	if ((s = ds_db_prepare(st->db, sql_get, err)) == NULL)
		return ds_store_fail(st, err, "prepare failure report read");
	ds_dbq_bind_int64(s, 1, id);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_DONE) {
		ds_fail(err, DS_ERROR_USAGE, "no failure report with id %"
		    G_GINT64_FORMAT, id);
		goto done;
	}
	if (rc != DS_DB_ROW) {
		ds_store_fail(st, err, "read failure report %" G_GINT64_FORMAT,
		    id);
		goto done;
	}
	ok = row_read(st, s, out, err) && (!with_sample ||
	    sample_read(st, out, err));
done:
	ds_dbq_finalize(s);
	return ok;
}
