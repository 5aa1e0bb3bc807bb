/*
 * source_imap_url.c - imap:// and imaps:// URLs (RFC 5092) taken apart
 * with libcurl's URL API, and the canonical mailbox name that keys the
 * ingest state.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15: a password inside the URL is refused, since URLs are
 * given on the command line and shown in logs.
 */
#include <string.h>
#include <curl/curl.h>

#include "schema/util/error.h"
#include "ingest/source/imap.h"

/* Part p of h (URL-decoded when decode), or NULL; caller frees. */
static char *
part(CURLU *h, CURLUPart p, bool decode)
{
	char *v = NULL, *r;

	if (curl_url_get(h, p, &v, decode ? CURLU_URLDECODE : 0) != CURLUE_OK)
		return NULL;
	r = g_strdup(v);
	curl_free(v);
	return r;
}

void
ds_imap_url_clear(struct ds_imap_url *u)
{
	g_free(u->host);
	g_free(u->user);
	g_free(u->mailbox);
	memset(u, 0, sizeof(*u));
}

bool
ds_imap_url_parse(struct ds_imap_url *out, const char *url, GError **err)
{
	CURLU *h = curl_url();
	char *scheme = NULL, *pw = NULL, *extra = NULL, *port = NULL;
	char *path = NULL, *p, *q = NULL;
	bool ok = false;
	size_t n;

	memset(out, 0, sizeof(*out));
	q = ds_quote(url, strlen(url), 120);
	if (h == NULL || curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK) {
		ds_fail(err, DS_ERROR_USAGE, "'%s' is not a URL", q);
		goto done;
	}
	scheme = part(h, CURLUPART_SCHEME, false);
	if (scheme == NULL || (strcmp(scheme, "imap") != 0 &&
	    strcmp(scheme, "imaps") != 0)) {
		ds_fail(err, DS_ERROR_USAGE, "'%s': not an imap:// or imaps:// "
		    "URL", q);
		goto done;
	}
	out->tls = strcmp(scheme, "imaps") == 0;
	if ((pw = part(h, CURLUPART_PASSWORD, false)) != NULL) {
		explicit_bzero(pw, strlen(pw));
		/* q would show it: say where without the URL */
		ds_fail(err, DS_ERROR_USAGE, "an IMAP URL must not hold the "
		    "password (use password-file, DMARCSIFT_IMAP_PASSWORD or "
		    "~/.netrc)");
		goto done;
	}
	if ((extra = part(h, CURLUPART_QUERY, false)) != NULL ||
	    (extra = part(h, CURLUPART_FRAGMENT, false)) != NULL ||
	    (extra = part(h, CURLUPART_OPTIONS, false)) != NULL) {
		ds_fail(err, DS_ERROR_USAGE, "'%s': no query, fragment or "
		    "login options allowed", q);
		goto done;
	}
	out->host = part(h, CURLUPART_HOST, false);
	port = part(h, CURLUPART_PORT, false);
	out->port = port ? (unsigned)g_ascii_strtoull(port, NULL, 10) :
	    out->tls ? 993 : 143;
	out->user = part(h, CURLUPART_USER, true);
	path = part(h, CURLUPART_PATH, true);
	if (out->host == NULL || out->host[0] == '\0' || out->port == 0 ||
	    out->port > 65535) {
		ds_fail(err, DS_ERROR_USAGE, "'%s': no host or a bad port", q);
		goto done;
	}
	if (path == NULL) {
		/* libcurl refuses to decode control characters */
		ds_fail(err, DS_ERROR_USAGE, "'%s': bad mailbox name", q);
		goto done;
	}
	p = path;
	while (*p == '/')
		p++;
	n = strlen(p);
	while (n > 0 && p[n - 1] == '/')
		n--;
	out->mailbox = n ? g_strndup(p, n) : g_strdup("INBOX");
	for (p = out->mailbox; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ||
		    *p == ';')
			break;
	if (*p != '\0') {
		ds_fail(err, DS_ERROR_USAGE, "'%s': the mailbox name must be "
		    "printable ASCII without ';' (IMAP URL parameters such as "
		    ";UID= are not taken)", q);
		goto done;
	}
	ok = true;
done:
	if (!ok)
		ds_imap_url_clear(out);
	curl_url_cleanup(h);
	g_free(scheme);
	g_free(pw);
	g_free(extra);
	g_free(port);
	g_free(path);
	g_free(q);
	return ok;
}

char *
ds_imap_url_key(const struct ds_imap_url *u, const char *user)
{
	char *eu = user ? g_uri_escape_string(user, NULL, FALSE) : NULL;
	char *em = g_uri_escape_string(u->mailbox, "/", FALSE);
	char *host = g_ascii_strdown(u->host, -1);
	char *key;

	key = g_strdup_printf("%s://%s%s%s:%u/%s", u->tls ? "imaps" : "imap",
	    eu ? eu : "", eu ? "@" : "", host, u->port, em);
	g_free(eu);
	g_free(em);
	g_free(host);
	return key;
}
