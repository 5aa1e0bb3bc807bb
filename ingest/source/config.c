/*
 * config.c - the configuration file: [mailbox:NAME] sections for
 * "dmarcsift poll" (IMAP, Microsoft Graph, Gmail API) and ad hoc IMAP
 * URLs, read through schema/config.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15: a configuration file that holds a password, and any
 * password-file, must give group and others no access; otherwise it is
 * refused, with the chmod that fixes it. Passwords are wiped before they
 * are freed and never appear in a message.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/source/config.h"
#include "ingest/source/imap.h"
#include "ingest/source/api.h"
#include "ingest/oauth/http.h"
#include "schema/config/config.h"

#define SECTION_PREFIX "mailbox:"

/* THREATS #15: password is a secret; url must not carry one */
static const struct ds_conf_key mailbox_keys[] = {
	{ "url", DS_CONF_URL, "password-file" },
	{ "user", 0, NULL },
	{ "password", DS_CONF_SECRET, NULL },
	{ "password-file", 0, NULL },
	{ "ca-file", 0, NULL },
	{ "archive-folder", 0, NULL },
	{ "invalid-folder", 0, NULL },
	{ "max-message-size", 0, NULL },
	{ "allow-plaintext", 0, NULL },
	{ "keep", 0, NULL },
	{ "too-large", 0, NULL },
	/* OAuth2 (auth = oauth2; always for graph:// and gmail://): the
	 * secrets themselves only in files or the environment */
	{ "auth", 0, NULL },
	{ "oauth2-token-url", DS_CONF_URL, "oauth2-client-secret-file" },
	{ "oauth2-device-url", DS_CONF_URL, "oauth2-client-secret-file" },
	{ "oauth2-client-id", 0, NULL },
	{ "oauth2-client-secret-file", 0, NULL },
	{ "oauth2-refresh-token-file", 0, NULL },
	{ "oauth2-scope", 0, NULL },
	{ "oauth2-token-cache", 0, NULL },
	{ "oauth2-mechanism", 0, NULL },
	{ "api-url", DS_CONF_URL, "oauth2-client-secret-file" },
	{ "remove-labels", 0, NULL },
	{ NULL, 0, NULL }
};

char *
ds_config_default_path(void)
{
	return ds_conf_default_path();
}

bool
ds_config_parse_size(const char *s, uint64_t *out)
{
	return ds_conf_parse_size(s, out);
}

void
ds_config_password_free(char *pw)
{
	ds_conf_secret_free(pw);
}

void
ds_mailbox_conf_free(struct ds_mailbox_conf *c)
{
	if (c == NULL)
		return;
	g_free(c->name);
	g_free(c->url);
	g_free(c->user);
	ds_config_password_free(c->password);
	g_free(c->password_file);
	g_free(c->ca_file);
	g_free(c->archive_folder);
	g_free(c->invalid_folder);
	g_free(c->mechanism);
	g_free(c->api_url);
	g_free(c->remove_labels);
	ds_oauth_conf_clear(&c->oauth);
	g_free(c);
}

bool
ds_config_check_private(int fd, const char *path, const char *what,
    GError **err)
{
	return ds_conf_check_private(fd, path, what, err);
}

bool
ds_config_password(const struct ds_mailbox_conf *c, char **out, GError **err)
{
	const char *env = getenv("DMARCSIFT_IMAP_PASSWORD");

	*out = NULL;
	if (c->password != NULL) {
		*out = g_strdup(c->password);
		return true;
	}
	if (c->password_file != NULL) {
		*out = ds_conf_read_secret_file(c->password_file,
		    "a password", err);
		return *out != NULL;
	}
	if (env != NULL && env[0] != '\0')
		*out = g_strdup(env);
	return true;
}

/* A folder name we can quote in a command and put in a URL. */
static bool
check_folder(const char *file, const char *section, const char *key,
    const char *v, GError **err)
{
	const char *p;

	for (p = v; *p; p++)
		if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
			break;
	if (*v == '\0' || *p != '\0')
		return ds_fail(err, DS_ERROR_USAGE, "%s: [%s] %s: folder names "
		    "must be printable ASCII (modified UTF-7 for others)",
		    file, section, key);
	return true;
}

/* Fill c from section group of conf (checked by ds_conf_check). */
static bool
parse_section(struct ds_mailbox_conf *c, const struct ds_conf *conf,
    const char *group, GError **err)
{
	static const char *const auth_choices[] = { "password", "oauth2",
		NULL };
	static const char *const big_choices[] = { "leave", "move", NULL };
	const char *file = ds_conf_path(conf);
	bool ok = false;
	int auth = 0, big = 0;

	c->url = ds_conf_get(conf, group, "url", false);
	c->user = ds_conf_get(conf, group, "user", false);
	c->password = ds_conf_get(conf, group, "password", true);
	c->password_file = ds_conf_get(conf, group, "password-file", false);
	c->ca_file = ds_conf_get(conf, group, "ca-file", false);
	c->archive_folder = ds_conf_get(conf, group, "archive-folder", false);
	c->invalid_folder = ds_conf_get(conf, group, "invalid-folder", false);
	c->mechanism = ds_conf_get(conf, group, "oauth2-mechanism", false);
	c->api_url = ds_conf_get(conf, group, "api-url", false);
	c->remove_labels = ds_conf_get(conf, group, "remove-labels", false);
	c->oauth.token_url = ds_conf_get(conf, group, "oauth2-token-url", false);
	c->oauth.device_url = ds_conf_get(conf, group, "oauth2-device-url",
	    false);
	c->oauth.client_id = ds_conf_get(conf, group, "oauth2-client-id", false);
	c->oauth.client_secret_file = ds_conf_get(conf, group,
	    "oauth2-client-secret-file", false);
	c->oauth.refresh_token_file = ds_conf_get(conf, group,
	    "oauth2-refresh-token-file", false);
	c->oauth.scope = ds_conf_get(conf, group, "oauth2-scope", false);
	c->oauth.token_cache = ds_conf_get(conf, group, "oauth2-token-cache",
	    false);
	if (!ds_conf_get_choice(conf, group, "auth", auth_choices, &auth,
	    err))
		goto done;
	c->oauth2 = auth == 1;
	/* too-large = leave (said on every run) or move (invalid-folder) */
	if (!ds_conf_get_choice(conf, group, "too-large", big_choices, &big,
	    err))
		goto done;
	c->too_large_move = big == 1;
	if (c->too_large_move && c->invalid_folder == NULL) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [%s] too-large = move needs "
		    "invalid-folder", file, group);
		goto done;
	}
	if (!ds_conf_get_size(conf, group, "max-message-size",
	    &c->max_message, err) ||
	    !ds_conf_get_bool(conf, group, "keep", &c->keep, err) ||
	    !ds_conf_get_bool(conf, group, "allow-plaintext",
	    &c->allow_plaintext, err))
		goto done;
	if (c->url == NULL) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [%s]: no url", file, group);
		goto done;
	}
	if ((c->archive_folder && !check_folder(file, group, "archive-folder",
	    c->archive_folder, err)) || (c->invalid_folder &&
	    !check_folder(file, group, "invalid-folder", c->invalid_folder,
	    err)))
		goto done;
	ok = true;
done:
	return ok;
}

/* The oauth2 settings of c, checked before anything is contacted. */
static bool
check_oauth(struct ds_mailbox_conf *c, const char *file, GError **err)
{
	GError *e = NULL;

	c->oauth.name = g_strdup(c->name);
	if (!c->oauth2)
		return true;
	if (c->oauth.token_url == NULL || c->oauth.client_id == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s]: auth = "
		    "oauth2 needs oauth2-token-url and oauth2-client-id", file,
		    c->name);
	if (c->mechanism != NULL && strcmp(c->mechanism, "xoauth2") != 0 &&
	    strcmp(c->mechanism, "oauthbearer") != 0)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] "
		    "oauth2-mechanism: neither xoauth2 nor oauthbearer", file,
		    c->name);
	if (c->password != NULL || c->password_file != NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s]: auth = "
		    "oauth2 takes no password", file, c->name);
	if (!ds_http_check_url(c->oauth.token_url, "oauth2-token-url", &e) ||
	    (c->oauth.device_url && !ds_http_check_url(c->oauth.device_url,
	    "oauth2-device-url", &e)) || (c->api_url &&
	    !ds_http_check_url(c->api_url, "api-url", &e))) {
		ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] %s", file,
		    c->name, e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

/* Check the URL the way the source will read it. */
static bool
check_url(struct ds_mailbox_conf *c, const char *file, GError **err)
{
	struct ds_imap_url u;
	struct ds_api_url au;
	GError *e = NULL;
	const char *api = g_str_has_prefix(c->url, "graph://") ? "graph" :
	    g_str_has_prefix(c->url, "gmail://") ? "gmail" : NULL;

	if (api != NULL) {
		if (!ds_api_url_parse(&au, c->url, api, &e))
			goto bad;
		ds_api_url_clear(&au);
		c->oauth2 = true;	/* the APIs know no other way */
		return check_oauth(c, file, err);
	}
	if (!ds_imap_url_parse(&u, c->url, &e))
		goto bad;
	if (c->user == NULL && u.user != NULL)
		c->user = g_strdup(u.user);
	ds_imap_url_clear(&u);
	return check_oauth(c, file, err);
bad:
	ds_fail(err, DS_ERROR_USAGE, "%s: [mailbox:%s] %s", file, c->name,
	    e->message);
	g_error_free(e);
	return false;
}

bool
ds_config_load(GPtrArray **out, const char *path, bool missing_ok,
    GError **err)
{
	struct ds_conf *conf;
	bool ok;

	*out = NULL;
	if ((conf = ds_conf_load(path, missing_ok, err)) == NULL)
		return false;
	ok = ds_config_mailboxes(conf, out, err);
	ds_conf_free(conf);
	return ok;
}

bool
ds_config_mailboxes(const struct ds_conf *conf, GPtrArray **out,
    GError **err)
{
	struct ds_mailbox_conf *c;
	GPtrArray *list;
	char **groups;
	size_t i;
	bool ok = false;

	list = g_ptr_array_new_with_free_func(
	    (GDestroyNotify)ds_mailbox_conf_free);
	groups = ds_conf_sections(conf, SECTION_PREFIX);
	for (i = 0; groups[i] != NULL; i++) {
		c = g_new0(struct ds_mailbox_conf, 1);
		c->name = g_strdup(groups[i] + strlen(SECTION_PREFIX));
		c->max_message = DS_MAILBOX_MAX_MESSAGE_DEFAULT;
		g_ptr_array_add(list, c);
		if (!ds_conf_check(conf, groups[i], mailbox_keys, err) ||
		    !parse_section(c, conf, groups[i], err) ||
		    !check_url(c, ds_conf_path(conf), err))
			goto done;
	}
	ok = true;
done:
	g_strfreev(groups);
	if (!ok) {
		g_ptr_array_unref(list);
		list = NULL;
	}
	*out = list;
	return ok;
}

struct ds_mailbox_conf *
ds_mailbox_conf_from_url(const char *url, GError **err)
{
	struct ds_mailbox_conf *c;
	struct ds_imap_url u;

	if (!ds_imap_url_parse(&u, url, err))
		return NULL;
	c = g_new0(struct ds_mailbox_conf, 1);
	c->name = g_strdup("url");
	c->url = g_strdup(url);
	c->user = g_strdup(u.user);
	c->max_message = DS_MAILBOX_MAX_MESSAGE_DEFAULT;
	c->oauth.name = g_strdup(c->name);
	ds_imap_url_clear(&u);
	return c;
}

const struct ds_mailbox_conf *
ds_config_find_url(const GPtrArray *boxes, const char *url)
{
	const struct ds_mailbox_conf *c, *found = NULL;
	struct ds_imap_url want, have;
	char *kw, *kh;
	guint i;

	if (boxes == NULL || !ds_imap_url_parse(&want, url, NULL))
		return NULL;
	for (i = 0; found == NULL && i < boxes->len; i++) {
		c = g_ptr_array_index(boxes, i);
		if (!ds_imap_url_parse(&have, c->url, NULL))
			continue;
		kw = ds_imap_url_key(&want, want.user ? want.user : c->user);
		kh = ds_imap_url_key(&have, c->user);
		if (strcmp(kw, kh) == 0)
			found = c;
		g_free(kw);
		g_free(kh);
		ds_imap_url_clear(&have);
	}
	ds_imap_url_clear(&want);
	return found;
}
