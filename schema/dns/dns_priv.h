/*
 * dns_priv.h - what the files of the DNS layer share (schema/dns*.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_DNS_PRIV_H
#define DS_DNS_PRIV_H

#include <stdbool.h>
#include <glib.h>

struct ub_ctx;

/*
 * Parse the RFC 1035 master file at path with ldns ($TTL, $ORIGIN,
 * relative names completed with the origin, default origin the root)
 * and add every record to ctx as unbound local data. Fails with
 * DS_ERROR_USAGE naming the file and line.
 */
bool ds_dns_zone_load(struct ub_ctx *ctx, const char *path, GError **err);

/*
 * Domain name wire format (RFC 1035 §3.1, uncompressed) at p[0..len)
 * to text without the trailing dot, bytes outside letters, digits, '-'
 * and '_' escaped as \DDD. NULL when malformed. Caller g_frees.
 */
char *ds_dns_wire_name(const unsigned char *p, size_t len, size_t *used);

#endif
