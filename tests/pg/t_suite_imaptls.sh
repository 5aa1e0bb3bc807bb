#!/bin/sh
# t_suite_imaptls.sh - IMAP with TLS, STARTTLS and exit codes (a real
# Dovecot) on PostgreSQL as well as SQLite, the same output byte for
# byte (suite_lib.sh; t_imap_exit depends on timing: it must pass, its
# SQLite pass is its own entry).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites integration/t_imap_tls.sh integration/t_imap_tls_reports.sh \
	integration/t_imap_exit.sh:exit
