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
