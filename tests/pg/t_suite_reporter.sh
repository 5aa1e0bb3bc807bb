#!/bin/sh
# t_suite_reporter.sh - the reporter and doctor suites on PostgreSQL as
# well as SQLite, the same output byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites reporter/t_reporter.sh golden/t_reporter_text.sh \
	doctor/t_cli.sh doctor/t_dkim.sh doctor/t_dmarc.sh \
	doctor/t_senders.sh doctor/t_tls.sh doctor/t_spf.sh \
	doctor/t_reporting.sh failure/t_failures.sh
