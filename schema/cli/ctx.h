/*
 * ctx.h - the one command context: what a command needs, set up once.
 * SPDX-License-Identifier: MIT
 *
 * git-style: the command table (tools/main.c) says what each command
 * needs (DS_CTX_* flags); ds_ctx_setup() parses the command line with
 * the command's own options plus the options of every group it needs,
 * and builds the rest in one order: now (honouring $DMARCSIFT_NOW), the
 * configuration file, the query options (one period rule everywhere: a
 * report belongs to [since, until) when the midpoint of its date range
 * does), the store in the right mode, the resolver, then the groups of
 * the layers above (report/enrich registers the enrichment group).
 * ds_ctx_done() frees all of it in reverse.
 */
#ifndef DS_CTX_H
#define DS_CTX_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/cli/cli.h"
#include "schema/config/config.h"
#include "schema/dns/dns.h"
#include "schema/store/store.h"

/* what a command needs (the command table's flags) */
#define DS_CTX_STORE 0x01	/* the store, created and migrated */
#define DS_CTX_STORE_RO 0x02	/* an existing store, never created */
#define DS_CTX_DNS 0x04		/* --offline, --dns-zone and a resolver */
#define DS_CTX_DNS_OPTS 0x08	/* the DNS options; resolver on demand */
#define DS_CTX_PERIOD 0x10	/* --since --until */
#define DS_CTX_DOMAIN 0x100	/* --domain */
#define DS_CTX_QUERY (DS_CTX_PERIOD | DS_CTX_DOMAIN)
#define DS_CTX_FORMAT 0x20	/* --format text|json|csv */
#define DS_CTX_CONFIG 0x40	/* the configuration file (may be absent) */
#define DS_CTX_ENRICH 0x80	/* names behind IPs (report/enrich group) */
/* reads per-IP rollups of --since..: says when they lack reports */
#define DS_CTX_RAW 0x200

struct ds_ctx {
	const char *name;	/* the command */
	unsigned needs;		/* DS_CTX_* */
	int rc;			/* exit code when setup failed */

	int64_t now;		/* $DMARCSIFT_NOW, else the clock */
	bool quiet, verbose;
	struct ds_conf *conf;	/* DS_CTX_CONFIG (empty when no file) */
	struct ds_query q;	/* DS_CTX_DOMAIN, _PERIOD: domain, since,
				 * until (midpoint rule) */
	enum ds_outfmt fmt;	/* DS_CTX_FORMAT */
	struct ds_store *store;	/* DS_CTX_STORE / _RO */
	struct ds_dns *dns;	/* DS_CTX_DNS, or ds_ctx_dns() */
	bool offline;		/* --offline */
	bool whatif;		/* --dns-zone: hypothetical answers, which
				 * must never reach a cache */
	void *enrich;		/* DS_CTX_ENRICH: struct ds_enrich */

	int argc;		/* what is left after the options */
	char **argv;		/* argv[0] is the command */
};

/*
 * A group of options and set-up that a layer above schema/ provides
 * (report/enrich: services, names behind IPs). Registered once by the
 * entry point; used for every command whose needs include need.
 */
struct ds_ctx_group {
	unsigned need;
	const GOptionEntry *entries;
	bool (*setup)(struct ds_ctx *c, GError **err);
	void (*done)(struct ds_ctx *c);
};

void ds_ctx_add_group(const struct ds_ctx_group *g);

/* A context for command name with needs; nothing set up yet. */
void ds_ctx_init(struct ds_ctx *c, const char *name, unsigned needs);

/*
 * Parse argv (params and summary are the --help text; own are the
 * command's options) and set up what c->needs asks for. False with
 * c->rc set (the error printed) otherwise.
 */
bool ds_ctx_setup(struct ds_ctx *c, const char *params, const char *summary,
    const GOptionEntry *own, int argc, char **argv);

/* Print the usage error for an unexpected argument; c->rc = usage. */
bool ds_ctx_no_args(struct ds_ctx *c);

/*
 * The resolver (opened now if the command asked for the DNS options
 * only); NULL with the error set when it cannot be opened.
 */
struct ds_dns *ds_ctx_dns(struct ds_ctx *c, GError **err);

/* Print e and return its exit code (for "rc = ds_ctx_fail(c, e)"). */
int ds_ctx_fail(struct ds_ctx *c, const GError *e);

/* Free everything set up; NULL-safe members. */
void ds_ctx_done(struct ds_ctx *c);

/*
 * The clock of every command: $DMARCSIFT_NOW (Unix seconds, for
 * reproducible tests) or the real time. False for a bad variable.
 */
bool ds_ctx_now(int64_t *now, GError **err);

/*
 * When the per-IP rollups lack reports that ended after since (their
 * records were pruned before migration 018 could roll them up: a prune
 * since then loses nothing), say so once on stderr (not with --quiet).
 * DS_CTX_RAW does this with --since; a command with a period of its
 * own calls it. DS_ERROR_DB.
 */
bool ds_ctx_raw_notice(struct ds_ctx *c, int64_t since, GError **err);

#endif
