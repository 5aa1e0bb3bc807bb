/*
 * limits.c - default caps on hostile input (THREATS #3-#7, #14).
 * SPDX-License-Identifier: MIT
 */
#include "schema/model/limits.h"

/*
 * Fill *l with the defaults. Every value is a cap on something an
 * attacker controls; each hit is reported by name (DS_ERROR_LIMIT).
 */
void
ds_limits_default(struct ds_limits *l)
{
	/*
	 * THREATS #4. Real reports are big: a 1M-record .xml.gz inflates
	 * to 771 MB, and the parser streams it in ~20 MB, so the cap on
	 * bytes is generous; a bomb is caught by the ratio (a 4 GiB output
	 * needs 4 MiB of input at 1000:1) and the CPU budget.
	 */
	l->max_inflated = 4ull * 1024 * 1024 * 1024;
	l->max_ratio = 1000;
	l->max_cpu_seconds = 300;
	l->max_zip_entries = 1000;            /* THREATS #5 */
	l->max_nesting = 4;                   /* gz in zip in gz ... */
	l->max_xml_depth = 16;                /* THREATS #3 */
	l->max_records = 10000000;            /* THREATS #14 */
	l->max_text = 64 * 1024;              /* one XML text field */
	l->max_mime_depth = 8;                /* THREATS #6 */
	l->max_mime_parts = 1000;             /* THREATS #6 */
	l->max_message = DS_MAX_MESSAGE_DEFAULT;	/* THREATS #7 */
	l->now = 0;                           /* THREATS #21: real time */
}
