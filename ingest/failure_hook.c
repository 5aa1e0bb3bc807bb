/*
 * failure_hook.c - where failure reports join the ingest pipeline.
 * SPDX-License-Identifier: MIT
 *
 * Until ARF parsing lands (issue: failure reports), no handler is
 * registered and the pipeline quarantines such messages with the reason
 * "failure reports are not handled by this build".
 */
#include "ingest/failure_hook.h"

void
ds_failure_hook_install(struct ds_pipeline *pl)
{
	(void)pl;
}

void
ds_failure_hook_remove(struct ds_pipeline *pl)
{
	(void)pl;
}
