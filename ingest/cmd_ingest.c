/*
 * cmd_ingest.c - "dmarcsift ingest": files, directories, Maildir, mbox,
 * stdin (and IMAP URLs where built in) into the database.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli.h"
#include "schema/error.h"
#include "ingest/commands.h"
#include "ingest/failure_hook.h"
#include "ingest/pipeline.h"
#include "ingest/source.h"

static char *max_message, *max_inflated;

static const GOptionEntry entries[] = {
	{ "max-message-size", 0, 0, G_OPTION_ARG_STRING, &max_message,
	  "largest message or file read into memory (default 64M)", "SIZE" },
	{ "max-inflated", 0, 0, G_OPTION_ARG_STRING, &max_inflated,
	  "most bytes decompressed from one input (default 256M)", "SIZE" },
	G_OPTION_ENTRY_NULL
};

/* "50M", "1G", "4096" to bytes; 0 when malformed */
static uint64_t
parse_size(const char *s)
{
	char *end;
	guint64 v = g_ascii_strtoull(s, &end, 10);

	switch (g_ascii_toupper(*end)) {
	case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	}
	return *end ? 0 : v;
}

int
cmd_ingest(int argc, char **argv)
{
	struct ds_pipeline_opts opts = { 0 };
	struct ds_limits lim;
	struct ds_pipeline *pl = NULL;
	struct ds_store *st = NULL;
	GError *e = NULL;
	int i, rc = DS_EXIT_OK;
	char *sum;

	if (!ds_cli_parse("ingest", "PATH|URL|- ...",
	    "Store the DMARC reports found in files, directories, Maildirs,\n"
	    "mbox files, raw messages or standard input (-). The content\n"
	    "decides the type: XML, gzip, zip, mail, mbox.",
	    entries, &argc, &argv))
		return DS_EXIT_USAGE;
	if (argc < 2) {
		fprintf(stderr, "dmarcsift ingest: nothing to ingest "
		    "(give files, directories or -)\n");
		return DS_EXIT_USAGE;
	}
	ds_limits_default(&lim);
	if (max_message && (lim.max_message = parse_size(max_message)) == 0) {
		fprintf(stderr, "dmarcsift ingest: bad size '%s'\n",
		    max_message);
		return DS_EXIT_USAGE;
	}
	/* THREATS #4: the cap stays; a big report of one's own may need more */
	if (max_inflated &&
	    (lim.max_inflated = parse_size(max_inflated)) == 0) {
		fprintf(stderr, "dmarcsift ingest: bad size '%s'\n",
		    max_inflated);
		return DS_EXIT_USAGE;
	}
	if ((st = ds_cli_open_store(&e)) == NULL ||
	    !ds_store_lock(st, 30000, &e))
		goto fail;
	opts.quiet = ds_cli.quiet;
	opts.verbose = ds_cli.verbose;
	pl = ds_pipeline_new(st, &lim, &opts);
	ds_failure_hook_install(pl);
	for (i = 1; i < argc; i++) {
		if (!ds_source_local_ingest(pl, argv[i], &e))
			break;
	}
	ds_source_progress(pl, true);
	if (e)
		goto fail;
	sum = ds_pipeline_summary(pl);
	if (!ds_cli.quiet)
		fprintf(stderr, "dmarcsift: ingest: %s\n", sum);
	g_free(sum);
	if (ds_pipeline_stats(pl)->errors)
		rc = DS_EXIT_TEMPFAIL;
	else if (ds_pipeline_stats(pl)->rejected)
		rc = DS_EXIT_REJECTED;
	goto done;
fail:
	rc = ds_cli_fail(e);
	g_clear_error(&e);
done:
	ds_failure_hook_remove(pl);
	ds_pipeline_free(pl);
	ds_store_close(st);
	return rc;
}
