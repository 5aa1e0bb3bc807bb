-- 003-failure.sql - failure (ruf) reports: RFC 5965 ARF, RFC 6591,
-- RFC 9991, with our re-verification of each sample.
-- SPDX-License-Identifier: MIT
--
-- Conventions as in 001-initial.sql (STRICT, Unix seconds, JSON text
-- written by schema/util/json.c, NULL = absent). Only adds tables.
--
-- The original message (the forensic sample) holds personal data: it
-- lives in failure_sample, read only by `dmarcsift failures show`
-- (SPEC.md §2); deleting a report deletes its sample.

-- One failure report. identity is the dedup key (THREATS #13):
-- "mid:<Message-ID of the report>", else "sha256:<hex of its bytes>".
CREATE TABLE failure_report (
	id		INTEGER PRIMARY KEY,
	identity	TEXT NOT NULL UNIQUE,
	domain		TEXT COLLATE NOCASE,	-- first Reported-Domain, else
						-- the sample's From domain
	event_ts	INTEGER NOT NULL,	-- Arrival-Date, else the
						-- report's Date, else ingest
	-- the report message
	report_message_id TEXT,
	report_from	TEXT,
	reporter	TEXT COLLATE NOCASE,	-- domain of report_from
	report_date	TEXT,
	report_ts	INTEGER,
	report_subject	TEXT,
	report_type	TEXT,			-- report-type parameter
	-- message/feedback-report (RFC 5965 §3, RFC 6591 §3)
	fields		TEXT NOT NULL DEFAULT '[]',	-- JSON [[name, value]]
							-- in order, unknown
							-- fields included
	feedback_type	TEXT,
	user_agent	TEXT,
	version		TEXT,
	original_mail_from TEXT,
	original_rcpt_to TEXT NOT NULL DEFAULT '[]',	-- JSON array
	arrival_date	TEXT,			-- verbatim
	arrival_ts	INTEGER,
	source_ip	TEXT,			-- canonical (inet_ntop)
	reported_domain	TEXT NOT NULL DEFAULT '[]',	-- JSON array
	reported_uri	TEXT NOT NULL DEFAULT '[]',	-- JSON array
	auth_results	TEXT,			-- topmost, verbatim
	auth_failure	TEXT,
	dkim_domain	TEXT,
	dkim_identity	TEXT,
	dkim_selector	TEXT,
	dkim_canon_header TEXT,
	dkim_canon_body	TEXT,
	spf_dns		TEXT NOT NULL DEFAULT '[]',	-- JSON array
	delivery_result	TEXT,
	identity_alignment TEXT,
	sample_kind	TEXT NOT NULL DEFAULT 'none'
			    CHECK (sample_kind IN ('none', 'message',
			    'headers', 'text')),
	warnings	TEXT NOT NULL DEFAULT '[]',	-- JSON "name: detail"
	-- our re-verification (ingest/verify/verify.h), NULL when not done
	verification	TEXT,			-- JSON {"spf","dkim","dmarc"}
	verification_text TEXT,			-- the same for people
	spf_now		TEXT,			-- RFC 8601 words, summary
	dkim_now	TEXT,			-- "pass,fail" per signature
	dmarc_now	TEXT,
	differences	TEXT NOT NULL DEFAULT '[]',	-- JSON array
	dns_mode	TEXT,			-- system | zone | offline
	verified_at	INTEGER,
	source		TEXT,
	message_row	INTEGER REFERENCES message (id) ON DELETE SET NULL,
	ingested_at	INTEGER NOT NULL
) STRICT;

-- `failures --domain D --since --until`: one domain over a time range.
CREATE INDEX failure_report_domain_time ON failure_report (domain, event_ts);
CREATE INDEX failure_report_time ON failure_report (event_ts);

-- The original message of a report (personal data, SPEC.md §2).
CREATE TABLE failure_sample (
	report_row	INTEGER PRIMARY KEY
			    REFERENCES failure_report (id) ON DELETE CASCADE,
	headers_only	INTEGER NOT NULL CHECK (headers_only IN (0, 1)),
	raw		BLOB NOT NULL,		-- as received (THREATS #8)
	header_from	TEXT,			-- RFC 2047 decoded
	subject		TEXT,
	message_id	TEXT,
	date		TEXT,
	auth_results	TEXT,			-- its topmost one
	dkim_signatures	TEXT NOT NULL DEFAULT '[]'	-- JSON array
) STRICT;
