/*
 * source_imap_parse.c - the IMAP replies dmarcsift reads, parsed from
 * memory: SEARCH, FETCH (UID RFC822.SIZE FLAGS), STATUS, CAPABILITY,
 * LIST; and the sequence sets and quoted strings it writes.
 * SPDX-License-Identifier: MIT
 *
 * RFC 3501 sections 7.2 (CAPABILITY, LIST, SEARCH, STATUS), 7.4.2
 * (FETCH), 9 (grammar: nz-number, sequence-set, quoted). The server is
 * not trusted: unknown or malformed lines are passed over, numbers are
 * range-checked, nothing is assumed about order.
 */
#include <string.h>

#include "ingest/source/imap.h"

/* One line of buf: [*p, *p + *n), without CRLF; false at the end. */
static bool
next_line(const char *buf, size_t len, size_t *off, const char **p,
    size_t *n)
{
	const char *nl;

	if (*off >= len)
		return false;
	*p = buf + *off;
	nl = memchr(*p, '\n', len - *off);
	*n = nl ? (size_t)(nl - *p) : len - *off;
	*off += *n + (nl ? 1 : 0);
	if (*n > 0 && (*p)[*n - 1] == '\r')
		(*n)--;
	return true;
}

/* "* WORD" (case-insensitive) at the start of line: the rest, or NULL. */
static const char *
untagged(const char *p, size_t n, const char *word, size_t *rest)
{
	size_t w = strlen(word);

	if (n < 2 + w || p[0] != '*' || p[1] != ' ' ||
	    g_ascii_strncasecmp(p + 2, word, w) != 0 ||
	    (n > 2 + w && p[2 + w] != ' '))
		return NULL;
	*rest = n - 2 - w;
	return p + 2 + w;
}

/* An nz-number (1..2^32-1) at p[*i]; *i moves past it. */
static bool
number(const char *p, size_t n, size_t *i, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t start = *i;

	while (*i < n && g_ascii_isdigit(p[*i])) {
		v = v * 10 + (uint64_t)(p[*i] - '0');
		if (v > max)
			return false;
		(*i)++;
	}
	*out = v;
	return *i > start;
}

void
ds_imap_parse_search(const char *buf, size_t len, GArray *uids)
{
	const char *p, *r;
	size_t off = 0, n, rn, i;
	uint64_t v;
	uint32_t u;

	while (next_line(buf, len, &off, &p, &n)) {
		if ((r = untagged(p, n, "SEARCH", &rn)) == NULL)
			continue;
		for (i = 0; i < rn;) {
			if (number(r, rn, &i, G_MAXUINT32, &v) && v > 0 &&
			    (i == rn || r[i] == ' ')) {
				u = (uint32_t)v;
				g_array_append_val(uids, u);
			}
			while (i < rn && r[i] != ' ')
				i++;	/* not a number: (MODSEQ n) */
			while (i < rn && r[i] == ' ')
				i++;
		}
	}
}

/* Skip one value at r[*i]: a parenthesised list, quoted string or atom. */
static void
skip_value(const char *r, size_t n, size_t *i)
{
	int depth = 0;
	bool q = false;

	for (; *i < n; (*i)++) {
		if (q) {
			if (r[*i] == '\\' && *i + 1 < n)
				(*i)++;
			else if (r[*i] == '"')
				q = false;
			continue;
		}
		if (r[*i] == '"')
			q = true;
		else if (r[*i] == '(')
			depth++;
		else if (r[*i] == ')') {
			if (depth == 0)
				return;	/* the end of the enclosing list */
			if (--depth == 0) {
				(*i)++;
				return;
			}
		} else if (r[*i] == ' ' && depth == 0)
			return;
	}
}

/* Whether the flag list f[0..n) holds \Seen (any case). */
static bool
has_seen(const char *f, size_t n)
{
	size_t i;

	for (i = 0; i + 5 <= n; i++)
		if (g_ascii_strncasecmp(f + i, "\\Seen", 5) == 0 &&
		    (i + 5 == n || f[i + 5] == ' ' || f[i + 5] == ')'))
			return true;
	return false;
}

void
ds_imap_parse_fetch(const char *buf, size_t len, GArray *infos)
{
	struct ds_imap_info info;
	const char *p;
	size_t off = 0, n, i, a;
	uint64_t v;
	bool have_uid, have_size;

	while (next_line(buf, len, &off, &p, &n)) {
		i = 2;
		if (n < 4 || p[0] != '*' || p[1] != ' ' ||
		    !number(p, n, &i, G_MAXUINT32, &v) || n - i < 8 ||
		    g_ascii_strncasecmp(p + i, " FETCH (", 8) != 0)
			continue;
		i += 8;
		memset(&info, 0, sizeof(info));
		have_uid = have_size = false;
		while (i < n && p[i] != ')') {
			a = i;
			while (i < n && p[i] != ' ' && p[i] != ')')
				i++;
			if (i >= n || p[i] != ' ')
				break;
			i++;
			if (i - a == 4 && g_ascii_strncasecmp(p + a, "UID", 3)
			    == 0) {
				have_uid = number(p, n, &i, G_MAXUINT32, &v) &&
				    v > 0;
				info.uid = (uint32_t)v;
			} else if (i - a == 12 && g_ascii_strncasecmp(p + a,
			    "RFC822.SIZE", 11) == 0) {
				have_size = number(p, n, &i, G_MAXINT64, &v);
				info.size = v;
			} else if (i - a == 6 && g_ascii_strncasecmp(p + a,
			    "FLAGS", 5) == 0 && i < n && p[i] == '(') {
				a = i;
				skip_value(p, n, &i);
				info.seen = has_seen(p + a, i - a);
			} else
				skip_value(p, n, &i);
			while (i < n && p[i] == ' ')
				i++;
		}
		if (have_uid && have_size)
			g_array_append_val(infos, info);
	}
}

bool
ds_imap_parse_status(const char *buf, size_t len, uint32_t *out,
    uint32_t *out_messages)
{
	const char *p, *r, *l;
	size_t off = 0, n, rn, i;
	uint64_t v;
	bool found = false;

	*out_messages = 0;
	while (!found && next_line(buf, len, &off, &p, &n)) {
		if ((r = untagged(p, n, "STATUS", &rn)) == NULL)
			continue;
		/* the attribute list is the last parenthesised part */
		for (l = r + rn; l > r && l[-1] != '('; l--)
			;
		if (l == r)
			continue;
		i = (size_t)(l - r);
		while (i < rn) {
			if (rn - i > 12 && g_ascii_strncasecmp(r + i,
			    "UIDVALIDITY ", 12) == 0) {
				i += 12;
				if (number(r, rn, &i, G_MAXUINT32, &v) &&
				    v > 0) {
					*out = (uint32_t)v;
					found = true;
				}
			} else if (rn - i > 9 && g_ascii_strncasecmp(r + i,
			    "MESSAGES ", 9) == 0) {
				i += 9;
				if (number(r, rn, &i, G_MAXUINT32, &v))
					*out_messages = (uint32_t)v;
			}
			/* to the next attribute name */
			while (i < rn && r[i] != ' ')
				i++;
			while (i < rn && r[i] == ' ')
				i++;
			if (i < rn && g_ascii_isdigit(r[i]))
				while (i < rn && r[i] != ' ')
					i++;
			while (i < rn && r[i] == ' ')
				i++;
		}
	}
	return found;
}

char **
ds_imap_parse_caps(const char *buf, size_t len)
{
	GPtrArray *caps = g_ptr_array_new();
	const char *p, *r;
	char **w, *line;
	size_t off = 0, n, rn, i;

	while (next_line(buf, len, &off, &p, &n)) {
		if ((r = untagged(p, n, "CAPABILITY", &rn)) == NULL)
			continue;
		line = g_strndup(r, rn);
		w = g_strsplit(line, " ", -1);
		for (i = 0; w[i] != NULL; i++)
			if (w[i][0] != '\0')
				g_ptr_array_add(caps, g_ascii_strup(w[i], -1));
		g_strfreev(w);
		g_free(line);
	}
	g_ptr_array_add(caps, NULL);
	return (char **)g_ptr_array_free(caps, FALSE);
}

bool
ds_imap_parse_list(const char *buf, size_t len)
{
	const char *p;
	size_t off = 0, n, rn;

	while (next_line(buf, len, &off, &p, &n))
		if (untagged(p, n, "LIST", &rn) != NULL)
			return true;
	return false;
}

char *
ds_imap_uid_set(const uint32_t *uids, size_t n, size_t *pos, size_t max_uids,
    size_t max_len)
{
	GString *s = g_string_new(NULL);
	size_t i = *pos, j, before, end = n;

	if (max_uids > 0 && n - i > max_uids)
		end = i + max_uids;
	while (i < end) {
		for (j = i; j + 1 < end && uids[j + 1] == uids[j] + 1; j++)
			;
		before = s->len;
		if (s->len)
			g_string_append_c(s, ',');
		if (j > i)
			g_string_append_printf(s, "%u:%u", uids[i], uids[j]);
		else
			g_string_append_printf(s, "%u", uids[i]);
		if (s->len > max_len && before > 0) {
			g_string_truncate(s, before);
			break;
		}
		i = j + 1;
	}
	*pos = i;
	return g_string_free(s, FALSE);
}

char *
ds_imap_quote(const char *s)
{
	GString *q = g_string_new("\"");

	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			g_string_append_c(q, '\\');
		g_string_append_c(q, *s);
	}
	g_string_append_c(q, '"');
	return g_string_free(q, FALSE);
}
