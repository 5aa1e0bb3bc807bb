/*
 * tlsrpt_policy.c - the policies[] of an SMTP TLS report: policy,
 * summary, failure-details (RFC 8460 §4.4, §4.3 result types).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/tlsrpt/tlsrpt_priv.h"

/* THREATS #5-like cap on entries, from lim->max_records */
static bool
count_item(struct tls_ctx *c, GError **err)
{
	if (c->lim->max_records && ++c->items > c->lim->max_records)
		return ds_fail(err, DS_ERROR_LIMIT, "more than %" G_GUINT64_FORMAT
		    " policies and failure details", c->lim->max_records);
	return true;
}

/*
 * A list of strings: RFC 8460 wants an array; a lone string is kept as
 * one element with the warning name-not-array.
 */
static void
string_list(struct tls_ctx *c, JsonObject *o, const char *name,
    GPtrArray *out, bool strip_mx)
{
	JsonArray *a = ds_jget_arr(o, name);
	JsonNode *n = json_object_get_member(o, name);
	const char *s;
	guint i;

	if (a == NULL && n != NULL && ds_jget_str(o, name) != NULL) {
		ds_tls_warn(c->r, "not-an-array: %s", name);
		g_ptr_array_add(out, ds_tlsrpt_text(c, o, name));
	} else if (a == NULL && n != NULL && !JSON_NODE_HOLDS_NULL(n)) {
		ds_tls_warn(c->r, "not-an-array: %s", name);
	}
	for (i = 0; a && i < json_array_get_length(a); i++) {
		JsonNode *e = json_array_get_element(a, i);

		if (!JSON_NODE_HOLDS_VALUE(e) ||
		    json_node_get_value_type(e) != G_TYPE_STRING) {
			ds_tls_warn(c->r, "not-a-string: %s entry", name);
			continue;
		}
		s = json_node_get_string(e);
		if (c->lim->max_text && strlen(s) > c->lim->max_text) {
			ds_tls_warn(c->r, "long-field: %s entry dropped", name);
			continue;
		}
		g_ptr_array_add(out, g_strdup(s));
	}
	/* "mx: mx.example.com" copied from the policy text (seen) */
	for (i = 0; strip_mx && i < out->len; i++) {
		char *v = g_ptr_array_index(out, i);

		if (g_ascii_strncasecmp(v, "mx:", 3) == 0) {
			ds_tls_warn(c->r, "mx-host-with-prefix");
			memmove(v, v + 3, strlen(v + 3) + 1);
			g_strstrip(v);
		}
	}
}

static bool
parse_detail(struct tls_ctx *c, struct ds_tls_policy *p, JsonNode *n,
    GError **err)
{
	struct ds_tls_failure *f;
	JsonObject *o;

	if (!count_item(c, err))
		return false;
	if (!JSON_NODE_HOLDS_OBJECT(n)) {
		ds_tls_warn(c->r, "bad-failure-detail: not an object");
		return true;
	}
	o = json_node_get_object(n);
	f = ds_tls_failure_new();
	g_ptr_array_add(p->details, f);
	f->result_type = ds_tlsrpt_text(c, o, "result-type");
	if (f->result_type == NULL) {
		ds_tls_warn(c->r, "no-result-type");
		f->result_type = g_strdup("unknown");
	} else {
		g_strstrip(f->result_type);
		for (char *s = f->result_type; *s; s++)
			*s = g_ascii_tolower(*s);
	}
	f->sending_mta_ip = ds_tlsrpt_ip(c, o, "sending-mta-ip");
	if (f->sending_mta_ip == NULL)
		ds_tls_warn(c->r, "no-sending-mta-ip");
	f->receiving_mx_hostname = ds_tlsrpt_text(c, o,
	    "receiving-mx-hostname");
	f->receiving_mx_helo = ds_tlsrpt_text(c, o, "receiving-mx-helo");
	f->receiving_ip = ds_tlsrpt_ip(c, o, "receiving-ip");
	f->additional_info = ds_tlsrpt_text(c, o, "additional-information");
	f->failure_reason_code = ds_tlsrpt_text(c, o, "failure-reason-code");
	if (!ds_tlsrpt_count(c, o, "failed-session-count",
	    &f->failed_sessions, err)) {
		g_prefix_error(err, "failure-details: ");
		return false;
	}
	return true;
}

static const char *const policy_types[] = { "sts", "tlsa",
    "no-policy-found", NULL };

static bool
parse_policy(struct tls_ctx *c, JsonNode *n, GError **err)
{
	struct ds_tls_policy *p;
	JsonObject *o, *pol, *sum;
	JsonArray *fd;
	int64_t sum_details = 0;
	guint i;

	if (!count_item(c, err))
		return false;
	if (!JSON_NODE_HOLDS_OBJECT(n)) {
		ds_tls_warn(c->r, "bad-policy-entry: not an object");
		return true;
	}
	o = json_node_get_object(n);
	p = ds_tls_policy_new();
	g_ptr_array_add(c->r->policies, p);
	if ((pol = ds_jget_obj(o, "policy")) == NULL)
		ds_tls_warn(c->r, "no-policy-object");
	p->type = ds_tlsrpt_text(c, pol, "policy-type");
	if (p->type == NULL) {
		ds_tls_warn(c->r, "no-policy-type");
		p->type = g_strdup("unknown");
	} else if (!g_strv_contains(policy_types, p->type)) {
		char *q = g_strescape(p->type, NULL);

		ds_tls_warn(c->r, "unknown-policy-type: '%.40s'", q);
		g_free(q);
	}
	p->domain = ds_tlsrpt_text(c, pol, "policy-domain");
	if (p->domain) {
		char *low = g_ascii_strdown(g_strstrip(p->domain), -1);

		g_free(p->domain);
		p->domain = low;
		/* a trailing dot is the same domain */
		if (*low && low[strlen(low) - 1] == '.')
			low[strlen(low) - 1] = '\0';
	} else {
		ds_tls_warn(c->r, "no-policy-domain");
	}
	if (pol) {
		string_list(c, pol, "policy-string", p->strings, false);
		string_list(c, pol, "mx-host", p->mx_hosts, true);
	}
	if ((sum = ds_jget_obj(o, "summary")) == NULL)
		ds_tls_warn(c->r, "no-summary");
	if (!ds_tlsrpt_count(c, sum, "total-successful-session-count",
	    &p->successes, err) || !ds_tlsrpt_count(c, sum,
	    "total-failure-session-count", &p->failures, err)) {
		g_prefix_error(err, "summary: ");
		return false;
	}
	fd = ds_jget_arr(o, "failure-details");
	if (fd == NULL && json_object_get_member(o, "failure-details") &&
	    !JSON_NODE_HOLDS_NULL(json_object_get_member(o,
	    "failure-details")))
		ds_tls_warn(c->r, "not-an-array: failure-details");
	for (i = 0; fd && i < json_array_get_length(fd); i++) {
		struct ds_tls_failure *f;

		if (!parse_detail(c, p, json_array_get_element(fd, i), err))
			return false;
		if (p->details->len == 0)
			continue;
		f = g_ptr_array_index(p->details, p->details->len - 1);
		sum_details = sum_details > INT64_MAX - f->failed_sessions ?
		    INT64_MAX : sum_details + f->failed_sessions;
	}
	/* mail.ru: two details of 1 each under a failure total of 1 */
	if (sum_details > p->failures)
		ds_tls_warn(c->r, "details-exceed-total");
	return true;
}

bool
ds_tlsrpt_policies(struct tls_ctx *c, JsonArray *arr, bool present,
    GError **err)
{
	struct ds_tls_report *r = c->r;
	guint i;

	if (arr == NULL) {
		ds_tls_warn(r, present ? "not-an-array: policies" :
		    "no-policies");
		return true;
	}
	if (json_array_get_length(arr) == 0)
		ds_tls_warn(r, "no-policies");
	for (i = 0; i < json_array_get_length(arr); i++)
		if (!parse_policy(c, json_array_get_element(arr, i), err))
			return false;
	for (i = 0; i < r->policies->len; i++) {
		struct ds_tls_policy *p = g_ptr_array_index(r->policies, i);

		if (p->domain == NULL || *p->domain == '\0')
			continue;
		if (r->domain == NULL)
			r->domain = g_strdup(p->domain);
		else if (strcmp(r->domain, p->domain) != 0)
			ds_tls_warn(r, "several-policy-domains");
	}
	return true;
}
