/*
 * fuzz_verify.c - libFuzzer target for re-verification (ingest/
 * verify.h): the From rules (GMime), every DKIM-Signature (libopendkim,
 * real keys from a built-in zone, so canonicalization and hashing run),
 * SPF through the libspf2 DNS layer, DMARC (THREATS #6, #8, #17).
 * SPDX-License-Identifier: MIT
 *
 * The seeds in corpora/verify were signed once with throwaway keys whose
 * public halves are in the zone below (the private keys were not kept).
 */
#include <stdint.h>
#include <stddef.h>
#include <unistd.h>

#include "ingest/verify/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char zone_text[] =
    "$ORIGIN example.com.\n"
    "@ 300 IN A 192.0.2.1\n"
    "@ 300 IN TXT \"v=spf1 ip4:192.0.2.0/28 a mx include:_spf.example.com ~all\"\n"
    "_spf 300 IN TXT \"v=spf1 ip4:198.51.100.0/24 -all\"\n"
    "_dmarc 300 IN TXT \"v=DMARC1; p=reject; sp=quarantine; np=reject\"\n"
    "fz._domainkey 300 IN TXT \"v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDgyEdgyLUIOLFYcqWDjCVrWgwaCsoyWpKxAtGYdi/A108o1DXebOiOyxsdN/+V0iG7XXjDnFBeCIBnNHsLDxMsCxm2Wz1bzMNVoOgzzLbeo7r4Y7CMxZw6xhMcNKWEsNwTXeZ2Oqhqvc8IoFhxLFHvZDq5wzX7c/TeTmGnCumN6QIDAQAB\"\n"
    "ed._domainkey 300 IN TXT \"v=DKIM1; k=ed25519; p=8TENjZDWsyTPrXjUfJ3UwFCmLMK8aHKz8vjbRDq+UCU=\"\n";

static struct ds_dns *
dns_once(void)
{
	static struct ds_dns *dns;
	char *path = NULL;
	int fd;

	if (dns != NULL)
		return dns;
	fd = g_file_open_tmp("dsfuzz-XXXXXX.zone", &path, NULL);
	if (fd < 0)
		return NULL;
	close(fd);
	if (g_file_set_contents(path, zone_text, -1, NULL))
		dns = ds_dns_new(DS_DNS_ZONE, path, NULL);
	unlink(path);
	g_free(path);
	return dns;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ds_verify_input in = { 0 };
	struct ds_verify_result r;
	struct ds_dns *dns = dns_once();
	GString *g;

	if (dns == NULL)
		return 0;
	in.msg = (const char *)data;
	in.len = size;
	in.headers_only = size > 0 && (data[0] & 1);
	in.source_ip = "192.0.2.10";
	in.mail_from = "bounce@example.com";
	if (ds_verify_message(dns, &in, &r, NULL)) {
		g = g_string_new(NULL);
		ds_verify_result_json(g, &r);
		ds_verify_result_text(g, &r);
		g_string_free(g, TRUE);
	}
	ds_verify_result_clear(&r);
	return 0;
}
