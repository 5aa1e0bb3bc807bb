/*
 * spf_check.h - parse SPF records (RFC 7208 §4.5, §4.6, §5, §6) and walk
 * a domain's published policy through include and redirect to count
 * what a receiver would: DNS-querying terms (§4.6.4, limit 10) and void
 * lookups (§4.6.4, limit 2), with the permissive all and ptr checks.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_SPF_CHECK_H
#define DS_SPF_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/dns/dns.h"
#include "schema/policy/spec.h"	/* RFC 7208 limits */


enum ds_spf_kind {
	DS_SPF_ALL = 0,
	DS_SPF_INCLUDE,
	DS_SPF_A,
	DS_SPF_MX,
	DS_SPF_PTR,
	DS_SPF_IP4,
	DS_SPF_IP6,
	DS_SPF_EXISTS,
	DS_SPF_REDIRECT,	/* modifier */
	DS_SPF_EXP,		/* modifier */
	DS_SPF_UNKNOWN_MOD,	/* other modifiers: ignored (§6) */
};

struct ds_spf_term {
	char qual;		/* '+', '-', '~', '?' (mechanisms) */
	enum ds_spf_kind kind;
	char *domain;		/* domain-spec; NULL: the current domain */
	char *text;		/* the term as published */
};

struct ds_spf_record {
	GPtrArray *terms;	/* struct ds_spf_term *, in order */
};

/* Does txt start with "v=spf1" followed by a space or its end (§4.5)? */
bool ds_spf_is_record(const char *txt);

/*
 * Parse buf[0..len) as an SPF record. Returns false with err
 * (DS_ERROR_SCHEMA, the message names the bad term) when it is not
 * v=spf1 or a term is not valid RFC 7208 syntax; out is initialised
 * either way, clear it with ds_spf_record_clear.
 */
bool ds_spf_parse(struct ds_spf_record *out, const char *buf, size_t len,
    GError **err);
void ds_spf_record_clear(struct ds_spf_record *r);
/* "include", "a", "redirect", ... */
const char *ds_spf_kind_name(enum ds_spf_kind k);

struct ds_spf_eval {
	int records;		/* v=spf1 records at the domain */
	char *text;		/* the record, when exactly one */
	unsigned lookups;	/* DNS-querying terms, all levels */
	unsigned void_lookups;
	char all_qual;		/* qualifier of the effective all, 0 none */
	bool ptr;		/* a ptr mechanism somewhere */
	bool tempfail;		/* a lookup failed: counts may be low */
	GPtrArray *counted;	/* char *: "domain: term" per lookup */
	GPtrArray *voids;	/* char *: names that answered nothing */
	GPtrArray *includes;	/* char *: domains reached by include or
				   redirect, lower case */
	GPtrArray *errors;	/* char *: what makes it a permerror */
	GPtrArray *nets;	/* char *: ip4:/ip6: ranges and a: addresses
				   met on the way, "192.0.2.0/24" */
};

/*
 * Walk the SPF policy of domain through dns (at most 10 levels and 40
 * counted lookups, so a hostile chain stays bounded: THREATS #17).
 * out is initialised; clear it with ds_spf_eval_clear.
 */
void ds_spf_eval(struct ds_dns *dns, const char *domain,
    struct ds_spf_eval *out);
void ds_spf_eval_clear(struct ds_spf_eval *e);

/*
 * Is ip (text) inside one of e->nets? Only what the walk saw literally
 * (ip4:, ip6:) or resolved (a:) counts; mx, ptr, exists do not.
 */
bool ds_spf_covers(const struct ds_spf_eval *e, const char *ip);

#endif
