/*
 * cmd_doctor.c - "dmarcsift doctor DOMAIN": diagnose a domain's DMARC,
 * SPF and DKIM setup from stored reports and DNS (issue 8).
 * SPDX-License-Identifier: MIT
 *
 * Exit status: 0 when no finding reaches --fail-on (default error), 1
 * otherwise, so monitoring can call it; 2 usage, 75 database trouble.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "schema/store/store_doctor.h"
#include "report/cmd/commands.h"
#include "report/doctor/doctor.h"

#define DEFAULT_PERIOD (30 * 86400)

static char *opt_format, *opt_since, *opt_until, *opt_fail_on;

static const GOptionEntry entries[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "text (default) or json", "FMT" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "reports from (2026-11-01, 7d, @UNIX; default 30 days before "
	  "--until)", "WHEN" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &opt_until,
	  "reports before (default now)", "WHEN" },
	{ "fail-on", 0, 0, G_OPTION_ARG_STRING, &opt_fail_on,
	  "exit 1 when a finding is at least this severe: warning or "
	  "error (default)", "LEVEL" },
	G_OPTION_ENTRY_NULL
};

static bool
parse_level(const char *s, enum ds_sev *out, GError **err)
{
	if (s == NULL || strcmp(s, "error") == 0)
		*out = DS_SEV_ERROR;
	else if (strcmp(s, "warning") == 0)
		*out = DS_SEV_WARNING;
	else if (strcmp(s, "info") == 0)
		*out = DS_SEV_INFO;
	else
		return ds_fail(err, DS_ERROR_USAGE, "bad --fail-on '%s' "
		    "(warning or error)", s);
	return true;
}

/* A domain name as typed: letters, digits, '-', '_', '.' only. */
static bool
check_domain(const char *s, GError **err)
{
	size_t i, n = strlen(s);

	for (i = 0; i < n; i++)
		if (!g_ascii_isalnum(s[i]) && strchr("-_.", s[i]) == NULL)
			break;
	if (n == 0 || n > 253 || i < n || s[0] == '.')
		return ds_fail(err, DS_ERROR_USAGE, "'%s' is not a domain "
		    "name", s);
	return true;
}

int
cmd_doctor(int argc, char **argv)
{
	struct ds_doctor d;
	struct ds_store *st = NULL;
	struct ds_dns *dns = NULL;
	struct ds_query q;
	enum ds_outfmt fmt;
	enum ds_sev fail_on = DS_SEV_ERROR;
	GOptionEntry *all;
	GError *e = NULL;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	bool inited = false, ok;
	int rc = DS_EXIT_OK;

	all = ds_cli_entries_join(entries, ds_cli_dns_entries());
	ok = ds_cli_parse("doctor", "DOMAIN", "Diagnose the DMARC, SPF and "
	    "DKIM setup of DOMAIN from the stored\nreports and DNS: findings "
	    "worst first, each with its evidence and\nthe fix. Exit 1 when a "
	    "finding reaches --fail-on.", all, &argc, &argv);
	g_free(all);
	if (!ok)
		return DS_EXIT_USAGE;
	if (argc != 2) {
		fprintf(stderr, "dmarcsift doctor: give exactly one DOMAIN\n"
		    "(see 'dmarcsift doctor --help')\n");
		return DS_EXIT_USAGE;
	}
	ds_query_init(&q);
	q.until = now;
	if (!check_domain(argv[1], &e) ||
	    !ds_parse_outfmt(opt_format, &fmt, &e) ||
	    !parse_level(opt_fail_on, &fail_on, &e) ||
	    (opt_until && !ds_parse_time(opt_until, now, &q.until, &e)) ||
	    (opt_since && !ds_parse_time(opt_since, now, &q.since, &e)))
		goto fail;
	if (fmt == DS_OUT_CSV) {
		ds_fail(&e, DS_ERROR_USAGE, "doctor writes text or json");
		goto fail;
	}
	if (!opt_since)
		q.since = q.until - DEFAULT_PERIOD;
	if (q.since >= q.until) {
		ds_fail(&e, DS_ERROR_USAGE, "--since must be before --until");
		goto fail;
	}
	if ((dns = ds_cli_open_dns(&e)) == NULL ||
	    (st = ds_cli_open_store_readonly(&e)) == NULL)
		goto fail;
	inited = true;
	if (!ds_doctor_init(&d, st, dns, argv[1], &q, now, &e) ||
	    !ds_doctor_run(&d, &e))
		goto fail;
	ds_doctor_emit(&d, fmt, stdout);
	if (ds_doctor_failed(&d, fail_on))
		rc = 1;
	goto done;
fail:
	rc = ds_cli_fail(e);
	g_clear_error(&e);
done:
	if (inited)
		ds_doctor_release(&d);
	ds_store_close(st);
	ds_dns_free(dns);
	return rc;
}
