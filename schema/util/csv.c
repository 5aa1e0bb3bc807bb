/*
 * csv.c - RFC 4180 fields with the formula guard (THREATS #10).
 * SPDX-License-Identifier: MIT
 */
#include <stdbool.h>
#include <string.h>

#include "schema/util/csv.h"

void
ds_csv_field(GString *g, const char *s)
{
	/* THREATS #10: a leading = + - @ TAB CR makes a spreadsheet formula */
	bool guard, quote;
	const char *p;

	if (s == NULL)
		s = "";
	guard = s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
	quote = guard || strpbrk(s, ",\"\r\n") != NULL;
	if (quote)
		g_string_append_c(g, '"');
	if (guard)
		g_string_append_c(g, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			g_string_append_c(g, '"');
		g_string_append_c(g, *p);
	}
	if (quote)
		g_string_append_c(g, '"');
}
