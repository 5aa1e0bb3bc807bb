#!/bin/sh
# bench/phases.sh - split a callgrind profile of "dmarcsift ingest" into
# per-message phases (instructions per message, inclusive costs).
# Usage: sh bench/phases.sh CALLGRIND.OUT MESSAGES LABEL   (run by bench/run)
# SPDX-License-Identifier: MIT
set -eu
f=$1 m=$2 label=$3
callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
awk -v m="$m" -v label="$label" '
function num(s) { gsub(",", "", s); return s + 0 }
/PROGRAM TOTALS/ { T = num($1) }
/^ *[0-9,]+ \(/ {
	# "  1,234 (5.6%)  file:function [object]": no cycle members (x'\''2)
	if (!match($0, /:[A-Za-z_0-9.]+ \[/))
		next
	fn = substr($0, RSTART + 1, RLENGTH - 3)
	if (!(fn in c))
		c[fn] = num($1)
}
END {
	# the input hash: ds_sha256_hex (libcrypto, schema/util/sha256.c);
	# before it, GChecksum, whose counts also held the per-record
	# report hash. ds_sha256 alone is also the per-record hash (XML).
	hash = c["ds_sha256_hex"] + c["g_checksum_update"] + \
	    c["g_checksum_get_string"]
	tx = c["ds_store_begin"] + c["ds_store_commit"] + \
	    c["ds_store_message_put"] + c["ds_store_message_done"] + \
	    c["ds_store_savepoint"] + c["ds_store_release"] + \
	    c["ds_store_quarantine_put"]
	mime = c["ds_message_walk"] - c["part_cb"]
	z = c["gz_read"] + c["zip_fread"] + c["zip_open_from_source"] + \
	    c["ds_pzip_check"]
	store = c["ds_store_report_put"] + c["ds_store_record_put"] + \
	    c["ds_store_report_finish"]
	xml = c["ds_aggregate_parse_io"] + c["ds_aggregate_parse"] - store - \
	    c["gz_read"] - c["zip_fread"]
	if (xml < 0)
		xml = 0
	other = T - hash - tx - mime - z - store - xml
	printf "  %s: %.0f instructions per message\n", label, T / m
	printf "    %-52s %9.0f %5.1f%%\n", "SHA-256 of the raw message (dedup key)", hash / m, 100 * hash / T
	printf "    %-52s %9.0f %5.1f%%\n", "transaction, message row, savepoints, quarantine", tx / m, 100 * tx / T
	printf "    %-52s %9.0f %5.1f%%\n", "MIME parse and base64 decode (GMime)", mime / m, 100 * mime / T
	printf "    %-52s %9.0f %5.1f%%\n", "decompression (gzip, zip)", z / m, 100 * z / T
	printf "    %-52s %9.0f %5.1f%%\n", "XML parse and checks (libxml2 reader + filter)", xml / m, 100 * xml / T
	printf "    %-52s %9.0f %5.1f%%\n", "report and record INSERTs", store / m, 100 * store / T
	printf "    %-52s %9.0f %5.1f%%\n", "other (file reads, startup, database open)", other / m, 100 * other / T
}'
