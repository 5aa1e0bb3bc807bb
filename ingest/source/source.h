/*
 * source.h - local sources: files, directories, Maildir, mbox, stdin.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SOURCE_H
#define DS_SOURCE_H

#include <stdbool.h>
#include <glib.h>

#include "ingest/pipeline/pipeline.h"

/*
 * Ingest path: "-" (stdin), a directory (recursively; a Maildir's cur/
 * and new/ are its messages), an mbox file, a mail message, or a report
 * file (xml, gz, zip: the content decides). Files larger than
 * DS_SOURCE_STREAM_MIN that are not mail are streamed. Returns false
 * only on an operational error for which the run should stop (the
 * database failed); unreadable files are counted as errors, said, and
 * skipped.
 */
bool ds_source_local_ingest(struct ds_pipeline *pl, const char *path,
    GError **err);

/*
 * Split an mbox held in buf[0..len) into messages (a line starting with
 * "From " begins one) and ingest each as "source:N" (N from 1).
 */
bool ds_source_mbox_ingest(struct ds_pipeline *pl, const char *source,
    const char *buf, size_t len, GError **err);

/*
 * The same, reading the mbox from fd as a stream: one message in memory
 * at a time, whatever the size of the mailbox; a message larger than the
 * message size limit is skipped (said, counted as an error). fd is not
 * closed. Returns false only on an operational error (database).
 */
bool ds_source_mbox_ingest_fd(struct ds_pipeline *pl, const char *source,
    int fd, GError **err);

/* Update the progress line on stderr when it is a terminal. */
void ds_source_progress(struct ds_pipeline *pl, bool last);

#define DS_SOURCE_STREAM_MIN (8u << 20)

#endif
