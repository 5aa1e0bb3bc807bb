/*
 * test_pipeline.c - one input through the whole ingest path into a real
 * SQLite file: outcomes, duplicates across containers, the commit hook,
 * quarantine, and THREATS #1, #11, #13 end to end.
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <zlib.h>

#include "schema/util/error.h"
#include "schema/store/store.h"
#include "ingest/pipeline/pipeline.h"

struct fx {
	char *dir, *path;
	struct ds_store *st;
	struct ds_pipeline *pl;
};

static const char *
report(const char *id, const char *org)
{
	static char buf[2048];

	g_snprintf(buf, sizeof(buf),
	    "<?xml version=\"1.0\"?><feedback><report_metadata>"
	    "<org_name>%s</org_name><email>d@r.example</email>"
	    "<report_id>%s</report_id><date_range><begin>1700000000</begin>"
	    "<end>1700086399</end></date_range></report_metadata>"
	    "<policy_published><domain>example.com</domain><p>none</p>"
	    "</policy_published><record><row><source_ip>192.0.2.1</source_ip>"
	    "<count>3</count><policy_evaluated><disposition>none</disposition>"
	    "<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>"
	    "<identifiers><header_from>example.com</header_from></identifiers>"
	    "<auth_results><spf><domain>example.com</domain><result>fail"
	    "</result></spf></auth_results></record></feedback>", org, id);
	return buf;
}

static GBytes *
gzip_bytes(const char *s)
{
	z_stream z = { 0 };
	guint8 out[8192];

	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)s;
	z.avail_in = strlen(s);
	z.next_out = out;
	z.avail_out = sizeof(out);
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	return g_bytes_new(out, z.total_out);
}

static int64_t
count(struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	struct ds_pipeline_opts opts = { .quiet = true };
	struct ds_limits lim;

	f->dir = g_dir_make_tmp("dstest-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "t.db", NULL);
	f->st = ds_store_open(f->path, NULL);
	assert_non_null(f->st);
	ds_limits_default(&lim);
	f->pl = ds_pipeline_new(f->st, &lim, &opts);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	ds_pipeline_free(f->pl);
	ds_store_close(f->st);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static enum ds_outcome
ingest(struct fx *f, const char *name, const char *buf, size_t len)
{
	enum ds_outcome o;
	GError *e = NULL;

	assert_true(ds_pipeline_ingest(f->pl, name, buf, len, NULL, NULL, &o,
	    &e));
	assert_null(e);
	return o;
}

/* the same report as XML, then gzip: stored once, then a duplicate */
static void
test_same_report_two_containers(void **state)
{
	struct fx *f = *state;
	const char *x = report("r-1", "Reporter");
	GBytes *gz = gzip_bytes(x);
	gsize n;
	const char *g = g_bytes_get_data(gz, &n);

	assert_int_equal(ingest(f, "a.xml", x, strlen(x)), DS_OUTCOME_STORED);
	assert_int_equal(ingest(f, "a.xml.gz", g, n), DS_OUTCOME_DUPLICATE);
	assert_int_equal(ingest(f, "a.xml", x, strlen(x)),
	    DS_OUTCOME_DUPLICATE);
	assert_int_equal(count(f, "select count(*) from report"), 1);
	assert_int_equal(count(f, "select count(*) from record"), 1);
	assert_int_equal(count(f, "select sum(messages) from report"), 3);
	assert_int_equal(ds_pipeline_stats(f->pl)->duplicates, 2);
	g_bytes_unref(gz);
}

/* a message with a good and a broken attachment: the good one stays */
static void
test_partial_message(void **state)
{
	struct fx *f = *state;
	GString *m = g_string_new("From: r@x.example\r\nSubject: t\r\n"
	    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=B"
	    "\r\n\r\n--B\r\nContent-Type: text/xml\r\n\r\n");

	g_string_append(m, report("good", "R"));
	g_string_append(m, "\r\n--B\r\nContent-Type: text/xml\r\n\r\n"
	    "<feedback><report_metadata><org_name>R</org_name>"
	    "</feedback>\r\n--B--\r\n");
	assert_int_equal(ingest(f, "m.eml", m->str, m->len),
	    DS_OUTCOME_PARTIAL);
	assert_int_equal(count(f, "select count(*) from report"), 1);
	assert_int_equal(count(f, "select count(*) from quarantine where "
	    "reason like '%not well-formed%'"), 1);
	assert_int_equal(count(f, "select count(*) from quarantine where "
	    "length(raw) > 0"), 1);
	g_string_free(m, TRUE);
}

static bool
failing_hook(struct ds_store *st, enum ds_outcome o, void *payload,
    GError **err)
{
	*(int *)payload += 1;
	return ds_fail(err, DS_ERROR_NET, "hook says no");
}

/* a failing commit hook rolls back the whole input */
static void
test_hook_rolls_back(void **state)
{
	struct fx *f = *state;
	const char *x = report("r-hook", "R");
	GError *e = NULL;
	int calls = 0;

	assert_false(ds_pipeline_ingest(f->pl, "h.xml", x, strlen(x),
	    failing_hook, &calls, NULL, &e));
	assert_int_equal(calls, 1);
	assert_non_null(e);
	g_error_free(e);
	assert_int_equal(count(f, "select count(*) from report"), 0);
	assert_int_equal(count(f, "select count(*) from message"), 0);
	/* and the same input goes through afterwards */
	assert_int_equal(ingest(f, "h.xml", x, strlen(x)), DS_OUTCOME_STORED);
}

/* THREATS #11: data is bound, never SQL */
static void
test_sql_injection_literal(void **state)
{
	struct fx *f = *state;
	const char *id = "x'); DROP TABLE report;--";
	const char *x = report("x&apos;); DROP TABLE report;--", "R\"'");

	assert_int_equal(ingest(f, "i.xml", x, strlen(x)), DS_OUTCOME_STORED);
	assert_int_equal(count(f, "select count(*) from report"), 1);
	{
		char *q = g_strdup_printf("select count(*) from report where "
		    "report_id = '%s'", "x''); DROP TABLE report;--");
		assert_int_equal(count(f, q), 1);
		g_free(q);
	}
	(void)id;
}

/* THREATS #1: an external entity is never read; the input is rejected */
static void
test_xxe_rejected(void **state)
{
	struct fx *f = *state;
	const char *x = "<?xml version=\"1.0\"?><!DOCTYPE f [<!ENTITY x "
	    "SYSTEM \"file:///etc/passwd\">]><feedback><report_metadata>"
	    "<org_name>&x;</org_name></report_metadata></feedback>";

	assert_int_equal(ingest(f, "xxe.xml", x, strlen(x)),
	    DS_OUTCOME_REJECTED);
	assert_int_equal(count(f, "select count(*) from report"), 0);
	assert_int_equal(count(f, "select count(*) from quarantine where "
	    "reason like '%DOCTYPE%'"), 1);
	assert_int_equal(count(f, "select count(*) from quarantine where "
	    "reason like '%root:%'"), 0);
}

/* junk is quarantined with a reason, and counted as rejected */
static void
test_junk_quarantined(void **state)
{
	struct fx *f = *state;
	const char *x = "hello, this is not a report";

	assert_int_equal(ingest(f, "junk.txt", x, strlen(x)),
	    DS_OUTCOME_REJECTED);
	assert_int_equal(ds_pipeline_stats(f->pl)->rejected, 1);
	assert_int_equal(count(f, "select count(*) from quarantine"), 1);
	/* the same junk again is not stored twice */
	assert_int_equal(ingest(f, "junk.txt", x, strlen(x)),
	    DS_OUTCOME_REJECTED);
	assert_int_equal(count(f, "select count(*) from quarantine"), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_same_report_two_containers,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_message, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hook_rolls_back, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sql_injection_literal,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_xxe_rejected, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_junk_quarantined, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
