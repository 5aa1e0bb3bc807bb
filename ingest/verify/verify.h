/*
 * verify.h - re-verify one message: SPF (RFC 7208, libspf2), every
 * DKIM-Signature (RFC 6376, libopendkim) and DMARC alignment and verdict
 * (RFC 7489, RFC 9989), all DNS through struct ds_dns (schema/dns/dns.h).
 * SPDX-License-Identifier: MIT
 *
 * Used by `dmarcsift verify` and by the failure-report (ARF) parser to
 * re-check each sample. THREATS #17: DNS is bounded by ds_dns budgets.
 *
 * Result words are the RFC 8601 ones: "pass", "fail", "softfail",
 * "neutral", "none", "temperror", "permerror" (DKIM may also say
 * "policy" when the signature verified but is not trusted, e.g. l=).
 * All strings in the verdict structs are g_malloc'ed and owned by the
 * struct; ds_verify_result_clear frees them. A field the check could
 * not determine is NULL (JSON null), never "".
 */
#ifndef DS_VERIFY_H
#define DS_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <glib.h>

#include "schema/dns/dns.h"

struct ds_verify_input {
	const char	*msg;		/* the message (RFC 5322), not owned */
	size_t		 len;
	bool		 headers_only;	/* text/rfc822-headers: no body */
	const char	*source_ip;	/* SMTP client IP or NULL */
	const char	*mail_from;	/* RFC5321.MailFrom (may be "<>") or NULL */
	const char	*helo;		/* HELO/EHLO identity or NULL */
	int		 discovery;	/* enum ds_verify_disc; 0 = auto */
};

/*
 * How the DMARC policy is found. AUTO: RFC 7489 (the From domain, then
 * its organizational domain by the Public Suffix List) and, when that
 * finds no record, the RFC 9989 §4.10 DNS tree walk (which also finds
 * public suffix domain records, RFC 9091).
 */
enum ds_verify_disc {
	DS_VERIFY_DISC_AUTO = 0,
	DS_VERIFY_DISC_PSL,
	DS_VERIFY_DISC_TREEWALK,
};

struct ds_spf_verdict {
	char	*result;	/* RFC 8601 word */
	char	*domain;	/* the identity checked (MAIL FROM or HELO domain) */
	char	*reason;	/* human-readable, e.g. "matched ip4:192.0.2.0/24" */
	char	*mechanism;	/* the mechanism that matched, or NULL */
};

struct ds_dkim_verdict {
	char	*domain;	/* d= */
	char	*selector;	/* s= */
	char	*algorithm;	/* a=, e.g. "rsa-sha256", "ed25519-sha256" */
	char	*result;	/* RFC 8601 word */
	char	*reason;	/* "signature verified", "key not found", ... */
	bool	 body_length;	/* l= present (the body may have been extended) */
};

struct ds_dmarc_verdict {
	char	*result;	/* "pass", "fail", "none" (no policy), "temperror", "permerror" */
	char	*from_domain;	/* RFC5322.From domain, lower case */
	char	*org_domain;	/* organizational domain */
	char	*policy;	/* policy applied to this message: "none", "quarantine", "reject" */
	char	*record;	/* the DMARC TXT record found, or NULL */
	char	*record_domain;	/* where it was found (e.g. "_dmarc.example.com") */
	bool	 spf_aligned;
	bool	 dkim_aligned;
	char	*reason;	/* why this result, one line */
	char	*discovery;	/* "psl" or "treewalk": how the record was found */
};

struct ds_verify_result {
	bool			 spf_checked;	/* false: no source IP / identity given */
	struct ds_spf_verdict	 spf;
	GArray			*dkim;		/* of struct ds_dkim_verdict, never NULL after success */
	struct ds_dmarc_verdict	 dmarc;
};

/*
 * Verify in->msg with dns (not owned, not NULL; use DS_DNS_OFF for no
 * DNS: every lookup is then a temperror). out is initialised by this
 * call (no need to zero it first) and must be released with
 * ds_verify_result_clear even when false is returned. Returns false
 * only when the message cannot be parsed at all (DS_ERROR_FORMAT) or on
 * a library setup failure; DNS trouble is reported in the verdicts.
 */
bool ds_verify_message(struct ds_dns *dns, const struct ds_verify_input *in,
    struct ds_verify_result *out, GError **err);

/* Free everything r holds and zero it (NULL-safe, idempotent). */
void ds_verify_result_clear(struct ds_verify_result *r);

/*
 * Append r to g as one JSON object: {"spf":{"result","domain","reason",
 * "mechanism"} or null when !spf_checked,"dkim":[{"domain","selector",
 * "algorithm","result","reason","body_length"}],"dmarc":{"result",
 * "from_domain","org_domain","policy","record","record_domain",
 * "discovery","reason","spf_aligned","dkim_aligned"}}. Strings escaped.
 */
void ds_verify_result_json(GString *g, const struct ds_verify_result *r);

/* Append a few human-readable lines describing r (for `verify`). */
void ds_verify_result_text(GString *g, const struct ds_verify_result *r);

#endif
