/*
 * payload_priv.h - what payload.c, payload_gzip.c and payload_zip.c share:
 * a byte stream type, the walk state and the budget (THREATS #4, #5).
 * SPDX-License-Identifier: MIT
 *
 * Not for use outside the payload layer; ingest/payload/payload.h is the API.
 */
#ifndef DS_PAYLOAD_PRIV_H
#define DS_PAYLOAD_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/payload/payload.h"

#define DS_LEAF_HEAD 4096		/* bytes of ds_leaf.head */
#define DS_RATIO_FLOOR (1u << 20)	/* ratio checked past 1 MiB */

/*
 * A byte stream. read() returns the count (> 0), 0 at the end, or -1
 * with err set; free() releases the stream itself, never the stream it
 * reads from (whoever created that frees it).
 */
struct ds_psrc {
	gssize (*read)(struct ds_psrc *s, char *buf, size_t len,
	    GError **err);
	void (*free)(struct ds_psrc *s);
};

/* One walk: the callback, the warnings and the budget all layers share. */
struct ds_pwalk {
	const struct ds_limits *lim;
	ds_leaf_cb cb;
	void *payload;
	GPtrArray *warnings;	/* may be NULL */
	uint64_t produced;	/* bytes produced by all decompression layers */
	bool stopped;		/* the callback returned false: stop at once */
	int64_t cpu_start;	/* thread CPU time (ns) at the walk's start */
};

/* Free s (NULL-safe). */
void ds_psrc_free(struct ds_psrc *s);

/*
 * Count n more bytes produced by one decompression layer that has
 * produced *out bytes (updated) from in compressed bytes. Fails with
 * DS_ERROR_LIMIT when the walk's budget (lim->max_inflated), the
 * layer's ratio (lim->max_ratio, past 1 MiB) or the CPU time since the
 * walk began (lim->max_cpu_seconds: inflating and parsing) is exceeded.
 */
bool ds_pwalk_count(struct ds_pwalk *w, uint64_t *out, uint64_t in,
    size_t n, GError **err);

/* Append a printf-style warning to w->warnings (when not NULL). */
void ds_pwalk_warn(struct ds_pwalk *w, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * Walk the content read from s (named name, inside depth containers):
 * sniff its head, then recurse into gzip or zip, or deliver a leaf that
 * streams from s. s stays the caller's. Fails with err set; w->stopped
 * tells whether the callback asked to stop.
 */
bool ds_pwalk_src(struct ds_pwalk *w, const char *name, struct ds_psrc *s,
    unsigned depth, GError **err);

/*
 * The same for content already in memory as buf[0..len) (kept valid by
 * the caller for the whole call); a plain leaf gets mem set.
 */
bool ds_pwalk_mem(struct ds_pwalk *w, const char *name, const char *buf,
    size_t len, unsigned depth, GError **err);

/*
 * Fail with DS_ERROR_LIMIT when a container at depth (0 = the input
 * itself) would exceed lim->max_nesting container layers.
 */
bool ds_pwalk_nest(struct ds_pwalk *w, unsigned depth, GError **err);

/*
 * payload_gzip.c: a stream of the gzip members read from below (which
 * must outlive it), inflated and counted against w's budget. Bytes after
 * the last member that are not a gzip member end the stream with the
 * warning "gzip-trailing-bytes: N". Never fails to create; errors
 * (DS_ERROR_FORMAT, DS_ERROR_LIMIT) come from read().
 */
struct ds_psrc *ds_psrc_gzip_new(struct ds_pwalk *w, struct ds_psrc *below);

/*
 * payload_zip.c: walk the zip archive buf[0..len) named name whose
 * entries sit at depth. Directory, __MACOSX/ and "._" entries are
 * skipped with a warning; good entries are delivered, then the walk
 * fails naming the bad ones (encrypted, corrupt, over a limit).
 */
bool ds_pwalk_zip_mem(struct ds_pwalk *w, const char *name, const char *buf,
    size_t len, unsigned depth, GError **err);

/* The same for a seekable fd (not closed; its file offset is restored). */
bool ds_pwalk_zip_fd(struct ds_pwalk *w, const char *name, int fd,
    unsigned depth, GError **err);

/* Random access to a whole archive: buf[0..size) or fd (pread). */
struct ds_pzview {
	const char *buf;	/* NULL: read fd */
	int fd;
	uint64_t size;
};

/*
 * payload_zipcheck.c: check that no two entries of the archive overlap
 * and that all lie before the central directory (what ZIP_CHECKCONS
 * guards against), for archives libzip 1.7.3 refuses wrongly. Fails with
 * DS_ERROR_FORMAT, or DS_ERROR_LIMIT past max_entries entries.
 */
bool ds_pzip_check(const struct ds_pzview *v, unsigned max_entries,
    GError **err);

#endif
