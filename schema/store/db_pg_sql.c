/*
 * db_pg_sql.c - the text side of the PostgreSQL back end: parameter
 * rewriting, which statements a cursor reads, advisory lock ids. No
 * libpq here, so the unit tests check it in every build.
 *
 * Besides ?N -> $N, the rewriting bridges two SQLite idioms the store's
 * shared SQL uses: "LIMIT ?N" with a negative N meaning no limit (on
 * PostgreSQL LIMIT NULL does), and "CROSS JOIN t ON ..." (SQLite's
 * join-order hint; PostgreSQL only takes INNER JOIN with ON): a CROSS JOIN
 * whose item has an ON clause becomes INNER JOIN, one without stays.
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "schema/store/db_pg.h"

/* out ends with the keyword kw (a whole word), blanks after it ignored. */
static bool
ends_with_word(const GString *out, const char *kw)
{
	size_t n = out->len, k = strlen(kw);

	while (n > 0 && g_ascii_isspace(out->str[n - 1]))
		n--;
	if (n < k || g_ascii_strncasecmp(out->str + n - k, kw, k) != 0)
		return false;
	return n == k || !(g_ascii_isalnum(out->str[n - k - 1]) ||
	    out->str[n - k - 1] == '_');
}

/*
 * Whether the join item after p (just past "CROSS JOIN") has an ON
 * clause: the next word at its own parenthesis level among ON, JOIN,
 * WHERE, GROUP, ORDER, LIMIT, UNION, or the end of its level.
 */
static bool
has_on(const char *p)
{
	static const char *const stop[] = { "JOIN", "WHERE", "GROUP",
	    "ORDER", "LIMIT", "UNION", "CROSS", "INNER", "LEFT" };
	int depth = 0;
	size_t i, n;

	while (*p) {
		if (*p == '\'' || *p == '"') {
			char q = *p++;

			while (*p && *p != q)
				p++;
			if (*p)
				p++;
			continue;
		}
		if (*p == '(') {
			depth++;
			p++;
			continue;
		}
		if (*p == ')') {
			if (--depth < 0)
				return false;
			p++;
			continue;
		}
		if (!g_ascii_isalpha(*p) && *p != '_') {
			p++;
			continue;
		}
		for (n = 0; g_ascii_isalnum(p[n]) || p[n] == '_'; n++)
			;
		if (depth == 0) {
			if (n == 2 && g_ascii_strncasecmp(p, "ON", 2) == 0)
				return true;
			for (i = 0; i < G_N_ELEMENTS(stop); i++)
				if (n == strlen(stop[i]) &&
				    g_ascii_strncasecmp(p, stop[i], n) == 0)
					return false;
		}
		p += n;
	}
	return false;
}

/* s starts with the words "CROSS JOIN" (any case, any blanks). */
static size_t
cross_join(const char *s, const GString *out)
{
	const char *p = s + 5;

	if (g_ascii_strncasecmp(s, "CROSS", 5) != 0 ||
	    !g_ascii_isspace(*p))
		return 0;
	if (out->len > 0 && (g_ascii_isalnum(out->str[out->len - 1]) ||
	    out->str[out->len - 1] == '_'))
		return 0;
	while (g_ascii_isspace(*p))
		p++;
	if (g_ascii_strncasecmp(p, "JOIN", 4) != 0 || g_ascii_isalnum(p[4]) ||
	    p[4] == '_' || !has_on(p + 4))
		return 0;
	return (size_t)(p + 4 - s);
}

/* Copy a quoted run starting at s[0] == q (doubled q escapes q). */
static const char *
copy_quoted(GString *out, const char *s, char q)
{
	g_string_append_c(out, *s++);
	while (*s) {
		g_string_append_c(out, *s);
		if (*s++ == q) {
			if (*s != q)
				return s;
			g_string_append_c(out, *s++);
		}
	}
	return s;
}

char *
ds_db_pg_rewrite(const char *sql, int *nparams, guint8 **used)
{
	GString *out = g_string_sized_new(strlen(sql) + 16);
	GByteArray *seen = g_byte_array_new();
	const char *s = sql;
	int max = 0;
	guint8 one = 1, zero = 0;
	size_t cj;

	while (*s) {
		if (*s == '\'' || *s == '"') {
			s = copy_quoted(out, s, *s);
		} else if (s[0] == '-' && s[1] == '-') {
			const char *e = strchr(s, '\n');
			size_t n = e ? (size_t)(e - s) : strlen(s);

			g_string_append_len(out, s, (gssize)n);
			s += n;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");
			size_t n = e ? (size_t)(e + 2 - s) : strlen(s);

			g_string_append_len(out, s, (gssize)n);
			s += n;
		} else if (*s == '?') {
			int v = 0;

			s++;
			if (g_ascii_isdigit(*s)) {
				while (g_ascii_isdigit(*s) && v < 100000)
					v = v * 10 + (*s++ - '0');
			} else
				v = max + 1;
			if (v > max)
				max = v;
			while ((int)seen->len < v)
				g_byte_array_append(seen, &zero, 1);
			seen->data[v - 1] = one;
			/* SQLite: a negative LIMIT is none; PostgreSQL: NULL */
			if (ends_with_word(out, "LIMIT"))
				g_string_append_printf(out, "CASE WHEN $%d < 0 "
				    "THEN NULL ELSE $%d END", v, v);
			else
				g_string_append_printf(out, "$%d", v);
		} else if ((cj = cross_join(s, out)) > 0) {
			/* SQLite's join-order hint; the store writes it with ON */
			g_string_append(out, "INNER JOIN");
			s += cj;
		} else
			g_string_append_c(out, *s++);
	}
	*nparams = max;
	g_byte_array_append(seen, &zero, 1);	/* never empty */
	if (used)
		*used = g_byte_array_free(seen, FALSE);
	else
		g_byte_array_free(seen, TRUE);
	return g_string_free(out, FALSE);
}

bool
ds_db_pg_returns_rows(const char *sql)
{
	static const char *const kw[] = { "SELECT", "WITH", "VALUES",
	    "TABLE" };
	const char *s = sql;
	size_t i, n;

	for (;;) {
		while (g_ascii_isspace(*s) || *s == '(')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			s = strchr(s, '\n');
			if (s == NULL)
				return false;
		} else if (s[0] == '/' && s[1] == '*') {
			s = strstr(s + 2, "*/");
			if (s == NULL)
				return false;
			s += 2;
		} else
			break;
	}
	for (i = 0; i < G_N_ELEMENTS(kw); i++) {
		n = strlen(kw[i]);
		if (g_ascii_strncasecmp(s, kw[i], n) == 0 &&
		    !g_ascii_isalnum(s[n]) && s[n] != '_')
			return true;
	}
	return false;
}

/* FNV-1a, 64 bits, of "dmarcsift:" + key: stable across hosts. */
int64_t
ds_db_pg_lock_id(const char *key)
{
	const char *parts[2] = { "dmarcsift:", key ? key : "" };
	uint64_t h = 0xcbf29ce484222325ULL;
	const unsigned char *p;
	int i;

	for (i = 0; i < 2; i++)
		for (p = (const unsigned char *)parts[i]; *p; p++) {
			h ^= *p;
			h *= 0x100000001b3ULL;
		}
	return (int64_t)h;
}
