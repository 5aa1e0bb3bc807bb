/*
 * store_imap.h - IMAP ingestion state: (mailbox, UIDVALIDITY, UID).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #19. mailbox is the canonical URL of a polled mailbox without
 * password (imaps://user@host:port/INBOX). Errors are DS_ERROR_DB.
 */
#ifndef DS_STORE_IMAP_H
#define DS_STORE_IMAP_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store.h"

enum ds_imap_state {
	DS_IMAP_STORED = 0,	/* reports committed: archive it */
	DS_IMAP_REJECTED,	/* nothing usable, quarantined: invalid */
	DS_IMAP_DONE,		/* moved or flagged: nothing left to do */
	DS_IMAP_SKIPPED,	/* over max-message-size when seen */
};

struct ds_imap_uid_row {
	uint32_t uid;
	enum ds_imap_state state;
	uint64_t size;		/* RFC822.SIZE, for DS_IMAP_SKIPPED */
};

/* Called per row; the row lives only during the call. */
typedef bool (*ds_imap_uid_cb)(const struct ds_imap_uid_row *row,
    void *payload);

/*
 * Note that mailbox has UIDVALIDITY uidvalidity on this run, in a
 * transaction of its own. When another value was stored, every UID row
 * of the old value is deleted (the UIDs mean other messages now, RFC
 * 3501 2.3.1.1) and *out_old is that value; otherwise *out_old is 0.
 */
bool ds_store_imap_mailbox(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t *out_old, GError **err);

/*
 * Insert or replace the state of one UID. Runs in the caller's open
 * transaction (the commit hook of the pipeline), else on its own.
 */
bool ds_store_imap_uid_put(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t uid, enum ds_imap_state state,
    uint64_t size, GError **err);

/*
 * Set the state of the n UIDs in uids (rows that exist) in one
 * transaction of its own.
 */
bool ds_store_imap_uids_set(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, const uint32_t *uids, size_t n,
    enum ds_imap_state state, GError **err);

/* Call cb for every UID row of (mailbox, uidvalidity); cb false stops. */
bool ds_store_imap_uids_each(struct ds_store *st, const char *mailbox,
    uint32_t uidvalidity, ds_imap_uid_cb cb, void *payload, GError **err);

#endif
