/*
 * token.c - OAuth2 access tokens: the client credentials grant (RFC
 * 6749 4.4), the refresh token grant (RFC 6749 6), the 0600 cache.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #22: secrets from 0600 files or the environment, posted in the
 * request body only (never in a URL), wiped after use; the endpoint's
 * error text is quoted (attacker-free but still untrusted bytes,
 * THREATS #20: the reply goes through ds_json_parse with a cap).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "schema/jsonin/jsonin.h"
#include "schema/util/error.h"
#include "ingest/oauth/http.h"
#include "ingest/oauth/oauth_priv.h"
#include "ingest/oauth/secret.h"

/* a token reply is small */
#define TOKEN_REPLY_MAX (256u << 10)
/* a cached token is used while it has at least this long to live */
#define EXPIRY_MARGIN 60

#define ENV_SECRET "DMARCSIFT_OAUTH2_CLIENT_SECRET"
#define ENV_REFRESH "DMARCSIFT_OAUTH2_REFRESH_TOKEN"

void
ds_oauth_conf_clear(struct ds_oauth_conf *c)
{
	g_free(c->name);
	g_free(c->token_url);
	g_free(c->device_url);
	g_free(c->client_id);
	g_free(c->client_secret_file);
	g_free(c->refresh_token_file);
	g_free(c->scope);
	g_free(c->token_cache);
	memset(c, 0, sizeof(*c));
}

void
ds_oauth_tok_clear(struct ds_oauth_tok *t)
{
	ds_conf_secret_free(t->access);
	ds_conf_secret_free(t->refresh);
	memset(t, 0, sizeof(*t));
}

char *
ds_oauth_cache_path(const char *name)
{
	const char *x = getenv("XDG_CACHE_HOME");
	char *file = g_strdup_printf("oauth2-%s.json", name), *p;

	g_strdelimit(file, "/\\", '_');
	if (x != NULL && x[0] == '/')
		p = g_build_filename(x, "dmarcsift", file, NULL);
	else
		p = g_build_filename(g_get_home_dir(), ".cache", "dmarcsift",
		    file, NULL);
	g_free(file);
	return p;
}

static char *
cache_file(const struct ds_oauth_conf *c)
{
	return c->token_cache ? g_strdup(c->token_cache) :
	    ds_oauth_cache_path(c->name);
}

bool
ds_oauth_client_secret(const struct ds_oauth_conf *c, char **out,
    GError **err)
{
	return ds_oauth_secret(c->client_secret_file, ENV_SECRET,
	    "client secret", out, err);
}

/* The endpoint's refusal, RFC 6749 5.2, in its own (quoted) words. */
static void
refusal(const struct ds_oauth_conf *c, const struct ds_http_resp *r,
    JsonObject *o, char **out_code, GError **err)
{
	const char *code = ds_jget_str(o, "error");
	const char *desc = ds_jget_str(o, "error_description");
	char *qc = code ? ds_quote(code, strlen(code), 64) : NULL;
	char *qd = desc ? ds_quote(desc, strlen(desc), 300) : NULL;

	if (out_code != NULL)
		*out_code = g_strdup(code);
	if (code != NULL && r->status >= 400 && r->status < 500)
		ds_fail(err, DS_ERROR_AUTH, "mailbox %s: the token endpoint "
		    "refused: %s%s%s", c->name, qc, qd ? ": " : "",
		    qd ? qd : "");
	else
		ds_fail(err, DS_ERROR_NET, "mailbox %s: the token endpoint "
		    "answered HTTP %ld%s%s", c->name, r->status, qc ? ": " :
		    "", qc ? qc : "");
	g_free(qc);
	g_free(qd);
}

bool
ds_oauth_post(const struct ds_oauth_conf *c, const char *ca_file,
    const char *url, const char *form, struct ds_oauth_tok *out,
    char **out_code, GError **err)
{
	struct ds_http_req rq = { "POST", url, NULL, form, NULL,
		TOKEN_REPLY_MAX };
	struct ds_http_resp rs = { 0 };
	struct ds_json_limits lim = { TOKEN_REPLY_MAX, 8 };
	struct ds_http *h;
	JsonNode *root = NULL;
	JsonObject *o = NULL;
	const char *s;
	int64_t exp = 3600;
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (out_code != NULL)
		*out_code = NULL;
	if ((h = ds_http_new(ca_file, err)) == NULL)
		return false;
	if (!ds_http_do(h, &rq, &rs, err))
		goto done;
	root = ds_json_parse(rs.body->str, rs.body->len, &lim, NULL);
	if (root != NULL && JSON_NODE_HOLDS_OBJECT(root))
		o = json_node_get_object(root);
	if (rs.status != 200 || o == NULL || ds_jget_str(o, "error")) {
		refusal(c, &rs, o, out_code, err);
		goto done;
	}
	if ((s = ds_jget_str(o, "access_token")) == NULL || *s == '\0') {
		ds_fail(err, DS_ERROR_NET, "mailbox %s: the token endpoint "
		    "sent no access_token", c->name);
		goto done;
	}
	out->access = g_strdup(s);
	if ((s = ds_jget_str(o, "refresh_token")) != NULL && *s != '\0')
		out->refresh = g_strdup(s);
	if (json_object_has_member(o, "expires_in"))
		(void)ds_jget_int(o, "expires_in", 1, 366 * 86400, &exp);
	out->expires_in = exp;
	ok = true;
done:
	if (root != NULL)
		json_node_unref(root);
	if (rs.body != NULL)
		explicit_bzero(rs.body->str, rs.body->len);
	ds_http_resp_clear(&rs);
	ds_http_free(h);
	return ok;
}

bool
ds_oauth_cache_put(const struct ds_oauth_conf *c,
    const struct ds_oauth_tok *t, GError **err)
{
	JsonBuilder *b = json_builder_new();
	JsonGenerator *g = json_generator_new();
	JsonNode *root;
	char *path = cache_file(c), *txt;
	bool ok;

	json_builder_begin_object(b);
	json_builder_set_member_name(b, "token_url");
	json_builder_add_string_value(b, c->token_url);
	json_builder_set_member_name(b, "client_id");
	json_builder_add_string_value(b, c->client_id ? c->client_id : "");
	json_builder_set_member_name(b, "scope");
	json_builder_add_string_value(b, c->scope ? c->scope : "");
	json_builder_set_member_name(b, "expires_at");
	json_builder_add_int_value(b, (int64_t)time(NULL) + t->expires_in);
	json_builder_set_member_name(b, "access_token");
	json_builder_add_string_value(b, t->access);
	json_builder_end_object(b);
	root = json_builder_get_root(b);
	json_generator_set_root(g, root);
	txt = json_generator_to_data(g, NULL);
	ok = ds_oauth_write_private(path, txt, strlen(txt), err);
	ds_conf_secret_free(txt);
	json_node_unref(root);
	g_object_unref(g);
	g_object_unref(b);
	g_free(path);
	return ok;
}

static bool
same(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

/* A cached token for c valid for a while yet, or NULL. */
static char *
cache_get(const struct ds_oauth_conf *c, GError **err)
{
	struct ds_json_limits lim = { 64u << 10, 4 };
	JsonNode *root;
	JsonObject *o;
	char *path = cache_file(c), *buf, *tok = NULL;
	const char *s;
	int64_t exp = 0;
	size_t len;

	if (!ds_oauth_read_private(path, 64u << 10, &buf, &len, err)) {
		g_free(path);
		return NULL;
	}
	g_free(path);
	root = ds_json_parse(buf, len, &lim, NULL);
	ds_conf_secret_free(buf);
	if (root == NULL)
		return NULL;	/* a broken cache is refetched */
	if (JSON_NODE_HOLDS_OBJECT(root)) {
		o = json_node_get_object(root);
		s = ds_jget_str(o, "access_token");
		if (s != NULL && *s != '\0' && same(ds_jget_str(o,
		    "token_url"), c->token_url) && same(ds_jget_str(o,
		    "client_id"), c->client_id) && same(ds_jget_str(o,
		    "scope"), c->scope) && ds_jget_int(o, "expires_at", 0,
		    INT64_MAX, &exp) && exp - EXPIRY_MARGIN > time(NULL))
			tok = g_strdup(s);
	}
	json_node_unref(root);
	return tok;
}

void
ds_oauth_forget(const struct ds_oauth_conf *c)
{
	char *path = cache_file(c);

	unlink(path);
	g_free(path);
}

bool
ds_oauth_token(const struct ds_oauth_conf *c, const char *ca_file,
    bool force, char **out, bool *out_cached, GError **err)
{
	struct ds_oauth_tok t;
	char *secret = NULL, *refresh = NULL, *form = NULL;
	GError *e = NULL;
	bool ok = false;

	*out = NULL;
	*out_cached = false;
	if (c->token_url == NULL || c->client_id == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "mailbox %s: auth = oauth2 "
		    "needs oauth2-token-url and oauth2-client-id", c->name);
	if (!ds_http_check_url(c->token_url, "oauth2-token-url", err))
		return false;
	if (!force) {
		*out = cache_get(c, &e);
		if (e != NULL) {
			g_propagate_error(err, e);
			return false;
		}
		if (*out != NULL) {
			*out_cached = true;
			return true;
		}
	}
	if (!ds_oauth_client_secret(c, &secret, err) ||
	    !ds_oauth_secret(c->refresh_token_file, ENV_REFRESH,
	    "refresh token", &refresh, err))
		goto done;
	if (refresh != NULL)
		form = ds_http_form("grant_type", "refresh_token",
		    "refresh_token", refresh, "client_id", c->client_id,
		    "client_secret", secret, "scope", c->scope, NULL);
	else if (secret != NULL)
		form = ds_http_form("grant_type", "client_credentials",
		    "client_id", c->client_id, "client_secret", secret,
		    "scope", c->scope, NULL);
	else {
		ds_fail(err, DS_ERROR_USAGE, "mailbox %s: no OAuth2 credential "
		    "(set oauth2-client-secret-file, or run 'dmarcsift auth "
		    "login --mailbox %s' with oauth2-refresh-token-file set)",
		    c->name, c->name);
		goto done;
	}
	if (!ds_oauth_post(c, ca_file, c->token_url, form, &t, NULL, err))
		goto done;
	/* a rotated refresh token replaces the old one (Microsoft does) */
	ok = true;
	if (t.refresh != NULL && refresh != NULL && c->refresh_token_file &&
	    strcmp(t.refresh, refresh) != 0)
		ok = ds_oauth_write_private(c->refresh_token_file, t.refresh,
		    strlen(t.refresh), err);
	ok = ok && ds_oauth_cache_put(c, &t, err);
	if (ok) {
		*out = t.access;
		t.access = NULL;
	}
	ds_oauth_tok_clear(&t);
done:
	ds_conf_secret_free(form);
	ds_conf_secret_free(secret);
	ds_conf_secret_free(refresh);
	return ok;
}
