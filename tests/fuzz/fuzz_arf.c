/*
 * fuzz_arf.c - libFuzzer target for the failure report (ARF) parser
 * (ingest/failure*.c, RFC 5965/6591/9991; THREATS #6-#8, #14) and what
 * is done with a parsed report without DNS: its Authentication-Results
 * read (ingest/failure/authres.c), its re-verification with DNS off
 * (ingest/failure/failure_verify.c: DKIM-Signature parsing, DMARC From domain,
 * the differences), its JSON and text output, redacted or not.
 * SPDX-License-Identifier: MIT
 *
 * Oracles that abort: every string of the model is valid UTF-8, the
 * source IP survives inet_pton, a successful parse has an identity, and
 * the JSON output is valid UTF-8 with balanced braces outside strings.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "schema/util/error.h"
#include "ingest/failure/authres.h"
#include "ingest/failure/failure.h"
#include "ingest/failure/failure_int.h"
#include "ingest/failure/failure_out.h"
#include "ingest/failure/failure_verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(const char *s)
{
	if (s && !g_utf8_validate(s, -1, NULL))
		abort();
}

static void
check_all(GPtrArray *a)
{
	guint i;

	for (i = 0; a && i < a->len; i++)
		check(g_ptr_array_index(a, i));
}

/* JSON text: valid UTF-8, {} and [] balanced outside strings */
static void
check_json(const GString *g)
{
	int depth = 0;
	bool str = false;
	size_t i;

	if (!g_utf8_validate(g->str, (gssize)g->len, NULL))
		abort();
	for (i = 0; i < g->len; i++) {
		char c = g->str[i];

		if (str) {
			if (c == '\\')
				i++;
			else if (c == '"')
				str = false;
			else if ((unsigned char)c < 0x20)
				abort();	/* raw control in a string */
		} else if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth < 0)
				abort();
		}
	}
	if (depth != 0 || str)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ds_dns *dns;
	struct ds_failure f;
	struct ds_limits lim;
	GString *g;
	GArray *ar;
	char *ip;
	guint i;

	ds_limits_default(&lim);
	lim.max_message = 4u << 20;
	if (!ds_failure_parse(&f, (const char *)data, size, &lim, NULL)) {
		ds_failure_clear(&f);
		return 0;
	}
	if (f.identity == NULL)
		abort();
	check(f.source_ip);
	if (f.source_ip && (ip = ds_failure_canon_ip(f.source_ip)) == NULL)
		abort();
	else if (f.source_ip)
		g_free(ip);
	check(f.auth_results);
	check(f.sample_from);
	check(f.sample_subject);
	check(f.report_subject);
	check_all(f.reported_domain);
	check_all(f.warnings);
	for (i = 0; i < f.fields->len; i++) {
		check(g_array_index(f.fields, struct ds_failure_field, i).name);
		check(g_array_index(f.fields, struct ds_failure_field, i).value);
	}
	ar = ds_authres_parse(f.auth_results, NULL);
	ds_authres_free(ar);
	if (dns == NULL && (dns = ds_dns_new(DS_DNS_OFF, NULL, NULL)) == NULL)
		abort();
	ds_failure_reverify(&f, dns, 1);
	check(f.verification);
	check(f.verification_text);
	check_all(f.differences);
	g = g_string_new(NULL);
	ds_failure_json(g, &f, true, false);
	check_json(g);
	g_string_truncate(g, 0);
	ds_failure_json(g, &f, true, true);
	check_json(g);
	g_string_truncate(g, 0);
	ds_failure_text_show(g, &f, true);
	check(g->str);
	g_string_free(g, TRUE);
	ds_failure_clear(&f);
	return 0;
}
