/*
 * test_json.c - schema/util/json.c: JSON string literals (RFC 8259 section 7).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #8 (valid output whatever the input), #9 (no '<' '>' '&' or
 * U+2028/9 left raw, so the text can sit inside <script>).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/json.h"

static const struct {
	const char *in;
	const char *want;
} cases[] = {
	{ NULL, "null" },
	{ "", "\"\"" },
	{ "example.com", "\"example.com\"" },
	{ "a\"b\\c/d", "\"a\\\"b\\\\c/d\"" },
	{ "\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\"" },
	{ "\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\"" },
	{ "</script><!--&amp;",
	  "\"\\u003c/script\\u003e\\u003c!--\\u0026amp;\"" },
	{ "\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"" },
	/* other three-byte characters starting with e2 80 stay raw */
	{ "\xe2\x80\x94 \xc3\xa9 \xf0\x9f\x98\x80",
	  "\"\xe2\x80\x94 \xc3\xa9 \xf0\x9f\x98\x80\"" },
	/* invalid UTF-8 becomes U+FFFD */
	{ "a\xff" "b", "\"a\xef\xbf\xbd" "b\"" },
	{ "\xe2\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
};

static void
test_escape_table(void **state)
{
	GString *g = g_string_new("");
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(cases); i++) {
		g_string_truncate(g, 0);
		ds_json_escape(g, cases[i].in);
		assert_string_equal(g->str, cases[i].want);
		assert_true(g_utf8_validate(g->str, -1, NULL));
	}
	g_string_free(g, TRUE);
}

static void
test_every_byte(void **state)
{
	GString *g = g_string_new("");
	char in[2] = { 0, 0 };
	const char *p;
	int c;

	(void)state;
	/* no raw control character, quote or HTML metacharacter survives */
	for (c = 1; c < 256; c++) {
		in[0] = (char)c;
		g_string_truncate(g, 0);
		ds_json_escape(g, in);
		assert_true(g_utf8_validate(g->str, -1, NULL));
		assert_true(g->len >= 3);
		for (p = g->str + 1; p < g->str + g->len - 1; p++) {
			assert_false((unsigned char)*p < 0x20);
			assert_null(strchr("<>&", *p));
			if (*p == '"')
				assert_true(p[-1] == '\\');
		}
	}
	g_string_free(g, TRUE);
}

static void
test_str_array(void **state)
{
	GPtrArray *a = g_ptr_array_new();
	GString *g = g_string_new("");

	(void)state;
	ds_json_str_array(g, NULL);
	assert_string_equal(g->str, "[]");
	g_string_truncate(g, 0);
	ds_json_str_array(g, a);
	assert_string_equal(g->str, "[]");
	g_ptr_array_add(a, (char *)"x: \"y\"");
	g_ptr_array_add(a, (char *)"<z>");
	g_string_truncate(g, 0);
	ds_json_str_array(g, a);
	assert_string_equal(g->str, "[\"x: \\\"y\\\"\",\"\\u003cz\\u003e\"]");
	g_ptr_array_unref(a);
	g_string_free(g, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_table),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_str_array),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
