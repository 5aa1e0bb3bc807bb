-- 015-rollup.sql - day rollups: per (policy domain, UTC day, source IP,
-- disposition, aligned DKIM and SPF results, header_from, reporter) the
-- records and messages of the aggregate reports (issue 20).
-- SPDX-License-Identifier: MIT
--
-- The per-period questions of the reporter (summary, the daily series
-- of html and weekly) read this table instead of the raw records, so
-- their cost follows the days and distinct senders of the period, not
-- the records, and raw records can be pruned (prune --raw-older-than)
-- without changing their answers.
--
-- The day rule (README "Day rollups"). A report whose date range
-- [begin, end] lies within one UTC day, or is longer than 31 days, or
-- is empty or reversed, counts on the UTC day of its midpoint
-- (begin + end) / 2, like the period rule of every command. Any other
-- report (end > begin, at most 31 days) is spread over the UTC days its
-- range touches: with D = end - begin and S(k) the seconds of the range
-- before the end of its k-th day (S(last) = D), a record of count c
-- gives day k  floor(c * S(k) / D) - floor(c * S(k-1) / D)  messages.
-- The shares are integers, never negative, and sum exactly to c (the
-- terms telescope); a remainder falls on the day where the running
-- share crosses the next integer. Computed without overflow as
-- (c / D) * (S(k) - S(k-1)) + ((c % D) * S(k)) / D
--   - ((c % D) * S(k-1)) / D   (c % D < D <= 31 days: the products
-- stay below 2^43). records counts each raw record once, on its
-- report's midpoint day. A row is kept when it has a record or a
-- message. Sums saturate at 2^63-1 (csum, and the upsert in
-- store_rollup.c), as every count total of the store.
--
-- Maintained by ds_store_report_finish() (store_rollup.c) in the
-- report's own savepoint: a rolled-back or duplicate report never
-- reaches it. tests/unit/test_store_dayroll.c checks the table against
-- the raw records with an independent implementation of the rule.
-- Text columns hold '' where the record had no value (a primary key
-- cannot hold NULL in PostgreSQL); domain and header_from are lower
-- case. Plain SQL both SQLite and PostgreSQL accept (WITH RECURSIVE,
-- CASE, csum).

CREATE TABLE day_rollup (
	domain		TEXT NOT NULL,		-- lower(report.domain)
	day		INTEGER NOT NULL,	-- UTC midnight, Unix seconds
	source_ip	TEXT NOT NULL,		-- canonical, '' when none
	disposition	TEXT NOT NULL,		-- policy_evaluated, verbatim
	dkim		TEXT NOT NULL,
	spf		TEXT NOT NULL,
	header_from	TEXT NOT NULL,		-- lower case
	org_name	TEXT NOT NULL,		-- the reporter
	records		INTEGER NOT NULL CHECK (records >= 0),
	messages	INTEGER NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (domain, day, source_ip, disposition, dkim, spf,
	    header_from, org_name)
) STRICT, WITHOUT ROWID;

-- Every domain over a range of days (summary and html without
-- --domain).
CREATE INDEX day_rollup_day ON day_rollup (day);

-- The rollups of the reports already stored.
INSERT INTO day_rollup (domain, day, source_ip, disposition, dkim, spf,
    header_from, org_name, records, messages)
WITH RECURSIVE
rp (id, dom, org, b, e, dur, md, spread) AS (
	SELECT id, lower(domain), org_name, begin_ts, end_ts,
	    end_ts - begin_ts,
	    (CASE WHEN (begin_ts + end_ts) / 2 >= 0
	     THEN (begin_ts + end_ts) / 2 / 86400
	     ELSE ((begin_ts + end_ts) / 2 - 86399) / 86400 END) * 86400,
	    CASE WHEN end_ts > begin_ts AND end_ts - begin_ts <= 2678400
	    THEN 1 ELSE 0 END
	FROM report),
dd (id, day) AS (
	SELECT id, CASE WHEN spread = 1 THEN
	    (CASE WHEN b >= 0 THEN b / 86400 ELSE (b - 86399) / 86400 END)
	    * 86400 ELSE md END FROM rp
	UNION ALL
	SELECT dd.id, dd.day + 86400 FROM dd JOIN rp ON rp.id = dd.id
	WHERE rp.spread = 1 AND dd.day + 86400 < rp.e),
sh (id, day, lo, hi, dur, mine) AS (
	SELECT dd.id, dd.day,
	    CASE WHEN rp.spread = 0 THEN 0 WHEN dd.day > rp.b
	    THEN dd.day - rp.b ELSE 0 END,
	    CASE WHEN rp.spread = 0 THEN 1 WHEN dd.day + 86400 < rp.e
	    THEN dd.day + 86400 - rp.b ELSE rp.dur END,
	    CASE WHEN rp.spread = 0 THEN 1 ELSE rp.dur END,
	    CASE WHEN dd.day = rp.md THEN 1 ELSE 0 END
	FROM dd JOIN rp ON rp.id = dd.id)
SELECT rp.dom, sh.day, coalesce(rec.source_ip, ''),
    coalesce(rec.disposition, ''), coalesce(rec.dkim, ''),
    coalesce(rec.spf, ''), lower(coalesce(rec.header_from, '')), rp.org,
    sum(sh.mine),
    csum((rec.count / sh.dur) * (sh.hi - sh.lo)
	+ ((rec.count % sh.dur) * sh.hi) / sh.dur
	- ((rec.count % sh.dur) * sh.lo) / sh.dur)
FROM sh JOIN rp ON rp.id = sh.id
    JOIN record AS rec ON rec.report_row = sh.id
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING sum(sh.mine) > 0 OR csum((rec.count / sh.dur) * (sh.hi - sh.lo)
	+ ((rec.count % sh.dur) * sh.hi) / sh.dur
	- ((rec.count % sh.dur) * sh.lo) / sh.dur) > 0;

-- What retention has removed for good, so that commands can say so:
-- what 'raw' = the record rows of every report that ended before
-- before_ts (prune --raw-older-than; store_prune_raw.c). Reports, their
-- totals, sender_seen and day_rollup stay.
CREATE TABLE retention (
	what		TEXT PRIMARY KEY,
	before_ts	INTEGER NOT NULL
) STRICT;
