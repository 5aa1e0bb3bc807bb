/*
 * weekly_advice.c - the "what to do" list of the weekly report
 * (weekly.h): doctor's findings (report/doctor) for the domain and the
 * week, worst first, each with its fix, so the weekly mail never gives
 * advice of its own that doctor would contradict (issue 12): spoofers
 * are never told to sign, a tenant missing its key is told which
 * record to publish. Plain text; escaped on output.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "report/doctor/doctor.h"
#include "report/weekly/weekly.h"

#define MAX_TODO 8

/* See weekly.h. */
bool
ds_weekly_advise(struct ds_weekly *w, struct ds_store *st,
    struct ds_dns *dns, const struct ds_decl *decl, int64_t now,
    GError **err)
{
	struct ds_doctor d;
	struct ds_query q;
	guint i, shown = 0;
	bool ok;

	ds_query_init(&q);
	q.since = w->since;
	q.until = w->until;
	ok = ds_doctor_init(&d, st, dns, w->domain, &q, now, decl, err) &&
	    ds_doctor_run(&d, err);
	/* the week's sources by class: the same words as senders */
	if (ok && w->classes == NULL)
		w->classes = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, NULL);
	for (i = 0; ok && i < d.sources->len; i++) {
		const struct ds_doc_src *s = d.sources->pdata[i];

		if (s->ip != NULL)
			g_hash_table_replace(w->classes, g_strdup(s->ip),
			    (gpointer)ds_class_name(s->cls));
	}
	for (i = 0; ok && i < d.findings->len; i++) {
		const struct ds_finding *f = d.findings->pdata[i];

		/* info findings only when they say what not to worry about */
		if (f->sev == DS_SEV_INFO && strcmp(f->code,
		    "sender-forwarding") != 0)
			continue;
		if (shown++ >= MAX_TODO)
			break;
		g_ptr_array_add(w->todo, g_strdup_printf("[%s %s] %s. %s",
		    ds_sev_name(f->sev), f->code, f->message, f->fix ? f->fix :
		    ""));
	}
	if (ok && shown > MAX_TODO)
		g_ptr_array_add(w->todo, g_strdup_printf("... and more: run "
		    "\"dmarcsift doctor %s\" for every finding.", w->domain));
	if (ok && w->todo->len == 0)
		g_ptr_array_add(w->todo, g_strdup("Nothing to do: doctor "
		    "found no problem this week."));
	ds_doctor_release(&d);
	return ok;
}
