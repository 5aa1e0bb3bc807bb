/*
 * services.h - named sending services (Google, Microsoft 365, Amazon
 * SES, SendGrid, ...) recognised by PTR name suffix or IP network, from
 * the table shipped in report/enrich/data/services.tsv plus the user's rules.
 * SPDX-License-Identifier: MIT
 *
 * Rules are "name<TAB>ptr<TAB>suffix", "name<TAB>ip<TAB>cidr" or
 * "name<TAB>asn<TAB>AS8075" lines; see the shipped file for the format. Matching never touches DNS: the
 * PTR name is what enrichment (report/enrich/enrich.c) found.
 */
#ifndef DS_SERVICES_H
#define DS_SERVICES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

struct ds_services;

/* An empty rule set; free with ds_services_free(). */
struct ds_services *ds_services_new(void);
void ds_services_free(struct ds_services *s);	/* NULL-safe */

/*
 * Add the rules of buf (len bytes, the TSV format) after those already
 * loaded; origin names the text in errors. A bad line fails with
 * DS_ERROR_USAGE "origin:line: why" and adds nothing of buf.
 */
bool ds_services_parse(struct ds_services *s, const char *buf, size_t len,
    const char *origin, GError **err);

/*
 * The usual set: the rules of user_file (NULL: services.tsv in
 * $XDG_CONFIG_HOME/dmarcsift/ when it exists) first, then the shipped
 * table. DS_ERROR_USAGE when user_file cannot be read or parsed.
 */
struct ds_services *ds_services_default(const char *user_file,
    GError **err);

/*
 * The service of a sender: the first PTR rule whose suffix is ptr or a
 * parent of it (ASCII case ignored), else the first IP rule whose
 * network holds ip. Either argument may be NULL. Borrowed; NULL when
 * nothing matches.
 */
const char *ds_services_match(const struct ds_services *s, const char *ip,
    const char *ptr);

/*
 * The same, then, when no PTR or IP rule matched, the first ASN rule for
 * asn (the AS number of ip from a MaxMind database, report/enrich/mmdb.h;
 * 0: unknown, no ASN rule matches). Borrowed; NULL when nothing matches.
 */
const char *ds_services_match_asn(const struct ds_services *s,
    const char *ip, const char *ptr, uint32_t asn);

/* Number of rules loaded. */
unsigned ds_services_count(const struct ds_services *s);

#endif
