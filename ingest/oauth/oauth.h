/*
 * oauth.h - OAuth2 access tokens for the mailbox sources: the client
 * credentials grant (RFC 6749 4.4), the refresh token grant (RFC 6749
 * 6) and the device authorization grant (RFC 8628), with a 0600 cache.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #22: client secrets and refresh tokens come only from 0600
 * files or the environment (DMARCSIFT_OAUTH2_CLIENT_SECRET,
 * DMARCSIFT_OAUTH2_REFRESH_TOKEN), never argv; they and the access
 * tokens appear in no message, log or URL; the token cache is 0600.
 */
#ifndef DS_OAUTH_H
#define DS_OAUTH_H

#include <stdbool.h>
#include <stdio.h>
#include <glib.h>

#include "schema/config/config.h"	/* ds_conf_secret_free */

/* The oauth2-* keys of one [mailbox:NAME] section; strings owned. */
struct ds_oauth_conf {
	char *name;		/* the mailbox, for messages and the cache */
	char *token_url;	/* oauth2-token-url */
	char *device_url;	/* oauth2-device-url (auth login) */
	char *client_id;	/* oauth2-client-id */
	char *client_secret_file;	/* oauth2-client-secret-file (0600) */
	char *refresh_token_file;	/* oauth2-refresh-token-file (0600) */
	char *scope;		/* oauth2-scope (space-separated) */
	char *token_cache;	/* oauth2-token-cache, else the default */
};

/* Free the strings of c (not c). */
void ds_oauth_conf_clear(struct ds_oauth_conf *c);

/*
 * The default cache file of mailbox name:
 * $XDG_CACHE_HOME/dmarcsift/oauth2-NAME.json (~/.cache/...). Caller frees.
 */
char *ds_oauth_cache_path(const char *name);

/*
 * An access token for c. Unless force, a cached one that is valid for
 * at least another minute (and was issued for the same endpoint, client
 * and scope); otherwise a new one from the token endpoint: the refresh
 * token grant when a refresh token is configured, else the client
 * credentials grant. A refresh token the endpoint rotates is written
 * back to oauth2-refresh-token-file. *out_cached says whether it came
 * from the cache. Caller frees *out with ds_conf_secret_free.
 * DS_ERROR_AUTH when the endpoint refuses (its error and
 * error_description quoted), DS_ERROR_USAGE for a missing client id,
 * secret or token URL, or a secret file group or others may read,
 * DS_ERROR_NET for the network or the endpoint failing.
 */
bool ds_oauth_token(const struct ds_oauth_conf *c, const char *ca_file,
    bool force, char **out, bool *out_cached, GError **err);

/* Forget the cached access token of c (after the server refused it). */
void ds_oauth_forget(const struct ds_oauth_conf *c);

/*
 * RFC 8628: ask oauth2-device-url for a code, print the address and the
 * code to out, poll the token endpoint until the user consented (or
 * refused, or the code expired), then store the refresh token in
 * oauth2-refresh-token-file (created 0600) and cache the access token.
 * DS_ERROR_AUTH when refused or expired, DS_ERROR_USAGE for missing
 * settings, DS_ERROR_NET, DS_ERROR_IO.
 */
bool ds_oauth_device_login(const struct ds_oauth_conf *c,
    const char *ca_file, FILE *out, GError **err);

#endif
