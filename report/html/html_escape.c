/*
 * html_escape.c - the escaping helpers of html_escape.h: HTML text,
 * attribute values, URL path segments, JSON in <script> (THREATS #9;
 * HTML Living Standard 13.1.2 and 13.2.5, RFC 3986 2.3, RFC 8259).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "schema/util/json.h"
#include "report/html/html_escape.h"

#define REPLACEMENT "\xef\xbf\xbd"	/* U+FFFD */
#define SLUG_MAX 60

/*
 * Walk s as UTF-8: returns the code point at *p and advances *p, or
 * returns (gunichar)-1 for an invalid sequence and skips one byte.
 */
static gunichar
next_char(const char **p, const char *end)
{
	gunichar c;

	c = g_utf8_get_char_validated(*p, end - *p);
	if (c == (gunichar)-1 || c == (gunichar)-2) {
		(*p)++;
		return (gunichar)-1;
	}
	*p = g_utf8_next_char(*p);
	return c;
}

/* Characters no page should carry: C0 (but TAB, LF), DEL, C1, invalid. */
static int
is_bad(gunichar c)
{
	return c == (gunichar)-1 || (c < 0x20 && c != '\t' && c != '\n') ||
	    (c >= 0x7f && c < 0xa0);
}

void
ds_html_text(GString *g, const char *s)
{
	const char *p, *q, *end;
	gunichar c;

	if (s == NULL)
		return;
	end = s + strlen(s);
	for (p = s; p < end;) {
		q = p;
		c = next_char(&p, end);
		if (is_bad(c))
			g_string_append(g, REPLACEMENT);
		else if (c == '&')
			g_string_append(g, "&amp;");
		else if (c == '<')
			g_string_append(g, "&lt;");
		else if (c == '>')
			g_string_append(g, "&gt;");
		else if (c == '"')
			g_string_append(g, "&quot;");
		else if (c == '\'')
			g_string_append(g, "&#39;");
		else
			g_string_append_len(g, q, p - q);
	}
}

void
ds_html_attr(GString *g, const char *s)
{
	const char *p, *q, *end;
	gunichar c;

	if (s == NULL)
		return;
	end = s + strlen(s);
	for (p = s; p < end;) {
		q = p;
		c = next_char(&p, end);
		if (is_bad(c))
			g_string_append(g, REPLACEMENT);
		else if (c >= 0x80 || g_ascii_isalnum((char)c) ||
		    strchr(" -_.,:/@()", (int)c) != NULL)
			g_string_append_len(g, q, p - q);
		else
			g_string_append_printf(g, "&#x%02x;", (unsigned)c);
	}
}

void
ds_html_url(GString *g, const char *s)
{
	const unsigned char *p;

	if (s == NULL)
		return;
	for (p = (const unsigned char *)s; *p; p++) {
		if (g_ascii_isalnum(*p) || strchr("-._~", *p) != NULL)
			g_string_append_c(g, (char)*p);
		else
			g_string_append_printf(g, "%%%02X", *p);
	}
}

void
ds_html_json(GString *g, const char *s)
{
	ds_json_escape(g, s);
}

void
ds_html_textf(GString *g, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ds_html_text(g, s);
	g_free(s);
}

char *
ds_html_slug(const char *name)
{
	GString *g = g_string_new(NULL);
	char *hash;
	const char *p;

	if (name == NULL)
		name = "";
	for (p = name; *p && g->len < SLUG_MAX; p++) {
		char c = g_ascii_tolower(*p);

		if (g_ascii_isalnum(c) || c == '-' || (c == '.' && g->len > 0))
			g_string_append_c(g, c);
		else if (g->len > 0 && g->str[g->len - 1] != '_')
			g_string_append_c(g, '_');
	}
	if (g->len == 0)
		g_string_append(g, "x");
	hash = g_compute_checksum_for_string(G_CHECKSUM_SHA256, name, -1);
	g_string_append_printf(g, "-%.8s", hash);
	g_free(hash);
	return g_string_free(g, FALSE);
}
