/*
 * failure_diff.c - name the differences between a failure report's
 * claims and our re-verification of its sample.
 * SPDX-License-Identifier: MIT
 *
 * Claims (RFC 6591 §3.1, RFC 8601): the topmost Authentication-Results
 * of the feedback part; for a method it does not mention, the topmost
 * one of the sample (the reporter's receiving server adds it last; lower
 * ones may be forged, THREATS #12 and THREATS.md "Observed"); then
 * Auth-Failure, Identity-Alignment and DKIM-Domain. Each difference is
 * one line "reporter: <claim>; now: <verdict> — <why>".
 */
#include <string.h>

#include "ingest/failure/authres.h"
#include "ingest/failure/failure_diff.h"
#include "ingest/failure/failure_verify.h"

#define DASH " \xe2\x80\x94 "	/* " — " */

struct diff {
	GPtrArray *out;
	const struct ds_verify_result *r;
	bool spf_done, dkim_done, dmarc_done;	/* an A-R claim compared */
};

static void
add(struct diff *d, char *s)
{
	guint i;

	for (i = 0; i < d->out->len; i++) {
		if (strcmp(g_ptr_array_index(d->out, i), s) == 0) {
			g_free(s);
			return;
		}
	}
	g_ptr_array_add(d->out, s);
}

/* A verdict we can compare: determined, not a DNS failure. */
static bool
firm(const char *result)
{
	return result && strcmp(result, "temperror") != 0 &&
	    strcmp(result, DS_NOT_CHECKED_OFFLINE) != 0;
}

static bool
same(const char *a, const char *b)
{
	return a && b && g_ascii_strcasecmp(a, b) == 0;
}

static const struct ds_authres *
claim(GArray *a, const char *method)
{
	guint i;

	for (i = 0; a && i < a->len; i++)
		if (strcmp(g_array_index(a, struct ds_authres, i).method,
		    method) == 0)
			return &g_array_index(a, struct ds_authres, i);
	return NULL;
}

static void
diff_spf(struct diff *d, const struct ds_authres *c)
{
	const struct ds_spf_verdict *v = &d->r->spf;
	const char *why;

	if (c == NULL || !d->r->spf_checked || !firm(v->result))
		return;
	d->spf_done = true;
	if (same(c->result, v->result))
		return;
	if (strcmp(v->result, "pass") == 0)
		why = "SPF record changed since";
	else
		why = v->reason ? v->reason : "SPF record changed since";
	add(d, g_strdup_printf("reporter: spf=%s; now: spf=%s%s%s",
	    c->result, v->result, DASH, why));
}

static const struct ds_dkim_verdict *
find_sig(const struct ds_verify_result *r, const char *dom, const char *sel)
{
	const struct ds_dkim_verdict *v;
	guint i;

	for (i = 0; r->dkim && i < r->dkim->len; i++) {
		v = &g_array_index(r->dkim, struct ds_dkim_verdict, i);
		if (same(v->domain, dom) && (sel == NULL || same(v->selector,
		    sel)))
			return v;
	}
	return NULL;
}

static char *
sig_name(const char *dom, const char *sel)
{
	if (dom && sel)
		return g_strdup_printf(" (d=%s s=%s)", dom, sel);
	return dom ? g_strdup_printf(" (d=%s)", dom) : g_strdup("");
}

/* One DKIM claim against the matching verdict. */
static void
diff_one_dkim(struct diff *d, const char *claimed, const char *dom,
    const char *sel, const struct ds_dkim_verdict *v)
{
	char *name = sig_name(dom ? dom : v ? v->domain : NULL,
	    sel ? sel : v ? v->selector : NULL);
	const char *why;

	if (v == NULL) {
		add(d, g_strdup_printf("reporter: dkim=%s%s; now: no such "
		    "signature in the sample", claimed, name));
	} else if (firm(v->result) && !same(v->result, "neutral") &&
	    !same(claimed, v->result)) {
		/* neutral: not checkable here (headers-only sample) */
		why = strcmp(v->result, "pass") == 0 ? "key published since" :
		    v->reason ? v->reason : "key changed since";
		add(d, g_strdup_printf("reporter: dkim=%s%s; now: dkim=%s%s%s",
		    claimed, name, v->result, DASH, why));
	}
	g_free(name);
}

static void
diff_dkim(struct diff *d, GArray *ar)
{
	const struct ds_verify_result *r = d->r;
	const struct ds_dkim_verdict *v;
	const struct ds_authres *c;
	guint i, k = 0;

	for (i = 0; ar && i < ar->len; i++) {
		c = &g_array_index(ar, struct ds_authres, i);
		if (strcmp(c->method, "dkim") != 0)
			continue;
		d->dkim_done = true;
		if (strcmp(c->result, "none") == 0) {
			/* the reporter saw no signature; we see some */
			for (k = 0; r->dkim && k < r->dkim->len; k++) {
				v = &g_array_index(r->dkim,
				    struct ds_dkim_verdict, k);
				if (firm(v->result) && strcmp(v->result,
				    "none") != 0)
					diff_one_dkim(d, "none", NULL, NULL,
					    v);
			}
			continue;
		}
		if (c->header_d)
			v = find_sig(r, c->header_d, c->header_s);
		else	/* no d=: pair the claims with signatures in order */
			v = r->dkim && k < r->dkim->len ?
			    &g_array_index(r->dkim, struct ds_dkim_verdict,
			    k) : NULL;
		k++;
		diff_one_dkim(d, c->result, c->header_d, c->header_s, v);
	}
}

static void
diff_dmarc(struct diff *d, const struct ds_authres *c)
{
	const struct ds_dmarc_verdict *v = &d->r->dmarc;
	const char *why;

	if (c == NULL || !firm(v->result))
		return;
	d->dmarc_done = true;
	if (same(c->result, v->result))
		return;
	if (strcmp(v->result, "pass") == 0)
		why = v->dkim_aligned ? "aligned DKIM passes now" :
		    "aligned SPF passes now";
	else if (strcmp(v->result, "none") == 0)
		why = "no DMARC policy published now";
	else
		why = "no aligned pass now";
	add(d, g_strdup_printf("reporter: dmarc=%s; now: dmarc=%s%s%s",
	    c->result, v->result, DASH, why));
}

/* RFC 6591 §3.1 Auth-Failure, where no A-R claim covered it. */
static void
diff_auth_failure(struct diff *d, const struct ds_failure *f)
{
	const struct ds_verify_result *r = d->r;
	const struct ds_dkim_verdict *v = NULL;
	const char *af = f->auth_failure;
	char *name;

	if (af == NULL)
		return;
	if (strcmp(af, "spf") == 0 && !d->spf_done && r->spf_checked &&
	    same(r->spf.result, "pass"))
		add(d, g_strdup("reporter: auth-failure=spf; now: spf=pass"));
	if (strcmp(af, "dmarc") == 0 && !d->dmarc_done &&
	    same(r->dmarc.result, "pass"))
		add(d, g_strdup("reporter: auth-failure=dmarc; now: "
		    "dmarc=pass"));
	if ((strcmp(af, "dkim") == 0 || strcmp(af, "signature") == 0 ||
	    strcmp(af, "bodyhash") == 0 || strcmp(af, "revoked") == 0) &&
	    !d->dkim_done) {
		if (f->dkim_domain)
			v = find_sig(r, f->dkim_domain, f->dkim_selector);
		else if (r->dkim && r->dkim->len == 1)
			v = &g_array_index(r->dkim, struct ds_dkim_verdict, 0);
		if (v && same(v->result, "pass")) {
			name = sig_name(v->domain, v->selector);
			add(d, g_strdup_printf("reporter: auth-failure=%s%s; "
			    "now: dkim=pass%s%s", af, name, DASH,
			    strcmp(af, "bodyhash") == 0 ? "body hash matches" :
			    "key published since"));
			g_free(name);
		}
	}
}

static void
diff_alignment(struct diff *d, const struct ds_failure *f)
{
	const struct ds_dmarc_verdict *v = &d->r->dmarc;
	const char *now;

	if (f->identity_alignment == NULL || !firm(v->result) ||
	    v->from_domain == NULL)
		return;
	now = v->dkim_aligned && v->spf_aligned ? "dkim,spf" :
	    v->dkim_aligned ? "dkim" : v->spf_aligned ? "spf" : "none";
	if (strcmp(now, f->identity_alignment) != 0)
		add(d, g_strdup_printf("reporter: identity-alignment=%s; now: "
		    "identity-alignment=%s", f->identity_alignment, now));
}

static void
diff_dkim_domain(struct diff *d, const struct ds_failure *f)
{
	if (f->dkim_domain == NULL || f->sample == NULL ||
	    find_sig(d->r, f->dkim_domain, NULL) != NULL)
		return;
	add(d, g_strdup_printf("reporter: dkim-domain=%s; now: no signature "
	    "by %s in the sample", f->dkim_domain, f->dkim_domain));
}

void
ds_failure_diff(const struct ds_failure *f, const struct ds_verify_result *r,
    GPtrArray *out)
{
	struct diff d = { out, r, false, false, false };
	GArray *rep = ds_authres_parse(f->auth_results, NULL);
	GArray *smp = ds_authres_parse(f->sample_auth_results, NULL);
	GArray *dk;

	diff_spf(&d, claim(rep, "spf") ? claim(rep, "spf") :
	    claim(smp, "spf"));
	dk = claim(rep, "dkim") ? rep : smp;
	diff_dkim(&d, dk);
	diff_dmarc(&d, claim(rep, "dmarc") ? claim(rep, "dmarc") :
	    claim(smp, "dmarc"));
	diff_auth_failure(&d, f);
	diff_alignment(&d, f);
	diff_dkim_domain(&d, f);
	ds_authres_free(rep);
	ds_authres_free(smp);
}
