/*
 * cmd_ingest.c - "dmarcsift ingest": files, directories, Maildir, mbox,
 * stdin (and IMAP URLs where built in) into the database.
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "ingest/cmd/commands.h"
#include "ingest/source/config.h"
#include "ingest/cmd/ingest_run.h"
#include "ingest/pipeline/pipeline.h"
#include "ingest/source/source.h"
#include "ingest/source/mailsrc.h"

static char *max_message, *max_inflated, *opt_cacert;
static gboolean opt_keep;

static const GOptionEntry entries[] = {
	{ "max-message-size", 0, 0, G_OPTION_ARG_STRING, &max_message,
	  "largest message or file read into memory (default 64M)", "SIZE" },
	{ "max-inflated", 0, 0, G_OPTION_ARG_STRING, &max_inflated,
	  "most bytes decompressed from one input (default 4G)", "SIZE" },
	{ "keep", 'k', 0, G_OPTION_ARG_NONE, &opt_keep,
	  "IMAP: leave the mailbox untouched (no move, no flag)", NULL },
	{ "cacert", 0, 0, G_OPTION_ARG_FILENAME, &opt_cacert,
	  "IMAP: trust the CA certificates in FILE", "FILE" },
	G_OPTION_ENTRY_NULL
};

static bool
is_imap_url(const char *s)
{
	return g_str_has_prefix(s, "imap://") || g_str_has_prefix(s,
	    "imaps://");
}

/*
 * An ad hoc IMAP URL: the settings of the configured mailbox it names,
 * if any (password-file, folders...), else defaults (password from
 * DMARCSIFT_IMAP_PASSWORD or ~/.netrc, messages flagged \Seen).
 */
static bool
ingest_url(struct ds_ctx *x, struct ds_pipeline *pl, const char *url,
    uint64_t max, struct ds_mail_stats *is, GError **err)
{
	struct ds_mail_run_opts ro = { .keep = (bool)opt_keep,
	    .cacert = opt_cacert };
	const struct ds_mailbox_conf *found;
	struct ds_mailbox_conf *c = NULL;
	GPtrArray *boxes = NULL;
	bool ok;

	if (!ds_config_mailboxes(x->conf, &boxes, err))
		return false;
	found = ds_config_find_url(boxes, url);
	if (found == NULL && (c = ds_mailbox_conf_from_url(url, err)) == NULL) {
		g_ptr_array_unref(boxes);
		return false;
	}
	if (c != NULL && max_message != NULL)
		c->max_message = max;
	ok = ds_source_mail_run(pl, found ? found : c, &ro, is, err);
	ds_mailbox_conf_free(c);
	g_ptr_array_unref(boxes);
	return ok;
}

int
cmd_ingest(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_mail_stats is = { 0 };
	struct ds_limits lim;
	struct ds_pipeline *pl = NULL;
	GError *e = NULL;
	int i, rc = DS_EXIT_OK;
	bool imap = false;
	char *sum;

	if (!ds_ctx_setup(c, "PATH|URL|- ...",
	    "Store the DMARC reports found in files, directories, Maildirs,\n"
	    "mbox files, raw messages, standard input (-) or IMAP mailboxes\n"
	    "(imaps://user@host/INBOX). The content decides the type: XML,\n"
	    "gzip, zip, mail, mbox. Failure reports are re-verified with DNS\n"
	    "as it is now (--offline, --dns-zone).", entries, argc, argv))
		return c->rc;
	argc = c->argc;
	argv = c->argv;
	if (argc < 2) {
		g_printerr("dmarcsift ingest: nothing to ingest "
		    "(give files, directories or -)\n");
		return DS_EXIT_USAGE;
	}
	ds_limits_default(&lim);
	if (max_message &&
	    !ds_config_parse_size(max_message, &lim.max_message)) {
		g_printerr("dmarcsift ingest: bad size '%s'\n",
		    max_message);
		return DS_EXIT_USAGE;
	}
	/* THREATS #4: the cap stays; a big report of one's own may need more */
	if (max_inflated &&
	    !ds_config_parse_size(max_inflated, &lim.max_inflated)) {
		g_printerr("dmarcsift ingest: bad size '%s'\n",
		    max_inflated);
		return DS_EXIT_USAGE;
	}
	/* files, Maildir, mbox share a transaction; IMAP commits alone */
	if ((rc = ds_ingest_run_begin(c, &lim, 30, true, &pl)) != DS_EXIT_OK)
		goto done;
	for (i = 1; i < argc; i++) {
		if (is_imap_url(argv[i])) {
			imap = true;
			if (!ingest_url(c, pl, argv[i], lim.max_message, &is,
			    &e))
				break;
		} else if (!ds_source_local_ingest(pl, argv[i], &e))
			break;
	}
	if (e == NULL)	/* the last batch; failing, it is an error */
		ds_pipeline_flush(pl, &e);
	if (imap && e == NULL) {
		rc = ds_imap_cmd_finish(pl, "ingest", &is, rc);
		goto done;
	}
	ds_source_progress(pl, true);
	if (e)
		goto fail;
	sum = ds_pipeline_summary(pl);
	if (!c->quiet)
		g_printerr("dmarcsift: ingest: %s\n", sum);
	g_free(sum);
	if ((sum = ds_pipeline_conflict_lines(pl, "dmarcsift: ingest: ")))
		g_printerr("%s", sum);
	g_free(sum);
	rc = ds_pipeline_exit_code(pl);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	ds_ingest_run_end(pl);
	return rc;
}
