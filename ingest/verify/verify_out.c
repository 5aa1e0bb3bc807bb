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

/*
 * Append line l (without its final newline, if any) to g wrapped at 80
 * columns: breaks at spaces, continuation lines indented under the
 * verdict (7 columns); a word longer than a line is cut. Empties l.
 */
static void
end_line(GString *g, GString *l)
{
	const size_t width = 80, indent = 7;
	const char *p, *end, *brk, *q;
	size_t col, first = 1;

	if (l->len && l->str[l->len - 1] == '\n')
		g_string_truncate(l, l->len - 1);
	p = l->str;
	while (*p) {
		if (!first) {
			g_string_append_printf(g, "%*s", (int)indent, "");
			while (*p == ' ')
				p++;
		}
		col = first ? 0 : indent;
		brk = NULL;
		for (q = p; *q && col < width; q = g_utf8_next_char(q), col++)
			if (*q == ' ')
				brk = q;
		end = q;
		if (*q && brk != NULL && brk > p)
			end = brk;
		g_string_append_len(g, p, end - p);
		g_string_append_c(g, '\n');
		p = end;
		first = 0;
	}
	if (l->len == 0)
		g_string_append_c(g, '\n');
	g_string_truncate(l, 0);
}

void
ds_verify_result_text(GString *g, const struct ds_verify_result *r)
{
	const struct ds_dmarc_verdict *m = &r->dmarc;
	GString *l = g_string_new(NULL);
	guint i;

	g_string_append(l, "SPF:   ");
	if (r->spf_checked) {
		put(l, r->spf.result);
		g_string_append(l, " for ");
		put(l, r->spf.domain);
		g_string_append(l, ": ");
		put(l, r->spf.reason);
	} else
		g_string_append(l, "not checked (give --source-ip and "
		    "--mail-from or --helo)");
	end_line(g, l);
	if (r->dkim == NULL || r->dkim->len == 0) {
		g_string_append(l, "DKIM:  none (no DKIM-Signature)");
		end_line(g, l);
	}
	for (i = 0; r->dkim != NULL && i < r->dkim->len; i++) {
		const struct ds_dkim_verdict *d = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		g_string_append(l, "DKIM:  ");
		put(l, d->result);
		g_string_append(l, " d=");
		put(l, d->domain);
		g_string_append(l, " s=");
		put(l, d->selector);
		g_string_append(l, " a=");
		put(l, d->algorithm);
		g_string_append(l, ": ");
		put(l, d->reason);
		end_line(g, l);
	}
	g_string_append(l, "DMARC: ");
	put(l, m->result);
	g_string_append(l, " for ");
	put(l, m->from_domain);
	g_string_append(l, " (org ");
	put(l, m->org_domain);
	g_string_append(l, ", policy ");
	put(l, m->policy);
	g_string_append(l, "): ");
	put(l, m->reason);
	end_line(g, l);
	if (m->record != NULL) {
		g_string_append(l, "       ");
		put(l, m->record_domain);
		g_string_append(l, ": ");
		put(l, m->record);
		end_line(g, l);
	}
	g_string_free(l, TRUE);
}
