/*
 * test_config.c - the configuration file (ingest/source/config.c) on real files
 * in a temp dir: [mailbox:NAME] sections, values, unknown keys, modes.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15: a file holding a password (or a password-file) that
 * group or others may read is refused; the password never appears in an
 * error message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "ingest/source/config.h"

struct fx {
	char *dir;
	char *conf;
	char *pass;
};

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);

	f->dir = g_dir_make_tmp("ds-config-XXXXXX", NULL);
	assert_non_null(f->dir);
	f->conf = g_build_filename(f->dir, "config", NULL);
	f->pass = g_build_filename(f->dir, "pass", NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->conf);
	unlink(f->pass);
	rmdir(f->dir);
	g_free(f->dir);
	g_free(f->conf);
	g_free(f->pass);
	g_free(f);
	return 0;
}

static void
put(const char *path, const char *text, mode_t mode)
{
	assert_true(g_file_set_contents(path, text, -1, NULL));
	assert_int_equal(chmod(path, mode), 0);
}

static GPtrArray *
load_ok(const char *path)
{
	GPtrArray *b = NULL;
	GError *e = NULL;

	if (!ds_config_load(&b, path, false, &e))
		fail_msg("%s", e->message);
	return b;
}

/* Load must fail with DS_ERROR_USAGE and a message holding want. */
static void
load_bad(const char *path, const char *want)
{
	GPtrArray *b = NULL;
	GError *e = NULL;

	assert_false(ds_config_load(&b, path, false, &e));
	assert_null(b);
	assert_int_equal(e->code, DS_ERROR_USAGE);
	if (strstr(e->message, want) == NULL)
		fail_msg("'%s' lacks '%s'", e->message, want);
	assert_null(strstr(e->message, "hunter2"));
	g_error_free(e);
}

static void
test_sections(void **state)
{
	struct fx *f = *state;
	const struct ds_mailbox_conf *c;
	GPtrArray *b;

	put(f->conf, "# dmarcsift\n[smtp]\nx = 1\n"
	    "[mailbox:dmarc]\nurl = imaps://dmarc%40ex.com@imap.ex.com/INBOX\n"
	    "archive-folder = Archive/DMARC    # processed\n"
	    "invalid-folder = Invalid\nmax-message-size = 20M\n"
	    "keep = yes\n"
	    "[mailbox:other]\nurl = imap://h:1143/Box\nuser = me\n"
	    "allow-plaintext = true\nca-file = /etc/ca.pem\n", 0644);
	b = load_ok(f->conf);
	assert_int_equal(b->len, 2);
	c = g_ptr_array_index(b, 0);
	assert_string_equal(c->name, "dmarc");
	assert_string_equal(c->user, "dmarc@ex.com");	/* from the URL */
	assert_string_equal(c->archive_folder, "Archive/DMARC");
	assert_string_equal(c->invalid_folder, "Invalid");
	assert_true(c->max_message == 20u << 20);
	assert_true(c->keep);
	assert_false(c->allow_plaintext);
	c = g_ptr_array_index(b, 1);
	assert_string_equal(c->user, "me");
	assert_true(c->allow_plaintext);
	assert_string_equal(c->ca_file, "/etc/ca.pem");
	assert_true(c->max_message == DS_MAILBOX_MAX_MESSAGE_DEFAULT);
	assert_ptr_equal(ds_config_find_url(b, "imap://me@h:1143/Box"), c);
	assert_ptr_equal(ds_config_find_url(b, "imap://h:1143/Box/"), c);
	assert_null(ds_config_find_url(b, "imap://you@h:1143/Box"));
	assert_null(ds_config_find_url(b, "imaps://h:1143/Box"));
	g_ptr_array_unref(b);
}

static void
test_bad(void **state)
{
	struct fx *f = *state;

	put(f->conf, "[mailbox:a]\nurl = imaps://h/INBOX\narchive_folder = "
	    "x\n", 0600);
	load_bad(f->conf, "unknown key 'archive_folder'");
	put(f->conf, "[mailbox:a]\nuser = x\n", 0600);
	load_bad(f->conf, "no url");
	put(f->conf, "[mailbox:a]\nurl = pop3://h/\n", 0600);
	load_bad(f->conf, "not an imap:// or imaps:// URL");
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\nmax-message-size = "
	    "5X\n", 0600);
	load_bad(f->conf, "[mailbox:a] max-message-size: not a size");
	/* a typo in a section name is an error, not a silent no-op */
	put(f->conf, "[mailbx:a]\nurl = imaps://h/\n", 0600);
	load_bad(f->conf, "unknown section [mailbx:a]");
	/* a malformed line is named by number, never echoed */
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\npassword hunter2\n", 0600);
	load_bad(f->conf, "line 3: not 'key = value'");
	/* a password inside the URL is refused, naming the key to use */
	put(f->conf, "[mailbox:a]\nurl = imaps://me:hunter2@h/INBOX\n", 0600);
	load_bad(f->conf, "put it in 'password-file' instead");
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\nkeep = maybe\n", 0600);
	load_bad(f->conf, "[mailbox:a] keep: not true/false");
	put(f->conf, "[mailbox:]\nurl = imaps://h/\n", 0600);
	load_bad(f->conf, "[mailbox:] needs a name");
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\narchive-folder = "
	    "Arch\xc3\xa4v\n", 0600);
	load_bad(f->conf, "printable ASCII");
	put(f->conf, "[mailbox:a\nurl = x\n", 0600);
	load_bad(f->conf, f->conf);
	load_bad("/nonexistent/dmarcsift.conf", "No such file");
}

static void
test_password_modes(void **state)
{
	struct fx *f = *state;
	const struct ds_mailbox_conf *c;
	GPtrArray *b;
	GError *e = NULL;
	char *pw = NULL, *text;

	/* THREATS #15: a password in a 0644 or 0640 file is refused */
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\npassword = hunter2 # x\n",
	    0644);
	load_bad(f->conf, "(mode 0644): run chmod 600");
	assert_int_equal(chmod(f->conf, 0640), 0);
	load_bad(f->conf, "(mode 0640)");
	assert_int_equal(chmod(f->conf, 0600), 0);
	b = load_ok(f->conf);
	c = g_ptr_array_index(b, 0);
	assert_true(ds_config_password(c, &pw, &e));
	assert_string_equal(pw, "hunter2 # x");	/* no comment in passwords */
	ds_config_password_free(pw);
	g_ptr_array_unref(b);

	/* password-file: first line; private too */
	put(f->pass, "hunter2\nsecond line\n", 0644);
	put(f->conf, "[mailbox:a]\nurl = imaps://h/\n", 0644);
	b = load_ok(f->conf);
	c = g_ptr_array_index(b, 0);
	setenv("DMARCSIFT_IMAP_PASSWORD", "from-env", 1);
	assert_true(ds_config_password(c, &pw, &e));
	assert_string_equal(pw, "from-env");
	ds_config_password_free(pw);
	unsetenv("DMARCSIFT_IMAP_PASSWORD");
	assert_true(ds_config_password(c, &pw, &e));
	assert_null(pw);			/* left to ~/.netrc */
	g_ptr_array_unref(b);

	text = g_strdup_printf("[mailbox:a]\nurl = imaps://h/\n"
	    "password-file = %s\n", f->pass);
	put(f->conf, text, 0644);	/* no password in it: may be 0644 */
	g_free(text);
	b = load_ok(f->conf);
	c = g_ptr_array_index(b, 0);
	assert_false(ds_config_password(c, &pw, &e));
	assert_int_equal(e->code, DS_ERROR_USAGE);
	assert_non_null(strstr(e->message, "chmod 600"));
	assert_null(strstr(e->message, "hunter2"));
	g_clear_error(&e);
	assert_int_equal(chmod(f->pass, 0600), 0);
	assert_true(ds_config_password(c, &pw, &e));
	assert_string_equal(pw, "hunter2");
	ds_config_password_free(pw);
	put(f->pass, "\n", 0600);
	assert_false(ds_config_password(c, &pw, &e));
	assert_non_null(strstr(e->message, "empty (expected a password"));
	g_clear_error(&e);
	g_ptr_array_unref(b);
}

static void
test_sizes(void **state)
{
	uint64_t v;

	assert_true(ds_config_parse_size("50M", &v));
	assert_true(v == 50ull << 20);
	assert_true(ds_config_parse_size("512k", &v));
	assert_true(v == 512ull << 10);
	assert_true(ds_config_parse_size("4096", &v));
	assert_true(v == 4096);
	assert_false(ds_config_parse_size("0", &v));
	assert_false(ds_config_parse_size("-1M", &v));
	assert_false(ds_config_parse_size("1T", &v));
	assert_false(ds_config_parse_size("99999999999999999999", &v));
	assert_false(ds_config_parse_size("17179869184G", &v));
	assert_false(ds_config_parse_size("", &v));
}

static void
test_missing_ok(void **state)
{
	GPtrArray *b = NULL;
	GError *e = NULL;

	assert_true(ds_config_load(&b, "/nonexistent/x", true, &e));
	assert_int_equal(b->len, 0);
	g_ptr_array_unref(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_password_modes, setup,
		    teardown),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_missing_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
