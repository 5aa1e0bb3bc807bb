/*
 * device.c - the device authorization grant (RFC 8628), for the
 * one-time consent of "dmarcsift auth login --mailbox NAME".
 * SPDX-License-Identifier: MIT
 *
 * RFC 8628 3.1 (device authorization request), 3.2 (response: the
 * Google spelling verification_url is taken too), 3.4 (polling with
 * the device_code grant type), 3.5 (authorization_pending, slow_down:
 * +5 seconds, access_denied, expired_token). What the endpoint sends
 * for the user to read is quoted before it reaches the terminal.
 */
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/oauth/http.h"
#include "ingest/oauth/oauth_priv.h"
#include "ingest/oauth/secret.h"

struct code {
	char *device_code;
	char *user_code;
	char *uri;
	int64_t expires_in;
	int64_t interval;
};

static void
code_clear(struct code *d)
{
	ds_conf_secret_free(d->device_code);
	g_free(d->user_code);
	g_free(d->uri);
}

/* RFC 8628 3.1, 3.2 */
static bool
ask_code(const struct ds_oauth_conf *c, const char *ca_file,
    struct code *out, GError **err)
{
	struct ds_http_req rq = { "POST", c->device_url, NULL, NULL, NULL,
		64u << 10 };
	struct ds_http_resp rs = { 0 };
	struct ds_http *h;
	JsonNode *root = NULL;
	JsonObject *o = NULL;
	char *form;
	const char *s;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if ((h = ds_http_new(ca_file, err)) == NULL)
		return false;
	form = ds_http_form("client_id", c->client_id, "scope", c->scope,
	    NULL);
	rq.body = form;
	if (!ds_http_do(h, &rq, &rs, err))
		goto done;
	root = ds_json_parse(rs.body->str, rs.body->len, NULL, NULL);
	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
		o = json_node_get_object(root);
	if (rs.status != 200 || o == NULL || !ds_jget_str(o, "device_code") ||
	    !ds_jget_str(o, "user_code")) {
		s = o ? ds_jget_str(o, "error_description") : NULL;
		if (s == NULL && o != NULL)
			s = ds_jget_str(o, "error");
		ds_fail(err, rs.status >= 400 && rs.status < 500 ?
		    DS_ERROR_AUTH : DS_ERROR_NET, "mailbox %s: the device "
		    "authorization endpoint answered HTTP %ld%s%.200s",
		    c->name, rs.status, s ? ": " : "", s ? s : "");
		goto done;
	}
	out->device_code = g_strdup(ds_jget_str(o, "device_code"));
	out->user_code = g_strdup(ds_jget_str(o, "user_code"));
	s = ds_jget_str(o, "verification_uri_complete");
	if (s == NULL)
		s = ds_jget_str(o, "verification_uri");
	if (s == NULL)
		s = ds_jget_str(o, "verification_url");
	out->uri = g_strdup(s ? s : "");
	if (!ds_jget_int(o, "expires_in", 1, 86400, &out->expires_in))
		out->expires_in = 900;
	if (!ds_jget_int(o, "interval", 1, 600, &out->interval))
		out->interval = 5;
	ok = true;
done:
	if (root)
		json_node_unref(root);
	ds_http_resp_clear(&rs);
	ds_conf_secret_free(form);
	ds_http_free(h);
	return ok;
}

bool
ds_oauth_device_login(const struct ds_oauth_conf *c, const char *ca_file,
    FILE *out, GError **err)
{
	struct ds_oauth_tok t = { 0 };
	struct code d;
	GError *e = NULL;
	char *secret = NULL, *form = NULL, *code = NULL, *qu, *qc;
	time_t end;
	bool ok = false;

	if (c->device_url == NULL || c->token_url == NULL ||
	    c->client_id == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "mailbox %s: auth login "
		    "needs oauth2-device-url, oauth2-token-url and "
		    "oauth2-client-id", c->name);
	if (c->refresh_token_file == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "mailbox %s: auth login "
		    "needs oauth2-refresh-token-file (where the refresh token "
		    "is kept)", c->name);
	if (!ds_http_check_url(c->device_url, "oauth2-device-url", err) ||
	    !ds_http_check_url(c->token_url, "oauth2-token-url", err) ||
	    !ds_oauth_client_secret(c, &secret, err))
		return false;
	if (!ask_code(c, ca_file, &d, err)) {
		ds_conf_secret_free(secret);
		return false;
	}
	qu = ds_quote(d.uri, strlen(d.uri), 300);
	qc = ds_quote(d.user_code, strlen(d.user_code), 64);
	fprintf(out, "To let dmarcsift read mailbox %s, open\n\n  %s\n\n"
	    "and enter the code\n\n  %s\n\nWaiting for the consent (%ld "
	    "minutes at most)...\n", c->name, qu, qc,
	    (long)(d.expires_in + 59) / 60);
	fflush(out);
	g_free(qu);
	g_free(qc);
	form = ds_http_form("grant_type",
	    "urn:ietf:params:oauth:grant-type:device_code", "device_code",
	    d.device_code, "client_id", c->client_id, "client_secret", secret,
	    NULL);
	end = time(NULL) + (time_t)d.expires_in;
	for (;;) {
		sleep((unsigned)d.interval);
		g_clear_error(&e);
		g_free(code);
		code = NULL;
		if (ds_oauth_post(c, ca_file, c->token_url, form, &t, &code,
		    &e))
			break;
		if (code != NULL && strcmp(code, "slow_down") == 0)
			d.interval += 5;	/* RFC 8628 3.5 */
		else if (code == NULL || strcmp(code,
		    "authorization_pending") != 0) {
			g_propagate_error(err, e);
			e = NULL;
			goto done;
		}
		if (time(NULL) >= end) {
			ds_fail(err, DS_ERROR_AUTH, "mailbox %s: the code "
			    "expired before the consent was given", c->name);
			goto done;
		}
	}
	if (t.refresh == NULL) {
		ds_fail(err, DS_ERROR_AUTH, "mailbox %s: the token endpoint "
		    "sent no refresh token (for Microsoft, add offline_access "
		    "to oauth2-scope)", c->name);
		goto done;
	}
	ok = ds_oauth_write_private(c->refresh_token_file, t.refresh,
	    strlen(t.refresh), err) && ds_oauth_cache_put(c, &t, err);
	if (ok)
		fprintf(out, "Consent given: refresh token stored in %s\n",
		    c->refresh_token_file);
done:
	g_clear_error(&e);
	g_free(code);
	ds_oauth_tok_clear(&t);
	ds_conf_secret_free(form);
	ds_conf_secret_free(secret);
	code_clear(&d);
	return ok;
}
