/*
 * mmdb.h - AS number, AS organisation and country of an IP from one or
 * more MaxMind DB files (libmaxminddb): GeoLite2-ASN and -Country,
 * IPinfo Lite, DB-IP Lite, in IPv4 and IPv6.
 * SPDX-License-Identifier: MIT
 *
 * Two layouts are read, whichever a database carries:
 *   GeoLite2 / DB-IP: autonomous_system_number (uint32),
 *                     autonomous_system_organization, country/iso_code
 *   IPinfo Lite:      asn ("AS8075"), as_name, as_domain, country_code
 * Each field comes from the first database (in the order given) that
 * has it for the IP, so an ASN database and a country database combine.
 *
 * The files are trusted as far as the user installed them, not further:
 * a database that cannot be opened, fails libmaxminddb's metadata and
 * search-tree checks, or gives a data error on a lookup is dropped with
 * one warning (ds_mmdb_warnings) and never fails the command. Values
 * read are checked (ASN range, UTF-8, printable two-letter country,
 * length caps) before anyone sees them.
 */
#ifndef DS_MMDB_H
#define DS_MMDB_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

struct ds_mmdb;

/* What the databases say about one IP; absent fields are 0 / NULL. */
struct ds_geo {
	uint32_t asn;		/* AS number, 0: unknown */
	char *as_org;		/* AS organisation (valid UTF-8) */
	char *as_domain;	/* IPinfo's as_domain, lower case */
	char *country;		/* ISO 3166-1 alpha-2, upper case */
};

/*
 * Open every file of paths (NULL-terminated; NULL or empty: none). A file
 * that cannot be used is skipped with a warning. Never NULL; free with
 * ds_mmdb_free().
 */
struct ds_mmdb *ds_mmdb_open(const char *const *paths);
void ds_mmdb_free(struct ds_mmdb *m);	/* NULL-safe */

/* Databases in use (opened and not dropped since). */
unsigned ds_mmdb_count(const struct ds_mmdb *m);

/*
 * The build date of the set: the newest build_epoch (Unix seconds) of
 * the databases in use, 0 when there is none. The enrichment cache
 * compares it to the date stored with an IP to know when to look again.
 */
int64_t ds_mmdb_built(const struct ds_mmdb *m);

/*
 * Look ip (IPv4 or IPv6 text, inet_pton syntax only) up in every
 * database in use and fill out (ds_geo_clear()ed first). Returns true
 * when any field was found. A database whose lookup fails on a data
 * error is dropped with a warning (m is not const for that).
 */
bool ds_mmdb_lookup(struct ds_mmdb *m, const char *ip, struct ds_geo *out);

/*
 * The warnings collected since the last call (borrowed strings, valid
 * until the next call or ds_mmdb_free); each names its file. The
 * caller prints them.
 */
const GPtrArray *ds_mmdb_warnings(struct ds_mmdb *m);

void ds_geo_clear(struct ds_geo *g);	/* frees the strings, zeroes */

/* "AS8075" for 8075, NULL for 0; caller g_free()s. */
char *ds_asn_text(uint32_t asn);

/*
 * Parse "AS8075", "as8075" or "8075" into *out (1 .. 4294967295);
 * false for anything else.
 */
bool ds_asn_parse(const char *s, uint32_t *out);

#endif
