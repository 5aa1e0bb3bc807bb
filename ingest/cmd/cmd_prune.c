/*
 * cmd_prune.c - "dmarcsift prune": retention. Deletes failure samples
 * (personal data) and the raw bytes of quarantined inputs past an age,
 * then gives the space back (schema/store/store_prune.h says what goes
 * and what stays). Made for cron: silent with --quiet, one line else.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #18: takes the database lock like ingest and poll, so it
 * never runs beside them.
 */
#include <stdio.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "schema/store/store_prune.h"
#include "ingest/cmd/commands.h"
#include "ingest/source/source_imap.h"

static char *opt_samples, *opt_quarantine;
static gboolean opt_dry_run;
static int opt_wait = 10;

static const GOptionEntry entries[] = {
	{ "samples-older-than", 0, 0, G_OPTION_ARG_STRING, &opt_samples,
	  "delete failure samples (the original messages) of failure "
	  "reports older than AGE", "AGE" },
	{ "quarantine-older-than", 0, 0, G_OPTION_ARG_STRING,
	  &opt_quarantine, "delete the raw bytes of inputs quarantined "
	  "before AGE (the reason stays)", "AGE" },
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  "count what would go, change nothing", NULL },
	{ "wait", 0, 0, G_OPTION_ARG_INT, &opt_wait,
	  "seconds to wait for another run to finish (default 10)", "SEC" },
	G_OPTION_ENTRY_NULL
};

/* An age ("400d", "8w") or a date: the cut-off point in time. */
static bool
age(const char *opt, const char *s, int64_t now, int64_t *out, GError **err)
{
	GError *e = NULL;

	if (s == NULL)
		return true;
	if (!ds_parse_time(s, now, out, &e)) {
		ds_fail(err, DS_ERROR_USAGE, "--%s: %s", opt, e->message);
		g_error_free(e);
		return false;
	}
	return true;
}

int
cmd_prune(int argc, char **argv)
{
	struct ds_prune_stats r;
	struct ds_store *st = NULL;
	struct ds_prune p;
	GError *e = NULL;
	int64_t now = g_get_real_time() / G_USEC_PER_SEC;
	int rc;

	if (!ds_cli_parse("prune", "", "Forget what is past its age: failure "
	    "samples (personal data)\nand quarantined bytes. AGE is 400d, 8w, "
	    "12h or a date (2026-01-01).\nReports, records and totals stay; "
	    "the file shrinks.", entries, &argc, &argv))
		return DS_EXIT_USAGE;
	if (argc > 1) {
		fprintf(stderr, "dmarcsift prune: unexpected '%s'\n", argv[1]);
		return DS_EXIT_USAGE;
	}
	ds_prune_init(&p);
	p.dry_run = opt_dry_run;
	if (!age("samples-older-than", opt_samples, now, &p.samples_before,
	    &e) || !age("quarantine-older-than", opt_quarantine, now,
	    &p.quarantine_before, &e))
		goto fail;
	if (opt_samples == NULL && opt_quarantine == NULL) {
		ds_fail(&e, DS_ERROR_USAGE, "nothing to prune: give "
		    "--samples-older-than or --quarantine-older-than");
		goto fail;
	}
	if ((st = ds_cli_open_store(&e)) == NULL)
		goto fail;
	if ((rc = ds_imap_cmd_lock(st, opt_wait)) != DS_EXIT_OK) {
		ds_store_close(st);
		return rc;
	}
	if (!ds_store_prune(st, &p, &r, &e))
		goto fail;
	ds_store_close(st);
	if (!ds_cli.quiet)
		fprintf(stderr, "dmarcsift: prune: %s%" G_GINT64_FORMAT
		    " failure samples (%" G_GINT64_FORMAT " bytes), %"
		    G_GINT64_FORMAT " quarantined inputs (%" G_GINT64_FORMAT
		    " bytes); database %" G_GINT64_FORMAT " -> %" G_GINT64_FORMAT
		    " bytes\n", p.dry_run ? "would delete " : "deleted ",
		    r.samples, r.sample_bytes, r.quarantined,
		    r.quarantine_bytes, r.file_before, r.file_after);
	return DS_EXIT_OK;
fail:
	rc = ds_cli_fail(e);
	g_error_free(e);
	ds_store_close(st);
	return rc;
}
