/*
 * tlsrpt.c - parse one SMTP TLS report (RFC 8460 §4.3, §4.4).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8 (text kept as valid UTF-8, long fields cut), #14 (counts
 * checked non-negative 64-bit, sums saturate), #20 (hostile JSON: size,
 * depth, UTF-8, duplicate keys, 1e999 and fractions as counts). What is
 * tolerated, and the warning each gets, is in QUIRKS.md.
 */
#include <arpa/inet.h>
#include <string.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/tlsrpt/tlsrpt.h"
#include "ingest/tlsrpt/tlsrpt_priv.h"

/* A string member, cut to lim->max_text (warning); NULL if absent. */
char *
ds_tlsrpt_text(struct tls_ctx *c, JsonObject *o, const char *name)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;
	const char *s, *end;

	if (n == NULL || JSON_NODE_HOLDS_NULL(n))
		return NULL;
	if ((s = ds_jget_str(o, name)) == NULL) {
		ds_tls_warn(c->r, "not-a-string: %s", name);
		return NULL;
	}
	if (c->lim->max_text && strlen(s) > c->lim->max_text) {
		ds_tls_warn(c->r, "long-field: %s cut to %zu bytes", name,
		    c->lim->max_text);
		g_utf8_validate(s, (gssize)c->lim->max_text, &end);
		return g_strndup(s, (gsize)(end - s));
	}
	return g_strdup(s);
}

/* A canonical IP address, or NULL (with a warning when not one). */
char *
ds_tlsrpt_ip(struct tls_ctx *c, JsonObject *o, const char *name)
{
	char *s = ds_tlsrpt_text(c, o, name), buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	int af;

	if (s == NULL)
		return NULL;
	af = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(af, s, bin) != 1 || !inet_ntop(af, bin, buf,
	    sizeof(buf))) {
		char *q = g_strescape(s, NULL);

		ds_tls_warn(c->r, "bad-ip: %s '%.60s'", name, q);
		g_free(q);
		g_free(s);
		return NULL;
	}
	g_free(s);
	return g_strdup(buf);
}

/*
 * A count member: a non-negative JSON integer (a string of digits is
 * taken with a warning). Absent: 0 with the warning missing_warning.
 * False with err for anything else.
 */
bool
ds_tlsrpt_count(struct tls_ctx *c, JsonObject *o, const char *name,
    int64_t *out, GError **err)
{
	JsonNode *n = o ? json_object_get_member(o, name) : NULL;

	*out = 0;
	if (n == NULL || JSON_NODE_HOLDS_NULL(n)) {
		ds_tls_warn(c->r, "no-count: %s", name);
		return true;
	}
	if (!ds_jget_int(o, name, 0, INT64_MAX, out))
		return ds_fail(err, DS_ERROR_SCHEMA,
		    "%s is not a count (a non-negative integer)", name);
	if (JSON_NODE_HOLDS_VALUE(n) &&
	    json_node_get_value_type(n) == G_TYPE_STRING)
		ds_tls_warn(c->r, "count-as-string: %s", name);
	return true;
}

/* RFC 8460 §4.4: date-time per RFC 3339; a missing zone is taken as UTC. */
static bool
parse_time(struct tls_ctx *c, const char *s, const char *name,
    int64_t *out, GError **err)
{
	GTimeZone *utc = g_time_zone_new_utc();
	GDateTime *dt = NULL;
	char *q;

	if (s != NULL && (dt = g_date_time_new_from_iso8601(s, NULL)) ==
	    NULL && (dt = g_date_time_new_from_iso8601(s, utc)) != NULL)
		ds_tls_warn(c->r, "date-without-zone: %s", name);
	g_time_zone_unref(utc);
	if (dt == NULL) {
		q = s ? g_strescape(s, NULL) : NULL;
		if (q)
			ds_fail(err, DS_ERROR_SCHEMA, "date-range: %s is not "
			    "an RFC 3339 date-time: '%.60s'", name, q);
		else
			ds_fail(err, DS_ERROR_SCHEMA,
			    "date-range: no %s", name);
		g_free(q);
		return false;
	}
	*out = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	return true;
}

static bool
parse_range(struct tls_ctx *c, JsonObject *root, GError **err)
{
	JsonObject *dr = ds_jget_obj(root, "date-range");
	struct ds_tls_report *r = c->r;

	if (dr == NULL)
		return ds_fail(err, DS_ERROR_SCHEMA,
		    "not a TLS report: no date-range object");
	r->start_text = ds_tlsrpt_text(c, dr, "start-datetime");
	r->end_text = ds_tlsrpt_text(c, dr, "end-datetime");
	if (!parse_time(c, r->start_text, "start-datetime", &r->begin, err) ||
	    !parse_time(c, r->end_text, "end-datetime", &r->end, err))
		return false;
	if (r->end < r->begin)
		return ds_fail(err, DS_ERROR_SCHEMA,
		    "date-range ends before it starts");
	return true;
}

/* organization-name, else the domain of contact-info, else "unknown" */
static void
derive_org(struct tls_ctx *c)
{
	struct ds_tls_report *r = c->r;
	const char *at;

	if (r->org_name && *r->org_name)
		return;
	ds_tls_warn(r, "no-organization-name");
	g_free(r->org_name);
	if (r->contact_info && (at = strrchr(r->contact_info, '@')) &&
	    at[1])
		r->org_name = g_strdup(at + 1);
	else
		r->org_name = g_strdup("unknown");
}

static const char *const top_members[] = {
	"organization-name", "date-range", "contact-info", "report-id",
	"policies", NULL,
};

static void
warn_unknown(struct tls_ctx *c, JsonObject *root)
{
	GList *names = json_object_get_members(root), *l;

	for (l = names; l; l = l->next)
		if (!g_strv_contains((const char *const *)top_members,
		    l->data)) {
			char *q = g_strescape(l->data, NULL);

			ds_tls_warn(c->r, "unknown-member: '%.40s'", q);
			g_free(q);
		}
	g_list_free(names);
}

bool
ds_tlsrpt_parse(struct ds_tls_report *out, const char *buf, size_t len,
    const struct ds_limits *lim, GError **err)
{
	struct ds_json_limits jl = { lim->max_message, DS_TLSRPT_MAX_DEPTH };
	struct tls_ctx c = { out, lim, 0 };
	JsonNode *root_node;
	JsonObject *root;
	bool ok = false;

	ds_tls_report_init(out);
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		ds_tls_warn(out, "utf8-bom");
		buf += 3;
		len -= 3;
	}
	if ((root_node = ds_json_parse(buf, len, &jl, err)) == NULL)
		return false;
	if (!JSON_NODE_HOLDS_OBJECT(root_node)) {
		ds_fail(err, DS_ERROR_SCHEMA,
		    "not a TLS report: the JSON is not an object");
		goto done;
	}
	root = json_node_get_object(root_node);
	out->report_id = ds_tlsrpt_text(&c, root, "report-id");
	if (out->report_id == NULL || *out->report_id == '\0') {
		ds_fail(err, DS_ERROR_SCHEMA,
		    "not a TLS report: no report-id");
		goto done;
	}
	if (!parse_range(&c, root, err))
		goto done;
	out->org_name = ds_tlsrpt_text(&c, root, "organization-name");
	out->contact_info = ds_tlsrpt_text(&c, root, "contact-info");
	if (out->contact_info == NULL)
		ds_tls_warn(out, "no-contact-info");
	derive_org(&c);
	warn_unknown(&c, root);
	if (!ds_tlsrpt_policies(&c, ds_jget_arr(root, "policies"),
	    json_object_get_member(root, "policies") != NULL, err))
		goto done;
	ok = true;
done:
	json_node_unref(root_node);
	return ok;
}

bool
ds_tlsrpt_sniff(const char *head, size_t len)
{
	static const char *const keys[] = { "\"organization-name\"",
	    "\"report-id\"", "\"policies\"", "\"date-range\"", NULL };
	size_t i = 0;
	int k;

	if (len >= 3 && memcmp(head, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && (head[i] == ' ' || head[i] == '\t' ||
	    head[i] == '\r' || head[i] == '\n'))
		i++;
	if (i >= len || head[i] != '{')
		return false;
	for (k = 0; keys[k]; k++)
		if (g_strstr_len(head + i, (gssize)(len - i), keys[k]))
			return true;
	return false;
}
