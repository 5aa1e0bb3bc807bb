/*
 * doctor_senders.c - who sends as the domain (SPEC section 4): unknown
 * sources failing DMARC in volume, told apart as likely spoofing (no
 * DKIM signature of the domain, no forwarding reason) or forwarding and
 * mailing lists (the domain's signature present, or DKIM pass with SPF
 * fail from hosts that are neither ours nor a known service: RFC 7489
 * §10.1 / RFC 7960), and our own passing IPs without forward-confirmed
 * reverse DNS or with a PTR name outside the organizational domain.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "report/doctor/doctor.h"

#define VOLUME 10		/* messages before a class is a finding */
#define MAX_ENRICH 20		/* sources looked up per check */

/* Would receivers act on failing mail today? */
static bool
enforced(const struct ds_doctor *d)
{
	return d->has_dmarc && strcmp(d->dmarc.p, "none") != 0 &&
	    d->dmarc.pct == 100 && !d->dmarc.testing;
}

static int64_t
failing(const struct ds_doc_src *s)
{
	return s->messages - s->dmarc_pass;
}

static void
spoofing(struct ds_doctor *d, GPtrArray *a, int64_t n)
{
	struct ds_finding *f;
	bool enf = enforced(d);
	guint i;

	for (i = 0; i < a->len && i < 5; i++)
		ds_doctor_enrich(d, a->pdata[i]);
	f = ds_doctor_add(d, enf ? DS_SEV_INFO : DS_SEV_WARNING,
	    "sender-unknown-spoofing", n, "%" G_GINT64_FORMAT " messages "
	    "from %u unknown source%s failed DMARC without a DKIM "
	    "signature of %s by a selector it uses: likely spoofing%s", n, a->len,
	    a->len == 1 ? "" : "s", d->domain, enf ? ", which your policy "
	    "already tells receivers to block" : ", and no enforced DMARC "
	    "policy blocks it");
	ds_ev_int(f, "messages", n);
	ds_ev_sources(f, "sources", a, 10);
	ds_ev_str(f, "policy", d->has_dmarc ? d->dmarc.p : NULL);
	/* nothing authenticates these: no SPF or DKIM advice for them */
	if (enf)
		ds_finding_fix(f, "Nothing to change: your policy already "
		    "tells receivers to block them. If one of these sources "
		    "is in fact yours, declare it (ours = IP in the "
		    "[domain:%s] section of the configuration) and run "
		    "doctor again for what to publish.", d->domain);
	else
		ds_finding_fix(f, "Move the DMARC policy of %s to "
		    "p=quarantine, then p=reject (with pct=100 and without "
		    "t=y), so receivers block them, once your own failing "
		    "mail is fixed (see dmarc-policy-none). If one of these "
		    "sources is in fact yours, declare it (ours = IP in the "
		    "[domain:%s] section of the configuration) first.",
		    d->domain, d->domain);
}

static void
forwarding(struct ds_doctor *d, GPtrArray *a, int64_t n)
{
	struct ds_finding *f;
	int64_t said = 0;
	guint i;

	/* the receivers' own word (RFC 7489 appendix C <reason>) */
	for (i = 0; i < a->len; i++)
		ds_count_add(&said, ((const struct ds_doc_src *)
		    a->pdata[i])->fwd_reason);
	if (said > n)
		said = n;
	f = ds_doctor_add(d, DS_SEV_INFO, "sender-forwarding", n,
	    "%" G_GINT64_FORMAT " messages from %u source%s look forwarded "
	    "or sent through mailing lists: your mail re-sent by other "
	    "hosts (your DKIM signature intact or broken by a list, the "
	    "envelope rewritten by a forwarder, Gmail or a Google "
	    "Group%s)%s", n, a->len, a->len == 1 ? "" : "s",
	    said > 0 ? ", or marked so by the reporters" : "", said > 0 ?
	    ds_doctor_fmt(d, "; the reporters marked %" G_GINT64_FORMAT
	    " of them forwarded, mailing_list or trusted_forwarder", said) :
	    "");
	ds_ev_int(f, "messages", n);
	ds_ev_int(f, "reporter_reasons", said);
	ds_ev_sources(f, "sources", a, 10);
	ds_finding_fix(f, "Nothing to publish for these: forwarding breaks "
	    "SPF, so keep DKIM signing on all mail of %s (DMARC then "
	    "passes on DKIM). Lists that modify messages break DKIM too; "
	    "they should rewrite From or add ARC (RFC 8617).", d->domain);
}

/* one of our own servers (no service, or a rented cloud machine) */
static bool
is_own(const struct ds_doc_src *s)
{
	return (s->service == NULL || s->hosting) && s->cls == DS_CLASS_OURS;
}

/* our passing IPs: PTR missing, not confirmed, or not under our org */
static void
own_ptr(struct ds_doctor *d)
{
	GPtrArray *none = g_ptr_array_new(), *unconf = g_ptr_array_new(),
	    *unal = g_ptr_array_new();
	struct ds_finding *f;
	const struct ds_doc_src *s0;
	unsigned looked = 0;
	guint i;

	for (i = 0; i < d->sources->len && looked < MAX_ENRICH; i++) {
		struct ds_doc_src *s = d->sources->pdata[i];

		if (s->spf_pass == 0 || s->ip == NULL)
			continue;
		looked++;
		ds_doctor_enrich(d, s);
		if (!s->enriched || !is_own(s))
			continue;
		if (s->ptr == NULL)
			g_ptr_array_add(none, s);
		else if (s->ptr_confirmed == 0)
			g_ptr_array_add(unconf, s);
		else if (!ds_doctor_within(s->ptr, d->org))
			g_ptr_array_add(unal, s);
	}
	if (none->len > 0) {
		s0 = none->pdata[0];
		f = ds_doctor_add(d, DS_SEV_WARNING, "sender-ptr-missing",
		    s0->messages, "%u of your passing sending IP%s ha%s no "
		    "PTR record (first: %s); many receivers distrust mail "
		    "from hosts without reverse DNS", none->len,
		    none->len == 1 ? "" : "s", none->len == 1 ? "s" : "ve",
		    s0->ip);
		ds_ev_sources(f, "sources", none, 10);
		ds_finding_fix(f, "Ask the owner of the address (your hosting "
		    "provider or ISP) to set the PTR of %s to the name the "
		    "server uses in HELO, e.g. mail.%s, and publish an A/AAAA "
		    "record for that name pointing back to %s.", s0->ip,
		    d->domain, s0->ip);
	}
	if (unconf->len > 0) {
		s0 = unconf->pdata[0];
		f = ds_doctor_add(d, DS_SEV_WARNING, "sender-fcrdns-mismatch",
		    s0->messages, "the PTR name %s of your sending IP %s does "
		    "not resolve back to it (no forward-confirmed reverse "
		    "DNS)%s", ds_doctor_q(d, s0->ptr), s0->ip,
		    unconf->len > 1 ? ds_doctor_fmt(d, "; %u IPs in all",
		    unconf->len) : "");
		ds_ev_sources(f, "sources", unconf, 10);
		ds_finding_fix(f, "Publish an %s record for %s pointing to "
		    "%s, or have the PTR changed to a name that does.",
		    strchr(s0->ip, ':') ? "AAAA" : "A", ds_doctor_q(d,
		    s0->ptr), s0->ip);
	}
	if (unal->len > 0) {
		s0 = unal->pdata[0];
		f = ds_doctor_add(d, DS_SEV_INFO, "sender-ptr-unaligned",
		    s0->messages, "your sending IP %s has the PTR name %s, "
		    "outside %s%s", s0->ip, ds_doctor_q(d, s0->ptr), d->org,
		    unal->len > 1 ? ds_doctor_fmt(d, " (%u IPs in all)",
		    unal->len) : "");
		ds_ev_sources(f, "sources", unal, 10);
		ds_finding_fix(f, "Give the server a name under %s (e.g. "
		    "mail.%s) for its PTR, A record and HELO; receivers "
		    "score mismatched host names.", d->org, d->domain);
	}
	g_ptr_array_unref(none);
	g_ptr_array_unref(unconf);
	g_ptr_array_unref(unal);
}

bool
ds_doctor_senders(struct ds_doctor *d, GError **err)
{
	GPtrArray *spoof = g_ptr_array_new(), *fwd = g_ptr_array_new();
	int64_t nspoof = 0, nfwd = 0;
	guint i;

	(void)err;
	/*
	 * The classes decide (report/classify): unknown sources failing
	 * are spoofing; forwarders are forwarding; ours and services that
	 * fail get the record to publish from the SPF and DKIM families,
	 * never "spoofing".
	 */
	for (i = 0; i < d->sources->len; i++) {
		struct ds_doc_src *s = d->sources->pdata[i];

		if (s->cls == DS_CLASS_UNKNOWN && failing(s) > 0) {
			g_ptr_array_add(spoof, s);
			ds_count_add(&nspoof, failing(s));
		} else if (s->cls == DS_CLASS_FORWARDER && (failing(s) > 0 ||
		    s->dkim_pass_spf_fail > 0)) {
			g_ptr_array_add(fwd, s);
			ds_count_add(&nfwd, failing(s) > 0 ? failing(s) :
			    s->dkim_pass_spf_fail);
		}
	}
	if (nspoof >= VOLUME)
		spoofing(d, spoof, nspoof);
	if (nfwd >= VOLUME)
		forwarding(d, fwd, nfwd);
	own_ptr(d);
	g_ptr_array_unref(spoof);
	g_ptr_array_unref(fwd);
	return true;
}
