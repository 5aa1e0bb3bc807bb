/*
 * tls_text.c - SMTP TLS report figures as tables (tls_text.h).
 * SPDX-License-Identifier: MIT
 *
 * THREATS #9, #10: every value leaves through report/text/table.c
 * (terminal escaping, JSON escaping, CSV formula guarding).
 */
#include "schema/util/rate.h"
#include "report/text/tls_text.h"

static const char *const cols_domain[] = { "domain", "reports",
	"sessions", "successes", "failures", "success_rate", "first", "last",
	NULL };
static const char *const cols_policy[] = { "domain", "policy_type",
	"reports", "sessions", "successes", "failures", "success_rate", NULL };
static const char *const cols_mx[] = { "domain", "policy_type", "mx_host",
	"reports", "successes", "failures", "success_rate", NULL };
static const char *const cols_failure[] = { "domain", "result_type",
	"failed_sessions", "reports", "policy_types", "sending_mta_ips",
	"receiving_mx", "reason_codes", NULL };

static const char *const *const cols[] = {
	[DS_TLS_BY_DOMAIN] = cols_domain,
	[DS_TLS_BY_POLICY] = cols_policy,
	[DS_TLS_BY_MX] = cols_mx,
	[DS_TLS_BY_FAILURE] = cols_failure,
};

static const char *const json_names[] = {
	[DS_TLS_BY_DOMAIN] = "domains",
	[DS_TLS_BY_POLICY] = "policies",
	[DS_TLS_BY_MX] = "mx",
	[DS_TLS_BY_FAILURE] = "failures",
};

static const char *const titles[] = {
	[DS_TLS_BY_DOMAIN] = "SMTP TLS sessions per policy domain",
	[DS_TLS_BY_POLICY] = "per policy type",
	[DS_TLS_BY_MX] = "per MX pattern of the policy",
	[DS_TLS_BY_FAILURE] = "failures by result type",
};

double
ds_tls_rate(int64_t ok, int64_t failed)
{
	/* ds_pass_rate never shows 100.0 while a session failed */
	if (ok + failed <= 0)
		return 100.0;
	return ds_pass_rate(ok, ok > INT64_MAX - failed ? INT64_MAX :
	    ok + failed);
}

struct fill {
	struct ds_table *t;
	enum ds_tls_group g;
};

/*
 * "a,b,c" from group_concat (IPs, host names, policy types: no commas
 * of their own) as a JSON array, "a, b, c" in text and CSV; NULL: [].
 */
static void
list_cell(struct ds_table *t, const char *s)
{
	GString *json = g_string_new("[");
	char **v = g_strsplit(s ? s : "", ",", -1), *j;
	int i;

	for (i = 0; s && v[i]; i++) {
		if (i)
			g_string_append_c(json, ',');
		ds_json_str(json, v[i]);
	}
	g_string_append_c(json, ']');
	j = g_strjoinv(", ", v);
	ds_table_json(t, json->str, j);
	g_free(j);
	g_strfreev(v);
	g_string_free(json, TRUE);
}

static bool
add_row(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct fill *f = payload;
	struct ds_table *t = f->t;

	ds_table_row(t);
	ds_table_str(t, r->domain);
	switch (f->g) {
	case DS_TLS_BY_DOMAIN:
		ds_table_int(t, r->reports);
		ds_table_int(t, r->successes + r->failures);
		ds_table_int(t, r->successes);
		ds_table_int(t, r->failures);
		ds_table_num(t, ds_tls_rate(r->successes, r->failures), 1);
		ds_table_day(t, r->first);
		ds_table_day(t, r->last);
		break;
	case DS_TLS_BY_POLICY:
		ds_table_str(t, r->policy_type);
		ds_table_int(t, r->reports);
		ds_table_int(t, r->successes + r->failures);
		ds_table_int(t, r->successes);
		ds_table_int(t, r->failures);
		ds_table_num(t, ds_tls_rate(r->successes, r->failures), 1);
		break;
	case DS_TLS_BY_MX:
		ds_table_str(t, r->policy_type);
		ds_table_str(t, r->mx ? r->mx : "(none listed)");
		ds_table_int(t, r->reports);
		ds_table_int(t, r->successes);
		ds_table_int(t, r->failures);
		ds_table_num(t, ds_tls_rate(r->successes, r->failures), 1);
		break;
	case DS_TLS_BY_FAILURE:
		ds_table_str(t, r->result_type);
		ds_table_int(t, r->failures);
		ds_table_int(t, r->reports);
		list_cell(t, r->policy_type);
		list_cell(t, r->sending_ips);
		list_cell(t, r->receiving);
		/* reason codes may hold commas themselves */
		ds_table_str(t, r->reason_codes);
		break;
	}
	return true;
}

struct ds_table *
ds_tls_table(struct ds_store *st, enum ds_tls_group g, const char *domain,
    int64_t since, int64_t until, GError **err)
{
	struct fill f = { ds_table_new(cols[g]), g };

	if (!ds_store_tls_each(st, g, domain, since, until, add_row, &f,
	    err)) {
		ds_table_free(f.t);
		return NULL;
	}
	return f.t;
}

/* 80 columns: the detail columns stay in JSON and CSV */
static void
text_fit(struct ds_table *t, int g)
{
	static const char *const hide[][3] = {
		[DS_TLS_BY_DOMAIN] = { "sessions", "first", NULL },
		[DS_TLS_BY_POLICY] = { "reports", NULL, NULL },
		[DS_TLS_BY_MX] = { "reports", NULL, NULL },
		[DS_TLS_BY_FAILURE] = { "policy_types", "reports", NULL },
	};
	int i;

	for (i = 0; hide[g][i]; i++)
		ds_table_text_hide(t, hide[g][i]);
}

bool
ds_tls_emit(struct ds_store *st, int view, const char *domain,
    int64_t since, int64_t until, enum ds_outfmt fmt, FILE *f,
    GError **err)
{
	struct ds_table *t;
	int g, first = view < 0 ? 0 : view, last = view < 0 ?
	    DS_TLS_BY_FAILURE : view;
	bool any = false;

	if (fmt == DS_OUT_JSON && view < 0)
		fputs("{", f);
	for (g = first; g <= last; g++) {
		if ((t = ds_tls_table(st, g, domain, since, until, err)) ==
		    NULL)
			return false;
		if (fmt == DS_OUT_JSON && view < 0) {
			fprintf(f, "%s\"%s\":", g > first ? "," : "",
			    json_names[g]);
			ds_table_emit(t, fmt, f);
		} else if (fmt != DS_OUT_TEXT) {
			ds_table_emit(t, fmt, f);
		} else if (ds_table_rows(t) > 0) {
			text_fit(t, g);
			if (domain)
				ds_table_text_hide(t, "domain");
			if (view < 0)
				fprintf(f, "%s%s\n", any ? "\n" : "",
				    titles[g]);
			ds_table_emit(t, fmt, f);
			any = true;
		}
		ds_table_free(t);
	}
	if (fmt == DS_OUT_JSON && view < 0)
		fputs("}\n", f);
	if (fmt == DS_OUT_TEXT && !any)
		fputs("no TLS reports in the period\n", f);
	return true;
}

struct totals {
	int64_t reports, ok, failed;
};

static bool
totals_cb(const struct ds_tls_row *r, void *payload, GError **err)
{
	struct totals *t = payload;

	t->reports += r->reports;
	t->ok += r->successes;
	t->failed += r->failures;
	return true;
}

bool
ds_tls_totals(struct ds_store *st, const char *domain, int64_t since,
    int64_t until, int64_t *reports, int64_t *ok, int64_t *failed,
    GError **err)
{
	struct totals t = { 0, 0, 0 };

	if (!ds_store_tls_each(st, DS_TLS_BY_DOMAIN, domain, since, until,
	    totals_cb, &t, err))
		return false;
	*reports = t.reports;
	*ok = t.ok;
	*failed = t.failed;
	return true;
}
