/*
 * failure_show.c - one stored failure report in full, as text
 * (`dmarcsift failures show ID`): the reporter's claims, our
 * re-verification, the differences and the sample headers.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8: every stored string goes through ds_failure_display, so
 * a hostile sample cannot drive the terminal. SPEC.md §2: with redact,
 * addresses lose their local parts and the sample its Subject and body.
 */
#include <string.h>

#include "ingest/failure/failure_verify.h"
#include "ingest/failure/failure_out.h"

static void
line(GString *g, const char *label, const char *v, bool redact)
{
	char *r, *d;

	if (v == NULL)
		return;
	r = redact ? ds_failure_redact(v) : g_strdup(v);
	d = ds_failure_display(r, strlen(r));
	g_string_append_printf(g, "  %-16s %s\n", label, d);
	g_free(r);
	g_free(d);
}

static void
time_line(GString *g, const char *label, int64_t t)
{
	GDateTime *dt;
	char *s;

	if (t <= 0 || (dt = g_date_time_new_from_unix_utc(t)) == NULL)
		return;
	s = g_date_time_format(dt, "%Y-%m-%d %H:%M:%S UTC");
	g_string_append_printf(g, "  %-16s %s\n", label, s);
	g_free(s);
	g_date_time_unref(dt);
}

/* Indent every line of text by two spaces. */
static void
block(GString *g, const char *text)
{
	char *d = ds_failure_display(text, strlen(text));
	char **lines = g_strsplit(d, "\n", -1);
	guint i;

	for (i = 0; lines[i]; i++) {
		if (lines[i + 1] == NULL && lines[i][0] == '\0')
			break;	/* the text's last newline */
		g_string_append_printf(g, "  %s\n", lines[i]);
	}
	g_strfreev(lines);
	g_free(d);
}

static void
fields(GString *g, const struct ds_failure *f, bool redact)
{
	const struct ds_failure_field *x;
	char *v, *r;
	guint i;

	g_string_append(g, f->sample_kind == DS_SAMPLE_TEXT ?
	    "\nReported (read from the report's text: no ARF part)\n" :
	    "\nReported (message/feedback-report)\n");
	if (f->fields->len == 0)
		g_string_append(g, "  (no fields)\n");
	for (i = 0; i < f->fields->len; i++) {
		x = &g_array_index(f->fields, struct ds_failure_field, i);
		v = g_strdup_printf("%s: %s", x->name, x->value);
		r = redact ? ds_failure_redact(v) : NULL;
		block(g, r ? r : v);
		g_free(r);
		g_free(v);
	}
}

void
ds_failure_text_show(GString *g, const struct ds_failure *f, bool redact)
{
	char *dom = ds_failure_domain(f), *head, *body;
	guint i;

	g_string_append_printf(g, "Failure report %" G_GINT64_FORMAT "\n",
	    f->id);
	line(g, "domain", dom, false);
	line(g, "reporter", f->reporter, false);
	line(g, "report from", f->report_from, redact);
	line(g, "report date", f->report_date, false);
	line(g, "report subject", f->report_subject, redact);
	line(g, "message-id", f->report_message_id, redact);
	line(g, "source", f->source, false);
	time_line(g, "ingested", f->ingested_at);
	fields(g, f, redact);

	g_string_append(g, "\nRe-verified");
	if (f->dns_mode)
		g_string_append_printf(g, " (DNS: %s)", f->dns_mode);
	g_string_append(g, "\n");
	time_line(g, "at", f->verified_at);
	block(g, f->verification_text ? f->verification_text :
	    "not re-verified");

	g_string_append(g, "\nDifferences from the reporter\n");
	if (f->differences->len == 0 && f->verification == NULL)
		g_string_append(g, "  (not compared: no re-verification)\n");
	else if (f->differences->len == 0 && f->dmarc_now &&
	    strcmp(f->dmarc_now, DS_NOT_CHECKED_OFFLINE) == 0)
		g_string_append(g, "  none found, but nothing could be "
		    "checked (offline)\n");
	else if (f->differences->len == 0 && f->dmarc_now &&
	    strcmp(f->dmarc_now, "temperror") == 0)
		g_string_append(g, "  none found, but the checks could not be "
		    "completed (DNS)\n");
	else if (f->differences->len == 0)
		g_string_append(g, "  none\n");
	for (i = 0; i < f->differences->len; i++)
		block(g, g_ptr_array_index(f->differences, i));

	if (f->warnings->len) {
		g_string_append(g, "\nWarnings\n");
		for (i = 0; i < f->warnings->len; i++)
			block(g, g_ptr_array_index(f->warnings, i));
	}

	g_string_append_printf(g, "\nSample (%s, %zu bytes)\n",
	    ds_sample_kind_name(f->sample_kind), f->sample_len);
	head = ds_failure_sample_display(f, redact, &body);
	if (head == NULL && f->sample_kind != DS_SAMPLE_NONE &&
	    f->sample_len == 0)
		g_string_append(g, "  deleted: past the retention age "
		    "(dmarcsift prune --samples-older-than)\n");
	else if (head == NULL)
		g_string_append(g, "  none: the report holds no copy of the "
		    "original message\n");
	else
		block(g, head);
	if (body) {
		g_string_append(g, "\n");
		block(g, body);
	}
	g_free(head);
	g_free(body);
	g_free(dom);
}
