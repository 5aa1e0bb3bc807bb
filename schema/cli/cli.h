/*
 * cli.h - what every subcommand shares: common options, time periods,
 * output formats, opening the store.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_CLI_H
#define DS_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/store/store.h"

enum ds_outfmt { DS_OUT_TEXT = 0, DS_OUT_JSON, DS_OUT_CSV };

/* options every command takes; filled by GOption */
struct ds_cli {
	char *db;		/* --db */
	char *config;		/* --config */
	gboolean quiet;		/* --quiet */
	gboolean verbose;	/* --verbose */
};

extern struct ds_cli ds_cli;

/* --offline / --dns-zone, for the commands that resolve names */
struct ds_cli_dns {
	gboolean offline;	/* --offline: no DNS at all */
	char *zone;		/* --dns-zone FILE: answers from FILE only */
};

extern struct ds_cli_dns ds_cli_dns;

/*
 * The GOptionEntry list for struct ds_cli_dns; a command that resolves
 * names appends it to its own entries (ds_cli_entries_join).
 */
const GOptionEntry *ds_cli_dns_entries(void);
/* own + extra as one NULL-terminated list (g_free the result only). */
GOptionEntry *ds_cli_entries_join(const GOptionEntry *own,
    const GOptionEntry *extra);
/*
 * The resolver the DNS options ask for: --offline gives DS_DNS_OFF,
 * --dns-zone DS_DNS_ZONE, else the system resolver. Both given is a
 * usage error.
 */
struct ds_dns *ds_cli_open_dns(GError **err);

/* The GOptionEntry list for struct ds_cli (db, config, quiet, verbose). */
const GOptionEntry *ds_cli_common_entries(void);

/*
 * Parse argv for command name with its own entries plus the common ones.
 * summary is the one-line --help text. On a usage error prints it and
 * returns false (exit DS_EXIT_USAGE).
 */
bool ds_cli_parse(const char *name, const char *params, const char *summary,
    const GOptionEntry *entries, int *argc, char ***argv);

/* Open the store at --db, else $DMARCSIFT_DB, else the XDG path. */
struct ds_store *ds_cli_open_store(GError **err);
/*
 * The same database for a command that only reads: never created,
 * never migrated (ds_store_open_readonly()).
 */
struct ds_store *ds_cli_open_store_readonly(GError **err);

/*
 * Parse a point in time: "2026-11-01" (UTC midnight), "2026-11-01T10:00"
 * (with optional ":SS" and "Z"), "@1700000000", or relative to now:
 * "7d", "4w", "12h", "30m" (that long before now). Returns false with a
 * usage error otherwise.
 */
bool ds_parse_time(const char *s, int64_t now, int64_t *out, GError **err);

/* "text" | "json" | "csv" */
bool ds_parse_outfmt(const char *s, enum ds_outfmt *out, GError **err);

/* Print "dmarcsift: <msg>" to stderr and return the exit code for e. */
int ds_cli_fail(const GError *e);

#endif
