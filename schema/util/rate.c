/*
 * rate.c - pass rates in percent (rate.h).
 * SPDX-License-Identifier: MIT
 */
#include "schema/util/rate.h"

double
ds_pass_rate(int64_t part, int64_t whole)
{
	double r;

	if (whole <= 0 || part <= 0)
		return 0.0;
	if (part >= whole)
		return 100.0;
	r = 100.0 * (double)part / (double)whole;
	/* one decimal must not round a failure away, nor a pass */
	if (r > 99.9)
		r = 99.9;
	if (r < 0.1)
		r = 0.1;
	return r;
}
