/*
 * failure_out.c - stored failure reports as JSON, CSV and text.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8 (text output terminal-safe, JSON valid UTF-8 through
 * schema/util/json.c), #10 (CSV cells starting = + - @ TAB CR get a leading
 * quote), SPEC.md §2 (personal data only in the detailed form, hidden
 * with redact).
 */
#include <string.h>

#include "schema/util/csv.h"
#include "schema/util/json.h"
#include "ingest/failure/failure_out.h"

static void
key(GString *g, const char *k)
{
	g_string_append_c(g, ',');
	ds_json_escape(g, k);
	g_string_append_c(g, ':');
}

static void
key_str(GString *g, const char *k, const char *v, bool redact)
{
	char *r = redact ? ds_failure_redact(v) : NULL;

	key(g, k);
	ds_json_escape(g, r ? r : v);
	g_free(r);
}

static void
key_arr(GString *g, const char *k, const GPtrArray *a, bool redact)
{
	guint i;

	if (!redact) {
		key(g, k);
		ds_json_str_array(g, a);
		return;
	}
	key(g, k);
	g_string_append_c(g, '[');
	for (i = 0; a && i < a->len; i++) {
		char *r = ds_failure_redact(g_ptr_array_index(a, i));

		if (i)
			g_string_append_c(g, ',');
		ds_json_escape(g, r);
		g_free(r);
	}
	g_string_append_c(g, ']');
}

/* Unix seconds as "2026-11-01T10:00:00Z"; NULL for 0. */
static char *
iso(int64_t t)
{
	GDateTime *dt;
	char *s;

	if (t <= 0 || (dt = g_date_time_new_from_unix_utc(t)) == NULL)
		return NULL;
	s = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ");
	g_date_time_unref(dt);
	return s;
}

static void
key_time(GString *g, const char *k, int64_t t)
{
	char *s = iso(t);

	key(g, k);
	ds_json_escape(g, s);
	g_free(s);
}

/* "spf", "dkim", "dmarc" of the stored verification object, inline. */
static void
verdicts(GString *g, const char *v)
{
	size_t n = v ? strlen(v) : 0;

	if (n > 2 && v[0] == '{' && v[n - 1] == '}') {
		g_string_append_c(g, ',');
		g_string_append_len(g, v + 1, (gssize)n - 2);
		return;
	}
	g_string_append(g, ",\"spf\":null,\"dkim\":[],\"dmarc\":null");
}

static void
sample_json(GString *g, const struct ds_failure *f, bool redact)
{
	char *head, *body;

	key(g, "sample");
	if (f->sample == NULL) {
		g_string_append(g, "null");
		return;
	}
	head = ds_failure_sample_display(f, redact, &body);
	g_string_append(g, "{\"kind\":");
	ds_json_escape(g, ds_sample_kind_name(f->sample_kind));
	key_str(g, "from", f->sample_from, redact);
	key_str(g, "subject", redact ? "[redacted]" : f->sample_subject,
	    false);
	key_str(g, "message_id", f->sample_message_id, redact);
	key_str(g, "date", f->sample_date, false);
	key_str(g, "authentication_results", f->sample_auth_results, redact);
	key_arr(g, "dkim_signatures", f->sample_dkim, false);
	key(g, "size");
	g_string_append_printf(g, "%zu", f->sample_len);
	key_str(g, "headers", head, false);
	key_str(g, "body", body, false);
	g_string_append_c(g, '}');
	g_free(head);
	g_free(body);
}

void
ds_failure_json(GString *g, const struct ds_failure *f, bool detail,
    bool redact)
{
	const struct ds_failure_field *x;
	char *dom = ds_failure_domain(f), *r;
	guint i;

	g_string_append_printf(g, "{\"id\":%" G_GINT64_FORMAT, f->id);
	key_str(g, "domain", dom, false);
	key_str(g, "reporter", f->reporter, false);
	key_str(g, "source_ip", f->source_ip, false);
	key_str(g, "reported_domain", f->reported_domain->len ?
	    g_ptr_array_index(f->reported_domain, 0) : NULL, false);
	key_time(g, "arrival_date", f->arrival_ts);
	key_time(g, "event_time", f->event_ts);
	key_str(g, "feedback_type", f->feedback_type, false);
	key_str(g, "auth_failure", f->auth_failure, false);
	key_str(g, "delivery_result", f->delivery_result, false);
	key_str(g, "identity_alignment", f->identity_alignment, false);
	key_str(g, "authentication_results", f->auth_results, redact);
	key_str(g, "dkim_domain", f->dkim_domain, false);
	key_str(g, "dkim_selector", f->dkim_selector, false);
	key_str(g, "sample_kind", ds_sample_kind_name(f->sample_kind), false);
	verdicts(g, f->verification);
	key_str(g, "dns_mode", f->dns_mode, false);
	key_time(g, "verified_at", f->verified_at);
	key_arr(g, "differences", f->differences, false);
	key_arr(g, "warnings", f->warnings, redact);
	if (detail) {
		key_str(g, "report_from", f->report_from, redact);
		key_str(g, "report_message_id", f->report_message_id, redact);
		key_str(g, "report_subject", f->report_subject, redact);
		key_str(g, "report_date", f->report_date, false);
		key_str(g, "user_agent", f->user_agent, false);
		key_str(g, "version", f->version, false);
		key_str(g, "original_mail_from", f->original_mail_from,
		    redact);
		key_arr(g, "original_rcpt_to", f->original_rcpt_to, redact);
		key_str(g, "arrival_date_raw", f->arrival_date, false);
		key_arr(g, "reported_domains", f->reported_domain, false);
		key_arr(g, "reported_uri", f->reported_uri, redact);
		key_str(g, "dkim_identity", f->dkim_identity, redact);
		key_arr(g, "spf_dns", f->spf_dns, false);
		key(g, "fields");
		g_string_append_c(g, '[');
		for (i = 0; i < f->fields->len; i++) {
			x = &g_array_index(f->fields, struct ds_failure_field,
			    i);
			g_string_append(g, i ? ",[" : "[");
			ds_json_escape(g, x->name);
			g_string_append_c(g, ',');
			r = redact ? ds_failure_redact(x->value) : NULL;
			ds_json_escape(g, r ? r : x->value);
			g_free(r);
			g_string_append_c(g, ']');
		}
		g_string_append_c(g, ']');
		key_str(g, "verification_text", f->verification_text, false);
		sample_json(g, f, redact);
		key_str(g, "source", f->source, false);
		key_time(g, "ingested_at", f->ingested_at);
	}
	g_string_append_c(g, '}');
	g_free(dom);
}

/* RFC 4180 field (THREATS #10 formula guard) and its separator. */
static void
csv(GString *g, const char *s, bool last)
{
	ds_csv_field(g, s);
	g_string_append(g, last ? "\r\n" : ",");
}

void
ds_failure_csv_header(GString *g)
{
	g_string_append(g, "id,arrival_date,domain,source_ip,reporter,"
	    "feedback_type,auth_failure,delivery_result,identity_alignment,"
	    "spf,dkim,dmarc,differences,warnings\r\n");
}

static char *
joined(const GPtrArray *a)
{
	GString *g = g_string_new(NULL);
	guint i;

	for (i = 0; a && i < a->len; i++)
		g_string_append_printf(g, "%s%s", i ? "; " : "",
		    (char *)g_ptr_array_index(a, i));
	return g_string_free(g, FALSE);
}

void
ds_failure_csv(GString *g, const struct ds_failure *f, bool redact)
{
	char id[24], *t = iso(f->event_ts), *dom = ds_failure_domain(f);
	char *d = joined(f->differences), *w = joined(f->warnings);
	char *wr = redact ? ds_failure_redact(w) : NULL;

	g_snprintf(id, sizeof(id), "%" G_GINT64_FORMAT, f->id);
	csv(g, id, false);
	csv(g, t, false);
	csv(g, dom, false);
	csv(g, f->source_ip, false);
	csv(g, f->reporter, false);
	csv(g, f->feedback_type, false);
	csv(g, f->auth_failure, false);
	csv(g, f->delivery_result, false);
	csv(g, f->identity_alignment, false);
	csv(g, f->spf_now, false);
	csv(g, f->dkim_now, false);
	csv(g, f->dmarc_now, false);
	csv(g, d, false);
	csv(g, wr ? wr : w, true);
	g_free(t);
	g_free(dom);
	g_free(d);
	g_free(w);
	g_free(wr);
}

/* s cut or padded to width characters, terminal-safe. */
static void
cell(GString *g, const char *s, unsigned width)
{
	char *d = ds_failure_display(s ? s : "-", strlen(s ? s : "-"));
	const char *p = d, *nx;
	unsigned n = 0;

	for (; *p && n < width; p = nx, n++) {
		nx = g_utf8_next_char(p);
		if (*p == '\n' || *p == '\t')
			g_string_append_c(g, ' ');
		else if (n + 1 == width && *nx != '\0')
			g_string_append_c(g, '~');	/* cut */
		else
			g_string_append_len(g, p, nx - p);
	}
	for (; n < width; n++)
		g_string_append_c(g, ' ');
	g_free(d);
}

void
ds_failure_text_header(GString *g)
{
	g_string_append(g, "   ID DATE       DOMAIN              SOURCE IP"
	    "       REPORTER         NOW\n");
}

void
ds_failure_text_row(GString *g, const struct ds_failure *f, bool redact)
{
	char *t = iso(f->event_ts), *dom = ds_failure_domain(f), *now;
	guint i;

	if (t && strlen(t) > 10)
		t[10] = '\0';	/* the day */

	g_string_append_printf(g, "%5" G_GINT64_FORMAT " ", f->id);
	cell(g, t, 10);
	g_string_append_c(g, ' ');
	cell(g, dom, 19);
	g_string_append_c(g, ' ');
	cell(g, f->source_ip, 15);
	g_string_append_c(g, ' ');
	cell(g, f->reporter, 16);
	g_string_append_c(g, ' ');
	now = f->dmarc_now ? g_strdup_printf("dmarc=%s", f->dmarc_now) :
	    g_strdup("not verified");
	g_string_append_printf(g, "%s\n", now);
	g_free(now);
	for (i = 0; i < f->differences->len; i++) {
		char *d = g_ptr_array_index(f->differences, i);
		char *s = ds_failure_display(d, strlen(d));

		g_string_append_printf(g, "      %s\n", s);
		g_free(s);
	}
	g_free(t);
	g_free(dom);
}
