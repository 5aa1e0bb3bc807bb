/*
 * store_prune.h - retention: forget personal data and raw bytes past an
 * age, and give the space back to the file system (dmarcsift prune).
 * SPDX-License-Identifier: MIT
 *
 * What goes, and what stays:
 *   failure samples   the failure_sample row of every failure report
 *                     whose event time (Arrival-Date, else the report's
 *                     date) is before samples_before: the original
 *                     message, its headers, Subject and From (personal
 *                     data, SPEC section 2). The failure report's
 *                     fields and its stored verdict stay.
 *   quarantine        the raw bytes of quarantined inputs stored before
 *                     quarantine_before; the row (hash, source, reason,
 *                     size) stays, so "what was rejected and why" and
 *                     duplicate detection still work (length(raw) <
 *                     size says the bytes are gone).
 *   raw records       the record rows of every aggregate report that
 *                     ended before raw_before. The report row, its
 *                     totals and warnings, and the rollups every
 *                     per-period answer reads (day_rollup, sender_seen,
 *                     015-rollup.sql) stay: summary, the daily series
 *                     and "new sender?" do not change. What needs the
 *                     records themselves (per-sender figures, doctor,
 *                     a report's record list) has none for those
 *                     reports; the cut-off is kept in the retention
 *                     table so that those commands say so.
 */
#ifndef DS_STORE_PRUNE_H
#define DS_STORE_PRUNE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

struct ds_prune {
	int64_t samples_before;		/* INT64_MIN: keep every sample */
	int64_t quarantine_before;	/* INT64_MIN: keep every byte */
	int64_t raw_before;		/* INT64_MIN: keep every record */
	bool dry_run;			/* count only, change nothing */
};

struct ds_prune_stats {
	int64_t samples;		/* failure samples deleted */
	int64_t sample_bytes;		/* their raw bytes */
	int64_t quarantined;		/* quarantine rows emptied */
	int64_t quarantine_bytes;	/* their raw bytes */
	int64_t records;		/* raw records deleted */
	int64_t record_reports;		/* of that many reports */
	int64_t file_before;		/* database bytes before (pages) */
	int64_t file_after;		/* and after the vacuum */
};

void ds_prune_init(struct ds_prune *p);	/* keep everything */

/*
 * Delete what p says in one BEGIN IMMEDIATE transaction, then give the
 * freed pages back: the first time (a database with auto_vacuum off)
 * a full VACUUM that also turns on incremental auto-vacuum, afterwards
 * PRAGMA incremental_vacuum; then a WAL checkpoint (TRUNCATE) so the
 * files shrink. Needs no open transaction. out is filled on success.
 * DS_ERROR_DB.
 */
bool ds_store_prune(struct ds_store *st, const struct ds_prune *p,
    struct ds_prune_stats *out, GError **err);

/*
 * The raw-record part of ds_store_prune() (store_prune_raw.c), inside
 * the caller's transaction: count the records of reports that ended
 * before `before` into *records and *reports and, unless dry_run,
 * delete them and remember the cut-off. DS_ERROR_DB.
 */
bool ds_store_prune_raw(struct ds_store *st, int64_t before, bool dry_run,
    int64_t *records, int64_t *reports, GError **err);

/*
 * The latest raw-record cut-off of a prune (records of reports that
 * ended before it are gone), INT64_MIN when records were never pruned.
 * DS_ERROR_DB.
 */
bool ds_store_raw_pruned_before(struct ds_store *st, int64_t *out,
    GError **err);

/*
 * The per-IP rollups (day_ip, day_auth of 018-perip.sql) lack the
 * reports that ended before *out: their records were pruned before
 * migration 018 could roll them up (a prune after 018 keeps them).
 * INT64_MIN when they lack nothing. DS_ERROR_DB.
 */
bool ds_store_perip_missing_before(struct ds_store *st, int64_t *out,
    GError **err);

#endif
