/*
 * enrich_ctx.c - enrichment wired once into the command context
 * (schema/cli/ctx.h): the options of every command that shows the names
 * behind IPs, and the struct ds_enrich they get as c->enrich.
 * SPDX-License-Identifier: MIT
 */
#include "schema/cli/ctx.h"
#include "report/enrich/enrich.h"

struct enrich_ctx {
	struct ds_enrich en;	/* first: c->enrich points here */
	struct ds_services *svc;
};

static char *opt_services;
static gboolean opt_refresh;

static const GOptionEntry entries[] = {
	{ "services", 0, 0, G_OPTION_ARG_FILENAME, &opt_services,
	  "extra service rules (default $XDG_CONFIG_HOME/dmarcsift/"
	  "services.tsv)", "FILE" },
	{ "refresh", 0, 0, G_OPTION_ARG_NONE, &opt_refresh,
	  "look every IP up again, ignoring the cache", NULL },
	G_OPTION_ENTRY_NULL
};

static bool
setup(struct ds_ctx *c, GError **err)
{
	struct enrich_ctx *x;
	struct ds_services *svc;

	if ((svc = ds_services_default(opt_services, err)) == NULL)
		return false;
	x = g_new0(struct enrich_ctx, 1);
	x->svc = svc;
	ds_enrich_init(&x->en, c->store, c->dns, svc, c->now);
	x->en.refresh = opt_refresh;
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
