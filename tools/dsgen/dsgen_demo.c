/*
 * dsgen_demo.c - the demo mailbox of the README: two weeks of DMARC
 * aggregate reports (RFC 7489, RFC 9990) for example.com (p=reject) and
 * example.org (p=quarantine) from five reporters, telling one story: own
 * servers pass, an email service (SendGrid-like 167.89.x.x) passes DKIM but
 * fails SPF alignment, a few spoofers fail both and are rejected or
 * quarantined; one message arrives twice and one is broken.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "dsgen.h"

#define DEMO_DAYS 14
#define MAX_REC 16

struct plan {
	const char *reporter, *domain;
	unsigned every, offset; /* reports on days d with d % every == offset */
};

static const struct plan plan[] = {
	{ "google.com", "example.com", 1, 0 },
	{ "google.com", "example.org", 2, 0 },
	{ "Outlook.com", "example.com", 2, 1 },
	{ "Yahoo", "example.com", 3, 2 },
	{ "Yahoo", "example.org", 6, 3 },
	{ "GMX", "example.org", 5, 1 },
	{ "Mail.Ru", "example.com", 3, 1 },
};

/* the day on which Mail.Ru's report is broken, and the one resent */
#define BROKEN_DAY 7
#define RESENT_DAY 5

static const char *const spoofers[] = { "185.220.101.33", "45.95.147.10",
	"103.75.190.8", "91.240.118.7" };

static unsigned
between(GRand *rand, unsigned lo, unsigned hi)
{
	return (unsigned)g_rand_int_range(rand, (gint32)lo, (gint32)hi + 1);
}

static unsigned
demo_records(
    struct ds_gen_rec *recs, const struct ds_gen_report *r, GRand *rand)
{
	bool com = strcmp(r->domain, "example.com") == 0;
	bool google = strcmp(r->rep->org_name, "google.com") == 0;
	unsigned n = 0, i;

#define ADD(cat, ip, lo, hi)                                                   \
	ds_gen_record_as(                                                      \
	    &recs[n++], r, (cat), (ip), between(rand, (lo), (hi)), 0, rand)
	if (com) {
		ADD(DS_GEN_OWN, "198.51.100.10", 40, 400);
		ADD(DS_GEN_OWN, "198.51.100.11", 20, 200);
		if (google)
			ADD(DS_GEN_OWN, "2001:db8:10::25", 5, 60);
		if (g_rand_int_range(rand, 0, 10) < 7)
			ADD(DS_GEN_ESP, "167.89.123.45", 10, 80);
		if (g_rand_int_range(rand, 0, 10) < 4)
			ADD(DS_GEN_ESP, "167.89.118.35", 5, 40);
		if (google && g_rand_int_range(rand, 0, 10) < 3)
			ADD(DS_GEN_FWD, "209.85.220.41", 1, 6);
		for (i = 0; i < 3; i++)
			if (g_rand_int_range(rand, 0, 2) == 0)
				ADD(DS_GEN_SPOOF, spoofers[i], 1, 15);
	} else {
		ADD(DS_GEN_OWN, "203.0.113.5", 30, 150);
		if (g_rand_int_range(rand, 0, 10) < 3)
			ADD(DS_GEN_ESP, "167.89.123.45", 2, 20);
		for (i = 1; i < 4; i += 2)
			if (g_rand_int_range(rand, 0, 3) == 0)
				ADD(DS_GEN_SPOOF, spoofers[i], 1, 12);
	}
#undef ADD
	return n;
}

static bool
put(struct ds_gen_box *box, GString *msg, gint64 date,
    struct ds_gen_truth *truth, char **name, GError **err)
{
	if (!ds_gen_box_put(box, msg->str, msg->len, date, name, err))
		return false;
	ds_gen_truth_message(truth);
	return true;
}

/*
 * Write the demo Maildir at path: reports for DEMO_DAYS days from start,
 * drawn from seed, recorded in truth (may be NULL). Returns false with err
 * set on failure.
 */
bool
ds_gen_demo(const char *path, guint32 seed, gint64 start,
    struct ds_gen_truth *truth, GError **err)
{
	GRand *rand = g_rand_new_with_seed(seed);
	struct ds_gen_rec recs[MAX_REC];
	struct ds_gen_report r;
	struct ds_gen_box *box;
	GString *msg = NULL, *resent = NULL;
	char *name = NULL, *resent_name = NULL;
	gint64 date, resent_date = 0;
	unsigned day, nrec;
	size_t i;
	int invalid;
	bool ok = false;

	if ((box = ds_gen_box_open(path, false, err)) == NULL)
		goto done;
	for (day = 0; day < DEMO_DAYS; day++) {
		for (i = 0; i < G_N_ELEMENTS(plan); i++) {
			if (day % plan[i].every != plan[i].offset)
				continue;
			memset(&r, 0, sizeof(r));
			r.rep = ds_gen_reporter_find(plan[i].reporter);
			g_assert(r.rep != NULL);
			r.fmt = r.rep->fmt;
			g_strlcpy(r.domain, plan[i].domain, sizeof(r.domain));
			r.begin = start + (gint64)day * DS_GEN_DAY;
			r.end = r.begin + DS_GEN_DAY - 1 + r.rep->end_extra;
			ds_gen_policy_for(&r.pol, r.domain);
			ds_gen_report_id(&r, rand);
			invalid = day == BROKEN_DAY && strcmp(plan[i].reporter,
			                                   "Mail.Ru") == 0
			              ? 1
			              : 0;
			nrec = invalid ? 0 : demo_records(recs, &r, rand);
			msg = g_string_sized_new(8192);
			if (!ds_gen_report_mail(msg, &r, recs, nrec, invalid,
			        &date, truth, rand, err) ||
			    !put(box, msg, date, truth, &name, err))
				goto done;
			if (invalid)
				ds_gen_truth_invalid(
				    truth, name, "xml-not-well-formed");
			else
				ds_gen_truth_report(truth, &r, name);
			if (day == RESENT_DAY && i == 0) {
				resent = msg;
				resent_name = name;
				resent_date = date;
			} else {
				g_string_free(msg, TRUE);
				g_free(name);
			}
			msg = NULL;
			name = NULL;
		}
		if (day == RESENT_DAY + 1 && resent != NULL) {
			/* the reporter sent the same mail again a day late */
			if (!put(box, resent, resent_date + DS_GEN_DAY, truth,
			        &name, err))
				goto done;
			ds_gen_truth_dup(truth, name, resent_name);
			g_free(name);
			name = NULL;
		}
	}
	ok = true;
done:
	if (!ds_gen_box_close(box, ok ? err : NULL))
		ok = false;
	if (msg != NULL)
		g_string_free(msg, TRUE);
	if (resent != NULL)
		g_string_free(resent, TRUE);
	g_free(resent_name);
	g_free(name);
	g_rand_free(rand);
	return ok;
}
