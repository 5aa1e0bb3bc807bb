/*
 * doctor_reporting.c - reporting findings: no aggregate report at all
 * in the period (RFC 7489 §7.2, rua), reporters that went silent, and
 * days without any report between the first and the last one.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/json.h"
#include "schema/store/store_doctor.h"
#include "report/doctor/doctor.h"

#define DAY 86400
#define MIN_SILENCE (3 * DAY)	/* reports come daily, a day late */
#define MAX_SILENCE (90 * DAY)	/* older silence is history, not news */
#define MAX_GAP_DAYS 3650	/* store_doctor.c refuses longer periods */

struct rep_walk {
	struct ds_doctor *d;
	int64_t in_period;	/* reports in the period */
	int64_t ever;		/* reports before until */
	GPtrArray *silent;	/* char *: org names */
	GString *json, *text;
	int64_t first;		/* earliest report begin */
};

static bool
rep_cb(const struct ds_doc_reporter *r, void *payload)
{
	struct rep_walk *w = payload;
	int64_t until = w->d->q.until, interval, limit, silence;

	ds_count_add(&w->in_period, r->reports_period);
	w->first = MIN(w->first, r->first_begin);
	ds_count_add(&w->ever, r->reports_before);
	if (r->reports_before < 2)
		return true;
	/* typical gap between its reports, at least a day */
	interval = (r->last_end - r->first_begin) / r->reports_before;
	limit = MAX(MIN_SILENCE, 2 * MAX(interval, DAY));
	silence = until - r->last_end;
	if (silence <= limit || silence > MAX_SILENCE)
		return true;
	g_ptr_array_add(w->silent, g_strdup(r->org_name));
	if (w->json->len > 1)
		g_string_append_c(w->json, ',');
	g_string_append(w->json, "{\"org_name\":");
	ds_json_escape(w->json, r->org_name);
	g_string_append_printf(w->json, ",\"last_report_end\":%"
	    G_GINT64_FORMAT ",\"days_silent\":%" G_GINT64_FORMAT
	    ",\"reports_before\":%" G_GINT64_FORMAT "}", r->last_end,
	    silence / DAY, r->reports_before);
	g_string_append_printf(w->text, "%s%s (%" G_GINT64_FORMAT " days, %"
	    G_GINT64_FORMAT " reports before)", w->text->len ? ", " : "",
	    r->org_name, silence / DAY, r->reports_before);
	return true;
}

static void
no_reports(struct ds_doctor *d, int64_t ever)
{
	struct ds_finding *f;

	f = ds_doctor_add(d, DS_SEV_WARNING, "reporting-none", 0,
	    "no aggregate report for %s in the period%s", d->domain,
	    ever ? "" : " (none stored at all)");
	ds_ev_time(f, "since", d->q.since);
	ds_ev_time(f, "until", d->q.until);
	ds_ev_int(f, "reports_before", ever);
	if (d->has_dmarc)
		ds_ev_strv(f, "rua", d->dmarc.rua);
	ds_finding_fix(f, "Check that rua= in the DMARC record of %s names "
	    "the mailbox dmarcsift reads (external addresses need their "
	    "_report._dmarc authorization), that the mailbox accepts mail, "
	    "and that 'dmarcsift poll' or 'ingest' runs.", d->domain);
}

/* days without reports between the first and the last covered day */
static void
gaps(struct ds_doctor *d, int64_t first, GError **err, bool *ok)
{
	struct ds_query q = d->q;
	GArray *days = g_array_new(FALSE, FALSE, sizeof(int64_t));
	GPtrArray *list = g_ptr_array_new_with_free_func(g_free);
	struct ds_finding *f;
	int64_t start, lo, hi;
	guint i, j, k;

	/* from the first report on, ten years at most */
	q.since = MAX(q.since, first);
	q.since = MAX(q.since, q.until - MAX_GAP_DAYS * DAY);
	*ok = ds_store_doc_missing_days(d->st, &q, days, err);
	if (!*ok || days->len == 0)
		goto done;
	start = q.since - (q.since % DAY + DAY) % DAY;
	lo = start;
	hi = start + (q.until - start - 1) / DAY * DAY;
	/* the period's leading and trailing runs: before the first report,
	   or reports still on their way */
	for (i = 0; i < days->len && g_array_index(days, int64_t, i) == lo;
	    i++)
		lo += DAY;
	for (j = days->len; j > i && g_array_index(days, int64_t, j - 1) ==
	    hi; j--)
		hi -= DAY;
	for (k = i; k < j && list->len < 31; k++) {
		GDateTime *dt = g_date_time_new_from_unix_utc(
		    g_array_index(days, int64_t, k));

		g_ptr_array_add(list, g_date_time_format(dt, "%Y-%m-%d"));
		g_date_time_unref(dt);
	}
	if (j > i) {
		f = ds_doctor_add(d, DS_SEV_INFO, "reporting-gaps", 0,
		    "%u day%s without any aggregate report for %s between "
		    "reports", j - i, j - i == 1 ? "" : "s", d->domain);
		ds_ev_int(f, "days_without_reports", j - i);
		ds_ev_strv(f, "days", list);
		ds_finding_fix(f, "Look for reports lost on those days: "
		    "quarantined input, a full mailbox, or 'dmarcsift poll' "
		    "not running.");
	}
done:
	g_array_unref(days);
	g_ptr_array_unref(list);
}

bool
ds_doctor_reporting(struct ds_doctor *d, GError **err)
{
	struct rep_walk w = { d, 0, 0, NULL, NULL, NULL, INT64_MAX };
	struct ds_finding *f;
	bool ok;

	w.silent = g_ptr_array_new_with_free_func(g_free);
	w.json = g_string_new("[");
	w.text = g_string_new(NULL);
	ok = ds_store_doc_reporters_each(d->st, &d->q, rep_cb, &w, err);
	if (ok && w.in_period == 0)
		no_reports(d, w.ever);
	if (ok && w.silent->len > 0) {
		g_string_append_c(w.json, ']');
		GString *names = g_string_new(NULL);
		guint i;

		for (i = 0; i < w.silent->len; i++)
			g_string_append_printf(names, "%s%s", i ? ", " : "",
			    ds_doctor_q(d, w.silent->pdata[i]));
		f = ds_doctor_add(d, DS_SEV_WARNING, "reporter-silent", 0,
		    "%u reporter%s stopped sending reports for %s: %s",
		    w.silent->len, w.silent->len == 1 ? "" : "s", d->domain,
		    names->str);
		g_string_free(names, TRUE);
		ds_ev_raw(f, "reporters", w.json->str, w.text->str);
		ds_finding_fix(f, "Check that the rua= mailbox still receives "
		    "mail from them (not full, not filtering their "
		    "messages as spam, external destination still "
		    "authorized); if %s no longer sends mail to their users, "
		    "nothing is wrong.", d->domain);
	}
	if (ok && w.in_period > 0)
		gaps(d, w.first, err, &ok);
	g_ptr_array_unref(w.silent);
	g_string_free(w.json, TRUE);
	g_string_free(w.text, TRUE);
	return ok;
}
