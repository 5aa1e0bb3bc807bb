/*
 * db.h - the store's database driver: one ops table, one back end per
 * database (db_sqlite.c; db_pg.c for PostgreSQL), in the way of
 * Dovecot's lib-sql drivers and OpenSMTPD's table back ends. Only
 * schema/store/ includes it: ingest/ and report/ see the store API
 * (store.h) and never learn which database answers.
 * SPDX-License-Identifier: MIT
 *
 * SQL text is written once for both back ends where the dialects agree
 * (the common subset: ?N parameters, INSERT ... ON CONFLICT, RETURNING,
 * CASE, COALESCE, the csum() aggregate both back ends define); where
 * they do not, the caller picks the text by ds_db_kind(). Parameters are
 * always bound (THREATS #11), numbered from 1 as in SQLite: "?1" (or a
 * bare "?", counted left to right) in the text, index 1 in bind_*();
 * the PostgreSQL driver rewrites them to $1.
 *
 * Errors: every failing call sets err with DS_ERROR_DB (commands exit 75:
 * busy, lock wait timed out, connection lost, disk full), or
 * DS_ERROR_PERMANENT for what fails the same way next time (not a
 * database, corrupt, read-only, cannot open), or, where noted,
 * DS_ERROR_LOCKED; messages start with what failed and end with
 * the database's own words. ds_db_name() names the database without
 * any password.
 */
#ifndef DS_DB_H
#define DS_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <glib.h>

enum ds_db_kind {
	DS_DB_SQLITE,
	DS_DB_PG
};

/* What ds_db_step() returns. */
enum ds_db_step {
	DS_DB_FAIL = -1,	/* err set; the statement is reset */
	DS_DB_DONE = 0,		/* no (more) rows */
	DS_DB_ROW = 1		/* a row is readable with ds_db_col_*() */
};

/*
 * The longest text or blob a back end binds or stores (SQLite:
 * SQLITE_LIMIT_LENGTH): just above the 256 MiB default message cap, so
 * a quarantined message fits and nothing much larger can be bound.
 */
#define DS_DB_MAX_LENGTH ((256 + 1) * 1024 * 1024)

/* Open flags. */
#define DS_DB_READONLY	0x1	/* never create, never write */
/* read-write, but never create the database or change its settings */
#define DS_DB_NOCREATE	0x2

struct ds_db_ops;

/* Every connection starts with this header. */
struct ds_db {
	const struct ds_db_ops *ops;
	char *name;		/* for messages: path, or URI w/o password */
};

/* Every prepared statement starts with this header. */
struct ds_dbq {
	struct ds_db *db;
};

struct ds_db_ops {
	const char *name;	/* "sqlite", "postgresql" */
	enum ds_db_kind kind;
	/* target: a file path / ":memory:", or a libpq URI / conninfo */
	struct ds_db *(*open)(const char *target, unsigned flags,
	    GError **err);
	void (*close)(struct ds_db *db);
	/* Several ;-separated statements of our own text, no parameters. */
	bool (*exec)(struct ds_db *db, const char *sql, GError **err);
	struct ds_dbq *(*prepare)(struct ds_db *db, const char *sql,
	    GError **err);
	void (*finalize)(struct ds_dbq *q);
	/* Rewind to before the first step and clear every binding. */
	void (*reset)(struct ds_dbq *q);
	void (*bind_int64)(struct ds_dbq *q, int i, int64_t v);
	void (*bind_double)(struct ds_dbq *q, int i, double v);
	/* Copied; len -1: up to the NUL. Text must be valid UTF-8. */
	void (*bind_text)(struct ds_dbq *q, int i, const char *s,
	    ssize_t len);
	/*
	 * Optional (NULL: ds_dbq_bind_text_ref() copies with bind_text):
	 * the same, but s is borrowed and stays valid until the next reset
	 * or finalize of q; the store's hot inserts (one per record) bind
	 * a dozen strings each (SQLite: SQLITE_STATIC, no copy).
	 */
	void (*bind_text_ref)(struct ds_dbq *q, int i, const char *s,
	    ssize_t len);
	void (*bind_blob)(struct ds_dbq *q, int i, const void *p, size_t n);
	void (*bind_null)(struct ds_dbq *q, int i);
	/* The first step executes; later steps walk the rows. */
	enum ds_db_step (*step)(struct ds_dbq *q, GError **err);
	int (*col_count)(struct ds_dbq *q);
	bool (*col_null)(struct ds_dbq *q, int i);	/* from 0 */
	int64_t (*col_int64)(struct ds_dbq *q, int i);	/* NULL: 0 */
	double (*col_double)(struct ds_dbq *q, int i);
	/* Borrowed until the next step/reset; NULL for SQL NULL. */
	const char *(*col_text)(struct ds_dbq *q, int i);
	const void *(*col_blob)(struct ds_dbq *q, int i, size_t *len);
	/* Rows changed by the last INSERT/UPDATE/DELETE of q. */
	int64_t (*changes)(struct ds_dbq *q);
	/* Inside a transaction (the server may have ended it on error). */
	bool (*in_tx)(struct ds_db *db);
	/*
	 * BEGIN as a writer: SQLite takes the write lock now (BEGIN
	 * IMMEDIATE), PostgreSQL begins READ COMMITTED.
	 */
	bool (*begin)(struct ds_db *db, GError **err);
	/*
	 * An exclusive advisory lock named key held by this connection,
	 * waiting up to wait_ms: SQLite flock()s "<file>.<key>.lock" (key
	 * NULL: "<file>.lock"), PostgreSQL takes pg_advisory_lock on a
	 * hash of key. DS_ERROR_LOCKED when another run holds it.
	 * Released by close.
	 */
	bool (*lock)(struct ds_db *db, const char *key, unsigned wait_ms,
	    GError **err);
	/* Schema version recorded in the database; -1 when unreadable. */
	int (*version)(struct ds_db *db);
	/* Record version v inside the current transaction. */
	bool (*set_version)(struct ds_db *db, int v, GError **err);
};

extern const struct ds_db_ops ds_db_sqlite_ops;
extern const struct ds_db_ops ds_db_pg_ops;

/* The back end for target: postgresql:// / postgres:// URIs, else SQLite. */
const struct ds_db_ops *ds_db_ops_for(const char *target);

/*
 * Open target with the back end ds_db_ops_for() picks. NULL with err
 * set (DS_ERROR_IO, DS_ERROR_DB).
 */
struct ds_db *ds_db_open(const char *target, unsigned flags, GError **err);

/* The wrappers every store_*.c file calls: db->ops->fn(...). */
static inline enum ds_db_kind
ds_db_kind(const struct ds_db *db) { return db->ops->kind; }
static inline const char *
ds_db_name(const struct ds_db *db) { return db->name; }
static inline void
ds_db_close(struct ds_db *db) { if (db) db->ops->close(db); }
static inline bool
ds_db_exec(struct ds_db *db, const char *sql, GError **err)
{ return db->ops->exec(db, sql, err); }
static inline struct ds_dbq *
ds_db_prepare(struct ds_db *db, const char *sql, GError **err)
{ return db->ops->prepare(db, sql, err); }
static inline bool
ds_db_in_tx(struct ds_db *db) { return db->ops->in_tx(db); }
static inline bool
ds_db_begin(struct ds_db *db, GError **err) { return db->ops->begin(db, err); }

static inline void
ds_dbq_finalize(struct ds_dbq *q) { if (q) q->db->ops->finalize(q); }
static inline void
ds_dbq_reset(struct ds_dbq *q) { q->db->ops->reset(q); }
static inline void
ds_dbq_bind_int64(struct ds_dbq *q, int i, int64_t v)
{ q->db->ops->bind_int64(q, i, v); }
static inline void
ds_dbq_bind_double(struct ds_dbq *q, int i, double v)
{ q->db->ops->bind_double(q, i, v); }
static inline void
ds_dbq_bind_text(struct ds_dbq *q, int i, const char *s, ssize_t len)
{ q->db->ops->bind_text(q, i, s, len); }
static inline void
ds_dbq_bind_text_ref(struct ds_dbq *q, int i, const char *s, ssize_t len)
{
	if (q->db->ops->bind_text_ref)
		q->db->ops->bind_text_ref(q, i, s, len);
	else
		q->db->ops->bind_text(q, i, s, len);
}
static inline void
ds_dbq_bind_blob(struct ds_dbq *q, int i, const void *p, size_t n)
{ q->db->ops->bind_blob(q, i, p, n); }
static inline void
ds_dbq_bind_null(struct ds_dbq *q, int i) { q->db->ops->bind_null(q, i); }
static inline enum ds_db_step
ds_dbq_step(struct ds_dbq *q, GError **err) { return q->db->ops->step(q, err); }
static inline int
ds_dbq_col_count(struct ds_dbq *q) { return q->db->ops->col_count(q); }
static inline bool
ds_dbq_null(struct ds_dbq *q, int i) { return q->db->ops->col_null(q, i); }
static inline int64_t
ds_dbq_int64(struct ds_dbq *q, int i) { return q->db->ops->col_int64(q, i); }
static inline double
ds_dbq_double(struct ds_dbq *q, int i) { return q->db->ops->col_double(q, i); }
static inline const char *
ds_dbq_text(struct ds_dbq *q, int i) { return q->db->ops->col_text(q, i); }
static inline const void *
ds_dbq_blob(struct ds_dbq *q, int i, size_t *len)
{ return q->db->ops->col_blob(q, i, len); }
static inline int64_t
ds_dbq_changes(struct ds_dbq *q) { return q->db->ops->changes(q); }

/* Step a statement that returns no row (or ignore its rows); reset it. */
bool ds_dbq_run(struct ds_dbq *q, GError **err);

#endif
