/*
 * weekly_text.c - the weekly report as plain text (weekly.h), the
 * text/plain part of the weekly mail. Report text is made one-line and
 * control-free (ds_quote) so it cannot forge lines of its own.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/error.h"
#include "report/html/html_page.h"
#include "report/weekly/weekly.h"

/* Append attacker text s as one safe line fragment. */
static void
safe(GString *g, const char *s)
{
	char *q = ds_quote(s ? s : "-", strlen(s ? s : "-"), 120);

	g_string_append(g, q);
	g_free(q);
}

char *
ds_weekly_subject(const struct ds_weekly *w)
{
	GString *g = g_string_new("Weekly DMARC report for ");

	safe(g, w->domain);
	g_string_append_printf(g, ", %s", w->week);
	return g_string_free(g, FALSE);
}

static void
num(GString *g, const char *label, int64_t cur, int64_t prev)
{
	g_string_append_printf(g, "  %-24s ", label);
	ds_fmt_int(g, cur);
	if (prev > 0)
		g_string_append_printf(g, " (%+.1f %% vs ", 100.0 *
		    (double)(cur - prev) / (double)prev);
	else
		g_string_append(g, " (last week: ");
	ds_fmt_int(g, prev);
	g_string_append(g, ")\n");
}

static void
senders(GString *g, const struct ds_weekly *w, const char *title,
    const GPtrArray *a, bool fail)
{
	const char *cls;
	guint i;

	g_string_append_printf(g, "\n%s\n", title);
	if (a->len == 0)
		g_string_append(g, "  none\n");
	for (i = 0; i < a->len; i++) {
		const struct ds_sender *s = g_ptr_array_index(a, i);

		g_string_append(g, "  ");
		safe(g, s->key);
		if (s->service || s->ptr || s->as_org) {
			g_string_append(g, " (");
			safe(g, s->service ? s->service : s->ptr ? s->ptr :
			    s->as_org);
			g_string_append(g, ")");
		}
		cls = w->classes && s->source_ip ? g_hash_table_lookup(
		    w->classes, s->source_ip) : NULL;
		if (cls != NULL)
			g_string_append_printf(g, " [%s]", cls);
		g_string_append(g, ": ");
		ds_fmt_int(g, s->messages);
		g_string_append(g, " messages");
		if (fail) {
			g_string_append(g, ", ");
			ds_fmt_int(g, s->dmarc_fail);
			g_string_append(g, " failing");
		}
		g_string_append_c(g, '\n');
	}
}

/* Wrap our advice text at 76 columns, indented. */
static void
wrapped(GString *g, unsigned n, const char *text)
{
	char **words = g_strsplit(text, " ", -1);
	size_t col;
	guint i;

	g_string_append_printf(g, "%3u. ", n);
	col = 5;
	for (i = 0; words[i]; i++) {
		char *q = ds_quote(words[i], strlen(words[i]), 200);

		if (col > 5 && col + 1 + strlen(q) > 76) {
			g_string_append(g, "\n     ");
			col = 5;
		} else if (col > 5) {
			g_string_append_c(g, ' ');
			col++;
		}
		g_string_append(g, q);
		col += strlen(q);
		g_free(q);
	}
	g_string_append_c(g, '\n');
	g_strfreev(words);
}

void
ds_weekly_text(GString *g, const struct ds_weekly *w)
{
	guint i;

	g_string_append(g, "Weekly DMARC report for ");
	safe(g, w->domain);
	g_string_append_printf(g, ", %s (", w->week);
	ds_fmt_time(g, w->since, false);
	g_string_append(g, " to ");
	ds_fmt_time(g, w->until - DS_DAY, false);
	g_string_append(g, ", UTC)\n\n");
	num(g, "Messages", w->cur.messages, w->prev.messages);
	if (w->cur.messages == 0)
		g_string_append_printf(g, "  %-24s no data\n",
		    "DMARC pass rate");
	else
		g_string_append_printf(g, "  %-24s %.1f %% (last week "
		    "%.1f %%)\n", "DMARC pass rate", ds_pass_rate(
		    w->cur.dmarc_pass, w->cur.messages), ds_pass_rate(
		    w->prev.dmarc_pass, w->prev.messages));
	num(g, "Failing DMARC", w->cur.dmarc_fail, w->prev.dmarc_fail);
	num(g, "Reports", w->cur.reports, w->prev.reports);
	num(g, "Source IPs", w->cur.ips, w->prev.ips);
	num(g, "Quarantined or rejected", w->cur.quarantine + w->cur.reject,
	    w->prev.quarantine + w->prev.reject);
	g_string_append(g, "\nWhat to do\n");
	for (i = 0; i < w->todo->len; i++)
		wrapped(g, i + 1, g_ptr_array_index(w->todo, i));
	senders(g, w, "New senders this week", w->new_senders, false);
	senders(g, w, "Sources that started failing", w->new_failing, true);
	if (w->top_failing->len)
		senders(g, w, "Still failing", w->top_failing, true);
	g_string_append(g, "\nPolicy: ");
	safe(g, w->policy ? w->policy : "unknown (no report)");
	g_string_append_c(g, '\n');
	for (i = 0; i < w->policy_changes->len; i++) {
		g_string_append(g, "  changed: ");
		safe(g, g_ptr_array_index(w->policy_changes, i));
		g_string_append_c(g, '\n');
	}
	ds_weekly_tls_text(g, w);
	g_string_append(g, "\nReporters that went silent\n");
	if (w->silent->len == 0)
		g_string_append(g, "  none\n");
	for (i = 0; i < w->silent->len; i++) {
		const struct ds_weekly_silent *s = g_ptr_array_index(w->silent,
		    i);

		g_string_append(g, "  ");
		safe(g, s->org_name);
		g_string_append(g, ", last report ended ");
		ds_fmt_time(g, s->last_report, false);
		g_string_append_c(g, '\n');
	}
	g_string_append(g, "\n-- \ndmarcsift " DS_VERSION "\n");
}
