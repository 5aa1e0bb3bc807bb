/*
 * doctor_evidence.c - the evidence object of a doctor finding, built
 * twice as it grows: JSON members (RFC 8259, escaped by ds_json_escape)
 * and "key: value" lines for text output (ds_quote'd, THREATS 8 and 9).
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/json.h"
#include "report/doctor/doctor.h"

static void
ev_key(struct ds_finding *f, const char *key)
{
	if (f->ev_json->len > 0)
		g_string_append_c(f->ev_json, ',');
	ds_json_escape(f->ev_json, key);
	g_string_append_c(f->ev_json, ':');
	g_string_append_printf(f->ev_text, "    %s: ", key);
}

/*
 * Append q to g as the rest of a line that has col columns already,
 * wrapped within 78 columns (README: text fits 80): breaks at spaces,
 * continuation lines indented by 6; a word longer than a whole line (a
 * DKIM key) is broken where the line ends, never cut off.
 */
static void
ev_wrap(GString *g, const char *q, long col)
{
	const long width = 78, indent = 6;
	const char *p = q, *sp, *end;
	long n, room;

	while (*p) {
		room = MAX(width - col, 1);
		n = g_utf8_strlen(p, -1);
		if (n <= room) {
			g_string_append(g, p);
			break;
		}
		end = g_utf8_offset_to_pointer(p, room);
		for (sp = end; sp > p && *sp != ' '; sp--)
			;
		if (sp > p) {
			g_string_append_len(g, p, sp - p);
			p = sp + 1;
		} else {
			g_string_append_len(g, p, end - p);
			p = end;
		}
		g_string_append_printf(g, "\n%*s", (int)indent, "");
		col = indent;
	}
	g_string_append_c(g, '\n');
}

void
ds_ev_raw(struct ds_finding *f, const char *key, const char *json,
    const char *text)
{
	char *q;

	ev_key(f, key);
	g_string_append(f->ev_json, json);
	q = ds_quote(text, strlen(text), 400);
	ev_wrap(f->ev_text, q, 4 + (long)g_utf8_strlen(key, -1) + 2);
	g_free(q);
}

void
ds_ev_str(struct ds_finding *f, const char *key, const char *v)
{
	GString *j = g_string_new(NULL);

	ds_json_escape(j, v);
	ds_ev_raw(f, key, j->str, v ? v : "(none)");
	g_string_free(j, TRUE);
}

void
ds_ev_int(struct ds_finding *f, const char *key, int64_t v)
{
	char b[32];

	g_snprintf(b, sizeof(b), "%" G_GINT64_FORMAT, v);
	ds_ev_raw(f, key, b, b);
}

void
ds_ev_pct(struct ds_finding *f, const char *key, int64_t part, int64_t whole)
{
	char j[32], t[40];
	double v = whole > 0 ? 100.0 * (double)part / (double)whole : 0;

	g_ascii_formatd(j, sizeof(j), "%.1f", v);
	g_snprintf(t, sizeof(t), "%s%%", j);
	ds_ev_raw(f, key, j, t);
}

void
ds_ev_bool(struct ds_finding *f, const char *key, bool v)
{
	ds_ev_raw(f, key, v ? "true" : "false", v ? "yes" : "no");
}

void
ds_ev_time(struct ds_finding *f, const char *key, int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

	ds_ev_str(f, key, s);
	g_free(s);
	if (dt != NULL)
		g_date_time_unref(dt);
}

void
ds_ev_strv(struct ds_finding *f, const char *key, const GPtrArray *a)
{
	GString *j = g_string_new(NULL), *t = g_string_new(NULL);
	guint i;

	ds_json_str_array(j, a);
	for (i = 0; a != NULL && i < a->len; i++)
		g_string_append_printf(t, "%s%s", i ? ", " : "",
		    (const char *)a->pdata[i]);
	ds_ev_raw(f, key, j->str, t->str);
	g_string_free(j, TRUE);
	g_string_free(t, TRUE);
}

void
ds_ev_sources(struct ds_finding *f, const char *key, GPtrArray *srcs,
    guint max)
{
	GString *j = g_string_new("["), *t = g_string_new(NULL);
	guint i;

	for (i = 0; i < srcs->len && i < max; i++) {
		const struct ds_doc_src *s = srcs->pdata[i];

		g_string_append(j, i ? ",{\"ip\":" : "{\"ip\":");
		ds_json_escape(j, s->ip);
		g_string_append_printf(j, ",\"messages\":%" G_GINT64_FORMAT
		    ",\"dmarc_pass\":%" G_GINT64_FORMAT ",\"reporters\":%"
		    G_GINT64_FORMAT, s->messages, s->dmarc_pass, s->reporters);
		g_string_append(j, ",\"class\":");
		ds_json_escape(j, ds_class_name(s->cls));
		g_string_append(j, ",\"class_reason\":");
		ds_json_escape(j, s->class_reason);
		g_string_append_printf(t, "%s%s (%" G_GINT64_FORMAT " msgs",
		    i ? ", " : "", s->ip ? s->ip : "?", s->messages);
		if (s->enriched) {
			g_string_append(j, ",\"ptr\":");
			ds_json_escape(j, s->ptr);
			g_string_append(j, ",\"service\":");
			ds_json_escape(j, s->service);
			if (s->asn != 0)
				g_string_append_printf(j, ",\"asn\":%u",
				    (unsigned)s->asn);
			g_string_append(j, ",\"as_org\":");
			ds_json_escape(j, s->as_org);
			if (s->ptr != NULL)
				g_string_append_printf(t, ", %s", s->ptr);
			else if (s->as_org != NULL)
				g_string_append_printf(t, ", AS%u %s",
				    (unsigned)s->asn, s->as_org);
			if (s->service != NULL)
				g_string_append_printf(t, ", %s", s->service);
		}
		g_string_append_c(j, '}');
		g_string_append_c(t, ')');
	}
	if (srcs->len > max)
		g_string_append_printf(t, " and %u more", srcs->len - max);
	g_string_append_c(j, ']');
	ds_ev_raw(f, key, j->str, t->str);
	g_string_free(j, TRUE);
	g_string_free(t, TRUE);
}
