/*
 * store_senders_util.c - what the reporter queries share: preparing and
 * binding the constant period statements, reading counted columns
 * without overflow, small GLib helpers.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: statements are constant text chosen by the caller,
 * values are bound (?1 domain, ?2 since, ?3 until, ?4 limit).
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

/*
 * See store_senders_priv.h. The domain is bound only in sql[1]; ?4 only
 * when the statement has a fourth parameter. DS_ERROR_DB.
 */
bool
ds_ss_prepare(struct ds_store *st, const char *const sql[2],
    const struct ds_query *q, struct ds_dbq **out, GError **err)
{
	const char *text = sql[q->domain != NULL];
	struct ds_dbq *s;

	*out = NULL;
	if ((s = ds_store_prepare(st, text, "prepare reporter query",
	    err)) == NULL)
		return false;
	ds_dbq_bind_int64(s, 2, q->since);
	ds_dbq_bind_int64(s, 3, q->until);
	if (q->domain != NULL)
		ds_dbq_bind_text(s, 1, q->domain, -1);
	if (strstr(text, "?4") != NULL)
		ds_dbq_bind_int64(s, 4,
		    q->limit ? (int64_t)q->limit : INT64_MAX);
	*out = s;
	return true;
}

/* See store_senders_priv.h. */
char *
ds_ss_col(struct ds_dbq *s, int i)
{
	return g_strdup(ds_dbq_text(s, i));
}

/*
 * See store_senders_priv.h. NULL and negatives read as 0; a double
 * (total()) is truncated by the back end, anything at or past 2^63 read
 * as INT64_MAX (SQLite's and the PostgreSQL driver's conversion).
 */
int64_t
ds_ss_int(struct ds_dbq *s, int i)
{
	return MAX(ds_dbq_int64(s, i), 0);
}

/* See store_senders_priv.h. d->other is what no known disposition took. */
void
ds_ss_sums(struct ds_dbq *s, int i, int64_t *messages, int64_t *pass,
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
