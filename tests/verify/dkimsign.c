/*
 * dkimsign.c - sign a message with libopendkim, for the re-verification
 * fixtures (tests/verify/mkfixtures.sh). Test helper, not installed.
 * SPDX-License-Identifier: MIT
 *
 * usage: dkimsign -d DOMAIN -s SELECTOR -k KEY.pem [-a ALG] [-l] [-x]
 *        [-c HDR/BODY] < message > signed
 * ALG: rsa-sha256 (default), rsa-sha1, ed25519-sha256 (RFC 8463).
 * -l adds l= (RFC 6376 §3.5 body length) covering the whole body.
 * -x signs as of 2001-09-09 with x= one hour later (an expired signature).
 * -c: simple or relaxed, e.g. relaxed/simple (default relaxed/relaxed).
 * The DKIM-Signature field is written before the message, CRLF lines.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <opendkim/dkim.h>
#include <glib.h>

static dkim_canon_t
canon(const char *s)
{
	return strncmp(s, "simple", 6) == 0 ? DKIM_CANON_SIMPLE :
	    DKIM_CANON_RELAXED;
}

int
main(int argc, char **argv)
{
	const char *domain = NULL, *selector = NULL, *keyfile = NULL;
	const char *alg = "rsa-sha256", *c = "relaxed/relaxed", *slash;
	char *key = NULL, *msg = NULL;
	unsigned char hdr[8192];
	gsize keylen, msglen;
	GError *e = NULL;
	DKIM_LIB *lib;
	DKIM *d;
	DKIM_STAT st;
	dkim_alg_t a;
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF;
	bool len = false, expired = false;
	uint64_t when = 1000000000, ttl = 3600;
	int ch;

	while ((ch = getopt(argc, argv, "d:s:k:a:lxc:")) != -1) {
		switch (ch) {
		case 'd': domain = optarg; break;
		case 's': selector = optarg; break;
		case 'k': keyfile = optarg; break;
		case 'a': alg = optarg; break;
		case 'l': len = true; break;
		case 'x': expired = true; break;
		case 'c': c = optarg; break;
		default: goto usage;
		}
	}
	if (domain == NULL || selector == NULL || keyfile == NULL)
		goto usage;
	if (strcmp(alg, "rsa-sha256") == 0)
		a = DKIM_SIGN_RSASHA256;
	else if (strcmp(alg, "rsa-sha1") == 0)
		a = DKIM_SIGN_RSASHA1;
	else if (strcmp(alg, "ed25519-sha256") == 0)
		a = DKIM_SIGN_ED25519SHA256;
	else
		goto usage;
	if (!g_file_get_contents(keyfile, &key, &keylen, &e) ||
	    !g_file_get_contents("/dev/stdin", &msg, &msglen, &e)) {
		fprintf(stderr, "dkimsign: %s\n", e->message);
		return 1;
	}
	slash = strchr(c, '/');
	lib = dkim_init(NULL, NULL);
	if (len)
		flags |= DKIM_LIBFLAGS_SIGNLEN;
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags));
	if (expired) {
		(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FIXEDTIME,
		    &when, sizeof(when));
		(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNATURETTL,
		    &ttl, sizeof(ttl));
	}
	d = dkim_sign(lib, (const unsigned char *)"dkimsign", NULL,
	    (dkim_sigkey_t)key, (const unsigned char *)selector,
	    (const unsigned char *)domain, canon(c),
	    canon(slash ? slash + 1 : c), a, -1, &st);
	if (d == NULL)
		goto fail;
	if ((st = dkim_chunk(d, (unsigned char *)msg, msglen)) != DKIM_STAT_OK ||
	    (st = dkim_chunk(d, NULL, 0)) != DKIM_STAT_OK ||
	    (st = dkim_eom(d, NULL)) != DKIM_STAT_OK ||
	    (st = dkim_getsighdr(d, hdr, sizeof(hdr),
	    strlen(DKIM_SIGNHEADER) + 2)) != DKIM_STAT_OK)
		goto fail;
	printf("%s: %s\r\n", DKIM_SIGNHEADER, hdr);
	fwrite(msg, 1, msglen, stdout);
	dkim_free(d);
	dkim_close(lib);
	g_free(key);
	g_free(msg);
	return 0;
fail:
	fprintf(stderr, "dkimsign: %s: %s\n", keyfile, dkim_getresultstr(st));
	return 1;
usage:
	fprintf(stderr, "usage: dkimsign -d DOMAIN -s SELECTOR -k KEY.pem "
	    "[-a rsa-sha256|rsa-sha1|ed25519-sha256] [-l] [-x] [-c HDR/BODY]\n");
	return 2;
}
