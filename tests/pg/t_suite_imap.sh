#!/bin/sh
# t_suite_imap.sh - the IMAP suites (a real Dovecot) on PostgreSQL as
# well as SQLite, the same output byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites integration/t_imap_poll.sh integration/t_imap_concurrent.sh:exit \
	integration/t_imap_crash.sh:exit
