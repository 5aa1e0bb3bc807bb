-- 001-initial.sql - the first schema of the dmarcsift store.
-- SPDX-License-Identifier: MIT
--
-- Applied by schema/store/migrate.c inside one transaction when
-- PRAGMA user_version < 1; user_version is then set to 1. Never edit a
-- released migration: add 002-*.sql instead.
--
-- Conventions: every table is STRICT; times are Unix seconds (UTC);
-- "JSON" columns hold JSON text written by schema/util/json.c (query them
-- with json_each() / json_extract()); a NULL column means the element
-- was absent from the report. THREATS #11: this file is the only DDL,
-- and the C code binds every value as a parameter. The store runs with
-- trusted_schema off, so constraints here may only use innocuous
-- functions (json_valid() is not one in SQLite 3.40: JSON validity is
-- the writer's job; tests/unit/test_store_report.c checks it).

-- One raw input (mail message, file, zip...) by the SHA-256 of its
-- bytes: the fast path for reruns and the anchor of crash recovery
-- (THREATS #13, #19).
CREATE TABLE message (
	id		INTEGER PRIMARY KEY,
	sha256		TEXT NOT NULL UNIQUE	-- lower-case hex
			    CHECK (length(sha256) = 64),
	source		TEXT,			-- path, IMAP URL, ...
	size		INTEGER NOT NULL CHECK (size >= 0),
	status		TEXT NOT NULL DEFAULT 'new'
			    CHECK (status IN ('new', 'done', 'rejected')),
	arrivals	INTEGER NOT NULL DEFAULT 1,	-- times it was put
	first_seen	INTEGER NOT NULL,
	last_seen	INTEGER NOT NULL
) STRICT;

-- One aggregate report (RFC 7489 appendix C / RFC 9990): its
-- report_metadata and policy_published. The five key columns are the
-- identity of SPEC.md "Identity and duplicates"; domain compares
-- without ASCII case so "Example.COM" is the same report.
CREATE TABLE report (
	id		INTEGER PRIMARY KEY,
	org_name	TEXT NOT NULL,
	report_id	TEXT NOT NULL,		-- the reporter's ID, verbatim
	domain		TEXT NOT NULL COLLATE NOCASE,	-- policy domain
	begin_ts	INTEGER NOT NULL,	-- date_range/begin
	end_ts		INTEGER NOT NULL,	-- date_range/end
	format		TEXT NOT NULL
			    CHECK (format IN ('rfc7489', 'rfc9990')),
	version		TEXT,			-- <version> verbatim
	email		TEXT,
	extra_contact_info TEXT,
	generator	TEXT,			-- RFC 9990
	errors		TEXT NOT NULL DEFAULT '[]',	-- JSON array of
							-- <error> texts
	adkim		TEXT,
	aspf		TEXT,
	p		TEXT,
	sp		TEXT,
	np		TEXT,			-- RFC 9990
	pct		INTEGER,		-- NULL when absent (RFC 9990)
	fo		TEXT,
	discovery_method TEXT,			-- psl | treewalk (RFC 9990)
	testing		TEXT,			-- n | y (RFC 9990)
	extensions	TEXT,			-- raw XML of unknown elements
	warnings	TEXT NOT NULL DEFAULT '[]',	-- JSON array of
							-- "name: detail"
	records		INTEGER NOT NULL DEFAULT 0,	-- rows in record
	messages	INTEGER NOT NULL DEFAULT 0,	-- sum of their count
	source		TEXT,			-- where it came from
	message_row	INTEGER REFERENCES message (id) ON DELETE SET NULL,
	ingested_at	INTEGER NOT NULL,
	UNIQUE (org_name, report_id, domain, begin_ts, end_ts)
) STRICT;

-- The reporter's main access path: one domain over a date range
-- (domain = ? AND begin_ts < until AND end_ts >= since); end_ts is in
-- the index so the range test needs no table row.
CREATE INDEX report_domain_time ON report (domain, begin_ts, end_ts);
-- All domains over a date range, oldest first.
CREATE INDEX report_time ON report (begin_ts, end_ts);

-- One <record> of a report. Not denormalised: a reporter query finds
-- the few matching reports through report_domain_time, then each
-- report's records through record_report. The records of one report
-- are inserted together, so their rowids (and pages) are contiguous
-- and that second step reads the table nearly sequentially.
CREATE TABLE record (
	id		INTEGER PRIMARY KEY,
	report_row	INTEGER NOT NULL
			    REFERENCES report (id) ON DELETE CASCADE,
	source_ip	TEXT,			-- canonical (inet_ntop) text
	count		INTEGER NOT NULL CHECK (count >= 0),
	disposition	TEXT,			-- policy_evaluated
	dkim		TEXT,			-- policy_evaluated (aligned)
	spf		TEXT,			-- policy_evaluated (aligned)
	envelope_to	TEXT,
	envelope_from	TEXT,
	header_from	TEXT,
	-- JSON array of {"type", "comment"}
	reasons		TEXT NOT NULL DEFAULT '[]',
	-- JSON array of {"domain", "selector", "result", "human_result"}
	dkim_auth	TEXT NOT NULL DEFAULT '[]',
	-- JSON array of {"domain", "scope", "result", "human_result"}
	spf_auth	TEXT NOT NULL DEFAULT '[]',
	extensions	TEXT			-- raw XML of unknown elements
) STRICT;

CREATE INDEX record_report ON record (report_row);

-- Raw bytes that could not be used, kept for forensics with the reason
-- (THREATS #8); the same bytes with the same reason are kept once.
-- size is the input's size; raw may be shorter when the input exceeded
-- the store's blob limit (then length(raw) < size).
CREATE TABLE quarantine (
	id		INTEGER PRIMARY KEY,
	sha256		TEXT NOT NULL CHECK (length(sha256) = 64),
	source		TEXT,
	reason		TEXT NOT NULL,
	size		INTEGER NOT NULL CHECK (size >= 0),
	raw		BLOB NOT NULL,
	created		INTEGER NOT NULL,
	UNIQUE (sha256, reason)
) STRICT;
