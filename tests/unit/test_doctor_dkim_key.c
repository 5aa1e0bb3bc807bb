/*
 * test_doctor_dkim_key.c - report/doctor/dkim_key.c: DKIM key records (RFC 6376
 * §3.6.1 tags, RFC 8463 ed25519) measured with OpenSSL (RFC 8301 sizes):
 * SPKI and bare PKCS #1 RSA keys of 512, 1024, 2048 bits, revoked keys,
 * and the malformed records doctor must name.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <glib.h>

#include "report/doctor/dkim_key.h"

/* public keys made with openssl genpkey (public halves only) */
static const char k512[] =
    "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBANXjnzssXCoItMctHHMvfRiOrbWI"
    "TsO4bmlGvTLPYBtHAXPh18cr391p7AIjHKmJpqKUHxQjntOGkGi+DOfasTcC"
    "AwEAAQ==";
static const char k1024[] =
    "MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQCxVeKh9et1T3BKSyy+d92p"
    "g00ATDWpNvPaMe2up6EIKbu12YCHDFp4ULPYGMox19wzFoaLzz0saiWCaUyI"
    "UvKDbI5hOjtztbwda6FIeZYKzShZdD7rEO+XVwpXGvlZxxlQ5ML56Rg0V+L8"
    "31mXtWezGRwcMMfRgEAkmeR4q1B/dwIDAQAB";
static const char k2048[] =
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwuZ+x57vbAuB0fkl"
    "LlhYyCFrbMZHcont8CFKV80hs2dGkXSDSYxdxJYfM07b/rlRiDZw63oSkvWp"
    "Kn3WybILt1M1x3DHHY/NBG2b5MiIsZwZms4qV3jnafIV080d6fz4MAC/UoOh"
    "2JhOwEKf8OXWT5QK3xXq/z29HtXQOgOFrnnZJ4AR32ytspKX/1bLitGlwv9F"
    "rZ3G0aftGkDSE6JD17AbA61dZxo/HoACnxJh11JweWp4A5XDYyO856EnbFq3"
    "ut76iqh6AfHqXzVtBqCncOEVxzfTjUq50mfYk2DY1R/vxUJm/FalL/Ntrx2S"
    "bpjnl2ttOO4UahuHPLTKaRZ0dwIDAQAB";
/* openssl rsa -RSAPublicKey_out: PKCS #1, 1024 bits */
static const char pkcs1[] =
    "MIGJAoGBAMdxbsX1KBnI5+AT8zfShDLh2bEr2+sa3JLsIWtcjsVYHHrd8FtI"
    "M/I9hKDBPzPEqgWiKMJu008fZiQ7ydh7WMzmGIKwArgO6ERSxmRbPhOnwwmE"
    "/VqigIQO6T5tqSugQKP6/U0B2TQwd1Lj3O/ev49BwV++E/+mvqPizUTJmKFl"
    "AgMBAAE=";

static bool
parse(struct ds_dkim_key *k, const char *fmt, const char *key)
{
	char *txt;
	bool ok;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	txt = g_strdup_printf(fmt, key);
#pragma GCC diagnostic pop
	ok = ds_dkim_key_parse(k, txt, strlen(txt));

	g_free(txt);
	return ok;
}

static void
test_sizes(void **state)
{
	static const struct {
		const char *key;
		unsigned bits;
	} t[] = { { k512, 512 }, { k1024, 1024 }, { k2048, 2048 } };
	struct ds_dkim_key k;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		assert_true(parse(&k, "v=DKIM1; k=rsa; p=%s", t[i].key));
		assert_int_equal(k.status, DS_DKIM_KEY_OK);
		assert_int_equal(k.bits, t[i].bits);
		assert_string_equal(k.algo, "rsa");
		assert_false(k.pkcs1);
	}
	/* no v=, no k= (rsa is the default), spaces, t=y:s, h= */
	assert_true(parse(&k, " p = %s ; t=y:s; h=sha256", k2048));
	assert_int_equal(k.bits, 2048);
	assert_true(k.testing);
	/* base64 split by the TXT strings' whitespace */
	assert_true(parse(&k, "v=DKIM1; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8A %s",
	    k2048 + 32));
	assert_int_equal(k.bits, 2048);
	/* bare RSAPublicKey */
	assert_true(parse(&k, "v=DKIM1; p=%s", pkcs1));
	assert_true(k.pkcs1);
	assert_int_equal(k.bits, 1024);
}

static void
test_ed25519(void **state)
{
	struct ds_dkim_key k;

	(void)state;
	assert_true(parse(&k, "v=DKIM1; k=ed25519; p=%s",
	    "HfWcIAsKZFH6yBVfWMaK7uOoM9moG5Wupx3FV//uh2w="));
	assert_string_equal(k.algo, "ed25519");
	assert_int_equal(k.bits, 256);
	/* an RSA key declared ed25519 is not 32 bytes */
	assert_false(parse(&k, "v=DKIM1; k=ed25519; p=%s", k1024));
	assert_int_equal(k.status, DS_DKIM_KEY_MALFORMED);
	assert_non_null(strstr(k.error, "32 bytes"));
}

static void
test_revoked(void **state)
{
	struct ds_dkim_key k;

	(void)state;
	assert_false(parse(&k, "v=DKIM1; k=rsa; p=%s", ""));
	assert_int_equal(k.status, DS_DKIM_KEY_REVOKED);
	assert_false(parse(&k, "v=DKIM1; p=%s; t=y", ""));
	assert_int_equal(k.status, DS_DKIM_KEY_REVOKED);
}

static void
test_malformed(void **state)
{
	static const struct {
		const char *txt;
		const char *why;
	} t[] = {
		{ "v=spf1 -all", "DKIM1" },
		{ "google-site-verification", "without '='" },
		{ "v=DKIM1; k=rsa", "no p=" },
		{ "v=DKIM2; p=AAAA", "DKIM1" },
		{ "k=rsa; v=DKIM1; p=AAAA", "DKIM1" },
		{ "v=DKIM1; k=dsa; p=AAAA", "k=" },
		{ "v=DKIM1; p=!!notbase64", "base64" },
		{ "v=DKIM1; p=AAA", "base64" },
		{ "v=DKIM1; p=AA=A", "base64" },
		{ "v=DKIM1; p=QUJDRA==", "DER" },
		{ "", "no p=" },
	};
	struct ds_dkim_key k;
	size_t i;

	(void)state;
	for (i = 0; i < G_N_ELEMENTS(t); i++) {
		assert_false(ds_dkim_key_parse(&k, t[i].txt,
		    strlen(t[i].txt)));
		assert_int_equal(k.status, DS_DKIM_KEY_MALFORMED);
		if (strstr(k.error, t[i].why) == NULL)
			fail_msg("'%s': error '%s' lacks '%s'", t[i].txt,
			    k.error, t[i].why);
	}
	/* trailing bytes after the DER key */
	assert_false(parse(&k, "p=%sAAAA", k1024));
	/* a NUL inside */
	assert_false(ds_dkim_key_parse(&k, "p=A\0AA", 6));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_ed25519),
		cmocka_unit_test(test_revoked),
		cmocka_unit_test(test_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
