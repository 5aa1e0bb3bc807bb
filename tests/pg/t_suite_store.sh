#!/bin/sh
# t_suite_store.sh - raw-record retention and the rollups under kill -9
# on PostgreSQL as well as SQLite (suite_lib.sh; t_rollup_crash's kill
# points are random: it must pass, its SQLite pass is its own entry).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites store/t_prune_raw.sh store/t_rollup_crash.sh:exit
