#!/bin/sh
# t_suite_ingest.sh - the ingest, failure-report, TLS-report and store
# suites on PostgreSQL as well as SQLite, the same output byte for byte
# (suite_lib.sh; their sqlite3 checks go to PostgreSQL through psql).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites corpus/t_corpus.sh failure/t_failures.sh failure/t_reverify.sh \
	tls/t_tls_corpus.sh store/t_prune.sh
