/*
 * ctx.c - the one command context (ctx.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/store/store_prune.h"
#include "schema/util/error.h"

#define MAX_GROUPS 8

static const struct ds_ctx_group *groups[MAX_GROUPS];
static size_t ngroups;

/* the query options' storage (GOption writes here) */
static char *opt_domain, *opt_since, *opt_until, *opt_format;

static const GOptionEntry domain_entries[] = {
	{ "domain", 'd', 0, G_OPTION_ARG_STRING, &opt_domain,
	  "only this policy domain", "DOMAIN" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry period_entries[] = {
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "reports whose midpoint is at or after (2026-11-01, 7d, 4w, "
	  "@UNIX)", "WHEN" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &opt_until,
	  "reports whose midpoint is before (same forms)", "WHEN" },
	G_OPTION_ENTRY_NULL
};

static const GOptionEntry format_entries[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "text (default), json or csv", "FMT" },
	G_OPTION_ENTRY_NULL
};

void
ds_ctx_add_group(const struct ds_ctx_group *g)
{
	size_t i;

	for (i = 0; i < ngroups; i++)
		if (groups[i] == g)
			return;
	g_assert(ngroups < MAX_GROUPS);
	groups[ngroups++] = g;
}

void
ds_ctx_init(struct ds_ctx *c, const char *name, unsigned needs)
{
	memset(c, 0, sizeof(*c));
	c->name = name;
	c->needs = needs;
	c->rc = DS_EXIT_OK;
	ds_query_init(&c->q);
}

bool
ds_ctx_now(int64_t *now, GError **err)
{
	const char *env = getenv("DMARCSIFT_NOW");
	char *end;
	gint64 v;

	*now = g_get_real_time() / G_USEC_PER_SEC;
	if (env == NULL || *env == '\0')
		return true;
	v = g_ascii_strtoll(env, &end, 10);
	if (*end != '\0' || end == env || v < 0)
		return ds_fail(err, DS_ERROR_USAGE,
		    "DMARCSIFT_NOW is not a number of seconds");
	*now = v;
	return true;
}

/* own + the common entries + those of every group c needs */
static GOptionEntry *
all_entries(const struct ds_ctx *c, const GOptionEntry *own)
{
	GOptionEntry *all = ds_cli_entries_join(own, NULL), *t;
	size_t i;

#define ADD(list) do { \
		t = ds_cli_entries_join(all, (list)); \
		g_free(all); \
		all = t; \
	} while (0)
	if (c->needs & DS_CTX_DOMAIN)
		ADD(domain_entries);
	if (c->needs & DS_CTX_PERIOD)
		ADD(period_entries);
	if (c->needs & DS_CTX_FORMAT)
		ADD(format_entries);
	if (c->needs & (DS_CTX_DNS | DS_CTX_DNS_OPTS))
		ADD(ds_cli_dns_entries());
	for (i = 0; i < ngroups; i++)
		if (c->needs & groups[i]->need)
			ADD(groups[i]->entries);
#undef ADD
	return all;
}

static bool
setup_query(struct ds_ctx *c, GError **err)
{
	if (opt_domain != NULL && *opt_domain == '\0')
		return ds_fail(err, DS_ERROR_USAGE, "--domain is empty");
	c->q.domain = opt_domain;
	if ((opt_since && !ds_parse_time(opt_since, c->now, &c->q.since,
	    err)) || (opt_until && !ds_parse_time(opt_until, c->now,
	    &c->q.until, err)))
		return false;
	if (c->q.since >= c->q.until)
		return ds_fail(err, DS_ERROR_USAGE,
		    "--since must be before --until");
	return true;
}

struct ds_dns *
ds_ctx_dns(struct ds_ctx *c, GError **err)
{
	if (c->dns == NULL)
		c->dns = ds_cli_open_dns(err);
	return c->dns;
}

int
ds_ctx_fail(struct ds_ctx *c, const GError *e)
{
	c->rc = ds_cli_fail(e);
	return c->rc;
}

bool
ds_ctx_no_args(struct ds_ctx *c)
{
	if (c->argc <= 1)
		return true;
	g_printerr("dmarcsift %s: unexpected argument (see 'dmarcsift "
	    "%s --help')\n", c->name, c->name);
	c->rc = DS_EXIT_USAGE;
	return false;
}

/* See ctx.h. */
bool
ds_ctx_raw_notice(struct ds_ctx *c, int64_t since, GError **err)
{
	GDateTime *dt;
	int64_t before;
	char *day;

	if (!ds_store_perip_missing_before(c->store, &before, err))
		return false;
	if (before == INT64_MIN || since >= before || c->quiet)
		return true;
	dt = g_date_time_new_from_unix_utc(before);
	day = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M UTC") :
	    g_strdup_printf("@%" G_GINT64_FORMAT, before);
	g_printerr("dmarcsift: %s: note: the records of reports that ended "
	    "before %s were pruned before this database was upgraded to "
	    "per-IP rollups (schema 18): figures per source IP (senders, "
	    "classes, top failing sources, doctor) leave those reports out; "
	    "totals and daily figures keep them\n", c->name, day);
	g_free(day);
	if (dt)
		g_date_time_unref(dt);
	return true;
}

bool
ds_ctx_setup(struct ds_ctx *c, const char *params, const char *summary,
    const GOptionEntry *own, int argc, char **argv)
{
	GOptionEntry *all;
	GError *e = NULL;
	size_t i;
	bool ok;

	all = all_entries(c, own);
	ok = ds_cli_parse(c->name, params, summary, all, &argc, &argv);
	g_free(all);
	if (!ok) {
		c->rc = DS_EXIT_USAGE;
		return false;
	}
	c->argc = argc;
	c->argv = argv;
	c->quiet = ds_cli.quiet;
	c->verbose = ds_cli.verbose;
	c->offline = ds_cli_dns.offline;
	c->whatif = ds_cli_dns.zone != NULL;
	if (!ds_ctx_now(&c->now, &e))
		goto fail;
	if ((c->needs & DS_CTX_CONFIG) &&
	    (c->conf = ds_conf_load(ds_cli.config, ds_cli.config == NULL,
	    &e)) == NULL)
		goto fail;
	if ((c->needs & DS_CTX_QUERY) && !setup_query(c, &e))
		goto fail;
	if ((c->needs & DS_CTX_FORMAT) &&
	    !ds_parse_outfmt(opt_format, &c->fmt, &e))
		goto fail;
	if (ds_cli_dns.offline && ds_cli_dns.zone != NULL) {
		ds_fail(&e, DS_ERROR_USAGE,
		    "--offline and --dns-zone exclude each other");
		goto fail;
	}
	if ((c->needs & DS_CTX_DNS) && ds_ctx_dns(c, &e) == NULL)
		goto fail;
	/* a reading command never creates, migrates or re-journals */
	if ((c->needs & DS_CTX_STORE) &&
	    (c->store = ds_cli_open_store(&e)) == NULL)
		goto fail;
	if (!(c->needs & DS_CTX_STORE) && (c->needs & DS_CTX_STORE_RO) &&
	    (c->store = ds_cli_open_store_readonly(&e)) == NULL)
		goto fail;
	if ((c->needs & DS_CTX_RAW) && c->store &&
	    !ds_ctx_raw_notice(c, c->q.since, &e))
		goto fail;
	for (i = 0; i < ngroups; i++)
		if ((c->needs & groups[i]->need) && groups[i]->setup &&
		    !groups[i]->setup(c, &e))
			goto fail;
	return true;
fail:
	ds_ctx_fail(c, e);
	g_clear_error(&e);
	return false;
}

void
ds_ctx_done(struct ds_ctx *c)
{
	size_t i;

	for (i = ngroups; i-- > 0;)
		if ((c->needs & groups[i]->need) && groups[i]->done)
			groups[i]->done(c);
	ds_store_close(c->store);
	c->store = NULL;
	ds_dns_free(c->dns);
	c->dns = NULL;
	ds_conf_free(c->conf);
	c->conf = NULL;
}
