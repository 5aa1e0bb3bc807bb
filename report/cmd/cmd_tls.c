/*
 * cmd_tls.c - "dmarcsift tls": SMTP TLS reports (RFC 8460) per policy
 * domain: sessions, success rate, per policy type and MX pattern, and
 * the failure types with their counts and sending MTAs.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/text/rq_common.h"
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
 * "dmarcsift tls": parse argv, print the TLS report figures of the
 * period. Returns a DS_EXIT_* code.
 */
int
cmd_tls(int argc, char **argv)
{
	struct ds_store *st = NULL;
	struct ds_rq rq;
	GOptionEntry *all;
	GError *e = NULL;
	int rc = DS_EXIT_OK, view = DS_TLS_VIEW_ALL;

	all = ds_cli_entries_join(own, ds_rq_entries());
	if (!ds_cli_parse("tls", NULL, "SMTP TLS reports (RFC 8460) per "
	    "policy domain: sessions, success rate,\nper policy type and MX, "
	    "failure types with counts and sending MTAs.", all, &argc,
	    &argv) || !ds_rq_no_args("tls", argc)) {
		g_free(all);
		return DS_EXIT_USAGE;
	}
	g_free(all);
	if (!ds_rq_setup(&rq, &e))
		goto fail;
	if (opt_by && !parse_by(opt_by, &view, &e))
		goto fail;
	if (rq.fmt == DS_OUT_CSV && view == DS_TLS_VIEW_ALL)
		view = DS_TLS_BY_DOMAIN;
	if ((st = ds_cli_open_store(&e)) == NULL)
		goto fail;
	if (!ds_tls_emit(st, view, rq.q.domain, rq.q.since, rq.q.until,
	    rq.fmt, stdout, &e))
		goto fail;
	goto done;
fail:
	rc = ds_cli_fail(e);
	g_clear_error(&e);
done:
	ds_store_close(st);
	return rc;
}
