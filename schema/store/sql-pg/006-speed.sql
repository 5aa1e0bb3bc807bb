-- 006-speed.sql - record indexes that ingest appends to instead of (PostgreSQL twin of sql/006-speed.sql)
-- seeking in, and the first/last-seen rollup of every sending IP
-- (issue 20).
-- SPDX-License-Identifier: MIT
--
-- Measured (bench/README.md, "issue 20"): of migration 004's two
-- record indexes, record_ip (source_ip, report_row) takes its keys in
-- random order, so every record INSERT of a big report was a page-cache
-- miss and WAL traffic, and record_report_cover (report_row, source_ip,
-- ...) is random within the report being stored. Both are replaced:
--
-- * record_report_seq (report_row, id, ...): the same columns, so the
--   counting queries still read records from the index only, but keyed
--   by (report, rowid), which only ever grows while a report is stored:
--   every INSERT appends at the right edge of the B-tree. It also
--   serves record (report_row) lookups, so record_report goes.
-- * sender_seen: per (source IP, policy domain) the smallest and largest
--   report midpoint it appeared in, which answers "seen before the
--   period?" (senders --new, doctor, weekly) with one primary-key
--   lookup. It is maintained by ds_store_report_finish() in the
--   report's own savepoint with one INSERT ... SELECT ... GROUP BY over
--   the report's records: SQLite sorts them (bounded memory), so the
--   upsert walks the table in key order, once per report, not once per
--   record at a random place. Plain SQL (UPSERT, CASE), PostgreSQL too.

CREATE INDEX record_report_seq ON record (report_row, id, source_ip, count,
    disposition, dkim, spf);
DROP INDEX record_report_cover;
DROP INDEX record_ip;
DROP INDEX record_report;

CREATE TABLE sender_seen (
	source_ip	text COLLATE "C" NOT NULL,		-- canonical (inet_ntop) text
	domain		citext COLLATE "C" NOT NULL,	-- lower case
	first_mid	bigint NOT NULL,	-- (begin_ts + end_ts) / 2 of
	last_mid	bigint NOT NULL,	-- the first / last report
	PRIMARY KEY (source_ip, domain)
);

-- The rollup of the records already stored (records without an IP are
-- never "seen"); tests/unit/test_store_rollup.c checks it against the
-- raw records.
INSERT INTO sender_seen (source_ip, domain, first_mid, last_mid)
SELECT rec.source_ip, lower(rep.domain),
    min((rep.begin_ts + rep.end_ts) / 2), max((rep.begin_ts + rep.end_ts) / 2)
FROM record AS rec JOIN report AS rep ON rep.id = rec.report_row
WHERE rec.source_ip IS NOT NULL
GROUP BY rec.source_ip, lower(rep.domain);
