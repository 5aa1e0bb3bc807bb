-- 002-imap.sql - IMAP ingestion state; PostgreSQL twin of
-- sql/002-imap.sql (011 replaces both tables by source_*).
-- SPDX-License-Identifier: MIT
CREATE TABLE imap_mailbox (
	mailbox		text COLLATE "C" PRIMARY KEY,
	uidvalidity	bigint NOT NULL CHECK (uidvalidity > 0),
	last_run	bigint NOT NULL
);

CREATE TABLE imap_uid (
	mailbox		text COLLATE "C" NOT NULL,
	uidvalidity	bigint NOT NULL CHECK (uidvalidity > 0),
	uid		bigint NOT NULL CHECK (uid > 0),
	state		text COLLATE "C" NOT NULL CHECK (state IN
			    ('stored', 'rejected', 'done', 'skipped')),
	size		bigint NOT NULL DEFAULT 0 CHECK (size >= 0),
	updated		bigint NOT NULL,
	PRIMARY KEY (mailbox, uidvalidity, uid)
);
