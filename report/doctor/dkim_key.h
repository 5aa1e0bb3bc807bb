/*
 * dkim_key.h - parse a DKIM key record (RFC 6376 §3.6.1, RFC 8463
 * ed25519) and measure its key, for doctor's DKIM findings.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_DKIM_KEY_H
#define DS_DKIM_KEY_H

#include <stdbool.h>
#include <stddef.h>

/* RFC 8301 §3.2: keys under 1024 bits must not be used, 2048 advised */
#define DS_DKIM_RSA_MIN 1024
#define DS_DKIM_RSA_GOOD 2048

enum ds_dkim_key_status {
	DS_DKIM_KEY_OK = 0,	/* a usable public key */
	DS_DKIM_KEY_REVOKED,	/* p= empty (RFC 6376 §3.6.1) */
	DS_DKIM_KEY_MALFORMED,	/* not a key record or a bad key */
};

struct ds_dkim_key {
	enum ds_dkim_key_status status;
	char algo[16];		/* "rsa" or "ed25519" (k=, default rsa) */
	unsigned bits;		/* key size when OK */
	bool testing;		/* t=y */
	bool pkcs1;		/* RSA key as bare RSAPublicKey, not SPKI */
	char error[128];	/* why MALFORMED, one line */
};

/*
 * Parse the TXT record buf[0..len) found at selector._domainkey.domain
 * (strings already joined). Pure: no DNS, no allocation kept. Fills
 * *out and returns true when out->status is DS_DKIM_KEY_OK.
 */
bool ds_dkim_key_parse(struct ds_dkim_key *out, const char *buf,
    size_t len);

#endif
