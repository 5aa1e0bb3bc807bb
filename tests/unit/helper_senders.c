/*
 * helper_senders.c - the reporter query fixture; see helper_senders.h.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "tests/unit/helper_senders.h"

const struct trep ts_reps[] = {
	{ "google.com", "g0", "example.com", "reject", T0, T0 + DAY - 1 },
	{ "Yahoo", "y0", "example.com", "reject", T0, T0 + DAY - 1 },
	{ "google.com", "g1", "example.com", "reject", T0 + DAY,
	  T0 + 2 * DAY - 1 },
	{ "google.com", "g1o", "example.org", "none", T0 + DAY,
	  T0 + 2 * DAY - 1 },
	/* day 2: no report for example.com */
	{ "google.com", "g3", "example.com", "reject", T0 + 3 * DAY,
	  T0 + 4 * DAY - 1 },
	/* two days long: midpoint is day 5 00:00 */
	{ "Yahoo", "y4", "example.com", "reject", T0 + 4 * DAY,
	  T0 + 6 * DAY },
	{ "google.com", "g5", "Example.COM", "quarantine", T0 + 5 * DAY,
	  T0 + 6 * DAY - 1 },
};

const struct trec ts_recs[] = {
	{ 0, "192.0.2.1", 10, "none", "pass", "pass" },
	{ 0, "192.0.2.7", 3, "reject", "fail", "fail" },
	{ 0, "2001:db8::1", 2, "none", "fail", "pass" },
	{ 1, "192.0.2.1", 5, "none", "pass", "fail" },
	{ 1, "198.51.100.9", 1, "quarantine", "fail", "fail" },
	{ 2, "192.0.2.1", 8, "none", "pass", "pass" },
	{ 2, "192.0.2.200", 4, "none", "pass", "fail" },
	{ 3, "192.0.2.1", 6, "none", "pass", "pass" },
	{ 3, "203.0.113.5", 2, "none", "fail", "fail" },
	{ 4, "192.0.2.7", 7, "reject", "fail", "fail" },
	{ 4, "2001:db8::2", 1, "none", "pass", "fail" },
	{ 5, "192.0.2.1", 9, "none", "fail", "pass" },
	{ 5, "203.0.113.5", 4, "reject", "fail", "fail" },
	{ 6, "192.0.2.99", 2, "pass", "pass", "pass" },
	{ 6, "192.0.2.7", 1, NULL, "fail", "fail" },
};


const size_t ts_nrep = G_N_ELEMENTS(ts_reps);
const size_t ts_nrec = G_N_ELEMENTS(ts_recs);

/* Store the fixture. */
static void
put_fixture(struct ds_store *st)
{
	struct ds_report_meta m;
	struct ds_record r;
	GError *e = NULL;
	int64_t row;
	uint64_t n, msgs;
	size_t i, j;

	assert_true(ds_store_begin(st, &e));
	for (i = 0; i < ts_nrep; i++) {
		ts_meta_fill(&m, ts_reps[i].org, ts_reps[i].id, ts_reps[i].domain,
		    ts_reps[i].begin, ts_reps[i].end);
		g_free(m.p);
		m.p = g_strdup(ts_reps[i].p);
		assert_true(ds_store_report_put(st, &m, "test", 0, &row, &e));
		n = msgs = 0;
		for (j = 0; j < ts_nrec; j++) {
			if (ts_recs[j].rep != (int)i)
				continue;
			ts_record_fill(&r, ts_recs[j].ip, ts_recs[j].count, "x");
			r.disposition = (char *)ts_recs[j].disp;
			r.dkim = (char *)ts_recs[j].dkim;
			r.spf = (char *)ts_recs[j].spf;
			assert_true(ds_store_record_put(st, row, &r, &e));
			ts_record_free(&r);
			n++;
			msgs += ts_recs[j].count;
		}
		assert_true(ds_store_report_finish(st, row, n, msgs, &m, &e));
		ts_meta_free(&m);
	}
	assert_true(ds_store_commit(st, &e));
	assert_null(e);
}

/* See helper_senders.h. */
int
ts_senders_setup(void **state)
{
	ts_setup(state);
	put_fixture(((struct ts_fx *)*state)->st);
	return 0;
}

/* See helper_senders.h. */
bool
ts_in_period(size_t i, const struct ds_query *q)
{
	int64_t mid = (ts_reps[i].begin + ts_reps[i].end) / 2;

	if (q->domain && g_ascii_strcasecmp(q->domain, ts_reps[i].domain) != 0)
		return false;
	return mid >= q->since && mid < q->until;
}

/* UTC midnight of the day holding t (t >= 0 here) */
static int64_t
floor_day(int64_t t)
{
	return t / DAY * DAY;
}

/*
 * See helper_senders.h. The day rule of README "Day rollups", written
 * again from its text (not from store_rollup.c).
 */
bool
ts_roll_period(size_t i, uint64_t count, const struct ds_query *q,
    int64_t *msgs, int64_t *recs)
{
	int64_t b = ts_reps[i].begin, e = ts_reps[i].end, md, d, noon;
	int64_t s0, s1, share, c = (int64_t)count;
	bool spread, mine, any = false;

	*msgs = *recs = 0;
	if (q->domain && g_ascii_strcasecmp(q->domain, ts_reps[i].domain) != 0)
		return false;
	md = floor_day((b + e) / 2);
	spread = e > b && e - b <= 31 * DAY && floor_day(b) != floor_day(e - 1);
	for (d = spread ? floor_day(b) : md; spread ? d < e : d == md;
	    d += DAY) {
		s0 = spread && d > b ? d - b : 0;
		s1 = spread ? MIN(d + DAY, e) - b : 1;
		share = spread ? c * s1 / (e - b) - c * s0 / (e - b) : c;
		mine = d == md;
		noon = d + DAY / 2;
		if (noon < q->since || noon >= q->until || (!mine && share == 0))
			continue;
		any = true;
		*msgs += share;
		*recs += mine ? 1 : 0;
	}
	return any;
}

/* See helper_senders.h. */
bool
ts_passes(const struct trec *r)
{
	return strcmp(r->dkim, "pass") == 0 || strcmp(r->spf, "pass") == 0;
}
