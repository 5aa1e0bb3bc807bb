/*
 * rq_common.h - what the summary, senders and reporters commands share:
 * --domain --since --until --format, and JSON building for nested
 * cells.
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
	int64_t now;		/* Unix seconds at start (or $DS_NOW) */
};

/*
 * The option entries (--domain --since --until --format) writing to
 * static storage; append to a command's own with ds_cli_entries_join().
 */
const GOptionEntry *ds_rq_entries(void);

/*
 * Fill rq from the parsed options. now is $DMARCSIFT_NOW (Unix seconds,
 * for reproducible tests) or the clock. DS_ERROR_USAGE for a bad
 * period or format, or since >= until.
 */
bool ds_rq_setup(struct ds_rq *rq, GError **err);

/* Print the usage error and return DS_EXIT_USAGE when argc > 1. */
bool ds_rq_no_args(const char *cmd, int argc);

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
