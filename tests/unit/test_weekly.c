/*
 * test_weekly.c - the weekly report without a browser: ISO 8601 weeks,
 * the report computed over a small hand-made store (headline numbers of
 * both weeks, new senders, sources that started failing, policy change,
 * silent reporter, advice), and the multipart/alternative mail
 * (RFC 2045/2046/2047; header injection refused).
 * SPDX-License-Identifier: MIT
 *
 * Expected values are written from the fixture below by hand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "report/weekly/mail.h"
#include "report/weekly/weekly.h"
#include "tests/unit/helper_store.h"

#define W02 INT64_C(1767571200)	/* Monday 2026-01-05 00:00 UTC */
#define W03 (W02 + 7 * 86400)
#define DAY INT64_C(86400)

static void
test_iso_week(void **state)
{
	GError *e = NULL;
	int64_t t;
	char buf[16];

	(void)state;
	assert_true(ds_iso_week_parse("2026-W01", &t, &e));
	assert_int_equal(t, INT64_C(1766966400));	/* 2025-12-29 */
	assert_true(ds_iso_week_parse("2026-W02", &t, &e));
	assert_int_equal(t, W02);
	assert_true(ds_iso_week_parse("2026-W53", &t, &e));	/* 53 weeks */
	ds_iso_week_name(t, buf);
	assert_string_equal(buf, "2026-W53");
	assert_false(ds_iso_week_parse("2025-W53", &t, &e));	/* 52 */
	g_clear_error(&e);
	assert_false(ds_iso_week_parse("2026-W00", &t, &e));
	g_clear_error(&e);
	assert_false(ds_iso_week_parse("2026-W5", &t, &e));
	g_clear_error(&e);
	assert_false(ds_iso_week_parse("2026-W05x", &t, &e));
	g_clear_error(&e);
	ds_iso_week_name(W02, buf);
	assert_string_equal(buf, "2026-W02");
	ds_iso_week_name(INT64_C(1766966400), buf);
	assert_string_equal(buf, "2026-W01");
	/* Monday 2026-11-23 16:00: the week before (W47, from 11-16) */
	assert_int_equal(ds_iso_week_last(INT64_C(1795392000) + 16 * 3600),
	    INT64_C(1795392000) - 7 * DAY);
	/* Sunday 2026-11-22 23:59:59: W46 (from 11-09) */
	assert_int_equal(ds_iso_week_last(INT64_C(1795391999)),
	    INT64_C(1795392000) - 14 * DAY);
}

struct frec {
	const char *ip;
	unsigned count;
	const char *dkim, *spf;
};

static void
put(struct ds_store *st, const char *org, const char *id, int64_t begin,
    const char *p, const struct frec *r, size_t n)
{
	struct ds_report_meta m;
	struct ds_record rec;
	GError *e = NULL;
	int64_t row;
	uint64_t msgs = 0;
	size_t i;

	ts_meta_fill(&m, org, id, "example.com", begin, begin + DAY - 1);
	g_free(m.p);
	m.p = g_strdup(p);
	assert_true(ds_store_report_put(st, &m, "test", 0, &row, &e));
	for (i = 0; i < n; i++) {
		ts_record_fill(&rec, r[i].ip, r[i].count, "x");
		rec.disposition = (char *)"none";
		rec.dkim = (char *)r[i].dkim;
		rec.spf = (char *)r[i].spf;
		assert_true(ds_store_record_put(st, row, &rec, &e));
		ts_record_free(&rec);
		msgs += r[i].count;
	}
	assert_true(ds_store_report_finish(st, row, n, msgs, &m, &e));
	ts_meta_free(&m);
}

static void
test_compute(void **state)
{
	struct ts_fx *fx = *state;
	static const struct frec w01[] = { { "192.0.2.1", 3, "pass", "pass" } };
	static const struct frec w02g[] = {
		{ "192.0.2.1", 10, "pass", "pass" },
		{ "192.0.2.2", 5, "fail", "fail" },
	};
	static const struct frec w02y[] = { { "192.0.2.1", 2, "pass",
	    "fail" } };
	static const struct frec w03[] = {
		{ "192.0.2.1", 20, "pass", "fail" },
		{ "192.0.2.2", 3, "fail", "fail" },
		{ "192.0.2.3", 4, "fail", "fail" },
	};
	struct ds_weekly w;
	struct ds_sender *s;
	GError *e = NULL;
	GString *g;

	assert_true(ds_store_begin(fx->st, &e));
	put(fx->st, "google.com", "g1", W02 - 3 * DAY, "reject", w01, 1);
	put(fx->st, "google.com", "g2", W02 + DAY, "reject", w02g, 2);
	put(fx->st, "Yahoo", "y2", W02 + 2 * DAY, "reject", w02y, 1);
	put(fx->st, "google.com", "g3", W03 + DAY, "quarantine", w03, 3);
	assert_true(ds_store_commit(fx->st, &e));

	assert_true(ds_weekly_compute(fx->st, "example.com", W03, NULL, NULL,
	    &w, &e));
	assert_null(e);
	assert_string_equal(w.week, "2026-W03");
	assert_int_equal(w.cur.messages, 27);
	assert_int_equal(w.cur.dmarc_pass, 20);
	assert_int_equal(w.cur.dmarc_fail, 7);
	assert_int_equal(w.cur.reports, 1);
	assert_int_equal(w.prev.messages, 17);
	assert_int_equal(w.prev.dmarc_fail, 5);
	assert_int_equal(w.prev.reports, 2);
	assert_int_equal(w.cur.ips, 3);
	/* never seen before W03 */
	assert_int_equal(w.new_senders->len, 1);
	s = g_ptr_array_index(w.new_senders, 0);
	assert_string_equal(s->key, "192.0.2.3");
	/* failing now, not in W02 */
	assert_int_equal(w.new_failing->len, 1);
	s = g_ptr_array_index(w.new_failing, 0);
	assert_string_equal(s->key, "192.0.2.3");
	assert_int_equal(s->dmarc_fail, 4);
	assert_int_equal(w.top_failing->len, 1);
	s = g_ptr_array_index(w.top_failing, 0);
	assert_string_equal(s->key, "192.0.2.2");
	/* p=reject in W02, p=quarantine in W03 */
	assert_int_equal(w.policy_changes->len, 1);
	assert_true(g_str_has_prefix(g_ptr_array_index(w.policy_changes, 0),
	    "p=reject"));
	assert_non_null(strstr(g_ptr_array_index(w.policy_changes, 0),
	    " -> p=quarantine"));
	assert_string_equal(w.p, "quarantine");
	/* Yahoo reported in W02, not in W03 */
	assert_int_equal(w.silent->len, 1);
	assert_string_equal(((struct ds_weekly_silent *)g_ptr_array_index(
	    w.silent, 0))->org_name, "Yahoo");
	/* the advice is doctor's (ds_weekly_advise, tests/advice/) */
	assert_int_equal(w.todo->len, 0);

	g = g_string_new(NULL);
	ds_weekly_html(g, &w);
	assert_non_null(strstr(g->str, "data-v=\"27\""));
	assert_null(strstr(g->str, "<script"));
	assert_null(strstr(g->str, "<svg"));
	g_string_truncate(g, 0);
	ds_weekly_text(g, &w);
	assert_non_null(strstr(g->str, "Messages                 27 (+58.8 %"));
	g_string_free(g, TRUE);
	ds_weekly_clear(&w);

	/* a week without reports */
	assert_true(ds_weekly_compute(fx->st, "example.com", W03 + 7 * DAY,
	    NULL, NULL, &w, &e));
	assert_int_equal(w.cur.messages, 0);
	assert_int_equal(w.prev.messages, 27);
	assert_int_equal(w.silent->len, 2);
	ds_weekly_clear(&w);
}


static void
test_mail(void **state)
{
	static const char *const to[] = { "a@example.com", "b@example.org",
	    NULL };
	struct ds_mail m = { "dmarc@example.com", to, "Wochenbericht f\xc3\xbcr "
	    "example.com", "line 1\nline 2\n", "<p>hi</p>\n", 1767571200 };
	char *msg, *b;
	size_t len;

	(void)state;
	assert_true(ds_mail_addr_ok("a.b+c@example.com"));
	assert_false(ds_mail_addr_ok("a@b\r\nBcc: x@y"));
	assert_false(ds_mail_addr_ok("<a@b>"));
	assert_false(ds_mail_addr_ok("a b@c"));
	assert_false(ds_mail_addr_ok("a@b,c@d"));
	assert_false(ds_mail_addr_ok("@b"));
	assert_false(ds_mail_addr_ok("a@"));
	msg = ds_mail_build(&m, &len);
	assert_int_equal(strlen(msg), len);
	assert_non_null(strstr(msg, "From: <dmarc@example.com>\r\n"));
	assert_non_null(strstr(msg, "To: <a@example.com>,\r\n <b@example.org>"
	    "\r\n"));
	assert_non_null(strstr(msg, "Subject: =?UTF-8?B?"));
	assert_non_null(strstr(msg, "Date: Mon, 05 Jan 2026 00:00:00 +0000"));
	assert_non_null(strstr(msg, "Content-Type: multipart/alternative; "
	    "boundary=\"=_dmarcsift_"));
	/* text in canonical CRLF form, base64 */
	b = g_base64_encode((const guchar *)"line 1\r\nline 2\r\n", 16);
	assert_non_null(strstr(msg, b));
	g_free(b);
	assert_true(strstr(msg, "text/plain") < strstr(msg, "text/html"));
	/* no bare LF anywhere */
	for (b = msg; (b = strchr(b, '\n')) != NULL; b++)
		assert_int_equal(b[-1], '\r');
	g_free(msg);
}

static void
test_conf(void **state)
{
	char *dir = g_dir_make_tmp("t_weekly_XXXXXX", NULL);
	char *p = g_build_filename(dir, "config", NULL), *cmd;
	struct ds_smtp_conf c;
	GError *e = NULL;

	(void)state;
	assert_true(g_file_set_contents(p, "[smtp]\nurl = smtp://h:25\n"
	    "from = d@example.com\n", -1, NULL));
	assert_true(ds_smtp_conf_read(p, &c, &e));
	assert_true(c.tls_required);	/* THREATS #16: by default */
	ds_smtp_conf_clear(&c);
	assert_true(g_file_set_contents(p, "[smtp]\nurl = smtp://h:25\n"
	    "from = d@example.com\npassword = x\n", -1, NULL));
	chmod(p, 0644);
	assert_false(ds_smtp_conf_read(p, &c, &e));	/* THREATS #15 */
	assert_int_equal(e->code, DS_ERROR_USAGE);
	g_clear_error(&e);
	chmod(p, 0600);
	assert_true(ds_smtp_conf_read(p, &c, &e));
	ds_smtp_conf_clear(&c);
	assert_true(g_file_set_contents(p, "[smtp]\nurl = http://h/\n"
	    "from = d@example.com\n", -1, NULL));
	assert_false(ds_smtp_conf_read(p, &c, &e));
	g_clear_error(&e);
	cmd = g_strdup_printf("rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(p);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_week),
		cmocka_unit_test_setup_teardown(test_compute, ts_setup,
		    ts_teardown),
		cmocka_unit_test(test_mail),
		cmocka_unit_test(test_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
