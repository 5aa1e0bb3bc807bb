/*
 * helper_store.h - fixtures shared by the store tests (test_store*.c):
 * a store on a real file in a temp dir plus a plain sqlite3 connection
 * to check what it wrote.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_HELPER_STORE_H
#define DS_HELPER_STORE_H

#include <stdint.h>
#include <sqlite3.h>

#include "schema/model/model.h"
#include "schema/store/store.h"

struct ts_fx {
	char *dir;		/* temp dir, removed by ts_teardown */
	char *path;		/* dir/data/dmarc.db (open makes data/) */
	struct ds_store *st;
	sqlite3 *db;		/* read-only checking connection */
};

/* cmocka setup/teardown: *state is a struct ts_fx with the store open */
int ts_setup(void **state);
int ts_teardown(void **state);

/* One integer / text (NULL allowed, caller frees) of sql, ?1 = p1. */
int64_t ts_int(sqlite3 *db, const char *sql, int64_t p1);
char *ts_text(sqlite3 *db, const char *sql, int64_t p1);

/* A report (p=reject, no pct, empty errors/warnings); free with _free. */
void ts_meta_fill(struct ds_report_meta *m, const char *org, const char *id,
    const char *domain, int64_t begin, int64_t end);
void ts_meta_free(struct ds_report_meta *m);

/*
 * A record from ip with one reason (comment text), DKIM results
 * example.com/s1 pass and esp.example/(no selector) fail (human_result
 * text), SPF example.com mfrom softfail. Strings are borrowed; free the
 * arrays with ts_record_free.
 */
void ts_record_fill(struct ds_record *r, const char *ip, uint64_t count,
    const char *text);
void ts_record_free(struct ds_record *r);

/*
 * Put and finish a report with n records of count 1..n (sources
 * 192.0.2.0-3) inside the caller's transaction; returns its row.
 */
int64_t ts_put_report(struct ds_store *st, const char *org, const char *id,
    const char *domain, int64_t begin, int64_t end, unsigned n);

#endif
