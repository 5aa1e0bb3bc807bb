/*
 * model.h - the data model shared by ingest/, schema/ and report/.
 * SPDX-License-Identifier: MIT
 *
 * Ownership: every char * field is owned by the struct, g_malloc'd, valid
 * UTF-8 and NULL when the element was absent. Free with the _clear
 * function. Enumerated values are stored normalised (lower case,
 * trimmed); the verbatim text of an off-schema value is kept and a
 * warning recorded.
 */
#ifndef DS_MODEL_H
#define DS_MODEL_H

#include <stdint.h>
#include <glib.h>

enum ds_format {
	DS_FORMAT_RFC7489 = 0,	/* no namespace or dmarc-xml/0.1 */
	DS_FORMAT_RFC9990 = 1,	/* urn:ietf:params:xml:ns:dmarc-2.0 */
};

/* report_metadata + policy_published of one aggregate report */
struct ds_report_meta {
	enum ds_format format;	/* from the namespace of <feedback> */
	char *version;		/* <version> verbatim, NULL if absent */
	char *org_name;		/* derived from email/sender when missing */
	char *email;
	char *extra_contact_info;
	char *report_id;
	char *generator;	/* RFC 9990 */
	int64_t begin;		/* date_range, Unix seconds UTC */
	int64_t end;
	GPtrArray *errors;	/* char *: <error> elements */
	/* policy_published */
	char *domain;
	char *adkim;		/* r | s */
	char *aspf;
	char *p;		/* none | quarantine | reject */
	char *sp;
	char *np;		/* RFC 9990 (and Google legacy reports) */
	int pct;		/* 0..100, -1 when absent (RFC 9990) */
	char *fo;
	char *discovery_method;	/* psl | treewalk (RFC 9990) */
	char *testing;		/* n | y (RFC 9990) */
	char *extensions;	/* raw XML of <extension> and unknown
				   top-level elements, NULL if none */
	GPtrArray *warnings;	/* char *: "name: detail", see QUIRKS.md */
};

struct ds_reason {
	char *type;		/* forwarded, local_policy, ... */
	char *comment;
};

struct ds_dkim_result {
	char *domain;
	char *selector;		/* NULL when missing (legacy) */
	char *result;		/* none pass fail policy neutral temperror
				   permerror, or off-schema verbatim */
	char *human_result;
};

struct ds_spf_result {
	char *domain;
	char *scope;		/* helo | mfrom, NULL if absent */
	char *result;		/* none neutral pass fail softfail
				   temperror permerror, or verbatim */
	char *human_result;
};

/* one <record>; valid only during the ds_record_cb call */
struct ds_record {
	char *source_ip;	/* canonical (inet_ntop) or verbatim if bad */
	uint64_t count;
	char *disposition;	/* none quarantine reject pass */
	char *dkim;		/* policy_evaluated: pass | fail */
	char *spf;
	GArray *reasons;	/* struct ds_reason */
	char *envelope_to;
	char *envelope_from;
	char *header_from;
	GArray *dkim_results;	/* struct ds_dkim_result */
	GArray *spf_results;	/* struct ds_spf_result */
	char *extensions;	/* raw XML of unknown elements, or NULL */
};

void ds_report_meta_init(struct ds_report_meta *m);
void ds_report_meta_clear(struct ds_report_meta *m);
void ds_record_init(struct ds_record *r);
void ds_record_clear(struct ds_record *r);	/* frees contents, leaves it
					   zeroed: init again to reuse */
/* Free r's strings and empty its arrays, keeping them for the next
 * record (r was initialised with ds_record_init()). */
void ds_record_reset(struct ds_record *r);

/* Add a warning "fmt..." to m->warnings (deduplicated, capped at 100). */
void ds_report_warn(struct ds_report_meta *m, const char *fmt, ...)
    G_GNUC_PRINTF(2, 3);

const char *ds_format_name(enum ds_format f);	/* "rfc7489" / "rfc9990" */

#endif
