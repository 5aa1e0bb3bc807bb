/*
 * dsgen_box.c - write report mail into a Maildir (cur/new/tmp, delivered
 * through tmp/ and rename(2)) or an mbox ("From " separators, ">From "
 * quoting of body lines, mboxo style), and generate a whole mailbox of
 * report mail with duplicates and invalid messages mixed in.
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "dsgen.h"

#define RING 16 /* recent valid messages a duplicate is drawn from */

struct ds_gen_box {
	char *path;
	FILE *fp; /* mbox only */
	unsigned n;
};

/*
 * Create a mailbox at path: a Maildir (path/cur, new, tmp) or, when mbox is
 * true, an mbox file (truncated). Returns NULL with err set on failure;
 * the result is closed with ds_gen_box_close().
 */
struct ds_gen_box *
ds_gen_box_open(const char *path, bool mbox, GError **err)
{
	static const char *const sub[] = { "cur", "new", "tmp" };
	struct ds_gen_box *box;
	char *p;
	size_t i;

	box = g_new0(struct ds_gen_box, 1);
	box->path = g_strdup(path);
	if (mbox) {
		if ((box->fp = fopen(path, "w")) == NULL)
			goto fail;
		return box;
	}
	for (i = 0; i < G_N_ELEMENTS(sub); i++) {
		p = g_build_filename(path, sub[i], NULL);
		if (g_mkdir_with_parents(p, 0755) != 0) {
			g_free(p);
			goto fail;
		}
		g_free(p);
	}
	return box;
fail:
	g_set_error(err, DS_GEN_ERROR, 1, "%s: %s", path, g_strerror(errno));
	g_free(box->path);
	g_free(box);
	return NULL;
}

static bool
mbox_put(struct ds_gen_box *box, const char *msg, size_t len, gint64 date)
{
	const char *p = msg, *end = msg + len, *eol;
	char d[40];

	ds_gen_date(d, date, true);
	fprintf(box->fp, "From MAILER-DAEMON %s\n", d);
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		eol = eol != NULL ? eol + 1 : end;
		if (end - p >= 5 && strncmp(p, "From ", 5) == 0)
			fputc('>', box->fp);
		fwrite(p, 1, (size_t)(eol - p), box->fp);
		p = eol;
	}
	if (len > 0 && msg[len - 1] != '\n')
		fputc('\n', box->fp);
	fputc('\n', box->fp);
	return !ferror(box->fp);
}

/*
 * Add the message msg[0..len) received at time date to box. In a Maildir
 * it becomes cur/<date>.<n>.dsgen:2,S. *name is set to that file name, or
 * "mbox:<n>" (1-based) for an mbox; the caller frees it. Returns false
 * with err set on an I/O error.
 */
bool
ds_gen_box_put(struct ds_gen_box *box, const char *msg, size_t len, gint64 date,
    char **name, GError **err)
{
	char *base, *tmp = NULL, *cur = NULL;
	GError *e = NULL;
	bool ok = false;

	box->n++;
	if (box->fp != NULL) {
		*name = g_strdup_printf("mbox:%u", box->n);
		if (mbox_put(box, msg, len, date))
			return true;
		g_set_error(err, DS_GEN_ERROR, 1, "%s: write error", box->path);
		g_free(*name);
		*name = NULL;
		return false;
	}
	base = g_strdup_printf("%" G_GINT64_FORMAT ".%u.dsgen", date, box->n);
	*name = g_strconcat(base, ":2,S", NULL);
	tmp = g_build_filename(box->path, "tmp", base, NULL);
	cur = g_build_filename(box->path, "cur", *name, NULL);
	if (!g_file_set_contents(tmp, msg, (gssize)len, &e)) {
		g_propagate_error(err, e);
		goto done;
	}
	if (g_rename(tmp, cur) != 0) {
		g_set_error(err, DS_GEN_ERROR, 1, "rename %s: %s", tmp,
		    g_strerror(errno));
		goto done;
	}
	ok = true;
done:
	if (!ok) {
		g_free(*name);
		*name = NULL;
	}
	g_free(base);
	g_free(tmp);
	g_free(cur);
	return ok;
}

/*
 * Flush and free box (NULL-safe). Returns false with err set when the
 * mbox could not be written completely.
 */
bool
ds_gen_box_close(struct ds_gen_box *box, GError **err)
{
	bool ok = true;

	if (box == NULL)
		return true;
	if (box->fp != NULL && fclose(box->fp) != 0) {
		g_set_error(err, DS_GEN_ERROR, 1, "%s: %s", box->path,
		    g_strerror(errno));
		ok = false;
	}
	g_free(box->path);
	g_free(box);
	return ok;
}

static const struct ds_gen_reporter *
pick_reporter(GRand *rand, size_t *idx)
{
	unsigned total = 0, u;
	size_t i;

	for (i = 0; i < ds_gen_nreporters; i++)
		total += ds_gen_reporters[i].weight;
	u = (unsigned)g_rand_int_range(rand, 0, (gint32)total);
	for (i = 0; u >= ds_gen_reporters[i].weight; i++)
		u -= ds_gen_reporters[i].weight;
	*idx = i;
	return &ds_gen_reporters[i];
}

/* Garbage for an invalid attachment: not gzip, not zip, not XML. */
static void
garbage(GByteArray *att, GRand *rand)
{
	guint n = (guint)g_rand_int_range(rand, 200, 2000), i;

	g_byte_array_set_size(att, n);
	for (i = 0; i < n; i++)
		att->data[i] = (guint8)g_rand_int_range(rand, 0, 256);
	att->data[0] = 0x8e;
}

struct ring {
	GString *msg[RING];
	char *name[RING];
	gint64 date[RING];
	unsigned n;
};

static void
ring_free(struct ring *ring)
{
	unsigned i;

	for (i = 0; i < MIN(ring->n, RING); i++) {
		g_string_free(ring->msg[i], TRUE);
		g_free(ring->name[i]);
	}
}

/*
 * Append to msg the report mail of report r holding the nrec records recs
 * (counted in truth), sent at a time after r->end drawn from rand and
 * stored in *date. invalid 1 replaces the report by XML that is not
 * well-formed, 2 the attachment by garbage; then truth is not touched.
 * Returns false with err set when packing fails.
 */
bool
ds_gen_report_mail(GString *msg, const struct ds_gen_report *r,
    const struct ds_gen_rec *recs, unsigned nrec, int invalid, gint64 *date,
    struct ds_gen_truth *truth, GRand *rand, GError **err)
{
	struct ds_gen_sink sink = { .str = g_string_sized_new(16384) };
	GByteArray *att = g_byte_array_new();
	char *fname = NULL;
	unsigned i;
	bool ok = false;

	if (invalid)
		ds_gen_xml_broken(sink.str, r);
	else {
		ds_gen_xml_head(&sink, r);
		for (i = 0; i < nrec; i++) {
			ds_gen_xml_record(&sink, r, &recs[i]);
			ds_gen_truth_record(truth, r, &recs[i]);
		}
		ds_gen_xml_tail(&sink, r);
	}
	if (!ds_gen_pack(att, r, sink.str->str, sink.str->len, &fname, err))
		goto done;
	if (invalid == 2)
		garbage(att, rand);
	*date = r->end + g_rand_int_range(rand, 600, 6 * 3600);
	ds_gen_mail(msg, r, att->data, att->len, fname, *date, rand);
	ok = true;
done:
	g_free(fname);
	g_byte_array_unref(att);
	g_string_free(sink.str, TRUE);
	return ok;
}

/* One report mail of 1-50 drawn records (fewer more likely). */
static bool
one_mail(GString *msg, const struct ds_gen_report *r, int invalid, gint64 *date,
    struct ds_gen_truth *truth, GRand *rand, GError **err)
{
	struct ds_gen_rec *recs;
	unsigned a, b, i, nrec;
	bool ok;

	a = (unsigned)g_rand_int_range(rand, 0, 50);
	b = (unsigned)g_rand_int_range(rand, 0, 50);
	nrec = 1 + MIN(a, b);
	recs = g_new0(struct ds_gen_rec, nrec);
	for (i = 0; i < nrec && !invalid; i++)
		ds_gen_record(&recs[i], r, 200, rand);
	ok = ds_gen_report_mail(
	    msg, r, recs, nrec, invalid, date, truth, rand, err);
	g_free(recs);
	return ok;
}

/*
 * Generate a mailbox at path (Maildir, or mbox when mbox is true) of
 * nmsg report mails for the policy domains in the NULL-terminated
 * domains, from the seed: daily reports from start on, each
 * (reporter, domain, day) used once; a share dup_rate of the files repeat
 * an earlier message byte for byte, a share invalid_rate carry a broken
 * report. Everything is recorded in truth. Returns false with err set.
 */
bool
ds_gen_mailbox(const char *path, bool mbox, guint32 seed, gint64 nmsg,
    gint64 start, char **domains, double dup_rate, double invalid_rate,
    struct ds_gen_truth *truth, GError **err)
{
	GRand *rand = g_rand_new_with_seed(seed);
	struct ds_gen_box *box;
	struct ds_gen_report r;
	struct ring ring = { .n = 0 };
	size_t nd = g_strv_length(domains), ri, di;
	gint64 *next_day, i, date;
	double u_dup, u_inv;
	GString *msg = NULL;
	char *name = NULL;
	unsigned k;
	int invalid;
	bool ok = false;

	next_day = g_new0(gint64, ds_gen_nreporters * nd);
	if ((box = ds_gen_box_open(path, mbox, err)) == NULL)
		goto done;
	for (i = 0; i < nmsg; i++) {
		u_dup = g_rand_double(rand);
		u_inv = g_rand_double(rand);
		if (ring.n > 0 && u_dup < dup_rate) {
			k = (unsigned)g_rand_int_range(
			    rand, 0, (gint32)MIN(ring.n, RING));
			date = ring.date[k] + g_rand_int_range(rand, 60, 7200);
			if (!ds_gen_box_put(box, ring.msg[k]->str,
			        ring.msg[k]->len, date, &name, err))
				goto done;
			ds_gen_truth_dup(truth, name, ring.name[k]);
			ds_gen_truth_message(truth);
			g_free(name);
			name = NULL;
			continue;
		}
		memset(&r, 0, sizeof(r));
		r.rep = pick_reporter(rand, &ri);
		r.fmt = r.rep->fmt;
		r.dkim3 = true;
		di = (size_t)g_rand_int_range(rand, 0, (gint32)nd);
		g_strlcpy(r.domain, domains[di], sizeof(r.domain));
		r.begin = start + next_day[ri * nd + di]++ * DS_GEN_DAY;
		r.end = r.begin + DS_GEN_DAY - 1 + r.rep->end_extra;
		ds_gen_policy_for(&r.pol, r.domain);
		ds_gen_report_id(&r, rand);
		invalid =
		    u_inv < invalid_rate ? 1 + g_rand_int_range(rand, 0, 2) : 0;
		msg = g_string_sized_new(32768);
		if (!one_mail(msg, &r, invalid, &date, truth, rand, err) ||
		    !ds_gen_box_put(box, msg->str, msg->len, date, &name, err))
			goto done;
		ds_gen_truth_message(truth);
		if (invalid) {
			ds_gen_truth_invalid(truth, name,
			    invalid == 1 ? "xml-not-well-formed" : "garbage");
			g_string_free(msg, TRUE);
			g_free(name);
		} else {
			ds_gen_truth_report(truth, &r, name);
			k = ring.n++ % RING;
			if (ring.n > RING) {
				g_string_free(ring.msg[k], TRUE);
				g_free(ring.name[k]);
			}
			ring.msg[k] = msg;
			ring.name[k] = name;
			ring.date[k] = date;
		}
		msg = NULL;
		name = NULL;
	}
	ok = true;
done:
	if (!ds_gen_box_close(box, ok ? err : NULL))
		ok = false;
	if (msg != NULL)
		g_string_free(msg, TRUE);
	g_free(name);
	ring_free(&ring);
	g_free(next_day);
	g_rand_free(rand);
	return ok;
}
