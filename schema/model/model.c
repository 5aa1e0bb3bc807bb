/*
 * model.c - life cycle of the shared data model (model.h) and the named
 * warnings of a report (ingest/aggregate/QUIRKS.md).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "schema/model/model.h"

#define MAX_WARNINGS 100

/* Zero m, pct -1, format RFC 7489, empty errors and warnings arrays. */
void
ds_report_meta_init(struct ds_report_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->format = DS_FORMAT_RFC7489;
	m->pct = -1;
	m->errors = g_ptr_array_new_with_free_func(g_free);
	m->warnings = g_ptr_array_new_with_free_func(g_free);
}

/*
 * Free everything m owns and leave it zeroed (arrays NULL, pct -1):
 * NULL-safe fields, safe to call twice; ds_report_meta_init() again
 * before reuse.
 */
void
ds_report_meta_clear(struct ds_report_meta *m)
{
	g_free(m->version);
	g_free(m->org_name);
	g_free(m->email);
	g_free(m->extra_contact_info);
	g_free(m->report_id);
	g_free(m->generator);
	g_free(m->domain);
	g_free(m->adkim);
	g_free(m->aspf);
	g_free(m->p);
	g_free(m->sp);
	g_free(m->np);
	g_free(m->fo);
	g_free(m->discovery_method);
	g_free(m->testing);
	g_free(m->extensions);
	if (m->errors)
		g_ptr_array_unref(m->errors);
	if (m->warnings)
		g_ptr_array_unref(m->warnings);
	memset(m, 0, sizeof(*m));
	m->pct = -1;
}

static void
reason_clear(gpointer p)
{
	struct ds_reason *r = p;

	g_free(r->type);
	g_free(r->comment);
}

static void
dkim_clear(gpointer p)
{
	struct ds_dkim_result *d = p;

	g_free(d->domain);
	g_free(d->selector);
	g_free(d->result);
	g_free(d->human_result);
}

static void
spf_clear(gpointer p)
{
	struct ds_spf_result *s = p;

	g_free(s->domain);
	g_free(s->scope);
	g_free(s->result);
	g_free(s->human_result);
}

/* Zero r and give it empty reasons, dkim_results, spf_results arrays. */
void
ds_record_init(struct ds_record *r)
{
	memset(r, 0, sizeof(*r));
	r->reasons = g_array_new(FALSE, TRUE, sizeof(struct ds_reason));
	g_array_set_clear_func(r->reasons, reason_clear);
	r->dkim_results =
	    g_array_new(FALSE, TRUE, sizeof(struct ds_dkim_result));
	g_array_set_clear_func(r->dkim_results, dkim_clear);
	r->spf_results = g_array_new(FALSE, TRUE, sizeof(struct ds_spf_result));
	g_array_set_clear_func(r->spf_results, spf_clear);
}

/*
 * Free everything r owns and leave it zeroed (arrays NULL), like
 * ds_report_meta_clear(); ds_record_init() again before reuse.
 */
void
ds_record_clear(struct ds_record *r)
{
	g_free(r->source_ip);
	g_free(r->disposition);
	g_free(r->dkim);
	g_free(r->spf);
	g_free(r->envelope_to);
	g_free(r->envelope_from);
	g_free(r->header_from);
	g_free(r->extensions);
	if (r->reasons)
		g_array_unref(r->reasons);
	if (r->dkim_results)
		g_array_unref(r->dkim_results);
	if (r->spf_results)
		g_array_unref(r->spf_results);
	memset(r, 0, sizeof(*r));
}

/*
 * Free the strings r owns and empty its three arrays (their clear
 * functions free the entries) without freeing the arrays themselves:
 * a parser reuses one ds_record for every record of a report instead of
 * allocating three arrays per record. Needs ds_record_init() first.
 */
void
ds_record_reset(struct ds_record *r)
{
	GArray *reasons = r->reasons, *dkim = r->dkim_results,
	    *spf = r->spf_results;

	g_free(r->source_ip);
	g_free(r->disposition);
	g_free(r->dkim);
	g_free(r->spf);
	g_free(r->envelope_to);
	g_free(r->envelope_from);
	g_free(r->header_from);
	g_free(r->extensions);
	g_array_set_size(reasons, 0);
	g_array_set_size(dkim, 0);
	g_array_set_size(spf, 0);
	memset(r, 0, sizeof(*r));
	r->reasons = reasons;
	r->dkim_results = dkim;
	r->spf_results = spf;
}

/*
 * Append the warning "name: detail" to m->warnings (created when NULL).
 * An identical warning is kept once; past MAX_WARNINGS the last slot
 * says "too-many-warnings" and later ones are dropped. Callers pass
 * attacker text through ds_quote() first.
 */
void
ds_report_warn(struct ds_report_meta *m, const char *fmt, ...)
{
	va_list ap;
	char *w;
	guint i;

	va_start(ap, fmt);
	w = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	if (m->warnings == NULL)
		m->warnings = g_ptr_array_new_with_free_func(g_free);
	for (i = 0; i < m->warnings->len; i++) {
		if (strcmp(g_ptr_array_index(m->warnings, i), w) == 0) {
			g_free(w);
			return;
		}
	}
	if (m->warnings->len >= MAX_WARNINGS) {
		g_free(w);
		return;
	}
	if (m->warnings->len == MAX_WARNINGS - 1) {
		g_free(w);
		w = g_strdup("too-many-warnings: further warnings dropped");
	}
	g_ptr_array_add(m->warnings, w);
}

/* Static name of a format, as stored: "rfc7489" or "rfc9990". */
const char *
ds_format_name(enum ds_format f)
{
	return f == DS_FORMAT_RFC9990 ? "rfc9990" : "rfc7489";
}
