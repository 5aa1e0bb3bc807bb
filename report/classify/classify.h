/*
 * classify.h - what a source of mail as a domain is (issue 12): ours,
 * a sending service, a forwarder (mailing list, forwarding), or unknown,
 * with the evidence as a short sentence. One pure function over the rows
 * of ds_store_senders() (schema/store/store_senders.h) as enriched
 * (report/enrich/), plus the user's declarations (declare.c).
 * SPDX-License-Identifier: MIT
 *
 * The rules, first match wins (the table is in the man page and the
 * README):
 *  1. declared: an IP, network or service name listed as ours or
 *     not-ours for the domain in the configuration file;
 *  2. forwarder by the receivers' word: the reporters marked most of
 *     its messages forwarded, mailing_list or trusted_forwarder (RFC
 *     7489 appendix C PolicyOverrideType) and no aligned SPF passes;
 *  3. forwarder: a service that is also a mailbox and list host
 *     (Google) re-sending the domain's mail: no aligned SPF pass, and
 *     the envelope is its forwarding domain (gmail.com,
 *     googlegroups.com), or the envelope is not the domain's and the
 *     domain's DKIM it carries is a signature made by another source
 *     (with the domain's own envelope it is the domain's Workspace or
 *     its relay through Google: a service);
 *  4. service: a known sending service (PTR name or IP range of
 *     services.tsv) that is not a mailbox provider;
 *  5. ours: a forward-confirmed PTR name under the organizational
 *     domain;
 *  6. forwarder: the domain's DKIM signature with a selector that works
 *     elsewhere arrives broken (a list), or an aligned DKIM pass
 *     without aligned SPF where SPF passes only for a foreign envelope
 *     (SRS) and the selector is one other sources use too, or a
 *     mailbox provider relaying the domain's signed mail;
 *  7. ours: mostly (>= 50 %) passes DMARC; an aligned DKIM pass with
 *     SPF failing for the domain itself is the domain's own signing
 *     server missing from SPF, never a forwarder;
 *  8. unknown: nothing authenticates it as the domain (a DKIM pass for
 *     a foreign domain does not count).
 * A source is "steady" when several reporters saw it in several
 * reports: a steady failing service is the user's own mail,
 * misconfigured, never spoofing.
 */
#ifndef DS_CLASSIFY_H
#define DS_CLASSIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

#include "schema/store/store_senders.h"

enum ds_class {
	DS_CLASS_OURS = 0,
	DS_CLASS_SERVICE,
	DS_CLASS_FORWARDER,
	DS_CLASS_UNKNOWN,
	DS_CLASS_COUNT
};

#define DS_STEADY_REPORTERS 2	/* reporters that saw it */
#define DS_STEADY_REPORTS 3	/* reports mentioning it */

struct ds_decl;
struct ds_conf;

/* The class of one row, and why. */
struct ds_class_info {
	enum ds_class cls;
	char *reason;		/* short sentence of the evidence */
	bool declared;		/* rule 1 decided it */
	bool steady;		/* several reporters, several reports */
	const char *service;	/* the row's service or NULL (borrowed) */
	const char *include;	/* SPF include the service documents
				   (static) or NULL */
	bool mailbox;		/* the service is a mailbox provider */
	int64_t failing;	/* messages failing DMARC */
	const char *bad_selector; /* an aligned selector failing here with
				   no pass anywhere (borrowed), or NULL */
};

/* What every row of a domain is classified against. */
struct ds_classifier {
	char *domain;		/* lower case */
	char *org;		/* its organizational domain */
	const struct ds_decl *decl;	/* borrowed; may be NULL */
	GHashTable *good_sel;	/* "d\037selector" passing somewhere */
};

/*
 * Set c up for domain over rows (struct ds_sender *, the period's
 * senders of the domain, any grouping): the selectors that pass
 * somewhere are collected from them. decl is borrowed (NULL: none).
 */
void ds_classifier_init(struct ds_classifier *c, const char *domain,
    const GPtrArray *rows, const struct ds_decl *decl);
/* The same a row at a time: begin, add every row, then classify. */
void ds_classifier_begin(struct ds_classifier *c, const char *domain,
    const struct ds_decl *decl);
void ds_classifier_add(struct ds_classifier *c, const struct ds_sender *s);
void ds_classifier_release(struct ds_classifier *c);

/* Classify one row into out (caller ds_class_info_clear()s). */
void ds_classify(const struct ds_classifier *c, const struct ds_sender *s,
    struct ds_class_info *out);
void ds_class_info_clear(struct ds_class_info *i);

/*
 * Classify every row of rows: an array of struct ds_class_info, same
 * order (caller g_array_unref; it clears the entries).
 */
GArray *ds_classify_rows(const char *domain, const GPtrArray *rows,
    const struct ds_decl *decl);

/* "ours", "service", "forwarder", "unknown" */
const char *ds_class_name(enum ds_class c);
/* DS_ERROR_USAGE for another word. */
bool ds_class_parse(const char *s, enum ds_class *out, GError **err);

/*
 * The SPF include a known service documents (static; NULL when there is
 * no single one) and whether it is a mailbox provider whose users
 * forward mail.
 */
const char *ds_service_include(const char *service, bool *mailbox);
/* Is service a cloud network (AS rule) whose machines may be anybody's? */
bool ds_service_hosting(const char *service);


/* ---- sources.c: the classified senders of a domain ---- */

/* Per class over a period: sources, messages, messages failing DMARC. */
struct ds_class_totals {
	int64_t sources[DS_CLASS_COUNT];
	int64_t messages[DS_CLASS_COUNT];
	int64_t failing[DS_CLASS_COUNT];
};

/*
 * Every source IP of q->domain (required) in the period, most messages
 * first, enriched through info (as ds_store_senders), and its class:
 * *rows (struct ds_sender *, caller g_ptr_array_unref) and *classes
 * (struct ds_class_info, same order, caller g_array_unref). q->limit is
 * ignored: the classes need every row. DS_ERROR_DB.
 */
bool ds_classified_senders(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    GPtrArray **rows, GArray **classes, GError **err);

/*
 * The classifier of q->domain (required) over the period, from every
 * source IP of it (enriched through info) as ds_classified_senders()
 * sees them, a row at a time: for classifying rows of any grouping.
 * Caller ds_classifier_release()s. DS_ERROR_DB.
 */
bool ds_classifier_from_store(struct ds_classifier *c, struct ds_store *st,
    const struct ds_query *q, ds_ipinfo_fn info, void *info_payload,
    const struct ds_decl *decl, GError **err);

typedef bool (*ds_classified_cb)(const struct ds_sender *s,
    const struct ds_class_info *c, void *payload);
/*
 * ds_classified_senders() in bounded memory: cb gets each source IP of
 * q->domain with its class, most messages first (two walks of the
 * store: the classifier, then the rows). cb must not use the store.
 */
bool ds_classified_senders_each(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    ds_classified_cb cb, void *payload, GError **err);

/* The per-class totals of q->domain's sources, in bounded memory. */
bool ds_class_totals_walk(struct ds_store *st, const struct ds_query *q,
    ds_ipinfo_fn info, void *info_payload, const struct ds_decl *decl,
    struct ds_class_totals *out, GError **err);
/* Add one classified row to out. */
void ds_class_totals_add(struct ds_class_totals *out,
    const struct ds_sender *s, const struct ds_class_info *c);

/* Sum rows by class. */
void ds_class_totals_sum(struct ds_class_totals *out, const GPtrArray *rows,
    const GArray *classes);

/* ---- declare.c: the user's declarations ---- */

/*
 * The [domain:DOMAIN] section (name compared without case) of the
 * configuration c (schema/config; NULL: none): keys "ours" and
 * "not-ours", each a ";"-separated list of IP addresses, networks (CIDR)
 * and service names (as in services.tsv). *out is NULL when nothing is
 * declared. DS_ERROR_USAGE naming the file, section and key for an
 * unknown key or a bad entry.
 */
bool ds_decl_from_conf(struct ds_decl **out, const struct ds_conf *c,
    const char *domain, GError **err);
/* Parse one value of "ours" (ours true) or "not-ours" into d. */
bool ds_decl_add(struct ds_decl *d, bool ours, const char *value,
    const char *origin, GError **err);
struct ds_decl *ds_decl_new(void);
void ds_decl_free(struct ds_decl *d);	/* NULL-safe */

/*
 * Does d declare ip (or the row's service) ours (+1) or not ours (-1)?
 * 0 when nothing matches. Not-ours wins over ours for the same source;
 * *what (may be NULL) gets the matching entry as written (borrowed).
 */
int ds_decl_match(const struct ds_decl *d, const char *ip,
    const char *service, const char **what);

#endif
