/*
 * failure_keep.c - [ingest] store-samples: reduce a failure report to
 * what the setting keeps before it is stored (failure_keep.h).
 * SPDX-License-Identifier: MIT
 *
 * SPEC.md §2 (forensic samples hold personal data), issue 13. One
 * redaction rule: ds_failure_redact (schema/model/model_failure.c).
 */
#include <string.h>

#include "ingest/failure/failure_keep.h"

#define MARK "sample-stored: "

static const char *const names[] = {
	[DS_SAMPLES_REDACTED] = "redacted",
	[DS_SAMPLES_FULL] = "full",
	[DS_SAMPLES_HEADERS] = "headers",
	[DS_SAMPLES_NONE] = "none",
};

bool
ds_store_samples_parse(const char *s, enum ds_store_samples *out)
{
	size_t i;

	for (i = 0; s != NULL && i < G_N_ELEMENTS(names); i++)
		if (strcmp(s, names[i]) == 0) {
			*out = (enum ds_store_samples)i;
			return true;
		}
	return false;
}

const char *
ds_store_samples_name(enum ds_store_samples how)
{
	return (size_t)how < G_N_ELEMENTS(names) ? names[how] : "?";
}

/* The length of the header block of s[0..len), its blank line included. */
static size_t
header_len(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len; i++) {
		if (s[i] != '\n')
			continue;
		if (s[i + 1] == '\n')
			return i + 2;
		if (s[i + 1] == '\r' && i + 2 < len && s[i + 2] == '\n')
			return i + 3;
	}
	return len;
}

/* The header block only: the body is dropped. */
static void
keep_headers(struct ds_failure *f)
{
	size_t h;

	if (f->sample == NULL)
		return;
	h = header_len(f->sample, f->sample_len);
	if (h < f->sample_len) {
		f->sample[h] = '\0';
		f->sample_len = h;
	}
	f->headers_only = true;
}

/* An address header's line through the address rule, else the text rule. */
static char *
addr_header(const char *line)
{
	static const char *const hdrs[] = { "From:", "To:", "Cc:",
	    "Reply-To:", "Sender:", "Return-Path:", "Delivered-To:", NULL };
	size_t n, cr;
	char *v, *r, *out;
	guint i;

	for (i = 0; hdrs[i] != NULL; i++) {
		n = strlen(hdrs[i]);
		if (g_ascii_strncasecmp(line, hdrs[i], n) != 0)
			continue;
		cr = strlen(line) && line[strlen(line) - 1] == '\r';
		v = g_strndup(line + n, strlen(line) - n - cr);
		r = ds_failure_redact_addr(v);
		out = g_strdup_printf("%.*s %s%s", (int)n, line, r,
		    cr ? "\r" : "");
		g_free(v);
		g_free(r);
		return out;
	}
	return ds_failure_redact(line);
}

/*
 * The header block with every address redacted and the Subject (with
 * its continuation lines) withheld. NUL bytes end the text here: the
 * redacted copy is text, not the forensic original.
 */
static void
redact_sample(struct ds_failure *f)
{
	GString *g = g_string_new(NULL);
	char **lines, *text, *r;
	guint i;

	text = g_strndup(f->sample, f->sample_len);
	lines = g_strsplit(text, "\n", -1);
	for (i = 0; lines[i] != NULL; i++) {
		if (g_ascii_strncasecmp(lines[i], "Subject:", 8) == 0) {
			g_string_append(g, "Subject: [redacted]\r\n");
			while (lines[i + 1] && (lines[i + 1][0] == ' ' ||
			    lines[i + 1][0] == '\t'))
				i++;
			continue;
		}
		r = addr_header(lines[i]);
		g_string_append(g, r);
		if (lines[i + 1] != NULL)
			g_string_append_c(g, '\n');
		g_free(r);
	}
	g_strfreev(lines);
	g_free(text);
	g_free(f->sample);
	f->sample_len = g->len;
	f->sample = g_string_free(g, FALSE);
}

void
ds_failure_keep(struct ds_failure *f, enum ds_store_samples how)
{
	switch (how) {
	case DS_SAMPLES_FULL:
		return;
	case DS_SAMPLES_HEADERS:
		keep_headers(f);
		break;
	case DS_SAMPLES_REDACTED:
		keep_headers(f);
		if (f->sample)
			redact_sample(f);
		ds_failure_redact_fields(f);
		break;
	case DS_SAMPLES_NONE:
		g_clear_pointer(&f->sample, g_free);
		f->sample_len = 0;
		ds_failure_redact_fields(f);
		break;
	}
	/* first, past the warnings cap: the commands look for it */
	g_ptr_array_insert(f->warnings, 0, g_strdup_printf(MARK "%s "
	    "([ingest] store-samples)", ds_store_samples_name(how)));
}

enum ds_store_samples
ds_failure_stored_as(const struct ds_failure *f)
{
	enum ds_store_samples how = DS_SAMPLES_FULL;
	const char *w;
	char *name;

	/* ours is always the first warning (ds_failure_keep) */
	if (f->warnings == NULL || f->warnings->len == 0)
		return how;
	w = g_ptr_array_index(f->warnings, 0);
	if (strncmp(w, MARK, strlen(MARK)) != 0)
		return how;
	name = g_strndup(w + strlen(MARK), strcspn(w + strlen(MARK), " "));
	if (!ds_store_samples_parse(name, &how))
		how = DS_SAMPLES_FULL;
	g_free(name);
	return how;
}
