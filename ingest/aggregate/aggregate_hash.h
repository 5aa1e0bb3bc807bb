/*
 * aggregate_hash.h - the content hash of an aggregate report, to tell a
 * re-sent copy (a plain duplicate) from a conflicting version of the
 * same identity (issue 13; THREATS #13).
 * SPDX-License-Identifier: MIT
 *
 * The hash covers what a report says, not how it was delivered: the
 * policy published and every record with all its fields, in any order
 * (a reporter that re-sends the same rows in another order, another
 * compression or another mail sends the same report). The identity
 * fields are left out: they are equal by definition.
 */
#ifndef DS_AGGREGATE_HASH_H
#define DS_AGGREGATE_HASH_H

#include <stdint.h>

#include <glib.h>

#include "schema/model/model.h"

/* DS_REPORT_HASH_LEN hex digits and a NUL */
#define DS_REPORT_HASH_LEN 64

struct ds_report_hash {
	uint64_t acc[4];	/* per-record SHA-256, summed mod 2^64 per
				   quarter: order-free, a repeated row
				   counts twice */
	uint64_t n;		/* records */
	GString *buf;		/* one record's bytes, reused */
};

/* Start; ds_report_hash_final() or ds_report_hash_clear() ends. */
void ds_report_hash_init(struct ds_report_hash *h);

/* Free what h holds (after init: the hash is not needed). */
void ds_report_hash_clear(struct ds_report_hash *h);

/* Add one record (every field, counts in decimal). */
void ds_report_hash_record(struct ds_report_hash *h,
    const struct ds_record *r);

/*
 * The hash of the records added and m's policy_published, as
 * DS_REPORT_HASH_LEN lower-case hex digits into out; clears h.
 */
void ds_report_hash_final(struct ds_report_hash *h,
    const struct ds_report_meta *m, char out[DS_REPORT_HASH_LEN + 1]);

#endif
