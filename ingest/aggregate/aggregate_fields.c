/*
 * aggregate_fields.c - values of an aggregate report: text fields,
 * enumerations, timestamps, counts and IP addresses.
 * SPDX-License-Identifier: MIT
 *
 * RFC 7489 appendix C and RFC 9990 section 4 (value sets are the union
 * of both schemas); liberal where the meaning is clear, with the named
 * warnings of ingest/aggregate/QUIRKS.md; strict on identity, dates and counts
 * (THREATS #11, #14).
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <string.h>

#include "ingest/aggregate/aggregate_int.h"
#include "schema/util/error.h"

enum kind {
	K_TEXT, /* free text: trimmed silently */
	K_NAME, /* identifier or domain: trimmed with a warning */
	K_ENUM,
	K_TIME,
	K_COUNT,
	K_PCT,
	K_IP,
};

static const char *const lr[] = { "r", "s", NULL };
static const char *const pol[] = { "none", "quarantine", "reject", NULL };
static const char *const disp[] = { "none", "quarantine", "reject", "pass",
	NULL };
static const char *const pf[] = { "pass", "fail", NULL };
static const char *const reason[] = { "forwarded", "sampled_out",
	"trusted_forwarder", "mailing_list", "local_policy", "other",
	"policy_test_mode", NULL };
static const char *const dkimres[] = { "none", "pass", "fail", "policy",
	"neutral", "temperror", "permerror", NULL };
static const char *const spfres[] = { "none", "neutral", "pass", "fail",
	"softfail", "temperror", "permerror", NULL };
static const char *const scope[] = { "helo", "mfrom", NULL };
static const char *const disc[] = { "psl", "treewalk", NULL };
static const char *const yn[] = { "n", "y", NULL };

static const struct fdesc {
	const char *label; /* element, qualified where ambiguous */
	enum kind kind;
	const char *const *allowed;
	bool result; /* an authentication result */
} fields[DS_F_COUNT_OF_FIELDS] = {
	[DS_F_VERSION] = { "version", K_TEXT, NULL, false },
	[DS_F_ORG_NAME] = { "org_name", K_TEXT, NULL, false },
	[DS_F_EMAIL] = { "email", K_TEXT, NULL, false },
	[DS_F_EXTRA] = { "extra_contact_info", K_TEXT, NULL, false },
	[DS_F_REPORT_ID] = { "report_id", K_NAME, NULL, false },
	[DS_F_ERROR] = { "error", K_TEXT, NULL, false },
	[DS_F_GENERATOR] = { "generator", K_TEXT, NULL, false },
	[DS_F_BEGIN] = { "begin", K_TIME, NULL, false },
	[DS_F_END] = { "end", K_TIME, NULL, false },
	[DS_F_DOMAIN] = { "domain", K_NAME, NULL, false },
	[DS_F_ADKIM] = { "adkim", K_ENUM, lr, false },
	[DS_F_ASPF] = { "aspf", K_ENUM, lr, false },
	[DS_F_P] = { "p", K_ENUM, pol, false },
	[DS_F_SP] = { "sp", K_ENUM, pol, false },
	[DS_F_NP] = { "np", K_ENUM, pol, false },
	[DS_F_PCT] = { "pct", K_PCT, NULL, false },
	[DS_F_FO] = { "fo", K_NAME, NULL, false },
	[DS_F_DISCOVERY] = { "discovery_method", K_ENUM, disc, false },
	[DS_F_TESTING] = { "testing", K_ENUM, yn, false },
	[DS_F_SOURCE_IP] = { "source_ip", K_IP, NULL, false },
	[DS_F_COUNT] = { "count", K_COUNT, NULL, false },
	[DS_F_DISPOSITION] = { "disposition", K_ENUM, disp, false },
	[DS_F_EVAL_DKIM] = { "policy_evaluated dkim", K_ENUM, pf, true },
	[DS_F_EVAL_SPF] = { "policy_evaluated spf", K_ENUM, pf, true },
	[DS_F_REASON_TYPE] = { "reason type", K_ENUM, reason, false },
	[DS_F_REASON_COMMENT] = { "reason comment", K_TEXT, NULL, false },
	[DS_F_ENV_TO] = { "envelope_to", K_NAME, NULL, false },
	[DS_F_ENV_FROM] = { "envelope_from", K_NAME, NULL, false },
	[DS_F_HEADER_FROM] = { "header_from", K_NAME, NULL, false },
	[DS_F_DKIM_DOMAIN] = { "dkim domain", K_NAME, NULL, false },
	[DS_F_DKIM_SELECTOR] = { "dkim selector", K_NAME, NULL, false },
	[DS_F_DKIM_RESULT] = { "dkim result", K_ENUM, dkimres, true },
	[DS_F_DKIM_HUMAN] = { "dkim human_result", K_TEXT, NULL, false },
	[DS_F_SPF_DOMAIN] = { "spf domain", K_NAME, NULL, false },
	[DS_F_SPF_SCOPE] = { "spf scope", K_ENUM, scope, false },
	[DS_F_SPF_RESULT] = { "spf result", K_ENUM, spfres, true },
	[DS_F_SPF_HUMAN] = { "spf human_result", K_TEXT, NULL, false },
};

int
ds_agg_line(struct ds_agg *st)
{
	xmlNodePtr n = xmlTextReaderCurrentNode(st->r);
	long l = n ? xmlGetLineNo(n) : 0;

	return l > 0 && l < INT_MAX ? (int)l
	                            : xmlTextReaderGetParserLineNumber(st->r);
}

bool
ds_agg_fail(struct ds_agg *st, int code, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (st->err)
		return false;
	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	ds_fail(&st->err, code, "line %d: %s", ds_agg_line(st), msg);
	g_free(msg);
	return false;
}

char *
ds_agg_q(const char *s)
{
	return ds_quote(s, s ? strlen(s) : 0, 80);
}

const char *
ds_agg_field_name(enum ds_agg_field f)
{
	return fields[f].label;
}

static void
warn_value(
    struct ds_agg *st, const char *name, enum ds_agg_field f, const char *v)
{
	char *q = ds_agg_q(v);

	ds_report_warn(st->m, "%s: %s '%s'", name, fields[f].label, q);
	g_free(q);
}

/* Where field f lives: in the report, the open record or its last
 * reason / DKIM / SPF entry. */
static char **
slot(struct ds_agg *st, enum ds_agg_field f)
{
	struct ds_report_meta *m = st->m;
	struct ds_record *r = &st->rec;
	GArray *a;

	switch (f) {
	case DS_F_VERSION:
		return &m->version;
	case DS_F_ORG_NAME:
		return &m->org_name;
	case DS_F_EMAIL:
		return &m->email;
	case DS_F_EXTRA:
		return &m->extra_contact_info;
	case DS_F_REPORT_ID:
		return &m->report_id;
	case DS_F_GENERATOR:
		return &m->generator;
	case DS_F_DOMAIN:
		return &m->domain;
	case DS_F_ADKIM:
		return &m->adkim;
	case DS_F_ASPF:
		return &m->aspf;
	case DS_F_P:
		return &m->p;
	case DS_F_SP:
		return &m->sp;
	case DS_F_NP:
		return &m->np;
	case DS_F_FO:
		return &m->fo;
	case DS_F_DISCOVERY:
		return &m->discovery_method;
	case DS_F_TESTING:
		return &m->testing;
	case DS_F_SOURCE_IP:
		return &r->source_ip;
	case DS_F_DISPOSITION:
		return &r->disposition;
	case DS_F_EVAL_DKIM:
		return &r->dkim;
	case DS_F_EVAL_SPF:
		return &r->spf;
	case DS_F_ENV_TO:
		return &r->envelope_to;
	case DS_F_ENV_FROM:
		return &r->envelope_from;
	case DS_F_HEADER_FROM:
		return &r->header_from;
	default:
		break;
	}
	if (f == DS_F_REASON_TYPE || f == DS_F_REASON_COMMENT) {
		a = r->reasons;
		if (a == NULL || a->len == 0)
			return NULL;
		return f == DS_F_REASON_TYPE
		           ? &g_array_index(a, struct ds_reason, a->len - 1)
		                  .type
		           : &g_array_index(a, struct ds_reason, a->len - 1)
		                  .comment;
	}
	if (f >= DS_F_DKIM_DOMAIN && f <= DS_F_DKIM_HUMAN) {
		struct ds_dkim_result *d;

		a = r->dkim_results;
		if (a == NULL || a->len == 0)
			return NULL;
		d = &g_array_index(a, struct ds_dkim_result, a->len - 1);
		return f == DS_F_DKIM_DOMAIN     ? &d->domain
		       : f == DS_F_DKIM_SELECTOR ? &d->selector
		       : f == DS_F_DKIM_RESULT   ? &d->result
		                                 : &d->human_result;
	}
	if (f >= DS_F_SPF_DOMAIN && f <= DS_F_SPF_HUMAN) {
		struct ds_spf_result *s;

		a = r->spf_results;
		if (a == NULL || a->len == 0)
			return NULL;
		s = &g_array_index(a, struct ds_spf_result, a->len - 1);
		return f == DS_F_SPF_DOMAIN   ? &s->domain
		       : f == DS_F_SPF_SCOPE  ? &s->scope
		       : f == DS_F_SPF_RESULT ? &s->result
		                              : &s->human_result;
	}
	return NULL;
}

/* Store v (taken) in field f; a second, different value of an identity
 * field is ambiguous and rejects the report. */
static bool
set_str(struct ds_agg *st, enum ds_agg_field f, char *v)
{
	char **p;
	char *a, *b;

	if (f == DS_F_ERROR) {
		/* RFC 9990 allows one; a few legacy ones are fine */
		if (st->m->errors->len >= DS_AGG_MAX_REPEAT) {
			g_free(v);
			return ds_agg_fail(st, DS_ERROR_LIMIT,
			    "more than %d "
			    "<error> elements",
			    DS_AGG_MAX_REPEAT);
		}
		g_ptr_array_add(st->m->errors, v);
		return true;
	}
	p = slot(st, f);
	if (p == NULL) {
		g_free(v);
		return true;
	}
	if (*p == NULL) {
		*p = v;
		return true;
	}
	if (strcmp(*p, v) != 0 &&
	    (f == DS_F_REPORT_ID || f == DS_F_DOMAIN || f == DS_F_SOURCE_IP)) {
		a = ds_agg_q(*p);
		b = ds_agg_q(v);
		ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "<%s> given twice: '%s' and "
		    "'%s'",
		    fields[f].label, a, b);
		g_free(a);
		g_free(b);
		g_free(v);
		return false;
	}
	ds_report_warn(st->m, "duplicate-element: %s", fields[f].label);
	g_free(v);
	return true;
}

/* Case of a known value is normalised; anything else is kept verbatim. */
static bool
set_enum(struct ds_agg *st, enum ds_agg_field f, char *v)
{
	char *low;
	size_t i;
	const char *p;

	for (p = v; *p && !g_ascii_isupper(*p); p++)
		;
	if (*p == '\0') { /* already lower case: no copy */
		for (i = 0; fields[f].allowed[i]; i++) {
			if (strcmp(v, fields[f].allowed[i]) == 0)
				return set_str(st, f, v);
		}
		warn_value(st,
		    fields[f].result ? "off-schema-result" : "off-schema-value",
		    f, v);
		return set_str(st, f, v);
	}
	low = g_ascii_strdown(v, -1);

	for (i = 0; fields[f].allowed[i]; i++) {
		if (strcmp(low, fields[f].allowed[i]) == 0)
			break;
	}
	if (fields[f].allowed[i] == NULL) {
		warn_value(st,
		    fields[f].result ? "off-schema-result" : "off-schema-value",
		    f, v);
		g_free(low);
		return set_str(st, f, v);
	}
	if (strcmp(low, v) != 0)
		warn_value(st, "enum-case", f, v);
	g_free(v);
	return set_str(st, f, low);
}

/*
 * Digits, optionally ".digits" (allow_frac, truncated). False when the
 * text is not such a number or exceeds INT64_MAX (*overflow set).
 */
static bool
parse_u63(
    const char *s, bool allow_frac, int64_t *out, bool *frac, bool *overflow)
{
	const char *p = s;
	int64_t v = 0;
	int d;

	*frac = *overflow = false;
	if (!g_ascii_isdigit(*p))
		return false;
	for (; g_ascii_isdigit(*p); p++) {
		d = *p - '0';
		if (v > (INT64_MAX - d) / 10) {
			*overflow = true;
			return false;
		}
		v = v * 10 + d;
	}
	if (*p == '.' && allow_frac) {
		*frac = true;
		for (p++; g_ascii_isdigit(*p); p++)
			;
	}
	if (*p != '\0')
		return false;
	*out = v;
	return true;
}

/* RFC 7489 appendix C / RFC 9990: begin and end are Unix seconds, UTC */
static bool
set_time(struct ds_agg *st, enum ds_agg_field f, const char *v)
{
	bool frac, over, *have;
	int64_t t, *dst;
	char *q;

	have = f == DS_F_BEGIN ? &st->have_begin : &st->have_end;
	dst = f == DS_F_BEGIN ? &st->m->begin : &st->m->end;
	if (!parse_u63(v, true, &t, &frac, &over)) {
		q = ds_agg_q(v);
		ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "<%s> is not a timestamp: "
		    "'%s'",
		    fields[f].label, q);
		g_free(q);
		return false;
	}
	if (frac)
		warn_value(st, "decimal-timestamp", f, v);
	if (*have && *dst != t)
		return ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "<%s> given twice: %" G_GINT64_FORMAT
		    " and %" G_GINT64_FORMAT,
		    fields[f].label, *dst, t);
	*have = true;
	*dst = t;
	return true;
}

/* THREATS #14: counts are 64-bit, never negative, never wrapped */
static bool
set_count(struct ds_agg *st, const char *v)
{
	bool frac, over;
	int64_t c;
	char *q;

	if (!parse_u63(v, false, &c, &frac, &over)) {
		q = ds_agg_q(v);
		ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "record %" G_GUINT64_FORMAT ": <count> is %s: '%s'",
		    st->records,
		    over          ? "too large"
		    : v[0] == '-' ? "negative"
		                  : "not a number",
		    q);
		g_free(q);
		return false;
	}
	if (st->have_count && st->rec.count != (uint64_t)c)
		return ds_agg_fail(st, DS_ERROR_SCHEMA,
		    "record %" G_GUINT64_FORMAT ": <count> given twice",
		    st->records);
	st->have_count = true;
	st->rec.count = (uint64_t)c;
	return true;
}

static void
set_pct(struct ds_agg *st, const char *v)
{
	bool frac, over;
	int64_t n;

	if (!parse_u63(v, false, &n, &frac, &over) || n > 100) {
		warn_value(st, "bad-value", DS_F_PCT, v);
		return;
	}
	st->m->pct = (int)n;
}

/* inet_ntop(AF_INET) without its sprintf: "%u.%u.%u.%u" into buf */
static const char *
ip4_text(const struct in_addr *a, char *buf)
{
	const guint8 *b = (const guint8 *)&a->s_addr;
	char *p = buf;
	int i;

	for (i = 0; i < 4; i++) {
		if (i)
			*p++ = '.';
		if (b[i] >= 100)
			*p++ = (char)('0' + b[i] / 100);
		if (b[i] >= 10)
			*p++ = (char)('0' + b[i] / 10 % 10);
		*p++ = (char)('0' + b[i] % 10);
	}
	*p = '\0';
	return buf;
}

/* THREATS #14: canonical text from inet_pton/inet_ntop, never inet_aton
 * (which reads "010.1.2.3" as octal); IPv4-mapped IPv6 becomes IPv4; a
 * bad address is kept verbatim. */
static bool
set_ip(struct ds_agg *st, char *v)
{
	char buf[INET6_ADDRSTRLEN];
	struct in6_addr a6;
	struct in_addr a4;
	const char *c = NULL;

	if (strchr(v, ':')) {
		/* ::ffff:1.2.3.4 is 1.2.3.4: one sender, one row (issue 13) */
		if (inet_pton(AF_INET6, v, &a6) == 1 &&
		    IN6_IS_ADDR_V4MAPPED(&a6)) {
			memcpy(&a4.s_addr, &a6.s6_addr[12], 4);
			c = ip4_text(&a4, buf);
		} else if (inet_pton(AF_INET6, v, &a6) == 1)
			c = inet_ntop(AF_INET6, &a6, buf, sizeof(buf));
	} else if (inet_pton(AF_INET, v, &a4) == 1)
		c = ip4_text(&a4, buf);
	if (c == NULL) {
		char *q = ds_agg_q(v);

		ds_report_warn(st->m, "bad-source-ip: '%s'", q);
		g_free(q);
		return set_str(st, DS_F_SOURCE_IP, v);
	}
	g_free(v);
	return set_str(st, DS_F_SOURCE_IP, g_strdup(c));
}

bool
ds_agg_field_set(struct ds_agg *st, enum ds_agg_field f)
{
	const struct fdesc *d = &fields[f];
	const char *a, *b;
	char *v;
	size_t len;
	bool ok = true;

	st->seen[f] = true;
	a = st->text->str;
	b = a + st->text->len;
	if (g_utf8_validate(a, (gssize)st->text->len, NULL)) {
		/* g_strstrip() before the copy: the same bytes, one pass */
		len = st->text->len;
		while (a < b && g_ascii_isspace(*a))
			a++;
		while (b > a && g_ascii_isspace(b[-1]))
			b--;
		v = g_strndup(a, (gsize)(b - a));
	} else { /* cannot happen after aggregate_input.c; stay safe */
		v = g_utf8_make_valid(st->text->str, (gssize)st->text->len);
		len = strlen(v);
		g_strstrip(v);
	}
	if (*v == '\0') {
		g_free(v);
		if (d->kind == K_TIME || d->kind == K_COUNT) {
			ds_agg_fail(
			    st, DS_ERROR_SCHEMA, "<%s> is empty", d->label);
			return false;
		}
		ds_report_warn(st->m, "empty-element: %s", d->label);
		return true;
	}
	if (strlen(v) != len && d->kind != K_TEXT)
		ds_report_warn(st->m, "whitespace: %s", d->label);
	switch (d->kind) {
	case K_TEXT:
	case K_NAME:
		return set_str(st, f, v);
	case K_ENUM:
		return set_enum(st, f, v);
	case K_IP:
		return set_ip(st, v);
	case K_TIME:
		ok = set_time(st, f, v);
		break;
	case K_COUNT:
		ok = set_count(st, v);
		break;
	case K_PCT:
		set_pct(st, v);
		break;
	}
	g_free(v);
	return ok;
}
