#!/bin/sh
# t_suite_api.sh - the Graph and Gmail suites (a local API server) and
# IMAP over OAuth2 (a real Dovecot) on PostgreSQL as well as SQLite, the
# same output byte for byte (suite_lib.sh; t_oauth_crash's kill points
# are random: it must pass, its SQLite pass is its own entry).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites integration/t_api_exit.sh integration/t_oauth_api.sh \
	integration/t_oauth_imap.sh integration/t_oauth_crash.sh:exit
