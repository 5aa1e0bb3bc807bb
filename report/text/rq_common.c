/*
 * rq_common.c - common options and JSON helpers of the reporter
 * commands (rq_common.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #10: every string goes out through report/text/table.c's escaping
 * (ds_json_str for JSON, the table for text and CSV).
 */
#include <stdio.h>
#include <stdlib.h>

#include "schema/util/error.h"
#include "report/text/rq_common.h"
#include "report/text/table.h"

static char *opt_format, *opt_domain, *opt_since, *opt_until;

static const GOptionEntry entries[] = {
	{ "domain", 'd', 0, G_OPTION_ARG_STRING, &opt_domain,
	  "only this policy domain", "DOMAIN" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "reports from (2026-11-01, 7d, 4w, @UNIX)", "WHEN" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &opt_until,
	  "reports before (same forms)", "WHEN" },
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "text (default), json or csv", "FMT" },
	G_OPTION_ENTRY_NULL
};

/* See rq_common.h. */
const GOptionEntry *
ds_rq_entries(void)
{
	return entries;
}

/* See rq_common.h. */
bool
ds_rq_setup(struct ds_rq *rq, GError **err)
{
	const char *env = getenv("DMARCSIFT_NOW");
	char *end;

	ds_query_init(&rq->q);
	rq->now = g_get_real_time() / G_USEC_PER_SEC;
	if (env != NULL && *env != '\0') {
		rq->now = g_ascii_strtoll(env, &end, 10);
		if (*end != '\0')
			return ds_fail(err, DS_ERROR_USAGE,
			    "DMARCSIFT_NOW is not a number of seconds");
	}
	if (opt_domain != NULL && *opt_domain == '\0')
		return ds_fail(err, DS_ERROR_USAGE, "--domain is empty");
	rq->q.domain = opt_domain;
	if (!ds_parse_outfmt(opt_format, &rq->fmt, err) ||
	    (opt_since && !ds_parse_time(opt_since, rq->now, &rq->q.since,
	    err)) ||
	    (opt_until && !ds_parse_time(opt_until, rq->now, &rq->q.until,
	    err)))
		return false;
	if (rq->q.since >= rq->q.until)
		return ds_fail(err, DS_ERROR_USAGE,
		    "--since must be before --until");
	return true;
}

/* See rq_common.h. */
bool
ds_rq_no_args(const char *cmd, int argc)
{
	if (argc <= 1)
		return true;
	g_printerr("dmarcsift %s: unexpected argument (see 'dmarcsift "
	    "%s --help')\n", cmd, cmd);
	return false;
}

/* See rq_common.h. */
void
ds_rq_json_str(GString *g, const char *s)
{
	if (s == NULL)
		g_string_append(g, "null");
	else
		ds_json_str(g, s);
}

/* See rq_common.h. */
char *
ds_rq_json_strv(GPtrArray *a, char **text)
{
	GString *j = g_string_new("["), *t = g_string_new(NULL);
	guint i;

	for (i = 0; i < a->len; i++) {
		if (i) {
			g_string_append_c(j, ',');
			g_string_append(t, ", ");
		}
		ds_json_str(j, a->pdata[i]);
		g_string_append(t, a->pdata[i]);
	}
	g_string_append_c(j, ']');
	*text = g_string_free(t, FALSE);
	return g_string_free(j, FALSE);
}

/* See rq_common.h. */
char *
ds_rq_json_auth(GArray *a, const char *selkey, char **text)
{
	GString *j = g_string_new("["), *t = g_string_new(NULL);
	guint i;

	for (i = 0; i < a->len; i++) {
		const struct ds_auth_count *c = &g_array_index(a,
		    struct ds_auth_count, i);

		g_string_append(j, i ? ",{\"domain\":" : "{\"domain\":");
		ds_rq_json_str(j, c->domain);
		g_string_append_printf(j, ",\"%s\":", selkey);
		ds_rq_json_str(j, c->selector);
		g_string_append(j, ",\"result\":");
		ds_rq_json_str(j, c->result);
		g_string_append_printf(j, ",\"messages\":%" G_GINT64_FORMAT "}",
		    c->messages);
		g_string_append_printf(t, "%s%s=%s", i ? ", " : "",
		    c->domain ? c->domain : "-", c->result ? c->result : "-");
	}
	g_string_append_c(j, ']');
	*text = g_string_free(t, FALSE);
	return g_string_free(j, FALSE);
}
