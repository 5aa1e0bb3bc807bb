/*
 * helper_senders.h - the hand-made store of the reporter query tests
 * (test_store_senders.c, test_store_summary.c): seven reports of two
 * domains over six days with fifteen records, and the period rule of
 * store_senders.h to recompute expected values from it.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HELPER_SENDERS_H
#define DS_HELPER_SENDERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "schema/store/store.h"
#include "tests/unit/helper_store.h"

#define T0 INT64_C(1767225600)	/* 2026-01-01 00:00 UTC */
#define DAY INT64_C(86400)

struct trep {
	const char *org, *id, *domain, *p;
	int64_t begin, end;
};

struct trec {
	int rep;		/* index in ts_reps[] */
	const char *ip;
	unsigned count;
	const char *disp, *dkim, *spf;
};

extern const struct trep ts_reps[];
extern const struct trec ts_recs[];
extern const size_t ts_nrep, ts_nrec;

/* cmocka setup: ts_setup() plus the fixture stored. */
int ts_senders_setup(void **state);
/* Is report i in the period of q (midpoint rule, domain w/o case)? */
bool ts_in_period(size_t i, const struct ds_query *q);
/*
 * Does a record of count in report i have a rollup row on a day of q's
 * period (the day rule: a day is in the period when its noon is)? Its
 * messages and records on those days into *msgs and *recs.
 */
bool ts_roll_period(size_t i, uint64_t count, const struct ds_query *q,
    int64_t *msgs, int64_t *recs);
/* Does record r pass DMARC (policy_evaluated DKIM or SPF pass)? */
bool ts_passes(const struct trec *r);

#endif
