#!/bin/sh
# t_mutate.sh - a short run of the mutational fuzzer (tests/fuzz/mutate.sh)
# in every test run: 40 mutated corpus inputs through every command, no
# crash, no hang, no raw control byte on stderr. A fixed seed, so a failure
# is reproducible; run mutate.sh for minutes with the sanitizer build.
# SPDX-License-Identifier: MIT
: "${DS_SRC:?}"
exec sh "$DS_SRC/tests/fuzz/mutate.sh" -b "${DS_BIN:?}" -n 40 -s 1313
