/*
 * verify_dkim.c - every DKIM-Signature of a sample against today's key
 * (RFC 6376, RFC 8463 Ed25519, RFC 8301 algorithm and key rules) with
 * libopendkim, keys from struct ds_dns through dkim_set_key_lookup.
 * SPDX-License-Identifier: MIT
 *
 * Each signature gets an RFC 8601 result and a precise reason: key not
 * found, key revoked, signature mismatch, body hash mismatch, body not
 * available (headers-only sample), l= present, algorithm unsupported,
 * expired, DNS failure. THREATS #17: key lookups use the budgeted DNS.
 */
#include <string.h>

#include <opendkim/dkim.h>

#include "ingest/verify/verify_priv.h"

#define KEY_MAX 4096	/* bytes of key record handed to libopendkim */

struct key_ctx {
	struct ds_dns	*dns;
	GHashTable	*status;	/* "s._domainkey.d" -> enum ds_dns_status + 1 */
};

static char *
key_name(DKIM_SIGINFO *sig)
{
	const char *s = (const char *)dkim_sig_getselector(sig);
	const char *d = (const char *)dkim_sig_getdomain(sig);

	return g_strdup_printf("%s._domainkey.%s", s ? s : "", d ? d : "");
}

/* dkim_set_key_lookup: the TXT record at s._domainkey.d (RFC 6376 §3.6.2) */
static DKIM_CBSTAT
key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct key_ctx *k = dkim_get_user_context(dkim);
	enum ds_dns_status st;
	GPtrArray *txt = NULL;
	const char *pick = NULL;
	char *name;
	guint i;

	name = key_name(sig);
	st = ds_dns_txt(k->dns, name, &txt);
	g_hash_table_insert(k->status, name, GINT_TO_POINTER(st + 1));
	if (st == DS_DNS_NXDOMAIN || st == DS_DNS_NODATA)
		return DKIM_CBSTAT_NOTFOUND;
	if (st != DS_DNS_OK)
		return DKIM_CBSTAT_TRYAGAIN;
	/* several records: the first that looks like a key */
	for (i = 0; i < txt->len && pick == NULL; i++)
		if (strstr(txt->pdata[i], "p=") != NULL)
			pick = txt->pdata[i];
	if (pick == NULL)
		pick = txt->pdata[0];
	if (strlen(pick) >= buflen || strlen(pick) >= KEY_MAX) {
		g_ptr_array_unref(txt);
		return DKIM_CBSTAT_ERROR;
	}
	memcpy(buf, pick, strlen(pick) + 1);
	g_ptr_array_unref(txt);
	return DKIM_CBSTAT_CONTINUE;
}

/* a= as the signature says (NULL when its tag list did not parse) */
static const char *
alg_name(DKIM_SIGINFO *sig)
{
	return (const char *)dkim_sig_gettagvalue(sig, FALSE, (u_char *)"a");
}

static void
set(struct ds_dkim_verdict *v, const char *result, char *reason)
{
	v->result = g_strdup(result);
	v->reason = reason;
}

/* a signature that did not verify: why */
static void
explain_error(struct ds_dkim_verdict *v, DKIM_SIGINFO *sig, int err,
    struct key_ctx *k)
{
	char *name = key_name(sig);
	gpointer sp = g_hash_table_lookup(k->status, name);
	enum ds_dns_status st = sp ? (enum ds_dns_status)(GPOINTER_TO_INT(sp)
	    - 1) : DS_DNS_OK;
	unsigned bits = 0;

	switch (err) {
	case DKIM_SIGERROR_NOKEY:
		set(v, "permerror", g_strdup_printf("key not found: %s at %s",
		    st == DS_DNS_NXDOMAIN ? "NXDOMAIN" : "no TXT record",
		    name));
		break;
	case DKIM_SIGERROR_KEYFAIL:
		set(v, "temperror", g_strdup_printf("key lookup failed: %s "
		    "for %s", ds_dns_status_name(st), name));
		break;
	case DKIM_SIGERROR_KEYREVOKED:
		set(v, "permerror", g_strdup_printf("key revoked (empty p= "
		    "at %s)", name));
		break;
	case DKIM_SIGERROR_BADSIG:
		set(v, "fail", g_strdup_printf("signature mismatch: the "
		    "signed header fields or the key at %s differ", name));
		break;
	case DKIM_SIGERROR_INVALID_A:
	case DKIM_SIGERROR_MISSING_A:
	case DKIM_SIGERROR_KEYTYPEUNKNOWN:
	case DKIM_SIGERROR_KEYUNKNOWNHASH:
	case DKIM_SIGERROR_KEYHASHMISMATCH:
		set(v, "permerror", g_strdup_printf("algorithm unsupported: "
		    "%s (%s)", v->algorithm ? v->algorithm : "none",
		    dkim_sig_geterrorstr(err)));
		break;
	case DKIM_SIGERROR_EXPIRED:
		set(v, "permerror", g_strdup("signature expired (x= is "
		    "past)"));
		break;
	case DKIM_SIGERROR_KEYTOOSMALL:
		(void)dkim_sig_getkeysize(sig, &bits);
		set(v, "permerror", g_strdup_printf("key too small: %u bits "
		    "(RFC 8301 wants 1024 or more)", bits));
		break;
	case DKIM_SIGERROR_DNSSYNTAX:
	case DKIM_SIGERROR_KEYDECODE:
	case DKIM_SIGERROR_KEYVERSION:
	case DKIM_SIGERROR_MULTIREPLY:
		set(v, "permerror", g_strdup_printf("unusable key at %s: %s",
		    name, dkim_sig_geterrorstr(err)));
		break;
	default:
		set(v, "permerror", g_strdup_printf("%s",
		    dkim_sig_geterrorstr(err) ? dkim_sig_geterrorstr(err) :
		    "signature not usable"));
		break;
	}
	g_free(name);
}

/* a signature whose header hash verified */
static void
explain_passed(struct ds_dkim_verdict *v, DKIM *d, DKIM_SIGINFO *sig,
    bool headers_only)
{
	ssize_t msglen = -1, canonlen = -1, signlen = -1;

	if (dkim_sig_getbh(sig) != DKIM_SIGBH_MATCH) {
		if (headers_only)
			set(v, "neutral", g_strdup("headers verified; body "
			    "not available (headers-only sample)"));
		else
			set(v, "fail", g_strdup("body hash mismatch: the body "
			    "changed after signing"));
		return;
	}
	if (v->algorithm != NULL && strcmp(v->algorithm, "rsa-sha1") == 0) {
		set(v, "permerror", g_strdup("algorithm unsupported: rsa-sha1 "
		    "(RFC 8301)"));
		return;
	}
	if (!v->body_length) {
		set(v, "pass", g_strdup("signature verified"));
		return;
	}
	(void)dkim_sig_getcanonlen(d, sig, &msglen, &canonlen, &signlen);
	if (msglen >= 0 && signlen >= 0 && msglen > signlen)
		set(v, "policy", g_strdup_printf("l= present: %zd of %zd body "
		    "bytes are signed, the rest was added", signlen, msglen));
	else
		set(v, "pass", g_strdup("signature verified; l= present (the "
		    "body could be extended)"));
}

/* no verdict from libopendkim: a failed key lookup stops it early */
static void
not_processed(struct ds_dkim_verdict *v, DKIM_SIGINFO *sig,
    struct key_ctx *k)
{
	char *name = key_name(sig);
	gpointer sp = g_hash_table_lookup(k->status, name);
	int st = sp ? GPOINTER_TO_INT(sp) - 1 : -1;

	if (st == DS_DNS_TEMPFAIL || st == DS_DNS_OFFLINE)
		set(v, "temperror", g_strdup_printf("key lookup failed: %s "
		    "for %s", ds_dns_status_name(st), name));
	else
		set(v, "neutral", g_strdup("signature not processed"));
	g_free(name);
}

static void
verdict(DKIM *d, DKIM_SIGINFO *sig, struct key_ctx *k, bool headers_only,
    GArray *out)
{
	struct ds_dkim_verdict v;
	const char *s;
	unsigned flags = dkim_sig_getflags(sig);
	int err = dkim_sig_geterror(sig);

	memset(&v, 0, sizeof(v));
	s = (const char *)dkim_sig_getdomain(sig);
	v.domain = s ? g_ascii_strdown(s, -1) : NULL;
	s = (const char *)dkim_sig_getselector(sig);
	v.selector = g_strdup(s);
	v.algorithm = g_strdup(alg_name(sig));
	v.body_length = dkim_sig_gettagvalue(sig, FALSE, (u_char *)"l") !=
	    NULL;
	/* libopendkim flags a body hash mismatch as BADSIG with PASSED */
	if ((flags & DKIM_SIGFLAG_PASSED) != 0 && (err == DKIM_SIGERROR_OK ||
	    err == DKIM_SIGERROR_BADSIG || err == DKIM_SIGERROR_UNKNOWN))
		explain_passed(&v, d, sig, headers_only);
	else if (err != DKIM_SIGERROR_OK && err != DKIM_SIGERROR_UNKNOWN)
		explain_error(&v, sig, err, k);
	else if ((flags & DKIM_SIGFLAG_PROCESSED) != 0)
		set(&v, "fail", g_strdup("signature mismatch"));
	else
		not_processed(&v, sig, k);
	g_array_append_val(out, v);
}

void
ds_verify_dkim(struct ds_dns *dns, const struct ds_verify_input *in,
    GArray *out)
{
	struct key_ctx k;
	DKIM_LIB *lib = NULL;
	DKIM *d = NULL;
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	unsigned int flags = DKIM_LIBFLAGS_FIXCRLF | DKIM_LIBFLAGS_BADSIGHANDLES;
	u_char *buf;
	size_t len;
	int nsigs = 0, i;
	GArray *skipped;
	bool nul;
	guint j;

	k.dns = dns;
	k.status = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	skipped = g_array_new(FALSE, TRUE, sizeof(struct ds_dkim_verdict));
	buf = ds_dkim_safe_copy(in, &len, &nul, skipped);
	if (buf == NULL)
		goto skipped;
	lib = dkim_init(NULL, NULL);
	if (lib == NULL)
		goto skipped;
	(void)dkim_options(lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags));
	(void)dkim_set_key_lookup(lib, key_lookup);
	d = dkim_verify(lib, (const u_char *)"dmarcsift", NULL, &st);
	if (d == NULL)
		goto skipped;
	(void)dkim_set_user_context(d, &k);
	/*
	 * Key lookups happen inside dkim_chunk once the header ends; a
	 * failed one (TRYAGAIN) fails the later calls too, but the
	 * signature list stays available, so every call is made.
	 */
	(void)dkim_chunk(d, buf, len);
	(void)dkim_chunk(d, NULL, 0);
	(void)dkim_eom(d, NULL);
	if (dkim_getsiglist(d, &sigs, &nsigs) != DKIM_STAT_OK)
		nsigs = 0;
	for (i = 0; i < nsigs; i++) {
		verdict(d, sigs[i], &k, in->headers_only, out);
		if (nul) {
			struct ds_dkim_verdict *v = &g_array_index(out,
			    struct ds_dkim_verdict, out->len - 1);
			char *r = g_strconcat(v->reason, " (NUL bytes in the "
			    "header, not RFC 5322)", NULL);

			g_free(v->reason);
			v->reason = r;
		}
	}
skipped:
	for (j = 0; j < skipped->len; j++)
		g_array_append_val(out, g_array_index(skipped,
		    struct ds_dkim_verdict, j));
	g_array_free(skipped, TRUE);
	if (d != NULL)
		dkim_free(d);
	if (lib != NULL)
		dkim_close(lib);
	g_free(buf);
	g_hash_table_destroy(k.status);
}
