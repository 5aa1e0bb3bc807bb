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
 * Aggregate reports and their records are never touched here: every
 * reporter command reads them.
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
	bool dry_run;			/* count only, change nothing */
};

struct ds_prune_stats {
	int64_t samples;		/* failure samples deleted */
	int64_t sample_bytes;		/* their raw bytes */
	int64_t quarantined;		/* quarantine rows emptied */
	int64_t quarantine_bytes;	/* their raw bytes */
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

#endif
