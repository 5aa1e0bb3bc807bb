/*
 * summary_text.c - text blocks of "dmarcsift summary" (summary_text.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #9: domain names and policy values come from reports; control
 * characters become '?' and long values are cut, so a report cannot
 * move the cursor or break the layout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/count.h"
#include "report/text/summary_text.h"
#include "report/text/table.h"

#define MAX_SHOWN 60	/* bytes of one attacker value shown */
#define MAX_DAYS_LISTED 10

/* Append s (NULL: "-") with control characters replaced, cut. */
static void
put_clean(GString *g, const char *s)
{
	char *v;
	size_t i, n;

	if (s == NULL) {
		g_string_append_c(g, '-');
		return;
	}
	v = g_utf8_make_valid(s, -1);
	n = strlen(v);
	if (n > MAX_SHOWN) {
		n = g_utf8_find_prev_char(v, v + MAX_SHOWN) - v;
		v[n] = '\0';
	}
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			v[i] = '?';
	g_string_append(g, v);
	if (strlen(s) > MAX_SHOWN)
		g_string_append(g, "~");
	g_free(v);
}

static void
put_day(GString *g, int64_t t)
{
	GDateTime *dt = g_date_time_new_from_unix_utc(t);
	char *s = dt ? g_date_time_format(dt, "%Y-%m-%d") : NULL;

	g_string_append(g, s ? s : "?");
	g_free(s);
	if (dt)
		g_date_time_unref(dt);
}

static void
put_policy(GString *g, const struct ds_policy_seen *p)
{
	g_string_append(g, "p=");
	put_clean(g, p->p);
	if (p->sp) {
		g_string_append(g, " sp=");
		put_clean(g, p->sp);
	}
	if (p->np) {
		g_string_append(g, " np=");
		put_clean(g, p->np);
	}
	if (p->adkim) {
		g_string_append(g, " adkim=");
		put_clean(g, p->adkim);
	}
	if (p->aspf) {
		g_string_append(g, " aspf=");
		put_clean(g, p->aspf);
	}
	if (p->pct >= 0)
		g_string_append_printf(g, " pct=%d", p->pct);
	if (p->testing && strcmp(p->testing, "n") != 0) {
		g_string_append(g, " t=");
		put_clean(g, p->testing);
	}
}

static void
put_span(GString *g, const struct ds_policy_span *p)
{
	g_string_append(g, "p=");
	put_clean(g, p->p);
	g_string_append(g, " sp=");
	put_clean(g, p->sp);
	if (p->np) {
		g_string_append(g, " np=");
		put_clean(g, p->np);
	}
	g_string_append(g, " adkim=");
	put_clean(g, p->adkim);
	g_string_append(g, " aspf=");
	put_clean(g, p->aspf);
	if (p->pct >= 0)
		g_string_append_printf(g, " pct=%d", p->pct);
	if (p->testing && strcmp(p->testing, "n") != 0) {
		g_string_append(g, " t=");
		put_clean(g, p->testing);
	}
}

/* See summary_text.h. */
const struct ds_policy_seen *
ds_summary_current_policy(const struct ds_domain_summary *s)
{
	const struct ds_policy_seen *best = NULL, *p;
	guint i;

	for (i = 0; i < s->policies->len; i++) {
		p = &g_array_index(s->policies, struct ds_policy_seen, i);
		if (best == NULL || p->last_seen >= best->last_seen)
			best = p;
	}
	return best;
}

static void
put_rate(GString *g, const char *label, int64_t n, int64_t of)
{
	char *c = ds_count_str(n, false, 0);

	g_string_append_printf(g, "  %-15s %12s  %5.1f%%\n", label, c,
	    ds_count_pct(n, of));
	g_free(c);
}

static void
put_failing(GString *g, GPtrArray *rows)
{
	static const char *const cols[] = { "source_ip", "messages",
	    "dmarc_fail", "ptr", "as owner", "cc", "service", NULL };
	struct ds_table *t;
	char *buf = NULL;
	size_t len = 0;
	bool geo = false;
	FILE *f;
	guint i;

	if (rows->len == 0) {
		g_string_append(g, "  no source failed DMARC\n");
		return;
	}
	t = ds_table_new(cols);
	for (i = 0; i < rows->len; i++) {
		const struct ds_sender *s = rows->pdata[i];

		ds_table_row(t);
		ds_table_str(t, s->source_ip);
		ds_table_int(t, s->messages);
		ds_table_int(t, s->dmarc_fail);
		ds_table_str(t, s->ptr);
		ds_table_str(t, s->as_org);
		ds_table_str(t, s->country);
		ds_table_str(t, s->service);
		geo = geo || s->as_org != NULL || s->country != NULL;
	}
	if (!geo) {	/* no MaxMind database ever: no empty columns */
		ds_table_text_hide(t, "as owner");
		ds_table_text_hide(t, "cc");
	}
	ds_table_text_whole(t, "source_ip");
	if ((f = open_memstream(&buf, &len)) != NULL) {
		ds_table_emit(t, DS_OUT_TEXT, f);
		fclose(f);
		/* not indented: the table is as wide as $COLUMNS allows */
		g_string_append(g, "  top failing sources:\n");
		g_string_append_len(g, buf, len);
	}
	free(buf);
	ds_table_free(t);
}

/* "  by  name (n), name (n), ..." wrapped at 78 columns. */
static void
put_reporters(GString *g, const struct ds_domain_summary *s,
    GPtrArray *names)
{
	gsize line = g->len;
	guint i;

	if (names == NULL || names->len == 0)
		return;
	g_string_append_printf(g, "  %-15s", "by");
	for (i = 0; i < names->len; i++) {
		const char *n = names->pdata[i];

		if (g->len - line + strlen(n) + 3 > 78 && i > 0) {
			g_string_append(g, ",\n");
			line = g->len;
			g_string_append_printf(g, "  %-15s", "");
		} else if (i > 0) {
			g_string_append_c(g, ',');
		}
		g_string_append_c(g, ' ');
		put_clean(g, n);
	}
	if ((int64_t)names->len < s->reporters)
		g_string_append(g, ", ...");
	g_string_append_c(g, '\n');
}

/* See summary_text.h. */
void
ds_summary_text(GString *g, const struct ds_domain_summary *s,
    GPtrArray *reporters, GPtrArray *failing, const GArray *timeline,
    const char *classes)
{
	const struct ds_policy_seen *cur = ds_summary_current_policy(s);
	char *c;
	guint i;

	if (g->len > 0)
		g_string_append_c(g, '\n');
	put_clean(g, s->domain);
	if (s->days > 0) {
		g_string_append(g, ": ");
		put_day(g, s->first_day);
		g_string_append(g, " to ");
		put_day(g, s->first_day + (s->days - 1) * DS_DAY);
		g_string_append_printf(g, " (%" G_GINT64_FORMAT " day%s)",
		    s->days, s->days == 1 ? "" : "s");
	}
	g_string_append_c(g, '\n');
	c = ds_count_str(s->messages, false, 0);
	g_string_append_printf(g, "  %-15s %12s  from %" G_GINT64_FORMAT
	    " IP%s\n", "messages", c, s->ips, s->ips == 1 ? "" : "s");
	g_free(c);
	if (s->messages == DS_COUNT_MAX)
		g_string_append(g, "  (totals reached 2^63-1, the largest count "
		    "kept: they are lower bounds, marked +)\n");
	put_rate(g, "DMARC pass", s->dmarc_pass, s->messages);
	put_rate(g, "DMARC fail", s->dmarc_fail, s->messages);
	put_rate(g, "DKIM aligned", s->dkim_pass, s->messages);
	put_rate(g, "SPF aligned", s->spf_pass, s->messages);
	g_string_append_printf(g, "  %-15s none %" G_GINT64_FORMAT
	    ", quarantine %" G_GINT64_FORMAT ", reject %" G_GINT64_FORMAT,
	    "dispositions", s->disp.none, s->disp.quarantine, s->disp.reject);
	if (s->disp.pass)
		g_string_append_printf(g, ", pass %" G_GINT64_FORMAT,
		    s->disp.pass);
	if (s->disp.other)
		g_string_append_printf(g, ", other %" G_GINT64_FORMAT,
		    s->disp.other);
	g_string_append_c(g, '\n');
	g_string_append_printf(g, "  %-15s %12" G_GINT64_FORMAT "  from %"
	    G_GINT64_FORMAT " reporter%s\n", "reports", s->reports,
	    s->reporters, s->reporters == 1 ? "" : "s");
	put_reporters(g, s, reporters);
	if (timeline != NULL && timeline->len > 0) {
		/* the current policy is the latest report's */
		g_string_append_printf(g, "  %-15s ", "policy");
		put_span(g, &g_array_index(timeline, struct ds_policy_span,
		    timeline->len - 1));
		g_string_append_c(g, '\n');
	} else if (cur != NULL) {
		g_string_append_printf(g, "  %-15s ", "policy");
		put_policy(g, cur);
		g_string_append_c(g, '\n');
	}
	for (i = 1; timeline != NULL && i < timeline->len; i++) {
		const struct ds_policy_span *a = &g_array_index(timeline,
		    struct ds_policy_span, i - 1);
		const struct ds_policy_span *p = &g_array_index(timeline,
		    struct ds_policy_span, i);
		const char *what;

		g_string_append_printf(g, "  %-15s ", "policy change");
		put_day(g, p->since);
		g_string_append(g, ": ");
		put_span(g, p);
		g_string_append_c(g, '\n');
		if (ds_policy_weaker(a, p, &what))
			g_string_append_printf(g, "  %-15s weaker than before "
			    "(%s)\n", "", what);
	}
	if (classes != NULL)
		g_string_append_printf(g, "  %-15s %s\n", "sources", classes);
	if (s->days_without_report > 0) {
		g_string_append_printf(g, "  %-15s %" G_GINT64_FORMAT
		    " day%s:", "no report", s->days_without_report,
		    s->days_without_report == 1 ? "" : "s");
		for (i = 0; i < s->missing_days->len && i < MAX_DAYS_LISTED;
		    i++) {
			g_string_append(g, i % 5 ? " " : "\n    ");
			put_day(g, g_array_index(s->missing_days, int64_t, i));
		}
		if (s->missing_days->len > MAX_DAYS_LISTED)
			g_string_append(g, " ...");
		g_string_append_c(g, '\n');
	}
	put_failing(g, failing);
}
