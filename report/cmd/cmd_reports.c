/*
 * cmd_reports.c - "dmarcsift reports": list stored aggregate reports;
 * with --conflicts, the conflicting versions kept beside them (issue
 * 13, schema/store/store_conflict.h: the first stored version counts).
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdio.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "schema/store/store_conflict.h"
#include "report/text/table.h"

static gboolean opt_conflicts, opt_wide;

static const GOptionEntry entries[] = {
	{ "conflicts", 0, 0, G_OPTION_ARG_NONE, &opt_conflicts,
	  "list the conflicting versions instead: reports that came again "
	  "with a stored identity but other content (kept, not counted)",
	  NULL },
	{ "wide", 'w', 0, G_OPTION_ARG_NONE, &opt_wide,
	  "text: report IDs and names whole, wider than 80 columns", NULL },
	G_OPTION_ENTRY_NULL
};

static bool
add_conflict(const struct ds_conflict_row *r, void *payload)
{
	struct ds_table *t = payload;

	ds_table_row(t);
	ds_table_day(t, r->begin);
	ds_table_str(t, r->org_name);
	ds_table_str(t, r->domain);
	ds_table_int(t, r->records);
	ds_table_int(t, r->messages);
	ds_table_int(t, r->new_records);
	ds_table_int(t, r->new_messages);
	ds_table_str(t, r->report_id);
	ds_table_time(t, r->ingested_at);
	ds_table_str(t, r->source);
	ds_table_time(t, r->end);
	ds_table_int(t, r->report_row);
	ds_table_int(t, r->id);
	ds_table_str(t, r->hash);
	ds_table_str(t, r->new_hash);
	if (r->raw_len >= 0)
		ds_table_int(t, r->raw_len);
	else
		ds_table_null(t);
	return true;
}

/* reports --conflicts */
static int
conflicts(struct ds_ctx *c)
{
	static const char *cols[] = { "begin", "org_name", "domain",
	    "records", "messages", "version_records", "version_messages",
	    "report_id", "version_ingested", "version_source", "end",
	    "report_row", "version_id", "content_hash", "version_hash",
	    "version_input_bytes", NULL };
	static const char *hide[] = { "records", "version_records",
	    "version_ingested", "version_source",
	    "end", "report_row", "version_id", "content_hash",
	    "version_hash", "version_input_bytes", NULL };
	struct ds_table *t = ds_table_new(cols);
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	unsigned i;

	if (c->fmt == DS_OUT_TEXT) {
		for (i = 0; hide[i]; i++)
			ds_table_text_hide(t, hide[i]);
		if (opt_wide)
			ds_table_text_wide(t);
	}
	if (ds_store_conflicts_each(c->store, &c->q, add_conflict, t, &e)) {
		if (c->fmt == DS_OUT_TEXT && ds_table_rows(t) == 0)
			g_print("(no conflicting versions)\n");
		else
			ds_table_emit(t, c->fmt, stdout);
	} else {
		rc = ds_ctx_fail(c, e);
		g_clear_error(&e);
	}
	ds_table_free(t);
	return rc;
}


static bool
add_row(const struct ds_report_row *r, void *payload)
{
	struct ds_table *t = payload;

	const char *w = r->warnings_json ? r->warnings_json : "[]";
	char nw[16];
	unsigned n = 0;
	bool in_str = false;
	const char *p;

	/* count the strings of the JSON array for the text column */
	for (p = w; *p; p++) {
		if (*p == '\\' && in_str && p[1])
			p++;
		else if (*p == '"' && !in_str && ++n)
			in_str = true;
		else if (*p == '"')
			in_str = false;
	}
	g_snprintf(nw, sizeof(nw), "%u", n);
	ds_table_row(t);
	ds_table_day(t, r->begin);
	ds_table_str(t, r->org_name);
	ds_table_str(t, r->domain);
	ds_table_int(t, r->records);
	ds_table_int(t, r->messages);
	ds_table_json(t, w, n ? nw : "");
	ds_table_str(t, r->report_id);
	ds_table_time(t, r->end);
	ds_table_str(t, r->format);
	return true;
}

int
cmd_reports(struct ds_ctx *c, int argc, char **argv)
{
	static const char *cols[] = { "begin", "org_name", "domain",
	    "records", "messages", "warnings", "report_id", "end", "format",
	    NULL };
	struct ds_table *t = NULL;
	GError *e = NULL;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, NULL, "List the stored aggregate reports, or "
	    "with --conflicts the conflicting\nversions kept beside them "
	    "(the first stored version is the one counted). Text fits 80\n"
	    "columns: a long report ID is cut (marked ~) unless --wide is "
	    "given;\njson and csv always have it whole.",
	    entries, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	if (opt_conflicts)
		return conflicts(c);
	t = ds_table_new(cols);
	if (c->fmt == DS_OUT_TEXT) {
		ds_table_text_hide(t, "end");
		ds_table_text_hide(t, "format");
		if (opt_wide)
			ds_table_text_wide(t);
	}
	if (!ds_store_reports_each(c->store, &c->q, add_row, t, &e))
		goto fail;
	ds_table_emit(t, c->fmt, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	ds_table_free(t);
	return rc;
}
