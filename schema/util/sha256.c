/*
 * sha256.c - SHA-256 through libcrypto (sha256.h).
 * SPDX-License-Identifier: MIT
 */
#include <openssl/sha.h>

#include "schema/util/sha256.h"

void
ds_sha256(const void *buf, size_t len, uint8_t out[DS_SHA256_LEN])
{
	SHA256(len ? buf : (const void *)"", len, out);
}

void
ds_hex_lower(const uint8_t *b, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[b[i] >> 4];
		out[2 * i + 1] = hex[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void
ds_sha256_hex(const void *buf, size_t len, char out[2 * DS_SHA256_LEN + 1])
{
	uint8_t md[DS_SHA256_LEN];

	ds_sha256(buf, len, md);
	ds_hex_lower(md, DS_SHA256_LEN, out);
}
