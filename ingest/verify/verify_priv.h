/*
 * verify_priv.h - what the files of the re-verification share
 * (ingest/verify*.c). Not for use outside them.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_VERIFY_PRIV_H
#define DS_VERIFY_PRIV_H

#include <stdbool.h>
#include <glib.h>

#include "ingest/verify/verify.h"

/*
 * SPF check_host() (RFC 7208) of in->source_ip for the MAIL FROM domain
 * of in->mail_from, else the HELO identity, with libspf2 over dns.
 * Fills out (all strings g_malloc'ed). Never fails: every problem is a
 * result (temperror, permerror) with a reason.
 */
void ds_verify_spf(struct ds_dns *dns, const struct ds_verify_input *in,
    struct ds_spf_verdict *out);

/*
 * Verify every DKIM-Signature of in->msg (RFC 6376, RFC 8463) with
 * libopendkim, keys from dns. Appends one struct ds_dkim_verdict per
 * signature to out (header order).
 */
void ds_verify_dkim(struct ds_dns *dns, const struct ds_verify_input *in,
    GArray *out);

/*
 * A copy of in->msg that libopendkim 2.11 can be given safely (found by
 * tests/fuzz/fuzz_verify): NUL bytes in the header become spaces (*nul
 * set), DKIM-Signature fields whose h= names DKIM-Signature and more
 * fields than the header has are taken out (each gets a permerror
 * verdict appended to skipped), bare LF becomes CRLF, and a
 * header/body separator is added when missing. *len gets the size;
 * caller g_frees. NULL when no header field is left (libopendkim
 * 2.11 asserts on an empty header): nothing to verify.
 */
unsigned char *ds_dkim_safe_copy(const struct ds_verify_input *in,
    size_t *len, bool *nul, GArray *skipped);

/*
 * DMARC (RFC 7489, RFC 9989) for the From domain from_domain (NULL when
 * the message has none; from_problem then says why) given the SPF and
 * DKIM verdicts already in r. Fills r->dmarc.
 */
void ds_verify_dmarc(struct ds_dns *dns, const struct ds_verify_input *in,
    const char *from_domain, const char *from_problem,
    struct ds_verify_result *r);

#endif
