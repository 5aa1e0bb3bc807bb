/*
 * payload_fixtures.h - fixtures for test_payload*.c, generated with zlib
 * and libzip at run time, and a leaf collector for ingest/payload/payload.c.
 * SPDX-License-Identifier: MIT
 *
 * Header-only (static, G_GNUC_UNUSED) so that it is linked into the two
 * payload tests only; include it after <cmocka.h>.
 */
#ifndef DS_PAYLOAD_FIXTURES_H
#define DS_PAYLOAD_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glib.h>
#include <zip.h>
#include <zlib.h>

#include "schema/util/error.h"
#include "schema/model/limits.h"
#include "ingest/payload/payload.h"

#define FX static G_GNUC_UNUSED

enum fx_mode {
	FX_READ = 0,	/* ds_leaf_read in odd chunk sizes, keep the bytes */
	FX_SLURP,	/* ds_leaf_slurp(slurp_max) */
	FX_CRC,		/* ds_leaf_read, keep only CRC-32 and length */
};

/* What one leaf looked like during the callback. */
struct fx_leaf {
	char *name;
	const char *mem;	/* leaf->mem as it was */
	size_t head_len;
	bool head_ok;		/* head == first bytes, head_len right */
	GByteArray *data;	/* FX_READ, FX_SLURP */
	uLong crc;		/* FX_CRC */
	uint64_t total;		/* bytes read */
	char *error;		/* leaf->error after reading, if any */
	int slurp_code;		/* FX_SLURP failure code, 0 if none */
	bool nul_ok;		/* FX_SLURP result NUL-terminated */
};

/* One walk: its leaves, warnings and error. */
struct fx_run {
	enum fx_mode mode;
	size_t slurp_max;
	GPtrArray *leaves;	/* struct fx_leaf * */
	GPtrArray *warnings;	/* char * */
	GError *err;
};

FX void
fx_leaf_free(gpointer p)
{
	struct fx_leaf *lf = p;

	g_free(lf->name);
	g_free(lf->error);
	if (lf->data)
		g_byte_array_free(lf->data, TRUE);
	g_free(lf);
}

FX void
fx_run_init(struct fx_run *r, enum fx_mode mode)
{
	memset(r, 0, sizeof(*r));
	r->mode = mode;
	r->slurp_max = (size_t)-1;
	r->leaves = g_ptr_array_new_with_free_func(fx_leaf_free);
	r->warnings = g_ptr_array_new_with_free_func(g_free);
}

FX void
fx_run_clear(struct fx_run *r)
{
	g_ptr_array_free(r->leaves, TRUE);
	g_ptr_array_free(r->warnings, TRUE);
	g_clear_error(&r->err);
}

FX bool
fx_cb(struct ds_leaf *leaf, void *payload, GError **err)
{
	static const int sizes[] = { 1, 7, 4095, 4097, 65536, 300, 2 };
	struct fx_run *r = payload;
	struct fx_leaf *lf = g_new0(struct fx_leaf, 1);
	GByteArray *first = g_byte_array_new();
	char *buf = g_malloc(65536), *s;
	GError *e = NULL;
	size_t len;
	unsigned i = 0;
	int n;

	g_ptr_array_add(r->leaves, lf);
	lf->name = g_strdup(leaf->name);
	lf->mem = leaf->mem;
	lf->head_len = leaf->head_len;
	lf->crc = crc32(0, NULL, 0);
	if (r->mode == FX_SLURP) {
		s = ds_leaf_slurp(leaf, r->slurp_max, &len, &e);
		if (s != NULL) {
			lf->nul_ok = s[len] == '\0';
			lf->data = g_byte_array_new_take((guint8 *)s, len);
			g_byte_array_append(first, (guint8 *)s,
			    (guint)MIN(len, 4096));
			lf->total = len;
		} else {
			lf->slurp_code = e->code;
			g_clear_error(&e);
		}
	} else {
		if (r->mode == FX_READ)
			lf->data = g_byte_array_new();
		while ((n = ds_leaf_read(leaf, buf,
		    sizes[i++ % G_N_ELEMENTS(sizes)])) > 0) {
			if (lf->data)
				g_byte_array_append(lf->data, (guint8 *)buf,
				    (guint)n);
			else
				lf->crc = crc32(lf->crc, (Bytef *)buf,
				    (uInt)n);
			if (first->len < 4096)
				g_byte_array_append(first, (guint8 *)buf,
				    (guint)MIN((size_t)n, 4096 - first->len));
			lf->total += (uint64_t)n;
		}
		if (n < 0)
			assert_non_null(leaf->error);
		/* after the end, the end again */
		if (n == 0)
			assert_int_equal(ds_leaf_read(leaf, buf, 10), 0);
	}
	if (leaf->error)
		lf->error = g_strdup(leaf->error->message);
	lf->head_ok = lf->error == NULL && lf->slurp_code == 0 ?
	    (lf->head_len == MIN(lf->total, 4096) &&
	    memcmp(leaf->head, first->data, lf->head_len) == 0) :
	    lf->head_len <= 4096;
	g_byte_array_free(first, TRUE);
	g_free(buf);
	return true;
}

FX bool
fx_walk_with(struct fx_run *r, const char *name, const char *buf,
    size_t len, const struct ds_limits *l)
{
	return ds_payload_walk(name, buf, len, l, fx_cb, r, r->warnings,
	    &r->err);
}

FX bool
fx_walk(struct fx_run *r, const char *name, const char *buf, size_t len,
    const struct ds_limits *l)
{
	fx_run_init(r, FX_READ);
	return fx_walk_with(r, name, buf, len, l);
}

FX bool
fx_walk_fd_with(struct fx_run *r, const char *name, int fd,
    const struct ds_limits *l)
{
	return ds_payload_walk_fd(name, fd, l, fx_cb, r, r->warnings,
	    &r->err);
}

FX bool
fx_walk_fd(struct fx_run *r, const char *name, int fd,
    const struct ds_limits *l)
{
	fx_run_init(r, FX_READ);
	return fx_walk_fd_with(r, name, fd, l);
}

FX void
fx_assert_data(const struct fx_leaf *lf, const void *data, size_t len)
{
	assert_non_null(lf->data);
	assert_null(lf->error);
	assert_int_equal(lf->data->len, len);
	assert_memory_equal(lf->data->data, data, len);
}

FX void
fx_assert_error(const struct fx_run *r, int code, const char *part)
{
	assert_non_null(r->err);
	if (getenv("FX_VERBOSE"))
		fprintf(stderr, "error: %s\n", r->err->message);
	if (r->err->code != code || strstr(r->err->message, part) == NULL)
		fail_msg("expected error %d with '%s', got %d '%s'", code,
		    part, r->err->code, r->err->message);
}

/* Pseudo-report text of len bytes (compresses about 5:1). */
FX GByteArray *
fx_text(size_t len, unsigned seed)
{
	GByteArray *b = g_byte_array_sized_new((guint)len + 128);
	GRand *rnd = g_rand_new_with_seed(seed);
	char line[160];
	int n;

	while (b->len < len) {
		n = snprintf(line, sizeof(line), "<record><row><source_ip>"
		    "10.%u.%u.%u</source_ip><count>%u</count></row>"
		    "</record>\n", g_rand_int_range(rnd, 0, 256),
		    g_rand_int_range(rnd, 0, 256), g_rand_int_range(rnd, 0, 256),
		    g_rand_int(rnd));
		g_byte_array_append(b, (guint8 *)line, (guint)n);
	}
	g_byte_array_set_size(b, (guint)len);
	g_rand_free(rnd);
	return b;
}

/* Deflate src (NULL: zeros) of len bytes as one gzip member. */
FX GByteArray *
fx_gzip_member(const void *src, size_t len, int level)
{
	GByteArray *out = g_byte_array_new();
	static const unsigned char zeros[65536];
	unsigned char buf[65536];
	z_stream zs;
	size_t off = 0, n;
	int flush, ret;

	memset(&zs, 0, sizeof(zs));
	assert_int_equal(deflateInit2(&zs, level, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY), Z_OK);
	do {
		n = MIN(len - off, sizeof(zeros));
		zs.next_in = (Bytef *)(src ? (const unsigned char *)src + off :
		    zeros);
		zs.avail_in = (uInt)n;
		off += n;
		flush = off == len ? Z_FINISH : Z_NO_FLUSH;
		do {
			zs.next_out = buf;
			zs.avail_out = sizeof(buf);
			ret = deflate(&zs, flush);
			assert_true(ret != Z_STREAM_ERROR);
			g_byte_array_append(out, buf,
			    sizeof(buf) - zs.avail_out);
		} while (zs.avail_out == 0);
	} while (flush != Z_FINISH);
	assert_int_equal(ret, Z_STREAM_END);
	deflateEnd(&zs);
	return out;
}

FX GByteArray *
fx_gzip(const void *data, size_t len)
{
	return fx_gzip_member(data, len, 6);
}

FX GByteArray *
fx_gzip_zeros(size_t len)
{
	return fx_gzip_member(NULL, len, 9);
}

/* An unlinked temporary file holding data, offset 0. */
FX int
fx_tmpfd(const void *data, size_t len)
{
	char path[] = "/tmp/test_payload_XXXXXX";
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(lseek(fd, 0, SEEK_SET), 0);
	return fd;
}

/* Write len bytes of text gzipped to fd in pieces; CRC of the text. */
FX void
fx_gzip_text_fd(int fd, size_t len, uLong *crc, uint64_t *out_len)
{
	gzFile gz = gzdopen(dup(fd), "wb6");
	GByteArray *piece;
	size_t done = 0, n;
	unsigned seed = 1;

	assert_non_null(gz);
	*crc = crc32(0, NULL, 0);
	while (done < len) {
		n = MIN(len - done, 1024 * 1024);
		piece = fx_text(n, seed++);
		*crc = crc32(*crc, piece->data, piece->len);
		assert_int_equal(gzwrite(gz, piece->data, (unsigned)n), (int)n);
		g_byte_array_free(piece, TRUE);
		done += n;
	}
	assert_int_equal(gzclose(gz), Z_OK);
	*out_len = done;
}

/* zip entries for fx_zip() */
#define FX_DIR (1u << 0)
#define FX_STORE (1u << 1)
#define FX_ENCRYPT (1u << 2)

struct fx_zent {
	const char *name;
	const void *data;
	size_t len;
	unsigned flags;
};

/* Build a zip archive in memory with libzip. */
FX GByteArray *
fx_zip(const struct fx_zent *e, size_t n)
{
	GByteArray *out = g_byte_array_new();
	zip_source_t *src, *fs;
	zip_stat_t st;
	zip_error_t ze;
	zip_int64_t idx;
	zip_t *za;
	size_t i;

	zip_error_init(&ze);
	src = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(src);
	zip_source_keep(src);
	za = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (i = 0; i < n; i++) {
		if (e[i].flags & FX_DIR) {
			assert_true(zip_dir_add(za, e[i].name,
			    ZIP_FL_ENC_UTF_8) >= 0);
			continue;
		}
		fs = zip_source_buffer(za, e[i].data, e[i].len, 0);
		assert_non_null(fs);
		idx = zip_file_add(za, e[i].name, fs, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		if (e[i].flags & FX_STORE)
			assert_int_equal(zip_set_file_compression(za,
			    (zip_uint64_t)idx, ZIP_CM_STORE, 0), 0);
		if (e[i].flags & FX_ENCRYPT)
			assert_int_equal(zip_file_set_encryption(za,
			    (zip_uint64_t)idx, ZIP_EM_AES_256, "secret"), 0);
	}
	assert_int_equal(zip_close(za), 0);
	assert_int_equal(zip_source_open(src), 0);
	zip_stat_init(&st);
	assert_int_equal(zip_source_stat(src, &st), 0);
	g_byte_array_set_size(out, (guint)st.size);
	assert_int_equal(zip_source_read(src, out->data, st.size),
	    (zip_int64_t)st.size);
	zip_source_close(src);
	zip_source_free(src);
	zip_error_fini(&ze);
	return out;
}

/* Offset of the k-th (0-based) occurrence of sig in b, or -1. */
FX long
fx_find(const GByteArray *b, const char *sig, size_t siglen, int k)
{
	size_t i;

	for (i = 0; i + siglen <= b->len; i++)
		if (memcmp(b->data + i, sig, siglen) == 0 && k-- == 0)
			return (long)i;
	return -1;
}

#endif
