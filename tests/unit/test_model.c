/*
 * test_model.c - schema/model/model.c, schema/util/error.c, schema/model/limits.c:
 * warnings, life cycle, quoting of hostile text (THREATS #8), exit codes.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "schema/model/model.h"

static void
test_warnings(void **state)
{
	struct ds_report_meta m;
	int i;

	ds_report_meta_init(&m);
	assert_int_equal(m.pct, -1);
	assert_int_equal(m.format, DS_FORMAT_RFC7489);
	ds_report_warn(&m, "enum-case: %s '%s'", "p", "Reject");
	ds_report_warn(&m, "enum-case: %s '%s'", "p", "Reject");
	assert_int_equal(m.warnings->len, 1);
	assert_string_equal(
	    g_ptr_array_index(m.warnings, 0), "enum-case: p 'Reject'");
	for (i = 0; i < 500; i++)
		ds_report_warn(&m, "bad-source-ip: '%d'", i);
	assert_int_equal(m.warnings->len, 100);
	assert_string_equal(g_ptr_array_index(m.warnings, 99),
	    "too-many-warnings: further warnings dropped");
	m.org_name = g_strdup("x");
	ds_report_meta_clear(&m);
	assert_null(m.warnings);
	assert_null(m.org_name);
	ds_report_meta_clear(&m);          /* twice is fine */
	ds_report_warn(&m, "late: %d", 1); /* after clear: recreated */
	assert_int_equal(m.warnings->len, 1);
	ds_report_meta_clear(&m);
}

static void
test_record(void **state)
{
	struct ds_record r;
	struct ds_dkim_result d = { g_strdup("example.org"), NULL,
		g_strdup("pass"), NULL };

	ds_record_init(&r);
	assert_non_null(r.reasons);
	assert_non_null(r.dkim_results);
	assert_non_null(r.spf_results);
	r.source_ip = g_strdup("192.0.2.1");
	g_array_append_val(r.dkim_results, d);
	ds_record_clear(&r); /* frees the entry's strings too (ASan) */
	assert_null(r.source_ip);
	assert_null(r.dkim_results);
	ds_record_clear(&r);
}

static void
test_quote(void **state)
{
	static const struct {
		const char *in;
		size_t len, max;
		const char *want;
	} t[] = {
		{ "plain", 5, 80, "plain" },
		{ "a\nb\tc\r", 6, 80, "a\\nb\\tc\\r" },
		{ "nul\0x", 5, 80, "nul\\x00x" },
		{ "bad \xff\xfe utf8", 11, 80, "bad \\xff\\xfe utf8" },
		{ "esc \x1b[31m", 9, 80, "esc \\x1b[31m" },
		{ "back\\slash", 10, 80, "back\\\\slash" },
		{ "M\xc3\xbcller", 7, 80, "M\xc3\xbcller" },
		{ "c1 \xc2\x85 ls \xe2\x80\xa8", 12, 80,
		    "c1 \\u0085 ls \\u2028" },
		{ "0123456789", 10, 4, "0123..." },
		{ "\xc3\xbc\xc3\xbc", 4, 3, "\xc3\xbc..." },
	};
	size_t i;
	char *q;

	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		q = ds_quote(t[i].in, t[i].len, t[i].max);
		if (strcmp(q, t[i].want) != 0)
			fail_msg(
			    "case %zu: got '%s' want '%s'", i, q, t[i].want);
		assert_true(g_utf8_validate(q, -1, NULL));
		g_free(q);
	}
	q = ds_quote(NULL, 0, 10);
	assert_string_equal(q, "(null)");
	g_free(q);
}

static void
test_errors(void **state)
{
	GError *e = NULL;

	assert_false(ds_fail(&e, DS_ERROR_SCHEMA, "no <%s>", "report_id"));
	assert_true(g_error_matches(e, DS_ERROR, DS_ERROR_SCHEMA));
	assert_string_equal(e->message, "no <report_id>");
	assert_false(ds_fail(&e, DS_ERROR_XML, "second")); /* first wins */
	assert_string_equal(e->message, "no <report_id>");
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_REJECTED);
	g_clear_error(&e);
	assert_false(ds_fail(NULL, DS_ERROR_IO, "nobody listens"));
	assert_int_equal(ds_error_exit_code(NULL), DS_EXIT_OK);
	e = g_error_new(DS_ERROR, DS_ERROR_DB, "locked");
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_TEMPFAIL);
	e->code = DS_ERROR_DUP;
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_OK);
	e->code = DS_ERROR_USAGE;
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_USAGE);
	e->code = DS_ERROR_AUTH;
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_AUTH);
	e->code = DS_ERROR_LOCKED;
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_LOCKED);
	e->code = DS_ERROR_LIMIT;
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_REJECTED);
	g_clear_error(&e);
	e = g_error_new(G_FILE_ERROR, G_FILE_ERROR_NOSPC, "disk full");
	assert_int_equal(ds_error_exit_code(e), DS_EXIT_TEMPFAIL);
	g_clear_error(&e);
}

static void
test_limits_and_names(void **state)
{
	struct ds_limits l;

	memset(&l, 0, sizeof(l));
	ds_limits_default(&l);
	assert_true(l.max_inflated == 4ull * 1024 * 1024 * 1024);
	assert_int_equal(l.max_cpu_seconds, 300);
	assert_int_equal(l.max_ratio, 1000);
	assert_int_equal(l.max_zip_entries, 1000);
	assert_int_equal(l.max_nesting, 4);
	assert_int_equal(l.max_xml_depth, 16);
	assert_true(l.max_records == 10000000);
	assert_int_equal(l.max_text, 64 * 1024);
	assert_int_equal(l.max_mime_depth, 8);
	assert_int_equal(l.max_mime_parts, 1000);
	assert_true(l.max_message == 64u * 1024 * 1024);
	assert_string_equal(ds_format_name(DS_FORMAT_RFC7489), "rfc7489");
	assert_string_equal(ds_format_name(DS_FORMAT_RFC9990), "rfc9990");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_record),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_limits_and_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
