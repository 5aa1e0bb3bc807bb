/*
 * test_aggregate_corpus.c - every report of the shared corpus
 * ($DS_CORPUS, required: a missing corpus fails, never skips): each
 * .xml file of aggregate/valid/ parses, with as many records and
 * messages as an independent count of the raw text finds, the same
 * through the streaming entry point; each .xml file of
 * aggregate/invalid/ fails with a one-line reason.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>

#include "schema/util/error.h"
#include "tests/unit/helper_aggregate.h"

static char *
corpus_dir(const char *sub)
{
	const char *c = getenv("DS_CORPUS");
	char *d;

	if (c == NULL || *c == '\0')
		fail_msg("DS_CORPUS is not set (ctest sets it)");
	d = g_build_filename(c, "aggregate", sub, NULL);
	if (!g_file_test(d, G_FILE_TEST_IS_DIR))
		fail_msg("corpus directory %s is missing", d);
	return d;
}

/* Records and the sum of counts by a method independent of ours. */
static void
count_by_regex(const char *doc, uint64_t *records, uint64_t *sum)
{
	GRegex *rec, *cnt;
	GMatchInfo *mi;
	char *n;

	rec = g_regex_new("<([A-Za-z_][\\w.-]*:)?record[\\s/>]", 0, 0, NULL);
	cnt = g_regex_new(
	    "<([A-Za-z_][\\w.-]*:)?count>\\s*([0-9]+)\\s*<", 0, 0, NULL);
	*records = *sum = 0;
	g_regex_match(rec, doc, 0, &mi);
	while (g_match_info_matches(mi)) {
		(*records)++;
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_match(cnt, doc, 0, &mi);
	while (g_match_info_matches(mi)) {
		n = g_match_info_fetch(mi, 2);
		*sum += g_ascii_strtoull(n, NULL, 10);
		g_free(n);
		g_match_info_next(mi, NULL);
	}
	g_match_info_free(mi);
	g_regex_unref(rec);
	g_regex_unref(cnt);
}

static void
test_corpus_valid(void **state)
{
	char *dir = corpus_dir("valid"), *path, *doc;
	const char *name;
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	uint64_t records, sum;
	GDir *d;
	gsize len;
	int n = 0;

	d = g_dir_open(dir, 0, NULL);
	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(name, ".xml"))
			continue;
		path = g_build_filename(dir, name, NULL);
		assert_true(g_file_get_contents(path, &doc, &len, NULL));
		tagg_got_init(&g);
		if (!tagg_parse(doc, len, NULL, &g, &m, &e))
			fail_msg("%s: %s", name, e->message);
		count_by_regex(doc, &records, &sum);
		if (records == 0 || records != g.records || sum != g.sum)
			fail_msg("%s: %" G_GUINT64_FORMAT
			         " records, sum %" G_GUINT64_FORMAT
			         "; regex says %" G_GUINT64_FORMAT
			         ", %" G_GUINT64_FORMAT,
			    name, g.records, g.sum, records, sum);
		assert_non_null(m.org_name);
		tagg_same_both_ways(name, doc, len);
		ds_report_meta_clear(&m);
		tagg_got_free(&g);
		g_free(doc);
		g_free(path);
		n++;
	}
	g_dir_close(d);
	g_free(dir);
	assert_true(n >= 30); /* INDEX.md lists more than 30 */
}

static void
test_corpus_invalid(void **state)
{
	char *dir = corpus_dir("invalid"), *path, *doc;
	const char *name;
	struct ds_report_meta m;
	struct got g;
	GError *e = NULL;
	GDir *d;
	gsize len;
	int n = 0;

	d = g_dir_open(dir, 0, NULL);
	assert_non_null(d);
	while ((name = g_dir_read_name(d)) != NULL) {
		if (!g_str_has_suffix(name, ".xml"))
			continue;
		path = g_build_filename(dir, name, NULL);
		assert_true(g_file_get_contents(path, &doc, &len, NULL));
		tagg_got_init(&g);
		if (tagg_parse(doc, len, NULL, &g, &m, &e))
			fail_msg("%s parsed:\n%s", name, g.text->str);
		if (e->domain != DS_ERROR ||
		    (e->code != DS_ERROR_XML && e->code != DS_ERROR_SCHEMA) ||
		    strlen(e->message) < 10 || strchr(e->message, '\n'))
			fail_msg("%s: [%d] %s", name, e->code, e->message);
		g_clear_error(&e);
		ds_report_meta_clear(&m);
		tagg_got_free(&g);
		g_free(doc);
		g_free(path);
		n++;
	}
	g_dir_close(d);
	g_free(dir);
	assert_true(n >= 6);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus_valid),
		cmocka_unit_test(test_corpus_invalid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
