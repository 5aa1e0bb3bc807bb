/*
 * authres.c - a small, tolerant reader of Authentication-Results values
 * (RFC 8601 §2.2) for comparing a reporter's claims with our verdict.
 * SPDX-License-Identifier: MIT
 *
 * Tolerates what failure reports write: no authserv-id ("dmarc=fail
 * (p=none; dis=none) header.from=example.com"), ';' inside comments,
 * spaces around '=', quoted values. THREATS #12: callers use only the
 * topmost header; this reads one value.
 */
#include <stdbool.h>
#include <string.h>

#include "ingest/failure/authres.h"

#define MAX_RESINFO 64

/* Drop (nested, escaped) comments; keep quoted strings with quotes. */
static char *
strip_comments(const char *s)
{
	GString *g = g_string_sized_new(strlen(s));
	unsigned depth = 0;
	bool quoted = false;

	for (; *s; s++) {
		if (*s == '\\' && s[1] && (quoted || depth)) {
			if (!depth)
				g_string_append_len(g, s, 2);
			s++;
			continue;
		}
		if (quoted) {
			g_string_append_c(g, *s);
			if (*s == '"')
				quoted = false;
		} else if (*s == '(') {
			depth++;
		} else if (*s == ')' && depth) {
			if (--depth == 0)
				g_string_append_c(g, ' ');
		} else if (depth == 0) {
			if (*s == '"')
				quoted = true;
			/* unfold and treat every space alike */
			g_string_append_c(g, *s == '\t' || *s == '\r' ||
			    *s == '\n' ? ' ' : *s);
		}
	}
	return g_string_free(g, FALSE);
}

/* Split s on c outside quoted strings (s is modified). */
static GPtrArray *
split(char *s, char c)
{
	GPtrArray *a = g_ptr_array_new();
	bool quoted = false;
	char *start = s;

	for (; *s; s++) {
		if (*s == '\\' && quoted && s[1]) {
			s++;
		} else if (*s == '"') {
			quoted = !quoted;
		} else if (*s == c && !quoted) {
			*s = '\0';
			g_ptr_array_add(a, start);
			start = s + 1;
		}
	}
	g_ptr_array_add(a, start);
	return a;
}

/* "k = v" -> "k=v" outside quotes, in place. */
static void
squeeze_equals(char *s)
{
	char *w = s, *r;
	bool quoted = false;

	for (r = s; *r; r++) {
		if (*r == '"')
			quoted = !quoted;
		if (!quoted && *r == ' ') {
			const char *n = r;

			while (*n == ' ')
				n++;
			if (*n == '=' || (w > s && w[-1] == '='))
				continue;
		}
		*w++ = *r;
	}
	*w = '\0';
}

static char *
unquote(const char *v)
{
	GString *g;
	size_t n = strlen(v);

	if (n < 2 || v[0] != '"' || v[n - 1] != '"')
		return g_strdup(v);
	g = g_string_sized_new(n);
	for (v++, n -= 2; n > 0; v++, n--) {
		if (*v == '\\' && n > 1) {
			v++;
			n--;
		}
		g_string_append_c(g, *v);
	}
	return g_string_free(g, FALSE);
}

static void
entry_clear(struct ds_authres *r)
{
	g_free(r->method);
	g_free(r->result);
	g_free(r->reason);
	g_free(r->header_d);
	g_free(r->header_i);
	g_free(r->header_s);
	g_free(r->header_from);
	g_free(r->smtp_mailfrom);
	g_free(r->smtp_helo);
}

void
ds_authres_free(GArray *a)
{
	guint i;

	if (a == NULL)
		return;
	for (i = 0; i < a->len; i++)
		entry_clear(&g_array_index(a, struct ds_authres, i));
	g_array_unref(a);
}

/* Set *slot to v unless already set (the first one counts). */
static void
prop(char **slot, const char *v, bool lower)
{
	if (*slot == NULL)
		*slot = lower ? g_ascii_strdown(v, -1) : g_strdup(v);
}

/* One resinfo segment; false when it does not start "method=result". */
static bool
resinfo(char *seg, struct ds_authres *r)
{
	GPtrArray *tok = split(seg, ' ');
	char *eq, *k, *v, *slash;
	guint i;
	bool first = true;

	memset(r, 0, sizeof(*r));
	for (i = 0; i < tok->len; i++) {
		k = g_ptr_array_index(tok, i);
		if (*k == '\0')
			continue;
		if ((eq = strchr(k, '=')) == NULL) {
			if (first)
				break;
			continue;
		}
		*eq = '\0';
		v = unquote(eq + 1);
		if (first) {
			if ((slash = strchr(k, '/')) != NULL)
				*slash = '\0';	/* method version */
			r->method = g_ascii_strdown(k, -1);
			r->result = g_ascii_strdown(v, -1);
			first = false;
		} else if (g_ascii_strcasecmp(k, "reason") == 0) {
			prop(&r->reason, v, false);
		} else if (g_ascii_strcasecmp(k, "header.d") == 0) {
			prop(&r->header_d, v, true);
		} else if (g_ascii_strcasecmp(k, "header.i") == 0) {
			prop(&r->header_i, v, false);
		} else if (g_ascii_strcasecmp(k, "header.s") == 0) {
			prop(&r->header_s, v, false);
		} else if (g_ascii_strcasecmp(k, "header.from") == 0) {
			prop(&r->header_from, v, true);
		} else if (g_ascii_strcasecmp(k, "smtp.mailfrom") == 0) {
			prop(&r->smtp_mailfrom, v, false);
		} else if (g_ascii_strcasecmp(k, "smtp.helo") == 0) {
			prop(&r->smtp_helo, v, true);
		}
		g_free(v);
	}
	g_ptr_array_free(tok, TRUE);
	if (r->method == NULL || *r->method == '\0' || *r->result == '\0') {
		entry_clear(r);
		return false;
	}
	return true;
}

GArray *
ds_authres_parse(const char *value, char **out_authserv_id)
{
	GArray *out = g_array_new(FALSE, TRUE, sizeof(struct ds_authres));
	struct ds_authres r;
	GPtrArray *segs;
	char *s, *seg, *sp;
	guint i = 0;

	if (out_authserv_id)
		*out_authserv_id = NULL;
	if (value == NULL)
		return out;
	s = strip_comments(value);
	squeeze_equals(s);
	segs = split(s, ';');
	seg = g_strstrip((char *)g_ptr_array_index(segs, 0));
	/* authserv-id [version], unless the value starts with a result */
	if (strchr(seg, '=') == NULL || ((sp = strchr(seg, ' ')) != NULL &&
	    strchr(sp, '=') == NULL)) {
		if ((sp = strchr(seg, ' ')) != NULL)
			*sp = '\0';
		if (out_authserv_id && *seg)
			*out_authserv_id = g_ascii_strdown(seg, -1);
		i = 1;
	}
	for (; i < segs->len && out->len < MAX_RESINFO; i++) {
		seg = g_strstrip((char *)g_ptr_array_index(segs, i));
		if (resinfo(seg, &r))
			g_array_append_val(out, r);
	}
	g_ptr_array_free(segs, TRUE);
	g_free(s);
	return out;
}

char *
ds_authres_spf_domain(const struct ds_authres *r)
{
	const char *at;

	if (r->smtp_mailfrom && *r->smtp_mailfrom) {
		at = strrchr(r->smtp_mailfrom, '@');
		return g_ascii_strdown(at ? at + 1 : r->smtp_mailfrom, -1);
	}
	return r->smtp_helo && *r->smtp_helo ? g_strdup(r->smtp_helo) : NULL;
}
