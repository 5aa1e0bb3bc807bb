/*
 * pipeline_summary.c - the run summary of ingest and poll: the counts
 * of one run as a line, and the conflicting versions it kept (issue 13)
 * as warning lines (pipeline_summary.h).
 * SPDX-License-Identifier: MIT
 */
#include "ingest/pipeline/pipeline_summary.h"

/* "1 input", "2 inputs" */
static void
count(GString *g, uint64_t n, const char *one, const char *many)
{
	g_string_append_printf(g, "%" G_GUINT64_FORMAT " %s", n, n == 1 ? one :
	    many);
}

char *
ds_ingest_stats_summary(const struct ds_ingest_stats *s)
{
	GString *g = g_string_new(NULL);

	count(g, s->inputs, "input", "inputs");
	g_string_append(g, ": ");
	count(g, s->reports, "report", "reports");
	g_string_append(g, " stored (");
	count(g, s->records, "record", "records");
	g_string_append(g, "), ");
	count(g, s->failures, "failure report", "failure reports");
	g_string_append(g, ", ");
	/* said only when there were some, so DMARC-only runs read as before */
	if (s->tls_reports) {
		count(g, s->tls_reports, "TLS report", "TLS reports");
		g_string_append(g, ", ");
	}
	count(g, s->duplicates, "duplicate", "duplicates");
	g_string_append(g, ", ");
	count(g, s->not_reports, "not a report", "not reports");
	g_string_append_printf(g, ", %" G_GUINT64_FORMAT " rejected, %"
	    G_GUINT64_FORMAT " skipped, ", s->rejected, s->skipped);
	count(g, s->errors, "error", "errors");
	/* issue 13: said only when there were some */
	if (s->conflicts) {
		g_string_append(g, ", ");
		count(g, s->conflicts, "conflicting version",
		    "conflicting versions");
		g_string_append(g, " (kept, not counted: reports --conflicts)");
	}
	return g_string_free(g, FALSE);
}

char *
ds_conflict_lines(const GPtrArray *lines, uint64_t total, const char *prefix)
{
	GString *g;
	guint i;

	if (total == 0)
		return NULL;
	g = g_string_new(NULL);
	for (i = 0; i < lines->len; i++)
		g_string_append_printf(g, "%swarning: %s\n", prefix,
		    (const char *)g_ptr_array_index(lines, i));
	if (total > lines->len)
		g_string_append_printf(g, "%swarning: and %" G_GUINT64_FORMAT
		    " more conflicting versions (reports --conflicts)\n",
		    prefix, total - lines->len);
	return g_string_free(g, FALSE);
}
