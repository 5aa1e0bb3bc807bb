/*
 * failure_fields.c - the header-style fields of a failure report: the
 * message/feedback-report part (RFC 5965 §3, RFC 6591 §3, RFC 9991) and
 * the header block of the original message.
 * SPDX-License-Identifier: MIT
 *
 * Our own small RFC 5322 header-block reader instead of GMime's, because
 * one hostile field name (4,222 characters, THREATS.md "Observed") makes
 * GMime drop the whole block; here it costs that one field and a
 * warning. THREATS #8 (valid UTF-8 out, NULs replaced, long values cut
 * with a warning, never silently), #14 (canonical source IP).
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include <gmime/gmime.h>

#include "schema/util/error.h"
#include "ingest/failure/failure_int.h"

char *
ds_failure_utf8(const char *p, size_t n, bool *bad)
{
	GString *g = g_string_sized_new(n + 1);
	const char *end = p + n;
	gunichar c;

	while (p < end) {
		if (*p == '\0') {
			c = (gunichar)-1;
		} else {
			c = g_utf8_get_char_validated(p, end - p);
		}
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			g_string_append(g, "\xef\xbf\xbd");	/* U+FFFD */
			if (bad)
				*bad = true;
			p++;
			continue;
		}
		g_string_append_len(g, p, g_utf8_next_char(p) - p);
		p = g_utf8_next_char(p);
	}
	return g_string_free(g, FALSE);
}

char *
ds_failure_canon_ip(const char *s)
{
	char text[INET6_ADDRSTRLEN + 8], out[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	size_t n;

	while (*s == ' ' || *s == '\t' || *s == '[')
		s++;
	if (g_ascii_strncasecmp(s, "IPv6:", 5) == 0)
		s += 5;
	for (n = 0; s[n] && s[n] != ']' && s[n] != ' ' && s[n] != '\t' &&
	    s[n] != '(' && s[n] != ';'; n++)
		;
	if (n == 0 || n >= sizeof(text))
		return NULL;
	memcpy(text, s, n);
	text[n] = '\0';
	/* THREATS.md: inet_pton only (inet_aton takes octal and hex) */
	if (inet_pton(AF_INET, text, &a4) == 1)
		return g_strdup(inet_ntop(AF_INET, &a4, out, sizeof(out)));
	if (inet_pton(AF_INET6, text, &a6) != 1)
		return NULL;
	if (IN6_IS_ADDR_V4MAPPED(&a6)) {
		memcpy(&a4, &a6.s6_addr[12], 4);
		return g_strdup(inet_ntop(AF_INET, &a4, out, sizeof(out)));
	}
	return g_strdup(inet_ntop(AF_INET6, &a6, out, sizeof(out)));
}

int64_t
ds_failure_date(const char *s)
{
	GDateTime *dt;
	int64_t t;

	if (s == NULL || (dt = g_mime_utils_header_decode_date(s)) == NULL)
		return 0;
	t = g_date_time_to_unix(dt);
	g_date_time_unref(dt);
	/* GMime gives the epoch for dates it cannot read */
	return t > 0 ? t : 0;
}

void
ds_failure_fields_free(GArray *a)
{
	guint i;

	for (i = 0; a && i < a->len; i++) {
		g_free(g_array_index(a, struct ds_failure_field, i).name);
		g_free(g_array_index(a, struct ds_failure_field, i).value);
	}
	if (a)
		g_array_set_size(a, 0);
}

/* Close the field being read: trim, cut, make valid UTF-8, append. */
static void
field_end(struct ds_failure *f, const char *prefix, GArray *out,
    char **name, GString *raw, size_t max_value)
{
	struct ds_failure_field x;
	size_t a = 0, b = raw->len;
	bool bad = false;

	if (*name == NULL)
		return;
	while (a < b && (raw->str[a] == ' ' || raw->str[a] == '\t'))
		a++;
	while (b > a && (raw->str[b - 1] == ' ' || raw->str[b - 1] == '\t' ||
	    raw->str[b - 1] == '\r'))
		b--;
	if (b - a > max_value) {
		ds_failure_warn(f, "%slong-field: %s cut at %zu bytes", prefix,
		    *name, max_value);
		b = a + max_value;
	}
	x.name = *name;
	x.value = ds_failure_utf8(raw->str + a, b - a, &bad);
	if (bad)
		ds_failure_warn(f, "%sinvalid-utf8: %s", prefix, x.name);
	g_array_append_val(out, x);
	*name = NULL;
}

/* Is line[0..n) "Name:" with a valid RFC 5322 field name? */
static size_t
field_name_len(const char *line, size_t n)
{
	size_t i;

	for (i = 0; i < n && line[i] != ':'; i++)
		if ((unsigned char)line[i] < 33 || (unsigned char)line[i] > 126)
			break;
	if (i == n || i == 0)
		return 0;
	/* obsolete syntax (RFC 5322 §4.5): WSP between name and ':' */
	if (line[i] != ':') {
		size_t j = i;

		while (j < n && (line[j] == ' ' || line[j] == '\t'))
			j++;
		if (j == n || line[j] != ':')
			return 0;
	}
	return i;
}

size_t
ds_failure_headers(struct ds_failure *f, const char *prefix, const char *buf,
    size_t len, size_t max_value, GArray *out)
{
	GString *raw = g_string_new(NULL);
	char *name = NULL, *q;
	size_t pos = 0, eol, n, nl, colon;
	bool full = false;

	if (len >= 5 && memcmp(buf, "From ", 5) == 0) {
		const char *e = memchr(buf, '\n', len);

		pos = e ? (size_t)(e - buf) + 1 : len;
	}
	while (pos < len) {
		const char *line = buf + pos, *e;

		e = memchr(line, '\n', len - pos);
		eol = e ? (size_t)(e - buf) : len;
		n = eol - pos;
		if (n && line[n - 1] == '\r')
			n--;
		pos = e ? eol + 1 : len;
		if (n == 0)
			break;		/* the empty line ends the block */
		if (line[0] == ' ' || line[0] == '\t') {
			if (name && raw->len < max_value + 2)
				g_string_append_len(raw, line,
				    (gssize)MIN(n, max_value + 2 - raw->len));
			else if (name == NULL && !full)
				ds_failure_warn(f, "%sstray-continuation",
				    prefix);
			continue;
		}
		field_end(f, prefix, out, &name, raw, max_value);
		g_string_truncate(raw, 0);
		if ((nl = field_name_len(line, n)) == 0) {
			q = ds_quote(line, MIN(n, 60), 60);
			ds_failure_warn(f, "%smalformed-line: '%s'", prefix, q);
			g_free(q);
			continue;
		}
		if (nl > DS_FAILURE_MAX_NAME) {
			ds_failure_warn(f, "%slong-field-name: %zu characters",
			    prefix, nl);
			continue;
		}
		if (out->len >= DS_FAILURE_MAX_FIELDS) {
			if (!full)
				ds_failure_warn(f, "%stoo-many-fields: only "
				    "the first %d kept", prefix,
				    DS_FAILURE_MAX_FIELDS);
			full = true;
			continue;
		}
		colon = (size_t)((const char *)memchr(line, ':', n) - line);
		name = g_strndup(line, nl);
		g_string_append_len(raw, line + colon + 1,
		    (gssize)MIN(n - colon - 1, max_value + 2));
	}
	field_end(f, prefix, out, &name, raw, max_value);
	g_string_free(raw, TRUE);
	return pos;
}

/* ---- the message/feedback-report fields ---- */

enum kind { ONE, MANY };
enum norm { VERBATIM, LOWER, IP, DATE, DOMAIN };

static const struct map {
	const char *name;
	size_t off;
	enum kind kind;
	enum norm norm;
} map[] = {
	{ "Feedback-Type", offsetof(struct ds_failure, feedback_type), ONE,
	  LOWER },
	{ "User-Agent", offsetof(struct ds_failure, user_agent), ONE,
	  VERBATIM },
	{ "Version", offsetof(struct ds_failure, version), ONE, VERBATIM },
	{ "Original-Mail-From", offsetof(struct ds_failure,
	  original_mail_from), ONE, VERBATIM },
	{ "Original-Rcpt-To", offsetof(struct ds_failure, original_rcpt_to),
	  MANY, VERBATIM },
	{ "Arrival-Date", offsetof(struct ds_failure, arrival_date), ONE,
	  DATE },
	{ "Source-IP", offsetof(struct ds_failure, source_ip), ONE, IP },
	{ "Reported-Domain", offsetof(struct ds_failure, reported_domain),
	  MANY, DOMAIN },
	{ "Reported-URI", offsetof(struct ds_failure, reported_uri), MANY,
	  VERBATIM },
	{ "Authentication-Results", offsetof(struct ds_failure,
	  auth_results), ONE, VERBATIM },
	{ "Auth-Failure", offsetof(struct ds_failure, auth_failure), ONE,
	  LOWER },
	{ "DKIM-Domain", offsetof(struct ds_failure, dkim_domain), ONE,
	  DOMAIN },
	{ "DKIM-Identity", offsetof(struct ds_failure, dkim_identity), ONE,
	  VERBATIM },
	{ "DKIM-Selector", offsetof(struct ds_failure, dkim_selector), ONE,
	  VERBATIM },
	{ "DKIM-Canonicalized-Header", offsetof(struct ds_failure,
	  dkim_canon_header), ONE, VERBATIM },
	{ "DKIM-Canonicalized-Body", offsetof(struct ds_failure,
	  dkim_canon_body), ONE, VERBATIM },
	{ "SPF-DNS", offsetof(struct ds_failure, spf_dns), MANY, VERBATIM },
	{ "Delivery-Result", offsetof(struct ds_failure, delivery_result), ONE,
	  LOWER },
	{ "Identity-Alignment", offsetof(struct ds_failure,
	  identity_alignment), ONE, LOWER },
	/* RFC 5965 §3.2 alias of Arrival-Date */
	{ "Received-Date", offsetof(struct ds_failure, arrival_date), ONE,
	  DATE },
};

/* RFC 5965 §7.3 (feedback types), RFC 6591 §3.1 and §3.2 */
static const char *const feedback_types[] = { "abuse", "fraud", "virus",
    "other", "not-spam", "auth-failure", NULL };
static const char *const auth_failures[] = { "adsp", "bodyhash", "revoked",
    "signature", "spf", "dmarc", "dkim", NULL };
static const char *const delivery_results[] = { "delivered", "spam",
    "policy", "reject", "other", NULL };

static bool
known(const char *const *words, const char *w)
{
	for (; *words; words++)
		if (strcmp(*words, w) == 0)
			return true;
	return false;
}

static void
warn_value(struct ds_failure *f, const char *what, const char *name,
    const char *v)
{
	char *q = ds_quote(v, strlen(v), 80);

	ds_failure_warn(f, "%s: %s '%s'", what, name, q);
	g_free(q);
}

/* Normalise one value; NULL drops it (the warning says why). */
static char *
normalise(struct ds_failure *f, const struct map *m, const char *v)
{
	char *s;

	switch (m->norm) {
	case LOWER:
		return g_ascii_strdown(v, -1);
	case IP:
		if ((s = ds_failure_canon_ip(v)) == NULL)
			warn_value(f, "bad-source-ip", m->name, v);
		return s;
	case DATE:
		if (ds_failure_date(v) == 0)
			warn_value(f, "bad-date", m->name, v);
		return g_strdup(v);
	case DOMAIN:
		s = g_ascii_strdown(v, -1);
		if (*s && s[strlen(s) - 1] == '.')
			s[strlen(s) - 1] = '\0';
		return s;
	default:
		return g_strdup(v);
	}
}

/* Identity-Alignment as "none", "spf", "dkim" or "dkim,spf". */
static void
check_alignment(struct ds_failure *f)
{
	char **tok, *v = f->identity_alignment;
	bool dkim = false, spf = false, none = false, other = false;
	int i;

	if (v == NULL)
		return;
	tok = g_strsplit_set(v, ", \t", -1);
	for (i = 0; tok[i]; i++) {
		if (strcmp(tok[i], "dkim") == 0)
			dkim = true;
		else if (strcmp(tok[i], "spf") == 0)
			spf = true;
		else if (strcmp(tok[i], "none") == 0)
			none = true;
		else if (tok[i][0])
			other = true;
	}
	g_strfreev(tok);
	if (other || (none && (dkim || spf))) {
		warn_value(f, "unknown-value", "Identity-Alignment", v);
		return;
	}
	g_free(f->identity_alignment);
	f->identity_alignment = g_strdup(dkim && spf ? "dkim,spf" : dkim ?
	    "dkim" : spf ? "spf" : "none");
}

static void
check_required(struct ds_failure *f)
{
	if (f->feedback_type == NULL)
		ds_failure_warn(f, "missing-field: Feedback-Type");
	else if (!known(feedback_types, f->feedback_type))
		warn_value(f, "unknown-value", "Feedback-Type",
		    f->feedback_type);
	else if (strcmp(f->feedback_type, "auth-failure") != 0)
		warn_value(f, "not-auth-failure", "Feedback-Type",
		    f->feedback_type);
	if (f->user_agent == NULL)
		ds_failure_warn(f, "missing-field: User-Agent");
	if (f->version == NULL)
		ds_failure_warn(f, "missing-field: Version");
	/* RFC 6591 §3.1: required in an auth-failure report */
	if (f->feedback_type && strcmp(f->feedback_type, "auth-failure") == 0) {
		if (f->auth_failure == NULL)
			ds_failure_warn(f, "missing-field: Auth-Failure");
		if (f->auth_results == NULL)
			ds_failure_warn(f, "missing-field: "
			    "Authentication-Results");
	}
	if (f->auth_failure && !known(auth_failures, f->auth_failure))
		warn_value(f, "unknown-value", "Auth-Failure", f->auth_failure);
	if (f->delivery_result && !known(delivery_results,
	    f->delivery_result))
		warn_value(f, "unknown-value", "Delivery-Result",
		    f->delivery_result);
	check_alignment(f);
}

void
ds_failure_map_fields(struct ds_failure *f, bool arf)
{
	const struct ds_failure_field *x;
	const struct map *m;
	bool seen[G_N_ELEMENTS(map)] = { false };
	char **one, *v;
	guint i;
	size_t k;

	for (i = 0; i < f->fields->len; i++) {
		x = &g_array_index(f->fields, struct ds_failure_field, i);
		for (k = 0, m = NULL; k < G_N_ELEMENTS(map) && m == NULL; k++)
			if (g_ascii_strcasecmp(map[k].name, x->name) == 0)
				m = &map[k];
		if (m == NULL)
			continue;	/* unknown: kept in fields only */
		k = (size_t)(m - map);
		if (x->value[0] == '\0' && strcmp(m->name,
		    "Original-Mail-From") != 0) {
			ds_failure_warn(f, "empty-field: %s", m->name);
			continue;
		}
		if (m->kind == MANY) {
			if ((v = normalise(f, m, x->value)) != NULL)
				g_ptr_array_add(*(GPtrArray **)((char *)f +
				    m->off), v);
			continue;
		}
		one = (char **)((char *)f + m->off);
		if (*one != NULL || seen[k]) {
			/* RFC 6591 §3.1 / THREATS.md: the topmost one counts */
			ds_failure_warn(f, "duplicate-field: %s (the first is "
			    "used)", m->name);
			continue;
		}
		seen[k] = true;
		*one = normalise(f, m, x->value);
	}
	f->arrival_ts = ds_failure_date(f->arrival_date);
	if (arf)
		check_required(f);
	else
		check_alignment(f);
}

/* ---- the original message's header block ---- */

static char *
decode_text(const char *v)
{
	char *d = g_mime_utils_header_decode_text(NULL, v);
	char *s = ds_failure_utf8(d, strlen(d), NULL);

	g_free(d);
	return s;
}

static char *
msgid(const char *v)
{
	char *s = g_strstrip(g_strdup(v));
	size_t n = strlen(s);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
	return s;
}

void
ds_failure_sample_headers(struct ds_failure *f, size_t max_value)
{
	GArray *h = g_array_new(FALSE, TRUE, sizeof(struct ds_failure_field));
	const struct ds_failure_field *x;
	guint i;

	if (f->sample == NULL)
		goto done;
	ds_failure_headers(f, "sample-", f->sample, f->sample_len, max_value,
	    h);
	for (i = 0; i < h->len; i++) {
		x = &g_array_index(h, struct ds_failure_field, i);
		if (g_ascii_strcasecmp(x->name, "From") == 0 &&
		    f->sample_from == NULL)
			f->sample_from = decode_text(x->value);
		else if (g_ascii_strcasecmp(x->name, "Subject") == 0 &&
		    f->sample_subject == NULL)
			f->sample_subject = decode_text(x->value);
		else if (g_ascii_strcasecmp(x->name, "Message-ID") == 0 &&
		    f->sample_message_id == NULL)
			f->sample_message_id = msgid(x->value);
		else if (g_ascii_strcasecmp(x->name, "Date") == 0 &&
		    f->sample_date == NULL)
			f->sample_date = g_strdup(x->value);
		else if (g_ascii_strcasecmp(x->name,
		    "Authentication-Results") == 0 &&
		    f->sample_auth_results == NULL)
			f->sample_auth_results = g_strdup(x->value);
		else if (g_ascii_strcasecmp(x->name, "DKIM-Signature") == 0)
			g_ptr_array_add(f->sample_dkim, g_strdup(x->value));
	}
	if (h->len == 0)
		ds_failure_warn(f, "sample-no-headers");
	else if (f->sample_from == NULL)
		ds_failure_warn(f, "sample-missing-field: From");
done:
	ds_failure_fields_free(h);
	g_array_unref(h);
}
