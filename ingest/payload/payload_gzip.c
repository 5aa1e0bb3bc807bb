/*
 * payload_gzip.c - inflate gzip (RFC 1952) as a stream: stacked members,
 * trailing junk, shared budget (THREATS #4; SPEC.md 7 "zlib").
 * SPDX-License-Identifier: MIT
 *
 * The ISIZE trailer can lie (THREATS.md, observed on Debian 12), so the
 * budget counts bytes produced. zlib checks each member's CRC-32 and
 * ISIZE at its end, which also catches base64 garbage from a mail part.
 */
#include <string.h>
#include <zlib.h>

#include "schema/util/error.h"
#include "ingest/payload/payload_priv.h"

#define GZ_IN 65536		/* compressed bytes buffered from below */
#define GZ_OUT_MAX (1u << 30)	/* avail_out is a uInt */

struct gzsrc {
	struct ds_psrc base;
	struct ds_pwalk *w;
	struct ds_psrc *below;
	z_stream zs;
	unsigned char *in;
	bool init;		/* inflateInit2() succeeded */
	bool eof;		/* below is exhausted */
	bool member_end;	/* a member ended: another or the end? */
	bool done;
	GError *error;		/* sticky: every later read fails alike */
	uint64_t consumed;	/* compressed bytes inflated */
	uint64_t out;		/* bytes produced by this layer */
};

/* Make at least want compressed bytes available, fewer only at the end. */
static bool
fill(struct gzsrc *g, size_t want, GError **err)
{
	gssize n;

	while (g->zs.avail_in < want && !g->eof) {
		if (g->zs.avail_in > 0 && g->zs.next_in != g->in)
			memmove(g->in, g->zs.next_in, g->zs.avail_in);
		g->zs.next_in = g->in;
		n = g->below->read(g->below, (char *)g->in + g->zs.avail_in,
		    GZ_IN - g->zs.avail_in, err);
		if (n < 0)
			return false;
		if (n == 0)
			g->eof = true;
		g->zs.avail_in += (uInt)n;
	}
	return true;
}

/* Bytes after the last member that do not start another: count, warn. */
static bool
trailing(struct gzsrc *g, GError **err)
{
	uint64_t n = g->zs.avail_in;
	gssize r;

	g->zs.avail_in = 0;
	while (!g->eof) {
		r = g->below->read(g->below, (char *)g->in, GZ_IN, err);
		if (r < 0)
			return false;
		if (r == 0)
			g->eof = true;
		n += (uint64_t)r;
	}
	/* SPEC.md 1: liberal, stored with a named warning */
	ds_pwalk_warn(g->w, "gzip-trailing-bytes: %" G_GUINT64_FORMAT,
	    (guint64)n);
	g->done = true;
	return true;
}

/* After a member: start the next one, or end (maybe with a warning). */
static bool
next_member(struct gzsrc *g, GError **err)
{
	if (!fill(g, 2, err))
		return false;
	if (g->zs.avail_in == 0) {
		g->done = true;
		return true;
	}
	if (g->zs.avail_in < 2 || g->zs.next_in[0] != 0x1f ||
	    g->zs.next_in[1] != 0x8b)
		return trailing(g, err);
	/* RFC 1952 2.2: a gzip file is a series of members */
	inflateReset(&g->zs);
	g->member_end = false;
	return true;
}

static gssize
gz_read(struct ds_psrc *s, char *buf, size_t len, GError **err)
{
	struct gzsrc *g = (struct gzsrc *)s;
	uInt before;
	size_t got;
	int ret;

	if (g->error != NULL) {
		g_propagate_error(err, g_error_copy(g->error));
		return -1;
	}
	if (len > GZ_OUT_MAX)
		len = GZ_OUT_MAX;
	while (!g->done && len > 0) {
		if (g->member_end) {
			if (!next_member(g, &g->error))
				goto fail;
			continue;
		}
		if (!fill(g, 1, &g->error))
			goto fail;
		g->zs.next_out = (Bytef *)buf;
		g->zs.avail_out = (uInt)len;
		before = g->zs.avail_in;
		ret = inflate(&g->zs, Z_NO_FLUSH);
		got = len - g->zs.avail_out;
		g->consumed += before - g->zs.avail_in;
		switch (ret) {
		case Z_STREAM_END:
			g->member_end = true;
			break;
		case Z_OK:
		case Z_BUF_ERROR:
			if (got == 0 && g->eof && g->zs.avail_in == 0) {
				ds_fail(&g->error, DS_ERROR_FORMAT,
				    "truncated gzip data");
				goto fail;
			}
			break;
		default:
			ds_fail(&g->error, DS_ERROR_FORMAT,
			    "corrupt gzip data: %s",
			    g->zs.msg ? g->zs.msg : zError(ret));
			goto fail;
		}
		if (got > 0) {
			if (!ds_pwalk_count(g->w, &g->out, g->consumed, got,
			    &g->error))
				goto fail;
			return (gssize)got;
		}
	}
	return 0;
fail:
	g_propagate_error(err, g_error_copy(g->error));
	return -1;
}

static void
gz_free(struct ds_psrc *s)
{
	struct gzsrc *g = (struct gzsrc *)s;

	if (g->init)
		inflateEnd(&g->zs);
	g_clear_error(&g->error);
	g_free(g->in);
	g_free(g);
}

struct ds_psrc *
ds_psrc_gzip_new(struct ds_pwalk *w, struct ds_psrc *below)
{
	struct gzsrc *g = g_new0(struct gzsrc, 1);
	int ret;

	g->base.read = gz_read;
	g->base.free = gz_free;
	g->w = w;
	g->below = below;
	g->in = g_malloc(GZ_IN);
	g->zs.next_in = g->in;
	/* SPEC.md 7: 15 + 16 = gzip wrapper only, 32 KiB window */
	ret = inflateInit2(&g->zs, 15 + 16);
	if (ret == Z_OK)
		g->init = true;
	else
		ds_fail(&g->error, DS_ERROR_FORMAT, "cannot start inflate: %s",
		    zError(ret));
	return &g->base;
}
