/*
 * test_classify.c - the classification of report/classify (issue 12) on
 * sender rows built here: each rule of classify.h, in its order, with
 * the reason it gives; the declarations (IPs, networks, service names,
 * not-ours winning); the policy weakening test of store_policy.h.
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/store/store_policy.h"
#include "report/classify/classify.h"

/* a row: ip, messages, dmarc/dkim/spf aligned passes, auth results
   "d:s:r,..." and "d:r,...", service, ptr (confirmed), reporters */
static struct ds_sender *
row(const char *ip, int64_t msgs, int64_t pass, int64_t dkim, int64_t spf,
    const char *dk, const char *sp, const char *svc, const char *ptr,
    unsigned nrep, int64_t reports)
{
	struct ds_sender *s = g_new0(struct ds_sender, 1);
	char **items;
	unsigned i;

	s->key = g_strdup(ip);
	s->source_ip = g_strdup(ip);
	s->messages = msgs;
	s->dmarc_pass = pass;
	s->dmarc_fail = msgs - pass;
	s->dkim_pass = dkim;
	s->spf_pass = spf;
	s->dkim = g_array_new(FALSE, TRUE, sizeof(struct ds_auth_count));
	s->spf = g_array_new(FALSE, TRUE, sizeof(struct ds_auth_count));
	items = g_strsplit(dk ? dk : "", ",", 0);
	for (i = 0; items[i] != NULL && *items[i]; i++) {
		char **f = g_strsplit(items[i], ":", 3);
		struct ds_auth_count a = { g_strdup(f[0]), g_strdup(f[1]),
		    g_strdup(f[2]), msgs };

		g_array_append_val(s->dkim, a);
		g_strfreev(f);
	}
	g_strfreev(items);
	items = g_strsplit(sp ? sp : "", ",", 0);
	for (i = 0; items[i] != NULL && *items[i]; i++) {
		char **f = g_strsplit(items[i], ":", 2);
		struct ds_auth_count a = { g_strdup(f[0]), g_strdup("mfrom"),
		    g_strdup(f[1]), msgs };

		g_array_append_val(s->spf, a);
		g_strfreev(f);
	}
	g_strfreev(items);
	s->service = g_strdup(svc);
	s->ptr = g_strdup(ptr);
	s->ptr_confirmed = ptr ? 1 : -1;
	s->reporters = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < nrep; i++)
		g_ptr_array_add(s->reporters, g_strdup_printf("r%u", i));
	s->reports = reports;
	return s;
}

/* the reporters marked n of s's messages with <reason><type>t */
static struct ds_sender *
reason(struct ds_sender *s, const char *t, int64_t n)
{
	struct ds_auth_count a = { NULL, NULL, g_strdup(t), n };

	if (s->reasons == NULL)
		s->reasons = g_array_new(FALSE, TRUE,
		    sizeof(struct ds_auth_count));
	g_array_append_val(s->reasons, a);
	return s;
}

static void
free_row(gpointer p)
{
	struct ds_sender *s = p;
	guint i;

	for (i = 0; i < s->dkim->len; i++) {
		struct ds_auth_count *a = &g_array_index(s->dkim,
		    struct ds_auth_count, i);
		g_free(a->domain);
		g_free(a->selector);
		g_free(a->result);
	}
	for (i = 0; i < s->spf->len; i++) {
		struct ds_auth_count *a = &g_array_index(s->spf,
		    struct ds_auth_count, i);
		g_free(a->domain);
		g_free(a->selector);
		g_free(a->result);
	}
	for (i = 0; s->reasons != NULL && i < s->reasons->len; i++)
		g_free(g_array_index(s->reasons, struct ds_auth_count,
		    i).result);
	if (s->reasons != NULL)
		g_array_unref(s->reasons);
	g_array_unref(s->dkim);
	g_array_unref(s->spf);
	g_ptr_array_unref(s->reporters);
	g_free(s->key);
	g_free(s->source_ip);
	g_free(s->service);
	g_free(s->ptr);
	g_free(s);
}

static GPtrArray *
rows(void)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(free_row);

	/* 0: own server, passing both */
	g_ptr_array_add(a, row("192.0.2.10", 100, 100, 100, 100,
	    "example.com:s1:pass", "example.com:pass", NULL, NULL, 3, 9));
	/* 1: Microsoft 365, selector1 never passing, SPF fail */
	g_ptr_array_add(a, row("40.107.10.20", 300, 0, 0, 0,
	    "example.com:selector1:fail", "example.com:fail",
	    "Microsoft 365", NULL, 3, 9));
	/* 2: a list: s1 (passes elsewhere) broken, SPF for the list */
	g_ptr_array_add(a, row("198.51.100.50", 20, 0, 0, 0,
	    "example.com:s1:fail,lists.example.org:l1:pass",
	    "lists.example.org:pass", NULL, NULL, 2, 4));
	/* 3: DKIM passes, SPF fails for the domain itself, no PTR: the
	   domain's own signing server missing from SPF (issue 12 (b)) */
	g_ptr_array_add(a, row("198.51.100.60", 15, 15, 15, 0,
	    "example.com:s1:pass", "example.com:fail", NULL, NULL, 1, 2));
	/* 4: a spoofer signing for a foreign domain */
	g_ptr_array_add(a, row("203.0.113.5", 25, 0, 0, 0,
	    "bulk.example.net:m1:pass", "example.com:fail", NULL, NULL, 1, 1));
	/* 5: own server by its forward-confirmed PTR, failing SPF */
	g_ptr_array_add(a, row("192.0.2.20", 40, 0, 0, 0, NULL,
	    "example.com:fail", NULL, "mail2.example.com", 2, 5));
	/* 6: mostly passing on SPF only */
	g_ptr_array_add(a, row("192.0.2.30", 10, 8, 0, 8, NULL,
	    "example.com:pass", NULL, NULL, 1, 1));
	/* 7: GMX (a mailbox provider) relaying our signed mail */
	g_ptr_array_add(a, row("212.227.15.1", 5, 5, 5, 0,
	    "example.com:s1:pass", "gmx.net:pass", "GMX / Web.de", NULL, 1,
	    1));
	/* 8: a forwarder rewriting the envelope (SRS): s1 (passing at
	   other sources too) passes, SPF passes only for its domain */
	g_ptr_array_add(a, row("198.51.100.80", 12, 12, 12, 0,
	    "example.com:s1:pass", "fwd.example.net:pass", NULL, NULL, 2, 4));
	/* 9: the domain's own Google Workspace: its own selector "google"
	   (passing only at Google), SPF fails for the domain (include
	   missing) */
	g_ptr_array_add(a, row("209.85.220.41", 80, 80, 80, 0,
	    "example.com:google:pass", "example.com:fail", "Google", NULL, 3,
	    9));
	/* 10: Gmail forwarding: the original's s1 intact, envelope
	   rewritten to gmail.com */
	g_ptr_array_add(a, row("209.85.220.69", 9, 9, 9, 0,
	    "example.com:s1:pass", "gmail.com:pass", "Google", NULL, 2, 6));
	/* 11: a Google Group: s1 broken by the footer, envelope at
	   googlegroups.com, failing DMARC steadily */
	g_ptr_array_add(a, row("209.85.220.70", 30, 0, 0, 0,
	    "example.com:s1:fail,googlegroups.com:gg:pass",
	    "googlegroups.com:pass", "Google", NULL, 3, 9));
	/* 12: a Google Group of another organisation (envelope at its
	   domain) re-sending the original with s1 intact */
	g_ptr_array_add(a, row("209.85.220.71", 7, 7, 7, 0,
	    "example.com:s1:pass", "other-org.example:pass", "Google", NULL,
	    1, 2));
	/* 13: nothing of ours authenticates it, the reporters say it was
	   forwarded */
	g_ptr_array_add(a, reason(row("198.51.100.55", 4, 0, 0, 0, NULL,
	    "example.com:fail", NULL, NULL, 1, 1), "forwarded", 4));
	/* 14: a steady failing service whose mail one reporter marked
	   mailing_list for a minority: still the service, reason shown */
	g_ptr_array_add(a, reason(row("40.107.10.21", 100, 0, 0, 0,
	    "example.com:selector1:fail", "example.com:fail",
	    "Microsoft 365", NULL, 3, 9), "mailing_list", 10));
	/* 15: an own server, DKIM-signing, SPF passing, trusted_forwarder
	   claimed: aligned SPF passes, so never a forwarder */
	g_ptr_array_add(a, reason(row("192.0.2.11", 10, 10, 10, 10,
	    "example.com:s1:pass", "example.com:pass", NULL, NULL, 1, 1),
	    "trusted_forwarder", 10));
	/* 16: the domain's own server relaying through Google (SMTP relay)
	   with its s1 signature, envelope the domain's, SPF failing: the
	   domain's mail through the service, which needs the include */
	g_ptr_array_add(a, row("209.85.220.72", 50, 50, 50, 0,
	    "example.com:s1:pass,example-com.20230601.gappssmtp.com:"
	    "20230601:pass", "example.com:fail", "Google", NULL, 3, 9));
	return a;
}

static const struct ds_class_info *
at(GArray *c, guint i)
{
	return &g_array_index(c, struct ds_class_info, i);
}

static void
test_rules(void **state)
{
	GPtrArray *r = rows();
	GArray *c = ds_classify_rows("Example.COM.", r, NULL);

	(void)state;
	assert_int_equal(c->len, r->len);
	assert_int_equal(at(c, 0)->cls, DS_CLASS_OURS);
	assert_non_null(strstr(at(c, 0)->reason, "100 of 100 pass DMARC"));
	assert_int_equal(at(c, 1)->cls, DS_CLASS_SERVICE);
	assert_true(at(c, 1)->steady);
	assert_string_equal(at(c, 1)->include, "spf.protection.outlook.com");
	assert_string_equal(at(c, 1)->bad_selector, "selector1");
	assert_non_null(strstr(at(c, 1)->reason, "Microsoft 365"));
	assert_int_equal(at(c, 2)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 2)->reason, "arrives broken"));
	assert_non_null(strstr(at(c, 2)->reason, "lists.example.org"));
	assert_int_equal(at(c, 3)->cls, DS_CLASS_OURS);
	assert_non_null(strstr(at(c, 3)->reason, "aligned DKIM, selector s1"));
	assert_non_null(strstr(at(c, 3)->reason, "missing from SPF"));
	assert_int_equal(at(c, 4)->cls, DS_CLASS_UNKNOWN);
	assert_non_null(strstr(at(c, 4)->reason,
	    "DKIM passes only for bulk.example.net"));
	assert_false(at(c, 4)->steady);
	assert_int_equal(at(c, 5)->cls, DS_CLASS_OURS);
	assert_non_null(strstr(at(c, 5)->reason, "mail2.example.com"));
	assert_int_equal(at(c, 6)->cls, DS_CLASS_OURS);
	assert_non_null(strstr(at(c, 6)->reason, "aligned SPF"));
	assert_int_equal(at(c, 7)->cls, DS_CLASS_FORWARDER);
	assert_true(at(c, 7)->mailbox);
	assert_int_equal(at(c, 8)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 8)->reason, "fwd.example.net"));
	assert_int_equal(at(c, 9)->cls, DS_CLASS_SERVICE);
	assert_string_equal(at(c, 9)->include, "_spf.google.com");
	assert_int_equal(at(c, 10)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 10)->reason, "gmail.com"));
	assert_non_null(strstr(at(c, 10)->reason, "Gmail forwarding"));
	assert_int_equal(at(c, 11)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 11)->reason, "googlegroups.com"));
	assert_int_equal(at(c, 12)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 12)->reason, "selector s1"));
	assert_non_null(strstr(at(c, 12)->reason, "envelope not yours"));
	assert_int_equal(at(c, 13)->cls, DS_CLASS_FORWARDER);
	assert_non_null(strstr(at(c, 13)->reason, "4 of its 4 messages "
	    "forwarded"));
	assert_int_equal(at(c, 14)->cls, DS_CLASS_SERVICE);
	assert_non_null(strstr(at(c, 14)->reason, "10 of its 100 messages "
	    "mailing_list"));
	assert_int_equal(at(c, 15)->cls, DS_CLASS_OURS);
	assert_non_null(strstr(at(c, 15)->reason, "trusted_forwarder"));
	assert_int_equal(at(c, 16)->cls, DS_CLASS_SERVICE);
	assert_string_equal(at(c, 16)->include, "_spf.google.com");
	g_array_unref(c);
	g_ptr_array_unref(r);
}

static void
test_declared(void **state)
{
	struct ds_decl *d = ds_decl_new();
	GPtrArray *r = rows();
	GError *e = NULL;
	const char *what;
	GArray *c;

	(void)state;
	assert_true(ds_decl_add(d, true, "203.0.113.0/24; 2001:db8::/32; "
	    "Microsoft 365", "t", &e));
	assert_true(ds_decl_add(d, false, "203.0.113.5; GMX / Web.de", "t",
	    &e));
	assert_int_equal(ds_decl_match(d, "203.0.113.9", NULL, &what), 1);
	assert_string_equal(what, "203.0.113.0/24");
	/* not-ours wins over a wider ours */
	assert_int_equal(ds_decl_match(d, "203.0.113.5", NULL, &what), -1);
	assert_int_equal(ds_decl_match(d, "2001:db8:1::5", NULL, NULL), 1);
	assert_int_equal(ds_decl_match(d, "2001:db9::5", NULL, NULL), 0);
	assert_int_equal(ds_decl_match(d, "192.0.2.1", "microsoft 365",
	    NULL), 1);
	c = ds_classify_rows("example.com", r, d);
	assert_int_equal(at(c, 1)->cls, DS_CLASS_OURS);
	assert_true(at(c, 1)->declared);
	assert_true(g_str_has_prefix(at(c, 1)->reason, "declared ours"));
	assert_int_equal(at(c, 4)->cls, DS_CLASS_UNKNOWN);
	assert_true(g_str_has_prefix(at(c, 4)->reason, "declared not ours"));
	assert_int_equal(at(c, 7)->cls, DS_CLASS_UNKNOWN);
	g_array_unref(c);
	assert_false(ds_decl_add(d, true, "300.1.2.3/40", "conf", &e));
	assert_non_null(strstr(e->message, "conf"));
	g_clear_error(&e);
	ds_decl_free(d);
	g_ptr_array_unref(r);
}

static void
test_names(void **state)
{
	enum ds_class k;
	GError *e = NULL;

	(void)state;
	assert_true(ds_class_parse("forwarder", &k, &e));
	assert_int_equal(k, DS_CLASS_FORWARDER);
	assert_string_equal(ds_class_name(DS_CLASS_SERVICE), "service");
	assert_false(ds_class_parse("spoofer", &k, &e));
	g_clear_error(&e);
}

static void
test_weaker(void **state)
{
	static char reject[] = "reject", none[] = "none", quar[] =
	    "quarantine", n[] = "n", y[] = "y";
	struct ds_policy_span a = { .p = reject, .sp = reject, .pct = 100,
	    .testing = n };
	struct ds_policy_span b = a;
	const char *w;

	(void)state;
	assert_false(ds_policy_weaker(&a, &b, &w));
	b.p = none;
	assert_true(ds_policy_weaker(&a, &b, &w));
	assert_string_equal(w, "p lowered");
	b = a;
	b.sp = quar;
	assert_true(ds_policy_weaker(&a, &b, &w));
	assert_string_equal(w, "sp lowered");
	b = a;
	b.pct = 50;
	assert_true(ds_policy_weaker(&a, &b, &w));
	b = a;
	b.testing = y;
	assert_true(ds_policy_weaker(&a, &b, &w));
	assert_string_equal(w, "t=y added");
	/* stronger is no downgrade */
	assert_false(ds_policy_weaker(&b, &a, &w));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_declared),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_weaker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
