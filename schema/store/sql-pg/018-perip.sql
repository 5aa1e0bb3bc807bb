-- 018-perip.sql - per-IP rollups day_ip and day_auth, and the
-- retention mark 'perip' (PostgreSQL twin of sql/018-perip.sql, branch
-- perip: what each column means, the day rule and who maintains the
-- tables are stated there).
-- SPDX-License-Identifier: MIT

CREATE TABLE day_ip (
	report_row	bigint NOT NULL,	-- report.id
	day		bigint NOT NULL,	-- UTC midnight
	source_ip	text COLLATE "C" NOT NULL,		-- '' when none
	dkim		text COLLATE "C" NOT NULL,		-- policy_evaluated
	spf		text COLLATE "C" NOT NULL,
	fwd		bigint NOT NULL,
	spf_fail	text COLLATE "C" NOT NULL,
	own_dkim	text COLLATE "C" NOT NULL,
	records		bigint NOT NULL CHECK (records >= 0),
	messages	bigint NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (report_row, day, source_ip, dkim, spf, fwd, spf_fail,
	    own_dkim)
);

CREATE TABLE day_auth (
	report_row	bigint NOT NULL,
	day		bigint NOT NULL,
	source_ip	text COLLATE "C" NOT NULL,
	kind		bigint NOT NULL,	-- 0 DKIM, 1 SPF, 2 reason
	auth_domain	text COLLATE "C" NOT NULL,
	selector	text COLLATE "C" NOT NULL,		-- DKIM selector, SPF scope
	result		text COLLATE "C" NOT NULL,
	spf_pass	bigint NOT NULL,
	messages	bigint NOT NULL CHECK (messages >= 0),
	PRIMARY KEY (report_row, day, source_ip, kind, auth_domain,
	    selector, result, spf_pass)
);

-- The reports already stored, by the day rule of 015-rollup.sql (the
-- same CTE). Reports whose records were pruned before this migration
-- cannot be rebuilt: the retention mark 'perip' below says so.
INSERT INTO day_ip (report_row, day, source_ip, dkim, spf, fwd,
    spf_fail, own_dkim, records, messages)
WITH RECURSIVE
rp (id, dom, b, e, dur, md, spread) AS (
	SELECT id, lower(domain::text), begin_ts, end_ts, end_ts - begin_ts,
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
	     FROM jsonb_array_elements(CAST(rec.reasons AS jsonb)) WITH ORDINALITY AS x (value, key)
	     WHERE lower(x.value ->> 'type') IN ('forwarded',
	     'mailing_list', 'trusted_forwarder')) THEN 1 ELSE 0 END,
	    CASE WHEN lower(coalesce(rec.dkim, '')) = 'pass'
	     AND lower(coalesce(rec.spf, '')) <> 'pass' THEN coalesce((
	     SELECT lower(x.value ->> 'domain')
	     FROM jsonb_array_elements(CAST(rec.spf_auth AS jsonb)) WITH ORDINALITY AS x (value, key)
	     WHERE (lower(x.value ->> 'domain') = rp.dom
	     OR (length(lower(x.value ->> 'domain')) > length(rp.dom)
	     AND substr(lower(x.value ->> 'domain'),
	     length(lower(x.value ->> 'domain')) - length(rp.dom))
	     = '.' || rp.dom))
	     AND lower(coalesce(x.value ->> 'scope', 'mfrom')) <> 'helo'
	     AND lower(coalesce(x.value ->> 'result', '')) <> 'pass'
	     ORDER BY x.key LIMIT 1), '') ELSE '' END,
	    coalesce((
	     SELECT CAST(jsonb_agg(jsonb_build_array(lower(x.value ->> 'domain'),
	     x.value ->> 'selector') ORDER BY x.key) AS text)
	     FROM jsonb_array_elements(CAST(rec.dkim_auth AS jsonb)) WITH ORDINALITY AS x (value, key)
	     WHERE (lower(x.value ->> 'domain') = rp.dom
	     OR (length(lower(x.value ->> 'domain')) > length(rp.dom)
	     AND substr(lower(x.value ->> 'domain'),
	     length(lower(x.value ->> 'domain')) - length(rp.dom))
	     = '.' || rp.dom))), '[]'),
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
	    jsonb_array_elements(CAST(rec.dkim_auth AS jsonb)) WITH ORDINALITY AS j (value, key)
	UNION ALL
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''), 1,
	    coalesce(lower(j.value ->> 'domain'), ''),
	    coalesce(j.value ->> 'scope', ''),
	    coalesce(j.value ->> 'result', ''), 0, sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN record AS rec ON rec.report_row = sh.id,
	    jsonb_array_elements(CAST(rec.spf_auth AS jsonb)) WITH ORDINALITY AS j (value, key)
	UNION ALL
	SELECT sh.id, sh.day, coalesce(rec.source_ip, ''), 2, '', '',
	    coalesce(lower(trim(j.value ->> 'type')), ''), 0, sh.mine,
	    (rec.count / sh.dur) * (sh.hi - sh.lo)
	     + ((rec.count % sh.dur) * sh.hi) / sh.dur
	     - ((rec.count % sh.dur) * sh.lo) / sh.dur
	FROM sh JOIN record AS rec ON rec.report_row = sh.id,
	    jsonb_array_elements(CAST(rec.reasons AS jsonb)) WITH ORDINALITY AS j (value, key))
SELECT id, day, ip, kind, d, s, r, sp, csum(share)
FROM one GROUP BY 1, 2, 3, 4, 5, 6, 7, 8
HAVING max(mine) > 0 OR csum(share) > 0;

-- Reports whose records a prune removed before this migration are not
-- in the tables above: commands say so for periods before this mark
-- (store_prune_raw.c). Later prunes keep these rollups.
INSERT INTO retention (what, before_ts)
SELECT 'perip', before_ts FROM retention WHERE what = 'raw';
