/*
 * test_readme_config.c - every configuration example in README.md
 * (```ini blocks that are not systemd units) loads through the one
 * config reader and its consumers: the mailbox sections, [smtp].
 * SPDX-License-Identifier: MIT
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

#include "schema/config/config.h"
#include "schema/util/error.h"
#include "ingest/source/config.h"
#include "report/weekly/mail.h"

static bool
is_systemd(const char *block)
{
	return strstr(block, "[Unit]") || strstr(block, "[Service]") ||
	    strstr(block, "[Timer]") || strstr(block, "[Install]");
}

static void
check_block(const char *dir, const char *block, unsigned n)
{
	char *path = g_strdup_printf("%s/config-%u", dir, n);
	struct ds_smtp_conf smtp;
	struct ds_conf *c;
	GPtrArray *boxes = NULL;
	GError *e = NULL;

	assert_true(g_file_set_contents(path, block, -1, NULL));
	assert_int_equal(chmod(path, 0600), 0);
	c = ds_conf_load(path, false, &e);
	if (c == NULL)
		fail_msg("README example %u: %s", n, e->message);
	if (!ds_config_mailboxes(c, &boxes, &e))
		fail_msg("README example %u: %s", n, e->message);
	g_ptr_array_unref(boxes);
	if (ds_conf_has_section(c, "smtp")) {
		if (!ds_smtp_conf_read(path, &smtp, &e))
			fail_msg("README example %u: %s", n, e->message);
		ds_smtp_conf_clear(&smtp);
		/* it holds a password: refused once others may read it */
		assert_int_equal(chmod(path, 0644), 0);
		assert_false(ds_smtp_conf_read(path, &smtp, &e));
		assert_non_null(strstr(e->message, "chmod 600"));
		g_clear_error(&e);
	}
	ds_conf_free(c);
	unlink(path);
	g_free(path);
}

static void
test_readme_examples_load(void **state)
{
	const char *src = getenv("DS_SRC");
	char *readme, *text = NULL, *p, *end, *dir;
	unsigned n = 0;

	assert_non_null(src);
	readme = g_build_filename(src, "README.md", NULL);
	assert_true(g_file_get_contents(readme, &text, NULL, NULL));
	dir = g_dir_make_tmp("ds-readme-XXXXXX", NULL);
	assert_non_null(dir);
	for (p = text; (p = strstr(p, "\n```ini\n")) != NULL; p = end + 4) {
		p += strlen("\n```ini\n");
		end = strstr(p, "\n```");
		assert_non_null(end);
		*end = '\0';
		if (!is_systemd(p))
			check_block(dir, p, ++n);
		*end = '\n';
	}
	/* the README has an IMAP and an SMTP example at least */
	assert_true(n >= 2);
	rmdir(dir);
	g_free(dir);
	g_free(text);
	g_free(readme);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readme_examples_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
