/*
 * failure_redact.c - make stored failure-report text safe to show:
 * terminal-safe text, and --redact (RFC 6590 spirit: hide the local
 * parts of addresses and the content of the sample).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8 (valid UTF-8 out, control characters of hostile samples
 * never reach the terminal). Personal data (SPEC.md §2): with redact,
 * "jane.doe@example.com" becomes "***@example.com" wherever it occurs
 * (ds_failure_redact, schema/model/model_failure.c: one rule for the
 * commands, the dashboard and [ingest] store-samples).
 */
#include <string.h>

#include "ingest/failure/failure_int.h"
#include "ingest/failure/failure_out.h"

char *
ds_failure_display(const char *s, size_t len)
{
	char *u = ds_failure_utf8(s, len, NULL);
	GString *g = g_string_sized_new(len + 1);
	const char *p;

	for (p = u; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (c == '\n' || c == '\t')
			g_string_append_c(g, (char)c);
		else if (c == '\r')
			continue;	/* CRLF shown as LF */
		else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			g_string_append_printf(g, "\\x%02x", c);
		else
			g_string_append_len(g, p, g_utf8_next_char(p) - p);
	}
	g_free(u);
	return g_string_free(g, FALSE);
}

/* The header block of a sample, with its length and the body's. */
static size_t
header_end(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\n')
			continue;
		if (s[i + 1] == '\n')
			return i + 1;
		if (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n')
			return i + 1;
	}
	return len;
}

char *
ds_failure_sample_display(const struct ds_failure *f, bool redact,
    char **out_body)
{
	size_t h, b;
	char *head, *red, *line, **lines;
	GString *g;
	guint i;

	*out_body = NULL;
	if (f->sample == NULL)
		return NULL;
	h = header_end(f->sample, f->sample_len);
	head = ds_failure_display(f->sample, h);
	b = h;
	while (b < f->sample_len && (f->sample[b] == '\r' ||
	    f->sample[b] == '\n'))
		b++;
	if (!redact) {
		if (b < f->sample_len)
			*out_body = ds_failure_display(f->sample + b,
			    f->sample_len - b);
		return head;
	}
	/* redacted: addresses hidden, Subject withheld, body withheld */
	g = g_string_new(NULL);
	lines = g_strsplit(head, "\n", -1);
	for (i = 0; lines[i]; i++) {
		line = lines[i];
		if (g_ascii_strncasecmp(line, "Subject:", 8) == 0) {
			g_string_append(g, "Subject: [redacted]\n");
			/* and its continuation lines */
			while (lines[i + 1] && (lines[i + 1][0] == ' ' ||
			    lines[i + 1][0] == '\t'))
				i++;
			continue;
		}
		red = ds_failure_redact(line);
		g_string_append(g, red);
		if (lines[i + 1])
			g_string_append_c(g, '\n');
		g_free(red);
	}
	g_strfreev(lines);
	g_free(head);
	if (b < f->sample_len)
		*out_body = g_strdup_printf("[body of %zu bytes withheld: "
		    "--redact]", f->sample_len - b);
	return g_string_free(g, FALSE);
}
