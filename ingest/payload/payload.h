/*
 * payload.h - containers: gzip (also stacked and double), zip, plain.
 * SPDX-License-Identifier: MIT
 *
 * The content decides, never the name: 1f 8b is gzip, "PK\3\4" is zip,
 * anything else is a leaf (XML, JSON, mail, junk) handed to the caller.
 * Containers nest (zip of .xml.gz, gzip of gzip) up to
 * lim->max_nesting. All decompression layers of one walk share one
 * budget of lim->max_inflated bytes produced (THREATS #4, #5); files are
 * never extracted to disk and zip entry names are never used as paths.
 */
#ifndef DS_PAYLOAD_H
#define DS_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "schema/model/limits.h"

enum ds_payload_kind {
	DS_PAYLOAD_PLAIN = 0,
	DS_PAYLOAD_GZIP,
	DS_PAYLOAD_ZIP,
};

/* Classify by magic bytes only. */
enum ds_payload_kind ds_payload_sniff(const char *buf, size_t len);

/*
 * One leaf (decompressed content). Valid only during the callback.
 * head/head_len: the first bytes (up to 4096, fewer when the content is
 * shorter) for content detection. The whole content, from byte 0, is
 * read with ds_leaf_read() (streaming, constant memory), or, when mem is
 * not NULL, is already in memory as mem[0..mem_len).
 */
struct ds_leaf {
	const char *name;	/* "file.zip/inner.xml.gz" for messages */
	const char *head;
	size_t head_len;
	const char *mem;
	size_t mem_len;
	GError *error;		/* set when a read failed (limit, CRC) */
	void *priv;
};

/*
 * Read up to len bytes of the leaf content into buf. Returns the count,
 * 0 at the end, -1 on error with leaf->error set (DS_ERROR_LIMIT when
 * the inflate budget or ratio is exceeded, DS_ERROR_FORMAT for corrupt
 * data). The int signature matches libxml2's xmlInputReadCallback.
 */
int ds_leaf_read(struct ds_leaf *leaf, char *buf, int len);

/*
 * Read the whole leaf into a new buffer (NUL-terminated, *out_len set),
 * at most max bytes, else DS_ERROR_LIMIT. Caller g_frees.
 */
char *ds_leaf_slurp(struct ds_leaf *leaf, size_t max, size_t *out_len,
    GError **err);

/*
 * Called for every leaf. Return false with err set to stop the walk;
 * return true to continue. Errors of one leaf that should not stop the
 * others are the callback's business (record them and return true).
 */
typedef bool (*ds_leaf_cb)(struct ds_leaf *leaf, void *payload,
    GError **err);

/*
 * Walk buf[0..len) named name. Tolerated oddities (bytes after the last
 * gzip member, __MACOSX/ and directory entries in a zip) are appended to
 * warnings (char *, may be NULL). A corrupt container, an encrypted zip
 * entry or a hit limit fails with err, after the leaves before it were
 * delivered. A zip with several good and some bad entries delivers the
 * good ones and fails at the end naming the bad ones.
 */
bool ds_payload_walk(const char *name, const char *buf, size_t len,
    const struct ds_limits *lim, ds_leaf_cb cb, void *payload,
    GPtrArray *warnings, GError **err);

/*
 * The same over an open file descriptor (a file given on the command
 * line): gzip is inflated as a stream, so a 1 GiB report never sits in
 * memory. fd is not closed.
 */
bool ds_payload_walk_fd(const char *name, int fd,
    const struct ds_limits *lim, ds_leaf_cb cb, void *payload,
    GPtrArray *warnings, GError **err);

#endif
