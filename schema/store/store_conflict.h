/*
 * store_conflict.h - conflicting versions of aggregate reports
 * (schema/store/sql/017-conflict.sql; issue 13, THREATS #13).
 * SPDX-License-Identifier: MIT
 *
 * The rule: the first version stored under an identity (org_name,
 * report_id, domain, begin, end) is the one every command counts. A
 * later copy with the same content hash is a plain duplicate; one with
 * another content is kept here, with its input, and never counted.
 */
#ifndef DS_STORE_CONFLICT_H
#define DS_STORE_CONFLICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

/* Record the content hash (64 hex digits) of the stored report row. */
bool ds_store_report_hash_set(struct ds_store *st, int64_t row,
    const char *hash, GError **err);

/* The counted report and a version of it. */
struct ds_report_version {
	int64_t records, messages;		/* of the counted report */
	int64_t new_records, new_messages;	/* of the version */
};

/*
 * A report with the identity of stored row came again with content
 * hash and totals records/messages. Returns true with *out_conflict
 * false when it is the counted report's content (or a version already
 * kept): a plain duplicate. Otherwise keeps it as a conflicting version
 * with source and the input raw[0..raw_len) (raw NULL: not held) and
 * sets *out_conflict. Reports stored before 017 have no hash: they are
 * compared by their totals. out gets both sets of totals either way.
 * DS_ERROR_DB, or DS_ERROR_SCHEMA when a total exceeds INT64_MAX.
 */
bool ds_store_report_version(struct ds_store *st, int64_t row,
    const char *hash, uint64_t records, uint64_t messages,
    const char *source, const void *raw, size_t raw_len,
    bool *out_conflict, struct ds_report_version *out, GError **err);

/* One conflicting version with the counted report it conflicts with. */
struct ds_conflict_row {
	int64_t id;			/* report_conflict row */
	int64_t report_row;		/* the counted report */
	const char *org_name, *report_id, *domain;
	int64_t begin, end;
	int64_t records, messages;	/* counted */
	const char *hash;		/* counted; NULL before 017 */
	int64_t new_records, new_messages;
	const char *new_hash;
	const char *source;		/* where the version came from */
	int64_t raw_len;		/* bytes of its input kept, -1: none */
	int64_t ingested_at;
};

/* Called per row; the row lives only during the call. false: stop. */
typedef bool (*ds_conflict_row_cb)(const struct ds_conflict_row *r,
    void *payload);

/*
 * Every conflicting version of a report matching q (the domain without
 * ASCII case; the period as for "reports": end >= since, begin < until,
 * an open until matching any begin), oldest report first, then in the
 * order the versions came. DS_ERROR_DB.
 */
bool ds_store_conflicts_each(struct ds_store *st, const struct ds_query *q,
    ds_conflict_row_cb cb, void *payload, GError **err);

#endif
