/*
 * cmd_migrate_store.c - "dmarcsift migrate-store --from A --to B": copy
 * a store into another, SQLite -> PostgreSQL or back (the work is
 * schema/store/store_copy.c). Resumable: a rerun continues after the
 * last committed batch, nothing is copied twice; the row counts of
 * every table are checked at the end and printed.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <unistd.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "schema/store/store_copy.h"
#include "ingest/cmd/commands.h"

static char *opt_from, *opt_to;

static const GOptionEntry entries[] = {
	{ "from", 0, 0, G_OPTION_ARG_FILENAME, &opt_from,
	  "the store to copy: a SQLite file or a postgresql:// URI", "DB" },
	{ "to", 0, 0, G_OPTION_ARG_FILENAME, &opt_to,
	  "the store to copy into (created and migrated when new)", "DB" },
	G_OPTION_ENTRY_NULL
};

/* At a terminal: one line per table, rewritten in place. */
static void
progress(const char *table, int64_t done, int64_t total, void *payload)
{
	(void)payload;
	g_printerr("\r%-16s %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
	    " rows copied", table, done, total);
}

int
cmd_migrate_store(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_store *from = NULL, *to = NULL;
	GArray *counts = NULL;
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	int64_t copied = 0;
	bool tty;
	guint i;

	if (!ds_ctx_setup(c, NULL, "Copy every report, record, day rollup, "
	    "failure report, TLS report\nand mailbox state of store --from into "
	    "store --to (SQLite file or\npostgresql:// URI, either way). Stop ingest "
	    "and poll on --from first. Resumable:\nrun it again after an "
	    "interruption; nothing is copied twice.\nThe row counts of both "
	    "stores are compared at the end.", entries, argc, argv) ||
	    !ds_ctx_no_args(c))
		return c->rc;
	if (opt_from == NULL || opt_to == NULL) {
		g_printerr("dmarcsift migrate-store: --from and --to are "
		    "required\n");
		return DS_EXIT_USAGE;
	}
	tty = !c->quiet && isatty(STDERR_FILENO);
	if ((from = ds_store_open(opt_from, &e)) == NULL ||
	    (to = ds_store_open(opt_to, &e)) == NULL)
		goto fail;
	/* no ingest beside us on either side (SQLite: the file lock) */
	if (!ds_store_lock(from, 0, &e) || !ds_store_lock(to, 0, &e))
		goto fail;
	if (!ds_store_copy(from, to, tty ? progress : NULL, NULL, &counts,
	    &e)) {
		if (tty)
			g_printerr("\n");
		goto fail;
	}
	if (tty)
		g_printerr("\r%-50s\r", "");
	for (i = 0; i < counts->len; i++) {
		struct ds_copy_count *n = &g_array_index(counts,
		    struct ds_copy_count, i);

		copied += n->copied;
		if (!c->quiet)
			g_print("%-16s %12" G_GINT64_FORMAT " rows, %12"
			    G_GINT64_FORMAT " copied now\n", n->table,
			    n->target, n->copied);
	}
	if (!c->quiet)
		g_print("counts match: %s -> %s (%" G_GINT64_FORMAT
		    " rows copied now)\n", ds_store_path(from),
		    ds_store_path(to), copied);
	goto done;
fail:
	g_printerr("dmarcsift migrate-store: %s\n", e->message);
	rc = ds_error_exit_code(e);
	g_error_free(e);
done:
	if (counts)
		g_array_free(counts, TRUE);
	ds_store_close(to);
	ds_store_close(from);
	return rc;
}
