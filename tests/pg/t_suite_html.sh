#!/bin/sh
# t_suite_html.sh - the HTML dashboard and weekly mail suites (a real
# Chromium) and the advice scenarios on PostgreSQL as well as SQLite,
# the same output byte for byte (suite_lib.sh).
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites browser/t_html.sh browser/t_weekly.sh browser/t_xss.sh \
	advice/t_spoof.sh advice/t_policy.sh
