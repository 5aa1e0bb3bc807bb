/*
 * store_source.h - mailbox source state: (mailbox, epoch, message id),
 * shared by every mailbox source (IMAP, Microsoft Graph, Gmail API).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19. mailbox is the canonical name of a polled mailbox without
 * secrets (imaps://user@host:port/INBOX, graph://user/Inbox,
 * gmail://me/QUERY); epoch is what makes the ids valid (IMAP's
 * UIDVALIDITY, Graph's folder id, "-" for Gmail); msgid is the source's
 * own id of a message (IMAP UID in decimal, a Graph or Gmail id). All
 * three are opaque text here. Errors are DS_ERROR_DB.
 */
#ifndef DS_STORE_SOURCE_H
#define DS_STORE_SOURCE_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

enum ds_msg_state {
	DS_MSG_STORED = 0,	/* reports committed: archive it */
	DS_MSG_REJECTED,	/* nothing usable, quarantined: invalid */
	DS_MSG_DONE,		/* moved or flagged: nothing left to do */
	DS_MSG_SKIPPED,		/* over max-message-size when seen */
};

struct ds_msg_row {
	const char *msgid;	/* borrowed, valid during the callback */
	enum ds_msg_state state;
	uint64_t size;		/* for DS_MSG_SKIPPED */
};

/* Called per row; the row lives only during the call. */
typedef bool (*ds_msg_row_cb)(const struct ds_msg_row *row, void *payload);

/*
 * Note that mailbox has epoch on this run, in a transaction of its own.
 * When another epoch was stored, every row of the old one is deleted
 * (the ids mean other messages now, RFC 3501 2.3.1.1) and *out_old is
 * that epoch (caller frees); otherwise *out_old is NULL.
 */
bool ds_store_source_mailbox(struct ds_store *st, const char *mailbox,
    const char *epoch, char **out_old, GError **err);

/*
 * Insert or replace the state of one message. Runs in the caller's open
 * transaction (the commit hook of the pipeline), else on its own.
 */
bool ds_store_source_put(struct ds_store *st, const char *mailbox,
    const char *epoch, const char *msgid, enum ds_msg_state state,
    uint64_t size, GError **err);

/*
 * Set the state of the n messages in ids (rows that exist) in one
 * transaction of its own.
 */
bool ds_store_source_set(struct ds_store *st, const char *mailbox,
    const char *epoch, const char *const *ids, size_t n,
    enum ds_msg_state state, GError **err);

/* Call cb for every row of (mailbox, epoch); cb false stops. */
bool ds_store_source_each(struct ds_store *st, const char *mailbox,
    const char *epoch, ds_msg_row_cb cb, void *payload, GError **err);

#endif
