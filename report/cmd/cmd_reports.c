/*
 * cmd_reports.c - "dmarcsift reports": list stored aggregate reports.
 * SPDX-License-Identifier: MIT
 */
#include <limits.h>
#include <stdio.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/text/table.h"

static char *opt_format, *opt_domain, *opt_since, *opt_until;

static const GOptionEntry entries[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "text (default), json or csv", "FMT" },
	{ "domain", 'd', 0, G_OPTION_ARG_STRING, &opt_domain,
	  "only reports for this policy domain", "DOMAIN" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "only reports ending at or after (2026-11-01, 7d, @UNIX)", "WHEN" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &opt_until,
	  "only reports beginning before", "WHEN" },
	G_OPTION_ENTRY_NULL
};

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
cmd_reports(int argc, char **argv)
{
	static const char *cols[] = { "begin", "org_name", "domain",
	    "records", "messages", "warnings", "report_id", "end", "format",
	    NULL };
	struct ds_store *st = NULL;
	struct ds_table *t = NULL;
	struct ds_query q;
	enum ds_outfmt fmt;
	GError *e = NULL;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	int rc = DS_EXIT_OK;

	if (!ds_cli_parse("reports", NULL,
	    "List the stored aggregate reports.", entries, &argc, &argv))
		return DS_EXIT_USAGE;
	ds_query_init(&q);
	q.domain = opt_domain;
	if (!ds_parse_outfmt(opt_format, &fmt, &e) ||
	    (opt_since && !ds_parse_time(opt_since, now, &q.since, &e)) ||
	    (opt_until && !ds_parse_time(opt_until, now, &q.until, &e)))
		goto fail;
	if ((st = ds_cli_open_store_readonly(&e)) == NULL)
		goto fail;
	t = ds_table_new(cols);
	if (fmt == DS_OUT_TEXT) {
		ds_table_text_hide(t, "end");
		ds_table_text_hide(t, "format");
	}
	if (!ds_store_reports_each(st, &q, add_row, t, &e))
		goto fail;
	ds_table_emit(t, fmt, stdout);
	goto done;
fail:
	rc = ds_cli_fail(e);
	g_clear_error(&e);
done:
	ds_table_free(t);
	ds_store_close(st);
	return rc;
}
