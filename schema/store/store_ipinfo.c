/*
 * store_ipinfo.c - the IP enrichment cache (table ip_info, migrations
 * 004 and 008): one row per source IP with its PTR, forward
 * confirmation, base domain and service, and when it was looked up; its
 * AS number, AS organisation and country, and the build date of the
 * MaxMind databases they came from.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #11: constant statements, bound values. The PTR and names in
 * it came from DNS answers: attacker text, escaped by whoever prints it.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/store/store_senders_priv.h"

static const char sql_get[] =
    "SELECT ptr, ptr_confirmed, base_domain, service, status, checked_at,"
    " ttl, asn, as_org, as_domain, country, geo_built FROM ip_info"
    " WHERE ip = ?1";

static const char sql_put[] =
    "INSERT INTO ip_info (ip, ptr, ptr_confirmed, base_domain,"
    " service, status, checked_at, ttl, asn, as_org, as_domain, country,"
    " geo_built) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    " ?12, ?13) ON CONFLICT (ip) DO UPDATE SET ptr = excluded.ptr,"
    " ptr_confirmed = excluded.ptr_confirmed,"
    " base_domain = excluded.base_domain, service = excluded.service,"
    " status = excluded.status, checked_at = excluded.checked_at,"
    " ttl = excluded.ttl, asn = excluded.asn, as_org = excluded.as_org,"
    " as_domain = excluded.as_domain, country = excluded.country,"
    " geo_built = excluded.geo_built";

/* See store_senders_priv.h. */
void
ds_ss_stmts_ipinfo(GPtrArray *out)
{
	g_ptr_array_add(out, (gpointer)sql_get);
	g_ptr_array_add(out, (gpointer)sql_put);
}

/* See store_senders.h. */
void
ds_ipinfo_init(struct ds_ipinfo *i)
{
	memset(i, 0, sizeof(*i));
	i->ptr_confirmed = -1;
}

/* See store_senders.h. NULL-safe fields. */
void
ds_ipinfo_clear(struct ds_ipinfo *i)
{
	g_free(i->ip);
	g_free(i->ptr);
	g_free(i->base_domain);
	g_free(i->service);
	g_free(i->status);
	g_free(i->as_org);
	g_free(i->as_domain);
	g_free(i->country);
	ds_ipinfo_init(i);
}

/* See store_senders.h. DS_ERROR_DB. */
bool
ds_store_ipinfo_get(struct ds_store *st, const char *ip,
    struct ds_ipinfo *out, bool *found, GError **err)
{
	struct ds_dbq *s = NULL;
	int rc;

	ds_ipinfo_init(out);
	out->ip = g_strdup(ip);
	*found = false;
	/* cached: senders asks once per IP, preparing cost more than it */
	if ((s = ds_store_stmt(st, DS_STMT_IPINFO_GET, sql_get, err)) == NULL)
		return false;
	ds_dbq_bind_text(s, 1, ip, -1);
	rc = ds_dbq_step(s, err);
	if (rc == DS_DB_ROW) {
		out->ptr = ds_ss_col(s, 0);
		out->ptr_confirmed = ds_dbq_null(s, 1) ?
		    -1 : (int)ds_dbq_int64(s, 1) != 0;
		out->base_domain = ds_ss_col(s, 2);
		out->service = ds_ss_col(s, 3);
		out->status = ds_ss_col(s, 4);
		out->checked_at = ds_dbq_int64(s, 5);
		out->ttl = ds_dbq_int64(s, 6);
		out->asn = ds_dbq_int64(s, 7);
		out->as_org = ds_ss_col(s, 8);
		out->as_domain = ds_ss_col(s, 9);
		out->country = ds_ss_col(s, 10);
		out->geo_built = ds_dbq_int64(s, 11);
		*found = true;
	}
	if (rc != DS_DB_ROW && rc != DS_DB_DONE) {
		ds_store_fail(st, err, "read ip_info");
		ds_dbq_reset(s);
		return false;
	}
	ds_dbq_reset(s);
	return true;
}

/*
 * See store_senders.h. status NULL is stored as "ok", a negative ttl as
 * 0, ptr_confirmed < 0 as NULL, an asn outside 1..2^32-1 as NULL.
 * DS_ERROR_DB.
 */
bool
ds_store_ipinfo_put(struct ds_store *st, const struct ds_ipinfo *in,
    GError **err)
{
	struct ds_dbq *s = NULL;
	bool ok;

	if (in->ip == NULL)
		return ds_fail(err, DS_ERROR_DB, "ip_info: no IP");
	if (st->readonly)
		return true;	/* a read-only command caches nothing */
	if ((s = ds_store_stmt(st, DS_STMT_IPINFO_PUT, sql_put, err)) == NULL)
		return false;
	/* bind_text binds NULL for a NULL string */
	ds_dbq_bind_text(s, 1, in->ip, -1);
	ds_dbq_bind_text(s, 2, in->ptr, -1);
	if (in->ptr_confirmed < 0)
		ds_dbq_bind_null(s, 3);
	else
		ds_dbq_bind_int64(s, 3, in->ptr_confirmed != 0);
	ds_dbq_bind_text(s, 4, in->base_domain, -1);
	ds_dbq_bind_text(s, 5, in->service, -1);
	ds_dbq_bind_text(s, 6, in->status ? in->status : "ok", -1);
	ds_dbq_bind_int64(s, 7, in->checked_at);
	ds_dbq_bind_int64(s, 8, MAX(in->ttl, 0));
	if (in->asn > 0 && in->asn <= UINT32_MAX)
		ds_dbq_bind_int64(s, 9, in->asn);
	else
		ds_dbq_bind_null(s, 9);
	ds_dbq_bind_text(s, 10, in->as_org, -1);
	ds_dbq_bind_text(s, 11, in->as_domain, -1);
	ds_dbq_bind_text(s, 12, in->country, -1);
	ds_dbq_bind_int64(s, 13, MAX(in->geo_built, 0));
	ok = ds_dbq_step(s, err) == DS_DB_DONE;
	if (!ok)
		ds_store_fail(st, err, "write ip_info");
	ds_dbq_reset(s);
	return ok;
}
