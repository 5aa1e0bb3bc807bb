/*
 * doctor_mtasts.c - the MTA-STS policy (RFC 8461 §3.2): fetched from
 * https://mta-sts.DOMAIN/.well-known/mta-sts.txt with libcurl when DNS
 * is live (skipped with a note offline or with --dns-zone), else the
 * latest policy senders reported in TLS reports; its mx: patterns
 * against the domain's MX records (§4.1), and mode testing left for
 * long.
 * SPDX-License-Identifier: MIT
 *
 * The fetch follows RFC 8461 §3.3: HTTPS only, certificate verified,
 * no redirects, a small size cap (the policy is a few lines), a short
 * timeout. The body is attacker text: only parsed, quoted in messages.
 * The address of mta-sts.DOMAIN comes from doctor's resolver and the
 * connection is pinned to it (CURLOPT_RESOLVE), so a --dns-zone
 * what-if that gives the host an address is fetched from there (the
 * certificate is still checked for mta-sts.DOMAIN): "would the policy
 * be served right with the records I am about to publish?".
 */
#include <string.h>
#include <sys/socket.h>

#include <curl/curl.h>

#include "schema/util/error.h"
#include "schema/store/store_tls.h"
#include "report/doctor/doctor_tls.h"

#define POLICY_MAX 65536	/* RFC 8461 §3.3: senders may cap; 64 KiB */
#define FETCH_SECONDS 15
#define TESTING_LONG (30 * 86400)	/* a month of testing is enough */

struct policy {
	char *version, *mode, *max_age;
	GPtrArray *mx;		/* char * patterns */
	const char *from;	/* "https" or "reports" */
};

static void
policy_clear(struct policy *p)
{
	g_free(p->version);
	g_free(p->mode);
	g_free(p->max_age);
	if (p->mx)
		g_ptr_array_unref(p->mx);
	memset(p, 0, sizeof(*p));
}

/* One "key: value" line (§3.2); unknown keys are ignored. */
static void
policy_line(struct policy *p, const char *line)
{
	char *l = g_strstrip(g_strdup(line)), *colon = strchr(l, ':'), *v;

	if (colon == NULL) {
		g_free(l);
		return;
	}
	*colon = '\0';
	v = g_strstrip(colon + 1);
	g_strstrip(l);
	if (p->mx == NULL)
		p->mx = g_ptr_array_new_with_free_func(g_free);
	if (g_ascii_strcasecmp(l, "version") == 0 && !p->version)
		p->version = g_strdup(v);
	else if (g_ascii_strcasecmp(l, "mode") == 0 && !p->mode)
		p->mode = g_strdup(v);
	else if (g_ascii_strcasecmp(l, "max_age") == 0 && !p->max_age)
		p->max_age = g_strdup(v);
	else if (g_ascii_strcasecmp(l, "mx") == 0)
		g_ptr_array_add(p->mx, g_ascii_strdown(v, -1));
	g_free(l);
}

/* RFC 8461 §4.1: "*.example.com" stands for exactly one more label. */
static bool
mx_matches(const char *pattern, const char *host)
{
	const char *dot;

	if (strncmp(pattern, "*.", 2) != 0)
		return g_ascii_strcasecmp(pattern, host) == 0;
	dot = strchr(host, '.');
	return dot && dot != host && g_ascii_strcasecmp(dot + 1,
	    pattern + 2) == 0;
}

struct body {
	GString *g;
	bool too_big;
};

static size_t
write_cb(char *ptr, size_t size, size_t n, void *data)
{
	struct body *b = data;

	if (b->g->len + size * n > POLICY_MAX) {
		b->too_big = true;
		return 0;	/* aborts the transfer */
	}
	g_string_append_len(b->g, ptr, (gssize)(size * n));
	return size * n;
}

/*
 * The address of host from doctor's resolver (A first, then AAAA):
 * a new string, or NULL with *st the failing status.
 */
static char *
host_addr(struct ds_doctor *d, const char *host, enum ds_dns_status *st)
{
	static const int fam[] = { AF_INET, AF_INET6 };
	GPtrArray *a = NULL;
	char *r = NULL;
	size_t i;

	for (i = 0; r == NULL && i < G_N_ELEMENTS(fam); i++) {
		*st = ds_dns_addr(d->dns, host, fam[i], &a);
		if (*st == DS_DNS_OK && a != NULL && a->len > 0)
			r = g_strdup(a->pdata[0]);
		if (a != NULL)
			g_ptr_array_unref(a);
		a = NULL;
		if (*st != DS_DNS_OK && *st != DS_DNS_NODATA)
			break;
	}
	if (r == NULL && *st == DS_DNS_OK)
		*st = DS_DNS_NODATA;
	return r;
}

/*
 * Fetch the policy from addr (pinned for host:443); false with *why
 * (owned by d) when it failed.
 */
static bool
fetch(struct ds_doctor *d, const char *url, const char *host,
    const char *addr, struct policy *p, const char **why)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct body b = { g_string_new(NULL), false };
	CURL *h = curl_easy_init();
	struct curl_slist *pin = NULL;
	long status = 0;
	char *ctype = NULL, **lines, *entry;
	bool ok = false;
	int i;

	if (h == NULL) {
		*why = "cannot start libcurl";
		goto done;
	}
	/* "host:443:[v6]" or "host:443:v4" */
	entry = g_strdup_printf(strchr(addr, ':') ? "%s:443:[%s]" :
	    "%s:443:%s", host, addr);
	pin = curl_slist_append(NULL, entry);
	g_free(entry);
	curl_easy_setopt(h, CURLOPT_RESOLVE, pin);
	if (d->cacert != NULL)
		curl_easy_setopt(h, CURLOPT_CAINFO, d->cacert);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)FETCH_SECONDS);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "dmarcsift doctor");
	if (curl_easy_perform(h) != CURLE_OK) {
		/* libcurl's text names the certificate problem: keep it */
		char *e = ds_quote(errbuf, strlen(errbuf), 240);

		*why = ds_doctor_fmt(d, "%s", b.too_big ? "policy larger than "
		    "64 KiB" : e);
		g_free(e);
		goto done;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ctype);
	if (status != 200) {
		*why = ds_doctor_fmt(d, "HTTP status %ld (RFC 8461 wants 200, "
		    "redirects are not followed)", status);
		goto done;
	}
	if (ctype == NULL || g_ascii_strncasecmp(ctype, "text/plain", 10)) {
		*why = ds_doctor_fmt(d, "Content-Type '%s', not text/plain",
		    ds_doctor_q(d, ctype));
		goto done;
	}
	if (!g_utf8_validate(b.g->str, (gssize)b.g->len, NULL)) {
		*why = "the policy is not valid UTF-8";
		goto done;
	}
	lines = g_strsplit_set(b.g->str, "\r\n", -1);
	for (i = 0; lines[i]; i++)
		policy_line(p, lines[i]);
	g_strfreev(lines);
	p->from = "https";
	ok = true;
done:
	if (h)
		curl_easy_cleanup(h);
	curl_slist_free_all(pin);
	g_string_free(b.g, TRUE);
	return ok;
}

/* the policies senders reported, oldest first */
struct hist {
	int64_t row;		/* policy being read */
	int64_t begin;
	struct policy cur;	/* the latest complete one */
	struct policy next;
	int64_t testing_since;	/* start of the current testing stretch */
	int64_t testing_last;	/* begin of its latest report */
};

static void
hist_close(struct hist *h)
{
	if (h->row == 0)
		return;
	policy_clear(&h->cur);
	h->cur = h->next;
	memset(&h->next, 0, sizeof(h->next));
	if (h->cur.mode && g_ascii_strcasecmp(h->cur.mode, "testing") == 0) {
		if (h->testing_since == 0)
			h->testing_since = h->begin;
		h->testing_last = h->begin;
	} else {
		h->testing_since = 0;
	}
}

static bool
hist_cb(int64_t begin, int64_t row, const char *line, void *payload,
    GError **err)
{
	struct hist *h = payload;

	if (row != h->row) {
		hist_close(h);
		h->row = row;
		h->begin = begin;
	}
	policy_line(&h->next, line);
	return true;
}

static void
check_policy(struct ds_doctor *d, const struct policy *p, const char *url)
{
	struct ds_finding *f;
	GPtrArray *mx = NULL, *uncovered;
	enum ds_dns_status st;
	bool enforce = p->mode && g_ascii_strcasecmp(p->mode, "enforce") == 0;
	guint i, j;

	if (!p->version || strcmp(p->version, "STSv1") != 0 || !p->mode ||
	    (!enforce && g_ascii_strcasecmp(p->mode, "testing") != 0 &&
	    g_ascii_strcasecmp(p->mode, "none") != 0) || !p->max_age ||
	    strspn(p->max_age, "0123456789") != strlen(p->max_age) ||
	    (g_ascii_strcasecmp(p->mode, "none") != 0 && p->mx->len == 0)) {
		f = ds_doctor_add(d, DS_SEV_ERROR, "mta-sts-policy-invalid", 0,
		    "the MTA-STS policy of %s (%s) is not valid: it needs "
		    "version: STSv1, mode: enforce|testing|none, max_age and "
		    "mx: lines", d->domain, p->from);
		ds_ev_str(f, "url", url);
		ds_ev_str(f, "version", p->version);
		ds_ev_str(f, "mode", p->mode);
		ds_ev_str(f, "max_age", p->max_age);
		ds_ev_strv(f, "mx", p->mx);
		ds_finding_fix(f, "Rewrite %s as:\nversion: STSv1\nmode: "
		    "testing\nmx: (one line per MX pattern)\nmax_age: 604800",
		    url);
		return;
	}
	if ((st = ds_dns_mx(d->dns, d->domain, &mx)) != DS_DNS_OK) {
		if (st != DS_DNS_NXDOMAIN && st != DS_DNS_NODATA)
			ds_doctor_skip(d, ds_doctor_fmt(d, "MX of %s",
			    d->domain), st);
		return;
	}
	uncovered = g_ptr_array_new();
	for (i = 0; i < mx->len; i++) {
		for (j = 0; j < p->mx->len; j++)
			if (mx_matches(g_ptr_array_index(p->mx, j),
			    g_ptr_array_index(mx, i)))
				break;
		if (j == p->mx->len)
			g_ptr_array_add(uncovered, g_ptr_array_index(mx, i));
	}
	if (uncovered->len) {
		f = ds_doctor_add(d, enforce ? DS_SEV_ERROR : DS_SEV_WARNING,
		    "mta-sts-mx-uncovered", 0, "%u MX host%s of %s %s not "
		    "covered by the MTA-STS policy's mx: patterns (mode %s)%s",
		    uncovered->len, uncovered->len == 1 ? "" : "s",
		    d->domain, uncovered->len == 1 ? "is" : "are", ds_doctor_q(d, p->mode), enforce ? ": senders "
		    "that honour it will not deliver there" : "");
		ds_ev_strv(f, "uncovered_mx", uncovered);
		ds_ev_strv(f, "mx_records", mx);
		ds_ev_strv(f, "policy_mx", p->mx);
		ds_ev_str(f, "policy_from", p->from);
		ds_finding_fix(f, "Add an 'mx:' line for each of them to %s "
		    "(exact names or '*.' patterns for one label), then "
		    "change the id= of _mta-sts.%s.", url, d->domain);
	}
	g_ptr_array_free(uncovered, TRUE);
	g_ptr_array_unref(mx);
}

/* "mode enforce, mx mail.example.com mx2.example.com" (owned by d) */
static const char *
policy_words(struct ds_doctor *d, const struct policy *p)
{
	GString *g = g_string_new("mode ");
	const char *r;
	char *w;
	guint i;

	g_string_append(g, p->mode ? p->mode : "(none)");
	g_string_append(g, ", mx");
	for (i = 0; p->mx != NULL && i < p->mx->len; i++) {
		g_string_append_c(g, ' ');
		g_string_append(g, p->mx->pdata[i]);
	}
	if (p->mx == NULL || p->mx->len == 0)
		g_string_append(g, " (none)");
	w = g_string_free(g, FALSE);
	r = ds_doctor_q(d, w);
	g_free(w);
	return r;
}

static bool
same_policy(const struct policy *a, const struct policy *b)
{
	guint i, j;

	if (g_strcmp0(a->mode, b->mode) != 0 || a->mx == NULL || b->mx ==
	    NULL || a->mx->len != b->mx->len)
		return a->mx == b->mx && g_strcmp0(a->mode, b->mode) == 0;
	for (i = 0; i < a->mx->len; i++) {
		for (j = 0; j < b->mx->len; j++)
			if (strcmp(a->mx->pdata[i], b->mx->pdata[j]) == 0)
				break;
		if (j == b->mx->len)
			return false;
	}
	return true;
}

/*
 * RFC 8461 §3.1: senders fetch the policy again only when the id= of
 * the TXT record changes. A served policy that differs from the one
 * senders last reported is either a change they have not seen yet or
 * one made without a new id: say which id they should see changed.
 */
static void
check_changed(struct ds_doctor *d, const struct ds_doctor_tls *t,
    const struct policy *served, const struct policy *reported,
    int64_t reported_at, const char *url)
{
	struct ds_finding *f;

	if (reported->mx == NULL || same_policy(served, reported))
		return;
	f = ds_doctor_add(d, DS_SEV_INFO, "mta-sts-policy-changed", 0,
	    "the MTA-STS policy served at %s (%s) differs from the one "
	    "senders last reported (%s): senders keep a cached policy until "
	    "its max_age ends unless the id= of _mta-sts.%s changes (now "
	    "%s)", url, policy_words(d, served), policy_words(d, reported),
	    d->domain, ds_doctor_q(d, t->sts_id));
	ds_ev_str(f, "url", url);
	ds_ev_str(f, "served_mode", served->mode);
	ds_ev_strv(f, "served_mx", served->mx);
	ds_ev_str(f, "reported_mode", reported->mode);
	ds_ev_strv(f, "reported_mx", reported->mx);
	ds_ev_time(f, "reported_at", reported_at);
	ds_ev_str(f, "id", t->sts_id);
	ds_finding_fix(f, "If you changed the policy file after the id= was "
	    "last changed, publish a new id at _mta-sts.%s (e.g. \"v=STSv1; "
	    "id=%s\", any new value of up to 32 letters and digits) so "
	    "senders fetch the new policy; the next TLS reports then show "
	    "it.", d->domain, ds_doctor_fmt(d, "%" G_GINT64_FORMAT,
	    (int64_t)d->now));
}

bool
ds_doctor_mtasts(struct ds_doctor *d, struct ds_doctor_tls *t, GError **err)
{
	const char *url = ds_doctor_fmt(d, "https://mta-sts.%s/.well-known/"
	    "mta-sts.txt", d->domain), *why = NULL;
	const char *host = ds_doctor_fmt(d, "mta-sts.%s", d->domain);
	enum ds_dns_mode mode = ds_dns_get_mode(d->dns);
	enum ds_dns_status st = DS_DNS_OFFLINE;
	struct hist h = { 0 };
	struct policy fetched = { 0 }, *p = NULL;
	struct ds_finding *f;
	char *addr = NULL;

	if (!ds_store_tls_sts_lines(d->st, d->domain, d->q.until, hist_cb, &h,
	    err)) {
		policy_clear(&h.next);
		policy_clear(&h.cur);
		return false;
	}
	hist_close(&h);
	if (h.cur.mx)
		h.cur.from = "reports";
	if (t->sts_id && mode != DS_DNS_OFF)
		addr = host_addr(d, host, &st);
	if (addr != NULL || (t->sts_id && mode == DS_DNS_SYSTEM)) {
		if (addr == NULL)
			why = ds_doctor_fmt(d, "no address for %s (%s)", host,
			    ds_dns_status_name(st));
		if (addr != NULL && fetch(d, url, host, addr, &fetched,
		    &why)) {
			p = &fetched;
		} else {
			f = ds_doctor_add(d, DS_SEV_ERROR,
			    "mta-sts-fetch-failed", 0, "the MTA-STS policy of "
			    "%s cannot be fetched: %s", d->domain, why);
			ds_ev_str(f, "url", url);
			ds_ev_str(f, "address", addr);
			ds_finding_fix(f, "Serve %s with status 200, "
			    "Content-Type text/plain and a publicly trusted "
			    "certificate for mta-sts.%s, without redirects.",
			    url, d->domain);
		}
	} else if (t->sts_id) {
		f = ds_doctor_add(d, DS_SEV_INFO, "mta-sts-not-fetched", 0,
		    "the MTA-STS policy of %s was not fetched (%s); %s",
		    d->domain, mode == DS_DNS_ZONE ? ds_doctor_fmt(d,
		    "--dns-zone gives %s no address", host) : "offline",
		    h.cur.mx ? "the latest policy senders reported is "
		    "checked instead" : "no sender reported it either");
		ds_ev_str(f, "url", url);
		ds_finding_fix(f, "Run doctor with live DNS (no --dns-zone, no "
		    "--offline), or give %s an A record in the zone file, to "
		    "fetch and check %s.", host, url);
	}
	g_free(addr);
	if (p == &fetched && h.cur.mx)
		check_changed(d, t, &fetched, &h.cur, h.begin, url);
	if (p == NULL && h.cur.mx && t->sts_id)
		p = &h.cur;
	if (p)
		check_policy(d, p, url);
	/*
	 * testing for long: only the reports know since when; until now
	 * when the fetched policy still says testing, else until the last
	 * report that showed it
	 */
	if (h.testing_since && p && p->mode &&
	    g_ascii_strcasecmp(p->mode, "testing") == 0 &&
	    (p == &fetched ? d->now : h.testing_last) - h.testing_since >
	    TESTING_LONG) {
		int64_t upto = p == &fetched ? d->now : h.testing_last;

		f = ds_doctor_add(d, DS_SEV_WARNING, "mta-sts-testing-long", 0,
		    "the MTA-STS policy of %s has been in mode testing for %"
		    G_GINT64_FORMAT " days (by the TLS reports): it protects "
		    "nothing yet", d->domain, (upto - h.testing_since) / 86400);
		ds_ev_time(f, "testing_since", h.testing_since);
		ds_ev_time(f, "testing_seen_until", upto);
		ds_ev_int(f, "tls_failures_in_period", t->failures);
		ds_finding_fix(f, "When the TLS reports show no failures for "
		    "your MX hosts, set 'mode: enforce' in %s and change the "
		    "id= of _mta-sts.%s.", url, d->domain);
	}
	policy_clear(&fetched);
	policy_clear(&h.cur);
	policy_clear(&h.next);
	return true;
}
