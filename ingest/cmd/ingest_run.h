/*
 * ingest_run.h - what "ingest" and "poll" share: lock the store, build
 * the pipeline with the failure-report handler and its resolver, and
 * take it down again.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_INGEST_RUN_H
#define DS_INGEST_RUN_H

#include "schema/cli/ctx.h"
#include "schema/model/limits.h"
#include "ingest/pipeline/pipeline.h"

/*
 * Wait up to wait_s seconds for the store's lock, then build the
 * pipeline over c->store with lim. The resolver for re-verifying
 * failure reports is opened now when --offline or --dns-zone was given
 * (a bad zone file stops the run before anything is stored), else at
 * the first failure report. batch: several inputs per transaction
 * (ds_pipeline_opts). Returns DS_EXIT_OK with *out set, or the
 * exit code (the error printed).
 */
int ds_ingest_run_begin(struct ds_ctx *c, const struct ds_limits *lim,
    int wait_s, bool batch, struct ds_pipeline **out);

/* Free what begin built (NULL-safe). */
void ds_ingest_run_end(struct ds_pipeline *pl);

#endif
