/*
 * cmd_reporters.c - "dmarcsift reporters": who reports about a domain,
 * how often, and when last (a reporter that went quiet shows up by its
 * last_ever and days_silent).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #9, #10: output through report/text/table.c.
 */
#include <stdio.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/text/rq_common.h"
#include "report/text/table.h"

static gint opt_limit;

static const GOptionEntry own[] = {
	{ "limit", 'n', 0, G_OPTION_ARG_INT, &opt_limit,
	  "at most N reporters", "N" },
	G_OPTION_ENTRY_NULL
};

static const char *const cols[] = { "org_name", "email", "reports",
	"records", "messages", "domains", "first_report", "last_report",
	"last_ever", "days_silent", NULL };

struct run {
	struct ds_table *t;
	int64_t now;
};

static bool
add_row(const struct ds_reporter *r, void *payload)
{
	struct run *run = payload;
	struct ds_table *t = run->t;

	ds_table_row(t);
	ds_table_str(t, r->org_name);
	ds_table_str(t, r->email);
	ds_table_int(t, r->reports);
	ds_table_int(t, r->records);
	ds_table_int(t, r->messages);
	ds_table_int(t, r->domains);
	ds_table_day(t, r->first_report);
	ds_table_day(t, r->last_report);
	ds_table_day(t, r->last_ever);
	ds_table_int(t, run->now > r->last_ever ?
	    (run->now - r->last_ever) / DS_DAY : 0);
	return true;
}

/*
 * "dmarcsift reporters": list the reporters of the period.
 * Returns a DS_EXIT_* code.
 */
int
cmd_reporters(struct ds_ctx *c, int argc, char **argv)
{
	struct run run = { NULL, 0 };
	struct ds_query q;
	GError *e = NULL;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, NULL, "Who reports about the domain: reports, "
	    "messages, first and last report.", own, argc, argv) ||
	    !ds_ctx_no_args(c))
		return c->rc;
	if (opt_limit < 0) {
		ds_fail(&e, DS_ERROR_USAGE, "--limit must be >= 0");
		goto fail;
	}
	q = c->q;
	q.limit = (unsigned)opt_limit;
	run.now = c->now;
	run.t = ds_table_new(cols);
	if (c->fmt == DS_OUT_TEXT) {
		ds_table_text_hide(run.t, "email");
		ds_table_text_hide(run.t, "records");
		ds_table_text_hide(run.t, "first_report");
	}
	if (!ds_store_reporters_each(c->store, &q, add_row, &run, &e))
		goto fail;
	ds_table_emit(run.t, c->fmt, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	ds_table_free(run.t);
	return rc;
}
