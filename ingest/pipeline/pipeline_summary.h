/*
 * pipeline_summary.h - the run summary lines (pipeline_summary.c), for
 * ds_pipeline_summary() and ds_pipeline_conflict_lines() (pipeline.h).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_PIPELINE_SUMMARY_H
#define DS_PIPELINE_SUMMARY_H

#include <stdint.h>
#include <glib.h>

#include "ingest/pipeline/pipeline.h"

/* "N inputs: N reports stored (N records), ..." Caller frees. */
char *ds_ingest_stats_summary(const struct ds_ingest_stats *s);

/*
 * "<prefix>warning: <line>\n" per line of lines (char *), then how many
 * more when total exceeds them; NULL when total is 0. Caller frees.
 */
char *ds_conflict_lines(const GPtrArray *lines, uint64_t total,
    const char *prefix);

#endif
