/*
 * store_rollup.h - the day rule of the day rollups (015-rollup.sql),
 * shared by store_rollup.c and the reporter queries that read them.
 * Never included outside schema/store/ and its tests.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_ROLLUP_H
#define DS_STORE_ROLLUP_H

#include <stdbool.h>
#include <stdint.h>

/* Reports longer than this count on their midpoint day (31 days). */
#define DS_ROLLUP_MAX_SPREAD (31 * 86400)
/* UTC days a spread report touches at most. */
#define DS_ROLLUP_MAX_DAYS 33

/* One day of a report: its share is c*hi/dur - c*lo/dur (floored). */
struct ds_rollup_day {
	int64_t day;		/* UTC midnight */
	int64_t lo, hi;		/* seconds of the range before the day,
				   before its end */
	int64_t dur;		/* seconds of the range (1: not spread) */
	bool mine;		/* the midpoint's day: records count here */
};

/* UTC midnight of the day holding t, floored (also before 1970). */
int64_t ds_rollup_floor_day(int64_t t);

/*
 * The days report [begin, end] counts on (015-rollup.sql), into out
 * (DS_ROLLUP_MAX_DAYS entries); returns how many.
 */
unsigned ds_rollup_days(int64_t begin, int64_t end,
    struct ds_rollup_day *out);

#endif
