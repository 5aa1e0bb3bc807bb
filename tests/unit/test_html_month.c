/*
 * test_html_month.c - the month pages of the dashboard (html_month.c,
 * issue 20): the UTC month of a report's midpoint against GLib's
 * calendar, and ds_html_build() on a real SQLite store: one page per
 * (domain, month) with a section per report, a rerun writes nothing and
 * leaves every file alone, one new report rewrites exactly its domain
 * page, its month page and the index, a report page of an earlier
 * version (reports/<id>.html in the manifest) is removed, and a month
 * page holds at most --max-records records per report.
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

#include "report/html/html_build.h"
#include "report/html/html_escape.h"
#include "tests/unit/helper_store.h"

#define DAY 86400
#define JAN_2026 1767225600	/* 2026-01-01 00:00 UTC */
#define FEB_2026 1769904000

static int
glib_month(int64_t t)
{
	GDateTime *d = g_date_time_new_from_unix_utc(t);
	int ym = g_date_time_get_year(d) * 100 + g_date_time_get_month(d);

	g_date_time_unref(d);
	return ym;
}

static void
test_month_of(void **state)
{
	int64_t t;
	int y, m;

	(void)state;
	/* every 7 h 17 min 13 s from 1970 to 2200: all hours, all months */
	for (t = 0; t < 7258118400; t += 26233) {
		assert_int_equal(ds_html_month_of(t, t), glib_month(t));
		/* the midpoint decides, not the begin */
		assert_int_equal(ds_html_month_of(t, t + 40 * DAY),
		    glib_month(t + 20 * DAY));
	}
	for (y = 1970; y <= 2200; y++)
		for (m = 1; m <= 12; m++) {
			GDateTime *d = g_date_time_new_utc(y, m, 1, 0, 0, 0);
			int64_t s = ds_html_month_start(y * 100 + m);

			assert_int_equal(s, g_date_time_to_unix(d));
			assert_int_equal(ds_html_month_of(s, s), y * 100 + m);
			assert_int_equal(ds_html_month_of(s - 1, s - 1),
			    m == 1 ? (y - 1) * 100 + 12 : y * 100 + m - 1);
			g_date_time_unref(d);
		}
	/* a one-day report at the end of a month: its midpoint's month */
	assert_int_equal(ds_html_month_of(FEB_2026 - DAY, FEB_2026 - 1),
	    202601);
	assert_int_equal(ds_html_month_of(FEB_2026 - DAY / 2, FEB_2026 +
	    DAY), 202602);
}

/* path -> "inode mtime" of every file under dir (relative paths). */
static void
snap_dir(GHashTable *h, const char *root, const char *rel)
{
	char *dir = g_build_filename(root, rel, NULL);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;

	assert_non_null(d);
	while ((n = g_dir_read_name(d)) != NULL) {
		char *r = *rel ? g_strdup_printf("%s/%s", rel, n) : g_strdup(n);
		char *full = g_build_filename(root, r, NULL);
		struct stat sb;

		assert_int_equal(stat(full, &sb), 0);
		if (S_ISDIR(sb.st_mode)) {
			snap_dir(h, root, r);
			g_free(r);
		} else if (strcmp(n, ".dmarcsift-site") != 0) {
			g_hash_table_replace(h, r, g_strdup_printf("%ju %jd.%09ld",
			    (uintmax_t)sb.st_ino, (intmax_t)sb.st_mtim.tv_sec,
			    (long)sb.st_mtim.tv_nsec));
		} else {
			g_free(r);
		}
		g_free(full);
	}
	g_dir_close(d);
	g_free(dir);
}

static GHashTable *
snap(const char *root)
{
	GHashTable *h = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    g_free);

	snap_dir(h, root, "");
	return h;
}

static gint
cmp_str(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The paths of after that are new or differ from before, sorted, " "-joined. */
static char *
changed(GHashTable *before, GHashTable *after)
{
	GHashTableIter it;
	gpointer k, v;
	GPtrArray *a = g_ptr_array_new();
	char *s;

	g_hash_table_iter_init(&it, after);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const char *o = g_hash_table_lookup(before, k);

		if (o == NULL || strcmp(o, v) != 0)
			g_ptr_array_add(a, k);
	}
	g_ptr_array_sort(a, cmp_str);
	g_ptr_array_add(a, NULL);
	s = g_strjoinv(" ", (char **)a->pdata);
	g_ptr_array_free(a, TRUE);
	return s;
}

static void
put(struct ts_fx *fx, const char *org, const char *id, const char *domain,
    int64_t begin, unsigned n)
{
	GError *err = NULL;

	assert_true(ds_store_begin(fx->st, &err));
	ts_put_report(fx->st, org, id, domain, begin, begin + DAY - 1, n);
	assert_true(ds_store_commit(fx->st, &err));
}

static void
build(struct ts_fx *fx, const char *out, unsigned max_records,
    struct ds_site_stats *stats)
{
	struct ds_html_opts o = { 0 };
	GError *err = NULL;

	o.out = out;
	o.now = FEB_2026 + 10 * DAY;
	o.max_records = max_records;
	if (!ds_html_build(fx->st, &o, stats, &err))
		fail_msg("html: %s", err->message);
}

static char *
slurp(const char *root, const char *rel)
{
	char *full = g_build_filename(root, rel, NULL), *buf = NULL;

	assert_true(g_file_get_contents(full, &buf, NULL, NULL));
	g_free(full);
	return buf;
}

static unsigned
count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (; (hay = strstr(hay, needle)) != NULL; hay++)
		n++;
	return n;
}

static void
test_build(void **state)
{
	struct ts_fx *fx = *state;
	struct ds_site_stats st;
	GHashTable *s1, *s2;
	char *out = g_build_filename(fx->dir, "site", NULL);
	char *dslug = ds_html_slug("example.com"), *jan, *feb, *dpage, *c, *p;
	char *man, *old;
	int i;

	jan = g_strdup_printf("reports/%s/2026-01.html", dslug);
	feb = g_strdup_printf("reports/%s/2026-02.html", dslug);
	dpage = ds_html_domain_path("example.com");
	/* 12 reports in January, 1 in February; one of another domain */
	for (i = 0; i < 12; i++) {
		char id[16];

		g_snprintf(id, sizeof(id), "jan-%d", i);
		put(fx, i % 2 ? "Org A" : "Org B", id, "Example.COM",
		    JAN_2026 + i * 2 * DAY, 3);
	}
	put(fx, "Org A", "feb-0", "example.com", FEB_2026, 250);
	put(fx, "Org C", "other-0", "other.example", JAN_2026, 2);
	build(fx, out, 0, &st);
	assert_int_equal(st.removed, 0);

	/* one page per (domain, month), a section per report */
	p = slurp(out, jan);
	assert_int_equal(count(p, "<section class=\"report\" id=\"report-"), 12);
	assert_non_null(strstr(p, ">jan-11<"));
	assert_null(strstr(p, ">feb-0<"));
	g_free(p);
	p = slurp(out, feb);
	assert_int_equal(count(p, "<section class=\"report\""), 1);
	/* --max-records (default 100) of the 250 records, said so */
	assert_non_null(strstr(p, "The first 100 of 250 records"));
	g_free(p);
	/* the domain page links to the month and to the report's anchor */
	p = slurp(out, dpage);
	c = g_strdup_printf("href=\"../reports/%s/2026-02.html&#x23;report-",
	    dslug);
	assert_non_null(strstr(p, c));
	assert_non_null(strstr(p, "id=\"t-months\""));
	g_free(c);
	g_free(p);

	/* a rerun: nothing written, no file touched */
	s1 = snap(out);
	build(fx, out, 0, &st);
	assert_int_equal(st.written, 0);
	/* the 3 month pages, 2 domain pages and the index not even
	   generated */
	assert_int_equal(st.kept, 6);
	s2 = snap(out);
	c = changed(s1, s2);
	assert_string_equal(c, "");
	g_free(c);
	g_hash_table_destroy(s1);

	/* one new report in January: its domain, its month, the index */
	put(fx, "Org D", "jan-late", "example.com", JAN_2026 + 25 * DAY, 2);
	build(fx, out, 0, &st);
	assert_int_equal(st.written, 3);
	assert_int_equal(st.kept, 3);
	s1 = snap(out);
	c = changed(s2, s1);
	p = g_strdup_printf("%s index.html %s", dpage, jan);
	assert_string_equal(c, p);
	g_free(p);
	g_free(c);
	g_hash_table_destroy(s2);

	/* a page of an earlier version's site is removed */
	old = g_build_filename(out, "reports", "7.html", NULL);
	assert_true(g_file_set_contents(old, "old", 3, NULL));
	man = g_build_filename(out, ".dmarcsift-site", NULL);
	p = slurp(out, ".dmarcsift-site");
	c = g_strconcat(p, "0000000000000000000000000000000000000000000000000"
	    "000000000000000 - - reports/7.html\n", NULL);
	assert_true(g_file_set_contents(man, c, -1, NULL));
	g_free(c);
	g_free(p);
	build(fx, out, 0, &st);
	assert_int_equal(st.removed, 1);
	assert_false(g_file_test(old, G_FILE_TEST_EXISTS));

	/* another --max-records is another page */
	build(fx, out, 5, &st);
	p = slurp(out, feb);
	assert_non_null(strstr(p, "The first 5 of 250 records"));
	g_free(p);

	g_hash_table_destroy(s1);
	g_free(old);
	g_free(man);
	g_free(jan);
	g_free(feb);
	g_free(dpage);
	g_free(dslug);
	g_free(out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_month_of),
		cmocka_unit_test_setup_teardown(test_build, ts_setup,
		    ts_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
