/*
 * payload_zipcheck.c - our own overlap check of a zip archive's central
 * directory (APPNOTE.TXT 4.3), used when libzip's ZIP_CHECKCONS refuses
 * an archive for a reason that is not an attack (THREATS #5).
 * SPDX-License-Identifier: MIT
 *
 * libzip 1.7.3 (Debian 12) rejects zips written by macOS Archive
 * Utility: their local headers carry the uncompressed size next to a
 * data descriptor (fixed in later libzip). Such zips are common in the
 * corpus, so on ZIP_ER_INCONS the archive is checked here instead: every
 * entry's local header, name, extra field and compressed data must lie
 * before the central directory and no two entries may overlap (the
 * overlapping-entries bomb). Zip64 archives get no second chance.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/payload/payload_priv.h"

#define EOCD_LEN 22
#define CEN_LEN 46
#define LOC_LEN 30
#define COMMENT_MAX 65535

struct span {
	uint64_t start, end;
};

/* Read n bytes at off of the archive; false when out of range. */
static bool
at(const struct ds_pzview *v, uint64_t off, void *dst, size_t n)
{
	ssize_t r;
	size_t got = 0;

	if (off > v->size || n > v->size - off)
		return false;
	if (v->buf != NULL) {
		memcpy(dst, v->buf + off, n);
		return true;
	}
	while (got < n) {
		r = pread(v->fd, (char *)dst + got, n - got,
		    (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return false;
		got += (size_t)r;
	}
	return true;
}

static uint32_t
u16(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t
u32(const unsigned char *p)
{
	return u16(p) | u16(p + 2) << 16;
}

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Find the end-of-central-directory record: offset, entries, cd. */
static bool
find_eocd(const struct ds_pzview *v, uint64_t *cd_off, uint64_t *cd_size,
    uint32_t *n, GError **err)
{
	size_t tail = (size_t)MIN(v->size, EOCD_LEN + COMMENT_MAX), i;
	uint64_t base = v->size - tail;
	unsigned char *t = g_malloc(tail ? tail : 1), *e;
	bool ok = false;

	if (!at(v, base, t, tail)) {
		ds_fail(err, DS_ERROR_FORMAT, "zip: cannot read the archive");
		goto done;
	}
	for (i = tail >= EOCD_LEN ? tail - EOCD_LEN + 1 : 0; i-- > 0;) {
		e = t + i;
		if (memcmp(e, "PK\5\6", 4) != 0)
			continue;
		/* single disk, and the directory ends before the record */
		if (u16(e + 4) != 0 || u16(e + 6) != 0 ||
		    u16(e + 8) != u16(e + 10) ||
		    (uint64_t)u32(e + 16) + u32(e + 12) > base + i)
			continue;
		if (u16(e + 10) == 0xffff || u32(e + 12) == 0xffffffff ||
		    u32(e + 16) == 0xffffffff ||
		    (i >= 20 && memcmp(e - 20, "PK\6\7", 4) == 0)) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: inconsistent "
			    "zip64 archive");
			goto done;
		}
		*n = u16(e + 10);
		*cd_size = u32(e + 12);
		*cd_off = u32(e + 16);
		ok = true;
		goto done;
	}
	ds_fail(err, DS_ERROR_FORMAT, "zip: no end of central directory");
done:
	g_free(t);
	return ok;
}

bool
ds_pzip_check(const struct ds_pzview *v, unsigned max_entries, GError **err)
{
	uint64_t cd_off, cd_size, p = 0, local, comp;
	unsigned char *cd = NULL, *c, lh[LOC_LEN];
	struct span *s = NULL;
	uint32_t n, k;
	bool ok = false;

	if (!find_eocd(v, &cd_off, &cd_size, &n, err))
		return false;
	if (n > max_entries)
		return ds_fail(err, DS_ERROR_LIMIT, "zip has %u entries, "
		    "limit %u", n, max_entries);
	if (cd_size > (uint64_t)n * (CEN_LEN + 3 * 65535))
		return ds_fail(err, DS_ERROR_FORMAT, "zip: central directory "
		    "of %" G_GUINT64_FORMAT " bytes for %u entries",
		    (guint64)cd_size, n);
	cd = g_malloc(cd_size ? cd_size : 1);
	s = g_new0(struct span, n ? n : 1);
	if (!at(v, cd_off, cd, cd_size)) {
		ds_fail(err, DS_ERROR_FORMAT, "zip: central directory out of "
		    "range");
		goto done;
	}
	for (k = 0; k < n; k++) {
		c = cd + p;
		if (cd_size - p < CEN_LEN || memcmp(c, "PK\1\2", 4) != 0) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: bad central "
			    "directory record %u", k);
			goto done;
		}
		comp = u32(c + 20);
		local = u32(c + 42);
		if (comp == 0xffffffff || local == 0xffffffff) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: inconsistent "
			    "zip64 archive");
			goto done;
		}
		p += CEN_LEN + u16(c + 28) + u16(c + 30) + u16(c + 32);
		if (p > cd_size || !at(v, local, lh, LOC_LEN) ||
		    memcmp(lh, "PK\3\4", 4) != 0) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: bad local header "
			    "for record %u", k);
			goto done;
		}
		s[k].start = local;
		s[k].end = local + LOC_LEN + u16(lh + 26) + u16(lh + 28) + comp;
		if (s[k].end > cd_off) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: entry %u overlaps "
			    "the central directory", k);
			goto done;
		}
	}
	qsort(s, n, sizeof(*s), span_cmp);
	for (k = 1; k < n; k++)
		if (s[k].start < s[k - 1].end) {
			ds_fail(err, DS_ERROR_FORMAT, "zip: overlapping "
			    "entries");
			goto done;
		}
	ok = true;
done:
	g_free(s);
	g_free(cd);
	return ok;
}
