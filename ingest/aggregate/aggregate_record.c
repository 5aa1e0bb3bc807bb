/*
 * aggregate_record.c - the report as a whole: required metadata, the
 * meta callback, records opened, bounded and handed out one by one.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7489 appendix C / RFC 9990: report_id, the policy domain and the
 * date range identify a report and must be there (THREATS #13, #14);
 * a record is delivered as it closes and freed at once, so memory does
 * not grow with the number of records.
 */
#include <string.h>
#include <time.h>

#include "ingest/aggregate/aggregate_int.h"
#include "schema/util/error.h"

/* "Name <noreply@Example.COM>" -> "example.com", or NULL */
static char *
email_domain(const char *email)
{
	const char *at;
	char *d;

	if (email == NULL || (at = strrchr(email, '@')) == NULL)
		return NULL;
	d = g_ascii_strdown(at + 1, -1);
	d[strcspn(d, "> \t")] = '\0';
	if (*d == '\0' || strchr(d, '.') == NULL) {
		g_free(d);
		return NULL;
	}
	return d;
}

/*
 * THREATS #21, the plausible-date window: a date range that ends more
 * than a day after ingest is not a usable date range (SPEC "Strict"):
 * every reporter command would have to trust it (a daily series to the
 * year 292277026596). One that begins before 2012-01-01 (no DMARC
 * reports then; the RFC 9990 sample is dated 1979) is kept with the
 * warning date-implausible: it cannot stretch anything past today.
 */
static bool
date_plausible(struct ds_agg *st)
{
	struct ds_report_meta *m = st->m;
	int64_t now = st->lim->now ? st->lim->now : (int64_t)time(NULL);

	if (m->end > now + DS_DATE_AHEAD)
		return ds_fail(&st->err, DS_ERROR_SCHEMA,
		    "<date_range> ends more than a day in the future (%"
		    G_GINT64_FORMAT "): not a plausible report date", m->end);
	if (m->begin < DS_DATE_MIN)
		ds_report_warn(m, "date-implausible: begin %" G_GINT64_FORMAT
		    " is before 2012-01-01", m->begin);
	return true;
}

bool
ds_agg_meta_check(struct ds_agg *st)
{
	struct ds_report_meta *m = st->m;
	char *q;

	if (m->report_id == NULL)
		return ds_fail(&st->err, DS_ERROR_SCHEMA,
		    "no <report_id> in <report_metadata>");
	if (m->domain == NULL)
		return ds_fail(&st->err, DS_ERROR_SCHEMA,
		    "no <domain> in <policy_published>");
	if (!st->have_begin || !st->have_end)
		return ds_fail(&st->err, DS_ERROR_SCHEMA,
		    "no usable <date_range>: <%s> missing",
		    st->have_begin ? "end" : "begin");
	if (m->begin > m->end)
		return ds_fail(&st->err, DS_ERROR_SCHEMA,
		    "<date_range> "
		    "begins after it ends: %" G_GINT64_FORMAT
		    " > %" G_GINT64_FORMAT,
		    m->begin, m->end);
	if (!date_plausible(st))
		return false;
	if (m->org_name == NULL) {
		m->org_name = email_domain(m->email);
		if (m->org_name == NULL)
			return ds_fail(&st->err, DS_ERROR_SCHEMA,
			    "no "
			    "<org_name> and no <email> domain to derive it "
			    "from");
		q = ds_agg_q(m->org_name);
		ds_report_warn(m,
		    "missing-org-name: derived '%s' from "
		    "<email>",
		    q);
		g_free(q);
	}
	if (m->email == NULL)
		ds_report_warn(m, "missing-element: email");
	if (m->p == NULL)
		ds_report_warn(m, "missing-element: p");
	if (m->format == DS_FORMAT_RFC9990 && m->pct >= 0)
		ds_report_warn(m, "legacy-element: pct in a dmarc-2.0 report");
	g_free(m->extensions);
	m->extensions = st->meta_ext->len
	                    ? g_strndup(st->meta_ext->str, st->meta_ext->len)
	                    : NULL;
	return true;
}

/* A callback said no: keep its error, or say so. */
static bool
cb_failed(struct ds_agg *st, GError *e, const char *what)
{
	if (e)
		g_propagate_error(&st->err, e);
	else
		ds_fail(&st->err, DS_ERROR_SCHEMA, "%s callback failed", what);
	return false;
}

bool
ds_agg_meta_ready(struct ds_agg *st)
{
	GError *e = NULL;

	if (!ds_agg_meta_check(st))
		return false;
	st->meta_sent = true;
	if (st->cbs && st->cbs->meta && !st->cbs->meta(st->m, st->payload, &e))
		return cb_failed(st, e, "report");
	return true;
}

bool
ds_agg_record_open(struct ds_agg *st)
{
	if (!st->meta_sent && !ds_agg_meta_ready(st))
		return false;
	if (st->in_record) /* <record> in <record>: not ours */
		return ds_agg_fail(st, DS_ERROR_SCHEMA, "nested <record>");
	if (++st->records > st->lim->max_records)
		return ds_agg_fail(st, DS_ERROR_LIMIT,
		    "more than %" G_GUINT64_FORMAT " records",
		    st->lim->max_records);
	/* one record struct for the whole report: no per-record arrays */
	if (st->rec.reasons == NULL)
		ds_record_init(&st->rec);
	else
		ds_record_reset(&st->rec);
	st->in_record = true;
	st->have_count = false;
	memset(st->seen, 0, sizeof(st->seen));
	g_string_truncate(st->rec_ext, 0);
	return true;
}

bool
ds_agg_record_close(struct ds_agg *st)
{
	GError *e = NULL;
	bool ok = true;

	if (!st->have_count)
		ok = ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "record %" G_GUINT64_FORMAT " has no <count>", st->records);
	if (ok && !st->seen[DS_F_SOURCE_IP])
		ds_report_warn(st->m, "missing-element: source_ip");
	if (ok && st->rec_ext->len)
		st->rec.extensions =
		    g_strndup(st->rec_ext->str, st->rec_ext->len);
	if (ok && st->cbs && st->cbs->record &&
	    !st->cbs->record(st->m, &st->rec, st->payload, &e))
		ok = cb_failed(st, e, "record");
	ds_record_reset(&st->rec); /* constant memory */
	st->in_record = false;
	return ok;
}

/* THREATS #14: a record is small; its repeated parts stay bounded */
static bool
grow(struct ds_agg *st, GArray *a, const char *what)
{
	if (a->len >= DS_AGG_MAX_REPEAT)
		return ds_agg_fail(st, DS_ERROR_LIMIT,
		    "record %" G_GUINT64_FORMAT ": more than %d <%s> elements",
		    st->records, DS_AGG_MAX_REPEAT, what);
	g_array_set_size(a, a->len + 1);
	return true;
}

bool
ds_agg_reason_open(struct ds_agg *st)
{
	return grow(st, st->rec.reasons, "reason");
}

bool
ds_agg_dkim_open(struct ds_agg *st)
{
	memset(st->seen + DS_F_DKIM_DOMAIN, 0,
	    (DS_F_DKIM_HUMAN - DS_F_DKIM_DOMAIN + 1) * sizeof(bool));
	return grow(st, st->rec.dkim_results, "dkim");
}

bool
ds_agg_spf_open(struct ds_agg *st)
{
	memset(st->seen + DS_F_SPF_DOMAIN, 0,
	    (DS_F_SPF_HUMAN - DS_F_SPF_DOMAIN + 1) * sizeof(bool));
	return grow(st, st->rec.spf_results, "spf");
}

void
ds_agg_dkim_close(struct ds_agg *st)
{
	if (!st->seen[DS_F_DKIM_RESULT])
		ds_report_warn(st->m, "missing-element: dkim result");
	/* RFC 9990 makes the selector required; RFC 7489 did not */
	if (!st->seen[DS_F_DKIM_SELECTOR] && st->m->format == DS_FORMAT_RFC9990)
		ds_report_warn(st->m, "missing-element: dkim selector");
}

void
ds_agg_spf_close(struct ds_agg *st)
{
	if (!st->seen[DS_F_SPF_RESULT])
		ds_report_warn(st->m, "missing-element: spf result");
}
