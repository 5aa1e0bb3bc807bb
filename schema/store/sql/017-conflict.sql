-- 017-conflict.sql: issue 13, conflicting duplicates.
-- SPDX-License-Identifier: MIT
--
-- A report whose identity (org_name, report_id, domain, begin, end) is
-- stored but whose content differs is kept as a conflicting version,
-- never silently dropped, and never counted: the first stored version
-- stays the one every command counts (README "Duplicates").
--
-- content_hash: SHA-256 (64 lower-case hex digits) of the report's
-- content as parsed (ingest/aggregate/aggregate_hash.c: the policy
-- published and every record, in any order). NULL for reports stored
-- before this migration; a later copy of such a report is compared by
-- its record and message totals instead.
ALTER TABLE report ADD COLUMN content_hash TEXT;

-- One conflicting version of a stored report: its content hash, its
-- totals, and the input it came in as received (NULL when the input was
-- streamed from a file too large to hold in memory; source names it).
-- Deleting the counted report (prune) deletes its versions.
CREATE TABLE report_conflict (
	id		INTEGER PRIMARY KEY,
	report_row	INTEGER NOT NULL
			    REFERENCES report (id) ON DELETE CASCADE,
	content_hash	TEXT NOT NULL CHECK (length(content_hash) = 64),
	records		INTEGER NOT NULL,
	messages	INTEGER NOT NULL,
	source		TEXT,
	raw		BLOB,
	ingested_at	INTEGER NOT NULL,
	UNIQUE (report_row, content_hash)
) STRICT;
