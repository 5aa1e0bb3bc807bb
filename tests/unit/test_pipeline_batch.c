/*
 * test_pipeline_batch.c - several inputs per transaction (issue 20,
 * ds_pipeline_opts.batch): nothing is visible before the batch commits,
 * each input stays all-or-nothing, an input failing with an operational
 * error costs no other (the inputs before it are committed at once),
 * a rejected input is quarantined inside the batch, inputs with a
 * commit hook (IMAP) and streamed files commit alone, and a crash of a
 * batch leaves nothing half: a rerun stores every report exactly once.
 * SPDX-License-Identifier: MIT
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "schema/util/error.h"
#include "schema/store/store.h"
#include "ingest/pipeline/parser.h"
#include "ingest/pipeline/pipeline.h"

struct fx {
	char *dir, *path;
	struct ds_store *st;
	struct ds_pipeline *pl;
};

static char *
report(const char *id)
{
	return g_strdup_printf(
	    "<?xml version=\"1.0\"?><feedback><report_metadata>"
	    "<org_name>org</org_name><email>d@r.example</email>"
	    "<report_id>%s</report_id><date_range><begin>1700000000</begin>"
	    "<end>1700086399</end></date_range></report_metadata>"
	    "<policy_published><domain>example.com</domain><p>none</p>"
	    "</policy_published><record><row><source_ip>192.0.2.1</source_ip>"
	    "<count>3</count><policy_evaluated><disposition>none</disposition>"
	    "<dkim>pass</dkim><spf>fail</spf></policy_evaluated></row>"
	    "<identifiers><header_from>example.com</header_from></identifiers>"
	    "<auth_results><spf><domain>example.com</domain><result>fail"
	    "</result></spf></auth_results></record></feedback>", id);
}

/* A failure report whose handler below fails like a broken database. */
static const char arf[] =
    "From: r@example.net\r\nTo: d@example.com\r\nSubject: arf\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/report;"
    " report-type=feedback-report; boundary=\"b\"\r\n\r\n"
    "--b\r\nContent-Type: text/plain\r\n\r\nx\r\n"
    "--b\r\nContent-Type: message/feedback-report\r\n\r\n"
    "Feedback-Type: auth-failure\r\n\r\n--b--\r\n";

static bool
broken_ingest(struct ds_pipeline *pl, const struct ds_parse_unit *u,
    struct ds_parse_result *out, GError **err)
{
	(void)pl, (void)u, (void)out;
	return ds_fail(err, DS_ERROR_DB, "disk on fire");
}

/* the real table, with the failure parser failing like a broken disk */
static struct ds_report_parser broken_failure;
static const struct ds_report_parser *parsers[] = {
	&ds_parser_aggregate, &broken_failure, &ds_parser_tls, NULL
};

/* A count through a second connection: what is committed. */
static int64_t
count(struct fx *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *s;
	int64_t n = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	if (sqlite3_step(s) == SQLITE_ROW)
		n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(db);
	return n;
}

#define REPORTS "SELECT count(*) FROM report"

static int
setup(void **state)
{
	struct fx *f = g_new0(struct fx, 1);
	struct ds_pipeline_opts opts = { .quiet = true, .batch = true,
	    .parsers = parsers };
	struct ds_limits lim;

	broken_failure = ds_parser_failure;
	broken_failure.ingest = broken_ingest;
	f->dir = g_dir_make_tmp("dsbatch-XXXXXX", NULL);
	f->path = g_build_filename(f->dir, "t.db", NULL);
	f->st = ds_store_open(f->path, NULL);
	assert_non_null(f->st);
	ds_limits_default(&lim);
	f->pl = ds_pipeline_new(f->st, &lim, &opts);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

	ds_pipeline_free(f->pl);
	ds_store_close(f->st);
	assert_int_equal(system(cmd), 0);
	g_free(cmd);
	g_free(f->path);
	g_free(f->dir);
	g_free(f);
	return 0;
}

static void
put(struct fx *f, const char *id, enum ds_outcome want)
{
	char *x = report(id);
	enum ds_outcome o;
	GError *e = NULL;

	assert_true(ds_pipeline_ingest(f->pl, id, x, strlen(x), NULL, NULL,
	    &o, &e));
	assert_null(e);
	assert_int_equal(o, want);
	g_free(x);
}

static void
test_batch(void **state)
{
	struct fx *f = *state;
	enum ds_outcome o;
	GError *e = NULL;

	put(f, "r1", DS_OUTCOME_STORED);
	put(f, "r2", DS_OUTCOME_STORED);
	put(f, "r2", DS_OUTCOME_DUPLICATE);	/* same bytes, same batch */
	/* rejected inside the batch: quarantined with it */
	assert_true(ds_pipeline_ingest(f->pl, "junk", "<<<", 3, NULL, NULL,
	    &o, &e));
	assert_int_equal(o, DS_OUTCOME_REJECTED);
	/* nothing committed yet: one transaction holds the batch */
	assert_int_equal(count(f, REPORTS), 0);

	/* an operational error: that input is undone, the others commit */
	assert_false(ds_pipeline_ingest(f->pl, "arf.eml", arf,
	    strlen(arf), NULL, NULL, &o, &e));
	assert_true(g_error_matches(e, DS_ERROR, DS_ERROR_DB));
	assert_non_null(strstr(e->message, "disk on fire"));
	g_clear_error(&e);
	assert_int_equal(count(f, REPORTS), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM record"), 2);
	assert_int_equal(count(f, "SELECT count(*) FROM message WHERE"
	    " source = 'arf.eml'"), 0);
	assert_int_equal(count(f, "SELECT count(*) FROM sender_seen"), 1);
	assert_int_equal(count(f, "SELECT count(*) FROM quarantine"), 1);

	/* a new batch, committed by ds_pipeline_flush() */
	put(f, "r3", DS_OUTCOME_STORED);
	assert_int_equal(count(f, REPORTS), 2);
	assert_true(ds_pipeline_flush(f->pl, &e));
	assert_true(ds_pipeline_flush(f->pl, &e));	/* nothing open */
	assert_int_equal(count(f, REPORTS), 3);
	assert_int_equal(count(f, "SELECT sum(arrivals) FROM message WHERE"
	    " source = 'r2'"), 2);
}

static bool
hook(struct ds_store *st, enum ds_outcome o, void *payload, GError **err)
{
	(void)st, (void)o, (void)err;
	*(int *)payload += 1;
	return true;
}

/* an input with a commit hook flushes the batch and commits alone */
static void
test_hook_commits_alone(void **state)
{
	struct fx *f = *state;
	char *x = report("h1");
	enum ds_outcome o;
	GError *e = NULL;
	int calls = 0;

	put(f, "r1", DS_OUTCOME_STORED);
	assert_int_equal(count(f, REPORTS), 0);
	assert_true(ds_pipeline_ingest(f->pl, "h1", x, strlen(x), hook,
	    &calls, &o, &e));
	assert_int_equal(calls, 1);
	assert_int_equal(count(f, REPORTS), 2);
	g_free(x);
}

/*
 * 600 inputs: the batch commits by itself after at most 500 inputs (or
 * 2 s, on a slow machine sooner), so at most 499 are open at any time.
 */
static void
test_batch_size(void **state)
{
	struct fx *f = *state;
	char id[16];
	int i;

	for (i = 0; i < 600; i++) {
		g_snprintf(id, sizeof(id), "n%d", i);
		put(f, id, DS_OUTCOME_STORED);
	}
	assert_true(count(f, REPORTS) >= 101);
	assert_true(ds_pipeline_flush(f->pl, NULL));
	assert_int_equal(count(f, REPORTS), 600);
}

static enum ds_outcome
put_any(struct fx *f, const char *id)
{
	char *x = report(id);
	enum ds_outcome o;
	GError *e = NULL;

	assert_true(ds_pipeline_ingest(f->pl, id, x, strlen(x), NULL, NULL,
	    &o, &e));
	assert_null(e);
	g_free(x);
	return o;
}

/*
 * A crash in the middle of a batch (the process dies, no COMMIT):
 * the database holds the batches committed before, nothing of the
 * open one; a rerun stores every report exactly once.
 */
static void
test_crash_rerun(void **state)
{
	struct fx *f = *state;
	int64_t committed, dups = 0;
	char id[16];
	pid_t pid;
	int i, status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* its own connection: none crosses fork() (SQLite FAQ) */
		struct ds_pipeline_opts opts = { .quiet = true, .batch = true,
	    .parsers = parsers };
		struct ds_limits lim;
		struct fx c = { .path = f->path };

		ds_limits_default(&lim);
		c.st = ds_store_open(f->path, NULL);
		c.pl = ds_pipeline_new(c.st, &lim, &opts);
		for (i = 0; i < 700; i++) {
			g_snprintf(id, sizeof(id), "c%d", i);
			put(&c, id, DS_OUTCOME_STORED);
		}
		_exit(0);	/* no flush, no free: as if killed */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	committed = count(f, REPORTS);
	assert_true(committed >= 201 && committed <= 700);
	/* whole inputs only: every committed report has its record */
	assert_int_equal(count(f, "SELECT count(*) FROM record"), committed);
	assert_int_equal(count(f, "SELECT count(*) FROM message"), committed);
	for (i = 0; i < 700; i++) {
		g_snprintf(id, sizeof(id), "c%d", i);
		if (put_any(f, id) == DS_OUTCOME_DUPLICATE)
			dups++;
	}
	assert_int_equal(dups, committed);
	assert_true(ds_pipeline_flush(f->pl, NULL));
	assert_int_equal(count(f, REPORTS), 700);
	assert_int_equal(count(f, "SELECT count(*) FROM record"), 700);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hook_commits_alone, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_batch_size, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_crash_rerun, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
