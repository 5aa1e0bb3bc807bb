/*
 * db_pg.c - the PostgreSQL back end of the store's database driver
 * (db.h), on libpq. Built when pkg-config finds libpq (DS_HAVE_LIBPQ);
 * db_pg_none.c stands in otherwise.
 * SPDX-License-Identifier: MIT
 *
 * Connection: the --db target is handed to libpq as it is (a URI or a
 * conninfo string: every libpq parameter, PGPASSFILE / ~/.pgpass and
 * the PG* environment apply); the name used in messages is rebuilt from
 * the parsed parameters without the password.
 *
 * Statements: SQLite-style ?N / ? parameters become $N outside string
 * literals, quoted identifiers and comments (db_pg_sql.c). A query that
 * returns rows (SELECT, WITH, VALUES, TABLE) is read through a cursor in
 * batches of DS_PG_BATCH rows, so a scan of ten million records holds
 * one batch in memory and several statements can walk rows at once on
 * one connection (libpq has one query in flight per connection). Other
 * statements (INSERT ... RETURNING included) run as named prepared
 * statements. Results come as text; bytea is unescaped by col_blob.
 *
 * Errors (THREATS #18, #19): DS_ERROR_DB (exit 75; privileges: PERMANENT)
 * with the server's own words: a lost connection, serialization failure,
 * deadlock, lock or statement timeout, admin shutdown all end the
 * transaction on the server, so nothing half-written stays.
 */
#ifdef DS_HAVE_LIBPQ
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "schema/util/error.h"
#include "schema/store/db.h"
#include "schema/store/db_pg.h"

/* Rows fetched from a cursor at a time. */
#define DS_PG_BATCH 512
/* How often a waiting lock() tries again. */
#define DS_LOCK_POLL_MS 20

/* Type OIDs (server/catalog/pg_type_d.h, stable across versions). */
#define PG_BOOLOID 16
#define PG_BYTEAOID 17
#define PG_INT8OID 20
#define PG_TEXTOID 25
#define PG_FLOAT8OID 701

struct pg_db {
	struct ds_db base;
	PGconn *c;
	unsigned next_id;	/* names of statements and cursors */
};

struct pg_param {
	char *val;		/* NULL: SQL NULL */
	int len;
	int fmt;		/* 0 text, 1 binary */
	Oid type;		/* 0: let the server infer */
};

struct pg_q {
	struct ds_dbq base;
	char *sql;		/* with $N parameters */
	bool rows;		/* read through a cursor */
	int nparams;
	struct pg_param *p;
	Oid *prep_types;	/* the types it was prepared with */
	guint8 *used;		/* [i]: the text uses $i+1 */
	char name[32];		/* prepared statement or cursor */
	bool prepared;
	/* the current result and the row within it */
	PGresult *res;
	int row;
	bool open;		/* the cursor is declared */
	bool done;		/* no row left to fetch */
	int64_t changes;
	unsigned char *blob;	/* col_blob's unescaped bytes */
};

#define PGD(db) ((struct pg_db *)(db))
#define PGQ(q) ((struct pg_q *)(q))

/* A quiet connection: NOTICEs ("already exists, skipping") are ours. */
static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* "what: <server message>" from a result, else from the connection. */
static bool
pg_fail(struct pg_db *d, const PGresult *r, GError **err, const char *what)
{
	const char *m = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) :
	    NULL;
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) :
	    NULL;
	char *msg;
	size_t n;
	bool perm;

	if (m == NULL && PQstatus(d->c) == CONNECTION_BAD)
		m = "connection to the server lost";
	msg = g_strdup(m ? m : PQerrorMessage(d->c));
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	/* the SQLSTATE says what to do: class 40 (deadlock, serialization
	 * failure) asks for the transaction again (ds_store_retryable); a
	 * missing privilege, a read-only transaction (a standby), refused
	 * authorization fail the same way next time (db.h: PERMANENT) */
	perm = state && (strcmp(state, "42501") == 0 || strcmp(state,
	    "25006") == 0 || strncmp(state, "28", 2) == 0);
	ds_fail(err, perm ? DS_ERROR_PERMANENT : DS_ERROR_DB,
	    "%s: %s%s%s%s", what, *msg ? msg :
	    "unknown PostgreSQL error", state ? " (SQLSTATE " : "",
	    state ? state : "", state ? ")" : "");
	g_free(msg);
	return false;
}

/* True when r is a success; else err is set and r cleared. */
static bool
pg_ok(struct pg_db *d, PGresult *r, GError **err, const char *what)
{
	ExecStatusType s = PQresultStatus(r);

	if (r != NULL && (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK))
		return true;
	pg_fail(d, r, err, what);
	PQclear(r);
	return false;
}

static bool
pg_exec(struct ds_db *db, const char *sql, GError **err)
{
	struct pg_db *d = PGD(db);
	PGresult *r = PQexec(d->c, sql);

	if (!pg_ok(d, r, err, "exec"))
		return false;
	PQclear(r);
	return true;
}

/*
 * Defaults for a connection nobody configured (the server's are 0, no
 * limit): a statement runs at most 30 minutes, waits for a row lock at
 * most 60 seconds, and an abandoned transaction is ended after 10
 * minutes. A role, database or PGOPTIONS setting wins.
 */
static bool
configure(struct pg_db *d, bool readonly, GError **err)
{
	if (!pg_exec(&d->base,
	    "SELECT set_config('statement_timeout', '30min', false) "
	    "WHERE current_setting('statement_timeout') = '0';"
	    "SELECT set_config('lock_timeout', '60s', false) "
	    "WHERE current_setting('lock_timeout') = '0';"
	    "SELECT set_config('idle_in_transaction_session_timeout', '10min',"
	    " false) WHERE "
	    "current_setting('idle_in_transaction_session_timeout') = '0';"
	    "SET client_min_messages = warning", err))
		return false;
	if (readonly && !pg_exec(&d->base,
	    "SET default_transaction_read_only = on", err))
		return false;
	return true;
}

static void
pg_close(struct ds_db *db)
{
	struct pg_db *d = PGD(db);

	if (d->c)
		PQfinish(d->c);	/* ends the session: advisory locks go */
	g_free(d->base.name);
	g_free(d);
}

static struct ds_db *
pg_open(const char *target, unsigned flags, GError **err)
{
	static const char *const keys[] = { "dbname",
	    "fallback_application_name", "client_encoding", NULL };
	const char *vals[] = { target, "dmarcsift", "UTF8", NULL };
	struct pg_db *d = g_new0(struct pg_db, 1);

	d->base.ops = &ds_db_pg_ops;
	d->base.name = ds_db_pg_name(target);
	d->c = PQconnectdbParams(keys, vals, 1);
	if (d->c == NULL || PQstatus(d->c) != CONNECTION_OK) {
		char *m = g_strdup(d->c ? PQerrorMessage(d->c) :
		    "out of memory");

		g_strchomp(m);
		ds_fail(err, DS_ERROR_DB, "cannot connect to %s: %s",
		    d->base.name, m);
		g_free(m);
		goto fail;
	}
	PQsetNoticeProcessor(d->c, pg_notice, NULL);
	if (PQclientEncoding(d->c) != pg_char_to_encoding("UTF8")) {
		ds_fail(err, DS_ERROR_DB, "%s: client encoding is not UTF8",
		    d->base.name);
		goto fail;
	}
	if (!configure(d, (flags & DS_DB_READONLY) != 0, err))
		goto fail;
	return &d->base;
fail:
	pg_close(&d->base);
	return NULL;
}

static struct ds_dbq *
pg_prepare(struct ds_db *db, const char *sql, GError **err)
{
	struct pg_db *d = PGD(db);
	struct pg_q *q;
	PGresult *r;
	guint8 *used = NULL;
	Oid *types;
	int i, n;
	char *text = ds_db_pg_rewrite(sql, &n, &used);

	/* a parameter the text never uses is typed text, else none is */
	types = g_new0(Oid, n > 0 ? n : 1);
	for (i = 0; i < n; i++)
		types[i] = used[i] ? 0 : PG_TEXTOID;
	/* check the text now, as SQLite does, on the unnamed statement */
	r = PQprepare(d->c, "", text, n, types);
	if (!pg_ok(d, r, err, "prepare")) {
		g_free(types);
		g_free(used);
		g_free(text);
		return NULL;
	}
	PQclear(r);
	q = g_new0(struct pg_q, 1);
	q->base.db = db;
	q->sql = text;
	q->nparams = n;
	q->p = g_new0(struct pg_param, n > 0 ? n : 1);
	q->prep_types = types;
	q->used = used;
	q->rows = ds_db_pg_returns_rows(text);
	q->row = -1;
	g_snprintf(q->name, sizeof(q->name), "ds_%u", ++d->next_id);
	return &q->base;
}

/* CLOSE the cursor; sure says it still exists (else pg_cursors tells). */
static void
close_cursor(struct pg_q *q, bool sure)
{
	struct pg_db *d = PGD(q->base.db);
	const char *vals[1] = { q->name };
	char sql[48];
	PGresult *r;

	q->open = false;
	/* in a failed transaction the cursor is gone with it */
	if (PQtransactionStatus(d->c) == PQTRANS_INERROR)
		return;
	/*
	 * A cursor left open in a transaction that ended since is gone: a
	 * CLOSE of it would fail, and abort the next transaction.
	 */
	if (!sure) {
		r = PQexecParams(d->c, "SELECT 1 FROM pg_cursors WHERE "
		    "name = $1", 1, NULL, vals, NULL, NULL, 0);
		sure = PQresultStatus(r) == PGRES_TUPLES_OK &&
		    PQntuples(r) == 1;
		PQclear(r);
		if (!sure)
			return;
	}
	g_snprintf(sql, sizeof(sql), "CLOSE %s", q->name);
	PQclear(PQexec(d->c, sql));
}

/* Close the cursor and forget the result: before the first step again. */
static void
pg_rewind(struct pg_q *q)
{
	PQclear(q->res);
	q->res = NULL;
	q->row = -1;
	PQfreemem(q->blob);
	q->blob = NULL;
	if (q->open)
		close_cursor(q, false);
	q->done = false;
}

static void
clear_params(struct pg_q *q)
{
	int i;

	for (i = 0; i < q->nparams; i++) {
		g_free(q->p[i].val);
		memset(&q->p[i], 0, sizeof(q->p[i]));
	}
}

static void
pg_finalize(struct ds_dbq *dq)
{
	struct pg_q *q = PGQ(dq);
	struct pg_db *d = PGD(dq->db);

	pg_rewind(q);
	if (q->prepared && PQstatus(d->c) == CONNECTION_OK &&
	    PQtransactionStatus(d->c) != PQTRANS_INERROR) {
		char sql[48];

		g_snprintf(sql, sizeof(sql), "DEALLOCATE %s", q->name);
		PQclear(PQexec(d->c, sql));
	}
	clear_params(q);
	g_free(q->p);
	g_free(q->prep_types);
	g_free(q->used);
	g_free(q->sql);
	g_free(q);
}

static void
pg_reset(struct ds_dbq *dq)
{
	pg_rewind(PGQ(dq));
	clear_params(PGQ(dq));
}

static struct pg_param *
param(struct ds_dbq *dq, int i)
{
	struct pg_q *q = PGQ(dq);

	if (i < 1 || i > q->nparams)
		return NULL;
	g_free(q->p[i - 1].val);
	memset(&q->p[i - 1], 0, sizeof(q->p[0]));
	return &q->p[i - 1];
}

static void
pg_bind_int64(struct ds_dbq *q, int i, int64_t v)
{
	struct pg_param *p = param(q, i);

	if (p == NULL)
		return;
	p->val = g_strdup_printf("%" PRId64, v);
	p->type = PG_INT8OID;
}

static void
pg_bind_double(struct ds_dbq *q, int i, double v)
{
	struct pg_param *p = param(q, i);
	char buf[G_ASCII_DTOSTR_BUF_SIZE];

	if (p == NULL)
		return;
	p->val = g_strdup(g_ascii_dtostr(buf, sizeof(buf), v));
	p->type = PG_FLOAT8OID;
}

static void
pg_bind_text(struct ds_dbq *q, int i, const char *s, ssize_t len)
{
	struct pg_param *p = param(q, i);

	if (p == NULL || s == NULL)
		return;
	/* text format ends at the NUL, as SQLite's text does for C callers */
	p->val = g_strndup(s, len < 0 ? strlen(s) : (size_t)len);
	p->type = 0;
}

static void
pg_bind_blob(struct ds_dbq *q, int i, const void *v, size_t n)
{
	struct pg_param *p = param(q, i);

	if (p == NULL || n > INT_MAX)
		return;
	p->val = g_malloc(n > 0 ? n : 1);
	if (n > 0)
		memcpy(p->val, v, n);
	p->len = (int)n;
	p->fmt = 1;
	p->type = PG_BYTEAOID;
}

static void
pg_bind_null(struct ds_dbq *q, int i)
{
	(void)param(q, i);
}

/* The four parameter arrays libpq takes, for one execution. */
struct pg_params {
	Oid *types;
	const char **vals;	/* borrowed from the pg_q */
	int *lens, *fmts;
};

/* Fill pp from q's bindings; types keep the prepared ones for NULL. */
static void
pg_params_init(struct pg_params *pp, const struct pg_q *q)
{
	int i, n = q->nparams > 0 ? q->nparams : 1;

	pp->types = g_new0(Oid, n);
	pp->vals = g_new0(const char *, n);
	pp->lens = g_new0(int, n);
	pp->fmts = g_new0(int, n);
	for (i = 0; i < q->nparams; i++) {
		pp->types[i] = q->p[i].val ? q->p[i].type : q->prep_types[i];
		if (!q->used[i] && pp->types[i] == 0)
			pp->types[i] = PG_TEXTOID;
		pp->vals[i] = q->p[i].val;
		pp->lens[i] = q->p[i].len;
		pp->fmts[i] = q->p[i].fmt;
	}
}

static void
pg_params_free(struct pg_params *pp)
{
	g_free(pp->types);
	g_free(pp->vals);
	g_free(pp->lens);
	g_free(pp->fmts);
}

/* Run a statement without a cursor: prepared under its name. */
static bool
run_prepared(struct pg_q *q, GError **err)
{
	struct pg_db *d = PGD(q->base.db);
	struct pg_params pp;
	PGresult *r;
	bool ok = false;

	pg_params_init(&pp, q);
	if (q->prepared && memcmp(pp.types, q->prep_types,
	    sizeof(Oid) * (size_t)q->nparams) != 0) {
		char sql[48];

		g_snprintf(sql, sizeof(sql), "DEALLOCATE %s", q->name);
		r = PQexec(d->c, sql);
		if (!pg_ok(d, r, err, "step"))
			goto done;
		PQclear(r);
		q->prepared = false;
	}
	if (!q->prepared) {
		r = PQprepare(d->c, q->name, q->sql, q->nparams, pp.types);
		if (!pg_ok(d, r, err, "prepare"))
			goto done;
		PQclear(r);
		memcpy(q->prep_types, pp.types, sizeof(Oid) *
		    (size_t)q->nparams);
		q->prepared = true;
	}
	r = PQexecPrepared(d->c, q->name, q->nparams, pp.vals, pp.lens,
	    pp.fmts, 0);
	if (!pg_ok(d, r, err, "step"))
		goto done;
	q->changes = g_ascii_strtoll(PQcmdTuples(r), NULL, 10);
	q->res = r;
	q->row = -1;
	q->done = true;		/* every row is in res */
	ok = true;
done:
	pg_params_free(&pp);
	return ok;
}

/*
 * Declare the cursor: WITH HOLD outside a transaction (the server keeps
 * the rows once the implicit transaction ends), plain inside one.
 */
static bool
declare(struct pg_q *q, GError **err)
{
	struct pg_db *d = PGD(q->base.db);
	struct pg_params pp;
	bool hold = PQtransactionStatus(d->c) == PQTRANS_IDLE;
	char *sql = g_strdup_printf("DECLARE %s NO SCROLL CURSOR%s FOR %s",
	    q->name, hold ? " WITH HOLD" : "", q->sql);
	PGresult *r;
	bool ok;

	pg_params_init(&pp, q);
	r = PQexecParams(d->c, sql, q->nparams, pp.types, pp.vals, pp.lens,
	    pp.fmts, 0);
	ok = pg_ok(d, r, err, "step");
	if (ok) {
		PQclear(r);
		q->open = true;
		q->changes = 0;
	}
	g_free(sql);
	pg_params_free(&pp);
	return ok;
}

static bool
fetch(struct pg_q *q, GError **err)
{
	struct pg_db *d = PGD(q->base.db);
	char sql[64];
	PGresult *r;

	PQclear(q->res);
	q->res = NULL;
	q->row = -1;
	g_snprintf(sql, sizeof(sql), "FETCH %d FROM %s", DS_PG_BATCH, q->name);
	r = PQexec(d->c, sql);
	if (!pg_ok(d, r, err, "step"))
		return false;
	q->res = r;
	/* the last batch: close at once, so no cursor outlives its rows */
	if (PQntuples(r) < DS_PG_BATCH) {
		q->done = true;
		close_cursor(q, true);
	}
	return true;
}

static enum ds_db_step
pg_step(struct ds_dbq *dq, GError **err)
{
	struct pg_q *q = PGQ(dq);

	PQfreemem(q->blob);
	q->blob = NULL;
	if (q->res == NULL && !q->done) {
		/* the first step executes */
		if (q->rows ? !declare(q, err) || !fetch(q, err) :
		    !run_prepared(q, err))
			goto fail;
	}
	for (;;) {
		if (q->res && q->row + 1 < PQntuples(q->res)) {
			q->row++;
			return DS_DB_ROW;
		}
		if (q->done || !q->open)
			break;
		if (!fetch(q, err))
			goto fail;
	}
	/* no row left: the cursor closes now, as a done SQLite statement */
	pg_rewind(q);
	q->done = true;
	return DS_DB_DONE;
fail:
	pg_rewind(q);
	return DS_DB_FAIL;
}

static int
pg_col_count(struct ds_dbq *dq)
{
	struct pg_q *q = PGQ(dq);

	return q->res ? PQnfields(q->res) : 0;
}

static bool
has_row(struct pg_q *q, int i)
{
	return q->res != NULL && q->row >= 0 && q->row < PQntuples(q->res) &&
	    i >= 0 && i < PQnfields(q->res);
}

static bool
pg_col_null(struct ds_dbq *dq, int i)
{
	struct pg_q *q = PGQ(dq);

	return !has_row(q, i) || PQgetisnull(q->res, q->row, i);
}

static int64_t
pg_col_int64(struct ds_dbq *dq, int i)
{
	struct pg_q *q = PGQ(dq);
	const char *v;

	if (pg_col_null(dq, i))
		return 0;
	v = PQgetvalue(q->res, q->row, i);
	if (PQftype(q->res, i) == PG_BOOLOID)
		return *v == 't';
	return g_ascii_strtoll(v, NULL, 10);
}

static double
pg_col_double(struct ds_dbq *dq, int i)
{
	struct pg_q *q = PGQ(dq);

	if (pg_col_null(dq, i))
		return 0;
	if (PQftype(q->res, i) == PG_BOOLOID)
		return *PQgetvalue(q->res, q->row, i) == 't';
	return g_ascii_strtod(PQgetvalue(q->res, q->row, i), NULL);
}

static const char *
pg_col_text(struct ds_dbq *dq, int i)
{
	struct pg_q *q = PGQ(dq);

	if (pg_col_null(dq, i))
		return NULL;
	if (PQftype(q->res, i) == PG_BOOLOID)
		return *PQgetvalue(q->res, q->row, i) == 't' ? "1" : "0";
	return PQgetvalue(q->res, q->row, i);
}

static const void *
pg_col_blob(struct ds_dbq *dq, int i, size_t *len)
{
	struct pg_q *q = PGQ(dq);
	const char *v;

	*len = 0;
	if (pg_col_null(dq, i))
		return NULL;
	v = PQgetvalue(q->res, q->row, i);
	if (PQftype(q->res, i) != PG_BYTEAOID) {
		*len = (size_t)PQgetlength(q->res, q->row, i);
		return v;
	}
	PQfreemem(q->blob);
	q->blob = PQunescapeBytea((const unsigned char *)v, len);
	return q->blob;
}

static int64_t
pg_changes(struct ds_dbq *dq)
{
	return PGQ(dq)->changes;
}

static bool
pg_in_tx(struct ds_db *db)
{
	PGTransactionStatusType s = PQtransactionStatus(PGD(db)->c);

	return s == PQTRANS_INTRANS || s == PQTRANS_INERROR ||
	    s == PQTRANS_ACTIVE;
}

static bool
pg_begin(struct ds_db *db, GError **err)
{
	struct pg_db *d = PGD(db);
	PGresult *r = PQexec(d->c, "BEGIN ISOLATION LEVEL READ COMMITTED");

	if (!pg_ok(d, r, err, "begin"))
		return false;
	PQclear(r);
	return true;
}

/*
 * pg_try_advisory_lock on a 64-bit hash of "dmarcsift:" + key, polled
 * until wait_ms: a session lock, released when the connection closes
 * (also when the process dies: the server ends the session).
 */
static bool
pg_lock(struct ds_db *db, const char *key, unsigned wait_ms, GError **err)
{
	struct pg_db *d = PGD(db);
	char id[24];
	const char *vals[1] = { id };
	Oid types[1] = { PG_INT8OID };
	gint64 deadline = g_get_monotonic_time() + (gint64)wait_ms * 1000;
	PGresult *r;
	bool got;

	g_snprintf(id, sizeof(id), "%" PRId64, ds_db_pg_lock_id(key));
	for (;;) {
		r = PQexecParams(d->c, "SELECT pg_try_advisory_lock($1)", 1,
		    types, vals, NULL, NULL, 0);
		if (!pg_ok(d, r, err, "advisory lock"))
			return false;
		got = PQntuples(r) == 1 && *PQgetvalue(r, 0, 0) == 't';
		PQclear(r);
		if (got)
			return true;
		if (g_get_monotonic_time() >= deadline)
			return ds_fail(err, DS_ERROR_LOCKED, "another dmarcsift "
			    "run holds the lock %s on %s", key ? key : "(store)",
			    d->base.name);
		g_usleep((gulong)DS_LOCK_POLL_MS * 1000);
	}
}

/* The version in ds_schema_version; 0 for a database without it. */
static int
pg_version(struct ds_db *db)
{
	struct pg_db *d = PGD(db);
	PGresult *r;
	int v = -1;

	/*
	 * Inside a writer transaction (migrate.c reads the version again
	 * after ops->begin), wait for any other run's migration: READ
	 * COMMITTED would let two runs apply the same one at once.
	 */
	if (PQtransactionStatus(d->c) == PQTRANS_INTRANS) {
		r = PQexec(d->c, "SELECT pg_advisory_xact_lock(5846428357128536)");
		if (PQresultStatus(r) != PGRES_TUPLES_OK)
			goto done;
		PQclear(r);
	}
	/*
	 * A scan of pg_class, not to_regclass(): it sees what the run we
	 * waited for committed (its snapshot is this statement's), and its
	 * lock on pg_class makes this session drop stale catalog caches
	 * before the SELECT below names the table.
	 */
	r = PQexec(d->c, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class "
	    "AS c JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace "
	    "WHERE c.relname = 'ds_schema_version' "
	    "AND n.nspname = current_schema())");
	if (PQresultStatus(r) != PGRES_TUPLES_OK || PQntuples(r) != 1)
		goto done;
	if (*PQgetvalue(r, 0, 0) != 't') {
		v = 0;
		goto done;
	}
	PQclear(r);
	r = PQexec(d->c, "SELECT coalesce(max(version), 0) "
	    "FROM ds_schema_version");
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		v = (int)g_ascii_strtoll(PQgetvalue(r, 0, 0), NULL, 10);
done:
	PQclear(r);
	return v;
}

static bool
pg_set_version(struct ds_db *db, int v, GError **err)
{
	char sql[200];

	/* v is our own small integer */
	g_snprintf(sql, sizeof(sql), "CREATE TABLE IF NOT EXISTS "
	    "ds_schema_version (version integer NOT NULL);"
	    "DELETE FROM ds_schema_version;"
	    "INSERT INTO ds_schema_version (version) VALUES (%d)", v);
	return pg_exec(db, sql, err);
}

const struct ds_db_ops ds_db_pg_ops = {
	.name = "postgresql",
	.kind = DS_DB_PG,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.reset = pg_reset,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_blob = pg_bind_blob,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.col_count = pg_col_count,
	.col_null = pg_col_null,
	.col_int64 = pg_col_int64,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.in_tx = pg_in_tx,
	.begin = pg_begin,
	.lock = pg_lock,
	.version = pg_version,
	.set_version = pg_set_version,
};
#endif /* DS_HAVE_LIBPQ */
