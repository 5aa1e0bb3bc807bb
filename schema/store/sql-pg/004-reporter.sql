-- 004-reporter.sql - indexes for the reporter queries (summary, senders, (PostgreSQL twin of sql/004-reporter.sql)
-- reporters, dashboards, doctor) and the IP enrichment cache.
-- SPDX-License-Identifier: MIT
--
-- The queries live in schema/store_senders*.c, store_summary.c and
-- store_reporters.c; tests/unit/test_store_senders.c checks with
-- EXPLAIN QUERY PLAN that they use these indexes and scan neither
-- report nor record. This migration only adds (BRIEF: migrations add).

-- A reporter query selects the reports of a period by the midpoint of
-- their date range, (begin_ts + end_ts) / 2 (store_senders.h), so a
-- report is counted in exactly one of two consecutive periods. These
-- expression indexes make that a range search, O(log n) plus the
-- reports found, whatever the history before or after the period; the
-- queries spell the expression exactly like this (SQLite matches it
-- structurally). Only + and / : allowed with trusted_schema off.
CREATE INDEX report_domain_mid ON report (domain, ((begin_ts + end_ts) / 2));
CREATE INDEX report_mid ON report (((begin_ts + end_ts) / 2));

-- The records of each report found, reading only this index: it covers
-- what the counting queries (summary, daily series, per-IP totals of
-- senders) use, so they never touch the wide record rows.
CREATE INDEX record_report_cover ON record (report_row, source_ip, count,
    disposition, dkim, spf);

-- senders --new and doctor: "was this IP seen before?" walks the
-- records of one IP (then their report by rowid) instead of the period.
CREATE INDEX record_ip ON record (source_ip, report_row);

-- reporters: the last report of each reporter for a domain over all
-- time (silent reporters) without reading the reports of others.
CREATE INDEX report_domain_org ON report (domain, org_name, end_ts);

-- Enrichment of one source IP (report/enrich/enrich.c), looked up once per IP
-- and kept for ttl seconds after checked_at. ptr_confirmed is 1 when a
-- forward lookup of ptr returned the IP, 0 when not, NULL when unknown
-- (offline). status is the outcome of the PTR lookup.
CREATE TABLE ip_info (
	ip		text COLLATE "C" PRIMARY KEY,	-- canonical (inet_ntop) text
	ptr		text COLLATE "C",
	ptr_confirmed	bigint CHECK (ptr_confirmed IN (0, 1)),
	base_domain	text COLLATE "C",
	service		text COLLATE "C",
	status		text COLLATE "C" NOT NULL DEFAULT 'ok',
	checked_at	bigint NOT NULL,
	ttl		bigint NOT NULL CHECK (ttl >= 0)
);
