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

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "schema/store/store_doctor.h"
#include "report/cmd/commands.h"
#include "report/enrich/enrich.h"
#include "report/doctor/doctor.h"

#define DEFAULT_PERIOD (30 * 86400)

static char *opt_fail_on, *opt_cacert;

static const GOptionEntry entries[] = {
	{ "cacert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cacert,
	  "trust the CA certificates in FILE (PEM) for the HTTPS fetch of "
	  "the MTA-STS policy instead of the system's (a staging server)",
	  "FILE" },
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
cmd_doctor(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_doctor d;
	struct ds_query q;
	struct ds_decl *decl = NULL;
	enum ds_sev fail_on = DS_SEV_ERROR;
	GError *e = NULL;
	bool inited = false;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, "DOMAIN", "Diagnose the DMARC, SPF and DKIM "
	    "setup of DOMAIN from the stored\nreports and DNS: findings worst "
	    "first, each with its evidence and\nthe fix. Exit 1 when a "
	    "finding reaches --fail-on. The period is the\n30 days before "
	    "--until (default now) unless --since says.", entries, argc,
	    argv))
		return c->rc;
	if (c->argc != 2) {
		g_printerr("dmarcsift doctor: give exactly one DOMAIN\n"
		    "(see 'dmarcsift doctor --help')\n");
		return c->rc = DS_EXIT_USAGE;
	}
	q = c->q;
	if (q.until == INT64_MAX)
		q.until = c->now;
	if (q.since == INT64_MIN)
		q.since = q.until - DEFAULT_PERIOD;
	if (!check_domain(c->argv[1], &e) ||
	    !parse_level(opt_fail_on, &fail_on, &e))
		goto fail;
	if (c->fmt == DS_OUT_CSV) {
		ds_fail(&e, DS_ERROR_USAGE, "doctor writes text or json");
		goto fail;
	}
	if (q.since >= q.until) {
		ds_fail(&e, DS_ERROR_USAGE, "--since must be before --until");
		goto fail;
	}
	if (!ds_decl_from_conf(&decl, c->conf, c->argv[1], &e))
		goto fail;
	inited = true;
	if (!ds_doctor_init(&d, c->store, c->dns, c->argv[1], &q, c->now,
	    decl, &e))
		goto fail;
	/* AS numbers for the ASN rules of senders without a PTR name */
	d.mmdb = ds_enrich_mmdb(c->enrich);
	d.cacert = opt_cacert;
	if (!ds_doctor_run(&d, &e))
		goto fail;
	ds_doctor_emit(&d, c->fmt, stdout);
	if (ds_doctor_failed(&d, fail_on))
		rc = 1;
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	if (inited)
		ds_doctor_release(&d);
	ds_decl_free(decl);
	return rc;
}
