#!/bin/sh
# t_suite_advice.sh - the advice scenarios on PostgreSQL as well as
# SQLite, the same output byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites advice/t_declared.sh advice/t_forward.sh advice/t_gforward.sh \
	advice/t_m365.sh advice/t_own.sh advice/t_services.sh
