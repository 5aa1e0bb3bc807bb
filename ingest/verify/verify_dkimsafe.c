/*
 * verify_dkimsafe.c - make a hostile message safe to hand to
 * libopendkim 2.11 (Debian 12), whose header code writes past heap
 * buffers on two inputs tests/fuzz/fuzz_verify found: a NUL byte in the
 * header, and a DKIM-Signature whose h= names DKIM-Signature and more
 * fields than the header has (valgrind: 8-byte write past an array
 * sized by the field count), and bare LF line ends in some shapes
 * (libopendkim's own CRLF fixing reads past a buffer). THREATS #6, #8.
 * SPDX-License-Identifier: MIT
 *
 * RFC 5322 allows no NUL, so replacing it changes nothing a valid
 * message has; DKIM is computed over CRLF lines (RFC 6376 §3.4), so a
 * bare LF is written as CRLF here, as DKIM_LIBFLAGS_FIXCRLF would. Signing DKIM-Signature fields (RFC 6376 §5.4) is common
 * when a message is signed twice and stays verified; only the
 * overflowing shape (more h= names than fields) is reported unverified.
 */
#include <string.h>

#include "ingest/verify/verify_priv.h"

/* libopendkim's DKIM_ISLWSP: a line starting with one continues a field */
static bool
lwsp(char c)
{
	return c == ' ' || c == '\t' || c == '\f' || c == '\v';
}

/* the value of tag t in a DKIM tag list (RFC 6376 §3.2), unfolded */
static char *
tag(const char *list, const char *t)
{
	char **parts = g_strsplit(list, ";", 0), *v = NULL;
	size_t i;

	for (i = 0; parts[i] != NULL && v == NULL; i++) {
		char *eq = strchr(parts[i], '=');

		if (eq == NULL)
			continue;
		*eq = '\0';
		if (g_ascii_strcasecmp(g_strstrip(parts[i]), t) == 0)
			v = g_strdup(g_strstrip(eq + 1));
	}
	g_strfreev(parts);
	return v;
}

static void
skip(GArray *skipped, const char *value)
{
	struct ds_dkim_verdict v;
	char *d = tag(value, "d");

	memset(&v, 0, sizeof(v));
	v.domain = d ? g_ascii_strdown(d, -1) : NULL;
	v.selector = tag(value, "s");
	v.algorithm = tag(value, "a");
	v.result = g_strdup("permerror");
	v.reason = g_strdup("not verified: h= names DKIM-Signature and more "
	    "fields than the message has, which libopendkim 2.11 cannot "
	    "check safely");
	v.body_length = strstr(value, "l=") != NULL;
	g_free(d);
	g_array_append_val(skipped, v);
}

struct field {
	size_t	 start, len;
	bool	 signs_sig;	/* a DKIM-Signature whose h= names one */
	int	 entries;	/* number of names in its h= */
	bool	 drop;
};

/* Is s[0..n) a DKIM-Signature field? *value gets its unfolded value. */
static bool
dkim_field(const char *s, size_t n, char **value)
{
	static const char name[] = "dkim-signature";
	size_t k = sizeof(name) - 1;
	char *c;

	*value = NULL;
	if (n <= k || g_ascii_strncasecmp(s, name, k) != 0)
		return false;
	while (k < n && (s[k] == ' ' || s[k] == '\t'))
		k++;
	if (k >= n || s[k] != ':')
		return false;
	*value = g_strndup(s + k + 1, n - k - 1);
	for (c = *value; *c != '\0'; c++)
		if (*c == '\r' || *c == '\n' || lwsp(*c))
			*c = ' ';
	return true;
}

static void
inspect(const char *m, struct field *f)
{
	char *value, *h, **names;
	size_t i;

	if (!dkim_field(m + f->start, f->len, &value))
		return;
	h = tag(value, "h");
	names = g_strsplit(h ? h : "", ":", 0);
	for (i = 0; names[i] != NULL; i++) {
		char *nm = g_strstrip(names[i]);

		if (*nm == '\0')
			continue;
		f->entries++;
		if (g_ascii_strcasecmp(nm, "dkim-signature") == 0)
			f->signs_sig = true;
	}
	g_strfreev(names);
	g_free(h);
	g_free(value);
}

/*
 * The fields to take out: a signature naming DKIM-Signature in h= with
 * more names than the fields left (what overflows libopendkim), until
 * no more such field remains.
 */
static void
mark_drops(const char *m, GArray *fields, GArray *skipped)
{
	guint i, left = fields->len;
	bool again = true;
	char *value;

	while (again) {
		again = false;
		for (i = 0; i < fields->len; i++) {
			struct field *f = &g_array_index(fields, struct field,
			    i);

			if (f->drop || !f->signs_sig ||
			    (guint)f->entries <= left)
				continue;
			f->drop = again = true;
			left--;
			if (dkim_field(m + f->start, f->len, &value))
				skip(skipped, value);
			g_free(value);
		}
	}
}

/* append c (m[k] or its replacement) with a bare LF made CRLF */
static void
put(GString *g, const char *m, size_t k, char c)
{
	if (c == '\n' && (k == 0 || m[k - 1] != '\r'))
		g_string_append_c(g, '\r');
	g_string_append_c(g, c);
}

unsigned char *
ds_dkim_safe_copy(const struct ds_verify_input *in, size_t *len, bool *nul,
    GArray *skipped)
{
	GString *g = g_string_sized_new(in->len + 4);
	GArray *fields = g_array_new(FALSE, TRUE, sizeof(struct field));
	const char *m = in->msg;
	size_t i = 0, start, n = in->len, k;
	bool body = false;
	guint j;

	*nul = false;
	while (i < n && !body) {
		struct field f;

		/* one field: a line and its continuation lines */
		start = i;
		do {
			while (i < n && m[i] != '\n')
				i++;
			if (i < n)
				i++;
		} while (i < n && lwsp(m[i]));
		if (i - start <= 2 && (m[start] == '\n' || (m[start] == '\r' &&
		    i - start == 2 && m[start + 1] == '\n'))) {
			body = true;	/* the empty line */
			i = start;
			break;
		}
		memset(&f, 0, sizeof(f));
		f.start = start;
		f.len = i - start;
		inspect(m, &f);
		g_array_append_val(fields, f);
	}
	mark_drops(m, fields, skipped);
	for (j = 0; j < fields->len; j++) {
		struct field *f = &g_array_index(fields, struct field, j);

		for (k = f->start; !f->drop && k < f->start + f->len; k++) {
			if (m[k] == '\0')
				*nul = true;
			put(g, m, k, m[k] != '\0' ? m[k] : ' ');
		}
	}
	g_array_free(fields, TRUE);
	if (g->len == 0) {
		/* no field left: libopendkim asserts on an empty header */
		g_string_free(g, TRUE);
		*len = 0;
		return NULL;
	}
	if (!body) {
		if (g->len > 0 && g->str[g->len - 1] != '\n')
			g_string_append(g, "\r\n");
		g_string_append(g, "\r\n");
	} else
		for (k = i; k < n; k++)
			put(g, m, k, m[k]);
	*len = g->len;
	return (unsigned char *)g_string_free(g, FALSE);
}
