/*
 * term.c - escaping of text for terminals; see term.h for the rule.
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/term.h"

/* True for code points shown as \uXXXX: C1, bidi and line separators. */
static bool
is_hidden(gunichar c)
{
	return (c >= 0x80 && c < 0xa0) || c == 0x061c || c == 0x200e ||
	    c == 0x200f || (c >= 0x202a && c <= 0x202e) ||
	    (c >= 0x2066 && c <= 0x2069) || c == 0x2028 || c == 0x2029 ||
	    c == 0xfeff;
}

void
ds_term_escape_into(GString *g, const char *s, gssize len)
{
	const char *p, *end, *run;
	gunichar c;

	if (s == NULL)
		return;
	if (len < 0)
		len = (gssize)strlen(s);
	p = run = s;
	end = s + len;
	while (p < end) {
		unsigned char b = (unsigned char)*p;

		if (b >= 0x20 && b < 0x7f) {
			p++;
			continue;
		}
		if (b == '\n' || b == '\t') {
			p++;
			continue;
		}
		if (b < 0x80) {
			g_string_append_len(g, run, p - run);
			g_string_append_printf(g, "\\x%02x", b);
			run = ++p;
			continue;
		}
		c = g_utf8_get_char_validated(p, end - p);
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append_len(g, run, p - run);
			g_string_append_printf(g, "\\x%02x", b);
			run = ++p;
			continue;
		}
		if (is_hidden(c)) {
			g_string_append_len(g, run, p - run);
			g_string_append_printf(g, "\\u%04x", (unsigned)c);
			p = g_utf8_next_char(p);
			run = p;
			continue;
		}
		p = g_utf8_next_char(p);
	}
	g_string_append_len(g, run, p - run);
}

char *
ds_term_escape(const char *s, gssize len)
{
	GString *g = g_string_new(NULL);

	ds_term_escape_into(g, s, len);
	return g_string_free(g, FALSE);
}

void
ds_term_write(FILE *f, const char *s, gssize len)
{
	GString *g = g_string_new(NULL);

	ds_term_escape_into(g, s, len);
	fwrite(g->str, 1, g->len, f);
	g_string_free(g, TRUE);
}

void
ds_term_write_data(FILE *f, const char *s, gssize len)
{
	if (isatty(fileno(f))) {
		ds_term_write(f, s, len);
		return;
	}
	fwrite(s, 1, len < 0 ? strlen(s) : (size_t)len, f);
}

static void
print_out(const gchar *s)
{
	ds_term_write(stdout, s, -1);
}

static void
print_err(const gchar *s)
{
	ds_term_write(stderr, s, -1);
	fflush(stderr);
}

void
ds_term_install(void)
{
	g_set_print_handler(print_out);
	g_set_printerr_handler(print_err);
}
