/*
 * count.h - checked arithmetic on message and record counts (THREATS #14,
 * #21). Every total that report/ prints goes through these: counts come
 * from reports anyone can send, so a sum across reports can pass 2^63-1
 * even when each report was checked on its own.
 * SPDX-License-Identifier: MIT
 *
 * The rule: counts are int64_t in [0, DS_COUNT_MAX]. A result that would
 * leave that range saturates at DS_COUNT_MAX (or 0 for a negative input)
 * and the call returns false, so the caller can say so ("at least"). No
 * double on the way to a printed count: ds_count_str prints the integer
 * itself, with a "+" when the total saturated.
 */
#ifndef DS_COUNT_H
#define DS_COUNT_H

#include <stdbool.h>
#include <stdint.h>

#define DS_COUNT_MAX INT64_MAX

/* A running total that remembers whether it ever saturated. */
struct ds_total {
	int64_t n;		/* the total, in [0, DS_COUNT_MAX] */
	bool saturated;		/* true once an add went past DS_COUNT_MAX */
};

/*
 * *acc += v, saturating: a negative v or *acc counts as 0, a sum past
 * DS_COUNT_MAX gives DS_COUNT_MAX. Returns false when it saturated or
 * clamped a negative value.
 */
bool ds_count_add(int64_t *acc, int64_t v);

/* *out = a * b, saturating like ds_count_add; false when it saturated. */
bool ds_count_mul(int64_t *out, int64_t a, int64_t b);

/* a - b for b <= a counts (pass out of total); 0 and false when b > a. */
bool ds_count_sub(int64_t *out, int64_t a, int64_t b);

/* t->n += v through ds_count_add; a saturation is remembered. */
void ds_total_add(struct ds_total *t, int64_t v);

/* Merge another total into t (sum, saturation flags or'ed). */
void ds_total_merge(struct ds_total *t, const struct ds_total *o);

/*
 * Percentage part/whole in [0, 100] for display (this is a ratio, not a
 * count: double is fine). 0 when whole <= 0; part is clamped to whole.
 */
double ds_count_pct(int64_t part, int64_t whole);

/*
 * The decimal text of a count, with thousands separators when sep is not
 * 0 ("1,234,567"), and a trailing "+" when saturated or v is
 * DS_COUNT_MAX (a total that reached the cap is a lower bound). Negative
 * values (never produced by the functions above) print as 0+. Caller
 * frees.
 */
char *ds_count_str(int64_t v, bool saturated, char sep);

#endif
