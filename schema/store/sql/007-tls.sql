-- 007-tls.sql - SMTP TLS reports (RFC 8460): the report, its policies,
-- their failure details.
-- SPDX-License-Identifier: MIT
--
-- Conventions as in 001-initial.sql (STRICT, Unix seconds, JSON text
-- written by schema/util/json.c, NULL = absent). Only adds tables.

-- One TLS report. The five key columns are its identity (THREATS #13):
-- organization-name, report-id, the report's policy domain (the first
-- policy's; '' when it has none), date-range start and end.
CREATE TABLE tls_report (
	id		INTEGER PRIMARY KEY,
	org_name	TEXT NOT NULL,
	report_id	TEXT NOT NULL,
	domain		TEXT NOT NULL COLLATE NOCASE,
	begin_ts	INTEGER NOT NULL,
	end_ts		INTEGER NOT NULL,
	start_text	TEXT,			-- date-range verbatim
	end_text	TEXT,
	contact_info	TEXT,
	submitter	TEXT,			-- TLS-Report-Submitter header
	policies	INTEGER NOT NULL CHECK (policies >= 0),
	successes	INTEGER NOT NULL CHECK (successes >= 0),
	failures	INTEGER NOT NULL CHECK (failures >= 0),
	warnings	TEXT NOT NULL DEFAULT '[]',	-- JSON array of
							-- "name: detail"
	source		TEXT,
	message_row	INTEGER REFERENCES message (id) ON DELETE SET NULL,
	ingested_at	INTEGER NOT NULL,
	UNIQUE (org_name, report_id, domain, begin_ts, end_ts)
) STRICT;

CREATE INDEX tls_report_domain_time ON tls_report (domain, begin_ts, end_ts);

-- One policies[] entry: policy and summary.
CREATE TABLE tls_policy (
	id		INTEGER PRIMARY KEY,
	report_row	INTEGER NOT NULL REFERENCES tls_report (id)
			    ON DELETE CASCADE,
	type		TEXT NOT NULL,		-- sts | tlsa | no-policy-found
						-- (else verbatim, warned)
	domain		TEXT COLLATE NOCASE,	-- policy-domain
	strings		TEXT NOT NULL DEFAULT '[]',	-- JSON: policy-string
	mx_hosts	TEXT NOT NULL DEFAULT '[]',	-- JSON: mx-host
	successes	INTEGER NOT NULL CHECK (successes >= 0),
	failures	INTEGER NOT NULL CHECK (failures >= 0)
) STRICT;

CREATE INDEX tls_policy_report ON tls_policy (report_row);

-- One failure-details entry of a policy.
CREATE TABLE tls_failure (
	id		INTEGER PRIMARY KEY,
	policy_row	INTEGER NOT NULL REFERENCES tls_policy (id)
			    ON DELETE CASCADE,
	result_type	TEXT NOT NULL,
	sending_mta_ip	TEXT,			-- canonical
	receiving_mx_hostname TEXT,
	receiving_mx_helo TEXT,
	receiving_ip	TEXT,			-- canonical
	failed_sessions	INTEGER NOT NULL CHECK (failed_sessions >= 0),
	additional_info	TEXT,
	failure_reason_code TEXT
) STRICT;

CREATE INDEX tls_failure_policy ON tls_failure (policy_row);
