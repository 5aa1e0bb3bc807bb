/*
 * failure_verify.c - re-verify a failure report's sample (SPF, DKIM,
 * DMARC through ingest/verify/verify.h) and record the differences from what
 * the reporter claimed.
 * SPDX-License-Identifier: MIT
 *
 * RFC 6591 §3.1 (Source-IP, Original-Mail-From), RFC 7208 §2.3-2.4 (the
 * MAIL FROM identity, else HELO), RFC 8601 (the reporter's
 * smtp.mailfrom / smtp.helo when the report leaves the envelope out).
 * THREATS #12: only the topmost Authentication-Results counts; #17: one
 * DNS budget window per sample.
 */
#include <string.h>

#include "ingest/failure/authres.h"
#include "ingest/failure/failure_diff.h"
#include "ingest/failure/failure_keep.h"
#include "ingest/failure/failure_verify.h"
#include "ingest/verify/verify.h"

static const char *
mode_name(const struct ds_dns *dns)
{
	switch (ds_dns_get_mode(dns)) {
	case DS_DNS_ZONE:
		return "zone";
	case DS_DNS_OFF:
		return "offline";
	default:
		return "system";
	}
}

/* The SPF identities of the reporter's A-R (feedback part, else sample). */
static void
envelope_claims(const struct ds_failure *f, char **out_mailfrom,
    char **out_helo)
{
	const char *ar[2] = { f->auth_results, f->sample_auth_results };
	const struct ds_authres *r;
	GArray *a;
	guint i, k;

	*out_mailfrom = *out_helo = NULL;
	for (k = 0; k < 2; k++) {
		a = ds_authres_parse(ar[k], NULL);
		for (i = 0; i < a->len; i++) {
			r = &g_array_index(a, struct ds_authres, i);
			if (strcmp(r->method, "spf") != 0)
				continue;
			if (*out_mailfrom == NULL && r->smtp_mailfrom &&
			    *r->smtp_mailfrom)
				*out_mailfrom = g_strdup(r->smtp_mailfrom);
			if (*out_helo == NULL && r->smtp_helo && *r->smtp_helo)
				*out_helo = g_strdup(r->smtp_helo);
		}
		ds_authres_free(a);
	}
}

/* Original-Mail-From as an address: "<a@b>" -> "a@b", "" -> "<>". */
static char *
mail_from(const struct ds_failure *f, char *claimed)
{
	char *s, *lt, *gt;

	if (f->original_mail_from == NULL) {
		if (claimed && strchr(claimed, '@') == NULL)
			return g_strconcat("postmaster@", claimed, NULL);
		return g_strdup(claimed);
	}
	s = g_strstrip(g_strdup(f->original_mail_from));
	if ((lt = strchr(s, '<')) != NULL && (gt = strchr(lt, '>')) != NULL) {
		*gt = '\0';
		memmove(s, lt + 1, strlen(lt + 1) + 1);
	}
	if (*s == '\0') {
		g_free(s);
		return g_strdup("<>");	/* null reverse-path: HELO counts */
	}
	return s;
}

static char *
dkim_summary(const struct ds_verify_result *r)
{
	GString *g = g_string_new(NULL);
	const struct ds_dkim_verdict *v;
	guint i;

	for (i = 0; r->dkim && i < r->dkim->len; i++) {
		v = &g_array_index(r->dkim, struct ds_dkim_verdict, i);
		if (i)
			g_string_append_c(g, ',');
		g_string_append(g, v->result ? v->result : "temperror");
	}
	if (g->len == 0)
		g_string_append(g, "none");
	return g_string_free(g, FALSE);
}

static void
forget(struct ds_failure *f)
{
	g_clear_pointer(&f->verification, g_free);
	g_clear_pointer(&f->verification_text, g_free);
	g_clear_pointer(&f->spf_now, g_free);
	g_clear_pointer(&f->dkim_now, g_free);
	g_clear_pointer(&f->dmarc_now, g_free);
	g_clear_pointer(&f->dns_mode, g_free);
	g_ptr_array_set_size(f->differences, 0);
	f->verified_at = 0;
}

bool
ds_failure_verify_input(const struct ds_failure *f,
    struct ds_verify_input *in, char **out_mail_from, char **out_helo)
{
	char *claimed_from;

	*out_mail_from = *out_helo = NULL;
	if (f->sample == NULL || f->sample_len == 0)
		return false;
	envelope_claims(f, &claimed_from, out_helo);
	*out_mail_from = mail_from(f, claimed_from);
	g_free(claimed_from);
	in->msg = f->sample;
	in->len = f->sample_len;
	in->headers_only = f->headers_only;
	in->source_ip = f->source_ip;
	in->mail_from = *out_mail_from;
	in->helo = *out_helo;
	return true;
}

/* One verdict: temperror without DNS becomes what it is. */
static void
offline_word(char **result, char **reason)
{
	if (*result == NULL || strcmp(*result, "temperror") != 0)
		return;
	g_free(*result);
	*result = g_strdup(DS_NOT_CHECKED_OFFLINE);
	g_free(*reason);
	*reason = g_strdup("no DNS lookups with --offline");
}

/*
 * Re-verified --offline, every check that needed DNS says "not checked
 * (offline)", never "temperror", which reads as a DNS fault (issue 12).
 */
static void
offline_words(struct ds_verify_result *r)
{
	guint i;

	offline_word(&r->spf.result, &r->spf.reason);
	offline_word(&r->dmarc.result, &r->dmarc.reason);
	for (i = 0; r->dkim != NULL && i < r->dkim->len; i++) {
		struct ds_dkim_verdict *v = &g_array_index(r->dkim,
		    struct ds_dkim_verdict, i);

		offline_word(&v->result, &v->reason);
	}
}

void
ds_failure_reverify(struct ds_failure *f, struct ds_dns *dns, int64_t now)
{
	struct ds_verify_input in;
	struct ds_verify_result r;
	char *helo = NULL, *from = NULL;
	enum ds_store_samples how;
	GString *g;
	GError *e = NULL;

	/*
	 * A sample stored redacted (or not at all) cannot be checked
	 * again: its headers were changed on purpose, DKIM would "fail".
	 * The verdict at ingest, on the sample as received, stands.
	 */
	how = ds_failure_stored_as(f);
	if (how == DS_SAMPLES_REDACTED || how == DS_SAMPLES_NONE) {
		char *t = g_strdup_printf("not re-verified now: the sample was "
		    "stored %s ([ingest] store-samples); the verdict at ingest, "
		    "on the sample as received:%s%s",
		    how == DS_SAMPLES_NONE ? "not at all" : "redacted",
		    f->verification_text ? "\n" : " none",
		    f->verification_text ? f->verification_text : "");
		g_free(f->verification_text);
		f->verification_text = t;
		return;
	}
	forget(f);
	if (dns == NULL) {
		f->verification_text = g_strdup("not re-verified: no DNS "
		    "resolver");
		return;
	}
	memset(&in, 0, sizeof(in));
	if (!ds_failure_verify_input(f, &in, &from, &helo)) {
		f->verification_text = g_strdup("not re-verified: the report "
		    "holds no copy of the original message");
		return;
	}
	ds_dns_budget_restart(dns);
	f->dns_mode = g_strdup(mode_name(dns));
	f->verified_at = now;

	if (!ds_verify_message(dns, &in, &r, &e)) {
		f->verification_text = g_strdup_printf("not re-verified: %s",
		    e ? e->message : "unknown error");
		g_clear_error(&e);
		goto done;
	}
	if (ds_dns_get_mode(dns) == DS_DNS_OFF)
		offline_words(&r);
	g = g_string_new(NULL);
	ds_verify_result_json(g, &r);
	f->verification = g_string_free(g, FALSE);
	g = g_string_new(NULL);
	ds_verify_result_text(g, &r);
	f->verification_text = g_string_free(g, FALSE);
	if (r.spf_checked && r.spf.result)
		f->spf_now = g_strdup(r.spf.result);
	f->dkim_now = dkim_summary(&r);
	f->dmarc_now = g_strdup(r.dmarc.result);
	ds_failure_diff(f, &r, f->differences);
done:
	ds_verify_result_clear(&r);
	g_free(helo);
	g_free(from);
}
