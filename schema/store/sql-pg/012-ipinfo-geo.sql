-- 012-ipinfo-geo.sql - the AS number, AS organisation and country of a (PostgreSQL twin of sql/012-ipinfo-geo.sql)
-- source IP from MaxMind DB files (report/enrich/mmdb.c), cached with
-- the IP in ip_info beside its PTR names.
-- SPDX-License-Identifier: MIT
--
-- geo_built is the build date (Unix seconds, the newest build_epoch of
-- the databases used) of the answer, 0 when no database was ever asked:
-- a run with a database of another build date looks the IP up again, so
-- a newer GeoLite2 or IPinfo file takes effect at once, without waiting
-- for the PTR's time to live. Only adds columns (NULL for old rows).
ALTER TABLE ip_info ADD COLUMN asn bigint
	CHECK (asn BETWEEN 1 AND 4294967295);
ALTER TABLE ip_info ADD COLUMN as_org text COLLATE "C";
ALTER TABLE ip_info ADD COLUMN as_domain text COLLATE "C";
ALTER TABLE ip_info ADD COLUMN country text COLLATE "C";
ALTER TABLE ip_info ADD COLUMN geo_built bigint NOT NULL DEFAULT 0;
