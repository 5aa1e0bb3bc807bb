/*
 * tlsrpt_priv.h - what tlsrpt.c and tlsrpt_policy.c share.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_TLSRPT_PRIV_H
#define DS_TLSRPT_PRIV_H

#include <json-glib/json-glib.h>

#include "ingest/tlsrpt/tlsrpt.h"

struct tls_ctx {
	struct ds_tls_report *r;
	const struct ds_limits *lim;
	uint64_t items;		/* policies + failure details so far */
};

char *ds_tlsrpt_text(struct tls_ctx *c, JsonObject *o, const char *name);
char *ds_tlsrpt_ip(struct tls_ctx *c, JsonObject *o, const char *name);
bool ds_tlsrpt_count(struct tls_ctx *c, JsonObject *o, const char *name,
    int64_t *out, GError **err);
/* policies[] (arr NULL: absent or not an array; present says which) */
bool ds_tlsrpt_policies(struct tls_ctx *c, JsonArray *arr, bool present,
    GError **err);

#endif
