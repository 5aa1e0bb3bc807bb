/*
 * doctor_policy.c - is the domain ready for an enforced DMARC policy
 * (RFC 7489 §6.3, RFC 9989), and did its policy get weaker? Readiness
 * is split by the classes of report/classify: legitimate mail still
 * failing (ours, services: what enforcement would wrongly reject),
 * forwarded mail (fixed by DKIM that survives, ARC), and unknown mail
 * (what the policy is for). The timeline is store_policy.h's.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/store_policy.h"
#include "report/doctor/doctor.h"

#define MIN_MESSAGES 10		/* below this a pass rate means little */
#define RATE_REJECT 99.0	/* own pass rate for p=reject */
#define RATE_QUARANTINE 95.0	/* own pass rate for p=quarantine */
#define LEGIT_FAIL_MAX 2.0	/* % of ours+service mail that may fail */
#define MAX_FIXES 5

struct ready {
	int64_t legit_msgs, legit_fail, fwd_fail, unk_fail, own_msgs;
	double own_rate, legit_rate;	/* %: own passing, legit failing */
};

static void
ready_of(const struct ds_doctor *d, struct ready *r)
{
	const struct ds_class_totals *t = &d->classes;

	memset(r, 0, sizeof(*r));
	r->legit_msgs = t->messages[DS_CLASS_OURS] +
	    t->messages[DS_CLASS_SERVICE];
	r->legit_fail = t->failing[DS_CLASS_OURS] +
	    t->failing[DS_CLASS_SERVICE];
	r->fwd_fail = t->failing[DS_CLASS_FORWARDER];
	r->unk_fail = t->failing[DS_CLASS_UNKNOWN];
	r->own_msgs = r->legit_msgs + t->messages[DS_CLASS_FORWARDER];
	/* ds_pass_rate never rounds a failure away (schema/util/rate.h) */
	r->own_rate = ds_pass_rate(r->own_msgs - r->legit_fail - r->fwd_fail,
	    r->own_msgs);
	r->legit_rate = r->legit_msgs > 0 ? 100.0 - ds_pass_rate(
	    r->legit_msgs - r->legit_fail, r->legit_msgs) : 0;
}

static gint
by_fail(gconstpointer a, gconstpointer b)
{
	const struct ds_doc_src *x = *(struct ds_doc_src *const *)a;
	const struct ds_doc_src *y = *(struct ds_doc_src *const *)b;
	int64_t fx = x->messages - x->dmarc_pass, fy = y->messages -
	    y->dmarc_pass;

	return fx == fy ? 0 : fx > fy ? -1 : 1;
}

/* The failing sources of the classes wanted, worst first. */
static GPtrArray *
failing(struct ds_doctor *d, bool legit_only)
{
	GPtrArray *a = g_ptr_array_new();
	guint i;

	for (i = 0; i < d->sources->len; i++) {
		struct ds_doc_src *s = d->sources->pdata[i];

		if (s->messages == s->dmarc_pass)
			continue;
		if (legit_only && s->cls != DS_CLASS_OURS &&
		    s->cls != DS_CLASS_SERVICE)
			continue;
		g_ptr_array_add(a, s);
	}
	g_ptr_array_sort(a, by_fail);
	return a;
}

/* "192.0.2.10 (Microsoft 365): 400 failing" ... for the fix text */
static const char *
legit_list(struct ds_doctor *d, GPtrArray *legit)
{
	GString *g = g_string_new(NULL);
	guint i;

	for (i = 0; i < legit->len && i < MAX_FIXES; i++) {
		const struct ds_doc_src *s = legit->pdata[i];

		g_string_append_printf(g, "%s%s (%s%s%s): %" G_GINT64_FORMAT
		    " failing", i ? "; " : "", s->ip ? s->ip : "?",
		    ds_class_name(s->cls), s->service ? ", " : "",
		    s->service ? ds_doctor_q(d, s->service) : "",
		    s->messages - s->dmarc_pass);
	}
	if (legit->len > MAX_FIXES)
		g_string_append_printf(g, "; and %u more", legit->len -
		    MAX_FIXES);
	g_ptr_array_add(d->pool, g->str);
	return g_string_free(g, FALSE);
}

void
ds_doctor_readiness(struct ds_doctor *d, struct ds_finding *f)
{
	struct ready r;

	ready_of(d, &r);
	ds_ev_int(f, "own_messages", r.own_msgs);
	ds_ev_pct(f, "own_pass_rate", r.own_msgs - r.legit_fail - r.fwd_fail,
	    r.own_msgs);
	ds_ev_int(f, "legitimate_failing", r.legit_fail);
	ds_ev_pct(f, "legitimate_failing_rate", r.legit_fail, r.legit_msgs);
	ds_ev_int(f, "forwarded_failing", r.fwd_fail);
	ds_ev_int(f, "unknown_failing", r.unk_fail);
	ds_ev_classes(d, f);
}

void
ds_doctor_policy_none(struct ds_doctor *d)
{
	GPtrArray *all = failing(d, false), *legit = failing(d, true);
	struct ds_finding *f;
	struct ready r;
	int64_t fail = d->messages - d->dmarc_pass;
	const char *next;

	ready_of(d, &r);
	next = r.own_rate >= RATE_REJECT ? "reject" : "quarantine";
	if (r.own_msgs < MIN_MESSAGES) {
		f = ds_doctor_add(d, DS_SEV_INFO, "dmarc-policy-none", fail,
		    "%s publishes p=none: receivers take no action on mail "
		    "that fails DMARC, and %" G_GINT64_FORMAT " messages of "
		    "its own are too few to tell whether enforcing is safe",
		    d->domain, r.own_msgs);
		ds_finding_fix(f, "Collect reports for a few weeks (rua=), "
		    "then run doctor again.");
	} else if (r.legit_rate <= LEGIT_FAIL_MAX &&
	    r.own_rate >= RATE_QUARANTINE) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-policy-none", fail,
		    "%s publishes p=none although %.1f%% of its own mail (%"
		    G_GINT64_FORMAT " messages) passes DMARC: p=%s would "
		    "today affect %" G_GINT64_FORMAT " messages: %"
		    G_GINT64_FORMAT " unknown (nothing authenticates them: "
		    "what the policy is for), %" G_GINT64_FORMAT " forwarded "
		    "and %" G_GINT64_FORMAT " of your own servers and "
		    "services (%.1f%% of their mail)", d->domain, r.own_rate,
		    r.own_msgs, next, fail, r.unk_fail, r.fwd_fail,
		    r.legit_fail, r.legit_rate);
		ds_finding_fix(f, "Publish p=%s at _dmarc.%s: \"%s\". "
		    "Watch the reports for two weeks%s.%s", next, d->domain,
		    ds_doctor_suggest(d, "p", next), strcmp(next, "reject")
		    == 0 ? "" : ", then move to p=reject", r.legit_fail > 0 ?
		    ds_doctor_fmt(d, " Fix the few legitimate failures "
		    "first: %s.", legit_list(d, legit)) : "");
	} else if (r.legit_rate > LEGIT_FAIL_MAX) {
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-policy-none", fail,
		    "%s publishes p=none; do not enforce yet: p=quarantine "
		    "or p=reject would today hit %" G_GINT64_FORMAT " messages "
		    "of its own servers and services (%.1f%% of their mail), "
		    "besides %" G_GINT64_FORMAT " forwarded and %"
		    G_GINT64_FORMAT " unknown", d->domain, r.legit_fail,
		    r.legit_rate, r.fwd_fail, r.unk_fail);
		ds_finding_fix(f, "Fix your own failing senders first, with "
		    "the records the other findings name (dkim-key-missing, "
		    "spf-include-missing or spf-ip-missing): %s. Enforce once "
		    "under %.0f%% of their mail fails.", legit_list(d, legit),
		    LEGIT_FAIL_MAX);
	} else {
		f = ds_doctor_add(d, DS_SEV_INFO, "dmarc-policy-none", fail,
		    "%s publishes p=none: receivers take no action on mail "
		    "that fails DMARC; %.1f%% of its own mail (%"
		    G_GINT64_FORMAT " messages, %" G_GINT64_FORMAT
		    " forwarded failing) passes, below the %.0f%% that makes "
		    "enforcement safe", d->domain, r.own_rate, r.own_msgs,
		    r.fwd_fail, RATE_QUARANTINE);
		ds_finding_fix(f, "Forwarded mail passes DMARC only on DKIM "
		    "that survives: keep DKIM signing on all mail, ask lists "
		    "to rewrite From or add ARC (RFC 8617), until at least "
		    "%.0f%% pass, then publish p=quarantine.",
		    RATE_QUARANTINE);
	}
	ds_ev_str(f, "record", d->dmarc.text);
	ds_ev_int(f, "messages", d->messages);
	ds_ev_int(f, "dmarc_pass", d->dmarc_pass);
	ds_ev_pct(f, "pass_rate", d->dmarc_pass, d->messages);
	ds_ev_int(f, "would_be_affected", fail);
	ds_ev_int(f, "affected_unsigned", r.unk_fail);
	ds_ev_int(f, "affected_signed", r.legit_fail + r.fwd_fail);
	ds_doctor_readiness(d, f);
	ds_ev_sources(f, "failing_sources", all, 10);
	g_ptr_array_unref(all);
	g_ptr_array_unref(legit);
}

/* A weakening between consecutive spans of the reports' policies. */
void
ds_doctor_policy_timeline(struct ds_doctor *d)
{
	const struct ds_policy_span *a, *b;
	struct ds_finding *f;
	const char *what;
	char *ta, *tb, *day;
	GDateTime *dt;
	guint i;

	for (i = 1; d->timeline != NULL && i < d->timeline->len; i++) {
		a = &g_array_index(d->timeline, struct ds_policy_span, i - 1);
		b = &g_array_index(d->timeline, struct ds_policy_span, i);
		if (!ds_policy_weaker(a, b, &what))
			continue;
		ta = ds_policy_span_text(a);
		tb = ds_policy_span_text(b);
		dt = g_date_time_new_from_unix_utc(b->since);
		day = dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("?");
		if (dt != NULL)
			g_date_time_unref(dt);
		f = ds_doctor_add(d, DS_SEV_WARNING, "dmarc-policy-downgrade",
		    b->reports, "the DMARC policy of %s was weakened in the "
		    "reports from %s (%s): %s before, %s after", d->domain,
		    day, what, ds_doctor_q(d, ta), ds_doctor_q(d, tb));
		g_free(day);
		ds_ev_str(f, "before", ta);
		ds_ev_str(f, "after", tb);
		ds_ev_str(f, "weakening", what);
		ds_ev_time(f, "before_since", a->since);
		ds_ev_time(f, "changed_at", b->since);
		ds_ev_int(f, "reports_after", b->reports);
		ds_finding_fix(f, "If the weaker policy was not meant (a DNS "
		    "host migration or an edit that reverted the record), "
		    "publish the stronger one again at _dmarc.%s. If it was "
		    "meant (legitimate mail being rejected), fix that mail "
		    "with the records the other findings name, then restore "
		    "the policy.", d->domain);
		g_free(ta);
		g_free(tb);
	}
}
