/*
 * store_senders_util.c - what the reporter queries share: preparing and
 * binding the constant period statements, reading counted columns
 * without overflow, small GLib helpers.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: statements are constant text chosen by the caller,
 * values are bound (?1 domain, ?2 since, ?3 until, ?4 limit).
 */
#include "schema/util/count.h"
#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

/*
 * See store_senders_priv.h. The domain is bound only in sql[1]; ?4 only
 * when the statement has a fourth parameter. DS_ERROR_DB.
 */
bool
ds_ss_prepare(struct ds_store *st, const char *const sql[2],
    const struct ds_query *q, sqlite3_stmt **out, GError **err)
{
	sqlite3_stmt *s = NULL;
	int ok;

	*out = NULL;
	if (sqlite3_prepare_v2(st->db, sql[q->domain != NULL], -1, &s,
	    NULL) != SQLITE_OK)
		return ds_store_fail(st, err, "prepare reporter query");
	ok = sqlite3_bind_int64(s, 2, q->since) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 3, q->until) == SQLITE_OK;
	if (ok && q->domain != NULL)
		ok = sqlite3_bind_text(s, 1, q->domain, -1, SQLITE_TRANSIENT)
		    == SQLITE_OK;
	if (ok && sqlite3_bind_parameter_count(s) >= 4)
		ok = sqlite3_bind_int64(s, 4, q->limit ? (int64_t)q->limit :
		    -1) == SQLITE_OK;
	if (!ok) {
		ds_store_fail(st, err, "bind reporter query");
		sqlite3_finalize(s);
		return false;
	}
	*out = s;
	return true;
}

/* See store_senders_priv.h. */
char *
ds_ss_col(sqlite3_stmt *s, int i)
{
	return g_strdup((const char *)sqlite3_column_text(s, i));
}

/*
 * See store_senders_priv.h. total() gives a double; NULL, NaN and
 * negatives read as 0, anything at or past 2^63 as INT64_MAX.
 */
int64_t
ds_ss_int(sqlite3_stmt *s, int i)
{
	double d;

	if (sqlite3_column_type(s, i) == SQLITE_INTEGER)
		return MAX(sqlite3_column_int64(s, i), 0);
	d = sqlite3_column_double(s, i);
	if (!(d > 0))
		return 0;
	if (d >= 9223372036854775807.0)
		return INT64_MAX;
	return (int64_t)d;
}

/* See store_senders_priv.h. d->other is what no known disposition took. */
void
ds_ss_sums(sqlite3_stmt *s, int i, int64_t *messages, int64_t *pass,
    int64_t *dkim, int64_t *spf, struct ds_disp_counts *d)
{
	int64_t known;

	*messages = ds_ss_int(s, i);
	*pass = ds_ss_int(s, i + 1);
	*dkim = ds_ss_int(s, i + 2);
	*spf = ds_ss_int(s, i + 3);
	d->none = ds_ss_int(s, i + 4);
	d->quarantine = ds_ss_int(s, i + 5);
	d->reject = ds_ss_int(s, i + 6);
	d->pass = ds_ss_int(s, i + 7);
	known = ds_ss_add(ds_ss_add(d->none, d->quarantine),
	    ds_ss_add(d->reject, d->pass));
	d->other = *messages > known ? *messages - known : 0;
}

/* See store_senders_priv.h. */
int64_t
ds_ss_add(int64_t a, int64_t b)
{
	(void)ds_count_add(&a, b); /* the one checked add (count.h) */
	return a;
}

/* See store_senders_priv.h. */
GPtrArray *
ds_ss_values(GHashTable *h)
{
	GPtrArray *a = g_ptr_array_sized_new(g_hash_table_size(h));
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, h);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(a, v);
	return a;
}

/* See store_senders_priv.h. */
int64_t
ds_ss_day(int64_t t)
{
	int64_t d = t / DS_DAY;

	if (t % DS_DAY < 0)
		d--;
	return d * DS_DAY;
}

/* See store_senders.h. */
GPtrArray *
ds_store_reporter_sql(void)
{
	GPtrArray *a = g_ptr_array_new();

	ds_ss_stmts_senders(a);
	ds_ss_stmts_summary(a);
	ds_ss_stmts_reporters(a);
	ds_ss_stmts_ipinfo(a);
	return a;
}
