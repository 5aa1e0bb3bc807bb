/*
 * store_rollup_ip.c - the per-IP rollups of 018-perip.sql (day_ip,
 * day_auth), maintained record by record as ds_store_record_put()
 * stores them, inside the report's own savepoint.
 * SPDX-License-Identifier: MIT
 *
 * Why not one INSERT ... SELECT ... GROUP BY per report and day, as
 * store_rollup.c does for day_rollup: that statement has to read the
 * auth results back out of the record's JSON columns, and measured with
 * callgrind on a 20,000-record report it cost 190,000 instructions per
 * record, more than parsing the XML (bench/README.md). Here the values
 * come from the parsed record: one upsert into day_ip and one per auth
 * result and reason into day_auth, keyed by the report first (the rows
 * append), with no JSON parsing and no per-report memory. The values
 * are those of 018-perip.sql's backfill (test_store_perip.c compares
 * the rows of both): lower() and trim() as SQLite's (ASCII, spaces).
 * THREATS #11: every value is bound; #14: shares as store_rollup.c,
 * sums saturate.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_rollup.h"

#define SAT(t, col) col " = CASE WHEN " t "." col \
    " > 9223372036854775807 - excluded." col \
    " THEN 9223372036854775807 ELSE " t "." col " + excluded." col " END"

static const char sql_ip[] =
    "INSERT INTO day_ip (report_row, day, source_ip, dkim, spf, fwd,"
    " spf_fail, own_dkim, records, messages)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
    " ON CONFLICT (report_row, day, source_ip, dkim, spf, fwd, spf_fail,"
    " own_dkim) DO UPDATE SET " SAT("day_ip", "records") ", "
    SAT("day_ip", "messages");
static const char sql_auth[] =
    "INSERT INTO day_auth (report_row, day, source_ip, kind, auth_domain,"
    " selector, result, spf_pass, messages)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    " ON CONFLICT (report_row, day, source_ip, kind, auth_domain,"
    " selector, result, spf_pass) DO UPDATE SET "
    SAT("day_auth", "messages");
static const char sql_meta[] =
    "SELECT lower(domain), begin_ts, end_ts FROM report WHERE id = ?1";

/* SQLite's lower(): ASCII only. Into buf (cleared first). */
static const char *
lower(GString *buf, const char *s)
{
	g_string_truncate(buf, 0);
	for (; s && *s; s++)
		g_string_append_c(buf, g_ascii_tolower(*s));
	return buf->str;
}

static bool
is(const char *s, const char *word)
{
	return s != NULL && g_ascii_strcasecmp(s, word) == 0;
}

/* d (lower case) is dom or below it */
static bool
ours(const char *d, const char *dom)
{
	size_t n = strlen(d), m = strlen(dom);

	return strcmp(d, dom) == 0 || (n > m && d[n - m - 1] == '.' &&
	    strcmp(d + n - m, dom) == 0);
}

/* A JSON string as SQLite's json_quote() writes it. */
static void
quote(GString *g, const char *s)
{
	if (s == NULL) {
		g_string_append(g, "null");
		return;
	}
	g_string_append_c(g, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(g, '\\');
		if ((unsigned char)*s < 0x20)
			g_string_append_printf(g, "\\u%04x", *s);
		else
			g_string_append_c(g, *s);
	}
	g_string_append_c(g, '"');
}

/* The facts of 018-perip.sql's day_ip for record r of domain dom. */
static void
facts(struct ds_store *st, const struct ds_record *r, const char *dom,
    int *fwd, GString *spf_fail, GString *own)
{
	GString *b = st->rip_buf;
	const char *d;
	bool pg = ds_db_kind(st->db) == DS_DB_PG;
	guint i, n = 0;

	*fwd = 0;
	for (i = 0; r->reasons && i < r->reasons->len; i++) {
		const struct ds_reason *x = &g_array_index(r->reasons,
		    struct ds_reason, i);

		if (is(x->type, "forwarded") || is(x->type, "mailing_list") ||
		    is(x->type, "trusted_forwarder"))
			*fwd = 1;
	}
	g_string_truncate(spf_fail, 0);
	if (is(r->dkim, "pass") && !is(r->spf, "pass"))
		for (i = 0; r->spf_results && i < r->spf_results->len; i++) {
			const struct ds_spf_result *x = &g_array_index(
			    r->spf_results, struct ds_spf_result, i);

			if (x->domain == NULL || is(x->scope, "helo") ||
			    is(x->result, "pass"))
				continue;
			d = lower(b, x->domain);
			if (ours(d, dom)) {
				g_string_assign(spf_fail, d);
				break;
			}
		}
	g_string_assign(own, "[");
	for (i = 0; r->dkim_results && i < r->dkim_results->len; i++) {
		const struct ds_dkim_result *x = &g_array_index(
		    r->dkim_results, struct ds_dkim_result, i);

		if (x->domain == NULL || !ours(d = lower(b, x->domain), dom))
			continue;
		g_string_append(own, n++ ? (pg ? ", [" : ",[") : "[");
		quote(own, d);
		g_string_append(own, pg ? ", " : ",");
		quote(own, x->selector);
		g_string_append_c(own, ']');
	}
	g_string_append_c(own, ']');
}

/* The report's days and domain, looked up once per report. */
static bool
report_days(struct ds_store *st, int64_t report_id, GError **err)
{
	struct ds_dbq *q;
	int rc;

	if (st->rip_report == report_id)
		return true;
	if ((q = ds_db_prepare(st->db, sql_meta, err)) == NULL)
		return false;
	ds_dbq_bind_int64(q, 1, report_id);
	rc = ds_dbq_step(q, err);
	if (rc == DS_DB_ROW) {
		g_free(st->rip_dom);
		st->rip_dom = g_strdup(ds_dbq_text(q, 0) ?
		    ds_dbq_text(q, 0) : "");
		st->rip_ndays = ds_rollup_days(ds_dbq_int64(q, 1),
		    ds_dbq_int64(q, 2), st->rip_days);
		st->rip_report = report_id;
	}
	ds_dbq_finalize(q);
	if (rc == DS_DB_DONE)
		return ds_fail(err, DS_ERROR_DB, "per-IP rollup: no report row %"
		    G_GINT64_FORMAT, report_id);
	return rc == DS_DB_ROW;
}

/* One statement i of the cache, prepared on first use, reset. */
static struct ds_dbq *
stmt(struct ds_store *st, guint i, GError **err)
{
	if (st->roll_ip[i] == NULL)
		st->roll_ip[i] = ds_db_prepare(st->db, i ? sql_auth : sql_ip,
		    err);
	else
		ds_dbq_reset(st->roll_ip[i]);
	return st->roll_ip[i];
}

static bool
put_auth(struct ds_store *st, int64_t report_id, int64_t day,
    const char *ip, int kind, const char *d, const char *s, const char *res,
    int spf_pass, int64_t share, GError **err)
{
	struct ds_dbq *q;

	if ((q = stmt(st, 1, err)) == NULL)
		return false;
	ds_dbq_bind_int64(q, 1, report_id);
	ds_dbq_bind_int64(q, 2, day);
	ds_dbq_bind_text(q, 3, ip, -1);
	ds_dbq_bind_int64(q, 4, kind);
	ds_dbq_bind_text(q, 5, d ? d : "", -1);
	ds_dbq_bind_text(q, 6, s ? s : "", -1);
	ds_dbq_bind_text(q, 7, res ? res : "", -1);
	ds_dbq_bind_int64(q, 8, spf_pass);
	ds_dbq_bind_int64(q, 9, share);
	return ds_dbq_run(q, err);
}

/* SQLite's lower(trim(s)): spaces only. */
static const char *
lower_trim(GString *buf, const char *s)
{
	size_t n;

	lower(buf, s);
	n = buf->len;
	while (n > 0 && buf->str[n - 1] == ' ')
		n--;
	g_string_truncate(buf, n);
	n = strspn(buf->str, " ");
	g_string_erase(buf, 0, (gssize)n);
	return buf->str;
}

/* The auth results and reasons of r for one day. */
static bool
put_auths(struct ds_store *st, int64_t report_id, int64_t day,
    const struct ds_record *r, int64_t share, GError **err)
{
	GString *b = st->rip_buf;
	const char *ip = r->source_ip ? r->source_ip : "";
	int sp = is(r->spf, "pass") ? 1 : 0;
	guint i;

	for (i = 0; r->dkim_results && i < r->dkim_results->len; i++) {
		const struct ds_dkim_result *x = &g_array_index(
		    r->dkim_results, struct ds_dkim_result, i);

		if (!put_auth(st, report_id, day, ip, 0, x->domain ?
		    lower(b, x->domain) : NULL, x->selector, x->result, sp,
		    share, err))
			return false;
	}
	for (i = 0; r->spf_results && i < r->spf_results->len; i++) {
		const struct ds_spf_result *x = &g_array_index(
		    r->spf_results, struct ds_spf_result, i);

		if (!put_auth(st, report_id, day, ip, 1, x->domain ?
		    lower(b, x->domain) : NULL, x->scope, x->result, 0,
		    share, err))
			return false;
	}
	for (i = 0; r->reasons && i < r->reasons->len; i++) {
		const struct ds_reason *x = &g_array_index(r->reasons,
		    struct ds_reason, i);

		if (!put_auth(st, report_id, day, ip, 2, NULL, NULL, x->type ?
		    lower_trim(b, x->type) : NULL, 0, share, err))
			return false;
	}
	return true;
}

/* See store_priv.h. */
bool
ds_store_rollup_ip(struct ds_store *st, int64_t report_id,
    const struct ds_record *r, GError **err)
{
	GString *sf = g_string_new(NULL), *own = g_string_new(NULL);
	const struct ds_rollup_day *d;
	struct ds_dbq *q;
	int64_t c = (int64_t)r->count, share;
	unsigned i;
	int fwd;
	bool ok = false;

	if (st->rip_buf == NULL)
		st->rip_buf = g_string_new(NULL);
	if (!report_days(st, report_id, err))
		goto done;
	facts(st, r, st->rip_dom, &fwd, sf, own);
	for (i = 0; i < st->rip_ndays; i++) {
		d = &st->rip_days[i];
		share = (c / d->dur) * (d->hi - d->lo) + ((c % d->dur) *
		    d->hi) / d->dur - ((c % d->dur) * d->lo) / d->dur;
		if (!d->mine && share == 0)
			continue;
		if ((q = stmt(st, 0, err)) == NULL)
			goto done;
		ds_dbq_bind_int64(q, 1, report_id);
		ds_dbq_bind_int64(q, 2, d->day);
		ds_dbq_bind_text(q, 3, r->source_ip ? r->source_ip : "", -1);
		ds_dbq_bind_text(q, 4, r->dkim ? r->dkim : "", -1);
		ds_dbq_bind_text(q, 5, r->spf ? r->spf : "", -1);
		ds_dbq_bind_int64(q, 6, fwd);
		ds_dbq_bind_text(q, 7, sf->str, -1);
		ds_dbq_bind_text(q, 8, own->str, -1);
		ds_dbq_bind_int64(q, 9, d->mine ? 1 : 0);
		ds_dbq_bind_int64(q, 10, share);
		if (!ds_dbq_run(q, err) ||
		    !put_auths(st, report_id, d->day, r, share, err))
			goto done;
	}
	ok = true;
done:
	g_string_free(sf, TRUE);
	g_string_free(own, TRUE);
	return ok;
}
