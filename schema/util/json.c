/*
 * json.c - JSON string literals for the store's JSON columns and for
 * report/ output.
 * SPDX-License-Identifier: MIT
 *
 * RFC 8259 section 7 (strings); THREATS #8 (output stays valid UTF-8 and
 * JSON whatever the input), #9 (safe inside <script>).
 */
#include <stdbool.h>
#include <string.h>

#include "schema/util/json.h"

static void
escape_valid(GString *g, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *run = p;	/* first byte not yet copied */

	for (; *p; p++) {
		const char *esc = NULL;
		unsigned cp;

		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		default:
			break;
		}
		if (esc == NULL && *p >= 0x20 && *p != 0x7f && *p != '<' &&
		    *p != '>' && *p != '&' && !(p[0] == 0xe2 &&
		    p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)))
			continue;
		g_string_append_len(g, (const char *)run, p - run);
		if (esc) {
			g_string_append(g, esc);
		} else {
			/* U+2028 / U+2029: three bytes, known valid */
			cp = *p;
			if (*p == 0xe2) {
				cp = 0x2000 | (p[2] & 0x3f);
				p += 2;
			}
			g_string_append(g, "\\u");
			g_string_append_c(g, hex[(cp >> 12) & 0xf]);
			g_string_append_c(g, hex[(cp >> 8) & 0xf]);
			g_string_append_c(g, hex[(cp >> 4) & 0xf]);
			g_string_append_c(g, hex[cp & 0xf]);
		}
		run = p + 1;
	}
	g_string_append_len(g, (const char *)run, p - run);
}

/* Printable ASCII that needs no escape here (not " \\ < > &). */
static bool
json_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != '<' &&
	    c != '>' && c != '&';
}

void
ds_json_escape(GString *g, const char *s)
{
	const unsigned char *p;
	char *fixed;

	if (s == NULL) {
		g_string_append(g, "null");
		return;
	}
	/* the common case (domains, results, addresses): copied as is */
	for (p = (const unsigned char *)s; json_plain(*p); p++)
		;
	if (*p == '\0') {
		g_string_append_c(g, '"');
		g_string_append_len(g, s, (gssize)(p - (const unsigned char *)s));
		g_string_append_c(g, '"');
		return;
	}
	g_string_append_c(g, '"');
	if (g_utf8_validate(s, -1, NULL)) {
		escape_valid(g, s);
	} else {
		fixed = g_utf8_make_valid(s, -1);
		escape_valid(g, fixed);
		g_free(fixed);
	}
	g_string_append_c(g, '"');
}

void
ds_json_str_array(GString *g, const GPtrArray *a)
{
	guint i;

	g_string_append_c(g, '[');
	for (i = 0; a && i < a->len; i++) {
		if (i)
			g_string_append_c(g, ',');
		ds_json_escape(g, g_ptr_array_index(a, i));
	}
	g_string_append_c(g, ']');
}
