/*
 * store_detail.h - one stored aggregate report in full, and its records,
 * for the per-report pages of the HTML dashboard (report/html/html_report.c).
 * The reporter queries (store_senders.h) aggregate; these read one
 * report back as the model structs it was stored from.
 * SPDX-License-Identifier: MIT
 *
 * Ownership as in store.h: structs returned through out parameters are
 * the caller's (free with the _clear function); a struct ds_record
 * handed to a callback lives only during the call. Strings are stored
 * attacker text: escape on output (THREATS #9).
 */
#ifndef DS_STORE_DETAIL_H
#define DS_STORE_DETAIL_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/model/model.h"
#include "schema/store/store.h"

/* One report row: its metadata and policy as parsed, plus store data. */
struct ds_report_detail {
	int64_t id;		/* report row id */
	struct ds_report_meta meta;	/* warnings and errors included */
	int64_t records;	/* rows in record */
	int64_t messages;	/* sum of their count */
	char *source;		/* where it came from, or NULL */
	int64_t ingested_at;	/* Unix seconds */
};

void ds_report_detail_init(struct ds_report_detail *d);
/* Free what d owns and leave it zeroed; NULL-safe fields. */
void ds_report_detail_clear(struct ds_report_detail *d);

/*
 * Read report row id into out (initialised by this function). *found is
 * false when there is no such row (out then stays empty). DS_ERROR_DB.
 */
bool ds_store_report_get(struct ds_store *st, int64_t id,
    struct ds_report_detail *out, bool *found, GError **err);

typedef bool (*ds_record_each_cb)(const struct ds_record *r, void *payload);

/*
 * Call cb with each record of report row report_row in stored order,
 * with its reasons, DKIM and SPF auth results, at most limit records
 * (0: all). When cb returns false the walk stops and this returns true.
 * DS_ERROR_DB.
 */
bool ds_store_records_each(struct ds_store *st, int64_t report_row,
    unsigned limit, ds_record_each_cb cb, void *payload, GError **err);

#endif
