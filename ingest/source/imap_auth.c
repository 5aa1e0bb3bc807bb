/*
 * imap_auth.c - log in to an IMAP mailbox with a password or an OAuth2
 * bearer token (imap_auth.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #15, #22: secrets come from 0600 files, the environment or
 * ~/.netrc (0600), go to libcurl and nowhere else, and are wiped after.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "schema/util/error.h"
#include "ingest/oauth/oauth.h"
#include "ingest/source/imap_auth.h"

/* The password, or NULL for ~/.netrc (which must exist and be private). */
static bool
password(const struct ds_mailbox_conf *c, char **out, GError **err)
{
	const char *home = getenv("HOME");
	char *netrc;
	bool ok;
	int fd;

	if (!ds_config_password(c, out, err))
		return false;
	if (*out != NULL)
		return true;
	netrc = g_build_filename(home && *home ? home : g_get_home_dir(),
	    ".netrc", NULL);
	fd = open(netrc, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		ok = ds_fail(err, DS_ERROR_USAGE, "mailbox %s: no password "
		    "(set password-file or password, DMARCSIFT_IMAP_PASSWORD, "
		    "or add the host to ~/.netrc)", c->name);
	else {
		ok = ds_config_check_private(fd, netrc, "passwords", err);
		close(fd);
	}
	g_free(netrc);
	return ok;
}

static struct ds_imap *
open_password(const struct ds_imap_url *u, const struct ds_mailbox_conf *c,
    const char *cacert, GError **err)
{
	struct ds_imap_opts io = { 0 };
	struct ds_imap *im;
	char *pw = NULL;

	if (!password(c, &pw, err))
		return NULL;
	io.user = c->user;
	io.password = pw;
	io.ca_file = cacert ? cacert : c->ca_file;
	io.allow_plaintext = c->allow_plaintext;
	im = ds_imap_open(u, &io, err);
	ds_config_password_free(pw);	/* libcurl keeps its own copy */
	return im;
}

/*
 * A token from the cache (or the endpoint); a refused login with a
 * cached token (expired early, revoked) gets one fresh token and one
 * more try. The endpoint refusing is DS_ERROR_AUTH in its words.
 */
static struct ds_imap *
open_oauth2(const struct ds_imap_url *u, const struct ds_mailbox_conf *c,
    const char *cacert, GError **err)
{
	struct ds_imap_opts io = { 0 };
	struct ds_imap *im = NULL;
	const char *ca = cacert ? cacert : c->ca_file;
	GError *e = NULL;
	char *tok = NULL;
	bool cached;

	if (c->user == NULL) {
		ds_fail(err, DS_ERROR_USAGE, "mailbox %s: auth = oauth2 needs "
		    "user (the mailbox address)", c->name);
		return NULL;
	}
	if (!ds_oauth_token(&c->oauth, ca, false, &tok, &cached, err))
		return NULL;
	io.user = c->user;
	io.ca_file = ca;
	io.allow_plaintext = c->allow_plaintext;
	io.mechanism = c->mechanism;
	io.bearer = tok;
	im = ds_imap_open(u, &io, &e);
	if (im == NULL && cached && e->code == DS_ERROR_AUTH) {
		g_clear_error(&e);
		ds_conf_secret_free(tok);
		tok = NULL;
		ds_oauth_forget(&c->oauth);
		if (!ds_oauth_token(&c->oauth, ca, true, &tok, &cached, err))
			return NULL;
		io.bearer = tok;
		im = ds_imap_open(u, &io, &e);
	}
	ds_conf_secret_free(tok);	/* libcurl keeps its own copy */
	if (im == NULL)
		g_propagate_error(err, e);
	return im;
}

struct ds_imap *
ds_imap_auth_open(const struct ds_imap_url *u, const struct ds_mailbox_conf *c,
    const char *cacert, GError **err)
{
	if (c->oauth2)
		return open_oauth2(u, c, cacert, err);
	return open_password(u, c, cacert, err);
}
