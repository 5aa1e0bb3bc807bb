/*
 * failure_verify.h - re-verify the sample of a failure report now and
 * name where our verdict differs from the reporter's.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_FAILURE_VERIFY_H
#define DS_FAILURE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "schema/dns/dns.h"
#include "schema/model/model_failure.h"

/*
 * Re-verify the sample of f with dns (not owned; NULL: not verified)
 * through ds_verify_message (ingest/verify/verify.h): SPF for Source-IP
 * against Original-Mail-From (else the reporter's smtp.mailfrom, with
 * its smtp.helo), every DKIM-Signature, DMARC. Replaces f's
 * verification, verification_text, spf_now, dkim_now, dmarc_now,
 * differences, dns_mode and verified_at (= now). A report without a
 * sample, or a sample verify cannot read, is left unverified with
 * verification_text saying why. Opens a new DNS budget window.
 */
void ds_failure_reverify(struct ds_failure *f, struct ds_dns *dns,
    int64_t now);

struct ds_verify_input;

/*
 * The ds_verify_message input for the sample of f: the sample, whether
 * it is headers only, Source-IP, and the MAIL FROM (Original-Mail-From,
 * else the reporter's smtp.mailfrom) and HELO (the reporter's smtp.helo)
 * identities. in->msg and in->source_ip are borrowed from f; the two
 * identities are g_malloc'd into *out_mail_from and *out_helo (NULL
 * when unknown), which the caller frees after the verification. False
 * (in untouched) when f has no sample.
 */
bool ds_failure_verify_input(const struct ds_failure *f,
    struct ds_verify_input *in, char **out_mail_from, char **out_helo);

/* The result word of a check that needed DNS, re-verified --offline. */
#define DS_NOT_CHECKED_OFFLINE "not checked (offline)"

#endif
