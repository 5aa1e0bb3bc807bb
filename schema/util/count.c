/*
 * count.c - saturating arithmetic on counts; see count.h for the rule.
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "schema/util/count.h"

bool
ds_count_add(int64_t *acc, int64_t v)
{
	bool ok = true;
	int64_t a = *acc, r;

	if (a < 0) {
		a = 0;
		ok = false;
	}
	if (v < 0) {
		v = 0;
		ok = false;
	}
	if (__builtin_add_overflow(a, v, &r)) {
		*acc = DS_COUNT_MAX;
		return false;
	}
	*acc = r;
	return ok;
}

bool
ds_count_mul(int64_t *out, int64_t a, int64_t b)
{
	int64_t r;

	if (a < 0 || b < 0) {
		*out = 0;
		return false;
	}
	if (__builtin_mul_overflow(a, b, &r)) {
		*out = DS_COUNT_MAX;
		return false;
	}
	*out = r;
	return true;
}

bool
ds_count_sub(int64_t *out, int64_t a, int64_t b)
{
	if (a < 0 || b < 0 || b > a) {
		*out = 0;
		return false;
	}
	*out = a - b;
	return true;
}

void
ds_total_add(struct ds_total *t, int64_t v)
{
	if (!ds_count_add(&t->n, v))
		t->saturated = true;
}

void
ds_total_merge(struct ds_total *t, const struct ds_total *o)
{
	ds_total_add(t, o->n);
	if (o->saturated)
		t->saturated = true;
}

double
ds_count_pct(int64_t part, int64_t whole)
{
	if (whole <= 0 || part <= 0)
		return 0.0;
	if (part >= whole)
		return 100.0;
	/* both exact enough as doubles for a percentage with 1 decimal */
	return 100.0 * ((double)part / (double)whole);
}

char *
ds_count_str(int64_t v, bool saturated, char sep)
{
	char digits[24];
	GString *g;
	int n, i;

	if (v < 0) {
		v = 0;
		saturated = true;
	}
	if (v == DS_COUNT_MAX)
		saturated = true;
	n = g_snprintf(digits, sizeof(digits), "%" G_GINT64_FORMAT, v);
	g = g_string_sized_new(32);
	for (i = 0; i < n; i++) {
		if (sep && i > 0 && (n - i) % 3 == 0)
			g_string_append_c(g, sep);
		g_string_append_c(g, digits[i]);
	}
	if (saturated)
		g_string_append_c(g, '+');
	return g_string_free(g, FALSE);
}
