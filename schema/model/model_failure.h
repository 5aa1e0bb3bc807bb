/*
 * model_failure.h - the failure (ruf, ARF) report model shared by the
 * parser (ingest/failure*.c), the store (schema/store/store_failure.c) and the
 * commands (report/cmd_failures.c).
 * SPDX-License-Identifier: MIT
 *
 * RFC 5965 (ARF), RFC 6591 (auth-failure reports), RFC 9991. Ownership
 * as in model.h: every char * is owned by the struct, g_malloc'd, valid
 * UTF-8 and NULL when absent; the one exception is sample, raw bytes
 * (THREATS #8: the forensic copy is kept as received). Free with
 * ds_failure_clear().
 */
#ifndef DS_MODEL_FAILURE_H
#define DS_MODEL_FAILURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <glib.h>

enum ds_sample_kind {
	DS_SAMPLE_NONE = 0,	/* no original message in the report */
	DS_SAMPLE_MESSAGE,	/* message/rfc822 (or message/global) */
	DS_SAMPLE_HEADERS,	/* text/rfc822-headers (or global-headers) */
	DS_SAMPLE_TEXT,		/* headers copied into the human-readable
				   text of a report without an ARF part */
};

/* one field of the message/feedback-report part, as written */
struct ds_failure_field {
	char *name;		/* field name verbatim ("Source-IP") */
	char *value;		/* unfolded, trimmed */
};

struct ds_failure {
	char *identity;		/* dedup key: "mid:<Message-ID>" of the
				   report, else "sha256:<hex of bytes>" */
	/* the report message itself */
	char *report_message_id; /* without <> */
	char *report_from;	/* From, RFC 2047 decoded */
	char *reporter;		/* domain of the From address, lower case */
	char *report_date;	/* Date verbatim */
	int64_t report_ts;	/* Date as Unix seconds, 0 when unusable */
	char *report_subject;	/* RFC 2047 decoded */
	char *report_type;	/* report-type of multipart/report */

	/* message/feedback-report: every field in order, unknown included */
	GArray *fields;		/* struct ds_failure_field */
	char *feedback_type;	/* auth-failure, abuse, ... (lower case) */
	char *user_agent;
	char *version;
	char *original_mail_from; /* verbatim, may be "" or "<>" */
	GPtrArray *original_rcpt_to;	/* char *, repeatable */
	char *arrival_date;	/* verbatim */
	int64_t arrival_ts;	/* 0 when absent or unusable */
	char *source_ip;	/* canonical (inet_ntop); NULL when bad */
	GPtrArray *reported_domain;	/* char *, lower case, repeatable */
	GPtrArray *reported_uri;	/* char *, repeatable */
	char *auth_results;	/* the first (topmost) Authentication-Results */
	char *auth_failure;	/* dkim spf adsp bodyhash revoked signature
				   dmarc (lower case) */
	char *dkim_domain;
	char *dkim_identity;
	char *dkim_selector;
	char *dkim_canon_header; /* DKIM-Canonicalized-Header (base64) */
	char *dkim_canon_body;	/* DKIM-Canonicalized-Body (base64) */
	GPtrArray *spf_dns;	/* char *, repeatable */
	char *delivery_result;	/* delivered spam policy reject other */
	char *identity_alignment; /* none | spf | dkim | dkim,spf */

	/* the original message (personal data: failure_sample table) */
	enum ds_sample_kind sample_kind;
	bool headers_only;	/* no body to check a DKIM body hash on */
	char *sample;		/* raw bytes, NUL-terminated for
				   convenience, may hold NULs; NULL if none */
	size_t sample_len;
	char *sample_from;	/* From, RFC 2047 decoded */
	char *sample_subject;	/* RFC 2047 decoded, stored literally */
	char *sample_message_id; /* without <> */
	char *sample_date;	/* verbatim */
	char *sample_auth_results; /* its topmost Authentication-Results */
	GPtrArray *sample_dkim;	/* char *: DKIM-Signature values */

	GPtrArray *warnings;	/* char *: "name: detail" */

	/* filled by the store and the re-verification, not the parser */
	int64_t id;		/* failure_report row */
	int64_t event_ts;	/* arrival_ts, else report_ts, else ingest */
	char *verification;	/* JSON object (ingest/verify/verify.h), or NULL */
	char *verification_text; /* the same for people, or NULL */
	char *spf_now;		/* our SPF result (RFC 8601 word) or NULL */
	char *dkim_now;		/* our DKIM results, "pass,fail", or NULL */
	char *dmarc_now;	/* our DMARC result or NULL */
	GPtrArray *differences;	/* char *: reporter vs our verdict */
	char *dns_mode;		/* system | zone | offline */
	int64_t verified_at;	/* Unix seconds, 0 when never */
	char *source;		/* where it came from (path, URL) */
	int64_t ingested_at;
};

/* Zero f and create its empty arrays. */
void ds_failure_init(struct ds_failure *f);
/* Free everything f owns and leave it zeroed (NULL-safe fields). */
void ds_failure_clear(struct ds_failure *f);

/* Add a warning "fmt..." to f->warnings (deduplicated, capped at 100). */
void ds_failure_warn(struct ds_failure *f, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

/*
 * s with the local part of every address replaced by "***"
 * ("jane@example.com" -> "***@example.com", "smtp.mailfrom=" kept;
 * a quoted local part "jane doe"@ too); domains are kept. The one redaction rule: `failures`, the dashboard
 * and [ingest] store-samples = redacted all use it. NULL for NULL;
 * caller g_frees.
 */
char *ds_failure_redact(const char *s);

/*
 * The rule for a value that holds addresses only (Original-Mail-From,
 * Original-Rcpt-To, DKIM-Identity, From, To, Cc): each ','-separated
 * part becomes "***@domain" ("<***@domain>" when it had angle
 * brackets), display names and odd local parts included; a part without
 * a domain becomes "***". NULL for NULL; caller g_frees.
 */
char *ds_failure_redact_addr(const char *v);

/*
 * ds_failure_redact over every field of f that can hold an address
 * (ds_failure_redact_addr for the address-only ones: Original-Mail-From,
 * Original-Rcpt-To, DKIM-Identity, the sample's From) (report From and
 * Subject, the feedback-report fields, Reported-URI,
 * Authentication-Results, the sample's Message-ID, Authentication-Results
 * and DKIM-Signatures, warnings, differences, the verification), the
 * sample's Subject withheld ("[redacted]"), DKIM-Canonicalized-* (base64
 * copies of the message) dropped. The sample bytes are not touched.
 */
void ds_failure_redact_fields(struct ds_failure *f);

/* "none" "message" "headers" "text"; kind for a name (NONE if unknown). */
const char *ds_sample_kind_name(enum ds_sample_kind k);
enum ds_sample_kind ds_sample_kind_from_name(const char *name);

/*
 * The main domain of f, lower case: the first Reported-Domain, else the
 * domain of the sample's From, else DKIM-Domain, else NULL. Caller
 * g_frees.
 */
char *ds_failure_domain(const struct ds_failure *f);

/*
 * The domain of the (last) address in an address header value such as
 * "Name <user@Example.COM>", lower case; NULL when there is none.
 * Caller g_frees.
 */
char *ds_addr_domain(const char *addr);

#endif
