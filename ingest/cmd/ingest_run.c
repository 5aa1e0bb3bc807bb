/*
 * ingest_run.c - lock, pipeline and failure handler for "ingest" and
 * "poll" (ingest_run.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/util/error.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/pipeline/failure_hook.h"
#include "ingest/source/source_imap.h"

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
	po.batch = batch;
	pl = ds_pipeline_new(c->store, lim, &po);
	ds_failure_hook_install(pl);
	ds_failure_hook_set_dns(pl, c->dns);
	*out = pl;
	return DS_EXIT_OK;
}

void
ds_ingest_run_end(struct ds_pipeline *pl)
{
	if (pl == NULL)
		return;
	ds_failure_hook_remove(pl);
	ds_pipeline_free(pl);
}
