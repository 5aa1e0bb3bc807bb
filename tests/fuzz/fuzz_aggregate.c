/*
 * fuzz_aggregate.c - libFuzzer target for the aggregate report parser
 * (ingest/aggregate*.c; THREATS #1-#3, #8, #14).
 * SPDX-License-Identifier: MIT
 *
 * Besides "no crash, no leak, no sanitizer report", two oracles abort:
 * every string handed out must be valid UTF-8 (model.h), and the
 * streaming entry point, fed in ragged chunks, must reach the same
 * verdict and the same records as the buffer one.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ingest/aggregate/aggregate.h"
#include "schema/util/error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
	uint64_t records, sum;
};

static void
check(const char *s)
{
	if (s && !g_utf8_validate(s, -1, NULL))
		abort();
}

static bool
meta_cb(const struct ds_report_meta *m, void *payload, GError **err)
{
	check(m->org_name);
	check(m->report_id);
	check(m->domain);
	if (m->report_id == NULL || m->domain == NULL || m->begin > m->end)
		abort(); /* required fields were checked before */
	return true;
}

static bool
record_cb(struct ds_report_meta *m, const struct ds_record *r, void *payload,
    GError **err)
{
	struct seen *s = payload;
	guint i;

	check(r->source_ip);
	check(r->disposition);
	check(r->header_from);
	check(r->extensions);
	for (i = 0; i < r->dkim_results->len; i++)
		check(g_array_index(r->dkim_results, struct ds_dkim_result, i)
		          .result);
	if (r->count > (uint64_t)INT64_MAX)
		abort();
	s->records++;
	s->sum += r->count;
	return true;
}

struct chunks {
	const uint8_t *data;
	size_t size, pos;
	unsigned step;
};

static int
chunk_read(void *ctx, char *buf, int len)
{
	struct chunks *c = ctx;
	size_t n = MIN(MIN((size_t)c->step, (size_t)len), c->size - c->pos);

	memcpy(buf, c->data + c->pos, n);
	c->pos += n;
	c->step = c->step % 7 + 1;
	return (int)n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct ds_aggregate_cbs cbs = { meta_cb, record_cb };
	struct chunks c = { data, size, 0, 1 };
	struct ds_report_meta m1, m2;
	struct ds_limits lim;
	struct seen s1 = { 0, 0 }, s2 = { 0, 0 };
	GError *e1 = NULL, *e2 = NULL;
	bool ok1, ok2;
	guint i;

	ds_limits_default(&lim);
	ds_aggregate_sniff((const char *)data, MIN(size, 4096));
	ok1 = ds_aggregate_parse(
	    &m1, (const char *)data, size, &lim, &cbs, &s1, &e1);
	ok2 = ds_aggregate_parse_io(
	    &m2, chunk_read, &c, NULL, &lim, &cbs, &s2, &e2);
	if (ok1 != ok2 || s1.records != s2.records || s1.sum != s2.sum ||
	    (!ok1 && (e1->code != e2->code ||
	                 strcmp(e1->message, e2->message) != 0)))
		abort();
	if (ok1 != (e1 == NULL))
		abort();
	for (i = 0; m1.warnings && i < m1.warnings->len; i++)
		check(g_ptr_array_index(m1.warnings, i));
	if (e1)
		check(e1->message);
	g_clear_error(&e1);
	g_clear_error(&e2);
	ds_report_meta_clear(&m1);
	ds_report_meta_clear(&m2);
	return 0;
}
