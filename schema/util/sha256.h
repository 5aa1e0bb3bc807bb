/*
 * sha256.h - SHA-256 of a buffer, the one digest of the ingest path
 * (input dedup keys, report content hashes).
 * SPDX-License-Identifier: MIT
 *
 * libcrypto's one-shot SHA256(), which uses the CPU's SHA extensions
 * where it has them: several times faster than GLib's GChecksum (about
 * 37 instructions per byte), and it is the same digest.
 */
#ifndef DS_SHA256_H
#define DS_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define DS_SHA256_LEN 32

/* The 32-byte digest of buf[0..len) into out. */
void ds_sha256(const void *buf, size_t len, uint8_t out[DS_SHA256_LEN]);

/* The same as 64 lower-case hex digits and a NUL. */
void ds_sha256_hex(const void *buf, size_t len, char out[2 * DS_SHA256_LEN + 1]);

/* out[0..2n) = the lower-case hex of b[0..n), then a NUL. */
void ds_hex_lower(const uint8_t *b, size_t n, char *out);

#endif
