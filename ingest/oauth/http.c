/*
 * http.c - the one HTTPS client of the OAuth2 endpoints and the mail
 * APIs (http.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #16, #22, #7: see http.h. Redirects are not followed (a
 * redirect could carry the bearer token elsewhere).
 */
#include <stdarg.h>
#include <string.h>
#include <arpa/inet.h>
#include <curl/curl.h>

#include "schema/util/error.h"
#include "ingest/oauth/http.h"
#include "ingest/oauth/oauth.h"

#define REPLY_DEFAULT (1u << 20)

struct ds_http {
	CURL *h;
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	GString *buf;
	uint64_t max;
	bool over;
};

struct hdr {
	long retry_after;
};

static bool
loopback(const char *host)
{
	struct in_addr a4;
	struct in6_addr a6;
	char *h;
	size_t n;
	bool ok = false;

	if (g_ascii_strcasecmp(host, "localhost") == 0)
		return true;
	n = strlen(host);
	h = g_strndup(host[0] == '[' ? host + 1 : host, host[0] == '[' &&
	    n > 1 ? n - 2 : n);
	if (inet_pton(AF_INET, h, &a4) == 1)
		ok = (ntohl(a4.s_addr) >> 24) == 127;
	else if (inet_pton(AF_INET6, h, &a6) == 1)
		ok = IN6_IS_ADDR_LOOPBACK(&a6);
	g_free(h);
	return ok;
}

bool
ds_http_check_url(const char *url, const char *what, GError **err)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	bool ok = false;

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		ds_fail(err, DS_ERROR_USAGE, "%s: not a URL", what);
	else if (strcmp(scheme, "https") == 0)
		ok = true;
	else if (strcmp(scheme, "http") == 0 && loopback(host))
		ok = true;
	else
		ds_fail(err, DS_ERROR_USAGE, "%s: must be https:// (http:// "
		    "only to a loopback address)", what);
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

static size_t
write_cb(char *p, size_t size, size_t n, void *payload)
{
	struct sink *s = payload;
	size_t len = size * n;

	if ((uint64_t)s->buf->len + len > s->max) {
		s->over = true;
		return 0;
	}
	g_string_append_len(s->buf, p, (gssize)len);
	return len;
}

/* Retry-After: delta-seconds (RFC 9110 10.2.3); an HTTP date counts 60. */
static size_t
header_cb(char *p, size_t size, size_t n, void *payload)
{
	struct hdr *h = payload;
	size_t len = size * n;
	const char *name = "retry-after:";
	char *v;
	guint64 s;

	if (len > strlen(name) && g_ascii_strncasecmp(p, name,
	    strlen(name)) == 0) {
		v = g_strstrip(g_strndup(p + strlen(name), len -
		    strlen(name)));
		if (g_ascii_string_to_unsigned(v, 10, 0, 3600, &s, NULL))
			h->retry_after = (long)s;
		else
			h->retry_after = 60;
		g_free(v);
	}
	return len;
}

struct ds_http *
ds_http_new(const char *ca_file, GError **err)
{
	static bool global_done;
	struct ds_http *h;

	if (!global_done) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			ds_fail(err, DS_ERROR_NET, "libcurl cannot start");
			return NULL;
		}
		global_done = true;
	}
	h = g_new0(struct ds_http, 1);
	if ((h->h = curl_easy_init()) == NULL) {
		g_free(h);
		ds_fail(err, DS_ERROR_NET, "libcurl: no easy handle");
		return NULL;
	}
	curl_easy_setopt(h->h, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(h->h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h->h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h->h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h->h, CURLOPT_NOPROGRESS, 1L);
	curl_easy_setopt(h->h, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(h->h, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(h->h, CURLOPT_LOW_SPEED_TIME, 120L);
	curl_easy_setopt(h->h, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(h->h, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(h->h, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(h->h, CURLOPT_USERAGENT, "dmarcsift/" DS_VERSION);
	if (ca_file != NULL)
		curl_easy_setopt(h->h, CURLOPT_CAINFO, ca_file);
	curl_easy_setopt(h->h, CURLOPT_WRITEFUNCTION, write_cb);
	curl_easy_setopt(h->h, CURLOPT_HEADERFUNCTION, header_cb);
	return h;
}

void
ds_http_free(struct ds_http *h)
{
	if (h == NULL)
		return;
	curl_easy_cleanup(h->h);
	g_free(h);
}

void
ds_http_resp_clear(struct ds_http_resp *r)
{
	if (r->body != NULL)
		g_string_free(r->body, TRUE);
	r->body = NULL;
}

/* The URL without query, for messages (a query may hold anything). */
static char *
url_label(const char *url)
{
	return g_strndup(url, strcspn(url, "?"));
}

bool
ds_http_do(struct ds_http *h, const struct ds_http_req *r,
    struct ds_http_resp *out, GError **err)
{
	struct sink s = { g_string_new(NULL), r->max ? r->max : REPLY_DEFAULT,
		false };
	struct hdr hd = { -1 };
	struct curl_slist *hl = NULL;
	char *auth = NULL, *ct = NULL, *label;
	CURLcode rc;
	bool ok;

	memset(out, 0, sizeof(*out));
	out->retry_after = -1;
	if (!ds_http_check_url(r->url, "URL", err)) {
		g_string_free(s.buf, TRUE);
		return false;
	}
	h->errbuf[0] = '\0';
	if (r->bearer != NULL) {
		auth = g_strconcat("Authorization: Bearer ", r->bearer, NULL);
		hl = curl_slist_append(hl, auth);
	}
	if (r->body != NULL) {
		ct = g_strconcat("Content-Type: ", r->content_type ?
		    r->content_type : "application/x-www-form-urlencoded",
		    NULL);
		hl = curl_slist_append(hl, ct);
	}
	hl = curl_slist_append(hl, "Accept: application/json");
	/* no "Expect: 100-continue" wait before a larger body */
	hl = curl_slist_append(hl, "Expect:");
	curl_easy_setopt(h->h, CURLOPT_URL, r->url);
	curl_easy_setopt(h->h, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(h->h, CURLOPT_WRITEDATA, &s);
	curl_easy_setopt(h->h, CURLOPT_HEADERDATA, &hd);
	if (r->body != NULL) {
		curl_easy_setopt(h->h, CURLOPT_POSTFIELDS, r->body);
		curl_easy_setopt(h->h, CURLOPT_POSTFIELDSIZE,
		    (long)strlen(r->body));
	} else
		curl_easy_setopt(h->h, CURLOPT_HTTPGET, 1L);
	curl_easy_setopt(h->h, CURLOPT_CUSTOMREQUEST,
	    strcmp(r->method, "GET") == 0 || (strcmp(r->method, "POST") == 0 &&
	    r->body != NULL) ? NULL : r->method);
	rc = curl_easy_perform(h->h);
	/* the handle must not keep pointers to what is freed below */
	curl_easy_setopt(h->h, CURLOPT_HTTPHEADER, NULL);
	curl_easy_setopt(h->h, CURLOPT_POSTFIELDS, NULL);
	curl_slist_free_all(hl);
	ds_conf_secret_free(auth);
	g_free(ct);
	ok = rc == CURLE_OK;
	if (!ok) {
		label = url_label(r->url);
		if (rc == CURLE_WRITE_ERROR && s.over)
			ds_fail(err, DS_ERROR_LIMIT, "%s: reply of more than %"
			    G_GUINT64_FORMAT " bytes", label, s.max);
		else
			ds_fail(err, DS_ERROR_NET, "%s: %s", label,
			    h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc));
		g_free(label);
		g_string_free(s.buf, TRUE);
		return false;
	}
	curl_easy_getinfo(h->h, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = s.buf;
	out->retry_after = hd.retry_after;
	return true;
}

char *
ds_http_form(const char *name, ...)
{
	GString *s = g_string_new(NULL);
	const char *n, *v;
	char *e;
	va_list ap;

	va_start(ap, name);
	for (n = name; n != NULL; n = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (v == NULL)
			continue;
		if (s->len)
			g_string_append_c(s, '&');
		g_string_append(s, n);
		g_string_append_c(s, '=');
		e = g_uri_escape_string(v, NULL, FALSE);
		g_string_append(s, e);
		explicit_bzero(e, strlen(e));
		g_free(e);
	}
	va_end(ap);
	return g_string_free(s, FALSE);
}
