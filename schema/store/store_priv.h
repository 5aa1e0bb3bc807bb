/*
 * store_priv.h - what the store_*.c files share; never included outside
 * schema/store*.c and schema/store/migrate.c.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_STORE_PRIV_H
#define DS_STORE_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>
#include "schema/store/db.h"
#include "schema/store/store.h"
#include "schema/store/store_rollup.h"

/* Slots of the prepared statements cached for the hot paths. */
enum ds_stmt {
	DS_STMT_COMMIT,
	DS_STMT_SAVEPOINT,
	DS_STMT_RELEASE,
	DS_STMT_ROLLBACK_TO,
	DS_STMT_REPORT_INSERT,
	DS_STMT_REPORT_FIND,
	DS_STMT_REPORT_FINISH,
	DS_STMT_RECORD_INSERT,
	DS_STMT_SEEN_PUT,		/* sender_seen rollup */
	DS_STMT_MESSAGE_PUT,
	DS_STMT_MESSAGE_DONE,
	DS_STMT_QUARANTINE_PUT,
	DS_STMT_IPINFO_GET,		/* store_ipinfo.c */
	DS_STMT_IPINFO_PUT,
	DS_STMT_COUNT
};

struct ds_store {
	struct ds_db *db;		/* the back end's connection (db.h) */
	char *path;			/* as opened */
	bool locked;			/* ds_store_lock() holds the run lock */
	GHashTable *keys;		/* ds_store_lock_key() locks held */
	unsigned depth;			/* open savepoints */
	struct ds_dbq *stmt[DS_STMT_COUNT]; /* lazily prepared, reused */
	GString *json[3];		/* scratch for record_put */
	bool readonly;			/* ds_store_open_readonly() */
	struct ds_dbq *roll[2];		/* day rollups (store_rollup.c) */
	struct ds_dbq *part;		/* month partitions (store_part.c) */
	struct ds_dbq *roll_ip[2];	/* per-IP rollups (store_rollup_ip.c) */
	/* the report whose records store_rollup_ip.c is adding (0: none;
	   ds_store_report_put resets it, as a rolled-back id comes again) */
	int64_t rip_report;
	char *rip_dom;			/* its lower-case policy domain */
	struct ds_rollup_day rip_days[DS_ROLLUP_MAX_DAYS];
	unsigned rip_ndays;
	GString *rip_buf;		/* scratch */
};

/* The newest schema version this binary's migrations reach. */
int ds_store_schema_latest(void);
/* Fail (DS_ERROR_PERMANENT) for a schema newer than latest; false. */
bool ds_store_too_new(struct ds_store *st, int have, int latest,
    GError **err);

/*
 * Add report report_id's records to the day rollups (store_rollup.c,
 * 015-rollup.sql) inside the caller's transaction. DS_ERROR_DB.
 */
bool ds_store_rollup_report(struct ds_store *st, int64_t report_id,
    GError **err);
/*
 * Add record r of report report_id to the per-IP rollups of
 * 018-perip.sql, on each day of the day rule (store_rollup_ip.c),
 * inside the caller's transaction. DS_ERROR_DB.
 */
bool ds_store_rollup_ip(struct ds_store *st, int64_t report_id,
    const struct ds_record *r, GError **err);
/* Finalize the rollup statements (ds_store_close). */
void ds_store_rollup_free(struct ds_store *st);

/*
 * The cached statement of slot id, prepared from sql on first use, reset
 * and with its bindings cleared. Borrowed from st. NULL with err set
 * (DS_ERROR_DB) when it cannot be prepared.
 */
struct ds_dbq *ds_store_stmt(struct ds_store *st, enum ds_stmt id,
    const char *sql, GError **err);

/*
 * Name the database and what failed and return false: when the driver
 * already set err ("step: <database message>", its code), prefix it
 * with "database '<path>': <what>: "; else set DS_ERROR_DB "database
 * '<path>': <what>". what is printf-style; attacker text in it must be
 * ds_quote()d.
 */
bool ds_store_fail(struct ds_store *st, GError **err, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/*
 * Run sql (no parameters, our own text only) with ds_db_exec. what
 * names it in the error (DS_ERROR_DB).
 */
bool ds_store_exec(struct ds_store *st, const char *sql, const char *what,
    GError **err);

/* Step a statement that returns no row; reset it. DS_ERROR_DB. */
bool ds_store_step_done(struct ds_store *st, struct ds_dbq *s,
    const char *what, GError **err);

/*
 * Step a statement that returns no row, note the rows it changed and
 * reset it: that count, or -1 with err set (DS_ERROR_DB).
 */
int64_t ds_store_step_changes(struct ds_store *st, struct ds_dbq *s,
    const char *what, GError **err);

/* Now in Unix seconds. */
int64_t ds_store_now(void);

/*
 * Bring the schema to the newest embedded migration (migrate.c).
 * DS_ERROR_DB when a migration fails or the database is newer than
 * this program.
 */
bool ds_store_migrate(struct ds_store *st, GError **err);

/*
 * Prepare sql (our own constant text) on st, naming what in the error.
 * NULL with err set (DS_ERROR_DB). Free with ds_dbq_finalize().
 */
struct ds_dbq *ds_store_prepare(struct ds_store *st, const char *sql,
    const char *what, GError **err);

#endif
