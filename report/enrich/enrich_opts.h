/*
 * enrich_opts.h - the options of enrichment, declared once for every
 * command that enriches (senders, summary, html, weekly, doctor):
 * --mmdb FILE (repeatable), else the configuration's
 *   [enrich]
 *   mmdb = /var/lib/GeoIP/GeoLite2-ASN.mmdb; /var/lib/GeoIP/GeoLite2-Country.mmdb
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_ENRICH_OPTS_H
#define DS_ENRICH_OPTS_H

#include <glib.h>

#include "report/enrich/mmdb.h"

/* filled by GOption */
struct ds_enrich_opts {
	char **mmdb;		/* --mmdb FILE, repeatable; NULL: none */
};

extern struct ds_enrich_opts ds_enrich_opts;

/*
 * The GOptionEntry list of struct ds_enrich_opts; an enriching command
 * joins it to its own entries (ds_cli_entries_join, schema/cli/cli.h).
 */
const GOptionEntry *ds_enrich_entries(void);

/*
 * The MaxMind databases asked for: the --mmdb files, else the `mmdb`
 * key of the [enrich] section of the configuration (--config FILE, else
 * $XDG_CONFIG_HOME/dmarcsift/config when it exists): a ';'-separated
 * list, relative paths taken from the configuration's directory, " #"
 * starting a comment. A database that cannot be used is a warning on
 * stderr (ds_enrich_mmdb_warn), never an error. Returns NULL with err set
 * (DS_ERROR_USAGE) only when the configuration file cannot be read;
 * otherwise a set, possibly empty (ds_mmdb_free).
 */
struct ds_mmdb *ds_enrich_mmdb_open(GError **err);

/*
 * The [enrich] mmdb list of the configuration file path (NULL: the
 * default path, which may be missing): *out is a NULL-terminated vector
 * (g_strfreev; NULL when the key is absent). DS_ERROR_USAGE when path
 * cannot be read or parsed.
 */
bool ds_enrich_conf_mmdb(const char *path, char ***out, GError **err);

/* Print the pending warnings of m, "dmarcsift: warning: ...", to stderr. */
void ds_enrich_mmdb_warn(struct ds_mmdb *m);

#endif
