/*
 * cmd_tls.c - "dmarcsift tls": SMTP TLS reports (RFC 8460) per policy
 * domain: sessions, success rate, per policy type and MX pattern, and
 * the failure types with their counts and sending MTAs.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/text/tls_text.h"

static char *opt_by;

static const GOptionEntry own[] = {
	{ "by", 0, 0, G_OPTION_ARG_STRING, &opt_by,
	  "one table only: domain, policy, mx or failure (CSV needs one; "
	  "default domain)", "TABLE" },
	G_OPTION_ENTRY_NULL
};

static bool
parse_by(const char *s, int *out, GError **err)
{
	static const char *const names[] = { "domain", "policy", "mx",
	    "failure", NULL };
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(s, names[i]) == 0) {
			*out = i;
			return true;
		}
	return ds_fail(err, DS_ERROR_USAGE, "--by must be domain, policy, mx "
	    "or failure");
}

/*
 * "dmarcsift tls": print the TLS report figures of the period.
 * Returns a DS_EXIT_* code.
 */
int
cmd_tls(struct ds_ctx *c, int argc, char **argv)
{
	GError *e = NULL;
	int rc = DS_EXIT_OK, view = DS_TLS_VIEW_ALL;

	if (!ds_ctx_setup(c, NULL, "SMTP TLS reports (RFC 8460) per policy "
	    "domain: sessions, success rate,\nper policy type and MX, failure "
	    "types with counts and sending MTAs.", own, argc, argv) ||
	    !ds_ctx_no_args(c))
		return c->rc;
	if (opt_by && !parse_by(opt_by, &view, &e))
		goto fail;
	if (c->fmt == DS_OUT_CSV && view == DS_TLS_VIEW_ALL)
		view = DS_TLS_BY_DOMAIN;
	if (!ds_tls_emit(c->store, view, c->q.domain, c->q.since, c->q.until,
	    c->fmt, stdout, &e))
		goto fail;
	return rc;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
	return rc;
}
