-- 018-perip.sql - per-IP rollups: what senders, summary's classes and
-- top failing sources, and doctor's evidence need per source IP, kept
-- per report and UTC day so that they survive prune --raw-older-than
-- (issue 20, branch perip).
-- SPDX-License-Identifier: MIT
--
-- Both tables are keyed by the report first (report_row, day, ...), so
-- the rows of a report being stored land at the right edge of their
-- B-trees, and the questions about reports (how many mention an IP or
-- a group of IPs, first and last seen, distinct reporters, reports
-- showing a DKIM selector) stay exact: the report row (never pruned)
-- gives org_name, begin_ts and end_ts. A report's rows lie on the days
-- of the day rule of 015-rollup.sql (one day, the midpoint's, for a
-- report within one UTC day; each day it covers, by its share, for a
-- multi-day report); records counts each raw record on the midpoint's
-- day; a row is kept when it has a record or a message, as in
-- day_rollup. A report belongs to a period for an IP (or a selector)
-- when the IP has a row on a day of the period (the day's noon in
-- [since, until)).
--
-- day_ip: per report, day and source IP, the messages by the
-- policy_evaluated DKIM and SPF results and three facts of the record
-- that doctor needs and that no per-result sum can give (a record has
-- several auth results; a sum over them counts a record twice):
--   fwd       1 when a <reason> of the record is forwarded,
--             mailing_list or trusted_forwarder (lower(type));
--   spf_fail  for an aligned DKIM pass without an SPF pass: the first
--             SPF auth_results domain that is the report's policy
--             domain or below it, not scope helo, not pass; else '';
--   own_dkim  the (domain, selector) pairs of the DKIM auth_results
--             that are the policy domain or below it, as a JSON array
--             of two-element arrays ('[]' when none): doctor counts a
--             record's messages as a broken signature of the domain's
--             own when one of its pairs passed somewhere in the period.
-- day_auth: per report, day and source IP, every DKIM (kind 0) and SPF
-- (kind 1) auth_results outcome and every <reason> type (kind 2, in
-- result, lower case and trimmed; auth_domain and selector '') with its
-- messages; spf_pass is 1 for DKIM outcomes of records whose
-- policy_evaluated spf is pass (doctor: mail SPF says is the domain's).
-- auth_domain is lower case; selector holds the DKIM selector or the
-- SPF scope; selector and result are verbatim.
--
-- '' stands for an absent value (a primary key cannot hold NULL in
-- PostgreSQL); the parser never stores an empty string (an empty
-- element is absent), so the readers turn '' back into NULL.
-- Maintained record by record by ds_store_record_put()
-- (store_rollup_ip.c, from the parsed record: no JSON is read back) in
-- the report's own savepoint; tests/unit/test_store_perip.c checks the
-- rows against this file's backfill and the answers read from them
-- against the raw records.

CREATE TABLE day_ip (
	report_row	INTEGER NOT NULL,	-- report.id
	day		INTEGER NOT NULL,	-- UTC midnight
	source_ip	TEXT NOT NULL,		-- '' when none
	dkim		TEXT NOT NULL,		-- policy_evaluated
	spf		TEXT NOT NULL,
	fwd		INTEGER NOT NULL,
	spf_fail	TEXT NOT NULL,
	own_dkim	TEXT NOT NULL,
	records		INTEGER NOT NULL CHECK (records >= 0),
	messages	INTEGER NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (report_row, day, source_ip, dkim, spf, fwd, spf_fail,
	    own_dkim)
) STRICT, WITHOUT ROWID;

CREATE TABLE day_auth (
	report_row	INTEGER NOT NULL,
	day		INTEGER NOT NULL,
	source_ip	TEXT NOT NULL,
	kind		INTEGER NOT NULL,	-- 0 DKIM, 1 SPF, 2 reason
	auth_domain	TEXT NOT NULL,
	selector	TEXT NOT NULL,		-- DKIM selector, SPF scope
	result		TEXT NOT NULL,
	spf_pass	INTEGER NOT NULL,
	messages	INTEGER NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (report_row, day, source_ip, kind, auth_domain,
	    selector, result, spf_pass)
) STRICT, WITHOUT ROWID;

-- The reports already stored, by the day rule of 015-rollup.sql (the
-- same CTE). Reports whose records were pruned before this migration
-- cannot be rebuilt: the retention mark 'perip' below says so.
INSERT INTO day_ip (report_row, day, source_ip, dkim, spf, fwd,
    spf_fail, own_dkim, records, messages)
WITH RECURSIVE
rp (id, dom, b, e, dur, md, spread) AS (
	SELECT id, lower(domain), begin_ts, end_ts, end_ts - begin_ts,
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
	FROM dd JOIN rp ON rp.id = dd.id),
one (id, day, ip, dkim, spf, fwd, spf_fail, own_dkim, mine, share) AS (
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''),
	    coalesce(rec.dkim, ''), coalesce(rec.spf, ''),
	    CASE WHEN rec.reasons <> '[]' AND EXISTS (SELECT 1
	     FROM json_each(rec.reasons) AS x
	     WHERE lower(x.value ->> 'type') IN ('forwarded',
	     'mailing_list', 'trusted_forwarder')) THEN 1 ELSE 0 END,
	    CASE WHEN lower(coalesce(rec.dkim, '')) = 'pass'
	     AND lower(coalesce(rec.spf, '')) <> 'pass' THEN coalesce((
	     SELECT lower(x.value ->> 'domain')
	     FROM json_each(rec.spf_auth) AS x
	     WHERE (lower(x.value ->> 'domain') = rp.dom
	     OR (length(lower(x.value ->> 'domain')) > length(rp.dom)
	     AND substr(lower(x.value ->> 'domain'),
	     length(lower(x.value ->> 'domain')) - length(rp.dom))
	     = '.' || rp.dom))
	     AND lower(coalesce(x.value ->> 'scope', 'mfrom')) <> 'helo'
	     AND lower(coalesce(x.value ->> 'result', '')) <> 'pass'
	     LIMIT 1), '') ELSE '' END,
	    (
	     SELECT json_group_array(json_array(lower(x.value ->> 'domain'),
	     x.value ->> 'selector'))
	     FROM json_each(rec.dkim_auth) AS x
	     WHERE (lower(x.value ->> 'domain') = rp.dom
	     OR (length(lower(x.value ->> 'domain')) > length(rp.dom)
	     AND substr(lower(x.value ->> 'domain'),
	     length(lower(x.value ->> 'domain')) - length(rp.dom))
	     = '.' || rp.dom))),
	    sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN rp ON rp.id = sh.id
	    JOIN record AS rec ON rec.report_row = sh.id)
SELECT id, day, ip, dkim, spf, fwd, spf_fail, own_dkim, sum(mine),
    csum(share)
FROM one GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING sum(mine) > 0 OR csum(share) > 0;

INSERT INTO day_auth (report_row, day, source_ip, kind, auth_domain,
    selector, result, spf_pass, messages)
WITH RECURSIVE
rp (id, b, e, dur, md, spread) AS (
	SELECT id, begin_ts, end_ts, end_ts - begin_ts,
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
	FROM dd JOIN rp ON rp.id = dd.id),
one (id, day, ip, kind, d, s, r, sp, mine, share) AS (
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''), 0,
	    coalesce(lower(j.value ->> 'domain'), ''),
	    coalesce(j.value ->> 'selector', ''),
	    coalesce(j.value ->> 'result', ''),
	    CASE WHEN lower(rec.spf) = 'pass' THEN 1 ELSE 0 END, sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN record AS rec ON rec.report_row = sh.id,
	    json_each(rec.dkim_auth) AS j
	UNION ALL
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''), 1,
	    coalesce(lower(j.value ->> 'domain'), ''),
	    coalesce(j.value ->> 'scope', ''),
	    coalesce(j.value ->> 'result', ''), 0, sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN record AS rec ON rec.report_row = sh.id,
	    json_each(rec.spf_auth) AS j
	UNION ALL
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''), 2, '', '',
	    coalesce(lower(trim(j.value ->> 'type')), ''), 0, sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN record AS rec ON rec.report_row = sh.id,
	    json_each(rec.reasons) AS j)
SELECT id, day, ip, kind, d, s, r, sp, csum(share)
FROM one GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING max(mine) > 0 OR csum(share) > 0;

-- Reports whose records a prune removed before this migration are not
-- in the tables above: commands say so for periods before this mark
-- (store_prune_raw.c). Later prunes keep these rollups.
INSERT INTO retention (what, before_ts)
SELECT 'perip', before_ts FROM retention WHERE what = 'raw';
