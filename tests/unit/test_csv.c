/*
 * test_csv.c - RFC 4180 fields and the formula guard (THREATS #10).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "schema/util/csv.h"

static void
field_is(const char *in, const char *want)
{
	GString *g = g_string_new(NULL);

	ds_csv_field(g, in);
	assert_string_equal(g->str, want);
	g_string_free(g, TRUE);
}

static void
test_plain_and_quoted(void **state)
{
	(void)state;
	field_is("example.com", "example.com");
	field_is(NULL, "");
	field_is("", "");
	field_is("a,b", "\"a,b\"");
	field_is("say \"hi\"", "\"say \"\"hi\"\"\"");
	field_is("two\nlines", "\"two\nlines\"");
	field_is("cr\rx", "\"cr\rx\"");
}

static void
test_formula_guard(void **state)
{
	(void)state;
	field_is("=HYPERLINK(\"http://x\",\"y\")",
	    "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"");
	field_is("+1", "\"'+1\"");
	field_is("-2", "\"'-2\"");
	field_is("@SUM(A1)", "\"'@SUM(A1)\"");
	field_is("\tx", "\"'\tx\"");
	field_is("\rx", "\"'\rx\"");
	field_is("a=b", "a=b");	/* only a leading character is a formula */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_and_quoted),
		cmocka_unit_test(test_formula_guard),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
