#!/bin/sh
# t_suite_senders.sh - golden/t_senders_many.sh (the streamed senders,
# summary, doctor and weekly over ~1,000 IPs: TEMP tables, ordered
# reads, spooled tables) on PostgreSQL as well as SQLite, the same
# output byte for byte (suite_lib.sh); an entry of its own, so its
# time does not count against the reporter suite's budget.
# SPDX-License-Identifier: MIT
. "$DS_SRC/tests/pg/suite_lib.sh"
run_suites golden/t_senders_many.sh
