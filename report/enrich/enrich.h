/*
 * enrich.h - names behind the source IPs of "dmarcsift senders":
 * forward-confirmed reverse DNS (PTR, then A/AAAA of that name back to
 * the IP), the organizational domain of the PTR name (libpsl), the AS
 * number, AS organisation and country (MaxMind DB files,
 * report/enrich/mmdb.h) and the named service (report/enrich/services.h:
 * PTR, IP, then ASN rules); cached in the store (ip_info) with a time to
 * live, so each IP is looked up once per TTL, not per row, and in the
 * databases again only when their build date changes.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #17: DNS answers are attacker data (escaped on output) and
 * each IP gets its own DNS budget window.
 */
#ifndef DS_ENRICH_H
#define DS_ENRICH_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/store/store_senders.h"
#include "report/enrich/mmdb.h"
#include "report/enrich/services.h"

#define DS_ENRICH_TTL_OK (7 * 86400)	/* a PTR answer */
#define DS_ENRICH_TTL_NEG 86400		/* NXDOMAIN / NODATA */

struct ds_enrich {
	struct ds_store *st;		/* borrowed: the cache */
	struct ds_dns *dns;		/* borrowed; DS_DNS_OFF: cache only */
	const struct ds_services *svc;	/* borrowed; NULL: no services */
	int64_t now;			/* Unix seconds, for the TTL */
	bool refresh;			/* ignore cached rows */
	bool whatif;			/* DNS from a zone file (set by
					   ds_enrich_init): the cache is
					   neither read nor written */
	struct ds_mmdb *mmdb;		/* borrowed; NULL: no databases (the
					   cached AS and country are kept) */
	unsigned lookups;		/* IPs resolved through DNS */
	unsigned geo;			/* IPs looked up in the databases */
	unsigned cached;		/* IPs answered by the cache */
	unsigned offline;		/* IPs left without a name */
};

/*
 * Set e up (zeroed counters, no databases: set e->mmdb after); all
 * pointers are borrowed. A zone-file resolver (--dns-zone) makes the run
 * a what-if: whatif is set.
 */
void ds_enrich_init(struct ds_enrich *e, struct ds_store *st,
    struct ds_dns *dns, const struct ds_services *svc, int64_t now);

/*
 * A ds_ipinfo_fn (store_senders.h), payload a struct ds_enrich: fill out
 * (whose ip is set) from a fresh cache row, else from DNS (then the row
 * is written back; temporary failures are not cached), else, offline,
 * from any cached row. With databases (e->mmdb), the AS number, AS
 * organisation and country are looked up again when the cached ones
 * came from databases of another build date (or none), and written
 * back; without, the cached ones are kept. A what-if run resolves and
 * looks up everything now and touches no cache row. The service is
 * matched again on every call (PTR, IP, then ASN rules), so an edited
 * table takes effect at once. Database warnings go to stderr. Fails
 * only on store errors (DS_ERROR_DB).
 */
bool ds_enrich_ipinfo(struct ds_ipinfo *out, void *payload, GError **err);

/*
 * Resolve ip now, no cache: PTR names, each checked forward until one
 * returns ip. Sets ptr, ptr_confirmed (1, 0, or -1 when a forward lookup
 * failed temporarily), base_domain, status, ttl of out. Pure DNS; used
 * by ds_enrich_ipinfo and tests.
 */
void ds_enrich_resolve(struct ds_dns *dns, const char *ip,
    struct ds_ipinfo *out);

/*
 * The enrichment group of the command context (schema/cli/ctx.h), for
 * every command that needs DS_CTX_ENRICH: --services FILE, --refresh,
 * --mmdb FILE; c->enrich is then a struct ds_enrich over c->store and
 * c->dns with its databases (what-if when c->whatif).
 */
struct ds_ctx_group;
const struct ds_ctx_group *ds_enrich_ctx_group(void);

/* The services table of e (NULL-safe). */
const struct ds_services *ds_enrich_services(const struct ds_enrich *e);

/*
 * The MaxMind databases the command context opened (--mmdb FILE,
 * repeatable, else the `mmdb` key of the configuration's [enrich]
 * section: a ';'-separated list, relative paths taken from the
 * configuration file's directory); an empty set when none. A database
 * that cannot be used is a warning, never an error.
 */
struct ds_mmdb *ds_enrich_mmdb(const struct ds_enrich *e);

/* Print the pending warnings of m, "dmarcsift: warning: ...", to stderr. */
void ds_enrich_mmdb_warn(struct ds_mmdb *m);

#endif
