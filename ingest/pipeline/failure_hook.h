/*
 * failure_hook.h - plug failure (ARF) report handling into a pipeline.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_FAILURE_HOOK_H
#define DS_FAILURE_HOOK_H

#include "schema/dns/dns.h"
#include "ingest/pipeline/pipeline.h"

/*
 * Register the failure-report handler on pl (NULL-safe): each failure
 * report is parsed (ingest/failure/failure.h), re-verified and stored with its
 * sample (schema/store/store_failure.h). DNS for the re-verification is the
 * one given to ds_failure_hook_set_dns, else what the command line's
 * --offline / --dns-zone ask for (ds_cli_open_dns), opened at the first
 * failure report.
 */
void ds_failure_hook_install(struct ds_pipeline *pl);
/*
 * Re-verify with dns (borrowed: it must outlive the pipeline's use;
 * NULL: open it from the command line options as said above).
 */
void ds_failure_hook_set_dns(struct ds_pipeline *pl, struct ds_dns *dns);
/* Free what install allocated (NULL-safe). */
void ds_failure_hook_remove(struct ds_pipeline *pl);

#endif
