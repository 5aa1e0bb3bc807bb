/*
 * model_failure.c - life cycle of the failure report model
 * (model_failure.h) and its named warnings.
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "schema/model/model_failure.h"

#define MAX_WARNINGS 100

void
ds_failure_init(struct ds_failure *f)
{
	memset(f, 0, sizeof(*f));
	f->fields = g_array_new(FALSE, TRUE, sizeof(struct ds_failure_field));
	f->original_rcpt_to = g_ptr_array_new_with_free_func(g_free);
	f->reported_domain = g_ptr_array_new_with_free_func(g_free);
	f->reported_uri = g_ptr_array_new_with_free_func(g_free);
	f->spf_dns = g_ptr_array_new_with_free_func(g_free);
	f->sample_dkim = g_ptr_array_new_with_free_func(g_free);
	f->warnings = g_ptr_array_new_with_free_func(g_free);
	f->differences = g_ptr_array_new_with_free_func(g_free);
}

static void
unref(GPtrArray *a)
{
	if (a)
		g_ptr_array_unref(a);
}

void
ds_failure_clear(struct ds_failure *f)
{
	guint i;

	if (f->fields) {
		for (i = 0; i < f->fields->len; i++) {
			struct ds_failure_field *x = &g_array_index(f->fields,
			    struct ds_failure_field, i);

			g_free(x->name);
			g_free(x->value);
		}
		g_array_unref(f->fields);
	}
	g_free(f->identity);
	g_free(f->report_message_id);
	g_free(f->report_from);
	g_free(f->reporter);
	g_free(f->report_date);
	g_free(f->report_subject);
	g_free(f->report_type);
	g_free(f->feedback_type);
	g_free(f->user_agent);
	g_free(f->version);
	g_free(f->original_mail_from);
	g_free(f->arrival_date);
	g_free(f->source_ip);
	g_free(f->auth_results);
	g_free(f->auth_failure);
	g_free(f->dkim_domain);
	g_free(f->dkim_identity);
	g_free(f->dkim_selector);
	g_free(f->dkim_canon_header);
	g_free(f->dkim_canon_body);
	g_free(f->delivery_result);
	g_free(f->identity_alignment);
	g_free(f->sample);
	g_free(f->sample_from);
	g_free(f->sample_subject);
	g_free(f->sample_message_id);
	g_free(f->sample_date);
	g_free(f->sample_auth_results);
	g_free(f->verification);
	g_free(f->verification_text);
	g_free(f->spf_now);
	g_free(f->dkim_now);
	g_free(f->dmarc_now);
	g_free(f->dns_mode);
	g_free(f->source);
	unref(f->original_rcpt_to);
	unref(f->reported_domain);
	unref(f->reported_uri);
	unref(f->spf_dns);
	unref(f->sample_dkim);
	unref(f->warnings);
	unref(f->differences);
	memset(f, 0, sizeof(*f));
}

void
ds_failure_warn(struct ds_failure *f, const char *fmt, ...)
{
	va_list ap;
	char *w;
	guint i;

	if (f->warnings->len >= MAX_WARNINGS)
		return;
	va_start(ap, fmt);
	w = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < f->warnings->len; i++) {
		if (strcmp(g_ptr_array_index(f->warnings, i), w) == 0) {
			g_free(w);
			return;
		}
	}
	g_ptr_array_add(f->warnings, w);
	if (f->warnings->len == MAX_WARNINGS)
		g_ptr_array_add(f->warnings, g_strdup("too-many-warnings: "
		    "the rest were dropped"));
}

static const char *const kind_names[] = { "none", "message", "headers",
    "text" };

const char *
ds_sample_kind_name(enum ds_sample_kind k)
{
	return (unsigned)k < G_N_ELEMENTS(kind_names) ? kind_names[k] : "none";
}

enum ds_sample_kind
ds_sample_kind_from_name(const char *name)
{
	unsigned i;

	for (i = 0; name && i < G_N_ELEMENTS(kind_names); i++)
		if (strcmp(kind_names[i], name) == 0)
			return (enum ds_sample_kind)i;
	return DS_SAMPLE_NONE;
}

char *
ds_addr_domain(const char *addr)
{
	const char *at, *p, *end;

	if (addr == NULL || (at = strrchr(addr, '@')) == NULL)
		return NULL;
	p = at + 1;
	for (end = p; *end && (g_ascii_isalnum(*end) || *end == '.' ||
	    *end == '-' || *end == '_' || (unsigned char)*end >= 0x80);
	    end++)
		;
	while (end > p && end[-1] == '.')
		end--;
	if (end == p)
		return NULL;
	return g_ascii_strdown(p, end - p);
}

char *
ds_failure_domain(const struct ds_failure *f)
{
	char *d;

	if (f->reported_domain && f->reported_domain->len)
		return g_ascii_strdown(g_ptr_array_index(f->reported_domain,
		    0), -1);
	if ((d = ds_addr_domain(f->sample_from)) != NULL)
		return d;
	return f->dkim_domain ? g_ascii_strdown(f->dkim_domain, -1) : NULL;
}

/*
 * RFC 5322 atext plus '.', the characters of an unquoted local part,
 * less '=', '/' and '?' so that "smtp.mailfrom=jane@example.com" keeps
 * its "smtp.mailfrom=".
 */
static bool
local_char(char c)
{
	return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-^_`{|}~.", c) !=
	    NULL);
}

char *
ds_failure_redact(const char *s)
{
	GString *g;
	const char *p, *start;
	size_t keep;

	if (s == NULL)
		return NULL;
	g = g_string_sized_new(strlen(s));
	for (p = s; *p; p++) {
		if (*p != '@' || !g_ascii_isalnum(p[1])) {
			g_string_append_c(g, *p);
			continue;
		}
		/* walk back over the local part already copied */
		start = p;
		if (p > s && p[-1] == '"') {	/* "a quoted local part"@ */
			start = p - 1;
			while (start > s && start[-1] != '"')
				start--;
			if (start > s)
				start--;
			else
				start = p;
		} else {
			while (start > s && local_char(start[-1]))
				start--;
		}
		if (start == p) {	/* no local part ("x"@, @domain) */
			g_string_append_c(g, *p);
			continue;
		}
		keep = g->len - (size_t)(p - start);
		g_string_truncate(g, keep);
		g_string_append(g, "***@");
	}
	return g_string_free(g, FALSE);
}

/* *s redacted in place */
static void
redact(char **s)
{
	char *r;

	if (*s == NULL)
		return;
	r = ds_failure_redact(*s);
	g_free(*s);
	*s = r;
}

static void
redact_all(GPtrArray *a)
{
	guint i;

	for (i = 0; a != NULL && i < a->len; i++)
		redact((char **)&g_ptr_array_index(a, i));
}

/* See model_failure.h. */
char *
ds_failure_redact_addr(const char *v)
{
	GString *g;
	char **parts, *part, *at, *end;
	guint i;

	if (v == NULL)
		return NULL;
	g = g_string_new(NULL);
	parts = g_strsplit(v, ",", -1);
	for (i = 0; parts[i] != NULL; i++) {
		part = g_strstrip(parts[i]);
		if (i)
			g_string_append(g, ", ");
		if (*part == '\0')
			continue;
		at = strrchr(part, '@');
		end = at ? at + 1 + strcspn(at + 1, "> \t\r\n\"") : NULL;
		if (at == NULL || end == at + 1) {
			g_string_append(g, "***");
			continue;
		}
		g_string_append(g, strchr(part, '<') ? "<***@" : "***@");
		g_string_append_len(g, at + 1, end - (at + 1));
		if (strchr(part, '<'))
			g_string_append_c(g, '>');
	}
	g_strfreev(parts);
	return g_string_free(g, FALSE);
}

/* *s through the address-field rule */
static void
redact_addr(char **s)
{
	char *r;

	if (*s == NULL)
		return;
	r = ds_failure_redact_addr(*s);
	g_free(*s);
	*s = r;
}

/* Does a feedback-report field of this name hold addresses only? */
static bool
addr_field(const char *name)
{
	return g_ascii_strcasecmp(name, "Original-Mail-From") == 0 ||
	    g_ascii_strcasecmp(name, "Original-Rcpt-To") == 0 ||
	    g_ascii_strcasecmp(name, "DKIM-Identity") == 0;
}

/* See model_failure.h. */
void
ds_failure_redact_fields(struct ds_failure *f)
{
	guint i;

	for (i = 0; f->fields != NULL && i < f->fields->len; i++) {
		struct ds_failure_field *x = &g_array_index(f->fields,
		    struct ds_failure_field, i);

		if (g_ascii_strncasecmp(x->name, "DKIM-Canonicalized-", 19)
		    == 0) {
			g_free(x->value);
			x->value = g_strdup("[withheld]");
		} else if (addr_field(x->name)) {
			redact_addr(&x->value);
		} else {
			redact(&x->value);
		}
	}
	g_clear_pointer(&f->dkim_canon_header, g_free);
	g_clear_pointer(&f->dkim_canon_body, g_free);
	redact(&f->report_from);
	redact(&f->report_subject);
	redact_addr(&f->original_mail_from);
	for (i = 0; f->original_rcpt_to && i < f->original_rcpt_to->len; i++)
		redact_addr((char **)&g_ptr_array_index(f->original_rcpt_to,
		    i));
	redact_all(f->reported_uri);
	redact(&f->auth_results);
	if (f->dkim_identity && f->dkim_identity[0] != '@')
		redact_addr(&f->dkim_identity);
	redact_addr(&f->sample_from);
	if (f->sample_subject) {
		g_free(f->sample_subject);
		f->sample_subject = g_strdup("[redacted]");
	}
	redact(&f->sample_message_id);
	redact(&f->sample_auth_results);
	redact_all(f->sample_dkim);
	redact_all(f->warnings);
	redact_all(f->differences);
	redact(&f->verification);
	redact(&f->verification_text);
}
