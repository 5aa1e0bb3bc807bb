/*
 * test_store_detail.c - schema/store/store_detail.c: one stored report read
 * back as model structs (metadata, policy, errors, warnings) and its
 * records with reasons, DKIM and SPF results in stored order, the
 * limit, a stopping callback, missing rows.
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
#include "schema/store/store_detail.h"
#include "tests/unit/helper_store.h"

static void
test_report_get(void **state)
{
	struct ts_fx *f = *state;
	struct ds_report_detail d;
	GError *e = NULL;
	int64_t row;
	bool found;

	assert_true(ds_store_begin(f->st, &e));
	ts_put_report(f->st, "other.example", "o-1", "example.org", 1, 2, 1);
	row = ts_put_report(f->st, "google.com", "r-7", "example.com", 1000,
	    2000, 3);
	assert_true(ds_store_commit(f->st, &e));
	assert_true(ds_store_report_get(f->st, row, &d, &found, &e));
	assert_null(e);
	assert_true(found);
	assert_int_equal(d.id, row);
	assert_int_equal(d.meta.format, DS_FORMAT_RFC9990);
	assert_string_equal(d.meta.org_name, "google.com");
	assert_string_equal(d.meta.report_id, "r-7");
	assert_string_equal(d.meta.domain, "example.com");
	assert_string_equal(d.meta.email, "noreply-dmarc@example.net");
	assert_string_equal(d.meta.p, "reject");
	assert_null(d.meta.sp);
	assert_int_equal(d.meta.pct, -1);
	assert_int_equal(d.meta.begin, 1000);
	assert_int_equal(d.meta.end, 2000);
	assert_int_equal(d.records, 3);
	assert_int_equal(d.messages, 6);
	assert_string_equal(d.source, "test");
	assert_int_equal(d.meta.errors->len, 0);
	ds_report_detail_clear(&d);

	assert_true(ds_store_report_get(f->st, row + 100, &d, &found, &e));
	assert_false(found);
	assert_null(d.meta.org_name);
	ds_report_detail_clear(&d);
}

struct seen {
	unsigned n, stop_at;
	uint64_t counts;
};

static bool
on_record(const struct ds_record *r, void *payload)
{
	struct seen *s = payload;
	const struct ds_dkim_result *dk;

	s->n++;
	s->counts += r->count;
	assert_int_equal(r->count, s->n);	/* stored order */
	assert_string_equal(r->disposition, "none");
	assert_string_equal(r->dkim, "pass");
	assert_string_equal(r->header_from, "example.com");
	assert_int_equal(r->reasons->len, 1);
	assert_string_equal(g_array_index(r->reasons, struct ds_reason,
	    0).comment, "forwarded by list");
	assert_int_equal(r->dkim_results->len, 2);
	dk = &g_array_index(r->dkim_results, struct ds_dkim_result, 0);
	assert_string_equal(dk->domain, "example.com");
	assert_string_equal(dk->selector, "s1");
	dk = &g_array_index(r->dkim_results, struct ds_dkim_result, 1);
	assert_string_equal(dk->domain, "esp.example");
	assert_null(dk->selector);
	assert_string_equal(dk->human_result, "forwarded by list");
	assert_int_equal(r->spf_results->len, 1);
	assert_string_equal(g_array_index(r->spf_results,
	    struct ds_spf_result, 0).result, "softfail");
	return s->n != s->stop_at;
}

static void
test_records_each(void **state)
{
	struct ts_fx *f = *state;
	struct seen s = { 0, 0, 0 };
	GError *e = NULL;
	int64_t a, b;

	assert_true(ds_store_begin(f->st, &e));
	a = ts_put_report(f->st, "google.com", "a", "example.com", 10, 20, 5);
	b = ts_put_report(f->st, "google.com", "b", "example.com", 10, 20, 4);
	assert_true(ds_store_commit(f->st, &e));
	assert_true(ds_store_records_each(f->st, a, 0, on_record, &s, &e));
	assert_int_equal(s.n, 5);
	assert_int_equal(s.counts, 15);
	memset(&s, 0, sizeof(s));
	assert_true(ds_store_records_each(f->st, b, 0, on_record, &s, &e));
	assert_int_equal(s.n, 4);
	memset(&s, 0, sizeof(s));
	assert_true(ds_store_records_each(f->st, a, 2, on_record, &s, &e));
	assert_int_equal(s.n, 2);
	memset(&s, 0, sizeof(s));
	s.stop_at = 3;
	assert_true(ds_store_records_each(f->st, a, 0, on_record, &s, &e));
	assert_int_equal(s.n, 3);
	memset(&s, 0, sizeof(s));
	assert_true(ds_store_records_each(f->st, b + 9, 0, on_record, &s,
	    &e));
	assert_int_equal(s.n, 0);
	assert_null(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_report_get, ts_setup,
		    ts_teardown),
		cmocka_unit_test_setup_teardown(test_records_each, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
