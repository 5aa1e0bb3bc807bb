/*
 * helper_aggregate.h - shared by the aggregate parser tests: callbacks
 * that record what the parser handed out, as text to compare.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HELPER_AGGREGATE_H
#define DS_HELPER_AGGREGATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/aggregate/aggregate.h"

struct got {
	int metas;
	int meta_at; /* records seen when meta was called */
	uint64_t records, sum;
	GString *text;      /* meta line + one line per record */
	GError *meta_fail;  /* returned by the meta callback */
	int record_fail_at; /* record callback fails at this record */
};

/* callbacks filling a struct got (payload) */
extern const struct ds_aggregate_cbs tagg_cbs;

void tagg_got_init(struct got *g);
void tagg_got_free(struct got *g);
/* Append m (and its warnings) to s as one line ("format=... ext=..."). */
void tagg_meta_text(GString *s, const struct ds_report_meta *m);
/*
 * Parse doc[0..len) (len 0: strlen) with lim (NULL: defaults); on
 * success append the final meta line, then the warnings, to g->text.
 */
bool tagg_parse(const char *doc, size_t len, const struct ds_limits *lim,
    struct got *g, struct ds_report_meta *m, GError **e);
/* tests/fixtures/aggregate/name, read whole; caller g_frees */
char *tagg_fixture(const char *name, size_t *len);
/* Fail unless the streaming entry point (1..13-byte reads) says exactly
 * what the buffer one says about doc. */
void tagg_same_both_ways(const char *name, const char *doc, size_t len);

/* a source reading 1..13 bytes at a time, failing at fail_at if set */
struct chunks {
	const char *buf;
	size_t len, pos;
	unsigned step;
	size_t fail_at; /* 0: never */
	GError *err;
};
int tagg_chunk_read(void *ctx, char *buf, int len);
const GError *tagg_chunk_error(void *ctx);

#endif
