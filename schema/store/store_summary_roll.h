/*
 * store_summary_roll.h - per-period sums from the day rollups, for
 * store_summary.c (never included outside schema/store/).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_SUMMARY_ROLL_H
#define DS_STORE_SUMMARY_ROLL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"
#include "schema/store/store_senders.h"

/* One domain (or one day) of a period. */
struct ds_roll_sums {
	const char *domain;	/* lower case; borrowed, by domain only */
	int64_t day;		/* UTC midnight, by day only */
	int64_t records, ips, messages, dmarc_pass, dkim_pass, spf_pass;
	struct ds_disp_counts disp;
};

typedef void (*ds_roll_cb)(const struct ds_roll_sums *s, void *payload);

/*
 * Call cb for each domain (by_day false) or each day, oldest first
 * (by_day true: over q->domain, or all domains), of the days in q's
 * period (a day belongs when its noon does, store_summary_roll.c).
 * Sums saturate at INT64_MAX. DS_ERROR_DB.
 */
bool ds_roll_sums(struct ds_store *st, const struct ds_query *q, bool by_day,
    ds_roll_cb cb, void *payload, GError **err);

#endif
