/*
 * error.h - the one GError domain of dmarcsift, and exit codes.
 * SPDX-License-Identifier: MIT
 *
 * The code decides what the caller does next: _XML, _SCHEMA and _LIMIT
 * reject the input (quarantine, exit 1), _IO, _DB and _NET are
 * operational and can succeed unchanged on the next run (exit 75 so cron
 * retries), _PERMANENT cannot (missing input, missing IMAP folder,
 * certificate that does not verify, a file that is not a database:
 * exit 5, someone has to act), _USAGE exits 2.
 */
#ifndef DS_ERROR_H
#define DS_ERROR_H

#include <stdbool.h>
#include <glib.h>

#define DS_ERROR (ds_error_quark())

enum ds_error_code {
	DS_ERROR_XML = 1,	/* not well-formed, DOCTYPE, encoding */
	DS_ERROR_SCHEMA,	/* well-formed but not a usable report */
	DS_ERROR_LIMIT,		/* a cap in struct ds_limits was hit */
	DS_ERROR_FORMAT,	/* unknown or unusable container/content */
	DS_ERROR_DUP,		/* already stored (not a failure by itself) */
	DS_ERROR_IO,		/* file system */
	DS_ERROR_DB,		/* SQLite */
	DS_ERROR_NET,		/* IMAP, SMTP, DNS transport */
	DS_ERROR_AUTH,		/* login refused */
	DS_ERROR_USAGE,		/* bad arguments or configuration */
	DS_ERROR_LOCKED,	/* another run holds the database lock */
	DS_ERROR_PERMANENT,	/* fails the same way until someone acts */
};

/* exit codes (README "Exit status") */
#define DS_EXIT_OK 0		/* everything stored or duplicate */
#define DS_EXIT_REJECTED 1	/* some inputs rejected and quarantined */
#define DS_EXIT_USAGE 2		/* bad command line or configuration */
#define DS_EXIT_AUTH 3		/* IMAP/SMTP login refused */
#define DS_EXIT_LOCKED 4	/* another run holds the lock */
#define DS_EXIT_PERMANENT 5	/* a retry fails the same way: fix it */
#define DS_EXIT_TEMPFAIL 75	/* EX_TEMPFAIL: database, disk or network */

GQuark ds_error_quark(void);

/*
 * Set err (when not NULL) to DS_ERROR/code with a printf-style message
 * and return false, so that "return ds_fail(err, ...)" ends a function.
 */
bool ds_fail(GError **err, int code, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* Exit code for an operational error (DS_EXIT_*). */
int ds_error_exit_code(const GError *e);

/*
 * Make attacker text safe for a one-line message: valid UTF-8, control
 * characters escaped, at most max bytes (then "..."). Caller frees.
 */
char *ds_quote(const char *s, size_t len, size_t max);

#endif
