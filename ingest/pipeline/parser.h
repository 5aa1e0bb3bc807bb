/*
 * parser.h - the report parsers the pipeline knows, as one ops table.
 * SPDX-License-Identifier: MIT
 *
 * Aggregate (RFC 7489 / RFC 9990), failure (RFC 5965 / 6591 / 9991) and
 * SMTP TLS (RFC 8460) reports plug into the pipeline alike, after
 * OpenSMTPD's table_backend: a name, how to recognise the report by its
 * content, and how to parse and store one. The parsers themselves stay
 * pure functions over (buf, len, limits, callback, payload, err) in
 * their own folders; the entries here are the glue that stores what
 * they return. The pipeline holds a savepoint around every ingest call,
 * counts the outcome and quarantines rejections.
 */
#ifndef DS_PARSER_H
#define DS_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/payload/payload.h"

/* at most this many entries in ds_report_parsers */
#define DS_MAX_PARSERS 8

struct ds_pipeline;

enum ds_parser_scope {
	DS_PARSER_LEAF = 0,	/* a decompressed leaf: file, attachment */
	DS_PARSER_MESSAGE,	/* the whole mail message */
};

enum ds_report_kind {
	DS_REPORT_AGGREGATE = 0,	/* counted in stats.reports */
	DS_REPORT_FAILURE,		/* stats.failures */
	DS_REPORT_TLS,			/* stats.tls_reports */
};

/* One unit handed to a parser; valid only during the call. */
struct ds_parse_unit {
	const char *source;	/* the input, as named to the user */
	const char *name;	/* the leaf or part inside it */
	struct ds_leaf *leaf;	/* DS_PARSER_LEAF: the content */
	const char *buf;	/* the whole mail message, also for leaves
				 * found in one (NULL for a bare file) */
	size_t len;
	const char *input;	/* the whole input as received (mail,
				 * file), kept with a conflicting version;
				 * NULL when it was streamed */
	size_t input_len;
	int64_t msg_id;		/* the input's row in the store */
	const GPtrArray *warnings;	/* container warnings (char *) to
					 * attach to the report */
};

/* What a successful ingest says. */
struct ds_parse_result {
	uint64_t items;		/* records (aggregate), policies (TLS) */
	char *said;		/* one line for --verbose, or NULL; the
				 * pipeline g_frees it */
	char *conflict;		/* a conflicting version was kept instead
				 * of storing: one line for the run summary
				 * (the pipeline g_frees it), else NULL */
};

struct ds_report_parser {
	const char *name;		/* "aggregate", "failure", "tls" */
	const char *label;		/* in reasons: "failure report" */
	enum ds_report_kind kind;
	enum ds_parser_scope scope;
	/*
	 * DS_PARSER_LEAF: does head[0..len) (the first bytes of a leaf,
	 * up to 4096) look like this kind of report? By content only.
	 */
	bool (*sniff)(const char *head, size_t len);
	/*
	 * DS_PARSER_MESSAGE: a part of this content type marks the
	 * message as this kind of report; and a message of top_type in
	 * which no leaf parser found anything is offered too (exim's
	 * plain-text failure reports are multipart/report without one).
	 */
	const char *part_type;
	const char *top_type;
	/*
	 * Parse u and store the report, inside the input's transaction
	 * and a savepoint. Returns false with err: DS_ERROR_DUP when it
	 * was stored before, DS_ERROR_DB / _IO / _NET for an operational
	 * error (the whole input is rolled back), anything else is a
	 * rejection whose message becomes the quarantine reason.
	 */
	bool (*ingest)(struct ds_pipeline *pl, const struct ds_parse_unit *u,
	    struct ds_parse_result *out, GError **err);
};

/* The table, NULL-terminated, in the order leaves are offered. */
extern const struct ds_report_parser *const ds_report_parsers[];

extern const struct ds_report_parser ds_parser_aggregate;
extern const struct ds_report_parser ds_parser_failure;
extern const struct ds_report_parser ds_parser_tls;

#endif
