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
 */
#include <string.h>

#include <curl/curl.h>

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

/* Fetch the policy; false with *why (owned by d) when it failed. */
static bool
fetch(struct ds_doctor *d, const char *url, struct policy *p,
    const char **why)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	struct body b = { g_string_new(NULL), false };
	CURL *h = curl_easy_init();
	long status = 0;
	char *ctype = NULL, **lines;
	bool ok = false;
	int i;

	if (h == NULL) {
		*why = "cannot start libcurl";
		goto done;
	}
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
		*why = ds_doctor_fmt(d, "%s", b.too_big ? "policy larger than "
		    "64 KiB" : ds_doctor_q(d, errbuf));
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

bool
ds_doctor_mtasts(struct ds_doctor *d, struct ds_doctor_tls *t, GError **err)
{
	const char *url = ds_doctor_fmt(d, "https://mta-sts.%s/.well-known/"
	    "mta-sts.txt", d->domain), *why = NULL;
	struct hist h = { 0 };
	struct policy fetched = { 0 }, *p = NULL;
	struct ds_finding *f;

	if (!ds_store_tls_sts_lines(d->st, d->domain, d->q.until, hist_cb, &h,
	    err)) {
		policy_clear(&h.next);
		policy_clear(&h.cur);
		return false;
	}
	hist_close(&h);
	if (h.cur.mx)
		h.cur.from = "reports";
	if (t->sts_id && ds_dns_get_mode(d->dns) == DS_DNS_SYSTEM) {
		if (fetch(d, url, &fetched, &why)) {
			p = &fetched;
		} else {
			f = ds_doctor_add(d, DS_SEV_ERROR,
			    "mta-sts-fetch-failed", 0, "the MTA-STS policy of "
			    "%s cannot be fetched: %s", d->domain, why);
			ds_ev_str(f, "url", url);
			ds_finding_fix(f, "Serve %s with status 200, "
			    "Content-Type text/plain and a publicly trusted "
			    "certificate for mta-sts.%s, without redirects.",
			    url, d->domain);
		}
	} else if (t->sts_id) {
		f = ds_doctor_add(d, DS_SEV_INFO, "mta-sts-not-fetched", 0,
		    "the MTA-STS policy of %s was not fetched (%s); %s",
		    d->domain, ds_dns_get_mode(d->dns) == DS_DNS_ZONE ?
		    "--dns-zone" : "offline", h.cur.mx ? "the latest policy "
		    "senders reported is checked instead" : "no sender "
		    "reported it either");
		ds_ev_str(f, "url", url);
		ds_finding_fix(f, "Run doctor with live DNS (no --dns-zone, no "
		    "--offline) to fetch and check %s.", url);
	}
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
