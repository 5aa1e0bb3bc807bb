-- 019-partition.sql - the report's midpoint on every record row: the
-- month partition key of record on PostgreSQL (sql-pg/019-partition.sql),
-- carried by SQLite too so that both back ends have the same columns and
-- the same INSERT, and migrate-store copies it as it is.
-- SPDX-License-Identifier: MIT
--
-- record.mid_ts = (report.begin_ts + report.end_ts) / 2 of its report,
-- the midpoint of the period rule (DS_SQL_MID), set at insert and never
-- changed (a report's date range is part of its identity). A reporter
-- query may test it in place of the report's midpoint; on PostgreSQL
-- that test prunes the record partitions outside the period. The
-- reporter queries test it next to the report's midpoint, so it joins
-- the columns of record_report_seq (006-speed.sql), which they read
-- without touching the wide record rows.

ALTER TABLE record ADD COLUMN mid_ts INTEGER NOT NULL DEFAULT 0;

UPDATE record SET mid_ts = (SELECT (rep.begin_ts + rep.end_ts) / 2
    FROM report AS rep WHERE rep.id = record.report_row);

DROP INDEX record_report_seq;
CREATE INDEX record_report_seq ON record (report_row, id, source_ip, count,
    disposition, dkim, spf, mid_ts);
