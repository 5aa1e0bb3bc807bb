/*
 * enrich_opts.c - --mmdb and the [enrich] section of the configuration
 * (enrich_opts.h).
 * SPDX-License-Identifier: MIT
 *
 * The configuration is read with GKeyFile, like the [smtp] and
 * [mailbox:NAME] readers; only [enrich] mmdb is looked at here.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "report/enrich/enrich_opts.h"

#define MAX_LIST 16	/* files named in one mmdb key */

struct ds_enrich_opts ds_enrich_opts;

static const GOptionEntry entries[] = {
	{ "mmdb", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &ds_enrich_opts.mmdb,
	  "MaxMind DB file (GeoLite2-ASN/-Country, IPinfo Lite, DB-IP) for "
	  "AS number, AS owner and country; repeatable (default: [enrich] "
	  "mmdb of the configuration)", "FILE" },
	G_OPTION_ENTRY_NULL
};

/* See enrich_opts.h. */
const GOptionEntry *
ds_enrich_entries(void)
{
	return entries;
}

/* See enrich_opts.h. */
void
ds_enrich_mmdb_warn(struct ds_mmdb *m)
{
	const GPtrArray *w = ds_mmdb_warnings(m);
	char *esc;
	guint i;

	for (i = 0; i < w->len; i++) {
		/* a path can hold anything: one line, no control bytes */
		esc = g_strescape(w->pdata[i], NULL);
		fprintf(stderr, "dmarcsift: warning: %s\n", esc);
		g_free(esc);
	}
}

/* "a.mmdb; b.mmdb  # comment" into paths, relative ones under dir. */
static char **
split_list(const char *value, const char *dir)
{
	GPtrArray *a = g_ptr_array_new();
	char *v = g_strdup(value), *hash, **parts;
	size_t i;

	/* " # comment" after a value, as in the other sections */
	if ((hash = strstr(v, " #")) != NULL || (hash = strstr(v, "\t#")))
		*hash = '\0';
	parts = g_strsplit(v, ";", MAX_LIST + 1);
	for (i = 0; parts[i] != NULL && a->len < MAX_LIST; i++) {
		g_strstrip(parts[i]);
		if (*parts[i] == '\0')
			continue;
		g_ptr_array_add(a, g_path_is_absolute(parts[i]) ?
		    g_strdup(parts[i]) : g_build_filename(dir, parts[i], NULL));
	}
	g_strfreev(parts);
	g_free(v);
	g_ptr_array_add(a, NULL);
	return (char **)g_ptr_array_free(a, FALSE);
}

/* See enrich_opts.h. */
bool
ds_enrich_conf_mmdb(const char *path, char ***out, GError **err)
{
	GKeyFile *kf = NULL;
	char *def = NULL, *value = NULL, *dir = NULL;
	const char *p = path;
	GError *e = NULL;
	bool ok = false;

	*out = NULL;
	if (p == NULL) {
		p = def = g_build_filename(g_get_user_config_dir(),
		    "dmarcsift", "config", NULL);
		if (!g_file_test(p, G_FILE_TEST_EXISTS)) {
			g_free(def);
			return true;
		}
	}
	kf = g_key_file_new();
	if (!g_key_file_load_from_file(kf, p, G_KEY_FILE_NONE, &e)) {
		ds_fail(err, DS_ERROR_USAGE, "configuration %s: %s", p,
		    e->message);
		goto done;
	}
	value = g_key_file_get_string(kf, "enrich", "mmdb", NULL);
	if (value != NULL) {
		dir = g_path_get_dirname(p);
		*out = split_list(value, dir);
	}
	ok = true;
done:
	g_clear_error(&e);
	if (kf)
		g_key_file_free(kf);
	g_free(value);
	g_free(dir);
	g_free(def);
	return ok;
}

/* See enrich_opts.h. */
struct ds_mmdb *
ds_enrich_mmdb_open(GError **err)
{
	struct ds_mmdb *m;
	char **conf = NULL;

	if (ds_enrich_opts.mmdb == NULL &&
	    !ds_enrich_conf_mmdb(ds_cli.config, &conf, err))
		return NULL;
	m = ds_mmdb_open(ds_enrich_opts.mmdb != NULL ?
	    (const char *const *)ds_enrich_opts.mmdb :
	    (const char *const *)conf);
	ds_enrich_mmdb_warn(m);
	g_strfreev(conf);
	return m;
}
