-- 015-rollup.sql - day rollups and the raw-record retention mark
-- (PostgreSQL twin of sql/015-rollup.sql, written on branch rollup:
-- the day rule, what each column means and who maintains the tables
-- are stated there).
-- SPDX-License-Identifier: MIT

CREATE TABLE day_rollup (
	domain		text COLLATE "C" NOT NULL,	-- lower(report.domain)
	day		bigint NOT NULL,		-- UTC midnight
	source_ip	text COLLATE "C" NOT NULL,	-- '' when none
	disposition	text COLLATE "C" NOT NULL,
	dkim		text COLLATE "C" NOT NULL,
	spf		text COLLATE "C" NOT NULL,
	header_from	text COLLATE "C" NOT NULL,	-- lower case
	org_name	text COLLATE "C" NOT NULL,
	records		bigint NOT NULL CHECK (records >= 0),
	messages	bigint NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (domain, day, source_ip, disposition, dkim, spf,
	    header_from, org_name)
);

CREATE INDEX day_rollup_day ON day_rollup (day);

WITH RECURSIVE
rp (id, dom, org, b, e, dur, md, spread) AS (
	SELECT id, lower(domain::text), org_name, begin_ts, end_ts,
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
INSERT INTO day_rollup (domain, day, source_ip, disposition, dkim, spf,
    header_from, org_name, records, messages)
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

CREATE TABLE retention (
	what		text COLLATE "C" PRIMARY KEY,
	before_ts	bigint NOT NULL
);
