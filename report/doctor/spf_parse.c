/*
 * spf_parse.c - SPF record syntax (RFC 7208 §4.5, §4.6.1, §5, §6):
 * v=spf1, qualifiers, the eight mechanisms with their domain-spec, CIDR
 * and IP arguments, redirect/exp and unknown modifiers.
 * SPDX-License-Identifier: MIT
 *
 * Pure over (buf, len): DNS text is attacker input, so the record is
 * capped, NUL bytes refused, IPs checked with inet_pton only.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/error.h"
#include "report/doctor/spf_check.h"

#define MAX_RECORD 4096

static const char *const kinds[] = { "all", "include", "a", "mx", "ptr",
	"ip4", "ip6", "exists", "redirect", "exp", "modifier" };

const char *
ds_spf_kind_name(enum ds_spf_kind k)
{
	return (size_t)k < G_N_ELEMENTS(kinds) ? kinds[k] : "?";
}

bool
ds_spf_is_record(const char *txt)
{
	return g_ascii_strncasecmp(txt, "v=spf1", 6) == 0 &&
	    (txt[6] == '\0' || txt[6] == ' ');
}

static void
term_free(gpointer p)
{
	struct ds_spf_term *t = p;

	g_free(t->domain);
	g_free(t->text);
	g_free(t);
}

/* "/n" or "//n" or "/n//m" CIDR suffixes (§5.6) */
static bool
cidr_ok(const char *s, bool ip6_only, bool dual)
{
	char *end;
	long n;

	if (*s == '\0')
		return true;
	if (s[0] != '/')
		return false;
	if (s[1] != '/') {
		if (ip6_only)
			return false;
		n = strtol(s + 1, &end, 10);
		if (end == s + 1 || n < 0 || n > 32)
			return false;
		s = end;
		if (*s == '\0')
			return true;
		if (!dual || s[0] != '/' || s[1] != '/')
			return false;
	} else if (!dual && !ip6_only)
		return false;
	n = strtol(s + 2, &end, 10);
	return end != s + 2 && *end == '\0' && n >= 0 && n <= 128;
}

static bool
domain_ok(const char *d)
{
	size_t i, n = strlen(d);

	if (n == 0 || n > 253)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)d[i] <= ' ' || d[i] == 0x7f)
			return false;
	return true;
}

/* ip4:a.b.c.d[/n], ip6:x::y[/n] */
static bool
ip_ok(const char *arg, int family)
{
	char buf[64];
	const char *slash = strchr(arg, '/');
	size_t n = slash ? (size_t)(slash - arg) : strlen(arg);
	unsigned char tmp[16];
	char *end;
	long bits;

	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, arg, n);
	buf[n] = '\0';
	if (inet_pton(family, buf, tmp) != 1)
		return false;
	if (slash == NULL)
		return true;
	bits = strtol(slash + 1, &end, 10);
	return end != slash + 1 && *end == '\0' && bits >= 0 &&
	    bits <= (family == AF_INET ? 32 : 128);
}

/* Parse one term into t; false with why set. */
static bool
parse_term(struct ds_spf_term *t, const char *s, const char **why)
{
	const char *name = s, *arg = NULL, *p;
	size_t nlen;
	char *argcopy = NULL;
	bool ok = true;

	t->qual = '+';
	if (strchr("+-~?", *s) != NULL)
		t->qual = *name++;
	nlen = strcspn(name, ":=/");
	if (name[nlen] == '=' && name == s) {
		/* modifier (§6, §4.6.1): name = ALPHA *( ALPHA / DIGIT / - _ . ) */
		for (p = name; p < name + nlen; p++)
			if (!g_ascii_isalnum(*p) && strchr("-_.", *p) == NULL)
				break;
		if (nlen == 0 || !g_ascii_isalpha(name[0]) ||
		    p < name + nlen) {
			*why = "bad modifier name";
			return false;
		}
		arg = name + nlen + 1;
		if (nlen == 8 && g_ascii_strncasecmp(name, "redirect", 8) == 0)
			t->kind = DS_SPF_REDIRECT;
		else if (nlen == 3 && g_ascii_strncasecmp(name, "exp", 3) == 0)
			t->kind = DS_SPF_EXP;
		else {
			t->kind = DS_SPF_UNKNOWN_MOD;
			return true;
		}
		if (!domain_ok(arg)) {
			*why = "bad domain in modifier";
			return false;
		}
		t->domain = g_ascii_strdown(arg, -1);
		return true;
	}
	for (t->kind = DS_SPF_ALL; t->kind <= DS_SPF_EXISTS; t->kind++)
		if (strlen(kinds[t->kind]) == nlen &&
		    g_ascii_strncasecmp(name, kinds[t->kind], nlen) == 0)
			break;
	if (t->kind > DS_SPF_EXISTS) {
		*why = "unknown mechanism";
		return false;
	}
	p = name + nlen;
	if (*p == ':')
		arg = p + 1;
	switch (t->kind) {
	case DS_SPF_ALL:
		ok = *p == '\0';
		break;
	case DS_SPF_INCLUDE:
	case DS_SPF_EXISTS:
		ok = arg != NULL && domain_ok(arg);
		if (ok)
			t->domain = g_ascii_strdown(arg, -1);
		break;
	case DS_SPF_PTR:
		ok = *p == '\0' || (arg != NULL && domain_ok(arg));
		if (ok && arg != NULL)
			t->domain = g_ascii_strdown(arg, -1);
		break;
	case DS_SPF_A:
	case DS_SPF_MX:
		if (arg == NULL) {
			ok = cidr_ok(p, false, true);
			break;
		}
		argcopy = g_strndup(arg, strcspn(arg, "/"));
		ok = domain_ok(argcopy) &&
		    cidr_ok(arg + strlen(argcopy), false, true);
		if (ok)
			t->domain = g_ascii_strdown(argcopy, -1);
		break;
	case DS_SPF_IP4:
		ok = arg != NULL && ip_ok(arg, AF_INET);
		break;
	case DS_SPF_IP6:
		ok = arg != NULL && ip_ok(arg, AF_INET6);
		break;
	default:
		ok = false;
	}
	g_free(argcopy);
	if (!ok)
		*why = "bad argument";
	return ok;
}

bool
ds_spf_parse(struct ds_spf_record *out, const char *buf, size_t len,
    GError **err)
{
	char *txt, **words = NULL, *q;
	const char *why = NULL;
	size_t i;
	bool ok = false;

	out->terms = g_ptr_array_new_with_free_func(term_free);
	if (len > MAX_RECORD || memchr(buf, '\0', len) != NULL)
		return ds_fail(err, DS_ERROR_SCHEMA, "record too long or with "
		    "NUL bytes");
	txt = g_strndup(buf, len);
	if (!ds_spf_is_record(txt)) {
		ds_fail(err, DS_ERROR_SCHEMA, "not an SPF record (v=spf1)");
		goto done;
	}
	words = g_strsplit(txt + 6, " ", 0);
	for (i = 0; words[i] != NULL; i++) {
		struct ds_spf_term *t;

		if (words[i][0] == '\0')
			continue;
		t = g_new0(struct ds_spf_term, 1);
		t->text = g_strdup(words[i]);
		g_ptr_array_add(out->terms, t);
		if (!parse_term(t, words[i], &why)) {
			q = ds_quote(words[i], strlen(words[i]), 60);
			ds_fail(err, DS_ERROR_SCHEMA, "%s: \"%s\"", why, q);
			g_free(q);
			goto done;
		}
	}
	ok = true;
done:
	g_strfreev(words);
	g_free(txt);
	return ok;
}

void
ds_spf_record_clear(struct ds_spf_record *r)
{
	if (r->terms != NULL)
		g_ptr_array_unref(r->terms);
	r->terms = NULL;
}
