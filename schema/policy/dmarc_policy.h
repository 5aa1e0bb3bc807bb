/*
 * dmarc_policy.h - DMARC policy records: parse (RFC 7489 §6.3, RFC 9989
 * tags np, psd, t), discover (RFC 7489 §6.6.3 with the Public Suffix
 * List, or the RFC 9989 §4.10 DNS tree walk), identifier alignment
 * (relaxed/strict), and the external report destination check
 * (RFC 7489 §7.1, `_report._dmarc`).
 * SPDX-License-Identifier: MIT
 *
 * libopendmarc predates RFC 9989 and keeps global state, so this small
 * module does it instead. All DNS goes through struct ds_dns. Used by
 * verify (ingest/verify/verify_dmarc.c), failure reports and doctor.
 */
#ifndef DS_DMARC_POLICY_H
#define DS_DMARC_POLICY_H

#include <stdbool.h>
#include <glib.h>

#include "schema/dns/dns.h"

/* RFC 9989 §4.10: the tree walk looks at no more than this many names */
#define DS_DMARC_WALK_MAX 8

struct ds_dmarc_record {
	char		*text;		/* the record as published */
	char		*p;		/* "none" | "quarantine" | "reject";
					   "none" when absent or invalid */
	char		*sp;		/* NULL when absent or invalid */
	char		*np;		/* RFC 9989; NULL when absent or invalid */
	char		 adkim;		/* 'r' (default) or 's' */
	char		 aspf;		/* 'r' (default) or 's' */
	int		 pct;		/* RFC 7489, 0..100, default 100 */
	bool		 testing;	/* t=y (RFC 9989) */
	char		 psd;		/* 'y', 'n' or 'u' (default) */
	char		*fo;		/* default "0" */
	char		*rf;		/* default "afrf" */
	unsigned	 ri;		/* default 86400 */
	GPtrArray	*rua;		/* char * URIs, never NULL */
	GPtrArray	*ruf;		/* char * URIs, never NULL */
	GPtrArray	*warnings;	/* char *: invalid, unknown, duplicate
					   tags; never NULL */
};

/*
 * Parse one TXT record. Returns false (DS_ERROR_SCHEMA) when it is not
 * a DMARC record: the first tag is not exactly v=DMARC1 (RFC 7489
 * §6.6.3 says such records are ignored). Everything else is lenient:
 * an invalid value gets its default and a warning, an unknown tag a
 * warning. out is initialised by the call; clear it either way.
 */
bool ds_dmarc_record_parse(const char *txt, struct ds_dmarc_record *out,
    GError **err);
/* Free what r holds and zero it (NULL-safe). */
void ds_dmarc_record_clear(struct ds_dmarc_record *r);

enum ds_dmarc_disc {
	DS_DMARC_DISC_PSL = 0,	/* RFC 7489: From domain, then PSL org domain */
	DS_DMARC_DISC_TREEWALK,	/* RFC 9989 §4.10 DNS tree walk */
};

struct ds_dmarc_policy {
	bool			 found;		/* rec is valid */
	bool			 tempfail;	/* a lookup failed: temperror */
	char			*domain;	/* the From domain, lower case */
	char			*org_domain;	/* its organizational domain */
	char			*record_domain;	/* where rec was found (no "_dmarc.") */
	struct ds_dmarc_record	 rec;
	GPtrArray		*notes;		/* char *: "several DMARC records at
						   _dmarc.x", lookups made, ... */
};

/*
 * Find the DMARC policy for the RFC5322.From domain `domain`. Returns
 * false only when DNS trouble (temporary failure, budget, offline) kept
 * the answer from being known: out->tempfail is then set. No record is
 * not a failure (out->found false). out is initialised by the call.
 */
bool ds_dmarc_discover(struct ds_dns *dns, const char *domain,
    enum ds_dmarc_disc how, struct ds_dmarc_policy *out);
void ds_dmarc_policy_clear(struct ds_dmarc_policy *p);

/*
 * The policy that applies to a message from p->domain: p, else sp when
 * the record came from an ancestor (organizational or public suffix
 * domain), else np (RFC 9989) when in addition p->domain does not exist
 * (NXDOMAIN for A, AAAA and MX). NULL when !p->found. Static string.
 */
const char *ds_dmarc_applied_policy(struct ds_dns *dns,
    const struct ds_dmarc_policy *p);

/*
 * The organizational domain of name: libpsl for DS_DMARC_DISC_PSL, the
 * RFC 9989 tree walk otherwise (psd=n marks it, psd=y marks the level
 * above it, else the shortest name with a DMARC record, else name).
 * Caller g_frees.
 */
char *ds_dmarc_org_domain(struct ds_dns *dns, const char *name,
    enum ds_dmarc_disc how);

/*
 * Identifier alignment (RFC 7489 §3.1): mode 's' needs equal names,
 * 'r' the same organizational domain. Case and a trailing dot do not
 * matter; NULL or empty never aligns.
 */
bool ds_dmarc_aligned(struct ds_dns *dns, const char *from_domain,
    const char *id_domain, char mode, enum ds_dmarc_disc how);

/* Does `domain` exist (some answer for A, AAAA or MX; not NXDOMAIN)? */
enum ds_dns_status ds_dmarc_domain_exists(struct ds_dns *dns,
    const char *domain, bool *exists);

enum ds_dmarc_auth {
	DS_DMARC_AUTH_SAME_ORG = 0,	/* destination in the same org domain */
	DS_DMARC_AUTH_OK,		/* <domain>._report._dmarc.<dest> says v=DMARC1 */
	DS_DMARC_AUTH_MISSING,		/* external and not authorized */
	DS_DMARC_AUTH_TEMPFAIL,		/* could not tell */
	DS_DMARC_AUTH_BAD_URI,		/* not a mailto: URI with a domain */
};

/*
 * RFC 7489 §7.1: may reports for policy_domain go to uri (a rua/ruf
 * "mailto:x@dest!10m")? *dest_out (optional, g_free) gets the
 * destination domain when the URI has one.
 */
enum ds_dmarc_auth ds_dmarc_report_authorized(struct ds_dns *dns,
    const char *policy_domain, const char *uri, char **dest_out);
const char *ds_dmarc_auth_name(enum ds_dmarc_auth a);

#endif
