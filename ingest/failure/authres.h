/*
 * authres.h - read an Authentication-Results header value (RFC 8601):
 * the claims a failure report makes about SPF, DKIM and DMARC.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_AUTHRES_H
#define DS_AUTHRES_H

#include <glib.h>

/* one resinfo: "method=result reason=... ptype.property=value ..." */
struct ds_authres {
	char *method;		/* lower case: spf, dkim, dmarc, iprev ... */
	char *result;		/* lower case RFC 8601 word, or verbatim */
	char *reason;		/* reason= (unquoted), or NULL */
	char *header_d;		/* header.d (DKIM signing domain) */
	char *header_i;		/* header.i */
	char *header_s;		/* header.s (selector) */
	char *header_from;	/* header.from (DMARC) */
	char *smtp_mailfrom;	/* smtp.mailfrom (SPF) */
	char *smtp_helo;	/* smtp.helo (SPF) */
};

/*
 * Parse value (an Authentication-Results field body). Comments are
 * dropped, quoted strings unquoted. The authserv-id goes to
 * *out_authserv_id (may be NULL; caller g_frees): NULL when the value
 * starts straight with a result, as some reporters write it in the
 * feedback part. Returns the resinfos in order (never NULL; "none"
 * gives none); free with ds_authres_free. At most 64 are read.
 */
GArray *ds_authres_parse(const char *value, char **out_authserv_id);
void ds_authres_free(GArray *a);	/* NULL-safe */

/*
 * The domain an SPF claim is about: the domain of smtp.mailfrom (its
 * part after '@'), else smtp.helo; lower case, caller g_frees; NULL
 * when neither is there.
 */
char *ds_authres_spf_domain(const struct ds_authres *r);

#endif
