/*
 * cmd_poll.c - "dmarcsift poll": every configured mailbox (IMAP,
 * Microsoft Graph, Gmail API), or one (--mailbox NAME), into the
 * database; made to run from cron or a systemd timer.
 * SPDX-License-Identifier: MIT
 *
 * THREATS #18: one exclusive lock per database, so overlapping runs
 * queue for a while and then give up with exit 4 and a clear message.
 * Quiet with --quiet unless something needs attention; a progress line
 * at a terminal; one summary line; exit status per schema/util/error.h.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "ingest/cmd/commands.h"
#include "ingest/source/config.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/source/source.h"
#include "ingest/source/mailsrc.h"

static char *opt_mailbox, *opt_cacert;
static gboolean opt_keep;
static int opt_wait = 10;

static const GOptionEntry entries[] = {
	{ "mailbox", 'm', 0, G_OPTION_ARG_STRING, &opt_mailbox,
	  "poll only the [mailbox:NAME] section NAME", "NAME" },
	{ "keep", 'k', 0, G_OPTION_ARG_NONE, &opt_keep,
	  "leave the mailboxes untouched (no move, no flag)", NULL },
	{ "cacert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cacert,
	  "trust the CA certificates in FILE (overrides ca-file)", "FILE" },
	{ "wait", 0, 0, G_OPTION_ARG_INT, &opt_wait,
	  "seconds to wait for another run to finish (default 10)", "SEC" },
	G_OPTION_ENTRY_NULL
};

/* The worse of two exit codes for a run over several mailboxes. */
static int
worse(int a, int b)
{
	static const int order[] = { DS_EXIT_OK, DS_EXIT_REJECTED,
		DS_EXIT_TEMPFAIL, DS_EXIT_PERMANENT, DS_EXIT_LOCKED,
		DS_EXIT_AUTH, DS_EXIT_USAGE };
	size_t i, ia = 0, ib = 0;

	for (i = 0; i < G_N_ELEMENTS(order); i++) {
		if (order[i] == a)
			ia = i;
		if (order[i] == b)
			ib = i;
	}
	return ia >= ib ? a : b;
}

/* "1 duplicate, " / "2 duplicates, " */
static void
count(GString *g, uint64_t n, const char *one, const char *many,
    const char *then)
{
	g_string_append_printf(g, "%" G_GUINT64_FORMAT " %s%s", n, n == 1 ?
	    one : many, then);
}

int
ds_imap_cmd_finish(struct ds_pipeline *pl, const char *cmd,
    const struct ds_mail_stats *is, int rc)
{
	const struct ds_ingest_stats *s = ds_pipeline_stats(pl);
	char *prefix = g_strdup_printf("dmarcsift: %s: ", cmd);
	char *conflicts = ds_pipeline_conflict_lines(pl, prefix);
	GString *g;

	ds_source_progress(pl, true);
	/* issue 13: said even with --quiet */
	if (conflicts)
		g_printerr("%s", conflicts);
	g_free(conflicts);
	g_free(prefix);
	if (s->rejected)
		rc = worse(rc, DS_EXIT_REJECTED);
	if (s->errors)
		rc = worse(rc, DS_EXIT_TEMPFAIL);
	/* left in the mailbox for being too large: fails the same way
	 * on every run until the limit is raised */
	if (is->skipped || s->skipped)
		rc = worse(rc, DS_EXIT_PERMANENT);
	/* quiet: the summary only when something needs attention */
	if (ds_cli.quiet && rc == DS_EXIT_OK)
		return rc;
	g = g_string_new(NULL);
	g_string_append_printf(g, "dmarcsift: %s: ", cmd);
	count(g, is->fetched, "fetched", "fetched", ", ");
	count(g, s->reports, "report stored", "reports stored", " (");
	count(g, s->records, "record", "records", "), ");
	count(g, s->failures, "failure report", "failure reports", ", ");
	if (s->tls_reports)
		count(g, s->tls_reports, "TLS report", "TLS reports", ", ");
	count(g, s->duplicates, "duplicate", "duplicates", ", ");
	count(g, s->not_reports, "not a report", "not reports", ", ");
	count(g, s->rejected, "rejected", "rejected", ", ");
	count(g, is->skipped, "too large", "too large", ", ");
	count(g, s->errors, "error", "errors", "; ");
	count(g, is->archived, "archived", "archived", ", ");
	count(g, is->invalid, "invalid", "invalid", ", ");
	count(g, is->flagged, "flagged", "flagged", ", ");
	count(g, is->resumed, "resumed", "resumed", "\n");
	g_printerr("%s", g->str);
	g_string_free(g, TRUE);
	return rc;
}

int
ds_imap_cmd_lock(struct ds_store *st, int wait_s)
{
	GError *e = NULL;
	int rc;

	if (ds_store_lock(st, (unsigned)MAX(wait_s, 0) * 1000u, &e))
		return DS_EXIT_OK;
	if (e->code == DS_ERROR_LOCKED)
		g_printerr("dmarcsift: %s (waited %d s); not run, try "
		    "again later\n", e->message, MAX(wait_s, 0));
	else
		g_printerr("dmarcsift: %s\n", e->message);
	rc = ds_error_exit_code(e);
	g_error_free(e);
	return rc;
}

int
cmd_poll(struct ds_ctx *x, int argc, char **argv)
{
	struct ds_mail_run_opts ro = { 0 };
	struct ds_mail_stats is = { 0 };
	struct ds_mailbox_conf *c;
	struct ds_pipeline *pl = NULL;
	struct ds_limits lim;
	GPtrArray *boxes = NULL;
	GError *e = NULL;
	int rc = DS_EXIT_OK;
	guint i, done = 0;

	if (!ds_ctx_setup(x, "",
	    "Fetch the new messages of every [mailbox:NAME] section of the\n"
	    "configuration file (or of one, --mailbox NAME), store their\n"
	    "reports, then move them to archive-folder / invalid-folder.\n"
	    "Mailboxes: imaps:// or imap:// (password or OAuth2),\n"
	    "graph://USER/FOLDER (Microsoft Graph), gmail://USER/QUERY.\n"
	    "Failure reports are re-verified with DNS as it is now\n"
	    "(--offline, --dns-zone).", entries, argc, argv))
		return x->rc;
	if (x->argc > 1) {
		char *q = ds_quote(x->argv[1], strlen(x->argv[1]), 64);

		g_printerr("dmarcsift poll: unexpected '%s' (mailboxes "
		    "come from the configuration file)\n", q);
		g_free(q);
		return x->rc = DS_EXIT_USAGE;
	}
	if (!ds_config_mailboxes(x->conf, &boxes, &e))
		goto fail;
	for (i = 0; i < boxes->len; i++) {
		c = g_ptr_array_index(boxes, i);
		if (opt_mailbox == NULL || strcmp(c->name, opt_mailbox) == 0)
			done++;
	}
	if (done == 0) {
		if (opt_mailbox)
			ds_fail(&e, DS_ERROR_USAGE, "no [mailbox:%s] in %s",
			    opt_mailbox, ds_conf_path(x->conf));
		else
			ds_fail(&e, DS_ERROR_USAGE, "no [mailbox:NAME] section "
			    "in %s", ds_conf_path(x->conf));
		goto fail;
	}
	ds_limits_default(&lim);
	/* one pipeline for the run; each mailbox's cap is applied by the
	 * IMAP source before and while fetching */
	for (i = 0; i < boxes->len; i++) {
		c = g_ptr_array_index(boxes, i);
		lim.max_message = MAX(lim.max_message, c->max_message);
	}
	if ((rc = ds_ingest_run_begin(x, &lim, opt_wait, false, &pl)) != DS_EXIT_OK)
		goto done;
	ro.keep = opt_keep;
	ro.cacert = opt_cacert;
	ro.lock_wait_ms = (unsigned)MAX(opt_wait, 0) * 1000u;
	for (i = 0; i < boxes->len; i++) {
		c = g_ptr_array_index(boxes, i);
		if (opt_mailbox != NULL && strcmp(c->name, opt_mailbox) != 0)
			continue;
		if (!ds_source_mail_run(pl, c, &ro, &is, &e)) {
			g_printerr("dmarcsift: poll %s: %s\n", c->name,
			    e->message);
			/* the summary counts it: a refused login is an error */
			((struct ds_ingest_stats *)ds_pipeline_stats(pl))
			    ->errors++;
			rc = worse(rc, ds_error_exit_code(e));
			g_clear_error(&e);
		}
	}
	rc = ds_imap_cmd_finish(pl, "poll", &is, rc);
	goto done;
fail:
	rc = ds_ctx_fail(x, e);
	g_clear_error(&e);
done:
	ds_ingest_run_end(pl);
	if (boxes)
		g_ptr_array_unref(boxes);
	return rc;
}
