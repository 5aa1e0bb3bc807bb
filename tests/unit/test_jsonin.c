/*
 * test_jsonin.c - untrusted JSON through schema/jsonin: limits before
 * json-glib (THREATS #20), typed accessors that never abort.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "schema/jsonin/jsonin.h"

static JsonNode *
parse(const char *s, GError **e)
{
	return ds_json_parse(s, strlen(s), NULL, e);
}

static void
test_deep_nesting_refused_before_parser(void **state)
{
	/* 200,000 levels: json-glib alone overflows its stack (SPEC 8) */
	size_t n = 200000;
	char *buf = g_malloc(n);
	GError *e = NULL;

	memset(buf, '[', n);
	assert_null(ds_json_parse(buf, n, NULL, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "nested deeper"));
	g_error_free(e);
	g_free(buf);
}

static void
test_depth_ignores_brackets_in_strings(void **state)
{
	const char *s = "{\"a\":\"[[[[{{{{\\\"[[[\",\"b\":[[1]]}";

	assert_int_equal(ds_json_depth(s, strlen(s), 32), 3);
	assert_int_equal(ds_json_depth("[[[[", 4, 2), 3);
}

static void
test_duplicate_keys_refused(void **state)
{
	GError *e = NULL;
	JsonNode *n;

	assert_null(parse("{\"a\":1,\"b\":{\"c\":1,\"c\":2}}", &e));
	assert_int_equal(e->code, DS_ERROR_FORMAT);
	assert_non_null(strstr(e->message, "'c' twice"));
	g_clear_error(&e);
	/* the same key in sibling objects is no duplicate */
	n = parse("[{\"a\":1},{\"a\":2},{\"b\":{\"a\":3}}]", &e);
	assert_non_null(n);
	json_node_unref(n);
}

static void
test_size_limit(void **state)
{
	struct ds_json_limits lim = { .max_bytes = 8 };
	GError *e = NULL;

	assert_null(ds_json_parse("[1,2,3,4,5]", 11, &lim, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_error_free(e);
}

static void
test_invalid_utf8_and_garbage(void **state)
{
	GError *e = NULL;

	assert_null(parse("{\"a\":\"\xff\xfe\"}", &e));
	assert_int_equal(e->code, DS_ERROR_FORMAT);
	assert_non_null(strstr(e->message, "UTF-8"));
	g_clear_error(&e);
	assert_null(parse("{\"a\": tru", &e));
	assert_int_equal(e->code, DS_ERROR_FORMAT);
	g_clear_error(&e);
	assert_null(ds_json_parse("", 0, NULL, &e));
	g_clear_error(&e);
}

static void
test_typed_accessors(void **state)
{
	GError *e = NULL;
	JsonNode *n = parse("{\"s\":\"x\",\"i\":42,\"big\":1e999,\"f\":1.5,"
	    "\"si\":\"17\",\"neg\":\"-1\",\"o\":{\"k\":[1]},\"arr\":[],"
	    "\"huge\":99999999999999999999}", &e);
	JsonObject *o;
	int64_t v = 0;

	assert_non_null(n);
	o = json_node_get_object(n);
	assert_string_equal(ds_jget_str(o, "s"), "x");
	assert_null(ds_jget_str(o, "i"));	/* wrong type: NULL */
	assert_null(ds_jget_str(o, "missing"));
	assert_true(ds_jget_int(o, "i", 0, 100, &v));
	assert_int_equal(v, 42);
	assert_false(ds_jget_int(o, "i", 0, 10, &v));	/* out of range */
	assert_false(ds_jget_int(o, "big", 0, INT64_MAX, &v));
	assert_false(ds_jget_int(o, "f", 0, 100, &v));
	assert_false(ds_jget_int(o, "huge", 0, INT64_MAX, &v));
	assert_true(ds_jget_int(o, "si", 0, 100, &v));
	assert_int_equal(v, 17);
	assert_false(ds_jget_int(o, "neg", -5, 100, &v));
	assert_false(ds_jget_int(o, "s", 0, 100, &v));
	assert_non_null(ds_jget_obj(o, "o"));
	assert_non_null(ds_jget_arr(ds_jget_obj(o, "o"), "k"));
	assert_null(ds_jget_arr(o, "o"));
	assert_null(ds_jget_obj(o, "arr"));
	assert_null(ds_jget_obj(NULL, "x"));
	json_node_unref(n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deep_nesting_refused_before_parser),
		cmocka_unit_test(test_depth_ignores_brackets_in_strings),
		cmocka_unit_test(test_size_limit),
		cmocka_unit_test(test_duplicate_keys_refused),
		cmocka_unit_test(test_invalid_utf8_and_garbage),
		cmocka_unit_test(test_typed_accessors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
