/*
 * test_oauth.c - OAuth2 pieces that need no server: which URLs may
 * carry secrets (ingest/oauth/http.c), form encoding, the 0600 token
 * cache and secret files (token.c, secret.c), graph:// and gmail://
 * URLs (ingest/source/source_api.c), and the [mailbox:NAME] OAuth2 keys
 * (ingest/source/config.c) on real files.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #16 (no secret over cleartext off loopback), #22 (secrets
 * only from private files; the cache is private; refusals name no
 * secret).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "ingest/oauth/http.h"
#include "ingest/oauth/oauth.h"
#include "ingest/oauth/secret.h"
#include "ingest/source/api.h"
#include "ingest/source/config.h"

static char *dir;

static char *
put(const char *name, const char *text, mode_t mode)
{
	char *p = g_build_filename(dir, name, NULL);

	assert_true(g_file_set_contents(p, text, -1, NULL));
	assert_int_equal(chmod(p, mode), 0);
	return p;
}

static void
test_check_url(void **state)
{
	static const struct {
		const char *url;
		bool ok;
	} t[] = {
		{ "https://login.microsoftonline.com/t/oauth2/v2.0/token", true },
		{ "https://oauth2.googleapis.com/token", true },
		{ "http://127.0.0.1:8080/token", true },
		{ "http://127.5.6.7/token", true },
		{ "http://[::1]:99/token", true },
		{ "http://localhost/token", true },
		{ "http://login.microsoftonline.com/token", false },
		{ "http://10.0.0.1/token", false },
		{ "http://127.0.0.1.evil.example/token", false },
		{ "http://[::ffff:127.0.0.1]/token", false },
		{ "ftp://127.0.0.1/token", false },
		{ "file:///etc/passwd", false },
		{ "token", false },
	};
	GError *e = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		bool ok = ds_http_check_url(t[i].url, "oauth2-token-url", &e);

		if (ok != t[i].ok)
			fail_msg("%s: %d", t[i].url, ok);
		if (!ok) {
			assert_int_equal(e->code, DS_ERROR_USAGE);
			assert_non_null(strstr(e->message, "oauth2-token-url"));
			g_clear_error(&e);
		}
	}
}

static void
test_form(void **state)
{
	char *f;

	(void)state;
	f = ds_http_form("grant_type", "client_credentials", "client_secret",
	    "a&b=c d+/é", "scope", NULL, "client_id", "x", NULL);
	assert_string_equal(f, "grant_type=client_credentials&client_secret="
	    "a%26b%3Dc%20d%2B%2F%C3%A9&client_id=x");
	ds_conf_secret_free(f);
}

static void
test_api_url(void **state)
{
	struct ds_api_url u;
	GError *e = NULL;

	(void)state;
	assert_true(ds_api_url_parse(&u, "graph://dmarc%40example.com/Inbox",
	    "graph", &e));
	assert_string_equal(u.user, "dmarc@example.com");
	assert_string_equal(u.path, "Inbox");
	ds_api_url_clear(&u);
	assert_true(ds_api_url_parse(&u, "gmail://me/label:dmarc%20is:unread",
	    "gmail", &e));
	assert_string_equal(u.user, "me");
	assert_string_equal(u.path, "label:dmarc is:unread");
	ds_api_url_clear(&u);
	assert_true(ds_api_url_parse(&u, "gmail://me", "gmail", &e));
	assert_string_equal(u.path, "");
	ds_api_url_clear(&u);
	assert_false(ds_api_url_parse(&u, "graph:///Inbox", "graph", &e));
	g_clear_error(&e);
	assert_false(ds_api_url_parse(&u, "gmail://me/a%0Ab", "gmail", &e));
	g_clear_error(&e);
	assert_false(ds_api_url_parse(&u, "imaps://me/INBOX", "gmail", &e));
	assert_int_equal(e->code, DS_ERROR_USAGE);
	g_clear_error(&e);
}

static void
test_secret_files(void **state)
{
	char *good = put("secret", "s3cr3t\nsecond line\n", 0600);
	char *open_ = put("open", "s3cr3t\n", 0644);
	char *s = NULL, *cache;
	GError *e = NULL;
	struct stat sb;
	size_t len;

	(void)state;
	assert_true(ds_oauth_secret(good, "DS_TEST_NOPE", "client secret", &s,
	    &e));
	assert_string_equal(s, "s3cr3t");
	ds_conf_secret_free(s);
	/* others may read it: refused, the secret not in the message */
	assert_false(ds_oauth_secret(open_, NULL, "client secret", &s, &e));
	assert_int_equal(e->code, DS_ERROR_USAGE);
	assert_null(strstr(e->message, "s3cr3t"));
	assert_non_null(strstr(e->message, "chmod"));
	g_clear_error(&e);
	/* the environment when no file is configured */
	setenv("DS_TEST_SECRET", "from-env", 1);
	assert_true(ds_oauth_secret(NULL, "DS_TEST_SECRET", "x", &s, &e));
	assert_string_equal(s, "from-env");
	ds_conf_secret_free(s);
	unsetenv("DS_TEST_SECRET");
	assert_true(ds_oauth_secret(NULL, "DS_TEST_SECRET", "x", &s, &e));
	assert_null(s);
	/* written private, in a private new directory, atomically */
	cache = g_build_filename(dir, "cache", "tok.json", NULL);
	assert_true(ds_oauth_write_private(cache, "{\"a\":1}", 7, &e));
	assert_int_equal(stat(cache, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_true(ds_oauth_read_private(cache, 100, &s, &len, &e));
	assert_int_equal(len, 7);
	ds_conf_secret_free(s);
	assert_false(ds_oauth_read_private(cache, 3, &s, &len, &e));
	g_clear_error(&e);
	unlink(cache);
	g_free(cache);
	cache = g_build_filename(dir, "cache", NULL);
	assert_int_equal(stat(cache, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0700);
	rmdir(cache);
	g_free(cache);
	unlink(good);
	unlink(open_);
	g_free(good);
	g_free(open_);
}

/* ds_config_load on text; the error's message when it fails. */
static char *
load(const char *text, GPtrArray **out)
{
	char *p = put("config", text, 0600), *msg = NULL;
	GError *e = NULL;

	if (!ds_config_load(out, p, false, &e)) {
		msg = g_strdup(e->message);
		g_error_free(e);
		*out = NULL;
	}
	unlink(p);
	g_free(p);
	return msg;
}

static void
test_config_keys(void **state)
{
	const struct ds_mailbox_conf *c;
	GPtrArray *b;
	char *msg;

	(void)state;
	msg = load("[mailbox:m365]\nurl = imaps://outlook.office365.com/DMARC\n"
	    "user = dmarc@example.com\nauth = oauth2\n"
	    "oauth2-token-url = https://login.microsoftonline.com/T/oauth2/"
	    "v2.0/token   # tenant\noauth2-client-id = abc\n"
	    "oauth2-client-secret-file = /etc/dmarcsift/m365.secret\n"
	    "oauth2-scope = https://outlook.office365.com/.default\n"
	    "oauth2-mechanism = xoauth2\n"
	    "[mailbox:graph]\nurl = graph://dmarc@example.com/Inbox\n"
	    "oauth2-token-url = https://login.microsoftonline.com/T/oauth2/"
	    "v2.0/token\noauth2-client-id = abc\narchive-folder = archive\n"
	    "[mailbox:gmail]\nurl = gmail://me/label:dmarc\n"
	    "oauth2-token-url = https://oauth2.googleapis.com/token\n"
	    "oauth2-device-url = https://oauth2.googleapis.com/device/code\n"
	    "oauth2-client-id = 123.apps.googleusercontent.com\n"
	    "oauth2-refresh-token-file = /etc/dmarcsift/gmail.refresh\n"
	    "remove-labels = INBOX, dmarc\n", &b);
	assert_null(msg);
	assert_int_equal(b->len, 3);
	c = g_ptr_array_index(b, 0);
	assert_true(c->oauth2);
	assert_string_equal(c->oauth.token_url,
	    "https://login.microsoftonline.com/T/oauth2/v2.0/token");
	assert_string_equal(c->oauth.name, "m365");
	assert_string_equal(c->mechanism, "xoauth2");
	c = g_ptr_array_index(b, 1);
	assert_true(c->oauth2);	/* graph:// is always OAuth2 */
	c = g_ptr_array_index(b, 2);
	assert_string_equal(c->oauth.refresh_token_file,
	    "/etc/dmarcsift/gmail.refresh");
	assert_string_equal(c->remove_labels, "INBOX, dmarc");
	g_ptr_array_unref(b);

	/* refused before anything is contacted */
	msg = load("[mailbox:x]\nurl = graph://u/Inbox\n"
	    "oauth2-client-id = a\n", &b);
	assert_non_null(strstr(msg, "needs oauth2-token-url"));
	g_free(msg);
	msg = load("[mailbox:x]\nurl = graph://u/Inbox\noauth2-client-id = a\n"
	    "oauth2-token-url = http://login.example.com/token\n", &b);
	assert_non_null(strstr(msg, "must be https://"));
	g_free(msg);
	msg = load("[mailbox:x]\nurl = imaps://h/INBOX\nauth = kerberos\n", &b);
	assert_non_null(msg);
	g_free(msg);
	msg = load("[mailbox:x]\nurl = imaps://h/INBOX\nauth = oauth2\n"
	    "oauth2-client-id = a\noauth2-token-url = https://t/\n"
	    "oauth2-mechanism = plain\n", &b);
	assert_non_null(strstr(msg, "oauth2-mechanism"));
	g_free(msg);
	/* a client secret has no key of its own: only files or env */
	msg = load("[mailbox:x]\nurl = imaps://h/INBOX\n"
	    "oauth2-client-secret = s3cr3t\n", &b);
	assert_non_null(msg);
	assert_null(strstr(msg, "s3cr3t"));
	g_free(msg);
}

static void
test_cache_path(void **state)
{
	char *p;

	(void)state;
	setenv("XDG_CACHE_HOME", "/var/cache/x", 1);
	p = ds_oauth_cache_path("a/b");
	assert_string_equal(p, "/var/cache/x/dmarcsift/oauth2-a_b.json");
	g_free(p);
	unsetenv("XDG_CACHE_HOME");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_url),
		cmocka_unit_test(test_form),
		cmocka_unit_test(test_api_url),
		cmocka_unit_test(test_secret_files),
		cmocka_unit_test(test_config_keys),
		cmocka_unit_test(test_cache_path),
	};
	int rc;

	dir = g_dir_make_tmp("ds-oauth-XXXXXX", NULL);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(dir);
	g_free(dir);
	return rc;
}
