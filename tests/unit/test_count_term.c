/*
 * test_count_term.c - checked counts (count.h) and the terminal escaping
 * rule (term.h), THREATS #14 and #21.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <glib.h>

#include "schema/util/count.h"
#include "schema/util/term.h"

static void
test_add_saturates(void **state)
{
	int64_t a = 5;
	struct ds_total t = { 0, false };
	char *s;

	(void)state;
	assert_true(ds_count_add(&a, 7));
	assert_int_equal(a, 12);
	a = INT64_MAX;
	assert_false(ds_count_add(&a, INT64_MAX));
	assert_true(a == INT64_MAX);
	a = 3;
	assert_false(ds_count_add(&a, -4));
	assert_int_equal(a, 3);
	/* two reports of 2^63-1 messages (issue 13 item 2) */
	ds_total_add(&t, INT64_MAX);
	assert_false(t.saturated);
	ds_total_add(&t, INT64_MAX);
	assert_true(t.saturated);
	assert_true(t.n == INT64_MAX);
	s = ds_count_str(t.n, t.saturated, ',');
	assert_string_equal(s, "9,223,372,036,854,775,807+");
	g_free(s);
	/* no double on the way: ...903 prints as ...903 */
	s = ds_count_str(4611686018427387903LL, false, 0);
	assert_string_equal(s, "4611686018427387903");
	g_free(s);
	s = ds_count_str(999, false, ',');
	assert_string_equal(s, "999");
	g_free(s);
	s = ds_count_str(1000, false, ',');
	assert_string_equal(s, "1,000");
	g_free(s);
}

static void
test_mul_sub_pct(void **state)
{
	int64_t r;

	(void)state;
	assert_true(ds_count_mul(&r, 3, 4));
	assert_int_equal(r, 12);
	assert_false(ds_count_mul(&r, INT64_MAX / 2, 3));
	assert_true(r == INT64_MAX);
	assert_true(ds_count_sub(&r, 10, 4));
	assert_int_equal(r, 6);
	assert_false(ds_count_sub(&r, 4, 10));
	assert_int_equal(r, 0);
	assert_true(ds_count_pct(INT64_MAX, INT64_MAX) == 100.0);
	assert_true(ds_count_pct(5, 0) == 0.0);
	assert_true(ds_count_pct(1, 4) == 25.0);
}

static void
esc_is(const char *in, gssize len, const char *want)
{
	char *s = ds_term_escape(in, len);

	assert_string_equal(s, want);
	g_free(s);
}

static void
test_term_rule(void **state)
{
	(void)state;
	esc_is("plain, ümlaut\tand\n", -1, "plain, ümlaut\tand\n");
	esc_is("\x1b]0;pwned\x07", -1, "\\x1b]0;pwned\\x07");
	esc_is("a\x7f" "b\r", -1, "a\\x7fb\\x0d");
	/* U+009B: a one-character CSI */
	esc_is("x\xc2\x9b" "31m", -1, "x\\u009b31m");
	/* U+202E right-to-left override, U+2066 isolate, U+FEFF */
	esc_is("evil\xe2\x80\xae" "gpj.exe", -1, "evil\\u202egpj.exe");
	esc_is("\xe2\x81\xa6" "a\xef\xbb\xbf", -1, "\\u2066a\\ufeff");
	/* not UTF-8, and a NUL inside a counted string */
	esc_is("\xff\xfe", -1, "\\xff\\xfe");
	esc_is("a\0b", 3, "a\\x00b");
	/* JSON stays JSON: backslashes are left alone */
	esc_is("\"a\\u0041\"", -1, "\"a\\u0041\"");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_saturates),
		cmocka_unit_test(test_mul_sub_pct),
		cmocka_unit_test(test_term_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
