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

		out->sources[c->cls]++;
		ds_count_add(&out->messages[c->cls], s->messages);
		ds_count_add(&out->failing[c->cls], s->dmarc_fail);
	}
}
