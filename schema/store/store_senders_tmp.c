/*
 * store_senders_tmp.c - the working tables of the senders query
 * (issue 20, "every command's peak RSS < 64 MiB whatever the size of the
 * history"): the period's IPs and the rows (IPs or groups) live in two
 * TEMP tables, not in memory, so SQL sorts and groups them in bounded
 * memory (SQLite's sorter spills to temporary files; PostgreSQL's
 * work_mem does the same) and the caller streams the kept rows.
 * SPDX-License-Identifier: MIT
 *
 *   ds_ss_ip   one row per source IP of the period: totals, the sort key,
 *              the group key gk ("i" + key, "n" for the unknown group),
 *              whether it is new, its enrichment once looked up;
 *   ds_ss_row  one row per IP or group: totals, sort key, pass rate, and
 *              ord, its place in the output (NULL: filtered or past the
 *              limit).
 *
 * TEMP tables work on read-only SQLite connections (the temporary
 * database is the connection's own) and on PostgreSQL, where a
 * read-only session (default_transaction_read_only) refuses CREATE and
 * DROP even of a temporary table but not INSERT or UPDATE into one: the
 * DDL runs in an explicit BEGIN READ WRITE there. THREATS #11: constant
 * text, values bound.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

#define COLS_IP(BLOB) \
    "id BIGINT PRIMARY KEY, ip TEXT, ipk TEXT NOT NULL UNIQUE, skey " BLOB "," \
    " gk TEXT NOT NULL, records BIGINT, reports BIGINT," \
    " first_seen BIGINT, last_seen BIGINT, messages BIGINT," \
    " pass BIGINT, fail BIGINT, dkim BIGINT, spf BIGINT, dn BIGINT," \
    " dq BIGINT, dr BIGINT, dp BIGINT, is_new INTEGER," \
    " ptr TEXT, conf INTEGER NOT NULL DEFAULT -1, base TEXT," \
    " service TEXT, asn BIGINT NOT NULL DEFAULT 0, as_org TEXT," \
    " country TEXT, UNIQUE (gk, id), UNIQUE (skey, id)"
#define COLS_ROW(BLOB) \
    "id BIGINT PRIMARY KEY, gk TEXT NOT NULL UNIQUE, skey " BLOB "," \
    " rate DOUBLE PRECISION, ips BIGINT, records BIGINT, reports BIGINT," \
    " first_seen BIGINT, last_seen BIGINT, messages BIGINT," \
    " pass BIGINT, fail BIGINT, dkim BIGINT, spf BIGINT, dn BIGINT," \
    " dq BIGINT, dr BIGINT, dp BIGINT, is_new INTEGER, source_ip TEXT," \
    " ord BIGINT, UNIQUE (ord, id)"

#define DROP "DROP TABLE IF EXISTS ds_ss_ip; DROP TABLE IF EXISTS ds_ss_row"
static const char *const sql_drop = DROP;
#define CREATE(BLOB) DROP "; CREATE TEMP TABLE ds_ss_ip (" COLS_IP(BLOB) \
    "); CREATE TEMP TABLE ds_ss_row (" COLS_ROW(BLOB) ")"
/* [dialect] */
static const char *const sql_create[2] = { CREATE("BLOB"), CREATE("BYTEA") };

/* See store_senders.h. */
const char *
ds_store_senders_tmp_sql(void)
{
	return sql_create[0];
}

static const char *const sql_ins_ip =
    "INSERT INTO ds_ss_ip (id, ip, ipk, skey, gk, records, reports,"
    " first_seen, last_seen, messages, pass, fail, dkim, spf, dn, dq, dr,"
    " dp, is_new) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    " ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)";

static const char *const sql_ins_row =
    "INSERT INTO ds_ss_row (id, gk, skey, rate, ips, records, reports,"
    " first_seen, last_seen, messages, pass, fail, dkim, spf, dn, dq, dr,"
    " dp, is_new, source_ip) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)";

/* The IPs' totals summed per group (csum: exact, saturating). */
static const char *const sql_groups =
    "SELECT gk, count(*), csum(records), csum(reports), min(first_seen),"
    " max(last_seen), csum(messages), csum(pass), csum(fail), csum(dkim),"
    " csum(spf), csum(dn), csum(dq), csum(dr), csum(dp), min(is_new),"
    " CASE WHEN count(*) = 1 THEN min(ip) END"
    " FROM ds_ss_ip GROUP BY gk";

static const char *const sql_set_info =
    "UPDATE ds_ss_ip SET ptr = ?2, conf = ?3, base = ?4, service = ?5,"
    " asn = ?6, as_org = ?7, country = ?8, gk = coalesce(?9, gk)"
    " WHERE id = ?1";

/*
 * The IPs to look up, in key order, a chunk at a time (no statement
 * stays open while the caller's lookup runs): every IP (?2 = 0), or
 * those of kept rows.
 */
static const char *const sql_pending =
    "SELECT p.id, p.ip, p.skey FROM ds_ss_ip AS p"
    " WHERE p.skey > ?1 AND p.ip IS NOT NULL AND (?2 = 0 OR EXISTS"
    " (SELECT 1 FROM ds_ss_row AS r WHERE r.gk = p.gk"
    " AND r.ord IS NOT NULL)) ORDER BY p.skey LIMIT 256";

/*
 * The output order, per enum ds_sender_sort, as ds_ss_row_cmp() gives
 * it: ties by messages, then the key (skey sorts as the key does).
 */
#define RANK(order) \
    "UPDATE ds_ss_row SET ord = o.n FROM (SELECT id, row_number() OVER" \
    " (ORDER BY " order ") AS n FROM ds_ss_row WHERE (?2 = 0 OR fail > 0)" \
    " AND (?3 = 0 OR is_new = 1)) AS o WHERE ds_ss_row.id = o.id" \
    " AND o.n <= ?1"
static const char *const sql_rank[] = {
	[DS_SORT_MESSAGES] = RANK("messages DESC, skey"),
	[DS_SORT_FAIL] = RANK("fail DESC, messages DESC, skey"),
	[DS_SORT_PASS] = RANK("pass DESC, messages DESC, skey"),
	[DS_SORT_RATE] = RANK("rate, messages DESC, skey"),
	[DS_SORT_KEY] = RANK("skey"),
	[DS_SORT_FIRST] = RANK("first_seen DESC, messages DESC, skey"),
	[DS_SORT_LAST] = RANK("last_seen DESC, messages DESC, skey"),
};

/* See store_senders_priv.h. */
void
ds_ss_stmts_tmp(GPtrArray *out)
{
	size_t i;

	g_ptr_array_add(out, (gpointer)sql_ins_ip);
	g_ptr_array_add(out, (gpointer)sql_ins_row);
	g_ptr_array_add(out, (gpointer)sql_groups);
	g_ptr_array_add(out, (gpointer)sql_set_info);
	g_ptr_array_add(out, (gpointer)sql_pending);
	for (i = 0; i < G_N_ELEMENTS(sql_rank); i++)
		g_ptr_array_add(out, (gpointer)sql_rank[i]);
}

/* DDL on a temporary table: in a read-write transaction on PostgreSQL. */
static bool
ddl(struct ds_store *st, const char *sql, GError **err)
{
	char *text;
	bool ok;

	if (!DS_SQL_PG(st) || ds_db_in_tx(st->db))
		return ds_store_exec(st, sql, "senders: working tables", err);
	text = g_strconcat("BEGIN READ WRITE; ", sql, "; COMMIT", NULL);
	ok = ds_store_exec(st, text, "senders: working tables", err);
	if (!ok && ds_db_in_tx(st->db))
		(void)ds_db_exec(st->db, "ROLLBACK", NULL);
	g_free(text);
	return ok;
}

/* See store_senders_priv.h. */
bool
ds_ss_tmp_create(struct ds_ss_tmp *t, struct ds_store *st, GError **err)
{
	memset(t, 0, sizeof(*t));
	t->st = st;
	if (!ddl(st, sql_create[DS_SQL_PG(st)], err))
		return false;
	t->made = true;
	if ((t->ins_ip = ds_store_prepare(st, sql_ins_ip,
	    "senders: prepare working IP", err)) == NULL ||
	    (t->ins_row = ds_store_prepare(st, sql_ins_row,
	    "senders: prepare working row", err)) == NULL)
		return false;
	return true;
}

/* See store_senders_priv.h. */
void
ds_ss_tmp_drop(struct ds_ss_tmp *t)
{
	ds_dbq_finalize(t->ins_ip);
	ds_dbq_finalize(t->ins_row);
	t->ins_ip = t->ins_row = NULL;
	if (t->made)
		(void)ddl(t->st, sql_drop, NULL);
	t->made = false;
}

static void
bind_opt_text(struct ds_dbq *s, int i, const char *v)
{
	if (v != NULL)
		ds_dbq_bind_text(s, i, v, -1);
	else
		ds_dbq_bind_null(s, i);
}

/* Bind the totals of d at ?first.. in the order of the tables. */
static void
bind_totals(struct ds_dbq *s, int first, const struct ds_sender *d)
{
	const int64_t v[] = { d->records, d->reports, d->first_seen,
		d->last_seen, d->messages, d->dmarc_pass, d->dmarc_fail,
		d->dkim_pass, d->spf_pass, d->disp.none, d->disp.quarantine,
		d->disp.reject, d->disp.pass };
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(v); i++)
		ds_dbq_bind_int64(s, first + (int)i, v[i]);
}

/* See store_senders_priv.h. */
bool
ds_ss_tmp_add_ip(struct ds_ss_tmp *t, const struct ds_sender *d,
    const char *gk, GError **err)
{
	struct ds_dbq *s = t->ins_ip;
	GByteArray *k = ds_ss_sort_key(d->source_ip);

	ds_dbq_reset(s);
	ds_dbq_bind_int64(s, 1, ++t->ips);
	bind_opt_text(s, 2, d->source_ip);
	ds_dbq_bind_text(s, 3, d->source_ip ? d->source_ip : "", -1);
	ds_dbq_bind_blob(s, 4, k->data, k->len);
	ds_dbq_bind_text(s, 5, gk, -1);
	bind_totals(s, 6, d);
	ds_dbq_bind_int64(s, 19, d->is_new ? 1 : 0);
	g_byte_array_unref(k);
	return ds_store_step_done(t->st, s, "senders: working IP", err);
}

/* Add one row of the output: IP or group (key NULL: unknown). */
static bool
add_row(struct ds_ss_tmp *t, const char *gk, const struct ds_sender *d,
    GError **err)
{
	struct ds_dbq *s = t->ins_row;
	GByteArray *k = ds_ss_sort_key(gk[0] == 'i' ? gk + 1 : NULL);

	ds_dbq_reset(s);
	ds_dbq_bind_int64(s, 1, ++t->rows);
	ds_dbq_bind_text(s, 2, gk, -1);
	ds_dbq_bind_blob(s, 3, k->data, k->len);
	ds_dbq_bind_double(s, 4, ds_pass_rate(d->dmarc_pass, d->messages));
	ds_dbq_bind_int64(s, 5, d->ips);
	bind_totals(s, 6, d);
	ds_dbq_bind_int64(s, 19, d->is_new ? 1 : 0);
	bind_opt_text(s, 20, d->source_ip);
	g_byte_array_unref(k);
	return ds_store_step_done(t->st, s, "senders: working row", err);
}

/* See store_senders_priv.h. */
bool
ds_ss_tmp_group(struct ds_ss_tmp *t, GError **err)
{
	struct ds_dbq *s;
	struct ds_sender d;
	int rc;

	if ((s = ds_store_prepare(t->st, sql_groups,
	    "senders: prepare groups", err)) == NULL)
		return false;
	while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
		memset(&d, 0, sizeof(d));
		d.ips = ds_ss_int(s, 1);
		d.records = ds_ss_int(s, 2);
		d.reports = ds_ss_int(s, 3);
		d.first_seen = ds_dbq_int64(s, 4);
		d.last_seen = ds_dbq_int64(s, 5);
		d.messages = ds_ss_int(s, 6);
		d.dmarc_pass = ds_ss_int(s, 7);
		d.dmarc_fail = ds_ss_int(s, 8);
		d.dkim_pass = ds_ss_int(s, 9);
		d.spf_pass = ds_ss_int(s, 10);
		d.disp.none = ds_ss_int(s, 11);
		d.disp.quarantine = ds_ss_int(s, 12);
		d.disp.reject = ds_ss_int(s, 13);
		d.disp.pass = ds_ss_int(s, 14);
		d.is_new = ds_dbq_int64(s, 15) != 0;
		d.source_ip = (char *)ds_dbq_text(s, 16);
		if (!add_row(t, ds_dbq_text(s, 0), &d, err)) {
			ds_dbq_finalize(s);
			return false;
		}
	}
	ds_dbq_finalize(s);
	if (rc != DS_DB_DONE)
		return ds_store_fail(t->st, err, "senders: groups");
	return true;
}

/* See store_senders_priv.h. */
bool
ds_ss_tmp_rank(struct ds_ss_tmp *t, const struct ds_sender_query *q,
    GError **err)
{
	struct ds_dbq *s;
	unsigned o = q->sort < G_N_ELEMENTS(sql_rank) ? q->sort : 0;

	if ((s = ds_store_prepare(t->st, sql_rank[o],
	    "senders: prepare order", err)) == NULL)
		return false;
	ds_dbq_bind_int64(s, 1, q->period.limit ? (int64_t)q->period.limit :
	    INT64_MAX);
	ds_dbq_bind_int64(s, 2, q->failing ? 1 : 0);
	ds_dbq_bind_int64(s, 3, q->only_new ? 1 : 0);
	if (!ds_store_step_done(t->st, s, "senders: order", err)) {
		ds_dbq_finalize(s);
		return false;
	}
	ds_dbq_finalize(s);
	return true;
}

struct pending {
	int64_t id;
	char *ip;
};

/*
 * See store_senders_priv.h. Chunks of 256 IPs: read, finalize, look up
 * (fn may use the store), write back.
 */
bool
ds_ss_tmp_enrich(struct ds_ss_tmp *t, bool kept_only, ds_ss_enrich_fn fn,
    void *payload, GError **err)
{
	GByteArray *last = g_byte_array_new();
	GArray *chunk = g_array_new(FALSE, FALSE, sizeof(struct pending));
	struct ds_dbq *s = NULL, *up = NULL;
	struct ds_ipinfo info;
	char *gk;
	bool ok = false;
	size_t n;
	const void *b;
	guint i;
	int rc;

	if ((up = ds_store_prepare(t->st, sql_set_info,
	    "senders: prepare enrichment", err)) == NULL)
		goto done;
	for (;;) {
		if ((s = ds_store_prepare(t->st, sql_pending,
		    "senders: prepare lookups", err)) == NULL)
			goto done;
		/* a NULL pointer would bind SQL NULL: never greater */
		ds_dbq_bind_blob(s, 1, last->len ? last->data :
		    (const guint8 *)"", last->len);
		ds_dbq_bind_int64(s, 2, kept_only ? 1 : 0);
		while ((rc = ds_dbq_step(s, err)) == DS_DB_ROW) {
			struct pending p = { ds_dbq_int64(s, 0),
			    g_strdup(ds_dbq_text(s, 1)) };

			g_array_append_val(chunk, p);
			b = ds_dbq_blob(s, 2, &n);
			g_byte_array_set_size(last, 0);
			g_byte_array_append(last, b, (guint)n);
		}
		ds_dbq_finalize(s);
		s = NULL;
		if (rc != DS_DB_DONE) {
			ds_store_fail(t->st, err, "senders: lookups");
			goto done;
		}
		if (chunk->len == 0)
			break;
		for (i = 0; i < chunk->len; i++) {
			struct pending *p = &g_array_index(chunk,
			    struct pending, i);

			ds_ipinfo_init(&info);
			info.ip = p->ip;
			p->ip = NULL;
			gk = NULL;
			if (!fn(&info, &gk, payload, err)) {
				ds_ipinfo_clear(&info);
				goto done;
			}
			ds_dbq_reset(up);
			ds_dbq_bind_int64(up, 1, p->id);
			bind_opt_text(up, 2, info.ptr);
			ds_dbq_bind_int64(up, 3, info.ptr_confirmed);
			bind_opt_text(up, 4, info.base_domain);
			bind_opt_text(up, 5, info.service);
			ds_dbq_bind_int64(up, 6, info.asn);
			bind_opt_text(up, 7, info.as_org);
			bind_opt_text(up, 8, info.country);
			bind_opt_text(up, 9, gk);
			ds_ipinfo_clear(&info);
			g_free(gk);
			if (!ds_store_step_done(t->st, up,
			    "senders: enrichment", err))
				goto done;
		}
		g_array_set_size(chunk, 0);
	}
	ok = true;
done:
	for (i = 0; i < chunk->len; i++)
		g_free(g_array_index(chunk, struct pending, i).ip);
	g_array_unref(chunk);
	g_byte_array_unref(last);
	ds_dbq_finalize(s);
	ds_dbq_finalize(up);
	return ok;
}
