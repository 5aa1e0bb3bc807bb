/*
 * test_html.c - the pieces of the static dashboard that need no browser:
 * escaping per context (THREATS #9) over hostile strings, slugs, and the
 * incremental, atomic page writes of html_site.h (unchanged pages not
 * touched, changed ones replaced by rename, fresh stamps, stale pages
 * removed, no temp files left).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "report/html/html_escape.h"
#include "report/html/html_site.h"

static const char *const hostile[] = {
	"<script>alert(1)</script>",
	"\"><img src=x onerror=alert(1)>",
	"' onmouseover='alert(1)",
	"javascript:alert(1)",
	"</script><!--",
	"a&b=c`d",
	"\xe2\x80\xa8line\x01\x7f\xc2\x85",
	"\xff\xfe bad utf-8",
	"../../etc/passwd",
};

static char *
esc(void (*fn)(GString *, const char *), const char *s)
{
	GString *g = g_string_new(NULL);

	fn(g, s);
	return g_string_free(g, FALSE);
}

static void
test_text(void **state)
{
	char *o;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		o = esc(ds_html_text, hostile[i]);
		assert_null(strpbrk(o, "<>\"'"));
		assert_true(g_utf8_validate(o, -1, NULL));
		assert_null(strchr(o, '\x01'));
		g_free(o);
	}
	o = esc(ds_html_text, "a<b>&\"'");
	assert_string_equal(o, "a&lt;b&gt;&amp;&quot;&#39;");
	g_free(o);
	o = esc(ds_html_text, "caf\xc3\xa9 \xff");
	assert_string_equal(o, "caf\xc3\xa9 \xef\xbf\xbd");
	g_free(o);
	o = esc(ds_html_text, NULL);
	assert_string_equal(o, "");
	g_free(o);
}

static void
test_attr(void **state)
{
	char *o;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		o = esc(ds_html_attr, hostile[i]);
		assert_null(strpbrk(o, "<>\"'`=\t\n"));
		g_free(o);
	}
	o = esc(ds_html_attr, "a\"b c=d");
	assert_string_equal(o, "a&#x22;b c&#x3d;d");
	g_free(o);
}

static void
test_url_json(void **state)
{
	char *o;

	(void)state;
	o = esc(ds_html_url, "javascript:alert(1)/../x?y#z");
	assert_string_equal(o, "javascript%3Aalert%281%29%2F..%2Fx%3Fy%23z");
	g_free(o);
	o = esc(ds_html_json, "</script><!--\xe2\x80\xa8&");
	assert_null(strchr(o, '<'));
	assert_null(strchr(o, '>'));
	assert_null(strchr(o, '&'));
	assert_null(strstr(o, "\xe2\x80\xa8"));
	assert_int_equal(o[0], '"');
	g_free(o);
}

static void
test_slug(void **state)
{
	char *a, *b, *c;
	const char *p;
	size_t i;

	(void)state;
	a = ds_html_slug("Example.COM");
	b = ds_html_slug("example.com");
	assert_string_not_equal(a, b);	/* distinct names, distinct files */
	assert_true(g_str_has_prefix(a, "example.com-"));
	for (i = 0; i < G_N_ELEMENTS(hostile); i++) {
		c = ds_html_slug(hostile[i]);
		assert_true(c[0] != '.' && c[0] != '\0');
		assert_null(strstr(c, ".."));
		for (p = c; *p; p++)
			assert_true(g_ascii_isalnum(*p) ||
			    strchr("._-", *p) != NULL);
		assert_true(strlen(c) <= 60 + 9);
		g_free(c);
	}
	g_free(a);
	g_free(b);
}

static ino_t
inode(const char *dir, const char *name)
{
	char *p = g_build_filename(dir, name, NULL);
	struct stat sb;

	assert_int_equal(stat(p, &sb), 0);
	g_free(p);
	return sb.st_ino;
}

static unsigned
count_entries(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	unsigned n = 0;

	assert_non_null(d);
	while (g_dir_read_name(d))
		n++;
	g_dir_close(d);
	return n;
}

static void
test_site(void **state)
{
	char *dir = g_dir_make_tmp("t_html_XXXXXX", NULL);
	char *sub = g_build_filename(dir, "site", NULL);
	char *pages = g_build_filename(sub, "p", NULL), *buf;
	struct ds_site_stats st;
	struct ds_site *s;
	GError *e = NULL;
	ino_t ino;

	(void)state;
	s = ds_site_open(sub, &e);
	assert_non_null(s);
	assert_true(ds_site_put(s, "index.html", "one", 3, NULL, &e));
	assert_true(ds_site_put(s, "p/a.html", "aaa", 3, "s1", &e));
	assert_true(ds_site_put(s, "p/b.html", "bbb", 3, "s1", &e));
	assert_true(ds_site_close(s, &st, &e));
	assert_int_equal(st.written, 3);
	ino = inode(sub, "index.html");

	/* same bytes: nothing written; changed: replaced (new inode) */
	s = ds_site_open(sub, &e);
	assert_true(ds_site_put(s, "index.html", "one", 3, NULL, &e));
	assert_true(ds_site_fresh(s, "p/a.html", "s1"));
	assert_false(ds_site_fresh(s, "p/b.html", "s2"));
	assert_true(ds_site_close(s, &st, &e));
	assert_int_equal(st.written, 0);
	assert_int_equal(st.unchanged, 1);
	assert_int_equal(st.kept, 1);
	assert_int_equal(st.removed, 1);	/* b neither put nor kept */
	assert_int_equal(inode(sub, "index.html"), ino);
	assert_int_equal(count_entries(pages), 1);

	s = ds_site_open(sub, &e);
	assert_true(ds_site_put(s, "index.html", "two!", 4, NULL, &e));
	assert_true(ds_site_close(s, &st, &e));
	assert_int_equal(st.written, 1);
	assert_int_not_equal(inode(sub, "index.html"), ino);
	buf = g_build_filename(sub, "index.html", NULL);
	g_free(pages);
	assert_true(g_file_get_contents(buf, &pages, NULL, NULL));
	assert_string_equal(pages, "two!");
	g_free(buf);
	/* index.html, the manifest, p/: no temp file left */
	assert_int_equal(count_entries(sub), 3);

	/* a file changed behind our back (same size) is put right */
	buf = g_build_filename(sub, "index.html", NULL);
	assert_true(g_file_set_contents(buf, "xxxx", 4, NULL));
	s = ds_site_open(sub, &e);
	assert_true(ds_site_put(s, "index.html", "two!", 4, NULL, &e));
	assert_true(ds_site_close(s, &st, &e));
	assert_null(e);
	assert_int_equal(st.written, 1);
	g_free(pages);
	assert_true(g_file_get_contents(buf, &pages, NULL, NULL));
	assert_string_equal(pages, "two!");
	g_free(buf);

	/* a file where the directory should be */
	buf = g_build_filename(dir, "plain", NULL);
	assert_true(g_file_set_contents(buf, "x", 1, NULL));
	assert_null(ds_site_open(buf, &e));
	assert_non_null(e);
	g_clear_error(&e);
	g_free(buf);

	buf = g_strdup_printf("rm -rf '%s'", dir);
	assert_int_equal(system(buf), 0);
	g_free(buf);
	g_free(pages);
	g_free(sub);
	g_free(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_attr),
		cmocka_unit_test(test_url_json),
		cmocka_unit_test(test_slug),
		cmocka_unit_test(test_site),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
