/*
 * dmarc_record.c - parse a DMARC policy record (RFC 7489 §6.3 and §6.4,
 * RFC 9989 tags np, psd and t).
 * SPDX-License-Identifier: MIT
 *
 * Tag-value list (RFC 6376 §3.2 syntax): "v=DMARC1; p=reject; ...".
 * v=DMARC1 must come first and match exactly, else the record is not a
 * DMARC record. Every other problem is a warning and the default value:
 * a missing or invalid p= counts as p=none (RFC 9989 §5.3), an invalid
 * sp=/np= is ignored (the next policy up applies).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema/policy/dmarc_policy.h"
#include "schema/util/error.h"

#define MAX_TAGS 64

static void
warn(struct ds_dmarc_record *r, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void
warn(struct ds_dmarc_record *r, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_ptr_array_add(r->warnings, g_strdup_vprintf(fmt, ap));
	va_end(ap);
}

static const char *
policy_word(const char *v)
{
	if (g_ascii_strcasecmp(v, "none") == 0)
		return "none";
	if (g_ascii_strcasecmp(v, "quarantine") == 0)
		return "quarantine";
	if (g_ascii_strcasecmp(v, "reject") == 0)
		return "reject";
	return NULL;
}

static void
set_policy(struct ds_dmarc_record *r, char **dst, const char *tag,
    const char *v)
{
	const char *w = policy_word(v);

	if (w == NULL) {
		warn(r, "invalid %s=%s (none, quarantine or reject)", tag, v);
		return;
	}
	g_free(*dst);
	*dst = g_strdup(w);
}

static void
set_align(struct ds_dmarc_record *r, char *dst, const char *tag,
    const char *v)
{
	if (g_ascii_strcasecmp(v, "r") == 0 || g_ascii_strcasecmp(v, "s") == 0)
		*dst = g_ascii_tolower(v[0]);
	else
		warn(r, "invalid %s=%s (r or s)", tag, v);
}

static bool
parse_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;

	if (!g_ascii_isdigit(v[0]))
		return false;
	*out = strtoul(v, &end, 10);
	return *end == '\0' && *out <= max;
}

/* RFC 7489 §6.4: dmarc-uri *(*WSP "," *WSP dmarc-uri) */
static void
set_uris(struct ds_dmarc_record *r, GPtrArray *dst, const char *tag,
    const char *v)
{
	char **parts;
	size_t i;

	parts = g_strsplit(v, ",", 0);
	for (i = 0; parts[i] != NULL; i++) {
		char *u = g_strstrip(parts[i]);
		const char *colon = strchr(u, ':');

		if (*u == '\0' || colon == NULL || colon == u) {
			warn(r, "invalid URI in %s: \"%s\"", tag, u);
			continue;
		}
		g_ptr_array_add(dst, g_strdup(u));
	}
	g_strfreev(parts);
}

static void
set_fo(struct ds_dmarc_record *r, const char *v)
{
	char **parts;
	size_t i;
	bool ok = true;

	parts = g_strsplit(v, ":", 0);
	for (i = 0; parts[i] != NULL; i++) {
		const char *o = g_strstrip(parts[i]);

		if (strcmp(o, "0") != 0 && strcmp(o, "1") != 0 &&
		    g_ascii_strcasecmp(o, "d") != 0 &&
		    g_ascii_strcasecmp(o, "s") != 0)
			ok = false;
	}
	g_strfreev(parts);
	if (!ok) {
		warn(r, "invalid fo=%s (0, 1, d, s separated by ':')", v);
		return;
	}
	g_free(r->fo);
	r->fo = g_strdup(v);
}

static void
set_tag(struct ds_dmarc_record *r, const char *tag, const char *v)
{
	unsigned long n;

	if (strcmp(tag, "p") == 0)
		set_policy(r, &r->p, tag, v);
	else if (strcmp(tag, "sp") == 0)
		set_policy(r, &r->sp, tag, v);
	else if (strcmp(tag, "np") == 0)
		set_policy(r, &r->np, tag, v);
	else if (strcmp(tag, "adkim") == 0)
		set_align(r, &r->adkim, tag, v);
	else if (strcmp(tag, "aspf") == 0)
		set_align(r, &r->aspf, tag, v);
	else if (strcmp(tag, "pct") == 0) {
		if (parse_uint(v, 100, &n))
			r->pct = (int)n;
		else
			warn(r, "invalid pct=%s (0 to 100)", v);
	} else if (strcmp(tag, "t") == 0) {
		if (g_ascii_strcasecmp(v, "y") == 0 ||
		    g_ascii_strcasecmp(v, "n") == 0)
			r->testing = g_ascii_tolower(v[0]) == 'y';
		else
			warn(r, "invalid t=%s (y or n)", v);
	} else if (strcmp(tag, "psd") == 0) {
		if (strlen(v) == 1 && strchr("ynu", g_ascii_tolower(v[0])))
			r->psd = g_ascii_tolower(v[0]);
		else
			warn(r, "invalid psd=%s (y, n or u)", v);
	} else if (strcmp(tag, "rua") == 0)
		set_uris(r, r->rua, tag, v);
	else if (strcmp(tag, "ruf") == 0)
		set_uris(r, r->ruf, tag, v);
	else if (strcmp(tag, "fo") == 0)
		set_fo(r, v);
	else if (strcmp(tag, "rf") == 0) {
		if (g_ascii_strcasecmp(v, "afrf") != 0)
			warn(r, "unsupported rf=%s (afrf)", v);
		g_free(r->rf);
		r->rf = g_ascii_strdown(v, -1);
	} else if (strcmp(tag, "ri") == 0) {
		if (parse_uint(v, G_MAXUINT32, &n))
			r->ri = (unsigned)n;
		else
			warn(r, "invalid ri=%s (seconds)", v);
	} else
		warn(r, "unknown tag %s", tag);
}

bool
ds_dmarc_record_parse(const char *txt, struct ds_dmarc_record *r,
    GError **err)
{
	char **terms = NULL;
	GHashTable *seen;
	size_t i, ntags = 0;
	bool p_seen = false, ok = false;

	memset(r, 0, sizeof(*r));
	r->text = g_strdup(txt);
	r->adkim = r->aspf = 'r';
	r->pct = 100;
	r->psd = 'u';
	r->ri = 86400;
	r->fo = g_strdup("0");
	r->rf = g_strdup("afrf");
	r->rua = g_ptr_array_new_with_free_func(g_free);
	r->ruf = g_ptr_array_new_with_free_func(g_free);
	r->warnings = g_ptr_array_new_with_free_func(g_free);
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	terms = g_strsplit(txt, ";", 0);
	for (i = 0; terms[i] != NULL; i++) {
		char *t = g_strstrip(terms[i]), *eq, *tag, *v;

		if (*t == '\0')
			continue;
		eq = strchr(t, '=');
		if (ntags == 0) {
			if (eq != NULL)
				*eq = '\0';
			if (eq == NULL || g_ascii_strcasecmp(g_strstrip(t),
			    "v") != 0 || strcmp(g_strstrip(eq + 1),
			    "DMARC1") != 0) {
				ds_fail(err, DS_ERROR_SCHEMA, "not a DMARC "
				    "record (v=DMARC1 must come first)");
				goto done;
			}
			ntags++;
			continue;
		}
		if (eq == NULL) {
			warn(r, "malformed term \"%s\" (no '=')", t);
			continue;
		}
		*eq = '\0';
		tag = g_ascii_strdown(g_strstrip(t), -1);
		v = g_strstrip(eq + 1);
		if (++ntags > MAX_TAGS) {
			g_free(tag);
			warn(r, "more than %d tags: the rest is ignored",
			    MAX_TAGS);
			break;
		}
		if (strcmp(tag, "v") == 0)
			warn(r, "v= must be the first tag only");
		else if (g_hash_table_contains(seen, tag))
			warn(r, "duplicate tag %s: the first one counts", tag);
		else {
			if (strcmp(tag, "p") == 0)
				p_seen = true;
			set_tag(r, tag, v);
			g_hash_table_add(seen, g_strdup(tag));
		}
		g_free(tag);
	}
	if (ntags == 0) {
		ds_fail(err, DS_ERROR_SCHEMA, "empty record");
		goto done;
	}
	if (!p_seen)
		warn(r, "no p= tag: treated as p=none");
	if (r->p == NULL)
		r->p = g_strdup("none");
	ok = true;
done:
	g_strfreev(terms);
	g_hash_table_destroy(seen);
	return ok;
}

void
ds_dmarc_record_clear(struct ds_dmarc_record *r)
{
	if (r == NULL)
		return;
	g_free(r->text);
	g_free(r->p);
	g_free(r->sp);
	g_free(r->np);
	g_free(r->fo);
	g_free(r->rf);
	if (r->rua != NULL)
		g_ptr_array_unref(r->rua);
	if (r->ruf != NULL)
		g_ptr_array_unref(r->ruf);
	if (r->warnings != NULL)
		g_ptr_array_unref(r->warnings);
	memset(r, 0, sizeof(*r));
}
