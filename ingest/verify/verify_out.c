/*
 * verify_out.c - a re-verification as JSON (the contract of issue 4:
 * spf, dkim[], dmarc) and as text lines for `dmarcsift verify`.
 * SPDX-License-Identifier: MIT
 *
 * RFC 8259 strings through ds_json_escape (THREATS #8, #9); text output
 * passes attacker-controlled values through ds_quote.
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/json.h"
#include "ingest/verify/verify.h"

static void
kv(GString *g, const char *key, const char *val, bool more)
{
	g_string_append_printf(g, "\"%s\":", key);
	ds_json_escape(g, val);
	if (more)
		g_string_append_c(g, ',');
}

static void
kb(GString *g, const char *key, bool val, bool more)
{
	g_string_append_printf(g, "\"%s\":%s%s", key, val ? "true" : "false",
	    more ? "," : "");
}

void
ds_verify_result_json(GString *g, const struct ds_verify_result *r)
{
	const struct ds_dmarc_verdict *m = &r->dmarc;
	guint i;

	g_string_append(g, "{\"spf\":");
	if (r->spf_checked) {
		g_string_append_c(g, '{');
		kv(g, "result", r->spf.result, true);
		kv(g, "domain", r->spf.domain, true);
		kv(g, "reason", r->spf.reason, true);
		kv(g, "mechanism", r->spf.mechanism, false);
		g_string_append_c(g, '}');
	} else
		g_string_append(g, "null");
	g_string_append(g, ",\"dkim\":[");
	for (i = 0; r->dkim != NULL && i < r->dkim->len; i++) {
		const struct ds_dkim_verdict *d = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		g_string_append(g, i > 0 ? ",{" : "{");
		kv(g, "domain", d->domain, true);
		kv(g, "selector", d->selector, true);
		kv(g, "algorithm", d->algorithm, true);
		kv(g, "result", d->result, true);
		kv(g, "reason", d->reason, true);
		kb(g, "body_length", d->body_length, false);
		g_string_append_c(g, '}');
	}
	g_string_append(g, "],\"dmarc\":{");
	kv(g, "result", m->result, true);
	kv(g, "from_domain", m->from_domain, true);
	kv(g, "org_domain", m->org_domain, true);
	kv(g, "policy", m->policy, true);
	kv(g, "record", m->record, true);
	kv(g, "record_domain", m->record_domain, true);
	kv(g, "discovery", m->discovery, true);
	kv(g, "reason", m->reason, true);
	kb(g, "spf_aligned", m->spf_aligned, true);
	kb(g, "dkim_aligned", m->dkim_aligned, false);
	g_string_append(g, "}}");
}

/* attacker text made safe for a terminal line; "-" for NULL */
static void
put(GString *g, const char *s)
{
	char *q;

	if (s == NULL) {
		g_string_append_c(g, '-');
		return;
	}
	q = ds_quote(s, strlen(s), 200);
	g_string_append(g, q);
	g_free(q);
}

void
ds_verify_result_text(GString *g, const struct ds_verify_result *r)
{
	const struct ds_dmarc_verdict *m = &r->dmarc;
	guint i;

	g_string_append(g, "SPF:   ");
	if (r->spf_checked) {
		put(g, r->spf.result);
		g_string_append(g, " for ");
		put(g, r->spf.domain);
		g_string_append(g, ": ");
		put(g, r->spf.reason);
	} else
		g_string_append(g, "not checked (give --source-ip and "
		    "--mail-from or --helo)");
	g_string_append_c(g, '\n');
	if (r->dkim == NULL || r->dkim->len == 0)
		g_string_append(g, "DKIM:  none (no DKIM-Signature)\n");
	for (i = 0; r->dkim != NULL && i < r->dkim->len; i++) {
		const struct ds_dkim_verdict *d = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		g_string_append(g, "DKIM:  ");
		put(g, d->result);
		g_string_append(g, " d=");
		put(g, d->domain);
		g_string_append(g, " s=");
		put(g, d->selector);
		g_string_append(g, " a=");
		put(g, d->algorithm);
		g_string_append(g, ": ");
		put(g, d->reason);
		g_string_append_c(g, '\n');
	}
	g_string_append(g, "DMARC: ");
	put(g, m->result);
	g_string_append(g, " for ");
	put(g, m->from_domain);
	g_string_append(g, " (org ");
	put(g, m->org_domain);
	g_string_append(g, ", policy ");
	put(g, m->policy);
	g_string_append(g, "): ");
	put(g, m->reason);
	g_string_append_c(g, '\n');
	if (m->record != NULL) {
		g_string_append(g, "       ");
		put(g, m->record_domain);
		g_string_append(g, ": ");
		put(g, m->record);
		g_string_append_c(g, '\n');
	}
}
