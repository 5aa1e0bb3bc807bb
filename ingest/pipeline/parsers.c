/*
 * parsers.c - the pipeline's table of report parsers (parser.h).
 * SPDX-License-Identifier: MIT
 *
 * Leaves are offered to the leaf parsers in this order; the first whose
 * sniff matches takes it. A new report format adds one entry here.
 */
#include <stddef.h>

#include "ingest/pipeline/parser.h"

const struct ds_report_parser *const ds_report_parsers[] = {
	&ds_parser_aggregate,
	&ds_parser_tls,
	&ds_parser_failure,
	NULL,
};
