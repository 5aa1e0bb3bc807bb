/*
 * cmd_auth.c - "dmarcsift auth login --mailbox NAME": the one-time
 * OAuth2 consent (RFC 8628 device authorization grant) for a mailbox
 * whose [mailbox:NAME] section has auth = oauth2, oauth2-device-url and
 * oauth2-refresh-token-file.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #22: the refresh token goes to its 0600 file only; nothing
 * secret is printed, only the address to open and the code to enter.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "ingest/cmd/commands.h"
#include "ingest/oauth/oauth.h"
#include "ingest/source/config.h"

static char *opt_mailbox, *opt_cacert;

static const GOptionEntry entries[] = {
	{ "mailbox", 'm', 0, G_OPTION_ARG_STRING, &opt_mailbox,
	  "the [mailbox:NAME] section to authorize", "NAME" },
	{ "cacert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cacert,
	  "trust the CA certificates in FILE (overrides ca-file)", "FILE" },
	G_OPTION_ENTRY_NULL
};

int
cmd_auth(struct ds_ctx *x, int argc, char **argv)
{
	const struct ds_mailbox_conf *c = NULL;
	GPtrArray *boxes = NULL;
	GError *e = NULL;
	guint i;
	int rc;

	if (!ds_ctx_setup(x, "login",
	    "Give dmarcsift access to an OAuth2 mailbox once: prints an\n"
	    "address and a code; open the address anywhere, sign in as the\n"
	    "mailbox's owner, enter the code. The refresh token is stored\n"
	    "in oauth2-refresh-token-file (mode 0600); poll uses it from\n"
	    "then on.", entries, argc, argv))
		return x->rc;
	if (x->argc != 2 || strcmp(x->argv[1], "login") != 0 ||
	    opt_mailbox == NULL) {
		g_printerr("dmarcsift auth: usage: dmarcsift auth login "
		    "--mailbox NAME\n");
		return x->rc = DS_EXIT_USAGE;
	}
	if (!ds_config_mailboxes(x->conf, &boxes, &e))
		goto fail;
	for (i = 0; i < boxes->len && c == NULL; i++)
		if (strcmp(((struct ds_mailbox_conf *)g_ptr_array_index(boxes,
		    i))->name, opt_mailbox) == 0)
			c = g_ptr_array_index(boxes, i);
	if (c == NULL) {
		ds_fail(&e, DS_ERROR_USAGE, "no [mailbox:%s] in the "
		    "configuration file", opt_mailbox);
		goto fail;
	}
	if (!c->oauth2) {
		ds_fail(&e, DS_ERROR_USAGE, "mailbox %s: auth login needs auth "
		    "= oauth2", c->name);
		goto fail;
	}
	if (!ds_oauth_device_login(&c->oauth, opt_cacert ? opt_cacert :
	    c->ca_file, stdout, &e))
		goto fail;
	g_ptr_array_unref(boxes);
	return DS_EXIT_OK;
fail:
	rc = ds_ctx_fail(x, e);
	g_clear_error(&e);
	if (boxes)
		g_ptr_array_unref(boxes);
	return rc;
}
