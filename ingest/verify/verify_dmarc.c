/*
 * verify_dmarc.c - the DMARC verdict of a sample: policy discovery,
 * identifier alignment and the result (RFC 7489 §3.1, §6.6; RFC 9989
 * §4.10 tree walk, np), over schema/policy/dmarc_policy.h.
 * SPDX-License-Identifier: MIT
 *
 * A message passes when an SPF pass or a DKIM pass is aligned with the
 * RFC5322.From domain (relaxed: same organizational domain; strict:
 * equal names), under aspf/adkim of the policy found. Without a policy
 * the result is "none"; alignment is still shown (relaxed).
 */
#include <string.h>

#include "schema/policy/dmarc_policy.h"
#include "ingest/verify/verify_priv.h"

static const char *
mode_word(char m)
{
	return m == 's' ? "strict" : "relaxed";
}

/* the note ds_dmarc_discover leaves about several records, or NULL */
static const char *
several(const struct ds_dmarc_policy *p)
{
	guint i;

	for (i = 0; p->notes != NULL && i < p->notes->len; i++)
		if (strstr(p->notes->pdata[i], "DMARC records") != NULL)
			return p->notes->pdata[i];
	return NULL;
}

/* discover by in->discovery; AUTO falls back to the tree walk */
static enum ds_dmarc_disc
discover(struct ds_dns *dns, const struct ds_verify_input *in,
    const char *from, struct ds_dmarc_policy *p)
{
	enum ds_dmarc_disc how;

	how = in->discovery == DS_VERIFY_DISC_TREEWALK ?
	    DS_DMARC_DISC_TREEWALK : DS_DMARC_DISC_PSL;
	(void)ds_dmarc_discover(dns, from, how, p);
	/* several records end RFC 7489 discovery: no walk past them */
	if (in->discovery == DS_VERIFY_DISC_AUTO && !p->found &&
	    !p->tempfail && several(p) == NULL) {
		ds_dmarc_policy_clear(p);
		how = DS_DMARC_DISC_TREEWALK;
		(void)ds_dmarc_discover(dns, from, how, p);
		if (!p->found && !p->tempfail) {
			/* nothing either way: report the PSL view */
			ds_dmarc_policy_clear(p);
			how = DS_DMARC_DISC_PSL;
			(void)ds_dmarc_discover(dns, from, how, p);
		}
	}
	return how;
}

static void
align(struct ds_dns *dns, const char *from, char aspf, char adkim,
    enum ds_dmarc_disc how, struct ds_verify_result *r, GString *why)
{
	struct ds_dmarc_verdict *v = &r->dmarc;
	const char *dkim_pass = NULL;
	guint i;

	if (r->spf_checked && r->spf.result != NULL &&
	    strcmp(r->spf.result, "pass") == 0)
		v->spf_aligned = ds_dmarc_aligned(dns, from, r->spf.domain,
		    aspf, how);
	for (i = 0; i < r->dkim->len && !v->dkim_aligned; i++) {
		struct ds_dkim_verdict *d = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		if (d->result == NULL || strcmp(d->result, "pass") != 0)
			continue;
		dkim_pass = d->domain;
		if (ds_dmarc_aligned(dns, from, d->domain, adkim, how))
			v->dkim_aligned = true;
	}
	if (v->dkim_aligned)
		g_string_append_printf(why, "DKIM d=%s aligned (%s)",
		    dkim_pass, mode_word(adkim));
	if (v->spf_aligned)
		g_string_append_printf(why, "%sSPF %s aligned (%s)",
		    v->dkim_aligned ? "; " : "", r->spf.domain,
		    mode_word(aspf));
	if (v->spf_aligned || v->dkim_aligned)
		return;
	if (dkim_pass != NULL)
		g_string_append_printf(why, "DKIM pass for d=%s not aligned "
		    "with %s (%s)", dkim_pass, from, mode_word(adkim));
	else
		g_string_append(why, "no DKIM pass");
	if (!r->spf_checked)
		g_string_append(why, "; SPF not evaluated (no source IP or "
		    "MAIL FROM)");
	else if (strcmp(r->spf.result, "pass") == 0)
		g_string_append_printf(why, "; SPF pass for %s not aligned "
		    "(%s)", r->spf.domain, mode_word(aspf));
	else
		g_string_append_printf(why, "; SPF %s", r->spf.result);
}

void
ds_verify_dmarc(struct ds_dns *dns, const struct ds_verify_input *in,
    const char *from_domain, const char *from_problem,
    struct ds_verify_result *r)
{
	struct ds_dmarc_verdict *v = &r->dmarc;
	struct ds_dmarc_policy p;
	enum ds_dmarc_disc how;
	const char *applied;
	GString *why;

	if (from_domain == NULL) {
		v->result = g_strdup("permerror");
		v->reason = g_strdup(from_problem ? from_problem :
		    "no RFC5322.From domain");
		return;
	}
	how = discover(dns, in, from_domain, &p);
	v->from_domain = g_strdup(p.domain);
	v->org_domain = g_strdup(p.org_domain);
	v->discovery = g_strdup(how == DS_DMARC_DISC_TREEWALK ? "treewalk" :
	    "psl");
	why = g_string_new(NULL);
	if (p.found) {
		v->record = g_strdup(p.rec.text);
		v->record_domain = g_strconcat("_dmarc.", p.record_domain,
		    NULL);
		applied = ds_dmarc_applied_policy(dns, &p);
		v->policy = g_strdup(applied);
		align(dns, p.domain, p.rec.aspf, p.rec.adkim, how, r, why);
		v->result = g_strdup(v->spf_aligned || v->dkim_aligned ?
		    "pass" : "fail");
		if (applied != NULL && applied != p.rec.p)
			g_string_append_printf(why, "; policy %s=%s "
			    "(from %s)", applied == p.rec.np ? "np" : "sp",
			    applied, v->record_domain);
	} else if (p.tempfail) {
		v->result = g_strdup("temperror");
		g_string_append_printf(why, "DMARC record lookup failed: %s",
		    p.notes->len > 0 ? (char *)p.notes->pdata[0] : "DNS");
	} else {
		bool up = strcmp(p.domain, p.org_domain) != 0;
		const char *many = several(&p);
		char *head;

		head = many != NULL ? g_strdup_printf("%s; ", many) :
		    g_strdup_printf("no DMARC record at _dmarc.%s%s%s; ",
		    p.domain, up ? " or _dmarc." : "", up ? p.org_domain : "");

		v->result = g_strdup("none");
		align(dns, p.domain, 'r', 'r', how, r, why);
		g_string_prepend(why, head);
		g_free(head);
	}
	v->reason = g_string_free(why, FALSE);
	ds_dmarc_policy_clear(&p);
}
