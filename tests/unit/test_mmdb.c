/*
 * test_mmdb.c - report/enrich/mmdb.c on MaxMind DB files written by
 * tests/enrich/mkmmdb.pl: the GeoLite2 layout (an ASN and a country
 * database combined) and the IPinfo Lite layout, IPv4 and IPv6, the
 * most specific network, the first database winning per field, the
 * build date; a missing file, a directory, a truncated file, garbage
 * and a corrupt search tree or data section: one warning each, no
 * crash (the suite runs under ASan too), the other databases still
 * answering. The AS number parser.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib/gstdio.h>
#include <maxminddb.h>

#include "report/enrich/mmdb.h"
#include "tests/unit/helper_mmdb.h"

#define BUILT INT64_C(1700000000)

struct fx {
	char *tmp;
	char *dir;	/* the databases built at BUILT */
};

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);

	f->tmp = g_dir_make_tmp("ds-mmdb-XXXXXX", NULL);
	assert_non_null(f->tmp);
	f->dir = tm_make(f->tmp, BUILT, "");
	*state = f;
	return 0;
}

static void
rm_rf(const char *path)
{
	GDir *d = g_dir_open(path, 0, NULL);
	const char *n;
	char *p;

	while (d && (n = g_dir_read_name(d)) != NULL) {
		p = g_build_filename(path, n, NULL);
		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			rm_rf(p);
		else
			g_unlink(p);
		g_free(p);
	}
	if (d)
		g_dir_close(d);
	g_rmdir(path);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	rm_rf(f->tmp);
	g_free(f->tmp);
	g_free(f->dir);
	g_free(f);
	return 0;
}

/* Open the files named (NULL-terminated, relative to dir). */
static struct ds_mmdb *
open_in(const char *dir, ...)
{
	GPtrArray *a = g_ptr_array_new_with_free_func(g_free);
	struct ds_mmdb *m;
	const char *n;
	va_list ap;

	va_start(ap, dir);
	while ((n = va_arg(ap, const char *)) != NULL)
		g_ptr_array_add(a, n[0] == '/' ? g_strdup(n) :
		    tm_path(dir, n));
	va_end(ap);
	g_ptr_array_add(a, NULL);
	m = ds_mmdb_open((const char *const *)a->pdata);
	g_ptr_array_unref(a);
	return m;
}

/* The warnings pending, joined by '\n' (g_free). */
static char *
warnings(struct ds_mmdb *m)
{
	const GPtrArray *w = ds_mmdb_warnings(m);
	GString *g = g_string_new(NULL);
	guint i;

	for (i = 0; i < w->len; i++)
		g_string_append_printf(g, "%s%s", i ? "\n" : "",
		    (char *)w->pdata[i]);
	return g_string_free(g, FALSE);
}

static void
test_geolite(void **state)
{
	struct fx *f = *state;
	struct ds_mmdb *m = open_in(f->dir, "asn.mmdb", "country.mmdb", NULL);
	struct ds_geo g = { 0 };
	char *w;

	assert_int_equal(ds_mmdb_count(m), 2);
	w = warnings(m);
	assert_string_equal(w, "");
	g_free(w);
	assert_int_equal(ds_mmdb_built(m), BUILT);

	assert_true(ds_mmdb_lookup(m, "198.51.100.10", &g));
	assert_int_equal(g.asn, 64500);
	assert_string_equal(g.as_org, "Example Hosting");
	assert_null(g.as_domain);		/* not in GeoLite2 */
	assert_string_equal(g.country, "DE");

	assert_true(ds_mmdb_lookup(m, "209.85.220.41", &g));
	assert_int_equal(g.asn, 15169);
	assert_string_equal(g.as_org, "GOOGLE");
	assert_string_equal(g.country, "US");

	/* IPv6, and the most specific network */
	assert_true(ds_mmdb_lookup(m, "2001:db8:10::25", &g));
	assert_int_equal(g.asn, 64501);
	assert_string_equal(g.as_org, "Example \xc3\x89six");
	assert_string_equal(g.country, "FR");
	assert_true(ds_mmdb_lookup(m, "2001:db8:5::1", &g));
	assert_int_equal(g.asn, 16509);
	assert_string_equal(g.as_org, "AMAZON-02");

	/* not in the databases; not an address (inet_pton only) */
	assert_false(ds_mmdb_lookup(m, "8.8.8.8", &g));
	assert_int_equal(g.asn, 0);
	assert_null(g.as_org);
	assert_null(g.country);
	assert_false(ds_mmdb_lookup(m, "2001:db9::1", &g));
	assert_false(ds_mmdb_lookup(m, "010.51.100.10", &g));
	assert_false(ds_mmdb_lookup(m, "198.51.100.10 ", &g));
	assert_false(ds_mmdb_lookup(m, "", &g));
	assert_false(ds_mmdb_lookup(m, NULL, &g));
	ds_geo_clear(&g);
	w = warnings(m);
	assert_string_equal(w, "");
	g_free(w);
	ds_mmdb_free(m);
}

static void
test_ipinfo(void **state)
{
	struct fx *f = *state;
	struct ds_mmdb *m = open_in(f->dir, "ipinfo.mmdb", NULL);
	struct ds_geo g = { 0 };

	assert_int_equal(ds_mmdb_count(m), 1);
	assert_true(ds_mmdb_lookup(m, "167.89.123.45", &g));
	assert_int_equal(g.asn, 11377);		/* from "AS11377" */
	assert_string_equal(g.as_org, "SENDGRID");
	assert_string_equal(g.as_domain, "sendgrid.com");
	assert_string_equal(g.country, "US");	/* country_code */
	assert_true(ds_mmdb_lookup(m, "2001:db8:10::25", &g));
	assert_int_equal(g.asn, 64501);
	assert_string_equal(g.as_domain, "example.org");
	assert_string_equal(g.country, "FR");
	assert_true(ds_mmdb_lookup(m, "192.0.2.77", &g));
	assert_int_equal(g.asn, 8075);
	assert_string_equal(g.country, "IE");
	ds_geo_clear(&g);
	ds_mmdb_free(m);
}

/* Each field from the first database that has it; the newest build. */
static void
test_order(void **state)
{
	struct fx *f = *state;
	char *v2 = tm_make(f->tmp, BUILT + 86400, " v2");
	char *a2 = tm_path(v2, "asn.mmdb");
	struct ds_mmdb *m = open_in(f->dir, a2, "ipinfo.mmdb", NULL);
	struct ds_geo g = { 0 };

	assert_int_equal(ds_mmdb_count(m), 2);
	assert_int_equal(ds_mmdb_built(m), BUILT + 86400);
	assert_true(ds_mmdb_lookup(m, "198.51.100.10", &g));
	assert_string_equal(g.as_org, "Example Hosting v2");	/* first */
	assert_string_equal(g.as_domain, "example.net");	/* second */
	assert_string_equal(g.country, "DE");			/* second */
	ds_geo_clear(&g);
	ds_mmdb_free(m);

	m = open_in(f->dir, "ipinfo.mmdb", a2, NULL);
	assert_true(ds_mmdb_lookup(m, "198.51.100.10", &g));
	assert_string_equal(g.as_org, "Example Hosting");
	ds_geo_clear(&g);
	ds_mmdb_free(m);
	g_free(a2);
	g_free(v2);
}

/* Write the first n bytes of src to dst, with len bytes at off set to b. */
static void
copy_damaged(const char *src, const char *dst, gsize n, gsize off, gsize len,
    int b)
{
	char *buf;
	gsize size;

	assert_true(g_file_get_contents(src, &buf, &size, NULL));
	if (n > size)
		n = size;
	if (off < n)
		memset(buf + off, b, MIN(len, n - off));
	assert_true(g_file_set_contents(dst, buf, (gssize)n, NULL));
	g_free(buf);
}

static void
test_unusable(void **state)
{
	struct fx *f = *state;
	char *asn = tm_path(f->dir, "asn.mmdb");
	char *trunc = tm_path(f->tmp, "truncated.mmdb");
	char *junk = tm_path(f->tmp, "junk.mmdb");
	char *missing = tm_path(f->tmp, "missing.mmdb");
	struct ds_mmdb *m;
	struct ds_geo g = { 0 };
	char *w, *data, **lines;
	gsize size;

	assert_true(g_file_get_contents(asn, &data, &size, NULL));
	g_free(data);
	/* the metadata is at the end: cut off, the file is not a database */
	copy_damaged(asn, trunc, size / 2, 0, 0, 0);
	assert_true(g_file_set_contents(junk, "not a MaxMind database\n", -1,
	    NULL));

	m = open_in(f->dir, missing, f->tmp, trunc, junk, "country.mmdb",
	    NULL);
	assert_int_equal(ds_mmdb_count(m), 1);	/* country.mmdb */
	w = warnings(m);
	assert_non_null(strstr(w, missing));
	assert_non_null(strstr(w, trunc));
	assert_non_null(strstr(w, junk));
	assert_non_null(strstr(w, "not a readable file"));
	lines = g_strsplit(w, "\n", -1);
	assert_int_equal(g_strv_length(lines), 4);	/* one per file */
	g_strfreev(lines);
	g_free(w);
	/* the good one still answers */
	assert_true(ds_mmdb_lookup(m, "198.51.100.10", &g));
	assert_int_equal(g.asn, 0);
	assert_string_equal(g.country, "DE");
	ds_geo_clear(&g);
	ds_mmdb_free(m);

	/* nothing at all: no fields, no crash */
	m = ds_mmdb_open(NULL);
	assert_int_equal(ds_mmdb_count(m), 0);
	assert_int_equal(ds_mmdb_built(m), 0);
	assert_false(ds_mmdb_lookup(m, "198.51.100.10", &g));
	ds_mmdb_free(m);
	g_free(asn);
	g_free(trunc);
	g_free(junk);
	g_free(missing);
}

/*
 * A search tree of 0xff bytes points outside the file: libmaxminddb's
 * checks report it at the first lookup, and the database is dropped
 * with one warning while the other keeps answering.
 */
static void
test_corrupt(void **state)
{
	struct fx *f = *state;
	char *asn = tm_path(f->dir, "asn.mmdb");
	char *bad = tm_path(f->tmp, "corrupt.mmdb");
	struct ds_mmdb *m;
	struct ds_geo g = { 0 };
	char *w;

	copy_damaged(asn, bad, G_MAXSIZE, 0, 600, 0xff);
	m = open_in(f->dir, bad, "country.mmdb", NULL);
	w = warnings(m);
	g_free(w);
	assert_true(ds_mmdb_lookup(m, "198.51.100.10", &g));
	assert_int_equal(g.asn, 0);
	assert_string_equal(g.country, "DE");
	w = warnings(m);
	assert_non_null(strstr(w, bad));
	assert_non_null(strstr(w, "ignored from now on"));
	g_free(w);
	assert_int_equal(ds_mmdb_count(m), 1);
	assert_true(ds_mmdb_lookup(m, "2001:db8:10::25", &g));
	w = warnings(m);
	assert_string_equal(w, "");	/* one warning, not one per IP */
	g_free(w);
	ds_geo_clear(&g);
	ds_mmdb_free(m);
	g_free(asn);
	g_free(bad);
}

/*
 * A data section of pointers (0x3f: a 4-byte pointer) leading outside
 * the file: a data error at the first lookup that reaches it.
 */
static void
test_corrupt_data(void **state)
{
	struct fx *f = *state;
	char *ii = tm_path(f->dir, "ipinfo.mmdb");
	char *bad = tm_path(f->tmp, "corrupt-data.mmdb");
	struct ds_mmdb *m;
	struct ds_geo g = { 0 };
	MMDB_s mm;
	gsize off;
	char *w;

	assert_int_equal(MMDB_open(ii, MMDB_MODE_MMAP, &mm), MMDB_SUCCESS);
	off = (gsize)(mm.data_section - mm.file_content);
	MMDB_close(&mm);
	copy_damaged(ii, bad, G_MAXSIZE, off, 256, 0x3f);
	m = open_in(f->dir, bad, "asn.mmdb", NULL);
	assert_int_equal(ds_mmdb_count(m), 2);
	assert_true(ds_mmdb_lookup(m, "167.89.123.45", &g));
	assert_int_equal(g.asn, 11377);		/* from asn.mmdb */
	assert_null(g.as_domain);		/* nothing of the bad one */
	assert_null(g.country);
	w = warnings(m);
	assert_non_null(strstr(w, bad));
	g_free(w);
	assert_int_equal(ds_mmdb_count(m), 1);
	ds_geo_clear(&g);
	ds_mmdb_free(m);
	g_free(ii);
	g_free(bad);
}

static void
test_asn_text(void **state)
{
	uint32_t v = 0;
	char *s;

	(void)state;
	assert_true(ds_asn_parse("AS8075", &v));
	assert_int_equal(v, 8075);
	assert_true(ds_asn_parse("as15169", &v));
	assert_int_equal(v, 15169);
	assert_true(ds_asn_parse("4294967295", &v));
	assert_int_equal(v, 4294967295u);
	assert_false(ds_asn_parse("4294967296", &v));
	assert_false(ds_asn_parse("AS0", &v));
	assert_false(ds_asn_parse("AS", &v));
	assert_false(ds_asn_parse("AS-1", &v));
	assert_false(ds_asn_parse("AS 1", &v));
	assert_false(ds_asn_parse("AS1x", &v));
	assert_false(ds_asn_parse("99999999999999999999", &v));
	assert_false(ds_asn_parse(NULL, &v));
	s = ds_asn_text(8075);
	assert_string_equal(s, "AS8075");
	g_free(s);
	assert_null(ds_asn_text(0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_geolite, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unusable, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_data, setup,
		    teardown),
		cmocka_unit_test(test_asn_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
