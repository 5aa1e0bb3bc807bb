/*
 * dns_zone.c - load an RFC 1035 master file (zone file) into unbound
 * local data, for `--dns-zone` what-if checks and offline tests.
 * SPDX-License-Identifier: MIT
 *
 * The file is parsed by ldns (ldns_zone_new_frm_fp_l: $TTL, $ORIGIN,
 * relative and absolute names, TXT split into several strings), each
 * record is printed back in presentation format and handed to
 * ub_ctx_data_add under a static root zone, so names the file does not
 * hold answer NXDOMAIN and names without the asked type answer NODATA.
 * Also: the wire-format name decoder the answer converters use.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <ldns/ldns.h>
#include <unbound.h>

#include "schema/dns/dns_priv.h"
#include "schema/util/error.h"

#define DEFAULT_TTL 3600

static bool
add_rr(struct ub_ctx *ctx, const ldns_rr *rr, const char *path, GError **err)
{
	char *s;
	size_t n;
	int rc;
	bool ok = true;

	s = ldns_rr2str(rr);
	if (s == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: cannot print a record",
		    path);
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	rc = ub_ctx_data_add(ctx, s);
	if (rc != 0) {
		char *q = ds_quote(s, n, 120);

		ok = ds_fail(err, DS_ERROR_USAGE, "%s: record %s not accepted: "
		    "%s", path, q, ub_strerror(rc));
		g_free(q);
	}
	free(s);
	return ok;
}

bool
ds_dns_zone_load(struct ub_ctx *ctx, const char *path, GError **err)
{
	FILE *fp;
	ldns_rdf *origin = NULL;
	ldns_zone *zone = NULL;
	ldns_rr_list *rrs;
	ldns_status st;
	int line = 1;
	size_t i;
	bool ok = false;

	fp = fopen(path, "r");
	if (fp == NULL)
		return ds_fail(err, DS_ERROR_USAGE, "%s: %s", path,
		    g_strerror(errno));
	origin = ldns_dname_new_frm_str(".");
	st = ldns_zone_new_frm_fp_l(&zone, fp, origin, DEFAULT_TTL,
	    LDNS_RR_CLASS_IN, &line);
	if (st != LDNS_STATUS_OK) {
		long pos = ftell(fp);

		/* ldns counts the newline that ends the bad record */
		if (pos > 0 && line > 1 && fseek(fp, pos - 1, SEEK_SET) == 0 &&
		    fgetc(fp) == '\n')
			line--;
		ds_fail(err, DS_ERROR_USAGE, "%s:%d: %s", path, line,
		    ldns_get_errorstr_by_id(st));
		goto done;
	}
	if (ldns_zone_soa(zone) != NULL &&
	    !add_rr(ctx, ldns_zone_soa(zone), path, err))
		goto done;
	rrs = ldns_zone_rrs(zone);
	for (i = 0; rrs != NULL && i < ldns_rr_list_rr_count(rrs); i++)
		if (!add_rr(ctx, ldns_rr_list_rr(rrs, i), path, err))
			goto done;
	ok = true;
done:
	if (zone != NULL)
		ldns_zone_deep_free(zone);
	ldns_rdf_deep_free(origin);
	fclose(fp);
	return ok;
}

char *
ds_dns_wire_name(const unsigned char *p, size_t len, size_t *used)
{
	GString *g;
	size_t off = 0;
	unsigned l, j;

	g = g_string_new(NULL);
	for (;;) {
		if (off >= len)
			goto bad;
		l = p[off++];
		if (l == 0)
			break;
		if (l > 63 || off + l > len || g->len > 1024)
			goto bad;	/* compression pointers included */
		if (g->len > 0)
			g_string_append_c(g, '.');
		for (j = 0; j < l; j++) {
			unsigned char c = p[off + j];

			if (g_ascii_isalnum(c) || c == '-' || c == '_')
				g_string_append_c(g, (char)c);
			else
				g_string_append_printf(g, "\\%03u", c);
		}
		off += l;
	}
	if (used != NULL)
		*used = off;
	return g_string_free(g, FALSE);
bad:
	g_string_free(g, TRUE);
	return NULL;
}
