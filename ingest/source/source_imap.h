/*
 * source_imap.h - one IMAP mailbox into the pipeline (dmarcsift poll,
 * dmarcsift ingest imaps://...).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SOURCE_IMAP_H
#define DS_SOURCE_IMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/source/config.h"
#include "ingest/pipeline/pipeline.h"

/* What a run did on the server (the pipeline counts the reports). */
struct ds_imap_stats {
	uint64_t fetched;	/* messages fetched and ingested */
	uint64_t skipped;	/* newly found over max-message-size */
	uint64_t archived;	/* moved to archive-folder */
	uint64_t invalid;	/* moved to invalid-folder */
	uint64_t flagged;	/* flagged \Seen (no folder configured) */
	uint64_t resumed;	/* committed by an earlier run, moved now */
};

struct ds_imap_run_opts {
	bool keep;		/* --keep: leave the mailbox untouched */
	const char *cacert;	/* --cacert: overrides ca-file */
};

/*
 * Ingest the new messages of mailbox c through pl, then move each to
 * its folder (or flag it \Seen) once its reports are committed; finish
 * the moves an interrupted run left (THREATS #19). Messages over
 * c->max_message are skipped with a reason (THREATS #7). Adds to *stats.
 * Returns false when the mailbox could not be processed to the end:
 * DS_ERROR_AUTH (login refused), DS_ERROR_USAGE (no password, bad
 * password-file), DS_ERROR_NET, DS_ERROR_DB. Everything committed
 * before the failure stays, and the next run carries on.
 */
bool ds_source_imap_run(struct ds_pipeline *pl,
    const struct ds_mailbox_conf *c, const struct ds_imap_run_opts *o,
    struct ds_imap_stats *stats, GError **err);

/*
 * For poll and ingest (cmd_poll.c): take the database lock, waiting up
 * to wait_s seconds; DS_EXIT_OK, else DS_EXIT_LOCKED (or another code)
 * after saying why on stderr.
 */
int ds_imap_cmd_lock(struct ds_store *st, int wait_s);

/*
 * End a run of command cmd: close the progress line, fold rejected and
 * skipped messages and errors into rc, and print the one-line summary
 * (with --quiet only when rc is not DS_EXIT_OK). Returns the exit code.
 */
int ds_imap_cmd_finish(struct ds_pipeline *pl, const char *cmd,
    const struct ds_imap_stats *is, int rc);

#endif
