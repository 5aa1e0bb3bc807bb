/*
 * failure_hook.h - plug failure (ARF) report handling into a pipeline.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_FAILURE_HOOK_H
#define DS_FAILURE_HOOK_H

#include "ingest/pipeline.h"

/* Register the failure-report handler on pl (NULL-safe). */
void ds_failure_hook_install(struct ds_pipeline *pl);
/* Free what install allocated (NULL-safe). */
void ds_failure_hook_remove(struct ds_pipeline *pl);

#endif
