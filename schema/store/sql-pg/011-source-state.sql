-- 011-source-state.sql - per-source mailbox state for every mailbox (PostgreSQL twin of sql/011-source-state.sql)
-- source (IMAP, Microsoft Graph, Gmail API; issues 17 and 19).
-- SPDX-License-Identifier: MIT
--
-- THREATS #19, as in 002-imap.sql: the state of a message is written in
-- the transaction of its reports, and the message is moved (archived,
-- labelled, flagged) only after that COMMIT. 002 keyed a message by
-- (mailbox, UIDVALIDITY, UID); Graph and Gmail messages have opaque
-- string ids, so the key becomes (mailbox, epoch, msgid), all text:
--   IMAP   epoch = UIDVALIDITY, msgid = UID (both in decimal)
--   Graph  epoch = the folder's id, msgid = the message id
--   Gmail  epoch = '-', msgid = the message id
-- A new epoch forgets the rows of the old one (the ids mean other
-- messages now). The IMAP rows of 002 are carried over unchanged, so a
-- message committed but not yet moved before the upgrade is still moved
-- by the next run without a second parse.

-- One polled mailbox (its canonical name without secrets:
-- imaps://user@host:port/INBOX, graph://user/Inbox, gmail://me/QUERY).
CREATE TABLE source_mailbox (
	mailbox		text COLLATE "C" PRIMARY KEY,
	epoch		text COLLATE "C" NOT NULL CHECK (epoch <> ''),
	last_run	bigint NOT NULL	-- Unix seconds
);

-- One message of a mailbox:
--   stored    reports committed (or all duplicates): to the archive
--   rejected  nothing usable, raw bytes quarantined: to the invalid folder
--   done      moved, labelled or flagged; nothing left to do
--   skipped   larger than max-message-size when seen (size says how
--             large); retried when the limit grows
CREATE TABLE source_msg (
	mailbox		text COLLATE "C" NOT NULL,
	epoch		text COLLATE "C" NOT NULL CHECK (epoch <> ''),
	msgid		text COLLATE "C" NOT NULL CHECK (msgid <> ''),
	state		text COLLATE "C" NOT NULL CHECK (state IN
			    ('stored', 'rejected', 'done', 'skipped')),
	size		bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	updated		bigint NOT NULL,	-- Unix seconds
	PRIMARY KEY (mailbox, epoch, msgid)
);

INSERT INTO source_mailbox (mailbox, epoch, last_run)
	SELECT mailbox, CAST(uidvalidity AS text), last_run FROM imap_mailbox;
INSERT INTO source_msg (mailbox, epoch, msgid, state, size, updated)
	SELECT mailbox, CAST(uidvalidity AS text), CAST(uid AS text), state,
	    size, updated FROM imap_uid;
DROP TABLE imap_uid;
DROP TABLE imap_mailbox;
