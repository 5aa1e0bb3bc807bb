-- 002-imap.sql - IMAP ingestion state (issue 3).
-- SPDX-License-Identifier: MIT
--
-- THREATS #19: the state of an IMAP message is (mailbox, UIDVALIDITY,
-- UID), written in the same transaction as the message's reports, never
-- the \Seen flag (a libcurl fetch sets \Seen as a side effect). The
-- message is moved (or flagged) on the server only after that COMMIT;
-- a row still in state 'stored' or 'rejected' is a message whose move
-- has not happened yet, and the next run does it without parsing again.

-- One polled mailbox: the UIDVALIDITY seen on the last run. mailbox is
-- the canonical URL without password: imaps://user@host:port/INBOX.
CREATE TABLE imap_mailbox (
	mailbox		TEXT PRIMARY KEY,
	uidvalidity	INTEGER NOT NULL CHECK (uidvalidity > 0),
	last_run	INTEGER NOT NULL	-- Unix seconds
) STRICT;

-- One message of a mailbox, by UID within one UIDVALIDITY.
--   stored    reports committed (or all duplicates): to the archive
--   rejected  nothing usable, raw bytes quarantined: to the invalid folder
--   done      moved or flagged on the server; nothing left to do
--   skipped   larger than max-message-size when seen (size says how
--             large); retried when the limit grows
CREATE TABLE imap_uid (
	mailbox		TEXT NOT NULL,
	uidvalidity	INTEGER NOT NULL CHECK (uidvalidity > 0),
	uid		INTEGER NOT NULL CHECK (uid > 0),
	state		TEXT NOT NULL CHECK (state IN
			    ('stored', 'rejected', 'done', 'skipped')),
	size		INTEGER NOT NULL DEFAULT 0 CHECK (size >= 0),
	updated		INTEGER NOT NULL,	-- Unix seconds
	PRIMARY KEY (mailbox, uidvalidity, uid)
) STRICT, WITHOUT ROWID;
