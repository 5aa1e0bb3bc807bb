/*
 * doctor_dkim.c - DKIM findings from the selectors seen in aggregate
 * reports (auth_results/dkim selector, RFC 7489 appendix C): key TXT at
 * selector._domainkey.domain missing, malformed or revoked while mail
 * signed with it fails (RFC 6376 §3.6.1, §6.1.2), RSA keys under 1024
 * bits (RFC 8301 §3.2: error) or under 2048 (warning), and selectors
 * that pass at one reporter and fail at another.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/count.h"
#include "schema/store/store_doctor.h"
#include "report/doctor/dkim_key.h"
#include "report/doctor/doctor.h"
#include "report/text/table.h"

#define MAX_SELECTORS 30
#define MIN_FAIL 5		/* failing messages worth a finding */
#define GOOD_RATE 0.9		/* a reporter where the selector works */
#define BAD_RATE 0.5		/* a reporter where it mostly fails */

struct rep {
	int64_t pass, fail;
};

struct sel {
	char *domain, *selector;
	int64_t pass, fail;
	int64_t spf_pass;	/* messages SPF says are ours */
	GHashTable *reporters;	/* org_name -> struct rep */
};

static void
sel_free(gpointer p)
{
	struct sel *s = p;

	g_free(s->domain);
	g_free(s->selector);
	g_hash_table_destroy(s->reporters);
	g_free(s);
}

struct walk {
	struct ds_doctor *d;
	GHashTable *by_key;	/* "domain selector" -> struct sel */
	GPtrArray *order;	/* struct sel *, first seen first */
};

/* RFC 8601 result words: pass, and what means the signature failed */
static int
classify(const char *r)
{
	if (r == NULL)
		return 0;
	if (strcmp(r, "pass") == 0)
		return 1;
	if (strcmp(r, "fail") == 0 || strcmp(r, "permerror") == 0 ||
	    strcmp(r, "neutral") == 0 || strcmp(r, "policy") == 0 ||
	    strcmp(r, "hardfail") == 0 || strcmp(r, "softfail") == 0)
		return -1;
	return 0;	/* none, temperror, unknown words */
}

static bool
sel_cb(const struct ds_doc_selector *r, void *payload)
{
	struct walk *w = payload;
	struct sel *s;
	struct rep *rp;
	char *key;
	int c = classify(r->result);

	if (c == 0 || r->selector == NULL || *r->selector == '\0' ||
	    !ds_doctor_within(r->domain, w->d->org))
		return true;
	key = g_strdup_printf("%s %s", r->domain, r->selector);
	s = g_hash_table_lookup(w->by_key, key);
	if (s == NULL) {
		if (w->order->len >= MAX_SELECTORS) {
			g_free(key);
			return true;
		}
		s = g_new0(struct sel, 1);
		s->domain = g_strdup(r->domain);
		s->selector = g_strdup(r->selector);
		s->reporters = g_hash_table_new_full(g_str_hash, g_str_equal,
		    g_free, g_free);
		g_hash_table_insert(w->by_key, key, s);
		g_ptr_array_add(w->order, s);
	} else
		g_free(key);
	rp = g_hash_table_lookup(s->reporters, r->org_name);
	if (rp == NULL) {
		rp = g_new0(struct rep, 1);
		g_hash_table_insert(s->reporters, g_strdup(r->org_name), rp);
	}
	ds_count_add(&s->spf_pass, r->spf_pass);
	if (c > 0) {
		ds_count_add(&rp->pass, r->messages);
		ds_count_add(&s->pass, r->messages);
	} else {
		ds_count_add(&rp->fail, r->messages);
		ds_count_add(&s->fail, r->messages);
	}
	return true;
}

static void
ev_sel(struct ds_finding *f, const struct sel *s, const char *name)
{
	ds_ev_str(f, "domain", s->domain);
	ds_ev_str(f, "selector", s->selector);
	ds_ev_str(f, "name", name);
	ds_ev_int(f, "messages_fail", s->fail);
	ds_ev_int(f, "messages_pass", s->pass);
	ds_ev_int(f, "reporters", g_hash_table_size(s->reporters));
}

/* pass at one reporter, fail at another, with a working key */
static void
inconsistent(struct ds_doctor *d, const struct sel *s, const char *name)
{
	GPtrArray *good = g_ptr_array_new(), *bad = g_ptr_array_new();
	GString *j = g_string_new("{"), *t = g_string_new(NULL);
	GHashTableIter it;
	gpointer k, v;
	struct ds_finding *f;
	int64_t badfail = 0;

	g_hash_table_iter_init(&it, s->reporters);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		const struct rep *r = v;
		double rate = (double)r->pass / (double)(r->pass + r->fail);

		if (r->pass > 0 && rate >= GOOD_RATE)
			g_ptr_array_add(good, k);
		else if (r->fail >= MIN_FAIL && 1 - rate >= BAD_RATE) {
			g_ptr_array_add(bad, k);
			ds_count_add(&badfail, r->fail);
		}
		if (j->len > 1)
			g_string_append_c(j, ',');
		ds_json_str(j, k);
		g_string_append_printf(j, ":{\"pass\":%" G_GINT64_FORMAT
		    ",\"fail\":%" G_GINT64_FORMAT "}", r->pass, r->fail);
		g_string_append_printf(t, "%s%s %" G_GINT64_FORMAT "/%"
		    G_GINT64_FORMAT, t->len ? ", " : "", (char *)k, r->pass,
		    r->fail);
	}
	g_string_append_c(j, '}');
	if (good->len > 0 && bad->len > 0) {
		g_ptr_array_sort(good, (GCompareFunc)g_strcmp0);
		g_ptr_array_sort(bad, (GCompareFunc)g_strcmp0);
		f = ds_doctor_add(d, DS_SEV_WARNING,
		    "dkim-selector-inconsistent", badfail, "DKIM selector %s "
		    "of %s passes at %s but fails at %s (%" G_GINT64_FORMAT
		    " messages)", ds_doctor_q(d, s->selector),
		    ds_doctor_q(d, s->domain), ds_doctor_q(d,
		    good->pdata[0]), ds_doctor_q(d, bad->pdata[0]), badfail);
		ev_sel(f, s, name);
		ds_ev_strv(f, "passing_at", good);
		ds_ev_strv(f, "failing_at", bad);
		ds_ev_raw(f, "per_reporter", j->str, t->str);
		ds_finding_fix(f, "The key at %s works, so the failures come "
		    "from what reaches those receivers: check that every "
		    "server signing with selector %s uses the private key "
		    "matching it, and look for forwarders or lists on the "
		    "way to them that modify messages (sign fewer headers, "
		    "avoid l=, use relaxed/relaxed canonicalization).",
		    name, ds_doctor_q(d, s->selector));
	}
	g_ptr_array_unref(good);
	g_ptr_array_unref(bad);
	g_string_free(j, TRUE);
	g_string_free(t, TRUE);
}

static void
key_problem(struct ds_doctor *d, const struct sel *s, const char *name,
    const char *code, const char *what, const char *detail)
{
	struct ds_finding *f;
	int64_t msgs = s->pass + s->fail;
	/* a selector carrying much (>= 10 %) of the mail is an error */
	bool much = d->messages == 0 || msgs * 10 >= d->messages;

	f = ds_doctor_add(d, much ? DS_SEV_ERROR : DS_SEV_WARNING, code,
	    s->fail, "DKIM key %s %s, "
	    "and %" G_GINT64_FORMAT " messages signed with selector %s "
	    "failed DKIM at %u reporter%s", name, what, s->fail,
	    ds_doctor_q(d, s->selector), g_hash_table_size(s->reporters),
	    g_hash_table_size(s->reporters) == 1 ? "" : "s");
	ev_sel(f, s, name);
	ds_ev_pct(f, "share_of_mail", msgs, d->messages);
	ds_ev_int(f, "signing_sources_messages", ds_doctor_vouched(d,
	    s->domain, s->selector));
	if (detail != NULL)
		ds_ev_str(f, "detail", detail);
	if (strcmp(code, "dkim-key-revoked") == 0)
		ds_finding_fix(f, "Mail is still signed with the revoked "
		    "selector %s: switch the signing server or service to "
		    "the current selector, or publish the public key at %s "
		    "again.", ds_doctor_q(d, s->selector), name);
	else
		ds_finding_fix(f, "Publish the public key of selector %s as "
		    "TXT at %s, exactly as the signing server or service "
		    "gives it (\"v=DKIM1; k=rsa; p=...\"; a common cause is "
		    "a zone moved to another DNS host without this record). "
		    "If the selector is retired, stop signing with it.",
		    ds_doctor_q(d, s->selector), name);
}

static void
check_sel(struct ds_doctor *d, const struct sel *s)
{
	struct ds_dkim_key k, first;
	enum ds_dns_status st;
	struct ds_finding *f;
	GPtrArray *txt = NULL;
	const char *name;
	char *raw;
	guint i;
	bool ok = false;

	raw = g_strdup_printf("%s._domainkey.%s", s->selector, s->domain);
	g_ptr_array_add(d->pool, raw);
	name = ds_doctor_q(d, raw);
	st = ds_dns_txt(d->dns, raw, &txt);
	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE) {
		ds_doctor_skip(d, ds_doctor_fmt(d, "DKIM key %s", name), st);
		return;
	}
	memset(&first, 0, sizeof(first));
	for (i = 0; txt != NULL && i < txt->len && !ok; i++) {
		const char *r = txt->pdata[i];

		ok = ds_dkim_key_parse(&k, r, strlen(r));
		if (i == 0 || ok || k.status == DS_DKIM_KEY_REVOKED)
			first = k;
	}
	if (txt != NULL)
		g_ptr_array_unref(txt);
	/*
	 * A selector that never passed, on mail that SPF does not vouch
	 * for either, is most likely made up by a spoofer: no key to fix.
	 */
	/*
	 * ... unless our own servers or a steady sending service sign with
	 * it (report/classify): then it is the user's own selector whose
	 * key never reached the DNS (the Microsoft 365 tenant's selector1).
	 */
	if (!ok && (s->fail == 0 || (s->pass == 0 && s->spf_pass == 0 &&
	    ds_doctor_vouched(d, s->domain, s->selector) == 0)))
		return;
	if (st != DS_DNS_OK)
		key_problem(d, s, name, "dkim-key-missing", ds_doctor_fmt(d,
		    "does not exist (%s)", ds_dns_status_name(st)), NULL);
	else if (first.status == DS_DKIM_KEY_REVOKED)
		key_problem(d, s, name, "dkim-key-revoked", "is revoked "
		    "(p= is empty)", NULL);
	else if (!ok)
		key_problem(d, s, name, "dkim-key-malformed", ds_doctor_fmt(d,
		    "is malformed (%s)", first.error), first.error);
	if (!ok)
		return;
	if (strcmp(first.algo, "rsa") == 0 && first.bits < DS_DKIM_RSA_GOOD) {
		bool weak = first.bits < DS_DKIM_RSA_MIN;

		f = ds_doctor_add(d, weak ? DS_SEV_ERROR : DS_SEV_WARNING,
		    weak ? "dkim-key-too-short" : "dkim-key-weak",
		    s->pass + s->fail, "DKIM key %s is RSA %u bits%s", name,
		    first.bits, weak ? ": receivers must not accept keys "
		    "under 1024 bits (RFC 8301), so its signatures fail" :
		    ", below the 2048 bits RFC 8301 recommends");
		ev_sel(f, s, name);
		ds_ev_int(f, "bits", first.bits);
		ds_finding_fix(f, "Generate a 2048-bit RSA key under a new "
		    "selector, publish it at <new>._domainkey.%s, switch "
		    "signing to it, then revoke %s (p=).",
		    ds_doctor_q(d, s->domain), name);
	}
	inconsistent(d, s, name);
}

bool
ds_doctor_dkim(struct ds_doctor *d, GError **err)
{
	struct walk w;
	guint i;
	bool ok;

	w.d = d;
	w.by_key = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	w.order = g_ptr_array_new_with_free_func(sel_free);
	ok = ds_store_doc_selectors_each(d->st, &d->q, sel_cb, &w, err) &&
	    ds_store_doc_failure_selectors_each(d->st, &d->q, sel_cb, &w,
	    err);
	for (i = 0; ok && i < w.order->len; i++)
		check_sel(d, w.order->pdata[i]);
	g_hash_table_destroy(w.by_key);
	g_ptr_array_unref(w.order);
	return ok;
}
