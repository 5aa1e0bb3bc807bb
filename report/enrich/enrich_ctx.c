/*
 * enrich_ctx.c - enrichment wired once into the command context
 * (schema/cli/ctx.h): the options of every command that shows the names
 * behind IPs (--services, --refresh, --mmdb and the configuration's
 * [enrich] section), and the struct ds_enrich they get as c->enrich.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>

#include "schema/cli/ctx.h"
#include "report/enrich/enrich.h"

struct enrich_ctx {
	struct ds_enrich en;	/* first: c->enrich points here */
	struct ds_services *svc;
	struct ds_mmdb *mmdb;
};

static char *opt_services;
static gboolean opt_refresh;
static char **opt_mmdb;

static const GOptionEntry entries[] = {
	{ "services", 0, 0, G_OPTION_ARG_FILENAME, &opt_services,
	  "extra service rules (default $XDG_CONFIG_HOME/dmarcsift/"
	  "services.tsv)", "FILE" },
	{ "refresh", 0, 0, G_OPTION_ARG_NONE, &opt_refresh,
	  "look every IP up again, ignoring the cache", NULL },
	{ "mmdb", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_mmdb,
	  "MaxMind DB file (GeoLite2-ASN/-Country, IPinfo Lite, DB-IP) for "
	  "AS number, AS owner and country; repeatable (default: [enrich] "
	  "mmdb of the configuration)", "FILE" },
	G_OPTION_ENTRY_NULL
};

/* the keys of [enrich] this file reads */
static const struct ds_conf_key enrich_keys[] = {
	{ "mmdb", 0, NULL },
	{ NULL, 0, NULL }
};

/* See enrich.h. */
void
ds_enrich_mmdb_warn(struct ds_mmdb *m)
{
	const GPtrArray *w = ds_mmdb_warnings(m);
	char *esc;
	guint i;

	for (i = 0; i < w->len; i++) {
		/* a path can hold anything: one line, no control bytes */
		esc = g_strescape(w->pdata[i], NULL);
		g_printerr("dmarcsift: warning: %s\n", esc);
		g_free(esc);
	}
}

/*
 * The databases asked for: --mmdb, else [enrich] mmdb (relative paths
 * from the configuration's directory). DS_ERROR_USAGE for an unknown
 * key in [enrich].
 */
static struct ds_mmdb *
open_mmdb(struct ds_ctx *c, GError **err)
{
	struct ds_mmdb *m;
	char **list = NULL, *dir, *p;
	size_t i;

	if (c->conf != NULL &&
	    !ds_conf_check(c->conf, "enrich", enrich_keys, err))
		return NULL;
	if (opt_mmdb == NULL && c->conf != NULL) {
		list = ds_conf_get_list(c->conf, "enrich", "mmdb");
		dir = g_path_get_dirname(ds_conf_path(c->conf));
		for (i = 0; list != NULL && list[i] != NULL; i++) {
			if (g_path_is_absolute(list[i]))
				continue;
			p = g_build_filename(dir, list[i], NULL);
			g_free(list[i]);
			list[i] = p;
		}
		g_free(dir);
	}
	m = ds_mmdb_open(opt_mmdb != NULL ? (const char *const *)opt_mmdb :
	    (const char *const *)list);
	ds_enrich_mmdb_warn(m);
	g_strfreev(list);
	return m;
}

static bool
setup(struct ds_ctx *c, GError **err)
{
	struct enrich_ctx *x;
	struct ds_services *svc;
	struct ds_mmdb *m;

	if ((m = open_mmdb(c, err)) == NULL)
		return false;
	if ((svc = ds_services_default(opt_services, err)) == NULL) {
		ds_mmdb_free(m);
		return false;
	}
	x = g_new0(struct enrich_ctx, 1);
	x->svc = svc;
	x->mmdb = m;
	ds_enrich_init(&x->en, c->store, c->dns, svc, c->now);
	x->en.whatif = c->whatif;	/* --dns-zone: never the cache */
	x->en.refresh = opt_refresh;
	x->en.whatif = c->whatif;
	x->en.mmdb = m;
	c->enrich = x;
	return true;
}

static void
done(struct ds_ctx *c)
{
	struct enrich_ctx *x = c->enrich;

	if (x == NULL)
		return;
	ds_services_free(x->svc);
	ds_mmdb_free(x->mmdb);
	g_free(x);
	c->enrich = NULL;
}

static const struct ds_ctx_group group = {
	.need = DS_CTX_ENRICH,
	.entries = entries,
	.setup = setup,
	.done = done,
};

const struct ds_ctx_group *
ds_enrich_ctx_group(void)
{
	return &group;
}

const struct ds_services *
ds_enrich_services(const struct ds_enrich *e)
{
	return e ? e->svc : NULL;
}

/* See enrich.h. */
struct ds_mmdb *
ds_enrich_mmdb(const struct ds_enrich *e)
{
	return e ? e->mmdb : NULL;
}
