/*
 * source_api.c - what the Graph and Gmail sources share (api.h).
 * SPDX-License-Identifier: MIT
 *
 * Microsoft Graph: "Microsoft Graph throttling guidance" (429 with
 * Retry-After); Gmail API: "Usage limits" (429, 503: back off). Both:
 * 401 when the access token expired or was revoked (RFC 6750 3.1).
 */
#include <string.h>
#include <unistd.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/oauth/oauth.h"
#include "ingest/source/api.h"

#define MAX_WAITS 5
#define MAX_WAIT_S 120

bool
ds_api_url_parse(struct ds_api_url *out, const char *url,
    const char *scheme, GError **err)
{
	size_t n = strlen(scheme);
	const char *p, *slash;
	char *user = NULL, *path = NULL;

	memset(out, 0, sizeof(*out));
	if (strncmp(url, scheme, n) != 0 || strncmp(url + n, "://", 3) != 0)
		return ds_fail(err, DS_ERROR_USAGE, "not a %s:// URL", scheme);
	p = url + n + 3;
	slash = strchr(p, '/');
	user = g_uri_unescape_segment(p, slash ? slash : p + strlen(p), NULL);
	if (slash != NULL)
		path = g_uri_unescape_string(slash + 1, NULL);
	else
		path = g_strdup("");
	if (user == NULL || *user == '\0' || strpbrk(user, "/?#") != NULL ||
	    path == NULL || !g_utf8_validate(path, -1, NULL) ||
	    !g_utf8_validate(user, -1, NULL)) {
		g_free(user);
		g_free(path);
		return ds_fail(err, DS_ERROR_USAGE, "%s://USER/%s: bad URL",
		    scheme, strcmp(scheme, "graph") == 0 ? "FOLDER" : "QUERY");
	}
	for (p = path; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			g_free(user);
			g_free(path);
			return ds_fail(err, DS_ERROR_USAGE, "%s URL: control "
			    "characters in the path", scheme);
		}
	out->user = user;
	out->path = path;
	return true;
}

void
ds_api_url_clear(struct ds_api_url *u)
{
	g_free(u->user);
	g_free(u->path);
	memset(u, 0, sizeof(*u));
}

char *
ds_api_esc(const char *s)
{
	return g_uri_escape_string(s, NULL, FALSE);
}

bool
ds_api_open(struct ds_api *a, const struct ds_mailbox_conf *c,
    const char *ca_file, const char *label, GError **err)
{
	bool cached;

	memset(a, 0, sizeof(*a));
	a->c = c;
	a->ca_file = ca_file;
	a->label = label;
	if (!ds_oauth_token(&c->oauth, ca_file, false, &a->token, &cached,
	    err))
		return false;
	a->fresh = !cached;
	return (a->http = ds_http_new(ca_file, err)) != NULL;
}

void
ds_api_close(struct ds_api *a)
{
	ds_http_free(a->http);
	ds_conf_secret_free(a->token);
	memset(a, 0, sizeof(*a));
}

/*
 * What the next run can expect of an HTTP status (issue 18): 401/403
 * (after the one refresh) is a refused login, exit 3; 408, 429 and 5xx
 * can succeed unchanged later (throttled, down: exit 75); any other 4xx
 * (404: no such folder or message, 400: a request the API will refuse
 * again) fails the same way until someone acts (exit 5).
 */
static int
api_error_code(long status)
{
	if (status == 401 || status == 403)
		return DS_ERROR_AUTH;
	if (status == 408 || status == 429 || status >= 500 || status < 400)
		return DS_ERROR_NET;
	return DS_ERROR_PERMANENT;
}

bool
ds_api_fail(struct ds_api *a, const struct ds_http_resp *r,
    const char *what, GError **err)
{
	JsonNode *root = NULL;
	JsonObject *o = NULL, *eo;
	const char *msg = NULL;
	char *q = NULL;
	bool ok;

	if (r->body != NULL)
		root = ds_json_parse(r->body->str, r->body->len, NULL, NULL);
	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
		o = json_node_get_object(root);
	/* both APIs: {"error": {"code": ..., "message": "..."}} */
	if ((eo = ds_jget_obj(o, "error")) != NULL)
		msg = ds_jget_str(eo, "message");
	if (msg != NULL)
		q = ds_quote(msg, strlen(msg), 200);
	ok = ds_fail(err, api_error_code(r->status), "%s mailbox %s: %s: "
	    "HTTP %ld%s%s", a->label, a->c->name, what, r->status, q ? ": " :
	    "", q ? q : "");
	g_free(q);
	if (root != NULL)
		json_node_unref(root);
	return ok;
}

bool
ds_api_call(struct ds_api *a, const char *method, const char *url,
    const char *json_body, uint64_t max, struct ds_http_resp *out,
    GError **err)
{
	struct ds_http_req rq = { method, url, NULL, json_body,
		"application/json", max };
	bool cached, refreshed = false;
	unsigned waits = 0;
	long s;

	for (;;) {
		rq.bearer = a->token;
		if (!ds_http_do(a->http, &rq, out, err))
			return false;
		if (out->status == 401 && !refreshed) {
			/* expired or revoked: one fresh token, one more try */
			ds_http_resp_clear(out);
			ds_oauth_forget(&a->c->oauth);
			ds_conf_secret_free(a->token);
			a->token = NULL;
			if (!ds_oauth_token(&a->c->oauth, a->ca_file, true,
			    &a->token, &cached, err))
				return false;
			refreshed = true;
			continue;
		}
		if ((out->status == 429 || out->status == 503) &&
		    waits < MAX_WAITS) {
			s = out->retry_after >= 0 ? out->retry_after :
			    (long)(1u << waits);
			ds_http_resp_clear(out);
			sleep((unsigned)MIN(s, MAX_WAIT_S));
			waits++;
			a->waits++;
			continue;
		}
		if (out->status == 401) {
			ds_api_fail(a, out, "the fresh access token was "
			    "refused", err);
			ds_http_resp_clear(out);
			return false;
		}
		return true;
	}
}
