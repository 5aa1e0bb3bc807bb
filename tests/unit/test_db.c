/*
 * test_db.c - the contract of the store's database driver (db.h), run
 * against every back end this build has: a SQLite file always, and a
 * PostgreSQL server when $DS_TEST_PG names one (tests/pg/ starts it).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "schema/util/embed.h"
#include "schema/util/error.h"
#include "schema/store/db.h"

struct fx {
	char *dir;
	char *target;
	struct ds_db *db;
};

static int
setup_target(void **state, const char *target)
{
	struct fx *f = g_new0(struct fx, 1);
	GError *e = NULL;

	if (target == NULL) {
		f->dir = g_dir_make_tmp("test_db.XXXXXX", NULL);
		assert_non_null(f->dir);
		f->target = g_build_filename(f->dir, "t.db", NULL);
	} else
		f->target = g_strdup(target);
	f->db = ds_db_open(f->target, 0, &e);
	assert_null(e);
	assert_non_null(f->db);
	/* a PostgreSQL test database is shared: a schema of our own */
	if (ds_db_kind(f->db) == DS_DB_PG)
		assert_true(ds_db_exec(f->db, "DROP TABLE IF EXISTS t_db;"
		    "DROP TABLE IF EXISTS t_db_u", NULL));
	*state = f;
	return 0;
}

static int
setup_sqlite(void **state)
{
	return setup_target(state, NULL);
}

static int
setup_pg(void **state)
{
	const char *pg = getenv("DS_TEST_PG");

	if (pg == NULL || *pg == '\0') {
		*state = NULL;
		return 0;
	}
	return setup_target(state, pg);
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	if (f == NULL)
		return 0;
	ds_db_close(f->db);
	if (f->dir) {
		char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);

		assert_int_equal(system(cmd), 0);
		g_free(cmd);
	}
	g_free(f->dir);
	g_free(f->target);
	g_free(f);
	return 0;
}

/* Types, NULLs, numbered parameters, changes, a transaction. */
static void
test_roundtrip(void **state)
{
	struct fx *f = *state;
	struct ds_dbq *q;
	GError *e = NULL;
	size_t n;
	int rows = 0;

	if (f == NULL)
		skip();
	assert_true(ds_db_exec(f->db, "CREATE TABLE t_db (a BIGINT, "
	    "b TEXT, c BYTEA, d DOUBLE PRECISION)", &e));
	assert_false(ds_db_in_tx(f->db));
	assert_true(ds_db_begin(f->db, &e));
	assert_true(ds_db_in_tx(f->db));
	q = ds_db_prepare(f->db, "INSERT INTO t_db (a, b, c, d) "
	    "VALUES (?1, ?2, ?3, ?4)", &e);
	assert_non_null(q);
	ds_dbq_bind_int64(q, 1, INT64_MAX);
	ds_dbq_bind_text(q, 2, "caf\xc3\xa9 '; DROP TABLE t_db; --", -1);
	ds_dbq_bind_blob(q, 3, "\0\1\2", 3);
	ds_dbq_bind_double(q, 4, 0.5);
	assert_true(ds_dbq_run(q, &e));
	ds_dbq_bind_int64(q, 1, -1);
	ds_dbq_bind_null(q, 2);
	ds_dbq_bind_null(q, 3);
	ds_dbq_bind_null(q, 4);
	assert_true(ds_dbq_run(q, &e));
	ds_dbq_finalize(q);
	assert_true(ds_db_exec(f->db, "COMMIT", &e));
	assert_false(ds_db_in_tx(f->db));

	q = ds_db_prepare(f->db, "SELECT a, b, c, d FROM t_db WHERE a >= ?1 "
	    "ORDER BY a", &e);
	assert_non_null(q);
	ds_dbq_bind_int64(q, 1, INT64_MIN);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_int_equal(ds_dbq_col_count(q), 4);
	assert_int_equal(ds_dbq_int64(q, 0), -1);
	assert_true(ds_dbq_null(q, 1));
	assert_null(ds_dbq_text(q, 1));
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_true(ds_dbq_int64(q, 0) == INT64_MAX);
	assert_string_equal(ds_dbq_text(q, 1),
	    "caf\xc3\xa9 '; DROP TABLE t_db; --");
	assert_memory_equal(ds_dbq_blob(q, 2, &n), "\0\1\2", 3);
	assert_int_equal(n, 3);
	assert_true(ds_dbq_double(q, 3) == 0.5);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_DONE);
	/* reset rewinds and clears: the same statement again */
	ds_dbq_reset(q);
	ds_dbq_bind_int64(q, 1, 0);
	while (ds_dbq_step(q, &e) == DS_DB_ROW)
		rows++;
	assert_null(e);
	assert_int_equal(rows, 1);
	ds_dbq_finalize(q);

	q = ds_db_prepare(f->db, "UPDATE t_db SET b = ?1", &e);
	ds_dbq_bind_text(q, 1, "x", 1);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_DONE);
	assert_int_equal(ds_dbq_changes(q), 2);
	ds_dbq_finalize(q);
}

/* Unique violations fail the statement, ON CONFLICT absorbs them. */
static void
test_conflict(void **state)
{
	struct fx *f = *state;
	struct ds_dbq *q;
	GError *e = NULL;

	if (f == NULL)
		skip();
	assert_true(ds_db_exec(f->db, "CREATE TABLE t_db_u (k TEXT PRIMARY "
	    "KEY, n BIGINT NOT NULL)", &e));
	q = ds_db_prepare(f->db, "INSERT INTO t_db_u (k, n) VALUES (?, ?)",
	    &e);
	assert_non_null(q);
	ds_dbq_bind_text(q, 1, "a", -1);
	ds_dbq_bind_int64(q, 2, 1);
	assert_true(ds_dbq_run(q, &e));
	ds_dbq_bind_text(q, 1, "a", -1);
	ds_dbq_bind_int64(q, 2, 2);
	assert_false(ds_dbq_run(q, &e));
	assert_non_null(e);
	assert_int_equal(e->code, DS_ERROR_DB);
	g_clear_error(&e);
	ds_dbq_finalize(q);
	q = ds_db_prepare(f->db, "INSERT INTO t_db_u (k, n) VALUES (?1, ?2) "
	    "ON CONFLICT (k) DO UPDATE SET n = t_db_u.n + excluded.n "
	    "RETURNING n", &e);
	assert_non_null(q);
	ds_dbq_bind_text(q, 1, "a", -1);
	ds_dbq_bind_int64(q, 2, 41);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_int_equal(ds_dbq_int64(q, 0), 42);
	ds_dbq_finalize(q);
	/* a syntax error names itself */
	q = ds_db_prepare(f->db, "SELEC 1", &e);
	assert_null(q);
	assert_non_null(e);
	assert_non_null(strstr(e->message, "SELEC"));
	g_clear_error(&e);
}

/* One holder per lock name; another name is independent. */
static void
test_lock(void **state)
{
	struct fx *f = *state;
	struct ds_db *other;
	GError *e = NULL;

	if (f == NULL)
		skip();
	other = ds_db_open(f->target, 0, &e);
	assert_non_null(other);
	assert_true(f->db->ops->lock(f->db, "mbox-a", 0, &e));
	assert_false(other->ops->lock(other, "mbox-a", 50, &e));
	assert_int_equal(e->code, DS_ERROR_LOCKED);
	g_clear_error(&e);
	assert_true(other->ops->lock(other, "mbox-b", 0, &e));
	ds_db_close(f->db);
	f->db = ds_db_open(f->target, 0, &e);
	/* closing the holder released it */
	assert_true(other->ops->lock(other, "mbox-a", 1000, &e));
	ds_db_close(other);
}

/*
 * More rows than one PostgreSQL batch, read by two statements at once
 * (a scan with a lookup per row), and ? inside literals and comments
 * left alone by the parameter rewriting.
 */
static void
test_stream(void **state)
{
	struct fx *f = *state;
	struct ds_dbq *ins, *outer, *inner;
	GError *e = NULL;
	int64_t i, sum = 0, rows = 0;

	if (f == NULL)
		skip();
	assert_true(ds_db_exec(f->db, "CREATE TABLE t_db (a BIGINT, "
	    "b TEXT, c BYTEA, d DOUBLE PRECISION)", &e));
	assert_true(ds_db_begin(f->db, &e));
	ins = ds_db_prepare(f->db, "INSERT INTO t_db (a, b) VALUES (?, ?)",
	    &e);
	assert_non_null(ins);
	for (i = 0; i < 1300; i++) {
		ds_dbq_bind_int64(ins, 1, i);
		ds_dbq_bind_text(ins, 2, i % 2 ? "odd" : "even", -1);
		assert_true(ds_dbq_run(ins, &e));
	}
	ds_dbq_finalize(ins);
	assert_true(ds_db_exec(f->db, "COMMIT", &e));

	outer = ds_db_prepare(f->db, "SELECT a FROM t_db ORDER BY a", &e);
	inner = ds_db_prepare(f->db, "/* ?9 */ SELECT '?1' || b, -- ?7\n"
	    "  a FROM t_db WHERE a = ?1", &e);
	assert_non_null(outer);
	assert_non_null(inner);
	while (ds_dbq_step(outer, &e) == DS_DB_ROW) {
		i = ds_dbq_int64(outer, 0);
		assert_int_equal(i, rows);
		ds_dbq_reset(inner);
		ds_dbq_bind_int64(inner, 1, i);
		assert_int_equal(ds_dbq_step(inner, &e), DS_DB_ROW);
		assert_string_equal(ds_dbq_text(inner, 0), i % 2 ? "?1odd" :
		    "?1even");
		sum += ds_dbq_int64(inner, 1);
		rows++;
	}
	assert_null(e);
	assert_int_equal(rows, 1300);
	assert_int_equal(sum, 1300 * 1299 / 2);
	ds_dbq_finalize(outer);
	ds_dbq_finalize(inner);

	/* a lookup abandoned after one row, then a commit, then again */
	outer = ds_db_prepare(f->db, "SELECT a FROM t_db ORDER BY a", &e);
	assert_true(ds_db_begin(f->db, &e));
	assert_int_equal(ds_dbq_step(outer, &e), DS_DB_ROW);
	assert_true(ds_db_exec(f->db, "COMMIT", &e));
	assert_true(ds_db_begin(f->db, &e));
	ds_dbq_reset(outer);
	assert_int_equal(ds_dbq_step(outer, &e), DS_DB_ROW);
	assert_int_equal(ds_dbq_int64(outer, 0), 0);
	ds_dbq_reset(outer);
	assert_true(ds_db_exec(f->db, "COMMIT", &e));
	ds_dbq_finalize(outer);
}

/* csum: exact, saturating at 2^63-1, 0 over no rows. */
static void
test_csum(void **state)
{
	struct fx *f = *state;
	struct ds_dbq *q;
	GError *e = NULL;

	if (f == NULL)
		skip();
	if (ds_db_kind(f->db) == DS_DB_PG) {
		/* the aggregate comes with the first migration */
		const struct ds_embed *m = ds_embed_find(ds_migrations_pg,
		    "001-initial.sql");

		assert_non_null(m);
		q = ds_db_prepare(f->db, "SELECT count(*) FROM pg_proc "
		    "WHERE proname = 'csum'", &e);
		assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
		if (ds_dbq_int64(q, 0) == 0)
			assert_true(ds_db_exec(f->db, m->data, &e));
		ds_dbq_finalize(q);
	}
	assert_true(ds_db_exec(f->db, "CREATE TEMP TABLE t_c (n bigint)", &e));
	q = ds_db_prepare(f->db, "SELECT csum(n) FROM t_c", &e);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_int_equal(ds_dbq_int64(q, 0), 0);
	ds_dbq_finalize(q);
	assert_true(ds_db_exec(f->db, "INSERT INTO t_c VALUES "
	    "(9223372036854775806), (-5), (1)", &e));
	q = ds_db_prepare(f->db, "SELECT csum(n) FROM t_c", &e);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_true(ds_dbq_int64(q, 0) == INT64_MAX);
	ds_dbq_finalize(q);
	assert_true(ds_db_exec(f->db, "INSERT INTO t_c VALUES (7)", &e));
	q = ds_db_prepare(f->db, "SELECT csum(n) FROM t_c", &e);
	assert_int_equal(ds_dbq_step(q, &e), DS_DB_ROW);
	assert_true(ds_dbq_int64(q, 0) == INT64_MAX);
	ds_dbq_finalize(q);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_sqlite,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup_sqlite,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup_sqlite,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stream, setup_sqlite,
		    teardown),
		cmocka_unit_test_setup_teardown(test_csum, setup_sqlite,
		    teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup_pg,
		    teardown),
		cmocka_unit_test_setup_teardown(test_conflict, setup_pg,
		    teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup_pg,
		    teardown),
		cmocka_unit_test_setup_teardown(test_stream, setup_pg,
		    teardown),
		cmocka_unit_test_setup_teardown(test_csum, setup_pg,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
