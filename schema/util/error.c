/*
 * error.c - the DS_ERROR domain, exit codes and quoting of hostile text
 * for one-line messages (THREATS #8).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "schema/util/error.h"

/* The GQuark of DS_ERROR. */
GQuark
ds_error_quark(void)
{
	return g_quark_from_static_string("ds-error-quark");
}

/*
 * Set *err to DS_ERROR/code with the formatted message, unless err is
 * NULL or already set (the first error wins). Always returns false.
 */
bool
ds_fail(GError **err, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (err == NULL || *err != NULL)
		return false; /* keep the first error */
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_set_error_literal(err, DS_ERROR, code, msg);
	g_free(msg);
	return false;
}

/*
 * Map an error to an exit status: rejected input 1, duplicate 0, login 3,
 * lock 4, usage 2, permanent 5, anything operational (and foreign
 * domains) 75.
 */
int
ds_error_exit_code(const GError *e)
{
	if (e == NULL)
		return DS_EXIT_OK;
	if (e->domain != DS_ERROR)
		return DS_EXIT_TEMPFAIL; /* GLib I/O and the like */
	switch (e->code) {
	case DS_ERROR_DUP:
		return DS_EXIT_OK;
	case DS_ERROR_XML:
	case DS_ERROR_SCHEMA:
	case DS_ERROR_LIMIT:
	case DS_ERROR_FORMAT:
		return DS_EXIT_REJECTED;
	case DS_ERROR_AUTH:
		return DS_EXIT_AUTH;
	case DS_ERROR_USAGE:
		return DS_EXIT_USAGE;
	case DS_ERROR_LOCKED:
		return DS_EXIT_LOCKED;
	case DS_ERROR_PERMANENT:
		return DS_EXIT_PERMANENT;
	default:
		return DS_EXIT_TEMPFAIL; /* _IO, _DB, _NET */
	}
}

/* Append the escaped form of one character (or invalid byte) to o. */
static void
quote_char(GString *o, const char *p, size_t n, gunichar c)
{
	switch (c) {
	case '\n':
		g_string_append(o, "\\n");
		return;
	case '\r':
		g_string_append(o, "\\r");
		return;
	case '\t':
		g_string_append(o, "\\t");
		return;
	case '\\':
		g_string_append(o, "\\\\");
		return;
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f)
		g_string_append_printf(o, "\\x%02x", (unsigned)c);
	else if ((c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 ||
	         c == 0xfeff)
		g_string_append_printf(o, "\\u%04x", (unsigned)c);
	else
		g_string_append_len(o, p, (gssize)n);
}

/*
 * Copy s[0..len) (NUL bytes included) for a one-line message: invalid
 * UTF-8 bytes become \xNN, controls and backslashes escaped, and at most
 * max bytes are kept, then "...". s NULL gives "(null)". Caller frees.
 */
char *
ds_quote(const char *s, size_t len, size_t max)
{
	GString *o, *one;
	const char *p, *end;
	gunichar c;
	size_t n;

	if (s == NULL)
		return g_strdup("(null)");
	o = g_string_sized_new(MIN(len, max) + 8);
	one = g_string_sized_new(16);
	p = s;
	end = s + len;
	while (p < end) {
		g_string_truncate(one, 0);
		if (*p == '\0') {
			c = 0;
			n = 1;
		} else {
			c = g_utf8_get_char_validated(p, end - p);
			if (c == (gunichar)-1 || c == (gunichar)-2) {
				/* invalid or truncated: escape the byte */
				g_string_append_printf(
				    one, "\\x%02x", (unsigned char)*p);
				n = 1;
				goto add;
			}
			n = g_utf8_next_char(p) - p;
		}
		quote_char(one, p, n, c);
	add:
		if (o->len + one->len > max) {
			g_string_append(o, "...");
			break;
		}
		g_string_append_len(o, one->str, (gssize)one->len);
		p += n;
	}
	g_string_free(one, TRUE);
	return g_string_free(o, FALSE);
}
