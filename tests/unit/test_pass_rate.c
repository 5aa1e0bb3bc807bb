/*
 * test_pass_rate.c - ds_pass_rate (schema/store/store_senders_util.c):
 * shown with one decimal, a rate never reads 100.0 while something
 * failed, nor 0.0 while something passed (issue 18).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <cmocka.h>

#include "schema/store/store_senders.h"

static const char *
shown(int64_t pass, int64_t messages, char buf[16])
{
	snprintf(buf, 16, "%.1f", ds_pass_rate(pass, messages));
	return buf;
}

static void
test_rates(void **state)
{
	static const struct { int64_t pass, n; const char *want; } t[] = {
		{ 0, 0, "0.0" },
		{ 10, 10, "100.0" },
		{ 9999, 10000, "99.9" },	/* 99.99 would round up */
		{ 1999999, 2000000, "99.9" },
		{ 9994, 10000, "99.9" },
		{ 1, 10000, "0.1" },		/* 0.01 would round down */
		{ 0, 10000, "0.0" },
		{ 1, 3, "33.3" },
		{ 2, 3, "66.7" },
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_string_equal(shown(t[i].pass, t[i].n, buf), t[i].want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
