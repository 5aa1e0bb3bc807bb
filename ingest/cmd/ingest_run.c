/*
 * ingest_run.c - lock, pipeline and failure handler for "ingest" and
 * "poll" (ingest_run.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/util/error.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/source/mailsrc.h"

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
