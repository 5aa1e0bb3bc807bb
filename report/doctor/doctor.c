/*
 * doctor.c - the findings of `dmarcsift doctor`: collecting, ordering
 * (worst first) and writing them as text or as the JSON contract
 * (an array of {severity, code, message, evidence, fix}, RFC 8259).
 * SPDX-License-Identifier: MIT
 *
 * THREATS 8 and 9: attacker text goes into messages only through
 * ds_doctor_q() (control characters escaped, length capped) and into
 * JSON only through ds_json_escape().
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/count.h"
#include "schema/util/term.h"
#include "schema/util/error.h"
#include "schema/util/json.h"
#include "schema/store/store_doctor.h"
#include "schema/store/store_policy.h"
#include "report/doctor/doctor.h"

#define QUOTE_MAX 80

const char *
ds_sev_name(enum ds_sev s)
{
	switch (s) {
	case DS_SEV_ERROR:
		return "error";
	case DS_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}

bool
ds_doctor_within(const char *name, const char *domain)
{
	size_t n, m;

	if (name == NULL || domain == NULL)
		return false;
	n = strlen(name);
	m = strlen(domain);
	if (n == m)
		return g_ascii_strcasecmp(name, domain) == 0;
	return n > m && name[n - m - 1] == '.' &&
	    g_ascii_strcasecmp(name + n - m, domain) == 0;
}

static void
finding_free(gpointer p)
{
	struct ds_finding *f = p;

	g_free(f->code);
	g_free(f->message);
	g_free(f->fix);
	g_string_free(f->ev_json, TRUE);
	g_string_free(f->ev_text, TRUE);
	g_free(f);
}

static void
src_free(gpointer p)
{
	struct ds_doc_src *s = p;

	g_free(s->ip);
	g_free(s->ptr);
	g_free(s->spf_domain);
	g_free(s);
}

static bool
add_source(const struct ds_doc_source *r, void *payload)
{
	struct ds_doctor *d = payload;
	struct ds_doc_src *s = g_new0(struct ds_doc_src, 1);

	s->ip = g_strdup(r->ip);
	s->messages = r->messages;
	s->dmarc_pass = r->dmarc_pass;
	s->dkim_pass = r->dkim_pass;
	s->spf_pass = r->spf_pass;
	s->reporters = r->reporters;
	s->fwd_reason = r->fwd_reason;
	s->own_sig = r->own_sig;
	s->dkim_pass_spf_fail = r->dkim_pass_spf_fail;
	s->first_seen = r->first_seen;
	s->last_seen = r->last_seen;
	s->spf_domain = g_strdup(r->spf_fail_domain);
	s->ptr_confirmed = -1;
	g_ptr_array_add(d->sources, s);
	ds_count_add(&d->messages, r->messages);
	ds_count_add(&d->dmarc_pass, r->dmarc_pass);
	return true;
}

/* See doctor.h. */
bool
ds_doctor_init(struct ds_doctor *d, struct ds_store *st, struct ds_dns *dns,
    const char *domain, const struct ds_query *q, int64_t now,
    const struct ds_decl *decl, GError **err)
{
	size_t n;

	memset(d, 0, sizeof(*d));
	d->st = st;
	d->dns = dns;
	d->domain = g_ascii_strdown(domain, -1);
	n = strlen(d->domain);
	if (n > 0 && d->domain[n - 1] == '.')
		d->domain[n - 1] = '\0';
	d->org = ds_org_domain(d->domain);
	d->q = *q;
	d->q.domain = d->domain;
	d->now = now;
	d->findings = g_ptr_array_new_with_free_func(finding_free);
	d->sources = g_ptr_array_new_with_free_func(src_free);
	d->skipped = g_ptr_array_new_with_free_func(g_free);
	d->pool = g_ptr_array_new_with_free_func(g_free);
	d->enrich_left = 64;
	d->decl = decl;
	d->vouched = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
	    NULL);
	if ((d->svc = ds_services_default(NULL, err)) == NULL)
		return false;
	/* the classes come in ds_doctor_run, once d->mmdb may be set */
	return ds_store_doc_sources_each(st, &d->q, add_source, d, err);
}

void
ds_doctor_release(struct ds_doctor *d)
{
	g_free(d->domain);
	g_free(d->org);
	g_free(d->dmarc_at);
	if (d->has_dmarc)
		ds_dmarc_record_clear(&d->dmarc);
	if (d->findings != NULL)
		g_ptr_array_unref(d->findings);
	if (d->sources != NULL)
		g_ptr_array_unref(d->sources);
	if (d->skipped != NULL)
		g_ptr_array_unref(d->skipped);
	if (d->pool != NULL)
		g_ptr_array_unref(d->pool);
	ds_services_free(d->svc);
	if (d->vouched != NULL)
		g_hash_table_destroy(d->vouched);
	if (d->timeline != NULL)
		g_array_unref(d->timeline);
	memset(d, 0, sizeof(*d));
}

const char *
ds_doctor_q(struct ds_doctor *d, const char *s)
{
	char *q;

	if (s == NULL)
		return "(none)";
	q = ds_quote(s, strlen(s), QUOTE_MAX);
	g_ptr_array_add(d->pool, q);
	return q;
}

const char *
ds_doctor_fmt(struct ds_doctor *d, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	g_ptr_array_add(d->pool, s);
	return s;
}

void
ds_doctor_skip(struct ds_doctor *d, const char *what, enum ds_dns_status st)
{
	g_ptr_array_add(d->skipped, g_strdup_printf("%s: %s", what,
	    ds_dns_status_name(st)));
}

struct ds_finding *
ds_doctor_add(struct ds_doctor *d, enum ds_sev sev, const char *code,
    int64_t weight, const char *fmt, ...)
{
	struct ds_finding *f = g_new0(struct ds_finding, 1);
	va_list ap;

	f->sev = sev;
	f->code = g_strdup(code);
	f->weight = weight;
	va_start(ap, fmt);
	f->message = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	f->ev_json = g_string_new(NULL);
	f->ev_text = g_string_new(NULL);
	g_ptr_array_add(d->findings, f);
	return f;
}

void
ds_finding_fix(struct ds_finding *f, const char *fmt, ...)
{
	va_list ap;

	g_free(f->fix);
	va_start(ap, fmt);
	f->fix = g_strdup_vprintf(fmt, ap);
	va_end(ap);
}

static gint
cmp_finding(gconstpointer a, gconstpointer b)
{
	const struct ds_finding *x = *(struct ds_finding *const *)a;
	const struct ds_finding *y = *(struct ds_finding *const *)b;

	if (x->sev != y->sev)
		return x->sev > y->sev ? -1 : 1;
	if (x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* Skipped DNS checks become one info finding. */
static void
add_skipped(struct ds_doctor *d)
{
	struct ds_finding *f;

	if (d->skipped->len == 0)
		return;
	f = ds_doctor_add(d, DS_SEV_INFO, "doctor-dns-unavailable", 0,
	    "%u DNS check%s could not run", d->skipped->len,
	    d->skipped->len == 1 ? "" : "s");
	ds_ev_strv(f, "checks", d->skipped);
	ds_finding_fix(f, "Run doctor again with working DNS, or give the "
	    "records to check with --dns-zone FILE.");
}

/* See doctor.h. */
bool
ds_doctor_run(struct ds_doctor *d, GError **err)
{
	if (!ds_doctor_classify(d, err) ||
	    !ds_store_policy_timeline(d->st, &d->q, &d->timeline, err))
		return false;
	if (!ds_doctor_dmarc(d, err) || !ds_doctor_spf(d, err) ||
	    !ds_doctor_dkim(d, err) || !ds_doctor_senders(d, err) ||
	    !ds_doctor_reporting(d, err) || !ds_doctor_tls(d, err))
		return false;
	ds_doctor_policy_timeline(d);
	add_skipped(d);
	g_ptr_array_sort(d->findings, cmp_finding);
	return true;
}

bool
ds_doctor_failed(const struct ds_doctor *d, enum ds_sev fail_on)
{
	guint i;

	for (i = 0; i < d->findings->len; i++)
		if (((struct ds_finding *)d->findings->pdata[i])->sev >=
		    fail_on)
			return true;
	return false;
}

/* Print s wrapped at 78 columns, each line after indent. */
static void
wrap(FILE *fp, const char *indent, const char *s)
{
	size_t col = 0, w, ind = strlen(indent);
	char **words = g_strsplit(s, " ", 0);
	guint i;

	for (i = 0; words[i] != NULL; i++) {
		w = g_utf8_strlen(words[i], -1);
		if (col == 0) {
			fputs(indent, fp);
			col = ind;
		} else if (col + 1 + w > 78) {
			fprintf(fp, "\n%s", indent);
			col = ind;
		} else {
			fputc(' ', fp);
			col++;
		}
		fputs(words[i], fp);
		col += w;
	}
	fputc('\n', fp);
	g_strfreev(words);
}

static void
emit_text(const struct ds_doctor *d, FILE *fp)
{
	guint i, n[3] = { 0, 0, 0 };

	for (i = 0; i < d->findings->len; i++) {
		const struct ds_finding *f = d->findings->pdata[i];

		n[f->sev]++;
		fprintf(fp, "%s%s: %s\n", i ? "\n" : "", ds_sev_name(f->sev),
		    f->code);
		wrap(fp, "  ", f->message);
		if (f->ev_text->len > 0)
			fprintf(fp, "  evidence:\n%s", f->ev_text->str);
		if (f->fix != NULL) {
			fputs("  fix:\n", fp);
			wrap(fp, "    ", f->fix);
		}
	}
	fprintf(fp, "%s%s: %u error%s, %u warning%s, %u info\n",
	    d->findings->len ? "\n" : "", d->domain, n[DS_SEV_ERROR],
	    n[DS_SEV_ERROR] == 1 ? "" : "s", n[DS_SEV_WARNING],
	    n[DS_SEV_WARNING] == 1 ? "" : "s", n[DS_SEV_INFO]);
}

static void
emit_json(const struct ds_doctor *d, FILE *fp)
{
	GString *g = g_string_new("[");
	guint i;

	for (i = 0; i < d->findings->len; i++) {
		const struct ds_finding *f = d->findings->pdata[i];

		g_string_append(g, i ? ",\n{\"severity\":" : "\n{\"severity\":");
		ds_json_escape(g, ds_sev_name(f->sev));
		g_string_append(g, ",\"code\":");
		ds_json_escape(g, f->code);
		g_string_append(g, ",\"message\":");
		ds_json_escape(g, f->message);
		g_string_append_printf(g, ",\"evidence\":{%s},\"fix\":",
		    f->ev_json->str);
		ds_json_escape(g, f->fix ? f->fix : "");
		g_string_append_c(g, '}');
	}
	g_string_append(g, "\n]\n");
	fputs(g->str, fp);
	g_string_free(g, TRUE);
}

/*
 * The findings quote DNS records and report values: they are written to
 * a memory stream first and leave through the terminal rule (term.h).
 */
void
ds_doctor_emit(const struct ds_doctor *d, enum ds_outfmt fmt, FILE *fp)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (m == NULL)
		m = fp;
	if (fmt == DS_OUT_JSON)
		emit_json(d, m);
	else
		emit_text(d, m);
	if (m != fp) {
		fclose(m);
		ds_term_write(fp, buf, (gssize)len);
		free(buf);
	}
}
