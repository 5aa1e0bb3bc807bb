/*
 * test_payload.c - gzip, plain and fd walks of ingest/payload/payload.c, and the
 * real containers of $DS_CORPUS (THREATS #4, #7). Zip cases are in
 * test_payload_zip.c. Every fixture is generated here with zlib.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "schema/util/error.h"
#include "ingest/payload/payload.h"
#include "payload_fixtures.h"

#define MIB (1024u * 1024u)

static void
limits(struct ds_limits *l, uint64_t max_inflated, unsigned ratio)
{
	ds_limits_default(l);
	l->max_inflated = max_inflated;
	l->max_ratio = ratio;
}

static void
test_sniff(void **state)
{
	GByteArray *gz = fx_gzip("x", 1);

	assert_int_equal(ds_payload_sniff((char *)gz->data, gz->len),
	    DS_PAYLOAD_GZIP);
	assert_int_equal(ds_payload_sniff("PK\3\4rest", 8), DS_PAYLOAD_ZIP);
	assert_int_equal(ds_payload_sniff("PK\3", 3), DS_PAYLOAD_PLAIN);
	assert_int_equal(ds_payload_sniff("\x1f", 1), DS_PAYLOAD_PLAIN);
	assert_int_equal(ds_payload_sniff("<?xml", 5), DS_PAYLOAD_PLAIN);
	assert_int_equal(ds_payload_sniff("", 0), DS_PAYLOAD_PLAIN);
	g_byte_array_free(gz, TRUE);
}

/* A plain buffer is one leaf pointing into the caller's memory. */
static void
test_plain_mem(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(10000, 1);
	struct fx_leaf *lf;

	limits(&l, 16 * MIB, 100);
	assert_true(fx_walk(&r, "r.xml", (char *)text->data, text->len, &l));
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "r.xml");
	assert_ptr_equal(lf->mem, text->data);	/* no copy */
	assert_int_equal(lf->head_len, 4096);
	assert_true(lf->head_ok);
	fx_assert_data(lf, text->data, text->len);
	assert_int_equal(r.warnings->len, 0);
	fx_run_clear(&r);
	g_byte_array_free(text, TRUE);
}

/* gzip is streamed: the head is replayed, the name loses ".gz". */
static void
test_gzip_stream(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(300000, 2);
	GByteArray *gz = fx_gzip(text->data, text->len);
	struct fx_leaf *lf;

	limits(&l, 16 * MIB, 100);
	assert_true(fx_walk(&r, "a.xml.gz", (char *)gz->data, gz->len, &l));
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "a.xml");
	assert_null(lf->mem);
	assert_int_equal(lf->head_len, 4096);
	assert_true(lf->head_ok);
	fx_assert_data(lf, text->data, text->len);
	fx_run_clear(&r);

	/* shorter than a head: head_len is the whole content */
	g_byte_array_free(gz, TRUE);
	gz = fx_gzip(text->data, 100);
	assert_true(fx_walk(&r, "b", (char *)gz->data, gz->len, &l));
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "b");
	assert_int_equal(lf->head_len, 100);
	fx_assert_data(lf, text->data, 100);
	fx_run_clear(&r);
	g_byte_array_free(gz, TRUE);
	g_byte_array_free(text, TRUE);
}

/* gzip of gzip is one leaf; both layers count against one budget. */
static void
test_gzip_double(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(600000, 3);
	GByteArray *inner = fx_gzip(text->data, text->len);
	GByteArray *outer = fx_gzip(inner->data, inner->len);
	struct fx_leaf *lf;

	limits(&l, text->len + inner->len, 1000);
	assert_true(fx_walk(&r, "d.xml.gz.gz", (char *)outer->data,
	    outer->len, &l));
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "d.xml");
	fx_assert_data(lf, text->data, text->len);
	fx_run_clear(&r);

	/* enough for the inner content alone, not for both layers */
	limits(&l, text->len + inner->len / 2, 1000);
	assert_false(fx_walk(&r, "d.xml.gz.gz", (char *)outer->data,
	    outer->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "decompressed size exceeds limit");
	fx_run_clear(&r);

	/* nesting: gzip of gzip of gzip with room for two layers */
	g_byte_array_free(text, TRUE);
	text = fx_gzip(outer->data, outer->len);
	limits(&l, 16 * MIB, 1000);
	l.max_nesting = 2;
	assert_false(fx_walk(&r, "t", (char *)text->data, text->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT,
	    "container nesting exceeds limit (2)");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);
	g_byte_array_free(text, TRUE);
	g_byte_array_free(inner, TRUE);
	g_byte_array_free(outer, TRUE);
}

/* Stacked members are one content; trailing junk is a warning. */
static void
test_gzip_members_and_trailing(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *a = fx_text(5000, 4), *b = fx_text(7000, 5);
	GByteArray *gz = fx_gzip(a->data, a->len);
	GByteArray *gzb = fx_gzip(b->data, b->len);
	GByteArray *both = g_byte_array_new();
	struct fx_leaf *lf;

	limits(&l, 16 * MIB, 100);
	g_byte_array_append(gz, gzb->data, gzb->len);
	g_byte_array_append(both, a->data, a->len);
	g_byte_array_append(both, b->data, b->len);
	assert_true(fx_walk(&r, "s.gz", (char *)gz->data, gz->len, &l));
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	fx_assert_data(lf, both->data, both->len);
	assert_int_equal(r.warnings->len, 0);
	fx_run_clear(&r);

	g_byte_array_append(gz, (const guint8 *)"JUNK\0\0\n", 7);
	assert_true(fx_walk(&r, "s.gz", (char *)gz->data, gz->len, &l));
	lf = g_ptr_array_index(r.leaves, 0);
	fx_assert_data(lf, both->data, both->len);
	assert_int_equal(r.warnings->len, 1);
	assert_string_equal(g_ptr_array_index(r.warnings, 0),
	    "gzip-trailing-bytes: 7");
	fx_run_clear(&r);

	/* one stray byte that could start a member */
	g_byte_array_set_size(gz, gz->len - 7);
	g_byte_array_append(gz, (const guint8 *)"\x1f", 1);
	assert_true(fx_walk(&r, "s.gz", (char *)gz->data, gz->len, &l));
	assert_string_equal(g_ptr_array_index(r.warnings, 0),
	    "gzip-trailing-bytes: 1");
	fx_run_clear(&r);
	g_byte_array_free(a, TRUE);
	g_byte_array_free(b, TRUE);
	g_byte_array_free(gz, TRUE);
	g_byte_array_free(gzb, TRUE);
	g_byte_array_free(both, TRUE);
}

/* Bad CRC, lying ISIZE, truncation: errors from the leaf and the walk. */
static void
test_gzip_corrupt(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(20000, 6);
	GByteArray *gz = fx_gzip(text->data, text->len);
	struct fx_leaf *lf;

	limits(&l, 16 * MIB, 100);
	gz->data[gz->len - 8] ^= 0x55;	/* CRC-32 trailer */
	assert_false(fx_walk(&r, "c.gz", (char *)gz->data, gz->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "incorrect data check");
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	assert_non_null(lf->error);	/* the reader saw it too */
	assert_string_equal(lf->error, r.err->message);
	fx_run_clear(&r);
	gz->data[gz->len - 8] ^= 0x55;

	g_byte_array_set_size(gz, gz->len - 20);
	assert_false(fx_walk(&r, "c.gz", (char *)gz->data, gz->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "truncated gzip data");
	fx_run_clear(&r);

	g_byte_array_set_size(gz, 30);	/* dies inside the head */
	assert_false(fx_walk(&r, "c.gz", (char *)gz->data, gz->len, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "truncated gzip data");
	assert_int_equal(r.leaves->len, 0);
	fx_run_clear(&r);

	/* a gzip magic followed by garbage (base64 junk decoded) */
	assert_false(fx_walk(&r, "g.gz", "\x1f\x8bgarbage-garbage", 17, &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "corrupt gzip data");
	fx_run_clear(&r);
	g_byte_array_free(text, TRUE);
	g_byte_array_free(gz, TRUE);
}

/* THREATS #4: single and stacked bombs stop at the budget. */
static void
test_gzip_bomb(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *one = fx_gzip_zeros(32 * MIB);
	GByteArray *stack = g_byte_array_new();
	struct fx_leaf *lf;
	int i;

	limits(&l, MIB, 0);	/* budget only, no ratio */
	assert_false(fx_walk(&r, "b.xml.gz", (char *)one->data, one->len,
	    &l));
	fx_assert_error(&r, DS_ERROR_LIMIT,
	    "decompressed size exceeds limit (1048576 bytes)");
	lf = g_ptr_array_index(r.leaves, 0);
	assert_true(lf->data->len <= MIB);
	assert_string_equal(lf->error, r.err->message);
	fx_run_clear(&r);

	/* 300 MiB in ~300 KB: stacked 16 MiB members */
	g_byte_array_free(one, TRUE);
	one = fx_gzip_zeros(16 * MIB);
	for (i = 0; i < 19; i++)
		g_byte_array_append(stack, one->data, one->len);
	assert_true(stack->len < 400 * 1024);
	limits(&l, 64 * MIB, 0);
	assert_false(fx_walk(&r, "s.gz", (char *)stack->data, stack->len,
	    &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "decompressed size exceeds");
	lf = g_ptr_array_index(r.leaves, 0);
	assert_true(lf->data->len > 16 * MIB && lf->data->len <= 64 * MIB);
	fx_run_clear(&r);

	/* the ISIZE trailer says 41 bytes: bytes produced count */
	g_byte_array_set_size(stack, 0);
	g_byte_array_append(stack, one->data, one->len);
	memcpy(stack->data + stack->len - 4, "\x29\0\0\0", 4);
	limits(&l, MIB, 0);
	assert_false(fx_walk(&r, "i.gz", (char *)stack->data, stack->len,
	    &l));
	fx_assert_error(&r, DS_ERROR_LIMIT, "decompressed size exceeds");
	fx_run_clear(&r);
	limits(&l, 64 * MIB, 0);
	assert_false(fx_walk(&r, "i.gz", (char *)stack->data, stack->len,
	    &l));
	fx_assert_error(&r, DS_ERROR_FORMAT, "incorrect length check");
	fx_run_clear(&r);
	g_byte_array_free(one, TRUE);
	g_byte_array_free(stack, TRUE);
}

/* The ratio cap applies past 1 MiB; ordinary text stays under it. */
static void
test_gzip_ratio(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *z = fx_gzip_zeros(8 * MIB);
	GByteArray *text = fx_text(3 * MIB, 7);
	GByteArray *gz = fx_gzip(text->data, text->len);

	limits(&l, 256 * MIB, 100);
	assert_false(fx_walk(&r, "z.gz", (char *)z->data, z->len, &l));
	fx_assert_error(&r, DS_ERROR_LIMIT,
	    "compression ratio exceeds limit (100:1)");
	fx_run_clear(&r);
	assert_true(fx_walk(&r, "t.gz", (char *)gz->data, gz->len, &l));
	fx_assert_data(g_ptr_array_index(r.leaves, 0), text->data,
	    text->len);
	fx_run_clear(&r);
	/* under 1 MiB produced, no ratio applies */
	g_byte_array_free(z, TRUE);
	z = fx_gzip_zeros(MIB);
	assert_true(fx_walk(&r, "z.gz", (char *)z->data, z->len, &l));
	fx_run_clear(&r);
	g_byte_array_free(z, TRUE);
	g_byte_array_free(text, TRUE);
	g_byte_array_free(gz, TRUE);
}

static void
test_leaf_slurp(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(200000, 8);
	GByteArray *gz = fx_gzip(text->data, text->len);
	struct fx_leaf *lf;

	limits(&l, 16 * MIB, 100);
	fx_run_init(&r, FX_SLURP);
	r.slurp_max = text->len;
	assert_true(fx_walk_with(&r, "s.gz", (char *)gz->data, gz->len, &l));
	lf = g_ptr_array_index(r.leaves, 0);
	fx_assert_data(lf, text->data, text->len);
	assert_true(lf->nul_ok);
	fx_run_clear(&r);

	fx_run_init(&r, FX_SLURP);
	r.slurp_max = text->len - 1;
	assert_true(fx_walk_with(&r, "s.gz", (char *)gz->data, gz->len, &l));
	lf = g_ptr_array_index(r.leaves, 0);
	assert_int_equal(lf->slurp_code, DS_ERROR_LIMIT);
	fx_run_clear(&r);

	fx_run_init(&r, FX_SLURP);	/* in memory: a NUL-ended copy */
	r.slurp_max = text->len;
	assert_true(fx_walk_with(&r, "p", (char *)text->data, text->len,
	    &l));
	lf = g_ptr_array_index(r.leaves, 0);
	fx_assert_data(lf, text->data, text->len);
	assert_true(lf->nul_ok);
	fx_run_clear(&r);
	g_byte_array_free(text, TRUE);
	g_byte_array_free(gz, TRUE);
}

/* A callback that fails stops the walk with its own error. */
static bool
stop_cb(struct ds_leaf *leaf, void *payload, GError **err)
{
	(*(int *)payload)++;
	return ds_fail(err, DS_ERROR_DB, "database gone");
}

static void
test_callback_stops(void **state)
{
	struct ds_limits l;
	GError *e = NULL;
	int calls = 0;

	limits(&l, 16 * MIB, 100);
	assert_false(ds_payload_walk("x", "<a/>", 4, &l, stop_cb, &calls,
	    NULL, &e));
	assert_int_equal(calls, 1);
	assert_int_equal(e->code, DS_ERROR_DB);
	assert_string_equal(e->message, "database gone");
	g_clear_error(&e);
}

/* A 50 MiB report from a file, inflated as a stream in chunks. */
static void
test_fd_gzip_large(void **state)
{
	struct ds_limits l;
	char path[] = "/tmp/test_payload_XXXXXX";
	uLong crc;
	uint64_t len;
	struct fx_run r;
	struct fx_leaf *lf;
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	fx_gzip_text_fd(fd, 50 * MIB, &crc, &len);
	limits(&l, 256 * MIB, 100);
	fx_run_init(&r, FX_CRC);
	assert_true(fx_walk_fd_with(&r, "big.xml.gz", fd, &l));
	assert_int_equal(r.leaves->len, 1);
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "big.xml");
	assert_null(lf->mem);
	assert_true(lf->head_ok);
	assert_int_equal(lf->total, len);
	assert_int_equal(lf->crc, crc);
	fx_run_clear(&r);
	close(fd);
}

/* Plain files stream from the fd; pipes work for gzip and plain. */
static void
test_fd_plain_and_pipe(void **state)
{
	struct ds_limits l;
	struct fx_run r;
	GByteArray *text = fx_text(30000, 9);
	GByteArray *gz = fx_gzip(text->data, text->len);
	struct fx_leaf *lf;
	int fd, p[2];

	limits(&l, 16 * MIB, 100);
	fd = fx_tmpfd(text->data, text->len);
	assert_true(fx_walk_fd(&r, "p.xml", fd, &l));
	lf = g_ptr_array_index(r.leaves, 0);
	assert_string_equal(lf->name, "p.xml");
	assert_null(lf->mem);
	assert_true(lf->head_ok);
	fx_assert_data(lf, text->data, text->len);
	fx_run_clear(&r);
	close(fd);

	assert_true(gz->len < 65536);	/* fits in the pipe buffer */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], gz->data, gz->len), (ssize_t)gz->len);
	close(p[1]);
	assert_true(fx_walk_fd(&r, "-", p[0], &l));
	fx_assert_data(g_ptr_array_index(r.leaves, 0), text->data,
	    text->len);
	fx_run_clear(&r);
	close(p[0]);
	g_byte_array_free(text, TRUE);
	g_byte_array_free(gz, TRUE);
}

/* Is the first byte after a BOM and white space '<'? */
static bool
starts_with_lt(const GByteArray *d)
{
	size_t i = 0;

	if (d->len >= 3 && memcmp(d->data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < d->len && g_ascii_isspace(d->data[i]))
		i++;
	return i < d->len && d->data[i] == '<';
}

/* Walk every .gz and .zip of dir; file and fd must agree. */
static void
corpus_dir(const char *sub, bool valid)
{
	const char *root = getenv("DS_CORPUS");
	struct ds_limits l;
	struct fx_run r, rf;
	const char *n;
	char *dir, *path, *stem, *plain;
	gsize len, plen;
	unsigned files = 0, i, leaves;
	bool ok, match;
	GDir *d;
	int fd;

	if (root == NULL || !g_file_test(root, G_FILE_TEST_IS_DIR))
		fail_msg("DS_CORPUS is not set or not a directory");
	dir = g_build_filename(root, sub, NULL);
	d = g_dir_open(dir, 0, NULL);
	assert_non_null(d);
	ds_limits_default(&l);
	while ((n = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(n, ".gz") && !g_str_has_suffix(n, ".zip"))
			continue;
		files++;
		path = g_build_filename(dir, n, NULL);
		assert_true(g_file_get_contents(path, &plain, &len, NULL));
		ok = fx_walk(&r, n, plain, len, &l);
		fd = open(path, O_RDONLY);
		assert_true(fd >= 0);
		assert_int_equal(fx_walk_fd(&rf, n, fd, &l), ok);
		close(fd);
		g_free(plain);
		leaves = r.leaves->len;
		assert_int_equal(rf.leaves->len, leaves);
		if (valid) {
			if (!ok)
				fail_msg("%s: %s", n, r.err->message);
			assert_true(leaves >= 1);
			if (strcmp(n, "multiple_reports.zip") == 0)
				assert_true(leaves > 1);
		}
		/* same report as .xml next to it: same bytes */
		stem = g_strndup(path, strlen(path) -
		    (g_str_has_suffix(n, ".gz") ? 3 : 4));
		match = !g_file_test(stem, G_FILE_TEST_EXISTS);
		if (!match)
			assert_true(g_file_get_contents(stem, &plain, &plen,
			    NULL));
		for (i = 0; i < leaves; i++) {
			struct fx_leaf *a = g_ptr_array_index(r.leaves, i);
			struct fx_leaf *b = g_ptr_array_index(rf.leaves, i);

			assert_string_equal(a->name, b->name);
			assert_int_equal(a->data->len, b->data->len);
			assert_memory_equal(a->data->data, b->data->data,
			    a->data->len);
			if (valid && !starts_with_lt(a->data))
				fail_msg("%s: leaf %s is not XML", n, a->name);
			if (strstr(n, "dmarc-invalid-4") &&
			    starts_with_lt(a->data))
				fail_msg("%s: expected non-XML content", n);
			if (!match && a->data->len == plen &&
			    memcmp(a->data->data, plain, plen) == 0)
				match = true;
		}
		if (!match)
			fail_msg("%s: no leaf equals %s", n, stem);
		if (g_file_test(stem, G_FILE_TEST_EXISTS))
			g_free(plain);
		g_free(stem);
		g_free(path);
		fx_run_clear(&r);
		fx_run_clear(&rf);
	}
	assert_true(files > 0);
	g_dir_close(d);
	g_free(dir);
}

static void
test_corpus_valid(void **state)
{
	corpus_dir("aggregate/valid", true);
}

static void
test_corpus_invalid(void **state)
{
	corpus_dir("aggregate/invalid", false);
}

/* Reads a leaf to its end, spending CPU time on every chunk. */
static bool
slow_leaf(struct ds_leaf *leaf, void *payload, GError **err)
{
	char buf[65536];
	volatile unsigned spin;
	int n;

	(void)payload;
	while ((n = ds_leaf_read(leaf, buf, sizeof(buf))) > 0)
		for (spin = 0; spin < 400000; spin++)
			;
	if (n < 0) {
		g_propagate_error(err, g_error_copy(leaf->error));
		return false;
	}
	return true;
}

/*
 * THREATS #4: a bomb within the ratio and the size cap that is slow to
 * consume stops at the CPU budget (1 s here), counted on this thread.
 */
static void
test_cpu_budget(void **state)
{
	GByteArray *gz = fx_gzip_zeros(256 * MIB);
	struct ds_limits l;
	GError *e = NULL;

	limits(&l, 4096ull * MIB, 0);
	l.max_cpu_seconds = 1;
	assert_false(ds_payload_walk("slow.xml.gz", (char *)gz->data, gz->len,
	    &l, slow_leaf, NULL, NULL, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_LIMIT);
	assert_string_equal(e->message, "decompression and parsing exceed "
	    "the CPU time limit (1 s)");
	g_error_free(e);
	/* without the budget the same input is read to its end */
	l.max_cpu_seconds = 0;
	gz = (g_byte_array_free(gz, TRUE), fx_gzip_zeros(32 * MIB));
	assert_true(ds_payload_walk("slow.xml.gz", (char *)gz->data, gz->len,
	    &l, slow_leaf, NULL, NULL, &e));
	g_byte_array_free(gz, TRUE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff),
		cmocka_unit_test(test_plain_mem),
		cmocka_unit_test(test_gzip_stream),
		cmocka_unit_test(test_gzip_double),
		cmocka_unit_test(test_gzip_members_and_trailing),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_gzip_bomb),
		cmocka_unit_test(test_cpu_budget),
		cmocka_unit_test(test_gzip_ratio),
		cmocka_unit_test(test_leaf_slurp),
		cmocka_unit_test(test_callback_stops),
		cmocka_unit_test(test_fd_gzip_large),
		cmocka_unit_test(test_fd_plain_and_pipe),
		cmocka_unit_test(test_corpus_valid),
		cmocka_unit_test(test_corpus_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
