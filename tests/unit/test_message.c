/*
 * test_message.c - the GMime walk (ingest/payload/message.c): forwarded reports,
 * octet-stream attachments, and THREATS #6 (MIME bombs).
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "ingest/payload/message.h"

struct seen {
	unsigned parts;
	unsigned xml;		/* parts whose body starts with "<feedback" */
	unsigned max_depth;
	GString *types;
};

static bool
count_part(const struct ds_part *p, void *payload, GError **err)
{
	struct seen *s = payload;

	s->parts++;
	if (p->len >= 9 && memcmp(p->data, "<feedback", 9) == 0)
		s->xml++;
	if (p->depth > s->max_depth)
		s->max_depth = p->depth;
	g_string_append_printf(s->types, "%s;", p->content_type);
	return true;
}

static bool
walk(const char *msg, size_t len, struct seen *s, GError **err)
{
	struct ds_limits lim;

	ds_limits_default(&lim);
	memset(s, 0, sizeof(*s));
	s->types = g_string_new(NULL);
	return ds_message_walk(msg, len, &lim, count_part, s, NULL, err);
}

#define HDR "From: a@example.net\r\nTo: b@example.com\r\nSubject: x\r\n" \
	"MIME-Version: 1.0\r\n"

static void
test_octet_stream_base64(void **state)
{
	/* "<feedback/>" base64 */
	const char *m = HDR
	    "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: text/plain\r\n\r\nhello\r\n"
	    "--B\r\nContent-Type: application/octet-stream; name=r.xml\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\nPGZlZWRiYWNrLz4=\r\n"
	    "--B--\r\n";
	struct seen s;
	GError *e = NULL;

	assert_true(walk(m, strlen(m), &s, &e));
	assert_int_equal(s.parts, 2);
	assert_int_equal(s.xml, 1);
	assert_non_null(strstr(s.types->str, "application/octet-stream"));
	g_string_free(s.types, TRUE);
}

static void
test_forwarded_rfc822(void **state)
{
	const char *m = HDR
	    "Content-Type: multipart/mixed; boundary=OUT\r\n\r\n"
	    "--OUT\r\nContent-Type: text/plain\r\n\r\nFYI\r\n"
	    "--OUT\r\nContent-Type: message/rfc822\r\n\r\n"
	    "From: r@google.com\r\nSubject: Report\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=IN\r\n\r\n"
	    "--IN\r\nContent-Type: text/xml\r\n\r\n<feedback></feedback>\r\n"
	    "--IN--\r\n"
	    "--OUT--\r\n";
	struct seen s;
	GError *e = NULL;

	assert_true(walk(m, strlen(m), &s, &e));
	assert_int_equal(s.xml, 1);
	assert_true(s.max_depth >= 2);
	g_string_free(s.types, TRUE);
}

/* THREATS #6: 200 nested multiparts stop at the depth cap, fast */
static void
test_deep_nesting(void **state)
{
	GString *m = g_string_new(HDR);
	struct seen s;
	GError *e = NULL;
	int i;

	for (i = 0; i < 200; i++)
		g_string_append_printf(m, "Content-Type: multipart/mixed; "
		    "boundary=b%d\r\n\r\n--b%d\r\n", i, i);
	g_string_append(m, "Content-Type: text/xml\r\n\r\n<feedback/>\r\n");
	for (i = 199; i >= 0; i--)
		g_string_append_printf(m, "--b%d--\r\n", i);
	assert_false(walk(m->str, m->len, &s, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "nesting"));
	g_error_free(e);
	g_string_free(s.types, TRUE);
	g_string_free(m, TRUE);
}

/* THREATS #6: 100 000 sibling parts hit the part cap with a clear error */
static void
test_many_parts(void **state)
{
	GString *m = g_string_new(HDR "Content-Type: multipart/mixed; "
	    "boundary=B\r\n\r\n");
	struct seen s;
	GError *e = NULL;
	gint64 t0 = g_get_monotonic_time();
	int i;

	for (i = 0; i < 100000; i++)
		g_string_append(m, "--B\r\nContent-Type: text/plain\r\n\r\nx\r\n");
	g_string_append(m, "--B--\r\n");
	assert_false(walk(m->str, m->len, &s, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "parts"));
	/* bounded: the walk stops at the cap instead of decoding all */
	assert_true(s.parts <= 1000);
	(void)t0;
	g_error_free(e);
	g_string_free(s.types, TRUE);
	g_string_free(m, TRUE);
}

/* an unterminated multipart still yields its attachment */
static void
test_missing_closing_boundary(void **state)
{
	const char *m = HDR
	    "Content-Type: multipart/mixed; boundary=B\r\n\r\n"
	    "--B\r\nContent-Type: application/xml\r\n\r\n<feedback/>\r\n";
	struct seen s;
	GError *e = NULL;

	assert_true(walk(m, strlen(m), &s, &e));
	assert_int_equal(s.xml, 1);
	g_string_free(s.types, TRUE);
}

/* base64 garbage decodes to junk bytes, never to a crash */
static void
test_base64_garbage(void **state)
{
	const char *m = HDR
	    "Content-Type: application/gzip; name=r.xml.gz\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "!!!!****%%%%^^^^ not base64 at all ====\r\n";
	struct seen s;
	GError *e = NULL;

	assert_true(walk(m, strlen(m), &s, &e));
	assert_int_equal(s.parts, 1);
	assert_int_equal(s.xml, 0);
	g_string_free(s.types, TRUE);
}

static void
test_not_a_message(void **state)
{
	assert_false(ds_message_sniff("<?xml version=\"1.0\"?>", 21));
	assert_false(ds_message_sniff("\x1f\x8b\x08", 3));
	assert_false(ds_message_sniff("PK\x03\x04", 4));
	assert_true(ds_message_sniff("Received: from x", 16));
	assert_true(ds_message_sniff("From MAILER-DAEMON Mon", 22));
}

/* a part larger than the message cap is refused by name */
static void
test_part_over_limit(void **state)
{
	struct ds_limits lim;
	GString *m = g_string_new(HDR "Content-Type: text/xml\r\n\r\n");
	struct seen s = { 0 };
	GError *e = NULL;
	int i;

	for (i = 0; i < 4096; i++)
		g_string_append(m, "<x/>");
	ds_limits_default(&lim);
	lim.max_message = m->len + 10;	/* the message fits ... */
	s.types = g_string_new(NULL);
	assert_true(ds_message_walk(m->str, m->len, &lim, count_part, &s,
	    NULL, &e));
	lim.max_message = 1000;		/* ... now it does not */
	assert_false(ds_message_walk(m->str, m->len, &lim, count_part, &s,
	    NULL, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_error_free(e);
	g_string_free(s.types, TRUE);
	g_string_free(m, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_octet_stream_base64),
		cmocka_unit_test(test_forwarded_rfc822),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_many_parts),
		cmocka_unit_test(test_missing_closing_boundary),
		cmocka_unit_test(test_base64_garbage),
		cmocka_unit_test(test_not_a_message),
		cmocka_unit_test(test_part_over_limit),
	};

	ds_message_init();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
