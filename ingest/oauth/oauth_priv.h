/*
 * oauth_priv.h - what token.c and device.c share.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_OAUTH_PRIV_H
#define DS_OAUTH_PRIV_H

#include <stdint.h>

#include "ingest/oauth/oauth.h"

/* A token endpoint's answer (RFC 6749 5.1); secrets wiped by _clear. */
struct ds_oauth_tok {
	char *access;
	char *refresh;		/* NULL when none was sent */
	int64_t expires_in;	/* seconds; 3600 when not sent */
};

void ds_oauth_tok_clear(struct ds_oauth_tok *t);

/*
 * POST form (ownership stays) to the token endpoint of c. On success
 * *out is filled. When the endpoint answers with an error (RFC 6749
 * 5.2) and out_code is not NULL, *out_code is its "error" value (caller
 * frees) and err says what the endpoint said (DS_ERROR_AUTH).
 */
bool ds_oauth_post(const struct ds_oauth_conf *c, const char *ca_file,
    const char *url, const char *form, struct ds_oauth_tok *out,
    char **out_code, GError **err);

/* Cache access token t of c (0600). */
bool ds_oauth_cache_put(const struct ds_oauth_conf *c,
    const struct ds_oauth_tok *t, GError **err);

/* The client secret of c (file or environment), or NULL. */
bool ds_oauth_client_secret(const struct ds_oauth_conf *c, char **out,
    GError **err);

#endif
