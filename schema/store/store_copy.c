/*
 * store_copy.c - `dmarcsift migrate-store`: copy a store table by table
 * into another, on any two back ends (store_copy.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: the statements are built from the constant table below
 * (our own table and column names), every value is bound. Each batch
 * of DS_COPY_BATCH rows is one transaction of the target, so a run that
 * dies loses at most the batch in flight, and a rerun starts after the
 * largest id the target has (tables keyed by id) or lets ON CONFLICT
 * DO NOTHING skip what is there (the small tables keyed by text).
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_copy.h"
#include "schema/store/store_priv.h"
#include "schema/store/store_part.h"

#define DS_COPY_BATCH 2000

/*
 * Every table of the schema, parents before children. cols: the
 * columns, each with its kind: i integer, t text, b blob. key: the
 * integer primary key batches walk, or NULL (copied in one pass,
 * ordered by order). tests/unit/test_store_copy.c checks that this
 * list names every table and column a new store has.
 */
struct table {
	const char *name;
	const char *key;
	const char *order;
	const char *const cols[48];
	const char kinds[48];
};

static const struct table tables[] = {
	{ "message", "id", NULL, {
	    "id", "sha256", "source", "size", "status", "arrivals",
	    "first_seen", "last_seen" },
	    "ittitiii" },
	{ "report", "id", NULL, {
	    "id", "org_name", "report_id", "domain", "begin_ts", "end_ts",
	    "format", "version", "email", "extra_contact_info", "generator",
	    "errors", "adkim", "aspf", "p", "sp", "np", "pct", "fo",
	    "discovery_method", "testing", "extensions", "warnings",
	    "records", "messages", "source", "message_row", "ingested_at" },
	    "itttiitttttttttttitttttiitii" },
	{ "record", "id", NULL, {
	    "id", "report_row", "source_ip", "count", "disposition", "dkim",
	    "spf", "envelope_to", "envelope_from", "header_from", "reasons",
	    "dkim_auth", "spf_auth", "extensions", "mid_ts" },
	    "iititttttttttti" },
	{ "report_conflict", "id", NULL, {
	    "id", "report_row", "content_hash", "records", "messages",
	    "source", "raw", "ingested_at" },
	    "iitiitbi" },
	{ "quarantine", "id", NULL, {
	    "id", "sha256", "source", "reason", "size", "raw", "created" },
	    "itttibi" },
	{ "failure_report", "id", NULL, {
	    "id", "identity", "domain", "event_ts", "report_message_id",
	    "report_from", "reporter", "report_date", "report_ts",
	    "report_subject", "report_type", "fields", "feedback_type",
	    "user_agent", "version", "original_mail_from",
	    "original_rcpt_to", "arrival_date", "arrival_ts", "source_ip",
	    "reported_domain", "reported_uri", "auth_results",
	    "auth_failure", "dkim_domain", "dkim_identity", "dkim_selector",
	    "dkim_canon_header", "dkim_canon_body", "spf_dns",
	    "delivery_result", "identity_alignment", "sample_kind",
	    "warnings", "verification", "verification_text", "spf_now",
	    "dkim_now", "dmarc_now", "differences", "dns_mode",
	    "verified_at", "source", "message_row", "ingested_at" },
	    "ittittttitttttttttittttttttttttttttttttttitii" },
	{ "failure_sample", "report_row", NULL, {
	    "report_row", "headers_only", "raw", "header_from", "subject",
	    "message_id", "date", "auth_results", "dkim_signatures" },
	    "iibtttttt" },
	{ "tls_report", "id", NULL, {
	    "id", "org_name", "report_id", "domain", "begin_ts", "end_ts",
	    "start_text", "end_text", "contact_info", "submitter",
	    "policies", "successes", "failures", "warnings", "source",
	    "message_row", "ingested_at" },
	    "itttiittttiiittii" },
	{ "tls_policy", "id", NULL, {
	    "id", "report_row", "type", "domain", "strings", "mx_hosts",
	    "successes", "failures" },
	    "iittttii" },
	{ "tls_failure", "id", NULL, {
	    "id", "policy_row", "result_type", "sending_mta_ip",
	    "receiving_mx_hostname", "receiving_mx_helo", "receiving_ip",
	    "failed_sessions", "additional_info", "failure_reason_code" },
	    "iitttttitt" },
	{ "source_mailbox", NULL, "mailbox", {
	    "mailbox", "epoch", "last_run" },
	    "tti" },
	{ "source_msg", NULL, "mailbox, epoch, msgid", {
	    "mailbox", "epoch", "msgid", "state", "size", "updated" },
	    "ttttii" },
	{ "ip_info", NULL, "ip", {
	    "ip", "ptr", "ptr_confirmed", "base_domain", "service",
	    "status", "checked_at", "ttl", "asn", "as_org", "as_domain",
	    "country", "geo_built" },
	    "ttitttiiittti" },
	{ "sender_seen", NULL, "source_ip, domain", {
	    "source_ip", "domain", "first_mid", "last_mid" },
	    "ttii" },
	/* the rollups (015, 018), copied as they are */
	{ "day_rollup", NULL, "domain, day, source_ip, disposition, dkim,"
	    " spf, header_from, org_name", {
	    "domain", "day", "source_ip", "disposition", "dkim", "spf",
	    "header_from", "org_name", "records", "messages" },
	    "tittttttii" },
	{ "day_ip", NULL, "report_row, day, source_ip, dkim, spf, fwd,"
	    " spf_fail, own_dkim", {
	    "report_row", "day", "source_ip", "dkim", "spf", "fwd",
	    "spf_fail", "own_dkim", "records", "messages" },
	    "iitttittii" },
	{ "day_auth", NULL, "report_row, day, source_ip, kind, auth_domain,"
	    " selector, result, spf_pass", {
	    "report_row", "day", "source_ip", "kind", "auth_domain",
	    "selector", "result", "spf_pass", "messages" },
	    "iititttii" },
	{ "retention", NULL, "what", {
	    "what", "before_ts" },
	    "ti" },
};

const char *
ds_store_copy_table(size_t i)
{
	return i < G_N_ELEMENTS(tables) ? tables[i].name : NULL;
}

static int
ncols(const struct table *t)
{
	int n = 0;

	while (n < (int)G_N_ELEMENTS(t->cols) && t->cols[n] != NULL)
		n++;
	return n;
}

/* A single integer from sql (no parameters); NULL gives dflt. */
static bool
one_int(struct ds_db *db, const char *sql, int64_t dflt, int64_t *out,
    GError **err)
{
	struct ds_dbq *q = ds_db_prepare(db, sql, err);
	bool ok = false;

	if (q == NULL)
		return false;
	if (ds_dbq_step(q, err) == DS_DB_ROW) {
		*out = ds_dbq_null(q, 0) ? dflt : ds_dbq_int64(q, 0);
		ok = true;
	}
	ds_dbq_finalize(q);
	return ok;
}

static bool
count_rows(struct ds_db *db, const char *table, int64_t *out, GError **err)
{
	char *sql = g_strdup_printf("SELECT count(*) FROM %s", table);
	bool ok = one_int(db, sql, 0, out, err);

	g_free(sql);
	return ok;
}

/* Bind the current row of src as the parameters of ins. */
static void
bind_row(const struct table *t, int n, struct ds_dbq *src,
    struct ds_dbq *ins)
{
	const void *p;
	size_t len;
	int i;

	for (i = 0; i < n; i++) {
		if (ds_dbq_null(src, i)) {
			ds_dbq_bind_null(ins, i + 1);
			continue;
		}
		switch (t->kinds[i]) {
		case 'i':
			ds_dbq_bind_int64(ins, i + 1, ds_dbq_int64(src, i));
			break;
		case 'b':
			p = ds_dbq_blob(src, i, &len);
			ds_dbq_bind_blob(ins, i + 1, p ? p : "", len);
			break;
		default:
			ds_dbq_bind_text(ins, i + 1, ds_dbq_text(src, i), -1);
			break;
		}
	}
}

struct job {
	struct ds_db *from, *to;
	const struct table *t;
	struct ds_dbq *sel, *ins;
	int n;
	struct ds_copy_count *count;
	ds_copy_progress_cb cb;
	void *payload;
};

/*
 * One batch: the rows after *last (keyed tables), or all of them, each
 * DS_COPY_BATCH rows a committed transaction of the target. *more says
 * whether a keyed table may have rows left.
 */
static bool
batch(struct job *j, int64_t *last, bool *more, GError **err)
{
	enum ds_db_step rc;
	int64_t rows = 0;

	*more = false;
	if (j->t->key != NULL) {
		ds_dbq_reset(j->sel);
		ds_dbq_bind_int64(j->sel, 1, *last);
		ds_dbq_bind_int64(j->sel, 2, DS_COPY_BATCH);
	}
	if (!ds_db_begin(j->to, err))
		return false;
	while ((rc = ds_dbq_step(j->sel, err)) == DS_DB_ROW) {
		bind_row(j->t, j->n, j->sel, j->ins);
		if (ds_dbq_step(j->ins, err) != DS_DB_DONE)
			goto fail;
		j->count->copied += ds_dbq_changes(j->ins);
		ds_dbq_reset(j->ins);
		if (j->t->key != NULL)
			*last = ds_dbq_int64(j->sel, 0);
		if (++rows % DS_COPY_BATCH == 0 && j->t->key == NULL) {
			if (!ds_db_exec(j->to, "COMMIT", err) ||
			    !ds_db_begin(j->to, err))
				goto fail;
			if (j->cb)
				j->cb(j->t->name, j->count->copied,
				    j->count->source, j->payload);
		}
	}
	if (rc != DS_DB_DONE)
		goto fail;
	if (!ds_db_exec(j->to, "COMMIT", err))
		goto fail;
	*more = j->t->key != NULL && rows == DS_COPY_BATCH;
	if (j->cb)
		j->cb(j->t->name, j->count->copied, j->count->source,
		    j->payload);
	return true;
fail:
	if (ds_db_in_tx(j->to))
		(void)ds_db_exec(j->to, "ROLLBACK", NULL);
	return false;
}

static char *
select_sql(const struct table *t, int n)
{
	GString *g = g_string_new("SELECT ");
	int i;

	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? ", " : "", t->cols[i]);
	g_string_append_printf(g, " FROM %s", t->name);
	if (t->key != NULL)
		g_string_append_printf(g, " WHERE %s > ?1 ORDER BY %s LIMIT ?2",
		    t->key, t->key);
	else
		g_string_append_printf(g, " ORDER BY %s", t->order);
	return g_string_free(g, FALSE);
}

static char *
insert_sql(const struct table *t, int n)
{
	GString *g = g_string_new("INSERT INTO ");
	int i;

	g_string_append_printf(g, "%s (", t->name);
	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s%s", i ? ", " : "", t->cols[i]);
	g_string_append(g, ") VALUES (");
	for (i = 0; i < n; i++)
		g_string_append_printf(g, "%s?%d", i ? ", " : "", i + 1);
	g_string_append(g, ") ON CONFLICT DO NOTHING");
	return g_string_free(g, FALSE);
}

/*
 * PostgreSQL: the identity sequence of a table whose ids were copied
 * goes past the largest one, so the next ingest takes new numbers.
 */
static bool
sync_sequence(struct ds_db *to, const struct table *t, GError **err)
{
	char *sql;
	bool ok;

	if (ds_db_kind(to) != DS_DB_PG || t->key == NULL ||
	    strcmp(t->key, "id") != 0)
		return true;
	sql = g_strdup_printf("SELECT setval(pg_get_serial_sequence('%s', "
	    "'id'), max(id)) FROM %s HAVING max(id) IS NOT NULL", t->name,
	    t->name);
	ok = ds_db_exec(to, sql, err);
	g_free(sql);
	return ok;
}

static bool
copy_table(struct job *j, GError **err)
{
	char *sel = select_sql(j->t, j->n), *ins = insert_sql(j->t, j->n);
	char *max = NULL;
	int64_t last = INT64_MIN;
	bool ok = false, more = true;

	j->sel = ds_db_prepare(j->from, sel, err);
	j->ins = j->sel ? ds_db_prepare(j->to, ins, err) : NULL;
	if (j->ins == NULL)
		goto done;
	if (j->t->key != NULL) {
		/* resume after the last committed batch */
		max = g_strdup_printf("SELECT max(%s) FROM %s", j->t->key,
		    j->t->name);
		if (!one_int(j->to, max, INT64_MIN, &last, err))
			goto done;
	}
	while (more)
		if (!batch(j, &last, &more, err))
			goto done;
	ok = sync_sequence(j->to, j->t, err);
done:
	if (!ok)
		g_prefix_error(err, "%s: ", j->t->name);
	ds_dbq_finalize(j->sel);
	ds_dbq_finalize(j->ins);
	j->sel = j->ins = NULL;
	g_free(max);
	g_free(sel);
	g_free(ins);
	return ok;
}

bool
ds_store_copy(struct ds_store *from, struct ds_store *to,
    ds_copy_progress_cb cb, void *payload, GArray **counts, GError **err)
{
	struct job j = { .from = from->db, .to = to->db, .cb = cb,
	    .payload = payload };
	GArray *a = g_array_new(FALSE, TRUE, sizeof(struct ds_copy_count));
	int vf = ds_store_schema_version(from), vt =
	    ds_store_schema_version(to);
	size_t i;

	*counts = a;
	if (vf != vt)
		return ds_fail(err, DS_ERROR_USAGE, "schema versions differ: "
		    "%s has %d, %s has %d", ds_db_name(from->db), vf,
		    ds_db_name(to->db), vt);
	g_array_set_size(a, G_N_ELEMENTS(tables));
	for (i = 0; i < G_N_ELEMENTS(tables); i++) {
		struct ds_copy_count *c = &g_array_index(a,
		    struct ds_copy_count, i);

		c->table = tables[i].name;
		j.t = &tables[i];
		j.n = ncols(&tables[i]);
		j.count = c;
		if (!count_rows(j.from, c->table, &c->source, err) ||
		    !ds_store_part_like(to, from, c->table, err) ||
		    !copy_table(&j, err) ||
		    !count_rows(j.to, c->table, &c->target, err))
			return false;
	}
	for (i = 0; i < a->len; i++) {
		struct ds_copy_count *c = &g_array_index(a,
		    struct ds_copy_count, i);

		if (c->source != c->target)
			return ds_fail(err, DS_ERROR_USAGE, "%s: %" G_GINT64_FORMAT
			    " rows in %s but %" G_GINT64_FORMAT " in %s: the "
			    "target holds rows of another store", c->table,
			    c->source, ds_db_name(from->db), c->target,
			    ds_db_name(to->db));
	}
	return true;
}
