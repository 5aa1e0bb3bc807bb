/*
 * fuzz_mmdb.c - libFuzzer target for the MaxMind DB reader
 * (report/enrich/mmdb.c) over arbitrary database bytes: open, then look
 * up fixed IPv4 and IPv6 addresses and addresses taken from the input.
 * SPDX-License-Identifier: MIT
 *
 * A database file is installed by the user but comes from a download:
 * a corrupt one must give warnings, never a crash, a hang or a read
 * outside the file. libmaxminddb reads files only, so each input is
 * written to one temporary file first. Oracles abort: every value that
 * comes back is bounded and valid (two upper-case letters for a
 * country, UTF-8 without control characters for the organisation).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <glib.h>

#include "report/enrich/mmdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *path;

static void
remove_tmp(void)
{
	unlink(path);
}

static void
check(const struct ds_geo *g)
{
	const char *p;

	if (g->country != NULL && (strlen(g->country) != 2 ||
	    !g_ascii_isupper(g->country[0]) ||
	    !g_ascii_isupper(g->country[1])))
		abort();
	if (g->as_org != NULL) {
		if (!g_utf8_validate(g->as_org, -1, NULL) ||
		    strlen(g->as_org) > 1024)
			abort();
		for (p = g->as_org; *p; p++)
			if ((unsigned char)*p < 0x20)
				abort();
	}
	if (g->as_domain != NULL && strlen(g->as_domain) > 253)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const fixed[] = { "198.51.100.10", "0.0.0.0",
	    "255.255.255.255", "2001:db8:10::25", "::", "::ffff:1.2.3.4",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	const char *paths[2];
	struct ds_mmdb *m;
	struct ds_geo g = { 0 };
	char ip[INET6_ADDRSTRLEN];
	size_t i;
	int fd;

	if (path == NULL) {
		fd = g_file_open_tmp("fuzz-mmdb-XXXXXX", &path, NULL);
		if (fd < 0)
			abort();
		close(fd);
		atexit(remove_tmp);
	}
	if (!g_file_set_contents(path, (const char *)data, (gssize)size,
	    NULL))
		abort();
	paths[0] = path;
	paths[1] = NULL;
	m = ds_mmdb_open(paths);
	(void)ds_mmdb_built(m);
	for (i = 0; i < G_N_ELEMENTS(fixed); i++) {
		ds_mmdb_lookup(m, fixed[i], &g);
		check(&g);
	}
	/* addresses from the first bytes, to reach other branches */
	if (size >= 16) {
		inet_ntop(AF_INET, data, ip, sizeof(ip));
		ds_mmdb_lookup(m, ip, &g);
		check(&g);
		inet_ntop(AF_INET6, data, ip, sizeof(ip));
		ds_mmdb_lookup(m, ip, &g);
		check(&g);
	}
	ds_geo_clear(&g);
	(void)ds_mmdb_warnings(m);
	ds_mmdb_free(m);
	return 0;
}
