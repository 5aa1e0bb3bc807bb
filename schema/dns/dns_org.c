/*
 * dns_org.c - the organizational domain by the Public Suffix List
 * (RFC 7489 §3.2), with libpsl and Debian's list.
 * SPDX-License-Identifier: MIT
 *
 * psl_latest(NULL) prefers /usr/share/publicsuffix/ over the list built
 * into libpsl; private rules apply too (a.github.io and b.github.io are
 * different organizational domains). Input is lower-cased first.
 */
#include <string.h>

#include <libpsl.h>

#include "schema/dns/dns.h"

static psl_ctx_t *
psl_handle(void)
{
	static gsize once;
	static psl_ctx_t *psl;

	if (g_once_init_enter(&once)) {
		psl = psl_latest(NULL);
		if (psl == NULL)
			psl = (psl_ctx_t *)psl_builtin();
		g_once_init_leave(&once, 1);
	}
	return psl;
}

char *
ds_org_domain(const char *name)
{
	const char *reg;
	char *low, *res;
	size_t n;

	low = g_ascii_strdown(name, -1);
	n = strlen(low);
	if (n > 0 && low[n - 1] == '.')
		low[n - 1] = '\0';
	reg = psl_handle() != NULL ?
	    psl_registrable_domain(psl_handle(), low) : NULL;
	res = g_strdup(reg != NULL ? reg : low);
	g_free(low);
	return res;
}
