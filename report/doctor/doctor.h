/*
 * doctor.h - `dmarcsift doctor DOMAIN`: turn stored reports and live (or
 * zone-file) DNS into findings, each with severity, a stable code,
 * evidence and the fix. Private to report/doctor*.c and cmd_doctor.c.
 * SPDX-License-Identifier: MIT
 *
 * One family per file: doctor_dmarc.c (RFC 7489, RFC 9989 records),
 * doctor_spf.c (RFC 7208), doctor_dkim.c (RFC 6376 keys), doctor_senders.c
 * (sources, PTR), doctor_reporting.c (reporters), doctor.c (findings,
 * output). Strings from reports or DNS are attacker text: messages quote
 * them with ds_doctor_q() and JSON escapes everything (THREATS 8, 9).
 */
#ifndef DS_DOCTOR_H
#define DS_DOCTOR_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <glib.h>

#include "schema/cli/cli.h"
#include "schema/policy/dmarc_policy.h"
#include "schema/dns/dns.h"
#include "schema/store/store.h"
#include "report/classify/classify.h"
#include "report/enrich/services.h"

enum ds_sev { DS_SEV_INFO = 0, DS_SEV_WARNING, DS_SEV_ERROR };

struct ds_finding {
	enum ds_sev sev;
	char *code;		/* stable id: dkim-key-missing, ... */
	char *message;
	char *fix;
	GString *ev_json;	/* members of the evidence object */
	GString *ev_text;	/* "key: value" lines for text output */
	int64_t weight;		/* messages concerned: order within sev */
};

/* A source IP of the period (a copy of struct ds_doc_source). */
struct ds_doc_src {
	char *ip;
	int64_t messages, dmarc_pass, dkim_pass, spf_pass, reporters;
	int64_t fwd_reason, own_sig, dkim_pass_spf_fail;
	int64_t first_seen, last_seen;
	char *spf_domain;	/* SPF domain of its DKIM-pass/SPF-fail mail */
	/* enrichment, filled on demand by ds_doctor_enrich() */
	bool enriched;
	char *ptr;		/* first PTR name or NULL */
	int ptr_confirmed;	/* 1, 0, -1 unknown */
	const char *service;	/* service name (owned by the doctor's
				   pool) or NULL */
	const char *include;	/* static SPF include or NULL */
	bool mailbox;		/* service is a mailbox provider */
	bool hosting;		/* service is a cloud network, whose
				   machines may be the domain's own */
	uint32_t asn;		/* AS number (MaxMind database), 0 unknown */
	const char *as_org;	/* AS organisation (pool) or NULL */
	/* its class (report/classify), the same senders, html and weekly
	   show; class_reason owned by the doctor's pool */
	enum ds_class cls;
	const char *class_reason;
	bool steady;		/* several reporters, several reports */
	bool declared;
	const char *own_spf_domain; /* an SPF domain of ours failing for
				   it (pool), or NULL */
};

struct ds_doctor {
	struct ds_store *st;
	struct ds_dns *dns;
	char *domain;		/* lower case, no trailing dot */
	char *org;		/* its organizational domain (PSL) */
	struct ds_query q;	/* domain, since, until */
	int64_t now;
	GPtrArray *findings;	/* struct ds_finding * */
	GPtrArray *sources;	/* struct ds_doc_src *, most messages first */
	int64_t messages, dmarc_pass;	/* totals of the period */
	/* the DMARC record at _dmarc.<domain> (or inherited), for others */
	bool has_dmarc;
	struct ds_dmarc_record dmarc;
	char *dmarc_at;		/* where it was found */
	GPtrArray *skipped;	/* char *: checks DNS could not run */
	GPtrArray *pool;	/* strings freed with the doctor */
	unsigned enrich_left;	/* PTR lookups still allowed */
	struct ds_services *svc;	/* the service table */
	struct ds_mmdb *mmdb;	/* borrowed, set after ds_doctor_init:
				   AS numbers for the ASN rules; NULL none */
	const struct ds_decl *decl;	/* the user's declarations or NULL */
	const char *cacert;	/* borrowed, set after ds_doctor_init: PEM
				   CAs for the MTA-STS fetch; NULL: the
				   system's */
	struct ds_class_totals classes;	/* the period's sources by class */
	GHashTable *vouched;	/* "d\037selector" (lower case) -> messages
				   of ours/service sources signing with it */
	GArray *timeline;	/* struct ds_policy_span (store_policy.h) */
};

/* ---- doctor.c ---- */

/*
 * Set up d for domain over q (copied; q->domain is replaced), using st
 * and dns (borrowed). Loads the per-source totals. DS_ERROR_DB.
 */
bool ds_doctor_init(struct ds_doctor *d, struct ds_store *st,
    struct ds_dns *dns, const char *domain, const struct ds_query *q,
    int64_t now, const struct ds_decl *decl, GError **err);
void ds_doctor_release(struct ds_doctor *d);

/* Run every family, then sort the findings worst first. DS_ERROR_DB. */
bool ds_doctor_run(struct ds_doctor *d, GError **err);

/*
 * Add a finding (returned, owned by d) with a printf message; the fix
 * and evidence are added with the calls below.
 */
struct ds_finding *ds_doctor_add(struct ds_doctor *d, enum ds_sev sev,
    const char *code, int64_t weight, const char *fmt, ...)
    G_GNUC_PRINTF(5, 6);
void ds_finding_fix(struct ds_finding *f, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * ---- doctor_evidence.c ----
 * Append one member to f's evidence: a string (NULL: null), an integer,
 * a percentage part/whole (one decimal), a boolean, a time (ISO 8601
 * UTC), an array of strings. Values are copied and escaped.
 */
void ds_ev_str(struct ds_finding *f, const char *key, const char *v);
void ds_ev_int(struct ds_finding *f, const char *key, int64_t v);
void ds_ev_pct(struct ds_finding *f, const char *key, int64_t part,
    int64_t whole);
void ds_ev_bool(struct ds_finding *f, const char *key, bool v);
void ds_ev_time(struct ds_finding *f, const char *key, int64_t t);
void ds_ev_strv(struct ds_finding *f, const char *key, const GPtrArray *a);
/* json: a JSON value built by the caller; text: its one-line form */
void ds_ev_raw(struct ds_finding *f, const char *key, const char *json,
    const char *text);

/* Evidence "sources": the IPs of srcs (struct ds_doc_src *), at most max. */
void ds_ev_sources(struct ds_finding *f, const char *key, GPtrArray *srcs,
    guint max);

/*
 * s made safe for a message (ds_quote, at most 80 bytes), owned by d;
 * "(none)" for NULL.
 */
const char *ds_doctor_q(struct ds_doctor *d, const char *s);
/* A printf result owned by d. */
const char *ds_doctor_fmt(struct ds_doctor *d, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);
/* Remember that a DNS-based check could not run (shown as info). */
void ds_doctor_skip(struct ds_doctor *d, const char *what,
    enum ds_dns_status st);

/* Is any finding at or above fail_on? */
bool ds_doctor_failed(const struct ds_doctor *d, enum ds_sev fail_on);
/*
 * Write the findings to f: text (wrapped at 78 columns, a summary line
 * last) or the JSON array of {severity, code, message, evidence, fix}.
 */
void ds_doctor_emit(const struct ds_doctor *d, enum ds_outfmt fmt, FILE *f);
/* "error", "warning", "info" */
const char *ds_sev_name(enum ds_sev s);

/* Is name domain or a subdomain of it (both lower case)? */
bool ds_doctor_within(const char *name, const char *domain);

/*
 * ---- the families: add their findings to d; false only on store
 * errors (DS_ERROR_DB). DNS trouble is noted with ds_doctor_skip().
 * ds_doctor_dmarc runs first: it sets d->dmarc for the others.
 */
bool ds_doctor_dmarc(struct ds_doctor *d, GError **err);
bool ds_doctor_spf(struct ds_doctor *d, GError **err);
bool ds_doctor_dkim(struct ds_doctor *d, GError **err);
bool ds_doctor_senders(struct ds_doctor *d, GError **err);
bool ds_doctor_reporting(struct ds_doctor *d, GError **err);
/* doctor_tls.c: TLS-RPT and MTA-STS records, TLS failures reported */
bool ds_doctor_tls(struct ds_doctor *d, GError **err);
/*
 * What an RFC 8460 §4.3 result type means (*what, static) and its fix
 * for domain (returned, caller g_free()s): the one text doctor's
 * tls-* findings and the weekly report give. *known is false for a
 * type RFC 8460 does not define (a generic fix is returned).
 */
char *ds_doctor_tls_fix(const char *type, const char *domain,
    const char **what, bool *known);

/* ---- doctor_policy.c ---- */

/* The DMARC record with tag set to value (NULL: removed), quoted. */
const char *ds_doctor_suggest(struct ds_doctor *d, const char *tag,
    const char *value);
/*
 * dmarc-policy-none with what an enforced policy would hit today, split
 * by class (report/classify): legitimate mail still failing (ours,
 * services) with the fix for each, forwarded, unknown; enforcement is
 * recommended only when the legitimate failing share is small.
 */
void ds_doctor_policy_none(struct ds_doctor *d);
/* The same split as evidence of f (pct, t=y findings). */
void ds_doctor_readiness(struct ds_doctor *d, struct ds_finding *f);
/* dmarc-policy-downgrade from the policy timeline of the reports. */
void ds_doctor_policy_timeline(struct ds_doctor *d);

/* ---- doctor_services.c ---- */

/*
 * Classify the period's sources (report/classify: the same rules as
 * senders, html and weekly) and copy class, PTR and service onto
 * d->sources; the top sources by messages are resolved now (no cache,
 * within d->enrich_left), the rest matched on IP rules only.
 * Fills d->classes and d->vouched. DS_ERROR_DB.
 */
bool ds_doctor_classify(struct ds_doctor *d, GError **err);
/* Messages of ours/service sources signing with domain/selector. */
int64_t ds_doctor_vouched(const struct ds_doctor *d, const char *domain,
    const char *selector);
/* "ours: 3 sources, 900 messages, 0 failing; ..." (pool) */
const char *ds_doctor_class_text(struct ds_doctor *d);
/* The classes as evidence member "by_class". */
void ds_ev_classes(struct ds_doctor *d, struct ds_finding *f);

/*
 * PTR lookup, forward confirmation (ds_enrich_resolve) and the service
 * of src (ds_services_match on its IP and PTR name), once per source
 * and within d->enrich_left lookups; src->enriched stays false when DNS
 * could not answer (noted with ds_doctor_skip).
 */
void ds_doctor_enrich(struct ds_doctor *d, struct ds_doc_src *src);

/*
 * The SPF include a service of services.tsv documents (static; NULL
 * when there is no single one), and whether it is a mailbox provider
 * whose users forward mail.
 */
const char *ds_doctor_service_include(const char *service, bool *mailbox);
/*
 * Is service a cloud network (services.tsv's ASN rules "Microsoft Azure",
 * "Amazon AWS")? Its machines are anyone's, the domain's own included,
 * so the own-server checks apply to them as to unnamed hosts.
 */
bool ds_doctor_service_hosting(const char *service);

#endif
