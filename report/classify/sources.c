/*
 * sources.c - the classified senders of a domain (classify.h): the one
 * query every consumer uses before it classifies, so senders, summary,
 * html, weekly and doctor classify the same rows the same way.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/util/error.h"
#include "schema/util/count.h"
#include "report/classify/classify.h"

bool
ds_classified_senders(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    GPtrArray **rows, GArray **classes, GError **err)
{
	struct ds_sender_query sq;

	*rows = NULL;
	*classes = NULL;
	if (q->domain == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "classifying sources "
		    "needs a domain");
	ds_sender_query_init(&sq);
	sq.period = *q;
	sq.period.limit = 0;
	sq.group = DS_GROUP_IP;
	sq.sort = DS_SORT_MESSAGES;
	sq.info = info;
	sq.info_payload = info_payload;
	if (!ds_store_senders(st, &sq, rows, err))
		return false;
	*classes = ds_classify_rows(q->domain, *rows, decl);
	return true;
}

/* The query ds_classified_senders() runs: every IP, most messages first. */
static void
ip_query(struct ds_sender_query *sq, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload)
{
	ds_sender_query_init(sq);
	sq->period = *q;
	sq->period.limit = 0;
	sq->group = DS_GROUP_IP;
	sq->sort = DS_SORT_MESSAGES;
	sq->info = info;
	sq->info_payload = info_payload;
}

static bool
feed(const struct ds_sender *s, void *payload)
{
	ds_classifier_add(payload, s);
	return true;
}

bool
ds_classifier_from_store(struct ds_classifier *c, struct ds_store *st,
    const struct ds_query *q, ds_ipinfo_fn info, void *info_payload,
    const struct ds_decl *decl, GError **err)
{
	struct ds_sender_query sq;

	memset(c, 0, sizeof(*c));
	if (q->domain == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "classifying sources "
		    "needs a domain");
	ip_query(&sq, q, info, info_payload);
	sq.dkim_only = true;	/* ds_classifier_add reads DKIM only */
	ds_classifier_begin(c, q->domain, decl);
	if (!ds_store_senders_each(st, &sq, feed, c, err)) {
		ds_classifier_release(c);
		return false;
	}
	return true;
}

struct each {
	const struct ds_classifier *c;
	ds_classified_cb cb;
	void *payload;
};

static bool
each_row(const struct ds_sender *s, void *payload)
{
	struct each *e = payload;
	struct ds_class_info ci;
	bool go;

	ds_classify(e->c, s, &ci);
	go = e->cb(s, &ci, e->payload);
	ds_class_info_clear(&ci);
	return go;
}

bool
ds_classified_senders_each(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    ds_classified_cb cb, void *payload, GError **err)
{
	struct ds_classifier c;
	struct ds_sender_query sq;
	struct each e = { &c, cb, payload };
	bool ok;

	if (!ds_classifier_from_store(&c, st, q, info, info_payload, decl,
	    err))
		return false;
	ip_query(&sq, q, info, info_payload);
	ok = ds_store_senders_each(st, &sq, each_row, &e, err);
	ds_classifier_release(&c);
	return ok;
}

void
ds_class_totals_add(struct ds_class_totals *out, const struct ds_sender *s,
    const struct ds_class_info *c)
{
	out->sources[c->cls]++;
	ds_count_add(&out->messages[c->cls], s->messages);
	ds_count_add(&out->failing[c->cls], s->dmarc_fail);
}

static bool
total_row(const struct ds_sender *s, const struct ds_class_info *c,
    void *payload)
{
	ds_class_totals_add(payload, s, c);
	return true;
}

bool
ds_class_totals_walk(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    struct ds_class_totals *out, GError **err)
{
	memset(out, 0, sizeof(*out));
	return ds_classified_senders_each(st, q, info, info_payload, decl,
	    total_row, out, err);
}

void
ds_class_totals_sum(struct ds_class_totals *out, const GPtrArray *rows,
    const GArray *classes)
{
	guint i;

	memset(out, 0, sizeof(*out));
	for (i = 0; rows != NULL && i < rows->len && i < classes->len; i++) {
		const struct ds_sender *s = rows->pdata[i];
		const struct ds_class_info *c = &g_array_index(classes,
		    struct ds_class_info, i);

		ds_class_totals_add(out, s, c);
	}
}
