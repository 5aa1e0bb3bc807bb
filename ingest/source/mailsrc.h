/*
 * mailsrc.h - mailbox sources (IMAP, Microsoft Graph, Gmail API) behind
 * one ops table, and the one driver that runs any of them: list, fetch,
 * store, and only after COMMIT move (dmarcsift poll, dmarcsift ingest
 * URL).
 * SPDX-License-Identifier: MIT
 *
 * After OpenSMTPD's table_backend. A source knows its protocol; the
 * driver (source_run.c) knows the rules every source shares: the state
 * of each message is (mailbox, epoch, id) in the store, written in the
 * transaction of its reports (THREATS #19); messages are moved only
 * after that COMMIT, in batches; a message committed but not moved when
 * a run died is moved by the next run without a second parse; sizes are
 * checked before a fetch where the source knows them and always while
 * receiving (THREATS #7).
 */
#ifndef DS_MAILSRC_H
#define DS_MAILSRC_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "ingest/source/config.h"
#include "ingest/pipeline/pipeline.h"

/* What a run did on the server (the pipeline counts the reports). */
struct ds_mail_stats {
	uint64_t fetched;	/* messages fetched and ingested */
	uint64_t skipped;	/* over max-message-size (said every run) */
	uint64_t archived;	/* moved to archive-folder */
	uint64_t invalid;	/* moved to invalid-folder */
	uint64_t flagged;	/* flagged read (no folder configured) */
	uint64_t resumed;	/* committed by an earlier run, moved now */
};

struct ds_mail_run_opts {
	bool keep;		/* --keep: leave the mailbox untouched */
	const char *cacert;	/* --cacert: overrides ca-file */
	unsigned lock_wait_ms;	/* --wait: for the mailbox's store lock */
};

/* What happens to a committed message on the server. */
enum ds_mail_action {
	DS_MAIL_ARCHIVE,	/* reports stored: to archive-folder */
	DS_MAIL_INVALID,	/* nothing usable: to invalid-folder */
	DS_MAIL_FLAG,		/* no folder configured: mark it read */
	DS_MAIL_ACTIONS
};

/* One message about to be fetched. */
struct ds_mail_msg {
	char *id;		/* the source's id (owned by the array) */
	uint64_t size;		/* known before the fetch; 0: unknown */
	bool seen;		/* IMAP: \Seen was set before we fetched */
};

/* One run of one mailbox; the source's own state hangs off priv. */
struct ds_mailsrc {
	const struct ds_mailsrc_ops *ops;
	const struct ds_mailbox_conf *c;
	const struct ds_mail_run_opts *o;
	struct ds_pipeline *pl;
	bool keep;		/* leave the mailbox untouched */
	char *key;		/* canonical mailbox name (ops->key) */
	char *epoch;		/* what makes the ids valid (open sets it) */
	void *priv;
};

/*
 * Every function returns false with err set on an operational failure:
 * DS_ERROR_AUTH (login or token refused: exit 3), DS_ERROR_USAGE (bad
 * configuration), DS_ERROR_PERMANENT (what the next run meets again: a
 * folder that does not exist, a certificate that does not verify, a
 * plain-text port given as imaps://, HTTP 4xx other than 401, 408 and
 * 429: exit 5), DS_ERROR_NET (network, server down or busy, HTTP 429
 * and 5xx: exit 75, the next run can succeed unchanged).
 */
struct ds_mailsrc_ops {
	const char *name;	/* "imap", "graph", "gmail" */
	const char *epoch_name;	/* for messages: "UIDVALIDITY" */
	/*
	 * The canonical mailbox name from the configuration alone, without
	 * a word to the server: the key of its state in the store and of
	 * its lock, the same on every host (caller frees). NULL with err
	 * set (DS_ERROR_USAGE) for a URL that does not parse.
	 */
	char *(*key)(const struct ds_mailbox_conf *c, GError **err);
	/* Connect, log in, make the folders; set s->epoch (s->key is set). */
	bool (*open)(struct ds_mailsrc *s, GError **err);
	/* The ids now in the mailbox (GPtrArray of char *, g_free). */
	bool (*list)(struct ds_mailsrc *s, GPtrArray **out, GError **err);
	/*
	 * Optional: what the server says of ids[0..n) before a fetch
	 * (GArray of struct ds_mail_msg, ids g_strdup'ed; messages gone
	 * meanwhile left out). NULL: sizes are only known while fetching.
	 */
	bool (*info)(struct ds_mailsrc *s, char *const *ids, size_t n,
	    GArray **out, GError **err);
	/*
	 * Fetch m whole into *out (g_free; NUL after *out_len bytes).
	 * DS_ERROR_LIMIT past max bytes. false with *gone set (and err
	 * NULL) when the message vanished meanwhile and the run goes on.
	 */
	bool (*fetch)(struct ds_mailsrc *s, const struct ds_mail_msg *m,
	    uint64_t max, char **out, size_t *out_len, bool *gone,
	    GError **err);
	/* Do action a to the n committed messages ids (n <= 100). */
	bool (*done)(struct ds_mailsrc *s, enum ds_mail_action a,
	    const char *const *ids, size_t n, GError **err);
	/* The name of message id in messages. Caller frees. */
	char *(*label)(struct ds_mailsrc *s, const char *id);
	/*
	 * Optional: the name of message id once moved to folder (for the
	 * quarantine). NULL: the driver says "folder 'F' of KEY". Caller
	 * frees.
	 */
	char *(*moved)(struct ds_mailsrc *s, const char *folder,
	    const char *id);
	/*
	 * Optional: give m back the unread state it had before the fetch
	 * (mail that is no report: a person's question stays unread for
	 * the person). NULL: fetching never marks a message read.
	 */
	bool (*unread)(struct ds_mailsrc *s, const struct ds_mail_msg *m,
	    GError **err);
	/* Log out and free priv. NULL-safe on a source never opened. */
	void (*close)(struct ds_mailsrc *s);
};

extern const struct ds_mailsrc_ops ds_mailsrc_imap;	/* imap:// imaps:// */
extern const struct ds_mailsrc_ops ds_mailsrc_graph;	/* graph:// */
extern const struct ds_mailsrc_ops ds_mailsrc_gmail;	/* gmail:// */

/* The ops for url's scheme, or NULL. */
const struct ds_mailsrc_ops *ds_mailsrc_for_url(const char *url);

/*
 * Ingest the new messages of mailbox c through pl, then move each to
 * its folder (or flag it) once its reports are committed; finish the
 * moves an interrupted run left (THREATS #19). Messages over
 * c->max_message are skipped with a reason (THREATS #7). Adds to
 * *stats. Returns false when the mailbox could not be processed to the
 * end (errors above, or DS_ERROR_DB). Everything committed before the
 * failure stays, and the next run carries on.
 */
bool ds_source_mail_run(struct ds_pipeline *pl,
    const struct ds_mailbox_conf *c, const struct ds_mail_run_opts *o,
    struct ds_mail_stats *stats, GError **err);

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
    const struct ds_mail_stats *is, int rc);

#endif
