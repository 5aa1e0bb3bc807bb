/*
 * cmd_html.c - "dmarcsift html --out DIR": build or refresh the static
 * dashboard (html_build.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/cli/cli.h"
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
	  "records shown on a report page (default 2000)", "N" },
	G_OPTION_ENTRY_NULL
};

int
cmd_html(int argc, char **argv)
{
	struct ds_store *st = NULL;
	struct ds_dns *dns = NULL;
	struct ds_services *svc = NULL;
	struct ds_enrich en;
	struct ds_html_opts o = { 0 };
	struct ds_site_stats stats;
	GOptionEntry *all;
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	bool parsed;

	all = ds_cli_entries_join(entries, ds_cli_dns_entries());
	parsed = ds_cli_parse("html", NULL, "Write the static HTML dashboard "
	    "(index, one page per domain and per report) to --out DIR.\n"
	    "Only pages whose content changed are rewritten, atomically.",
	    all, &argc, &argv);
	g_free(all);
	if (!parsed)
		return DS_EXIT_USAGE;
	if (opt_out == NULL || argc > 1 || opt_max_senders < 0 ||
	    opt_max_records < 0) {
		fprintf(stderr, "dmarcsift html: --out DIR is required, "
		    "counts must be positive\n");
		return DS_EXIT_USAGE;
	}
	o.out = opt_out;
	o.max_senders = (unsigned)opt_max_senders;
	o.max_records = (unsigned)opt_max_records;
	if ((dns = ds_cli_open_dns(&e)) == NULL ||
	    (st = ds_cli_open_store_readonly(&e)) == NULL ||
	    (svc = ds_services_default(NULL, &e)) == NULL)
		goto fail;
	/* names behind the IPs: cache, then DNS (none with --offline) */
	ds_enrich_init(&en, st, dns, svc, g_get_real_time() / G_USEC_PER_SEC);
	o.info = ds_enrich_ipinfo;
	o.info_payload = &en;
	if (!ds_html_build(st, &o, &stats, &e))
		goto fail;
	if (!ds_cli.quiet)
		printf("%s: %u page(s) written, %u unchanged, %u kept, "
		    "%u removed\n", opt_out, stats.written, stats.unchanged,
		    stats.kept, stats.removed);
	goto done;
fail:
	rc = ds_cli_fail(e);
	g_clear_error(&e);
done:
	ds_store_close(st);
	ds_services_free(svc);
	ds_dns_free(dns);
	return rc;
}
