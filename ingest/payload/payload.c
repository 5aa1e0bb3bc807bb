/*
 * payload.c - sniff a payload and walk its containers down to leaves:
 * byte streams over memory and file descriptors, the leaf reader, the
 * shared decompression budget (THREATS #4, #5, #7; SPEC.md 1
 * "Delivery": content decides, never the name or the MIME type).
 * SPDX-License-Identifier: MIT
 *
 * gzip lives in payload_gzip.c (RFC 1952), zip in payload_zip.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/payload/payload_priv.h"

#define SLURP_CHUNK 65536
/* GByteArray lengths are guint */
#define SLURP_MAX ((uint64_t)G_MAXUINT - 2 * SLURP_CHUNK)

/* A stream over buf[0..len). */
struct memsrc {
	struct ds_psrc base;
	const char *buf;
	size_t len, pos;
};

/* A stream over a file descriptor: pread(2) from 0 when seekable. */
struct fdsrc {
	struct ds_psrc base;
	int fd;
	bool seekable;
	off_t off;
};

/* Replays head[0..hlen) (already read from below), then reads below. */
struct replay {
	struct ds_psrc base;
	const char *head;
	size_t hlen, pos;
	struct ds_psrc *below;
};

/* ds_leaf.priv: where the next ds_leaf_read() continues. */
struct leafio {
	struct ds_psrc *s;	/* NULL when the leaf is in memory */
	size_t pos;		/* into leaf->mem */
};

enum ds_payload_kind
ds_payload_sniff(const char *buf, size_t len)
{
	if (len >= 2 && (unsigned char)buf[0] == 0x1f &&
	    (unsigned char)buf[1] == 0x8b)
		return DS_PAYLOAD_GZIP;
	if (len >= 4 && memcmp(buf, "PK\3\4", 4) == 0)
		return DS_PAYLOAD_ZIP;
	return DS_PAYLOAD_PLAIN;
}

void
ds_psrc_free(struct ds_psrc *s)
{
	if (s != NULL && s->free != NULL)
		s->free(s);
}

/* CPU time of this thread in nanoseconds (the machine may be busy). */
static int64_t
cpu_now(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

bool
ds_pwalk_count(struct ds_pwalk *w, uint64_t *out, uint64_t in, size_t n,
    GError **err)
{
	const struct ds_limits *lim = w->lim;

	w->produced += n;
	*out += n;
	/* THREATS #4: count what is produced, never what headers claim */
	if (w->produced > lim->max_inflated)
		return ds_fail(err, DS_ERROR_LIMIT,
		    "decompressed size exceeds limit (%" G_GUINT64_FORMAT
		    " bytes)", (guint64)lim->max_inflated);
	if (lim->max_ratio != 0 && *out > DS_RATIO_FLOOR &&
	    *out / (in ? in : 1) > lim->max_ratio)
		return ds_fail(err, DS_ERROR_LIMIT,
		    "compression ratio exceeds limit (%u:1)", lim->max_ratio);
	/*
	 * THREATS #4: a slow bomb (costly to parse) within the ratio;
	 * looked at every 16 MiB produced (a system call)
	 */
	if (lim->max_cpu_seconds != 0 && w->cpu_start != 0 &&
	    (w->produced >> 24) != ((w->produced - n) >> 24) &&
	    cpu_now() - w->cpu_start > (int64_t)lim->max_cpu_seconds *
	    1000000000)
		return ds_fail(err, DS_ERROR_LIMIT, "decompression and parsing "
		    "exceed the CPU time limit (%u s)", lim->max_cpu_seconds);
	return true;
}

void
ds_pwalk_warn(struct ds_pwalk *w, const char *fmt, ...)
{
	va_list ap;

	if (w->warnings == NULL)
		return;
	va_start(ap, fmt);
	g_ptr_array_add(w->warnings, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

bool
ds_pwalk_nest(struct ds_pwalk *w, unsigned depth, GError **err)
{
	if (depth >= w->lim->max_nesting)
		return ds_fail(err, DS_ERROR_LIMIT,
		    "container nesting exceeds limit (%u)",
		    w->lim->max_nesting);
	return true;
}

static gssize
mem_read(struct ds_psrc *s, char *buf, size_t len, GError **err)
{
	struct memsrc *m = (struct memsrc *)s;
	size_t n = MIN(len, m->len - m->pos);

	memcpy(buf, m->buf + m->pos, n);
	m->pos += n;
	return (gssize)n;
}

static gssize
fd_read(struct ds_psrc *s, char *buf, size_t len, GError **err)
{
	struct fdsrc *f = (struct fdsrc *)s;
	ssize_t n;

	do {
		if (f->seekable)
			n = pread(f->fd, buf, len, f->off);
		else
			n = read(f->fd, buf, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		ds_fail(err, DS_ERROR_IO, "read: %s", g_strerror(errno));
		return -1;
	}
	f->off += n;
	return n;
}

static gssize
replay_read(struct ds_psrc *s, char *buf, size_t len, GError **err)
{
	struct replay *r = (struct replay *)s;
	size_t n;

	if (r->pos < r->hlen) {
		n = MIN(len, r->hlen - r->pos);
		memcpy(buf, r->head + r->pos, n);
		r->pos += n;
		return (gssize)n;
	}
	return r->below->read(r->below, buf, len, err);
}

/* Read all of s, at most cap bytes (else DS_ERROR_LIMIT). */
static char *
src_slurp(struct ds_psrc *s, uint64_t cap, size_t *out_len, GError **err)
{
	GByteArray *b = g_byte_array_new();
	gssize n;

	*out_len = 0;
	cap = MIN(cap, SLURP_MAX);
	for (;;) {
		if (b->len > cap) {
			ds_fail(err, DS_ERROR_LIMIT,
			    "zip archive exceeds limit (%" G_GUINT64_FORMAT
			    " bytes)", (guint64)cap);
			break;
		}
		g_byte_array_set_size(b, b->len + SLURP_CHUNK);
		n = s->read(s, (char *)b->data + b->len - SLURP_CHUNK,
		    SLURP_CHUNK, err);
		if (n < 0)
			break;
		g_byte_array_set_size(b, b->len - SLURP_CHUNK + (guint)n);
		if (n == 0) {
			*out_len = b->len;
			return (char *)g_byte_array_free(b, FALSE);
		}
	}
	g_byte_array_free(b, TRUE);
	return NULL;
}

/* "x.xml.gz" -> "x.xml"; other names stay as they are. */
static char *
strip_gz(const char *name)
{
	size_t len = strlen(name);

	if (len > 3 && g_ascii_strcasecmp(name + len - 3, ".gz") == 0)
		return g_strndup(name, len - 3);
	return g_strdup(name);
}

/* Hand one leaf to the callback; a failed read fails the walk too. */
static bool
deliver(struct ds_pwalk *w, const char *name, const char *head,
    size_t hlen, const char *mem, size_t mem_len, struct ds_psrc *s,
    GError **err)
{
	struct leafio io = { s, 0 };
	struct ds_leaf leaf;
	GError *e = NULL;

	memset(&leaf, 0, sizeof(leaf));
	leaf.name = name;
	leaf.head = head;
	leaf.head_len = hlen;
	leaf.mem = mem;
	leaf.mem_len = mem_len;
	leaf.priv = &io;
	if (!w->cb(&leaf, w->payload, &e)) {
		w->stopped = true;
		g_clear_error(&leaf.error);
		if (e == NULL)
			return ds_fail(err, DS_ERROR_FORMAT,
			    "%s: stopped by the leaf callback", name);
		g_propagate_error(err, e);
		return false;
	}
	g_clear_error(&e);
	if (leaf.error != NULL) {
		g_propagate_error(err, leaf.error);
		return false;
	}
	return true;
}

/* gzip at depth: inflate below and walk what comes out. */
static bool
walk_gzip(struct ds_pwalk *w, const char *name, struct ds_psrc *below,
    unsigned depth, GError **err)
{
	struct ds_psrc *gz;
	char *inner;
	bool ok;

	if (!ds_pwalk_nest(w, depth, err))
		return false;
	gz = ds_psrc_gzip_new(w, below);
	inner = strip_gz(name);
	ok = ds_pwalk_src(w, inner, gz, depth + 1, err);
	g_free(inner);
	ds_psrc_free(gz);
	return ok;
}

bool
ds_pwalk_src(struct ds_pwalk *w, const char *name, struct ds_psrc *s,
    unsigned depth, GError **err)
{
	struct replay rp;
	char *head = g_malloc(DS_LEAF_HEAD), *buf;
	size_t hlen = 0, len;
	uint64_t cap;
	gssize n;
	bool ok = false;

	while (hlen < DS_LEAF_HEAD) {
		n = s->read(s, head + hlen, DS_LEAF_HEAD - hlen, err);
		if (n < 0)
			goto done;
		if (n == 0)
			break;
		hlen += (size_t)n;
	}
	memset(&rp, 0, sizeof(rp));
	rp.base.read = replay_read;
	rp.head = head;
	rp.hlen = hlen;
	rp.below = s;
	switch (ds_payload_sniff(head, hlen)) {
	case DS_PAYLOAD_GZIP:
		ok = walk_gzip(w, name, &rp.base, depth, err);
		break;
	case DS_PAYLOAD_ZIP:
		/* libzip needs random access: hold the archive in memory */
		if (!ds_pwalk_nest(w, depth, err))
			break;
		/* the archive, not its output: max_message, at any depth */
		cap = w->lim->max_message;
		buf = src_slurp(&rp.base, cap, &len, err);
		if (buf == NULL)
			break;
		ok = ds_pwalk_zip_mem(w, name, buf, len, depth + 1, err);
		g_free(buf);
		break;
	default:
		ok = deliver(w, name, head, hlen, NULL, 0, &rp.base, err);
		break;
	}
done:
	g_free(head);
	return ok;
}

bool
ds_pwalk_mem(struct ds_pwalk *w, const char *name, const char *buf,
    size_t len, unsigned depth, GError **err)
{
	struct memsrc m;

	switch (ds_payload_sniff(buf, len)) {
	case DS_PAYLOAD_GZIP:
		memset(&m, 0, sizeof(m));
		m.base.read = mem_read;
		m.buf = buf;
		m.len = len;
		return walk_gzip(w, name, &m.base, depth, err);
	case DS_PAYLOAD_ZIP:
		return ds_pwalk_nest(w, depth, err) &&
		    ds_pwalk_zip_mem(w, name, buf, len, depth + 1, err);
	default:
		return deliver(w, name, buf, MIN(len, DS_LEAF_HEAD), buf, len,
		    NULL, err);
	}
}

bool
ds_payload_walk(const char *name, const char *buf, size_t len,
    const struct ds_limits *lim, ds_leaf_cb cb, void *payload,
    GPtrArray *warnings, GError **err)
{
	struct ds_pwalk w = { lim, cb, payload, warnings, 0, false,
	    cpu_now() };

	if (buf == NULL) {
		buf = "";
		len = 0;
	}
	return ds_pwalk_mem(&w, name ? name : "input", buf, len, 0, err);
}

bool
ds_payload_walk_fd(const char *name, int fd, const struct ds_limits *lim,
    ds_leaf_cb cb, void *payload, GPtrArray *warnings, GError **err)
{
	struct ds_pwalk w = { lim, cb, payload, warnings, 0, false,
	    cpu_now() };
	struct fdsrc f;
	char magic[4];
	ssize_t n;

	if (name == NULL)
		name = "input";
	memset(&f, 0, sizeof(f));
	f.base.read = fd_read;
	f.fd = fd;
	f.seekable = lseek(fd, 0, SEEK_CUR) >= 0;
	if (f.seekable) {
		do {
			n = pread(fd, magic, sizeof(magic), 0);
		} while (n < 0 && errno == EINTR);
		if (n < 0)
			return ds_fail(err, DS_ERROR_IO, "read: %s",
			    g_strerror(errno));
		/* a zip file is read in place, never slurped */
		if (ds_payload_sniff(magic, (size_t)n) == DS_PAYLOAD_ZIP)
			return ds_pwalk_nest(&w, 0, err) &&
			    ds_pwalk_zip_fd(&w, name, fd, 1, err);
	}
	return ds_pwalk_src(&w, name, &f.base, 0, err);
}

int
ds_leaf_read(struct ds_leaf *leaf, char *buf, int len)
{
	struct leafio *io = leaf->priv;
	gssize n;

	if (leaf->error != NULL)
		return -1;
	if (len <= 0 || io == NULL)
		return 0;
	if (io->s == NULL) {
		n = (gssize)MIN((size_t)len, leaf->mem_len - io->pos);
		memcpy(buf, leaf->mem + io->pos, (size_t)n);
		io->pos += (size_t)n;
		return (int)n;
	}
	n = io->s->read(io->s, buf, (size_t)len, &leaf->error);
	return n < 0 ? -1 : (int)n;
}

char *
ds_leaf_slurp(struct ds_leaf *leaf, size_t max, size_t *out_len,
    GError **err)
{
	GByteArray *b;
	char *out;
	int n;

	*out_len = 0;
	max = (size_t)MIN((uint64_t)max, SLURP_MAX);
	if (leaf->mem != NULL) {
		if (leaf->mem_len > max) {
			ds_fail(err, DS_ERROR_LIMIT, "%s: content exceeds %zu "
			    "bytes", leaf->name, max);
			return NULL;
		}
		out = g_malloc(leaf->mem_len + 1);
		memcpy(out, leaf->mem, leaf->mem_len);
		out[leaf->mem_len] = '\0';
		*out_len = leaf->mem_len;
		return out;
	}
	b = g_byte_array_new();
	for (;;) {
		g_byte_array_set_size(b, b->len + SLURP_CHUNK);
		n = ds_leaf_read(leaf, (char *)b->data + b->len - SLURP_CHUNK,
		    SLURP_CHUNK);
		if (n < 0) {
			g_propagate_error(err, g_error_copy(leaf->error));
			break;
		}
		g_byte_array_set_size(b, b->len - SLURP_CHUNK + (guint)n);
		if (b->len > max) {
			ds_fail(err, DS_ERROR_LIMIT, "%s: content exceeds %zu "
			    "bytes", leaf->name, max);
			break;
		}
		if (n == 0) {
			*out_len = b->len;
			g_byte_array_append(b, (const guint8 *)"", 1);
			return (char *)g_byte_array_free(b, FALSE);
		}
	}
	g_byte_array_free(b, TRUE);
	return NULL;
}
