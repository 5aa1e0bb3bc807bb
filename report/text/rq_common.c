/*
 * rq_common.c - common options and JSON helpers of the reporter
 * commands (rq_common.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #10: every string goes out through report/text/table.c's escaping
 * (ds_json_str for JSON, the table for text and CSV).
 */

#include "schema/util/error.h"
#include "report/text/rq_common.h"
#include "report/text/table.h"

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
