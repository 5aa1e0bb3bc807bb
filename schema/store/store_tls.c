/*
 * store_tls.c - store and read SMTP TLS reports (store_tls.h).
 * SPDX-License-Identifier: MIT
 *
 * RFC 8460 §4.4 fields as parsed into model_tls.h. THREATS #11 (every
 * value bound), #13 (identity stored once: DS_ERROR_DUP), #14 (counts
 * are int64 from the parser; sums in SQL fail loudly on overflow).
 * TLS reports are few (one per reporter and domain a day): statements
 * are prepared per call, not cached.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/json.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_tls.h"

static const char sql_report[] =
    "INSERT INTO tls_report (org_name, report_id, domain, begin_ts, end_ts,"
    " start_text, end_text, contact_info, submitter, policies, successes,"
    " failures, warnings, source, message_row, ingested_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
    " ?15, ?16) ON CONFLICT DO NOTHING RETURNING id";

static const char sql_find[] =
    "SELECT id FROM tls_report WHERE org_name = ?1 AND report_id = ?2"
    " AND domain = ?3 AND begin_ts = ?4 AND end_ts = ?5";

static const char sql_policy[] =
    "INSERT INTO tls_policy (report_row, type, domain, strings, mx_hosts,"
    " successes, failures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

static const char sql_failure[] =
    "INSERT INTO tls_failure (policy_row, result_type, sending_mta_ip,"
    " receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
    " failed_sessions, additional_info, failure_reason_code)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static void
bind_str(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
}

static bool
prepare(struct ds_store *st, const char *sql, sqlite3_stmt **out,
    GError **err)
{
	if (sqlite3_prepare_v2(st->db, sql, -1, out, NULL) != SQLITE_OK) {
		*out = NULL;
		return ds_store_fail(st, err, "prepare TLS statement");
	}
	return true;
}

static char *
key_text(const struct ds_tls_report *r)
{
	char *id = ds_quote(r->report_id, strlen(r->report_id), 80);
	char *org = ds_quote(r->org_name, strlen(r->org_name), 80);
	char *s = g_strdup_printf("TLS report '%s' from '%s'", id, org);

	g_free(id);
	g_free(org);
	return s;
}

static bool
put_details(struct ds_store *st, int64_t policy_row,
    const struct ds_tls_policy *p, GError **err)
{
	sqlite3_stmt *s;
	bool ok = true;
	guint i;

	if (p->details->len == 0)
		return true;
	if (!prepare(st, sql_failure, &s, err))
		return false;
	for (i = 0; ok && i < p->details->len; i++) {
		const struct ds_tls_failure *f = g_ptr_array_index(p->details,
		    i);

		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_int64(s, 1, policy_row);
		bind_str(s, 2, f->result_type);
		bind_str(s, 3, f->sending_mta_ip);
		bind_str(s, 4, f->receiving_mx_hostname);
		bind_str(s, 5, f->receiving_mx_helo);
		bind_str(s, 6, f->receiving_ip);
		sqlite3_bind_int64(s, 7, f->failed_sessions);
		bind_str(s, 8, f->additional_info);
		bind_str(s, 9, f->failure_reason_code);
		if (sqlite3_step(s) != SQLITE_DONE)
			ok = ds_store_fail(st, err, "insert TLS failure detail");
	}
	sqlite3_finalize(s);
	return ok;
}

static bool
put_policies(struct ds_store *st, int64_t row, const struct ds_tls_report *r,
    GError **err)
{
	GString *strings = g_string_new(NULL), *mx = g_string_new(NULL);
	sqlite3_stmt *s;
	bool ok = true;
	guint i;

	if (!prepare(st, sql_policy, &s, err)) {
		ok = false;
		goto done;
	}
	for (i = 0; ok && i < r->policies->len; i++) {
		const struct ds_tls_policy *p = g_ptr_array_index(r->policies,
		    i);

		g_string_truncate(strings, 0);
		ds_json_str_array(strings, p->strings);
		g_string_truncate(mx, 0);
		ds_json_str_array(mx, p->mx_hosts);
		sqlite3_reset(s);
		sqlite3_clear_bindings(s);
		sqlite3_bind_int64(s, 1, row);
		bind_str(s, 2, p->type);
		bind_str(s, 3, p->domain);
		bind_str(s, 4, strings->str);
		bind_str(s, 5, mx->str);
		sqlite3_bind_int64(s, 6, p->successes);
		sqlite3_bind_int64(s, 7, p->failures);
		if (sqlite3_step(s) != SQLITE_DONE) {
			ok = ds_store_fail(st, err, "insert TLS policy");
			break;
		}
		ok = put_details(st, sqlite3_last_insert_rowid(st->db), p, err);
	}
	sqlite3_finalize(s);
done:
	g_string_free(strings, TRUE);
	g_string_free(mx, TRUE);
	return ok;
}

static void
bind_key(sqlite3_stmt *s, const struct ds_tls_report *r)
{
	bind_str(s, 1, r->org_name);
	bind_str(s, 2, r->report_id);
	bind_str(s, 3, r->domain ? r->domain : "");
	sqlite3_bind_int64(s, 4, r->begin);
	sqlite3_bind_int64(s, 5, r->end);
}

static bool
find_existing(struct ds_store *st, const struct ds_tls_report *r,
    int64_t *out_id, GError **err)
{
	sqlite3_stmt *s;
	char *key = key_text(r);
	int rc;

	if (prepare(st, sql_find, &s, err)) {
		bind_key(s, r);
		if ((rc = sqlite3_step(s)) == SQLITE_ROW) {
			*out_id = sqlite3_column_int64(s, 0);
			ds_fail(err, DS_ERROR_DUP, "%s already stored", key);
		} else {
			ds_store_fail(st, err, "find %s", key);
		}
		sqlite3_finalize(s);
	}
	g_free(key);
	return false;
}

bool
ds_store_tls_put(struct ds_store *st, const struct ds_tls_report *r,
    const char *source, int64_t msg_row, int64_t *out_id, GError **err)
{
	GString *warnings = g_string_new(NULL);
	sqlite3_stmt *s = NULL;
	bool ok = false;
	int rc;

	if (r->org_name == NULL || r->report_id == NULL) {
		ds_fail(err, DS_ERROR_SCHEMA, "TLS report without identity");
		goto done;
	}
	ds_json_str_array(warnings, r->warnings);
	if (!prepare(st, sql_report, &s, err))
		goto done;
	bind_key(s, r);
	bind_str(s, 6, r->start_text);
	bind_str(s, 7, r->end_text);
	bind_str(s, 8, r->contact_info);
	bind_str(s, 9, r->submitter);
	sqlite3_bind_int64(s, 10, r->policies->len);
	sqlite3_bind_int64(s, 11, ds_tls_report_successes(r));
	sqlite3_bind_int64(s, 12, ds_tls_report_failures(r));
	bind_str(s, 13, warnings->str);
	bind_str(s, 14, source);
	if (msg_row > 0)
		sqlite3_bind_int64(s, 15, msg_row);
	sqlite3_bind_int64(s, 16, ds_store_now());
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*out_id = sqlite3_column_int64(s, 0);
	} else if (rc == SQLITE_DONE) {
		find_existing(st, r, out_id, err);
		goto done;
	} else {
		ds_store_fail(st, err, "insert TLS report");
		goto done;
	}
	sqlite3_finalize(s);
	s = NULL;
	ok = put_policies(st, *out_id, r, err);
done:
	sqlite3_finalize(s);
	g_string_free(warnings, TRUE);
	return ok;
}
