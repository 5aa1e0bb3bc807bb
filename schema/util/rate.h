/*
 * rate.h - pass rates and shares in percent, the one arithmetic for
 * every output (text, JSON, HTML, weekly, doctor).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_RATE_H
#define DS_RATE_H

#include <stdint.h>

/*
 * 100 * part / whole (0 when whole is 0 or less), in percent. Shown with
 * one decimal, it never reads 100.0 while part < whole, nor 0.0 while
 * part > 0: a single failing message among 100,000 must not vanish.
 */
double ds_pass_rate(int64_t part, int64_t whole);

#endif
