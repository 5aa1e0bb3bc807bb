/*
 * test_db_pg_sql.c - the text side of the PostgreSQL back end
 * (schema/store/db_pg_sql.c): ?N rewriting, cursor-readable queries,
 * advisory lock ids. No server needed.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "schema/store/db_pg.h"

static void
check(const char *in, const char *want, int want_n)
{
	int n = -1;
	char *out = ds_db_pg_rewrite(in, &n, NULL);

	assert_string_equal(out, want);
	assert_int_equal(n, want_n);
	g_free(out);
}

static void
test_rewrite(void **state)
{
	(void)state;
	check("SELECT 1", "SELECT 1", 0);
	check("a = ?1 AND b = ?2 OR c = ?1", "a = $1 AND b = $2 OR c = $1", 2);
	/* bare ? counts from the largest number so far, as SQLite does */
	check("VALUES (?, ?, ?5, ?)", "VALUES ($1, $2, $5, $6)", 6);
	check("'it''s ?1' || ?1", "'it''s ?1' || $1", 1);
	check("\"we?ird\" = ?2", "\"we?ird\" = $2", 2);
	check("-- ?3 is not one\n?1", "-- ?3 is not one\n$1", 1);
	check("/* ?3 */ ?1 /* ? */", "/* ?3 */ $1 /* ? */", 1);
	/* unterminated runs end the text, nothing read past it */
	check("'open ?1", "'open ?1", 0);
	check("/* open ?1", "/* open ?1", 0);
	check("?10", "$10", 10);
	/* SQLite idioms the store's shared SQL uses */
	check("ORDER BY 1 LIMIT ?4", "ORDER BY 1 LIMIT CASE WHEN $4 < 0 THEN "
	    "NULL ELSE $4 END", 4);
	check("a = ?1 -- LIMIT\n", "a = $1 -- LIMIT\n", 1);
	check("nolimit ?1", "nolimit $1", 1);
	check("FROM a CROSS  JOIN b ON b.x = a.x", "FROM a INNER JOIN b ON "
	    "b.x = a.x", 0);
	check("across join", "across join", 0);
	/* without ON it is a real cross join, PostgreSQL takes it as is */
	check("FROM a CROSS JOIN f(a.x) AS j WHERE 1", "FROM a CROSS JOIN "
	    "f(a.x) AS j WHERE 1", 0);
	check("FROM a CROSS JOIN b ON (b.x = a.x) CROSS JOIN c", "FROM a "
	    "INNER JOIN b ON (b.x = a.x) CROSS JOIN c", 0);
	check("(SELECT 1 FROM a CROSS JOIN b) ON", "(SELECT 1 FROM a CROSS "
	    "JOIN b) ON", 0);
	check("'CROSS JOIN'", "'CROSS JOIN'", 0);
}

/* Which numbers the text uses: PostgreSQL cannot type the others. */
static void
test_used(void **state)
{
	guint8 *used = NULL;
	int n;
	char *out = ds_db_pg_rewrite("SET a = ?2, b = ?4 WHERE c = ?2", &n,
	    &used);

	(void)state;
	assert_int_equal(n, 4);
	assert_int_equal(used[0], 0);
	assert_int_equal(used[1], 1);
	assert_int_equal(used[2], 0);
	assert_int_equal(used[3], 1);
	g_free(used);
	g_free(out);
}

static void
test_returns_rows(void **state)
{
	(void)state;
	assert_true(ds_db_pg_returns_rows("SELECT 1"));
	assert_true(ds_db_pg_returns_rows("  \n select 1"));
	assert_true(ds_db_pg_returns_rows("-- c\n/* d */ WITH a AS (SELECT 1) "
	    "SELECT * FROM a"));
	assert_true(ds_db_pg_returns_rows("(SELECT 1) UNION (SELECT 2)"));
	assert_true(ds_db_pg_returns_rows("VALUES (1)"));
	assert_false(ds_db_pg_returns_rows("INSERT INTO t VALUES (1) "
	    "RETURNING id"));
	assert_false(ds_db_pg_returns_rows("UPDATE t SET a = 1"));
	assert_false(ds_db_pg_returns_rows("selection"));
	assert_false(ds_db_pg_returns_rows("-- only a comment"));
	assert_false(ds_db_pg_returns_rows(""));
}

static void
test_lock_id(void **state)
{
	(void)state;
	/* stable across builds and hosts: FNV-1a 64 of "dmarcsift:" + key */
	assert_true(ds_db_pg_lock_id(NULL) == ds_db_pg_lock_id(""));
	assert_true(ds_db_pg_lock_id("imaps://a@h/INBOX") !=
	    ds_db_pg_lock_id("imaps://b@h/INBOX"));
	assert_true(ds_db_pg_lock_id("x") == ds_db_pg_lock_id("x"));
	/* FNV-1a of "dmarcsift:" computed by hand, kept as a fixed point */
	{
		uint64_t h = 0xcbf29ce484222325ULL;
		const char *p;

		for (p = "dmarcsift:a"; *p; p++) {
			h ^= (unsigned char)*p;
			h *= 0x100000001b3ULL;
		}
		assert_true(ds_db_pg_lock_id("a") == (int64_t)h);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rewrite),
		cmocka_unit_test(test_used),
		cmocka_unit_test(test_returns_rows),
		cmocka_unit_test(test_lock_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
