/*
 * failure_text.c - a "failure report" with no message/feedback-report
 * part: read what its human-readable text says.
 * SPDX-License-Identifier: MIT
 *
 * Seen in the wild from Exim's DMARC module (ingest/aggregate/QUIRKS.md): a
 * multipart/report without report-type whose only part is text/plain:
 *
 *   Sender Domain: example.com
 *   Sender IP Address: 203.0.113.68
 *   Received date: Mon, 07 Apr 2025 23:16:09 +0200
 *   SPF Alignment: no
 *   DKIM Alignment: no
 *   DMARC Results: None, Accept
 *
 *   ------ This is a copy of the headers that were received before ...
 *   <header block>
 *
 * "Key: value" lines before the marker are kept as the report's fields
 * (names verbatim); the known keys fill the ARF members; the copied
 * header block becomes a headers-only sample (DS_SAMPLE_TEXT). Usable
 * means a valid source IP or a reported domain was found.
 */
#include <string.h>

#include "schema/util/error.h"
#include "ingest/failure/failure_int.h"

/* what a text key means, by lower-case key */
static const struct alias {
	const char *key;
	const char *field;	/* the ARF field it stands for */
} aliases[] = {
	{ "sender domain", "Reported-Domain" },
	{ "reported domain", "Reported-Domain" },
	{ "sender ip address", "Source-IP" },
	{ "source ip address", "Source-IP" },
	{ "source ip", "Source-IP" },
	{ "sender ip", "Source-IP" },
	{ "received date", "Arrival-Date" },
	{ "arrival date", "Arrival-Date" },
	{ "envelope from", "Original-Mail-From" },
	{ "mail from", "Original-Mail-From" },
	{ "envelope to", "Original-Rcpt-To" },
};

/* A line "  Key words: value" with a short key; *klen, *voff out. */
static bool
key_line(const char *line, size_t n, size_t *kstart, size_t *klen,
    size_t *voff)
{
	size_t i = 0, k;

	while (i < n && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i == n || !g_ascii_isalpha(line[i]))
		return false;
	for (k = i; k < n && k - i <= 40 && (g_ascii_isalnum(line[k]) ||
	    line[k] == ' ' || line[k] == '-' || line[k] == '_'); k++)
		;
	if (k == n || line[k] != ':' || k - i > 40)
		return false;
	*kstart = i;
	*klen = k - i;
	*voff = k + 1;
	return true;
}

/* Is this the line that introduces the copied headers? */
static bool
marker_line(const char *line, size_t n)
{
	char *s;
	bool yes;

	if (n < 6 || memcmp(line, "------", 6) != 0)
		return false;
	s = g_ascii_strdown(line, (gssize)n);
	yes = strstr(s, "header") != NULL;
	g_free(s);
	return yes;
}

/* Turn the alignment lines ("SPF Alignment: no") into RFC 6591 words. */
static void
alignment(struct ds_failure *f, const char *spf, const char *dkim)
{
	bool s, d;

	if ((spf == NULL && dkim == NULL) || f->identity_alignment)
		return;
	s = spf && g_ascii_strncasecmp(spf, "yes", 3) == 0;
	d = dkim && g_ascii_strncasecmp(dkim, "yes", 3) == 0;
	f->identity_alignment = g_strdup(s && d ? "dkim,spf" : d ? "dkim" :
	    s ? "spf" : "none");
}

static void
add_field(GArray *a, char *name, const char *v, size_t n)
{
	struct ds_failure_field x;

	x.name = name;
	x.value = ds_failure_utf8(v, n, NULL);
	g_strstrip(x.value);
	g_array_append_val(a, x);
}

bool
ds_failure_plain_text(struct ds_failure *f, const char *text, size_t len,
    size_t max_value)
{
	GArray *found = g_array_new(FALSE, TRUE,
	    sizeof(struct ds_failure_field));
	const char *spf = NULL, *dkim = NULL;
	size_t pos = 0, hdr = len, n, ks, kl, vo, i;
	char *key;
	guint j;
	bool ok;

	while (pos < len && found->len < DS_FAILURE_MAX_FIELDS) {
		const char *line = text + pos, *e = memchr(line, '\n', len - pos);

		n = e ? (size_t)(e - line) : len - pos;
		pos = e ? pos + n + 1 : len;
		if (n && line[n - 1] == '\r')
			n--;
		if (marker_line(line, n)) {
			hdr = pos;
			break;
		}
		if (!key_line(line, n, &ks, &kl, &vo) || n - vo > max_value)
			continue;
		key = g_ascii_strdown(line + ks, (gssize)kl);
		for (i = 0; i < G_N_ELEMENTS(aliases); i++)
			if (strcmp(key, aliases[i].key) == 0)
				break;
		g_free(key);
		/* every key line is kept; known ones under their ARF name */
		add_field(found, i < G_N_ELEMENTS(aliases) ?
		    g_strdup(aliases[i].field) : g_strndup(line + ks, kl),
		    line + vo, n - vo);
	}
	for (j = 0; j < found->len; j++) {
		const struct ds_failure_field *x = &g_array_index(found,
		    struct ds_failure_field, j);

		if (g_ascii_strcasecmp(x->name, "SPF Alignment") == 0)
			spf = x->value;
		else if (g_ascii_strcasecmp(x->name, "DKIM Alignment") == 0)
			dkim = x->value;
	}
	/* map the ARF-named ones through the ordinary field rules */
	g_array_append_vals(f->fields, found->data, found->len);
	g_array_set_size(found, 0);
	ds_failure_map_fields(f, false);
	g_array_free(found, TRUE);
	ok = f->source_ip != NULL || f->reported_domain->len > 0;
	if (!ok)
		return false;
	alignment(f, spf, dkim);
	while (hdr < len && (text[hdr] == '\n' || text[hdr] == '\r'))
		hdr++;
	if (hdr < len) {
		f->sample_kind = DS_SAMPLE_TEXT;
		f->headers_only = true;
		f->sample_len = len - hdr;
		f->sample = g_malloc(f->sample_len + 1);
		memcpy(f->sample, text + hdr, f->sample_len);
		f->sample[f->sample_len] = '\0';
	}
	return true;
}
