/*
 * ingest_run.c - lock, pipeline and failure handler for "ingest" and
 * "poll" (ingest_run.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/util/error.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/source/mailsrc.h"

/* the keys of [ingest] this file reads */
static const struct ds_conf_key ingest_keys[] = {
	{ "store-samples", 0, NULL },
	{ NULL, 0, NULL }
};

/*
 * [ingest] store-samples (failure_keep.h), redacted when absent. The
 * value is not echoed in the error: a config line never is.
 */
static bool
store_samples(struct ds_ctx *c, enum ds_store_samples *out, GError **err)
{
	char *v;
	bool ok = true;

	*out = DS_SAMPLES_REDACTED;
	if (c->conf == NULL)
		return true;
	if (!ds_conf_check(c->conf, "ingest", ingest_keys, err))
		return false;
	v = ds_conf_get(c->conf, "ingest", "store-samples", false);
	if (v != NULL && !ds_store_samples_parse(v, out))
		ok = ds_fail(err, DS_ERROR_USAGE, "%s: [ingest] store-samples: "
		    "not one of full, headers, redacted, none",
		    ds_conf_path(c->conf));
	g_free(v);
	return ok;
}

/* the system resolver, opened by the context at the first need */
static struct ds_dns *
open_dns(void *ctx, GError **err)
{
	return ds_ctx_dns(ctx, err);
}

int
ds_ingest_run_begin(struct ds_ctx *c, const struct ds_limits *lim,
    int wait_s, bool batch, struct ds_pipeline **out)
{
	struct ds_pipeline_opts po = { 0 };
	struct ds_pipeline *pl;
	GError *e = NULL;
	int rc;

	*out = NULL;
	if (!store_samples(c, &po.store_samples, &e)) {
		rc = ds_ctx_fail(c, e);
		g_error_free(e);
		return rc;
	}
	if ((c->offline || c->whatif) && ds_ctx_dns(c, &e) == NULL) {
		rc = ds_ctx_fail(c, e);
		g_error_free(e);
		return rc;
	}
	if ((rc = ds_imap_cmd_lock(c->store, wait_s)) != DS_EXIT_OK)
		return c->rc = rc;
	po.quiet = c->quiet;
	po.verbose = c->verbose;
	/* a shared store: one transaction per input, other hosts write too */
	po.batch = batch && !ds_store_shared(c->store);
	po.dns = c->dns;
	po.open_dns = open_dns;
	po.open_ctx = c;
	pl = ds_pipeline_new(c->store, lim, &po);
	*out = pl;
	return DS_EXIT_OK;
}

void
ds_ingest_run_end(struct ds_pipeline *pl)
{
	if (pl == NULL)
		return;
	ds_pipeline_free(pl);
}
