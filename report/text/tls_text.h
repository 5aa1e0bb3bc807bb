/*
 * tls_text.h - SMTP TLS report figures as tables (text, JSON, CSV), for
 * the tls command and the TLS lines of summary.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_TLS_TEXT_H
#define DS_TLS_TEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "schema/cli/cli.h"
#include "schema/store/store_tls.h"
#include "report/text/table.h"

/* Which tables: all (text, JSON) or one (any format; CSV needs one). */
enum ds_tls_view {
	DS_TLS_VIEW_ALL = -1,
	/* else an enum ds_tls_group */
};

/*
 * One table of the TLS reports of domain (NULL: all) in [since, until):
 * columns per group, see tls_text.c. Caller ds_table_free()s. NULL with
 * err on a store error.
 */
struct ds_table *ds_tls_table(struct ds_store *st, enum ds_tls_group g,
    const char *domain, int64_t since, int64_t until, GError **err);

/*
 * Print the tables: text as titled sections (sections without rows are
 * left out; "no TLS reports" when there is none at all), JSON as one
 * object {"domains":[...],"policies":[...],"mx":[...],"failures":[...]}
 * (or only the one asked for), CSV as the one table view (view must not
 * be DS_TLS_VIEW_ALL). False with err on a store error.
 */
bool ds_tls_emit(struct ds_store *st, int view, const char *domain,
    int64_t since, int64_t until, enum ds_outfmt fmt, FILE *f,
    GError **err);

/*
 * The TLS totals of domain in [since, until): reports, successful and
 * failed sessions (all 0 when there is none). DS_ERROR_DB.
 */
bool ds_tls_totals(struct ds_store *st, const char *domain, int64_t since,
    int64_t until, int64_t *reports, int64_t *ok, int64_t *failed,
    GError **err);

/* Success rate in percent; 100 when there were no sessions at all. */
double ds_tls_rate(int64_t ok, int64_t failed);

#endif
