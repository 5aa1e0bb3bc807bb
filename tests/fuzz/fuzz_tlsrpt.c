/*
 * fuzz_tlsrpt.c - libFuzzer target for the SMTP TLS report parser
 * (ingest/tlsrpt, schema/jsonin; THREATS #8, #14, #20).
 * SPDX-License-Identifier: MIT
 *
 * Besides "no crash, no leak, no sanitizer report", oracles abort: a
 * parsed report has its identity, a date range in order, valid UTF-8
 * strings and non-negative counts; a rejection always has a reason.
 */
#include <stdint.h>
#include <stdlib.h>

#include "schema/util/error.h"
#include "ingest/tlsrpt/tlsrpt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s)
{
	if (s && !g_utf8_validate(s, -1, NULL))
		abort();
}

static void
check_report(const struct ds_tls_report *r)
{
	guint i, j;

	if (r->report_id == NULL || r->org_name == NULL || r->end < r->begin)
		abort();
	check(r->org_name);
	check(r->contact_info);
	check(r->domain);
	for (i = 0; i < r->policies->len; i++) {
		const struct ds_tls_policy *p = g_ptr_array_index(r->policies,
		    i);

		check(p->type);
		check(p->domain);
		if (p->successes < 0 || p->failures < 0 || p->type == NULL)
			abort();
		for (j = 0; j < p->details->len; j++) {
			const struct ds_tls_failure *f =
			    g_ptr_array_index(p->details, j);

			check(f->result_type);
			check(f->sending_mta_ip);
			check(f->failure_reason_code);
			if (f->failed_sessions < 0 || f->result_type == NULL)
				abort();
		}
	}
	if (ds_tls_report_successes(r) < 0 || ds_tls_report_failures(r) < 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_limits lim;
	struct ds_tls_report r;
	GError *e = NULL;

	ds_limits_default(&lim);
	lim.max_text = 256;
	lim.max_records = 1000;
	(void)ds_tlsrpt_sniff((const char *)data, size);
	if (ds_tlsrpt_parse(&r, (const char *)data, size, &lim, &e))
		check_report(&r);
	else if (e == NULL || e->message == NULL || e->message[0] == '\0')
		abort();
	g_clear_error(&e);
	ds_tls_report_clear(&r);
	return 0;
}
