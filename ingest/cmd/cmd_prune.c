/*
 * cmd_prune.c - "dmarcsift prune": retention. Deletes failure samples
 * (personal data), the raw bytes of quarantined inputs and the raw
 * records of aggregate reports (their rollups stay) past an age,
 * then gives the space back (schema/store/store_prune.h says what goes
 * and what stays). Made for cron: silent with --quiet, one line else.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #18: takes the database lock like ingest and poll, so it
 * never runs beside them.
 */
#include <stdio.h>

#include "schema/cli/ctx.h"
#include "schema/config/config.h"
#include "schema/util/error.h"
#include "schema/store/store_prune.h"
#include "ingest/cmd/commands.h"
#include "ingest/source/mailsrc.h"

static char *opt_samples, *opt_quarantine, *opt_raw;
static gboolean opt_dry_run;
static int opt_wait = 10;

static const GOptionEntry entries[] = {
	{ "samples-older-than", 0, 0, G_OPTION_ARG_STRING, &opt_samples,
	  "delete failure samples (the original messages) of failure "
	  "reports older than AGE", "AGE" },
	{ "quarantine-older-than", 0, 0, G_OPTION_ARG_STRING,
	  &opt_quarantine, "delete the raw bytes of inputs quarantined "
	  "before AGE (the reason stays)", "AGE" },
	{ "raw-older-than", 0, 0, G_OPTION_ARG_STRING, &opt_raw,
	  "delete the raw records of aggregate reports that ended before "
	  "AGE (reports, totals and day rollups stay)", "AGE" },
	{ "dry-run", 'n', 0, G_OPTION_ARG_NONE, &opt_dry_run,
	  "count what would go, change nothing", NULL },
	{ "wait", 0, 0, G_OPTION_ARG_INT, &opt_wait,
	  "seconds to wait for another run to finish (default 10)", "SEC" },
	G_OPTION_ENTRY_NULL
};

/* [retention] of the configuration file; the options win */
static const struct ds_conf_key retention_keys[] = {
	{ "samples-older-than", 0, NULL },
	{ "quarantine-older-than", 0, NULL },
	{ "raw-older-than", 0, NULL },
	{ NULL, 0, NULL }
};

/*
 * The cut-off point of one option: its value (an age, "400d", or a
 * date), else the [retention] key of the same name (an age); *set is
 * false when neither is given.
 */
static bool
cutoff(struct ds_ctx *c, const char *key, const char *opt, int64_t *out,
    bool *set, GError **err)
{
	GError *e = NULL;
	int64_t age = -1;

	*set = false;
	if (opt != NULL) {
		if (!ds_parse_time(opt, c->now, out, &e)) {
			ds_fail(err, DS_ERROR_USAGE, "--%s: %s", key,
			    e->message);
			g_error_free(e);
			return false;
		}
		*set = true;
		return true;
	}
	if (!ds_conf_get_age(c->conf, "retention", key, &age, err))
		return false;
	if (age >= 0) {
		*out = c->now - age;
		*set = true;
	}
	return true;
}

int
cmd_prune(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_prune_stats r;
	struct ds_prune p;
	GError *e = NULL;
	bool samples, quarantine, raw;
	int rc;

	if (!ds_ctx_setup(c, NULL, "Forget what is past its age: failure "
	    "samples (personal data),\nquarantined bytes, raw records of "
	    "aggregate reports. AGE is 400d, 8w, "
	    "12h or a date (2026-01-01);\nwithout an option, the [retention] "
	    "keys of the same names.\nReports, totals and day rollups stay "
	    "(summary does not change); the\nfile shrinks.", entries, argc,
	    argv) || !ds_ctx_no_args(c))
		return c->rc;
	ds_prune_init(&p);
	p.dry_run = opt_dry_run;
	if (!ds_conf_check(c->conf, "retention", retention_keys, &e) ||
	    !cutoff(c, "samples-older-than", opt_samples, &p.samples_before,
	    &samples, &e) || !cutoff(c, "quarantine-older-than",
	    opt_quarantine, &p.quarantine_before, &quarantine, &e) ||
	    !cutoff(c, "raw-older-than", opt_raw, &p.raw_before, &raw, &e))
		goto fail;
	if (!raw)
		p.raw_before = INT64_MIN;
	if (!samples)
		p.samples_before = INT64_MIN;
	if (!quarantine)
		p.quarantine_before = INT64_MIN;
	if (!samples && !quarantine && !raw) {
		ds_fail(&e, DS_ERROR_USAGE, "nothing to prune: give "
		    "--samples-older-than, --quarantine-older-than or "
		    "--raw-older-than (or set them in [retention])");
		goto fail;
	}
	if ((rc = ds_imap_cmd_lock(c->store, opt_wait)) != DS_EXIT_OK)
		return c->rc = rc;
	if (!ds_store_prune(c->store, &p, &r, &e))
		goto fail;
	if (!c->quiet)
		g_printerr("dmarcsift: prune: %s%" G_GINT64_FORMAT
		    " failure samples (%" G_GINT64_FORMAT " bytes), %"
		    G_GINT64_FORMAT " quarantined inputs (%" G_GINT64_FORMAT
		    " bytes), %" G_GINT64_FORMAT " raw records of %"
		    G_GINT64_FORMAT " reports; database %" G_GINT64_FORMAT
		    " -> %" G_GINT64_FORMAT " bytes\n", p.dry_run ?
		    "would delete " : "deleted ", r.samples, r.sample_bytes,
		    r.quarantined, r.quarantine_bytes, r.records,
		    r.record_reports, r.file_before, r.file_after);
	return DS_EXIT_OK;
fail:
	rc = ds_ctx_fail(c, e);
	g_error_free(e);
	return rc;
}
