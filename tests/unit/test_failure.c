/*
 * test_failure.c - the ARF parser (ingest/failure*.c): every field of
 * message/feedback-report (RFC 5965, RFC 6591, RFC 9991), the original
 * as message/rfc822 or text/rfc822-headers, identity, the non-standard
 * layouts of ingest/aggregate/QUIRKS.md "Failure reports", hostile input.
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
#include "ingest/failure/failure.h"

#define TOP(ct) "From: DMARC Reports <ruf@reporter.example>\r\n" \
	"To: dmarc@example.com\r\nSubject: failure report\r\n" \
	"Date: Tue, 03 Nov 2026 10:00:00 +0000\r\nMIME-Version: 1.0\r\n" \
	"Content-Type: " ct "\r\n"
#define MID "Message-ID: <rep-1@reporter.example>\r\n"
#define REPORT "multipart/report; report-type=feedback-report; boundary=B"
#define TEXT "--B\r\nContent-Type: text/plain\r\n\r\nAn authentication " \
	"failure report.\r\n"

/* every RFC 5965 / 6591 field, some twice (repeatable), one folded */
#define FEEDBACK "--B\r\nContent-Type: message/feedback-report\r\n\r\n" \
	"Feedback-Type: auth-failure\r\nUser-Agent: Example-ARF/2.0\r\n" \
	"Version: 1\r\nOriginal-Mail-From: <bounce@example.com>\r\n" \
	"Original-Rcpt-To: <a@reporter.example>\r\n" \
	"Original-Rcpt-To: <b@reporter.example>\r\n" \
	"Arrival-Date: Mon, 02 Nov 2026 23:59:58 +0100\r\n" \
	"Source-IP: 2001:DB8:0:0::1\r\nReported-Domain: Example.COM.\r\n" \
	"Reported-URI: mailto:dmarc@example.com\r\n" \
	"Authentication-Results: mx.reporter.example;\r\n" \
	"  dkim=fail reason=\"signature mismatch\" header.d=example.com\r\n" \
	"  header.s=sel1; spf=pass smtp.mailfrom=bounce@example.com;\r\n" \
	"  dmarc=fail header.from=example.com\r\n" \
	"Auth-Failure: Signature\r\nDKIM-Domain: example.com\r\n" \
	"DKIM-Identity: @example.com\r\nDKIM-Selector: sel1\r\n" \
	"SPF-DNS: txt : example.com : \"v=spf1 -all\"\r\n" \
	"SPF-DNS: txt : other.example : \"v=spf1 +all\"\r\n" \
	"Delivery-Result: Reject\r\nIdentity-Alignment: spf, dkim\r\n" \
	"X-Vendor-Note: kept\r\n\r\n"
#define SAMPLE_HDR "Received: from mail.example.com (mail.example.com " \
	"[2001:db8::1])\r\n\tby mx.reporter.example; Mon, 2 Nov 2026 " \
	"22:59:58 +0000\r\nDKIM-Signature: v=1; a=rsa-sha256; d=example.com;" \
	" s=sel1;\r\n\th=from:subject; bh=AAAA; b=BBBB\r\n" \
	"From: =?UTF-8?Q?J=C3=B6rg?= <jorg@example.com>\r\n" \
	"Subject: =?UTF-8?B?w6TDtsO8?=\r\nMessage-ID: <orig-9@example.com>\r\n" \
	"Date: Mon, 2 Nov 2026 23:59:50 +0100\r\n"
#define SAMPLE_BODY "Hello,\r\n\r\nthe body.\r\n"

static const char full[] = TOP(REPORT) MID "\r\n" TEXT FEEDBACK
    "--B\r\nContent-Type: message/rfc822\r\n\r\n" SAMPLE_HDR "\r\n"
    SAMPLE_BODY "--B--\r\n";

static struct ds_limits lim;

static bool
parse(struct ds_failure *f, const char *m, size_t len, GError **e)
{
	ds_limits_default(&lim);
	return ds_failure_parse(f, m, len, &lim, e);
}

static bool
has_warning(const struct ds_failure *f, const char *prefix)
{
	guint i;

	for (i = 0; i < f->warnings->len; i++)
		if (g_str_has_prefix(g_ptr_array_index(f->warnings, i), prefix))
			return true;
	return false;
}

static const char *
str_at(GPtrArray *a, guint i)
{
	return i < a->len ? g_ptr_array_index(a, i) : NULL;
}

static void
test_every_field(void **state)
{
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, full, sizeof(full) - 1, &e));
	assert_string_equal(f.identity, "mid:reporter.example rep-1@reporter.example");
	assert_string_equal(f.reporter, "reporter.example");
	assert_string_equal(f.report_type, "feedback-report");
	assert_int_equal(f.report_ts, 1793700000);
	assert_string_equal(f.feedback_type, "auth-failure");
	assert_string_equal(f.user_agent, "Example-ARF/2.0");
	assert_string_equal(f.version, "1");
	assert_string_equal(f.original_mail_from, "<bounce@example.com>");
	assert_int_equal(f.original_rcpt_to->len, 2);
	assert_string_equal(str_at(f.original_rcpt_to, 1),
	    "<b@reporter.example>");
	assert_string_equal(f.arrival_date, "Mon, 02 Nov 2026 23:59:58 +0100");
	assert_int_equal(f.arrival_ts, 1793660398);
	/* THREATS #14: canonical text */
	assert_string_equal(f.source_ip, "2001:db8::1");
	assert_string_equal(str_at(f.reported_domain, 0), "example.com");
	assert_string_equal(str_at(f.reported_uri, 0),
	    "mailto:dmarc@example.com");
	/* folded, unfolded; the first line's authserv-id kept */
	assert_non_null(strstr(f.auth_results, "mx.reporter.example;"));
	assert_non_null(strstr(f.auth_results, "header.s=sel1;"));
	assert_null(strchr(f.auth_results, '\n'));
	assert_string_equal(f.auth_failure, "signature");
	assert_string_equal(f.dkim_domain, "example.com");
	assert_string_equal(f.dkim_identity, "@example.com");
	assert_string_equal(f.dkim_selector, "sel1");
	assert_int_equal(f.spf_dns->len, 2);
	assert_string_equal(f.delivery_result, "reject");
	assert_string_equal(f.identity_alignment, "dkim,spf");
	/* every field in order, the unknown one too */
	assert_int_equal(f.fields->len, 20);
	assert_string_equal(g_array_index(f.fields, struct ds_failure_field,
	    19).name, "X-Vendor-Note");
	assert_int_equal(f.warnings->len, 0);
	ds_failure_clear(&f);
}

static void
test_sample_kept_byte_for_byte(void **state)
{
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, full, sizeof(full) - 1, &e));
	assert_int_equal(f.sample_kind, DS_SAMPLE_MESSAGE);
	assert_false(f.headers_only);
	/* CRLF kept, up to (not including) the CRLF before the boundary */
	assert_int_equal(f.sample_len, strlen(SAMPLE_HDR "\r\n" SAMPLE_BODY) -
	    2);
	assert_memory_equal(f.sample, SAMPLE_HDR "\r\n" SAMPLE_BODY,
	    f.sample_len);
	assert_string_equal(f.sample_from, "Jörg <jorg@example.com>");
	assert_string_equal(f.sample_subject, "äöü");
	assert_string_equal(f.sample_message_id, "orig-9@example.com");
	assert_int_equal(f.sample_dkim->len, 1);
	assert_non_null(strstr(str_at(f.sample_dkim, 0), "s=sel1;"));
	ds_failure_clear(&f);
}

static void
test_lf_same_as_crlf(void **state)
{
	struct ds_failure a, b;
	GError *e = NULL;
	GString *lf = g_string_new(full);
	char *s;
	guint i;

	while ((s = strstr(lf->str, "\r\n")) != NULL)
		g_string_erase(lf, s - lf->str, 1);
	assert_true(parse(&a, full, sizeof(full) - 1, &e));
	assert_true(parse(&b, lf->str, lf->len, &e));
	assert_string_equal(a.identity, b.identity);
	assert_int_equal(a.fields->len, b.fields->len);
	for (i = 0; i < a.fields->len; i++)
		assert_string_equal(g_array_index(a.fields,
		    struct ds_failure_field, i).value, g_array_index(b.fields,
		    struct ds_failure_field, i).value);
	/* the LF sample is the CRLF one without its CRs */
	lf = g_string_assign(lf, a.sample);
	while ((s = strchr(lf->str, '\r')) != NULL)
		g_string_erase(lf, s - lf->str, 1);
	assert_int_equal(b.sample_len, lf->len);
	assert_memory_equal(b.sample, lf->str, lf->len);
	ds_failure_clear(&a);
	ds_failure_clear(&b);
	g_string_free(lf, TRUE);
}

/* RFC 6591 §3.1/RFC 6590: headers only, local parts redacted */
static void
test_headers_only_redacted(void **state)
{
	static const char m[] = TOP(REPORT) MID "\r\n" TEXT
	    "--B\r\nContent-Type: message/feedback-report\r\n\r\n"
	    "Feedback-Type: auth-failure\r\nUser-Agent: x/1\r\nVersion: 1\r\n"
	    "Auth-Failure: bodyhash\r\nAuthentication-Results: r.example; "
	    "dkim=fail header.d=example.com\r\nSource-IP: 192.0.2.7\r\n\r\n"
	    "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
	    "From: redacted@example.com\r\nTo: redacted@reporter.example\r\n"
	    "Subject: hi\r\n\r\n--B--\r\n";
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, m, sizeof(m) - 1, &e));
	assert_int_equal(f.sample_kind, DS_SAMPLE_HEADERS);
	assert_true(f.headers_only);
	assert_string_equal(f.sample_from, "redacted@example.com");
	assert_non_null(strstr(f.sample, "Subject: hi"));
	assert_string_equal(f.source_ip, "192.0.2.7");
	ds_failure_clear(&f);
}

/* an empty original (fuzz: an empty part's bytes are a NULL pointer) */
static void
test_empty_sample(void **state)
{
	static const char m[] = TOP(REPORT) MID "\r\n"
	    "--B\r\nContent-Type: message/feedback-report\r\n\r\n"
	    "Source-IP: 192.0.2.7\r\n\r\n"
	    "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n--B--\r\n";
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, m, sizeof(m) - 1, &e));
	assert_int_equal(f.sample_len, 0);
	assert_true(has_warning(&f, "sample-no-headers"));
	ds_failure_clear(&f);
}

/* no Message-ID: the bytes identify the report (THREATS #13) */
static void
test_identity_by_hash(void **state)
{
	static const char m1[] = TOP(REPORT) "\r\n" TEXT FEEDBACK "--B--\r\n";
	static const char m2[] = TOP(REPORT) "\r\n" TEXT FEEDBACK "--B--\r\n\r\n";
	struct ds_failure a, b, c;
	GError *e = NULL;

	assert_true(parse(&a, m1, sizeof(m1) - 1, &e));
	assert_true(parse(&b, m1, sizeof(m1) - 1, &e));
	assert_true(parse(&c, m2, sizeof(m2) - 1, &e));
	assert_true(g_str_has_prefix(a.identity, "sha256:"));
	assert_int_equal(strlen(a.identity), 7 + 64);
	assert_string_equal(a.identity, b.identity);
	assert_string_not_equal(a.identity, c.identity);
	assert_true(has_warning(&a, "no-sample"));
	ds_failure_clear(&a);
	ds_failure_clear(&b);
	ds_failure_clear(&c);
}

/* a report forwarded as an attachment: the ARF parts one level down */
static void
test_forwarded(void **state)
{
	GString *m = g_string_new(TOP("multipart/mixed; boundary=OUT") "\r\n"
	    "--OUT\r\nContent-Type: text/plain\r\n\r\nFYI\r\n"
	    "--OUT\r\nContent-Type: message/rfc822\r\n\r\n");
	struct ds_failure f;
	GError *e = NULL;

	g_string_append(m, full);
	g_string_append(m, "\r\n--OUT--\r\n");
	assert_true(parse(&f, m->str, m->len, &e));
	assert_true(has_warning(&f, "forwarded-report"));
	assert_string_equal(f.source_ip, "2001:db8::1");
	assert_string_equal(f.identity, "mid:reporter.example rep-1@reporter.example");
	assert_int_equal(f.sample_kind, DS_SAMPLE_MESSAGE);
	assert_string_equal(f.sample_message_id, "orig-9@example.com");
	ds_failure_clear(&f);
	g_string_free(m, TRUE);
}

/* base64 feedback part, base64 message/rfc822 (not allowed, seen) */
static void
test_encoded_parts(void **state)
{
	static const char fbt[] = "Feedback-Type: auth-failure\r\n"
	    "Source-IP: 198.51.100.9\r\nReported-Domain: b64.example\r\n";
	static const char smt[] = "From: x@b64.example\r\nSubject: s\r\n"
	    "\r\nbody\r\n";
	char *fb = g_base64_encode((const guchar *)fbt, sizeof(fbt) - 1);
	char *smp = g_base64_encode((const guchar *)smt, sizeof(smt) - 1);
	char *m = g_strdup_printf(TOP(REPORT) "\r\n--B\r\nContent-Type: "
	    "message/feedback-report\r\nContent-Transfer-Encoding: base64\r\n"
	    "\r\n%s\r\n--B\r\nContent-Type: message/rfc822\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n%s\r\n--B--\r\n", fb,
	    smp);
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, m, strlen(m), &e));
	assert_string_equal(f.source_ip, "198.51.100.9");
	assert_string_equal(str_at(f.reported_domain, 0), "b64.example");
	assert_true(has_warning(&f, "sample-transfer-encoded"));
	assert_string_equal(f.sample_from, "x@b64.example");
	assert_true(has_warning(&f, "missing-field: User-Agent"));
	ds_failure_clear(&f);
	g_free(fb);
	g_free(smp);
	g_free(m);
}

/* named warnings for off-list values, duplicates, bad IPs, bad bytes */
static void
test_tolerated_deviations(void **state)
{
	static const char m[] = TOP(REPORT) "\r\n"
	    "--B\r\nContent-Type: message/feedback-report\r\n\r\n"
	    "Feedback-Type: auth-failure\r\nUser-Agent: u\r\nVersion: 1\r\n"
	    "Auth-Failure: dkim-sig-broken\r\nDelivery-Result: quarantined\r\n"
	    "Source-IP: 010.1.2.3\r\nReported-Domain: \r\n"
	    "Identity-Alignment: maybe\r\nDKIM-Domain: a.example\r\n"
	    "DKIM-Domain: b.example\r\nDKIM-Selector: s\xff\x00x\r\n"
	    "this line has no colon\r\n\r\n--B--\r\n";
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, m, sizeof(m) - 1, &e));
	assert_true(has_warning(&f, "unknown-value: Auth-Failure"));
	assert_true(has_warning(&f, "unknown-value: Delivery-Result"));
	assert_true(has_warning(&f, "unknown-value: Identity-Alignment"));
	assert_true(has_warning(&f, "missing-field: Authentication-Results"));
	/* octal is no IPv4 (THREATS.md: inet_pton only) */
	assert_true(has_warning(&f, "bad-source-ip"));
	assert_null(f.source_ip);
	assert_true(has_warning(&f, "empty-field: Reported-Domain"));
	assert_true(has_warning(&f, "duplicate-field: DKIM-Domain"));
	assert_string_equal(f.dkim_domain, "a.example");
	/* invalid UTF-8 and NUL replaced, never truncated (THREATS #8) */
	assert_true(has_warning(&f, "invalid-utf8: DKIM-Selector"));
	assert_string_equal(f.dkim_selector, "s\xef\xbf\xbd\xef\xbf\xbdx");
	assert_true(has_warning(&f, "malformed-line"));
	assert_true(has_warning(&f, "no-sample"));
	ds_failure_clear(&f);
}

/* THREATS.md: a 4,222-character field name makes GMime drop a block */
static void
test_long_field_name(void **state)
{
	GString *m = g_string_new(TOP(REPORT) "\r\n--B\r\nContent-Type: "
	    "message/feedback-report\r\n\r\nFeedback-Type: auth-failure\r\n");
	struct ds_failure f;
	GError *e = NULL;
	int i;

	for (i = 0; i < 5000; i++)
		g_string_append_c(m, 'X');
	g_string_append(m, ": v\r\nSource-IP: 192.0.2.1\r\n\r\n--B--\r\n");
	assert_true(parse(&f, m->str, m->len, &e));
	assert_true(has_warning(&f, "long-field-name"));
	assert_string_equal(f.source_ip, "192.0.2.1");
	ds_failure_clear(&f);
	g_string_free(m, TRUE);
}

/* exim: multipart/report, text only (QUIRKS.md no-arf-part) */
static void
test_text_only_report(void **state)
{
	static const char m[] = TOP("multipart/report; boundary=B") MID "\r\n"
	    "--B\r\nContent-Type: text/plain\r\n\r\nA message claiming to be "
	    "from you has failed.\r\n\r\n  Sender Domain: Example.org\r\n"
	    "  Sender IP Address: 203.0.113.5\r\n  SPF Alignment: yes\r\n"
	    "  DKIM Alignment: no\r\n\r\n------ This is a copy of the headers"
	    " that were received.\r\n\r\nFrom: <u@example.org>\r\n"
	    "Subject: x\r\n\r\n--B--\r\n";
	struct ds_failure f;
	GError *e = NULL;

	assert_true(parse(&f, m, sizeof(m) - 1, &e));
	assert_true(has_warning(&f, "no-arf-part"));
	assert_string_equal(f.source_ip, "203.0.113.5");
	assert_string_equal(str_at(f.reported_domain, 0), "example.org");
	assert_string_equal(f.identity_alignment, "spf");
	assert_int_equal(f.sample_kind, DS_SAMPLE_TEXT);
	assert_true(f.headers_only);
	assert_string_equal(f.sample_from, "<u@example.org>");
	ds_failure_clear(&f);
}

/* what is not a failure report is refused with the reason */
static void
test_rejects(void **state)
{
	static const struct {
		const char *msg;
		int code;
		const char *why;
	} t[] = {
		{ "\x1f\x8b\x08 not mail", DS_ERROR_FORMAT,
		  "not a mail message" },
		{ TOP("multipart/report; report-type=tlsrpt; boundary=B")
		  "\r\n--B\r\nContent-Type: application/tlsrpt+json\r\n\r\n{}"
		  "\r\n--B--\r\n", DS_ERROR_FORMAT, "report-type 'tlsrpt'" },
		{ TOP("multipart/report; boundary=B") "\r\n--B\r\n"
		  "Content-Type: text/plain\r\n\r\nYour mail failed.\r\n--B--"
		  "\r\n", DS_ERROR_FORMAT, "names no source IP or domain" },
		{ TOP(REPORT) "\r\n--B\r\nContent-Type: "
		  "message/feedback-report\r\n\r\nFeedback-Type: "
		  "auth-failure\r\n\r\n--B--\r\n", DS_ERROR_FORMAT,
		  "names no source IP" },
	};
	struct ds_failure f;
	GError *e = NULL;
	size_t i;

	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		assert_false(parse(&f, t[i].msg, strlen(t[i].msg), &e));
		assert_non_null(e);
		assert_int_equal(e->code, t[i].code);
		if (strstr(e->message, t[i].why) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, e->message,
			    t[i].why);
		g_clear_error(&e);
		ds_failure_clear(&f);
	}
}

/* THREATS #6, #7: caps on size, MIME depth and parts */
static void
test_limits(void **state)
{
	GString *m = g_string_new(TOP("multipart/mixed; boundary=b0") "\r\n");
	struct ds_failure f;
	GError *e = NULL;
	int i;

	ds_limits_default(&lim);
	lim.max_message = 100;
	assert_false(ds_failure_parse(&f, full, sizeof(full) - 1, &lim, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	g_clear_error(&e);
	ds_failure_clear(&f);
	for (i = 1; i < 40; i++)
		g_string_append_printf(m, "--b%d\r\nContent-Type: "
		    "multipart/mixed; boundary=b%d\r\n\r\n", i - 1, i);
	g_string_append(m, "--b39\r\nContent-Type: message/feedback-report"
	    "\r\n\r\nSource-IP: 192.0.2.1\r\n\r\n");
	assert_false(parse(&f, m->str, m->len, &e));
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_non_null(strstr(e->message, "nesting"));
	g_clear_error(&e);
	ds_failure_clear(&f);
	g_string_free(m, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_field),
		cmocka_unit_test(test_sample_kept_byte_for_byte),
		cmocka_unit_test(test_lf_same_as_crlf),
		cmocka_unit_test(test_headers_only_redacted),
		cmocka_unit_test(test_identity_by_hash),
		cmocka_unit_test(test_empty_sample),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_encoded_parts),
		cmocka_unit_test(test_tolerated_deviations),
		cmocka_unit_test(test_long_field_name),
		cmocka_unit_test(test_text_only_report),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
