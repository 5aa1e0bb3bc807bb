/*
 * store_failure.h - store and read failure (ruf) reports
 * (schema/store/sql/003-failure.sql): the report, its fields, our
 * re-verification, and the forensic sample in a table of its own.
 * SPDX-License-Identifier: MIT
 *
 * Same contract as store.h: bool + GError (DS_ERROR_DB; DS_ERROR_DUP for
 * a report stored before), strings copied or bound, THREATS #11.
 */
#ifndef DS_STORE_FAILURE_H
#define DS_STORE_FAILURE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/model/model_failure.h"
#include "schema/store/store.h"

/*
 * Insert failure report f (its identity is the key), its sample (when
 * f->sample) into failure_sample, and its re-verification members
 * (verification, verification_text, *_now, differences, dns_mode,
 * verified_at) when set. f->source names where it came from; msg_id is
 * the ds_store_message_put() row or 0. On success *out_id is the new
 * row. A stored identity gives false with DS_ERROR_DUP and *out_id the
 * existing row. Runs in the caller's transaction.
 */
bool ds_store_failure_put(struct ds_store *st, const struct ds_failure *f,
    int64_t msg_id, int64_t *out_id, GError **err);

typedef bool (*ds_failure_row_cb)(const struct ds_failure *f, void *payload);

/*
 * Call cb for every stored failure report matching q (domain without
 * ASCII case; event_ts in [since, until)), oldest first, without the
 * sample (f->sample NULL, the sample_* headers NULL). f is valid only
 * during the call; cb returning false stops the walk (still true).
 */
bool ds_store_failures_each(struct ds_store *st, const struct ds_query *q,
    ds_failure_row_cb cb, void *payload, GError **err);

/*
 * Read report id into *out (initialised here; ds_failure_clear it in
 * every case), with its sample when with_sample. DS_ERROR_USAGE when
 * there is no such report, DS_ERROR_DB otherwise.
 */
bool ds_store_failure_get(struct ds_store *st, int64_t id, bool with_sample,
    struct ds_failure *out, GError **err);

#endif
