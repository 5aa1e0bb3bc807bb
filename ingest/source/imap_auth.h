/*
 * imap_auth.h - log in to an IMAP mailbox the way its configuration
 * says: a password (password, password-file, $DMARCSIFT_IMAP_PASSWORD,
 * ~/.netrc) or an OAuth2 bearer token (SASL XOAUTH2 or OAUTHBEARER).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_IMAP_AUTH_H
#define DS_IMAP_AUTH_H

#include <glib.h>

#include "ingest/source/config.h"
#include "ingest/source/imap.h"

/*
 * Connect to u and log in as mailbox c says; cacert (--cacert) overrides
 * c->ca_file. With auth = oauth2 the access token comes from the cache
 * or the token endpoint, and a refused login with a cached token gets
 * one fresh token and one more try. Errors as ds_imap_open, plus
 * DS_ERROR_USAGE (no password, bad secret file) and DS_ERROR_AUTH (the
 * token endpoint refused, with its own words).
 */
struct ds_imap *ds_imap_auth_open(const struct ds_imap_url *u,
    const struct ds_mailbox_conf *c, const char *cacert, GError **err);

#endif
