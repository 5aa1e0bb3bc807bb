/*
 * cmd_html.c - "dmarcsift html --out DIR": build or refresh the static
 * dashboard (html_build.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/enrich/enrich.h"
#include "report/html/html_build.h"

static char *opt_out;
static int opt_max_senders, opt_max_records;

static const GOptionEntry entries[] = {
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "site directory (created; rebuilt in place)", "DIR" },
	{ "max-senders", 0, 0, G_OPTION_ARG_INT, &opt_max_senders,
	  "rows of a domain's senders table (default 500)", "N" },
	{ "max-records", 0, 0, G_OPTION_ARG_INT, &opt_max_records,
	  "records shown per report on a month page (default 100)", "N" },
	G_OPTION_ENTRY_NULL
};

int
cmd_html(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_html_opts o = { 0 };
	struct ds_site_stats stats;
	GError *e = NULL;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, NULL, "Write the static HTML dashboard (index, "
	    "one page per domain, one per domain and month with its reports) "
	    "to --out DIR.\nOnly pages "
	    "whose content changed are rewritten, atomically.", entries,
	    argc, argv))
		return c->rc;
	if (opt_out == NULL || c->argc > 1 || opt_max_senders < 0 ||
	    opt_max_records < 0) {
		g_printerr("dmarcsift html: --out DIR is required, "
		    "counts must be positive\n");
		return c->rc = DS_EXIT_USAGE;
	}
	o.out = opt_out;
	o.max_senders = (unsigned)opt_max_senders;
	o.max_records = (unsigned)opt_max_records;
	o.now = c->now;
	/* names behind the IPs: cache, then DNS (none with --offline) */
	o.info = ds_enrich_ipinfo;
	o.info_payload = c->enrich;
	o.dns = c->dns;
	o.conf = c->conf;
	if (!ds_html_build(c->store, &o, &stats, &e))
		goto fail;
	if (!c->quiet)
		g_print("%s: %u page(s) written, %u unchanged, %u kept, "
		    "%u removed\n", opt_out, stats.written, stats.unchanged,
		    stats.kept, stats.removed);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	return rc;
}
