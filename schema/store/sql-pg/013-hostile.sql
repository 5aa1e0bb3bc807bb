-- 013-hostile.sql: issue 13 (hostile values past the parser). (PostgreSQL twin of sql/013-hostile.sql)
-- SPDX-License-Identifier: MIT

-- A failure report is identified by (reporter, Message-ID), no longer by
-- the Message-ID alone (anyone can mail the ruf address and pre-empt a
-- real report): "mid:<reporter domain> <Message-ID>".
UPDATE failure_report
   SET identity = 'mid:' || coalesce(reporter, '') || ' ' || substr(identity, 5)
 WHERE identity LIKE 'mid:%';
