/*
 * model_tls.c - SMTP TLS report structs (model_tls.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <string.h>

#include "schema/model/model_tls.h"

void
ds_tls_report_init(struct ds_tls_report *r)
{
	memset(r, 0, sizeof(*r));
	r->policies = g_ptr_array_new_with_free_func(ds_tls_policy_free);
	r->warnings = g_ptr_array_new_with_free_func(g_free);
}

void
ds_tls_report_clear(struct ds_tls_report *r)
{
	g_free(r->org_name);
	g_free(r->contact_info);
	g_free(r->report_id);
	g_free(r->start_text);
	g_free(r->end_text);
	g_free(r->domain);
	g_free(r->submitter);
	if (r->policies)
		g_ptr_array_free(r->policies, TRUE);
	if (r->warnings)
		g_ptr_array_free(r->warnings, TRUE);
	memset(r, 0, sizeof(*r));
}

void
ds_tls_warn(struct ds_tls_report *r, const char *fmt, ...)
{
	va_list ap;
	char *w;
	guint i;

	va_start(ap, fmt);
	w = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (i = 0; i < r->warnings->len; i++)
		if (strcmp(g_ptr_array_index(r->warnings, i), w) == 0) {
			g_free(w);
			return;
		}
	g_ptr_array_add(r->warnings, w);
}

struct ds_tls_policy *
ds_tls_policy_new(void)
{
	struct ds_tls_policy *p = g_new0(struct ds_tls_policy, 1);

	p->strings = g_ptr_array_new_with_free_func(g_free);
	p->mx_hosts = g_ptr_array_new_with_free_func(g_free);
	p->details = g_ptr_array_new_with_free_func(ds_tls_failure_free);
	return p;
}

void
ds_tls_policy_free(void *v)
{
	struct ds_tls_policy *p = v;

	if (p == NULL)
		return;
	g_free(p->type);
	g_free(p->domain);
	g_ptr_array_free(p->strings, TRUE);
	g_ptr_array_free(p->mx_hosts, TRUE);
	g_ptr_array_free(p->details, TRUE);
	g_free(p);
}

struct ds_tls_failure *
ds_tls_failure_new(void)
{
	return g_new0(struct ds_tls_failure, 1);
}

void
ds_tls_failure_free(void *v)
{
	struct ds_tls_failure *f = v;

	if (f == NULL)
		return;
	g_free(f->result_type);
	g_free(f->sending_mta_ip);
	g_free(f->receiving_mx_hostname);
	g_free(f->receiving_mx_helo);
	g_free(f->receiving_ip);
	g_free(f->additional_info);
	g_free(f->failure_reason_code);
	g_free(f);
}

static int64_t
sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t
ds_tls_report_successes(const struct ds_tls_report *r)
{
	int64_t n = 0;
	guint i;

	for (i = 0; i < r->policies->len; i++)
		n = sat_add(n, ((struct ds_tls_policy *)
		    g_ptr_array_index(r->policies, i))->successes);
	return n;
}

int64_t
ds_tls_report_failures(const struct ds_tls_report *r)
{
	int64_t n = 0;
	guint i;

	for (i = 0; i < r->policies->len; i++)
		n = sat_add(n, ((struct ds_tls_policy *)
		    g_ptr_array_index(r->policies, i))->failures);
	return n;
}
