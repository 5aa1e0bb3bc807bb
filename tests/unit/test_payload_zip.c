/*
 * test_payload_zip.c - zip walks of ingest/payload/payload_zip.c against hostile
 * archives built here with libzip (THREATS #5): junk and directory
 * entries, 10 000 entries, "../../" names, encrypted, corrupt and lying
 * entries, overlapping central-directory records, nesting.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "payload_fixtures.h"

#define MIB (1024u * 1024u)

static const char xml_a[] = "<feedback><report_metadata>a</report_metadata>"
    "</feedback>\n";
static const char xml_b[] = "  <?xml version=\"1.0\"?><feedback>b</feedback>";

static const struct fx_leaf *
leaf(const struct fx_run *r, guint i)
{
	assert_true(i < r->leaves->len);
	return g_ptr_array_index(r->leaves, i);
}

static bool
has_warning(const struct fx_run *r, const char *w)
{
	guint i;

	for (i = 0; i < r->warnings->len; i++)
		if (strcmp(g_ptr_array_index(r->warnings, i), w) == 0)
			return true;
	return false;
}

/*
 * Good entries, a gzip inside; macOS AppleDouble files and directory
 * entries skipped without a warning (issue 18: they are what a Mac's
 * "Compress" adds, not a deviation of the reporter); mem and fd.
 */
static void
test_zip_entries_and_junk(void **state)
{
	GByteArray *gzb = fx_gzip(xml_b, strlen(xml_b));
	const struct fx_zent ents[] = {
		{ "a.xml", xml_a, strlen(xml_a), 0 },
		{ "__MACOSX/._a.xml", "\0\5\26\7junk", 8, 0 },
		{ "dir/", NULL, 0, FX_DIR },
		{ "dir/b.xml.gz", gzb->data, gzb->len, FX_STORE },
		{ "dir/._b.xml", "junk", 4, 0 },
	};
	GByteArray *z = fx_zip(ents, G_N_ELEMENTS(ents));
	GByteArray *gz = fx_gzip(z->data, z->len);
	struct ds_limits l;
	struct fx_run r;
	int fd, pass;

	ds_limits_default(&l);
	for (pass = 0; pass < 3; pass++) {
		if (pass == 0) {
			assert_true(fx_walk(&r, "x.zip", (char *)z->data,
			    z->len, &l));
		} else if (pass == 1) {
			fd = fx_tmpfd(z->data, z->len);
			assert_true(fx_walk_fd(&r, "x.zip", fd, &l));
			assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
			close(fd);
		} else {	/* zip inside gzip */
			assert_true(fx_walk(&r, "x.zip.gz", (char *)gz->data,
			    gz->len, &l));
		}
		assert_int_equal(r.leaves->len, 2);
		assert_string_equal(leaf(&r, 0)->name, "x.zip/a.xml");
		fx_assert_data(leaf(&r, 0), xml_a, strlen(xml_a));
		assert_true(leaf(&r, 0)->head_ok);
		assert_string_equal(leaf(&r, 1)->name, "x.zip/dir/b.xml");
		fx_assert_data(leaf(&r, 1), xml_b, strlen(xml_b));
		assert_int_equal(r.warnings->len, 0);
		assert_false(has_warning(&r, "zip-junk-entry: __MACOSX/._a.xml"));
		fx_run_clear(&r);
	}
	g_byte_array_free(gz, TRUE);
	g_byte_array_free(gzb, TRUE);
	g_byte_array_free(z, TRUE);
}

/* THREATS #5: 10 000 entries are refused before any is read. */
static void
test_zip_many_entries(void **state)
{
	enum { N = 10000 };
	struct fx_zent *ents = g_new0(struct fx_zent, N);
	char **names = g_new0(char *, N + 1);
	struct ds_limits l;
	struct fx_run r;
	GByteArray *z;
	int i;

	for (i = 0; i < N; i++) {
		names[i] = g_strdup_printf("r%05d.xml", i);
		ents[i].name = names[i];
		ents[i].data = xml_a;
		ents[i].len = strlen(xml_a);
	}
	z = fx_zip(ents, N);
	ds_limits_default(&l);
	l.max_zip_entries = 1000;
	assert_false(fx_walk(&r, "many.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "zip has 10000 entries, limit 1000");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);

	l.max_zip_entries = N;
	assert_true(fx_walk(&r, "many.zip", (char *)z->data, z->len, &l));
	assert_int_equal(r.leaves->len, N);
	assert_string_equal(leaf(&r, N - 1)->name, "many.zip/r09999.xml");
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
	g_strfreev(names);
	g_free(ents);
}

/* Does dir hold exactly the entry only (NULL: nothing)? */
static bool
dir_is(const char *dir, const char *only)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *n;
	bool ok;

	assert_non_null(d);
	n = g_dir_read_name(d);
	ok = only ? n != NULL && strcmp(n, only) == 0 &&
	    g_dir_read_name(d) == NULL : n == NULL;
	g_dir_close(d);
	return ok;
}

/* Names are data: "../../etc/x" is a leaf name, nothing is written. */
static void
test_zip_hostile_names(void **state)
{
	const struct fx_zent ents[] = {
		{ "../../etc/x", xml_a, strlen(xml_a), 0 },
		{ "/abs/y.xml", xml_b, strlen(xml_b), 0 },
		{ "c:\\win\\z.xml", xml_a, strlen(xml_a), 0 },
		{ "ctl@@[31m.xml", xml_a, strlen(xml_a), 0 },
	};
	GByteArray *z = fx_zip(ents, G_N_ELEMENTS(ents));
	const char *name;
	long at;
	char tmpl[] = "/tmp/test_payload_zip_XXXXXX", *deep, *cwd;
	struct ds_limits l;
	struct fx_run r;

	/* libzip will not write control characters: patch them in */
	while ((at = fx_find(z, "@@[31m", 6, 0)) >= 0)
		memcpy(z->data + at, "\n\x1b", 2);
	assert_non_null(g_mkdtemp(tmpl));
	deep = g_build_filename(tmpl, "a", "b", NULL);
	assert_int_equal(g_mkdir_with_parents(deep, 0700), 0);
	cwd = g_get_current_dir();
	assert_int_equal(chdir(deep), 0);
	ds_limits_default(&l);
	assert_true(fx_walk(&r, "n.zip", (char *)z->data, z->len, &l));
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(r.leaves->len, 4);
	assert_string_equal(leaf(&r, 0)->name, "n.zip/../../etc/x");
	fx_assert_data(leaf(&r, 0), xml_a, strlen(xml_a));
	assert_string_equal(leaf(&r, 1)->name, "n.zip//abs/y.xml");
	assert_string_equal(leaf(&r, 2)->name, "n.zip/c:\\\\win\\\\z.xml");
	/* control characters never reach a name (libzip reads this one
	 * as CP437, ds_quote would escape them otherwise) */
	name = leaf(&r, 3)->name;
	assert_true(g_str_has_prefix(name, "n.zip/ctl"));
	assert_true(g_str_has_suffix(name, "[31m.xml"));
	for (; *name != '\0'; name++)
		assert_true((unsigned char)*name >= 0x20);
	fx_run_clear(&r);
	/* nothing appeared in the temporary tree ("../../" is tmpl) */
	assert_true(dir_is(tmpl, "a"));
	assert_true(dir_is(deep, NULL));
	assert_int_equal(rmdir(deep), 0);
	g_free(deep);
	deep = g_build_filename(tmpl, "a", NULL);
	assert_true(dir_is(deep, NULL));
	assert_int_equal(rmdir(deep), 0);
	assert_int_equal(rmdir(tmpl), 0);
	g_free(deep);
	g_free(cwd);
	g_byte_array_free(z, TRUE);
}

/* An encrypted entry fails, named, after the good ones are delivered. */
static void
test_zip_encrypted(void **state)
{
	const struct fx_zent ents[] = {
		{ "good.xml", xml_a, strlen(xml_a), 0 },
		{ "secret.xml", xml_b, strlen(xml_b), FX_ENCRYPT },
		{ "more.xml", xml_b, strlen(xml_b), 0 },
	};
	struct ds_limits l;
	struct fx_run r;
	GByteArray *z;

	if (!zip_encryption_method_supported(ZIP_EM_AES_256, 1)) {
		/* libzip built without a crypto back end cannot write one */
		skip();
	}
	z = fx_zip(ents, G_N_ELEMENTS(ents));
	ds_limits_default(&l);
	assert_false(fx_walk(&r, "e.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT,
	    "zip entry 'secret.xml': encrypted entry");
	assert_int_equal(r.leaves->len, 2);
	fx_assert_data(leaf(&r, 0), xml_a, strlen(xml_a));
	assert_string_equal(leaf(&r, 1)->name, "e.zip/more.xml");
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
}

/* A corrupt entry (bad CRC) is named; the others are delivered. */
static void
test_zip_bad_entry(void **state)
{
	static const char bad[] = "<feedback>CORRUPT-ME-PLEASE</feedback>";
	const struct fx_zent ents[] = {
		{ "a.xml", xml_a, strlen(xml_a), 0 },
		{ "bad.xml", bad, strlen(bad), FX_STORE },
		{ "c.xml", xml_b, strlen(xml_b), 0 },
		{ "d.gz", "\x1f\x8bnot-deflate", 13, FX_STORE },
	};
	GByteArray *z = fx_zip(ents, G_N_ELEMENTS(ents));
	struct ds_limits l;
	struct fx_run r;
	long at = fx_find(z, "CORRUPT", 7, 0);

	assert_true(at > 0);
	z->data[at] = 'X';
	ds_limits_default(&l);
	assert_false(fx_walk(&r, "b.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "2 bad zip entries: 'bad.xml': ");
	fx_assert_error(&r, DS_ERROR_FORMAT, "CRC");
	fx_assert_error(&r, DS_ERROR_FORMAT, "'d.gz': corrupt gzip data");
	assert_int_equal(r.leaves->len, 2);
	assert_string_equal(leaf(&r, 0)->name, "b.zip/a.xml");
	assert_string_equal(leaf(&r, 1)->name, "b.zip/c.xml");
	fx_assert_data(leaf(&r, 1), xml_b, strlen(xml_b));
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
}

/* Declared 100 bytes, 4 MiB produced (valid CRC): bytes read count. */
static void
test_zip_lying_size(void **state)
{
	char *zeros = g_malloc0(4 * MIB);
	const struct fx_zent ents[] = {
		{ "big.xml", zeros, 4 * MIB, 0 },
	};
	GByteArray *z = fx_zip(ents, 1);
	long loc = fx_find(z, "PK\3\4", 4, 0), cen = fx_find(z, "PK\1\2", 4, 0);
	struct ds_limits l;
	struct fx_run r;
	zip_source_t *src;
	zip_stat_t st;
	zip_t *za;

	assert_true(loc == 0 && cen > 0);
	memcpy(z->data + loc + 22, "\x64\0\0\0", 4);
	memcpy(z->data + cen + 24, "\x64\0\0\0", 4);
	/* the fixture really lies, and libzip believes it */
	src = zip_source_buffer_create(z->data, z->len, 0, NULL);
	za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, NULL);
	assert_non_null(za);
	assert_int_equal(zip_stat_index(za, 0, 0, &st), 0);
	assert_int_equal(st.size, 100);
	zip_discard(za);

	ds_limits_default(&l);
	l.max_inflated = MIB;
	assert_false(fx_walk(&r, "l.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "zip entry 'big.xml': "
	    "decompressed size exceeds limit (1048576 bytes)");
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
	g_free(zeros);
}

/* Entries share one budget: the walk stops once it is spent. */
static void
test_zip_budget_shared(void **state)
{
	GByteArray *text = fx_text(MIB, 11);
	struct fx_zent ents[8];
	char name[8][24];
	struct ds_limits l;
	struct fx_run r;
	GByteArray *z;
	int i;

	for (i = 0; i < 8; i++) {
		snprintf(name[i], sizeof(name[i]), "p%d.xml", i);
		ents[i] = (struct fx_zent){ name[i], text->data, text->len, 0 };
	}
	z = fx_zip(ents, 8);
	ds_limits_default(&l);
	l.max_inflated = 3 * MIB + MIB / 2;
	assert_false(fx_walk(&r, "s.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "zip entry 'p3.xml': "
	    "decompressed size exceeds limit");
	assert_int_equal(r.leaves->len, 4);
	fx_assert_data(leaf(&r, 2), text->data, text->len);
	assert_non_null(leaf(&r, 3)->error);
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
	g_byte_array_free(text, TRUE);
}

/* Two central records over one local entry: refused at open. */
static void
test_zip_overlap(void **state)
{
	const struct fx_zent ents[] = {
		{ "a.xml", xml_a, strlen(xml_a), 0 },
		{ "b.xml", xml_a, strlen(xml_a), 0 },
	};
	GByteArray *z = fx_zip(ents, 2);
	long c0 = fx_find(z, "PK\1\2", 4, 0), c1 = fx_find(z, "PK\1\2", 4, 1);
	struct ds_limits l;
	struct fx_run r;

	assert_true(c0 > 0 && c1 > c0);
	memcpy(z->data + c1 + 42, z->data + c0 + 42, 4);
	ds_limits_default(&l);
	assert_false(fx_walk(&r, "o.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "zip: overlapping entries");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
}

/*
 * macOS Archive Utility sets the data descriptor flag and still writes
 * the size into the local header; libzip 1.7.3's ZIP_CHECKCONS refuses
 * that, payload_zipcheck.c checks such archives instead.
 */
static void
test_zip_macos_style(void **state)
{
	const struct fx_zent ents[] = {
		{ "a.xml", xml_a, strlen(xml_a), 0 },
		{ "b.xml", xml_b, strlen(xml_b), 0 },
	};
	GByteArray *z = fx_zip(ents, 2);
	struct ds_limits l;
	struct fx_run r;
	long loc, cen;
	int k, fd;

	for (k = 0; k < 2; k++) {
		loc = fx_find(z, "PK\3\4", 4, k);
		cen = fx_find(z, "PK\1\2", 4, k);
		assert_true(loc >= 0 && cen > loc);
		z->data[loc + 6] |= 8;
		z->data[cen + 8] |= 8;
		memset(z->data + loc + 14, 0, 8);	/* CRC, csize */
	}
	ds_limits_default(&l);
	assert_true(fx_walk(&r, "m.zip", (char *)z->data, z->len, &l));
	assert_int_equal(r.leaves->len, 2);
	fx_assert_data(leaf(&r, 1), xml_b, strlen(xml_b));
	fx_run_clear(&r);
	fd = fx_tmpfd(z->data, z->len);
	assert_true(fx_walk_fd(&r, "m.zip", fd, &l));
	assert_int_equal(r.leaves->len, 2);
	fx_run_clear(&r);
	close(fd);

	/* the second record now points into the first entry's data */
	loc = fx_find(z, "PK\3\4", 4, 1);
	cen = fx_find(z, "PK\1\2", 4, 1);
	z->data[cen + 42] = (unsigned char)(loc - 8);
	assert_false(fx_walk(&r, "m.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "zip: bad local header");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
}

/* Not a zip after all, or cut short: a format error, no leaf. */
static void
test_zip_corrupt(void **state)
{
	const struct fx_zent ents[] = {
		{ "a.xml", xml_a, strlen(xml_a), 0 },
	};
	GByteArray *z = fx_zip(ents, 1);
	struct ds_limits l;
	struct fx_run r;
	int fd;

	ds_limits_default(&l);
	assert_false(fx_walk(&r, "g.zip", "PK\3\4garbage", 11, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "zip: ");
	fx_run_clear(&r);
	g_byte_array_set_size(z, z->len - 10);
	assert_false(fx_walk(&r, "t.zip", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "zip: ");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);
	fd = fx_tmpfd(z->data, z->len);
	assert_false(fx_walk_fd(&r, "t.zip", fd, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "zip: ");
	fx_run_clear(&r);
	close(fd);
	g_byte_array_free(z, TRUE);
}

/* A zip in a zip is walked; one layer too many is a named limit. */
static void
test_zip_nested(void **state)
{
	const struct fx_zent in[] = {
		{ "r.xml", xml_a, strlen(xml_a), 0 },
	};
	GByteArray *iz = fx_zip(in, 1), *oz;
	const struct fx_zent out[] = {
		{ "inner.zip", NULL, 0, 0 },
		{ "s.xml", xml_b, strlen(xml_b), 0 },
	};
	struct fx_zent o[2] = { out[0], out[1] };
	struct ds_limits l;
	struct fx_run r;

	o[0].data = iz->data;
	o[0].len = iz->len;
	oz = fx_zip(o, 2);
	ds_limits_default(&l);
	assert_true(fx_walk(&r, "o.zip", (char *)oz->data, oz->len, &l));
	assert_int_equal(r.leaves->len, 2);
	assert_string_equal(leaf(&r, 0)->name, "o.zip/inner.zip/r.xml");
	fx_assert_data(leaf(&r, 0), xml_a, strlen(xml_a));
	fx_run_clear(&r);

	l.max_nesting = 1;
	assert_false(fx_walk(&r, "o.zip", (char *)oz->data, oz->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT,
	    "zip entry 'inner.zip': container nesting exceeds limit (1)");
	assert_int_equal(r.leaves->len, 1);
	assert_string_equal(leaf(&r, 0)->name, "o.zip/s.xml");
	fx_run_clear(&r);
	g_byte_array_free(iz, TRUE);
	g_byte_array_free(oz, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zip_entries_and_junk),
		cmocka_unit_test(test_zip_many_entries),
		cmocka_unit_test(test_zip_hostile_names),
		cmocka_unit_test(test_zip_encrypted),
		cmocka_unit_test(test_zip_bad_entry),
		cmocka_unit_test(test_zip_lying_size),
		cmocka_unit_test(test_zip_budget_shared),
		cmocka_unit_test(test_zip_overlap),
		cmocka_unit_test(test_zip_macos_style),
		cmocka_unit_test(test_zip_corrupt),
		cmocka_unit_test(test_zip_nested),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
