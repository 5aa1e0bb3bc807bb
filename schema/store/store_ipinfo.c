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
    "INSERT OR REPLACE INTO ip_info (ip, ptr, ptr_confirmed, base_domain,"
    " service, status, checked_at, ttl, asn, as_org, as_domain, country,"
    " geo_built) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
    " ?12, ?13)";

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
	sqlite3_stmt *s = NULL;
	int rc;

	ds_ipinfo_init(out);
	out->ip = g_strdup(ip);
	*found = false;
	/* cached: senders asks once per IP, preparing cost more than it */
	if ((s = ds_store_stmt(st, DS_STMT_IPINFO_GET, sql_get, err)) == NULL)
		return false;
	sqlite3_bind_text(s, 1, ip, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out->ptr = ds_ss_col(s, 0);
		out->ptr_confirmed = sqlite3_column_type(s, 1) == SQLITE_NULL ?
		    -1 : sqlite3_column_int(s, 1) != 0;
		out->base_domain = ds_ss_col(s, 2);
		out->service = ds_ss_col(s, 3);
		out->status = ds_ss_col(s, 4);
		out->checked_at = sqlite3_column_int64(s, 5);
		out->ttl = sqlite3_column_int64(s, 6);
		out->asn = sqlite3_column_int64(s, 7);
		out->as_org = ds_ss_col(s, 8);
		out->as_domain = ds_ss_col(s, 9);
		out->country = ds_ss_col(s, 10);
		out->geo_built = sqlite3_column_int64(s, 11);
		*found = true;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		ds_store_fail(st, err, "read ip_info");
		sqlite3_reset(s);
		return false;
	}
	sqlite3_reset(s);
	return true;
}

static int
bind_opt(sqlite3_stmt *s, int i, const char *v)
{
	return v ? sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT) :
	    sqlite3_bind_null(s, i);
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
	sqlite3_stmt *s = NULL;
	bool ok;

	if (in->ip == NULL)
		return ds_fail(err, DS_ERROR_DB, "ip_info: no IP");
	if (st->readonly)
		return true;	/* a read-only command caches nothing */
	if ((s = ds_store_stmt(st, DS_STMT_IPINFO_PUT, sql_put, err)) == NULL)
		return false;
	ok = bind_opt(s, 1, in->ip) == SQLITE_OK &&
	    bind_opt(s, 2, in->ptr) == SQLITE_OK &&
	    (in->ptr_confirmed < 0 ? sqlite3_bind_null(s, 3) :
	    sqlite3_bind_int(s, 3, in->ptr_confirmed != 0)) == SQLITE_OK &&
	    bind_opt(s, 4, in->base_domain) == SQLITE_OK &&
	    bind_opt(s, 5, in->service) == SQLITE_OK &&
	    bind_opt(s, 6, in->status ? in->status : "ok") == SQLITE_OK &&
	    sqlite3_bind_int64(s, 7, in->checked_at) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 8, MAX(in->ttl, 0)) == SQLITE_OK &&
	    (in->asn > 0 && in->asn <= UINT32_MAX ?
	    sqlite3_bind_int64(s, 9, in->asn) : sqlite3_bind_null(s, 9)) ==
	    SQLITE_OK &&
	    bind_opt(s, 10, in->as_org) == SQLITE_OK &&
	    bind_opt(s, 11, in->as_domain) == SQLITE_OK &&
	    bind_opt(s, 12, in->country) == SQLITE_OK &&
	    sqlite3_bind_int64(s, 13, MAX(in->geo_built, 0)) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_DONE;
	if (!ok)
		ds_store_fail(st, err, "write ip_info");
	sqlite3_reset(s);
	return ok;
}
