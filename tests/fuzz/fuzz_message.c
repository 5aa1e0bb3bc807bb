/*
 * fuzz_message.c - libFuzzer target for the whole ingest path of one
 * input: MIME walk, payload layer and aggregate parser, into an
 * in-memory store (THREATS #4-#8).
 * SPDX-License-Identifier: MIT
 */
#include <stdint.h>
#include <stddef.h>

#include "schema/model/limits.h"
#include "schema/store/store.h"
#include "ingest/pipeline/pipeline.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ds_store *st;
	struct ds_pipeline_opts opts = { .quiet = true };
	struct ds_limits lim;
	struct ds_pipeline *pl;
	enum ds_outcome o;

	if (st == NULL && (st = ds_store_open(":memory:", NULL)) == NULL)
		return 0;
	ds_limits_default(&lim);
	lim.max_inflated = 8u << 20;
	lim.max_message = 8u << 20;
	pl = ds_pipeline_new(st, &lim, &opts);
	ds_pipeline_ingest(pl, "fuzz", (const char *)data, size, NULL, NULL,
	    &o, NULL);
	ds_pipeline_free(pl);
	return 0;
}
