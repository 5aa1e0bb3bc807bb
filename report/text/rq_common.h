/*
 * rq_common.h - what the summary, senders and reporters commands share:
 * the period and format of the run (from the command context,
 * schema/cli/ctx.h), and JSON building for nested cells.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_RQ_COMMON_H
#define DS_RQ_COMMON_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/cli/cli.h"
#include "schema/store/store_senders.h"

/* The parsed common options of one run. */
struct ds_rq {
	struct ds_query q;	/* domain, since, until; limit 0 */
	enum ds_outfmt fmt;
	int64_t now;		/* Unix seconds at start ($DMARCSIFT_NOW) */
};

/* Append a JSON string or null. */
void ds_rq_json_str(GString *g, const char *s);

/* Strings of a as a JSON array; text (caller g_free) joined by ", ". */
char *ds_rq_json_strv(GPtrArray *a, char **text);

/*
 * auth results as a JSON array of {"domain","selector"|"scope","result",
 * "messages"}; *text a short "domain=result" list. Caller g_frees both.
 */
char *ds_rq_json_auth(GArray *a, const char *selkey, char **text);

#endif
