#!/bin/sh
# t_suite_cli.sh - the command-line suites on PostgreSQL as well as
# SQLite, the same output byte for byte (suite_lib.sh). t_readonly's
# PostgreSQL pass is a SELECT-only role, its SQLite pass (as nobody)
# its own entry.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites cli/t_columns.sh cli/t_local_exit.sh cli/t_quarantine.sh \
	cli/t_readonly.sh:exit
