#!/bin/sh
# t_suite_hostile.sh - hostile values and conflicting report versions,
# verify and the terminal-width suite on PostgreSQL as well as SQLite,
# the same output byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites hostile/t_conflict.sh hostile/t_hostile.sh verify/t_verify.sh \
	browser/t_width.sh
