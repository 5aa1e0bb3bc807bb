/*
 * dkim_key.c - parse a DKIM key record (RFC 6376 §3.6.1 tag list v, h,
 * k, n, p, s, t; RFC 8463 k=ed25519) and measure the RSA key with
 * OpenSSL libcrypto (RFC 8301 §3.2 key sizes).
 * SPDX-License-Identifier: MIT
 *
 * Input is attacker text from DNS: the record length is capped, base64
 * is checked strictly before decoding, and the DER must be consumed
 * exactly.
 */
#include <string.h>

#include <glib.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "report/doctor/dkim_key.h"

#define MAX_RECORD 8192

static bool
bad(struct ds_dkim_key *k, const char *why)
{
	k->status = DS_DKIM_KEY_MALFORMED;
	g_strlcpy(k->error, why, sizeof(k->error));
	return false;
}

/* strict base64: letters, digits, + /, at most two '=' at the end */
static guchar *
b64_decode(const char *s, size_t *out_len)
{
	GString *c = g_string_new(NULL);
	guchar *raw = NULL;
	size_t i, pad = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (g_ascii_isspace(s[i]))
			continue;
		if (s[i] == '=') {
			pad++;
		} else if (pad > 0 || !(g_ascii_isalnum(s[i]) || s[i] == '+' ||
		    s[i] == '/')) {
			goto done;
		}
		g_string_append_c(c, s[i]);
	}
	if (c->len == 0 || c->len % 4 != 0 || pad > 2)
		goto done;
	raw = g_base64_decode(c->str, out_len);
done:
	g_string_free(c, TRUE);
	return raw;
}

static bool
measure_rsa(struct ds_dkim_key *k, const guchar *der, size_t n)
{
	const unsigned char *p = der;
	EVP_PKEY *pk;

	pk = d2i_PUBKEY(NULL, &p, (long)n);
	if (pk != NULL && (size_t)(p - der) != n) {
		EVP_PKEY_free(pk);
		return bad(k, "p= has bytes after the key");
	}
	if (pk == NULL) {
		/* some publish the bare RSAPublicKey (PKCS #1) */
		p = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)n);
		if (pk == NULL || (size_t)(p - der) != n) {
			EVP_PKEY_free(pk);
			return bad(k, "p= is not a DER public key");
		}
		k->pkcs1 = true;
	}
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA) {
		EVP_PKEY_free(pk);
		return bad(k, "k=rsa but p= holds another key type");
	}
	k->bits = (unsigned)EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	return true;
}

static bool
set_key(struct ds_dkim_key *k, const char *p)
{
	guchar *der;
	size_t n = 0;
	bool ok;

	der = b64_decode(p, &n);
	if (der == NULL)
		return bad(k, "p= is not valid base64");
	if (strcmp(k->algo, "ed25519") == 0) {
		ok = n == 32;	/* RFC 8463 §4.2: the raw 32-byte key */
		if (ok)
			k->bits = 256;
		else
			bad(k, "ed25519 key is not 32 bytes");
	} else {
		ok = measure_rsa(k, der, n);
	}
	g_free(der);
	return ok;
}

bool
ds_dkim_key_parse(struct ds_dkim_key *k, const char *buf, size_t len)
{
	char *txt = NULL, **terms = NULL, *p = NULL;
	size_t i, ntag = 0;
	bool ok = false;

	memset(k, 0, sizeof(*k));
	g_strlcpy(k->algo, "rsa", sizeof(k->algo));
	if (len > MAX_RECORD || memchr(buf, '\0', len) != NULL)
		return bad(k, "record too long or with NUL bytes");
	txt = g_strndup(buf, len);
	terms = g_strsplit(txt, ";", 0);
	for (i = 0; terms[i] != NULL; i++) {
		char *t = g_strstrip(terms[i]), *eq, *tag, *v;

		if (*t == '\0')
			continue;
		if ((eq = strchr(t, '=')) == NULL) {
			bad(k, "a term without '='");
			goto done;
		}
		*eq = '\0';
		tag = g_strstrip(t);
		v = g_strstrip(eq + 1);
		ntag++;
		if (strcmp(tag, "v") == 0) {
			/* RFC 6376 §3.6.1: if present, first and DKIM1 */
			if (ntag != 1 || strcmp(v, "DKIM1") != 0) {
				bad(k, "v= is not DKIM1 or not first");
				goto done;
			}
		} else if (strcmp(tag, "k") == 0) {
			if (g_ascii_strcasecmp(v, "rsa") != 0 &&
			    g_ascii_strcasecmp(v, "ed25519") != 0) {
				bad(k, "unknown key type k=");
				goto done;
			}
			g_strlcpy(k->algo, g_ascii_tolower(v[0]) == 'r' ?
			    "rsa" : "ed25519", sizeof(k->algo));
		} else if (strcmp(tag, "p") == 0 && p == NULL) {
			p = g_strdup(v);
		} else if (strcmp(tag, "t") == 0) {
			char **fl = g_strsplit(v, ":", 0);
			size_t j;

			for (j = 0; fl[j] != NULL; j++)
				if (strcmp(g_strstrip(fl[j]), "y") == 0)
					k->testing = true;
			g_strfreev(fl);
		}
	}
	if (p == NULL) {
		bad(k, "no p= tag: not a DKIM key record");
		goto done;
	}
	if (*p == '\0') {
		k->status = DS_DKIM_KEY_REVOKED;
		g_strlcpy(k->error, "p= is empty: the key is revoked",
		    sizeof(k->error));
		goto done;
	}
	ok = set_key(k, p);
done:
	g_free(p);
	g_strfreev(terms);
	g_free(txt);
	return ok;
}
