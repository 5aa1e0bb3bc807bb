/*
 * pipeline.h - one input message through payload, parsers and store.
 * SPDX-License-Identifier: MIT
 *
 * Every source (file, directory, Maildir, mbox, stdin, IMAP) hands each
 * input here. One SQLite transaction per input; each report inside it
 * gets a savepoint, so a bad report never costs a good one (THREATS #13,
 * #19). Rejected content is quarantined with its raw bytes.
 */
#ifndef DS_PIPELINE_H
#define DS_PIPELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/model/limits.h"
#include "schema/store/store.h"
#include "ingest/failure/failure_keep.h"

struct ds_ingest_stats {
	uint64_t inputs;	/* messages or files handed in */
	uint64_t reports;	/* aggregate reports stored */
	uint64_t failures;	/* failure reports stored */
	uint64_t tls_reports;	/* SMTP TLS reports stored */
	uint64_t duplicates;	/* reports (or whole inputs) seen before */
	uint64_t conflicts;	/* conflicting versions kept, not counted */
	uint64_t rejected;	/* inputs with something quarantined */
	uint64_t records;	/* aggregate records stored */
	uint64_t errors;	/* operational errors a rerun may not meet */
	uint64_t not_reports;	/* mail that is no report at all (a
				 * person's question, an out-of-office) */
	uint64_t skipped;	/* inputs not read, for a reason a rerun
				 * meets again (missing, FIFO, too large) */
};

enum ds_outcome {
	DS_OUTCOME_STORED = 0,	/* at least one new report, none bad */
	DS_OUTCOME_DUPLICATE,	/* everything in it was stored before */
	DS_OUTCOME_PARTIAL,	/* some stored or duplicate, some rejected */
	DS_OUTCOME_REJECTED,	/* nothing usable: quarantined */
	DS_OUTCOME_NOT_REPORT,	/* mail with only text bodies, no report and
				 * no attachment: not bad input, not kept */
};

struct ds_pipeline;
struct ds_report_parser;

/*
 * Called inside the input's transaction, after its reports were put
 * and before COMMIT (IMAP records its UID here). Return false with err
 * to roll the whole input back.
 */
typedef bool (*ds_commit_hook)(struct ds_store *st, enum ds_outcome o,
    void *payload, GError **err);

struct ds_pipeline_opts {
	bool quiet;		/* print nothing but operational errors */
	bool verbose;		/* one line per input */
	bool batch;		/* several inputs per transaction (each its
				   own savepoint) when no commit hook needs
				   the COMMIT; ds_pipeline_flush() ends it */
	/*
	 * The resolver failure reports are re-verified with (borrowed: it
	 * must outlive the pipeline). When NULL, open_dns(open_ctx) (if
	 * set) is called at the first failure report that needs one; what
	 * it returns is borrowed too (its owner frees it). NULL from it
	 * means no re-verification (said once, unless quiet).
	 */
	struct ds_dns *dns;
	/* [ingest] store-samples: what of a failure report is stored
	   (failure_keep.h); 0 is the default, redacted */
	enum ds_store_samples store_samples;
	/* the report parsers (parser.h), NULL-terminated; NULL: all */
	const struct ds_report_parser *const *parsers;
	struct ds_dns *(*open_dns)(void *open_ctx, GError **err);
	void *open_ctx;
};

/* New pipeline over an open store; lim is copied. */
struct ds_pipeline *ds_pipeline_new(struct ds_store *st,
    const struct ds_limits *lim, const struct ds_pipeline_opts *opts);
void ds_pipeline_free(struct ds_pipeline *pl);	/* NULL-safe */
struct ds_store *ds_pipeline_store(struct ds_pipeline *pl);
const struct ds_limits *ds_pipeline_limits(struct ds_pipeline *pl);
/* [ingest] store-samples of the options */
enum ds_store_samples ds_pipeline_store_samples(struct ds_pipeline *pl);
const struct ds_ingest_stats *ds_pipeline_stats(struct ds_pipeline *pl);
/* The resolver of the options above (borrowed), or NULL: none. */
struct ds_dns *ds_pipeline_dns(struct ds_pipeline *pl);

/*
 * Ingest one input held in memory (a mail message, or a bare report:
 * XML, gzip, zip), named source in messages. hook may be NULL. *out is
 * the outcome. Returns false only on an operational error (database,
 * I/O): the input's transaction is rolled back and err says why.
 */
bool ds_pipeline_ingest(struct ds_pipeline *pl, const char *source,
    const char *buf, size_t len, ds_commit_hook hook, void *hook_payload,
    enum ds_outcome *out, GError **err);

/*
 * Ingest one file too large to hold in memory, streaming it (gzip
 * inflated on the fly). No whole-input hash; report keys dedup.
 */
bool ds_pipeline_ingest_fd(struct ds_pipeline *pl, const char *source,
    int fd, enum ds_outcome *out, GError **err);

/*
 * Commit the inputs of an open batch (opts.batch). Call it before the
 * run's summary; ds_pipeline_free() does it too, printing a failure.
 * DS_ERROR_DB when the COMMIT fails: those inputs were not stored (a
 * rerun stores them).
 */
bool ds_pipeline_flush(struct ds_pipeline *pl, GError **err);

/* Print a one-line notice about source, unless quiet. */
void ds_pipeline_say(struct ds_pipeline *pl, const char *source,
    const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/*
 * Print a one-line notice about source even under --quiet: a rejected
 * or skipped input is what needs attention.
 */
void ds_pipeline_warn(struct ds_pipeline *pl, const char *source,
    const char *fmt, ...) G_GNUC_PRINTF(3, 4);
/*
 * Count source as skipped (not read; a rerun meets it again: exit
 * DS_EXIT_PERMANENT) and say why, even under --quiet.
 */
void ds_pipeline_skip(struct ds_pipeline *pl, const char *source,
    const char *why);
/* The exit status the counters call for (0, 1, 5 or 75). */
int ds_pipeline_exit_code(struct ds_pipeline *pl);

/* The run summary line: "N inputs: N reports stored, ...". Caller frees. */
char *ds_pipeline_summary(struct ds_pipeline *pl);

/*
 * One line per conflicting version kept in this run (issue 13: a report
 * with a stored identity and other content), each "<prefix>warning:
 * conflicting version of report ... (stored: N records, M messages;
 * this one: ...)", at most 20 and then how many more; NULL when there
 * were none. Printed even with --quiet: someone may be forging reports.
 * Caller frees.
 */
char *ds_pipeline_conflict_lines(struct ds_pipeline *pl, const char *prefix);

#endif
