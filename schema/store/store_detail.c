/*
 * store_detail.c - read one stored aggregate report and its records back
 * into the model structs (store_detail.h), for the per-report pages.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: constant statements, bound parameters. The JSON columns
 * (written by schema/util/json.c) are taken apart with json_each(), so no
 * JSON parser is needed in C. The records of one report were inserted
 * together (store_report.c), so they are read by rowid range: the
 * record table is walked in order, never sorted.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_detail.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_sql.h"

static const char sql_report[] =
    "SELECT format, version, org_name, email, extra_contact_info,"
    " report_id, generator, begin_ts, end_ts, domain, adkim, aspf, p, sp,"
    " np, pct, fo, discovery_method, testing, extensions, records,"
    " messages, source, ingested_at FROM report WHERE id = ?1";

/* errors then warnings, each in array order: { SQLite, PostgreSQL } */
#define SQL_TEXTS(EACH) \
    "SELECT 0, j.key, j.value FROM report r," EACH("r.errors", "j") \
    " WHERE r.id = ?1" \
    " UNION ALL SELECT 1, j.key, j.value FROM report r," \
    EACH("r.warnings", "j") " WHERE r.id = ?1 ORDER BY 1, 2"
static const char *const sql_texts[2] = {
	SQL_TEXTS(DS_SQL_EACH_TEXT), SQL_TEXTS(DS_SQL_EACH_TEXT_PG)
};

static const char sql_range[] =
    "SELECT min(id), max(id) FROM record WHERE report_row = ?1";

static const char sql_records[] =
    "SELECT id, source_ip, count, disposition, dkim, spf, envelope_to,"
    " envelope_from, header_from, extensions FROM record"
    " WHERE id BETWEEN ?2 AND ?3 AND report_row = ?1 ORDER BY id LIMIT ?4";

/*
 * reasons, DKIM and SPF results, each ordered by record, then position:
 * { SQLite, PostgreSQL } x 3
 */
#define SQL_PART(cols, col, EACH) \
	"SELECT r.id, " cols " FROM record r," EACH("r." col, "j") \
	" WHERE r.id BETWEEN ?2 AND ?3 AND r.report_row = ?1" \
	" ORDER BY r.id, j.key"
#define SQL_PARTS(EACH) { \
	SQL_PART("j.value ->> 'type', j.value ->> 'comment', NULL, NULL", \
	    "reasons", EACH), \
	SQL_PART("j.value ->> 'domain', j.value ->> 'selector'," \
	    " j.value ->> 'result', j.value ->> 'human_result'", \
	    "dkim_auth", EACH), \
	SQL_PART("j.value ->> 'domain', j.value ->> 'scope'," \
	    " j.value ->> 'result', j.value ->> 'human_result'", \
	    "spf_auth", EACH) }
static const char *const sql_parts[2][3] = {
	SQL_PARTS(DS_SQL_EACH), SQL_PARTS(DS_SQL_EACH_PG)
};

static char *
col_dup(struct ds_dbq *s, int i)
{
	return g_strdup(ds_dbq_text(s, i));
}

/* See store_detail.h: empty, with the meta arrays allocated. */
void
ds_report_detail_init(struct ds_report_detail *d)
{
	memset(d, 0, sizeof(*d));
	ds_report_meta_init(&d->meta);
}

/* See store_detail.h. */
void
ds_report_detail_clear(struct ds_report_detail *d)
{
	ds_report_meta_clear(&d->meta);
	g_free(d->source);
	memset(d, 0, sizeof(*d));
	d->meta.pct = -1;
}

static void
meta_fill(struct ds_report_detail *d, struct ds_dbq *s)
{
	struct ds_report_meta *m = &d->meta;
	const char *fmt = ds_dbq_text(s, 0);

	m->format = fmt && strcmp(fmt, "rfc9990") == 0 ? DS_FORMAT_RFC9990 :
	    DS_FORMAT_RFC7489;
	m->version = col_dup(s, 1);
	m->org_name = col_dup(s, 2);
	m->email = col_dup(s, 3);
	m->extra_contact_info = col_dup(s, 4);
	m->report_id = col_dup(s, 5);
	m->generator = col_dup(s, 6);
	m->begin = ds_dbq_int64(s, 7);
	m->end = ds_dbq_int64(s, 8);
	m->domain = col_dup(s, 9);
	m->adkim = col_dup(s, 10);
	m->aspf = col_dup(s, 11);
	m->p = col_dup(s, 12);
	m->sp = col_dup(s, 13);
	m->np = col_dup(s, 14);
	m->pct = ds_dbq_null(s, 15) ? -1 :
	    (int)ds_dbq_int64(s, 15);
	m->fo = col_dup(s, 16);
	m->discovery_method = col_dup(s, 17);
	m->testing = col_dup(s, 18);
	m->extensions = col_dup(s, 19);
	d->records = ds_dbq_int64(s, 20);
	d->messages = ds_dbq_int64(s, 21);
	d->source = col_dup(s, 22);
	d->ingested_at = ds_dbq_int64(s, 23);
}

/*
 * See store_detail.h. The <error> texts go to out->meta.errors, the
 * stored warnings to out->meta.warnings, in stored order.
 */
bool
ds_store_report_get(struct ds_store *st, int64_t id,
    struct ds_report_detail *out, bool *found, GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok = false;
	int rc;

	ds_report_detail_init(out);
	*found = false;
	if ((s = ds_db_prepare(st->db, sql_report, err)) == NULL)
		goto fail;
	ds_dbq_bind_int64(s, 1, id);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_DONE) {
		ok = true;
		goto done;
	}
	if (rc != DS_DB_ROW)
		goto fail;
	out->id = id;
	meta_fill(out, s);
	ds_dbq_finalize(s);
	s = NULL;
	if ((s = ds_db_prepare(st->db, sql_texts[DS_SQL_PG(st)], err)) == NULL)
		goto fail;
	ds_dbq_bind_int64(s, 1, id);
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW)
		g_ptr_array_add((int)ds_dbq_int64(s, 0) == 0 ?
		    out->meta.errors : out->meta.warnings, col_dup(s, 2));
	if (rc != DS_DB_DONE)
		goto fail;
	*found = true;
	ok = true;
	goto done;
fail:
	ds_store_fail(st, err, "read report %" G_GINT64_FORMAT, id);
	ds_report_detail_clear(out);
done:
	ds_dbq_finalize(s);
	return ok;
}

/* Append the part row of s (positioned on it) to record r. */
static void
part_add(struct ds_record *r, int kind, struct ds_dbq *s)
{
	if (kind == 0) {
		struct ds_reason x = { col_dup(s, 1), col_dup(s, 2) };

		g_array_append_val(r->reasons, x);
	} else if (kind == 1) {
		struct ds_dkim_result x = { col_dup(s, 1), col_dup(s, 2),
		    col_dup(s, 3), col_dup(s, 4) };

		g_array_append_val(r->dkim_results, x);
	} else {
		struct ds_spf_result x = { col_dup(s, 1), col_dup(s, 2),
		    col_dup(s, 3), col_dup(s, 4) };

		g_array_append_val(r->spf_results, x);
	}
}

static void
record_fill(struct ds_record *r, struct ds_dbq *s)
{
	r->source_ip = col_dup(s, 1);
	r->count = (uint64_t)ds_dbq_int64(s, 2);
	r->disposition = col_dup(s, 3);
	r->dkim = col_dup(s, 4);
	r->spf = col_dup(s, 5);
	r->envelope_to = col_dup(s, 6);
	r->envelope_from = col_dup(s, 7);
	r->header_from = col_dup(s, 8);
	r->extensions = col_dup(s, 9);
}

static void
bind_range(struct ds_dbq *s, int64_t row, int64_t lo, int64_t hi)
{
	ds_dbq_bind_int64(s, 1, row);
	ds_dbq_bind_int64(s, 2, lo);
	ds_dbq_bind_int64(s, 3, hi);
}

/*
 * See store_detail.h. Four statements walk the same rowid range in
 * step: the records, and their reasons, DKIM and SPF results (each
 * ordered by record id), merged here.
 */
bool
ds_store_records_each(struct ds_store *st, int64_t report_row,
    unsigned limit, ds_record_each_cb cb, void *payload, GError **err)
{
	struct ds_dbq *rs = NULL, *ps[3] = { NULL, NULL, NULL };
	int prc[3] = { DS_DB_DONE, DS_DB_DONE, DS_DB_DONE };
	struct ds_record rec;
	int64_t lo, hi, id;
	bool ok = false, more;
	int rc, k;

	if ((rs = ds_db_prepare(st->db, sql_range, err)) == NULL)
		goto fail;
	ds_dbq_bind_int64(rs, 1, report_row);
	if (ds_dbq_step(rs, err) != DS_DB_ROW)
		goto fail;
	if (ds_dbq_null(rs, 0)) {
		ok = true;	/* no records */
		goto done;
	}
	lo = ds_dbq_int64(rs, 0);
	hi = ds_dbq_int64(rs, 1);
	ds_dbq_finalize(rs);
	rs = NULL;
	if ((rs = ds_db_prepare(st->db, sql_records, err)) == NULL)
		goto fail;
	bind_range(rs, report_row, lo, hi);
	ds_dbq_bind_int64(rs, 4, limit ? (int64_t)limit : INT64_MAX);
	for (k = 0; k < 3; k++) {
		if ((ps[k] = ds_db_prepare(st->db,
		    sql_parts[DS_SQL_PG(st)][k], err)) == NULL)
			goto fail;
		bind_range(ps[k], report_row, lo, hi);
		prc[k] = ds_dbq_step(ps[k], err);
	}
	while ((rc = ds_dbq_step(rs, err)) == DS_DB_ROW) {
		id = ds_dbq_int64(rs, 0);
		ds_record_init(&rec);
		record_fill(&rec, rs);
		for (k = 0; k < 3; k++) {
			while (prc[k] == DS_DB_ROW &&
			    ds_dbq_int64(ps[k], 0) <= id) {
				if (ds_dbq_int64(ps[k], 0) == id)
					part_add(&rec, k, ps[k]);
				prc[k] = ds_dbq_step(ps[k], err);
			}
			if (prc[k] != DS_DB_ROW && prc[k] != DS_DB_DONE) {
				ds_record_clear(&rec);
				goto fail;
			}
		}
		more = cb(&rec, payload);
		ds_record_clear(&rec);
		if (!more)
			break;
	}
	if (rc != DS_DB_ROW && rc != DS_DB_DONE)
		goto fail;
	ok = true;
	goto done;
fail:
	ds_store_fail(st, err, "read records of report %" G_GINT64_FORMAT,
	    report_row);
done:
	ds_dbq_finalize(rs);
	for (k = 0; k < 3; k++)
		ds_dbq_finalize(ps[k]);
	return ok;
}
