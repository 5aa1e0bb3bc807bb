/*
 * helper_mmdb.c - MaxMind DB test files (helper_mmdb.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "tests/unit/helper_mmdb.h"

char *
tm_make(const char *dir, int64_t epoch, const char *suffix)
{
	const char *src = getenv("DS_SRC");
	char *script, *out, *ep, *err = NULL;
	char *argv[6];
	GError *e = NULL;
	gint status = 0;

	if (src == NULL)
		src = ".";
	script = g_build_filename(src, "tests", "enrich", "mkmmdb.pl", NULL);
	ep = g_strdup_printf("%" G_GINT64_FORMAT, epoch);
	out = g_strdup_printf("%s/mm-%s%s", dir, ep, suffix);
	g_strdelimit(out + strlen(dir), " ", '_');
	assert_int_equal(g_mkdir_with_parents(out, 0700), 0);
	argv[0] = (char *)"perl";
	argv[1] = script;
	argv[2] = out;
	argv[3] = ep;
	argv[4] = (char *)suffix;
	argv[5] = NULL;
	if (!g_spawn_sync(NULL, argv, NULL, G_SPAWN_SEARCH_PATH |
	    G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status, &e))
		fail_msg("cannot run perl: %s", e->message);
	if (!g_spawn_check_wait_status(status, NULL))
		fail_msg("mkmmdb.pl failed (libmaxmind-db-writer-perl "
		    "installed? tools/deps.sh test): %s", err);
	g_free(err);
	g_free(ep);
	g_free(script);
	return out;
}

char *
tm_path(const char *dir, const char *name)
{
	return g_build_filename(dir, name, NULL);
}
