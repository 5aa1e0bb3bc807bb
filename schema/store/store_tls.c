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
    " successes, failures) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) RETURNING id";

static const char sql_failure[] =
    "INSERT INTO tls_failure (policy_row, result_type, sending_mta_ip,"
    " receiving_mx_hostname, receiving_mx_helo, receiving_ip,"
    " failed_sessions, additional_info, failure_reason_code)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

static void
bind_str(struct ds_dbq *s, int i, const char *v)
{
	ds_dbq_bind_text(s, i, v, -1);
}

static bool
prepare(struct ds_store *st, const char *sql, struct ds_dbq **out,
    GError **err)
{
	*out = ds_store_prepare(st, sql, "prepare TLS statement", err);
	return *out != NULL;
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
	struct ds_dbq *s;
	bool ok = true;
	guint i;

	if (p->details->len == 0)
		return true;
	if (!prepare(st, sql_failure, &s, err))
		return false;
	for (i = 0; ok && i < p->details->len; i++) {
		const struct ds_tls_failure *f = g_ptr_array_index(p->details,
		    i);

		ds_dbq_reset(s);
		ds_dbq_bind_int64(s, 1, policy_row);
		bind_str(s, 2, f->result_type);
		bind_str(s, 3, f->sending_mta_ip);
		bind_str(s, 4, f->receiving_mx_hostname);
		bind_str(s, 5, f->receiving_mx_helo);
		bind_str(s, 6, f->receiving_ip);
		ds_dbq_bind_int64(s, 7, f->failed_sessions);
		bind_str(s, 8, f->additional_info);
		bind_str(s, 9, f->failure_reason_code);
		if (ds_dbq_step(s, err) != DS_DB_DONE)
			ok = ds_store_fail(st, err, "insert TLS failure detail");
	}
	ds_dbq_finalize(s);
	return ok;
}

static bool
put_policies(struct ds_store *st, int64_t row, const struct ds_tls_report *r,
    GError **err)
{
	GString *strings = g_string_new(NULL), *mx = g_string_new(NULL);
	struct ds_dbq *s;
	int64_t policy_row;
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
		ds_dbq_reset(s);
		ds_dbq_bind_int64(s, 1, row);
		bind_str(s, 2, p->type);
		bind_str(s, 3, p->domain);
		bind_str(s, 4, strings->str);
		bind_str(s, 5, mx->str);
		ds_dbq_bind_int64(s, 6, p->successes);
		ds_dbq_bind_int64(s, 7, p->failures);
		if (ds_dbq_step(s, err) != DS_DB_ROW) {
			ok = ds_store_fail(st, err, "insert TLS policy");
			break;
		}
		policy_row = ds_dbq_int64(s, 0);
		ds_dbq_reset(s);
		ok = put_details(st, policy_row, p, err);
	}
	ds_dbq_finalize(s);
done:
	g_string_free(strings, TRUE);
	g_string_free(mx, TRUE);
	return ok;
}

static void
bind_key(struct ds_dbq *s, const struct ds_tls_report *r)
{
	bind_str(s, 1, r->org_name);
	bind_str(s, 2, r->report_id);
	bind_str(s, 3, r->domain ? r->domain : "");
	ds_dbq_bind_int64(s, 4, r->begin);
	ds_dbq_bind_int64(s, 5, r->end);
}

static bool
find_existing(struct ds_store *st, const struct ds_tls_report *r,
    int64_t *out_id, GError **err)
{
	struct ds_dbq *s;
	char *key = key_text(r);
	int rc;

	if (prepare(st, sql_find, &s, err)) {
		bind_key(s, r);
		if ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
			*out_id = ds_dbq_int64(s, 0);
			ds_fail(err, DS_ERROR_DUP, "%s already stored", key);
		} else {
			ds_store_fail(st, err, "find %s", key);
		}
		ds_dbq_finalize(s);
	}
	g_free(key);
	return false;
}

bool
ds_store_tls_put(struct ds_store *st, const struct ds_tls_report *r,
    const char *source, int64_t msg_row, int64_t *out_id, GError **err)
{
	GString *warnings = g_string_new(NULL);
	struct ds_dbq *s = NULL;
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
	ds_dbq_bind_int64(s, 10, r->policies->len);
	ds_dbq_bind_int64(s, 11, ds_tls_report_successes(r));
	ds_dbq_bind_int64(s, 12, ds_tls_report_failures(r));
	bind_str(s, 13, warnings->str);
	bind_str(s, 14, source);
	if (msg_row > 0)
		ds_dbq_bind_int64(s, 15, msg_row);
	ds_dbq_bind_int64(s, 16, ds_store_now());
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_ROW) {
		*out_id = ds_dbq_int64(s, 0);
	} else if (rc == DS_DB_DONE) {
		find_existing(st, r, out_id, err);
		goto done;
	} else {
		ds_store_fail(st, err, "insert TLS report");
		goto done;
	}
	ds_dbq_finalize(s);
	s = NULL;
	ok = put_policies(st, *out_id, r, err);
done:
	ds_dbq_finalize(s);
	g_string_free(warnings, TRUE);
	return ok;
}
