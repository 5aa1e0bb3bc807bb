/*
 * helper_aggregate.c - see helper_aggregate.h.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "schema/util/error.h"
#include "tests/unit/helper_aggregate.h"

static void
add_str(GString *s, const char *k, const char *v)
{
	/* every string we are handed must be valid UTF-8 (model.h) */
	if (v)
		assert_true(g_utf8_validate(v, -1, NULL));
	g_string_append_printf(s, " %s=%s", k, v ? v : "-");
}

void
tagg_meta_text(GString *s, const struct ds_report_meta *m)
{
	guint i;

	g_string_append_printf(s, "format=%s", ds_format_name(m->format));
	add_str(s, "version", m->version);
	add_str(s, "org", m->org_name);
	add_str(s, "email", m->email);
	add_str(s, "extra", m->extra_contact_info);
	add_str(s, "id", m->report_id);
	add_str(s, "gen", m->generator);
	g_string_append_printf(s,
	    " range=%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, m->begin, m->end);
	for (i = 0; m->errors && i < m->errors->len; i++)
		add_str(s, "error", g_ptr_array_index(m->errors, i));
	add_str(s, "domain", m->domain);
	add_str(s, "adkim", m->adkim);
	add_str(s, "aspf", m->aspf);
	add_str(s, "p", m->p);
	add_str(s, "sp", m->sp);
	add_str(s, "np", m->np);
	g_string_append_printf(s, " pct=%d", m->pct);
	add_str(s, "fo", m->fo);
	add_str(s, "disc", m->discovery_method);
	add_str(s, "testing", m->testing);
	add_str(s, "ext", m->extensions);
	g_string_append_c(s, '\n');
}

static bool
meta_cb(const struct ds_report_meta *m, void *payload, GError **err)
{
	struct got *g = payload;

	g->metas++;
	g->meta_at = (int)g->records;
	if (g->meta_fail) {
		g_propagate_error(err, g_error_copy(g->meta_fail));
		return false;
	}
	return true;
}

static bool
record_cb(struct ds_report_meta *m, const struct ds_record *r, void *payload,
    GError **err)
{
	struct got *g = payload;
	GString *s = g->text;
	guint i;

	assert_int_equal(g->metas, 1); /* meta first, once */
	g->records++;
	g->sum += r->count;
	if (g->record_fail_at && g->records == (uint64_t)g->record_fail_at)
		return ds_fail(err, DS_ERROR_DB, "record refused");
	g_string_append_printf(s, "rec");
	add_str(s, "ip", r->source_ip);
	g_string_append_printf(s, " n=%" G_GUINT64_FORMAT, r->count);
	add_str(s, "disp", r->disposition);
	add_str(s, "dkim", r->dkim);
	add_str(s, "spf", r->spf);
	for (i = 0; i < r->reasons->len; i++) {
		struct ds_reason *x =
		    &g_array_index(r->reasons, struct ds_reason, i);

		add_str(s, "reason", x->type);
		add_str(s, "comment", x->comment);
	}
	add_str(s, "to", r->envelope_to);
	add_str(s, "from", r->envelope_from);
	add_str(s, "hfrom", r->header_from);
	for (i = 0; i < r->dkim_results->len; i++) {
		struct ds_dkim_result *d =
		    &g_array_index(r->dkim_results, struct ds_dkim_result, i);

		g_string_append_printf(s, " dkim[%s/%s/%s/%s]",
		    d->domain ? d->domain : "-",
		    d->selector ? d->selector : "-",
		    d->result ? d->result : "-",
		    d->human_result ? d->human_result : "-");
	}
	for (i = 0; i < r->spf_results->len; i++) {
		struct ds_spf_result *x =
		    &g_array_index(r->spf_results, struct ds_spf_result, i);

		g_string_append_printf(s, " spf[%s/%s/%s/%s]",
		    x->domain ? x->domain : "-", x->scope ? x->scope : "-",
		    x->result ? x->result : "-",
		    x->human_result ? x->human_result : "-");
	}
	add_str(s, "ext", r->extensions);
	g_string_append_c(s, '\n');
	return true;
}

const struct ds_aggregate_cbs tagg_cbs = { meta_cb, record_cb };

void
tagg_got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	g->meta_at = -1;
	g->text = g_string_new(NULL);
}

void
tagg_got_free(struct got *g)
{
	g_string_free(g->text, TRUE);
	g_clear_error(&g->meta_fail);
}

bool
tagg_parse(const char *doc, size_t len, const struct ds_limits *lim,
    struct got *g, struct ds_report_meta *m, GError **e)
{
	struct ds_limits def;
	bool ok;
	guint i;

	if (lim == NULL) {
		ds_limits_default(&def);
		lim = &def;
	}
	ok = ds_aggregate_parse(
	    m, doc, len ? len : strlen(doc), lim, &tagg_cbs, g, e);
	assert_true(ok == (*e == NULL));
	if (ok) {
		assert_int_equal(g->metas, 1);
		assert_int_equal(g->meta_at, 0);
		tagg_meta_text(g->text, m);
	}
	for (i = 0; m->warnings && i < m->warnings->len; i++) {
		assert_true(g_utf8_validate(
		    g_ptr_array_index(m->warnings, i), -1, NULL));
		g_string_append_printf(g->text, "warning %s\n",
		    (char *)g_ptr_array_index(m->warnings, i));
	}
	return ok;
}

char *
tagg_fixture(const char *name, size_t *len)
{
	const char *src = getenv("DS_SRC");
	char *path, *buf = NULL;

	assert_non_null(src); /* set by ctest (tests/CMakeLists.txt) */
	path =
	    g_build_filename(src, "tests", "fixtures", "aggregate", name, NULL);
	if (!g_file_get_contents(path, &buf, len, NULL))
		fail_msg("cannot read fixture %s", path);
	g_free(path);
	return buf;
}

/* 1..13 bytes per read, so that every boundary falls everywhere */
int
tagg_chunk_read(void *ctx, char *buf, int len)
{
	struct chunks *c = ctx;
	size_t n = MIN(MIN((size_t)c->step, (size_t)len), c->len - c->pos);

	if (c->fail_at && c->pos >= c->fail_at) {
		if (c->err == NULL)
			c->err = g_error_new(DS_ERROR, DS_ERROR_LIMIT,
			    "decompressed size exceeds limit");
		return -1;
	}
	memcpy(buf, c->buf + c->pos, n);
	c->pos += n;
	c->step = c->step % 13 + 1;
	return (int)n;
}

const GError *
tagg_chunk_error(void *ctx)
{
	return ((struct chunks *)ctx)->err;
}

/* The streaming entry point says exactly what the buffer one says. */
void
tagg_same_both_ways(const char *name, const char *doc, size_t len)
{
	struct ds_report_meta m1, m2;
	struct chunks c = { doc, len, 0, 1, 0, NULL };
	struct got g1, g2;
	GError *e1 = NULL, *e2 = NULL;
	bool ok1, ok2;
	guint i;

	tagg_got_init(&g1);
	tagg_got_init(&g2);
	ok1 = tagg_parse(doc, len, NULL, &g1, &m1, &e1);
	ok2 = ds_aggregate_parse_io(&m2, tagg_chunk_read, &c, tagg_chunk_error,
	    NULL, &tagg_cbs, &g2, &e2);
	if (ok2)
		tagg_meta_text(g2.text, &m2);
	for (i = 0; m2.warnings && i < m2.warnings->len; i++)
		g_string_append_printf(g2.text, "warning %s\n",
		    (char *)g_ptr_array_index(m2.warnings, i));
	if (ok1 != ok2 || strcmp(g1.text->str, g2.text->str) != 0 ||
	    (!ok1 && strcmp(e1->message, e2->message) != 0))
		fail_msg("%s: buffer and stream differ:\n%s%s\n---\n%s%s", name,
		    g1.text->str, e1 ? e1->message : "", g2.text->str,
		    e2 ? e2->message : "");
	g_clear_error(&e1);
	g_clear_error(&e2);
	ds_report_meta_clear(&m1);
	ds_report_meta_clear(&m2);
	tagg_got_free(&g1);
	tagg_got_free(&g2);
}
