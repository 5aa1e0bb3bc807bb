#!/bin/sh
# t_suite_enrich.sh - MaxMind enrichment, MTA-STS, failure-sample and
# TLS-report suites on PostgreSQL as well as SQLite, the same output
# byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites enrich/t_mmdb.sh doctor/t_mtasts.sh failure/t_samples.sh \
	tls/t_tls_hostile.sh tls/t_tls_only.sh
