/*
 * helper_store.c - fixtures for the store tests; see helper_store.h.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "tests/unit/helper_store.h"

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	char *p;

	if (d != NULL) {
		while ((n = g_dir_read_name(d)) != NULL) {
			p = g_build_filename(path, n, NULL);
			rm_rf(p);
			g_free(p);
		}
		g_dir_close(d);
	}
	remove(path);
}

int
ts_setup(void **state)
{
	struct ts_fx *f = g_new0(struct ts_fx, 1);
	GError *e = NULL;

	f->dir = g_dir_make_tmp("ds-store-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->path = g_build_filename(f->dir, "data", "dmarc.db", NULL);
	f->st = ds_store_open(f->path, &e);
	assert_null(e);
	assert_non_null(f->st);
	assert_int_equal(sqlite3_open_v2(f->path, &f->db,
	    SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	*state = f;
	return 0;
}

int
ts_teardown(void **state)
{
	struct ts_fx *f = *state;

	sqlite3_close(f->db);
	ds_store_close(f->st);
	rm_rf(f->dir);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* One integer from sql with an optional int64 parameter ?1. */
int64_t
ts_int(sqlite3 *db, const char *sql, int64_t p1)
{
	sqlite3_stmt *s;
	int64_t v;

	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, p1);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* One text (or NULL) from sql with ?1 = p1. Caller frees. */
char *
ts_text(sqlite3 *db, const char *sql, int64_t p1)
{
	sqlite3_stmt *s;
	char *v;

	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_bind_parameter_count(s) > 0)
		sqlite3_bind_int64(s, 1, p1);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	v = g_strdup((const char *)sqlite3_column_text(s, 0));
	sqlite3_finalize(s);
	return v;
}

void
ts_meta_fill(struct ds_report_meta *m, const char *org, const char *id,
    const char *domain, int64_t begin, int64_t end)
{
	memset(m, 0, sizeof(*m));
	m->format = DS_FORMAT_RFC9990;
	m->org_name = g_strdup(org);
	m->report_id = g_strdup(id);
	m->domain = g_strdup(domain);
	m->email = g_strdup("noreply-dmarc@example.net");
	m->begin = begin;
	m->end = end;
	m->p = g_strdup("reject");
	m->pct = -1;
	m->errors = g_ptr_array_new_with_free_func(g_free);
	m->warnings = g_ptr_array_new_with_free_func(g_free);
}

void
ts_meta_free(struct ds_report_meta *m)
{
	g_free(m->org_name);
	g_free(m->report_id);
	g_free(m->domain);
	g_free(m->email);
	g_free(m->p);
	g_free(m->generator);
	g_ptr_array_unref(m->errors);
	g_ptr_array_unref(m->warnings);
}

/* A record with one reason, two DKIM and one SPF result; all borrowed. */
void
ts_record_fill(struct ds_record *r, const char *ip, uint64_t count,
    const char *text)
{
	struct ds_reason rs = { (char *)"local_policy", (char *)text };
	struct ds_dkim_result d1 = { (char *)"example.com", (char *)"s1",
	    (char *)"pass", NULL };
	struct ds_dkim_result d2 = { (char *)"esp.example", NULL,
	    (char *)"fail", (char *)text };
	struct ds_spf_result sp = { (char *)"example.com", (char *)"mfrom",
	    (char *)"softfail", NULL };

	memset(r, 0, sizeof(*r));
	r->source_ip = (char *)ip;
	r->count = count;
	r->disposition = (char *)"none";
	r->dkim = (char *)"pass";
	r->spf = (char *)"fail";
	r->header_from = (char *)"example.com";
	r->reasons = g_array_new(FALSE, TRUE, sizeof(struct ds_reason));
	g_array_append_val(r->reasons, rs);
	r->dkim_results = g_array_new(FALSE, TRUE,
	    sizeof(struct ds_dkim_result));
	g_array_append_val(r->dkim_results, d1);
	g_array_append_val(r->dkim_results, d2);
	r->spf_results = g_array_new(FALSE, TRUE,
	    sizeof(struct ds_spf_result));
	g_array_append_val(r->spf_results, sp);
}

void
ts_record_free(struct ds_record *r)
{
	g_array_unref(r->reasons);
	g_array_unref(r->dkim_results);
	g_array_unref(r->spf_results);
}

/* Store a report with n records of count 1..n; returns its row. */
int64_t
ts_put_report(struct ds_store *st, const char *org, const char *id,
    const char *domain, int64_t begin, int64_t end, unsigned n)
{
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row = 0;
	uint64_t msgs = 0;
	char ip[32];
	unsigned i;

	ts_meta_fill(&m, org, id, domain, begin, end);
	assert_true(ds_store_report_put(st, &m, "test", 0, &row, &e));
	assert_null(e);
	for (i = 1; i <= n; i++) {
		g_snprintf(ip, sizeof(ip), "192.0.2.%u", i % 4);
		ts_record_fill(&r, ip, i, "forwarded by list");
		assert_true(ds_store_record_put(st, row, &r, &e));
		assert_null(e);
		msgs += i;
		ts_record_free(&r);
	}
	assert_true(ds_store_report_finish(st, row, n, msgs, &m, &e));
	assert_null(e);
	ts_meta_free(&m);
	return row;
}
