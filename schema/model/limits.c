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
	l->max_inflated = 256u * 1024 * 1024; /* THREATS #4 */
	l->max_ratio = 1000;                  /* THREATS #4 */
	l->max_zip_entries = 1000;            /* THREATS #5 */
	l->max_nesting = 4;                   /* gz in zip in gz ... */
	l->max_xml_depth = 16;                /* THREATS #3 */
	l->max_records = 10000000;            /* THREATS #14 */
	l->max_text = 64 * 1024;              /* one XML text field */
	l->max_mime_depth = 8;                /* THREATS #6 */
	l->max_mime_parts = 1000;             /* THREATS #6 */
	l->max_message = 64u * 1024 * 1024;   /* THREATS #7 */
	l->now = 0;                           /* THREATS #21: real time */
}
