/*
 * limits.h - every cap on hostile input in one place (THREATS.md).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_LIMITS_H
#define DS_LIMITS_H

/*
 * The largest message or file read into memory (THREATS #7): the
 * default of --max-message-size, and the cap of whatever else reads a
 * whole message (verify's input, an IMAP reply).
 */
#define DS_MAX_MESSAGE_DEFAULT (64u << 20)

#include <stddef.h>
#include <stdint.h>

struct ds_limits {
	uint64_t max_inflated;	/* THREATS #4: bytes produced by all
				   decompression layers of one input */
	unsigned max_ratio;	/* THREATS #4: inflated/compressed ratio,
				   checked once past 1 MiB produced */
	unsigned max_cpu_seconds; /* THREATS #4: CPU time one compressed
				   input may take while it is inflated
				   and parsed (0: none) */
	unsigned max_zip_entries; /* THREATS #5 */
	unsigned max_nesting;	/* containers inside containers (gz.gz) */
	unsigned max_xml_depth;	/* THREATS #3: a report needs < 10 */
	uint64_t max_records;	/* records per report */
	size_t max_text;	/* bytes of one XML text field */
	unsigned max_mime_depth; /* THREATS #6 */
	unsigned max_mime_parts; /* THREATS #6 */
	uint64_t max_message;	/* THREATS #7: bytes of one message/file
				   read into memory */
	int64_t now;		/* THREATS #21: the clock of the plausible
				   date window; 0 = the real time */
};

/*
 * THREATS #21: the plausible-date window at ingest. An aggregate report
 * whose <date_range> ends more than a day after the ingest time is
 * rejected; one that begins before 2012-01-01 (DMARC reporting did not
 * exist) is kept with the warning date-implausible. The reporter never
 * trusts stored dates either (README "Dates").
 */
#define DS_DATE_MIN INT64_C(1325376000)	/* 2012-01-01T00:00:00Z */
#define DS_DATE_AHEAD INT64_C(86400)	/* one day of clock skew */

/* Fill *l with the defaults documented in README "Limits". */
void ds_limits_default(struct ds_limits *l);

#endif
