/*
 * cmd_failures.c - "dmarcsift failures": list stored failure (ruf)
 * reports, or show one in full ("failures show ID"), with our
 * re-verification and the differences from the reporter's claims.
 * SPDX-License-Identifier: MIT
 *
 * Lives in ingest/ because --reverify / --offline / --dns-zone
 * re-verify the stored samples now (ingest/failure/failure_verify.c), which
 * report/ may not call. Nothing is written: a what-if re-verification
 * is shown, never stored. SPEC.md §2: the sample (personal data) is
 * shown only by "show"; every output hides the local parts of addresses
 * and the sample's Subject and body (ds_failure_redact) unless "show"
 * is given --unredacted, which shows what was stored: [ingest]
 * store-samples (failure_keep.h) decides whether that is more.
 */
#include <stdio.h>
#include <string.h>

#include "schema/util/term.h"
#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "schema/store/store_failure.h"
#include "ingest/cmd/commands.h"
#include "ingest/failure/failure_keep.h"
#include "ingest/failure/failure_out.h"
#include "ingest/failure/failure_verify.h"

static gboolean opt_redact, opt_unredacted, opt_reverify;

/* --domain, --since, --until (arrival time), --format: the context */
static const GOptionEntry entries[] = {
	{ "redact", 0, 0, G_OPTION_ARG_NONE, &opt_redact,
	  "hide the local parts of addresses, the sample's Subject and body "
	  "(the default)", NULL },
	{ "unredacted", 0, 0, G_OPTION_ARG_NONE, &opt_unredacted,
	  "show: the report and its sample as stored, addresses included "
	  "(nothing more when [ingest] store-samples stored it redacted)",
	  NULL },
	{ "reverify", 0, 0, G_OPTION_ARG_NONE, &opt_reverify,
	  "re-verify the samples now instead of showing the stored verdict "
	  "(implied by --offline and --dns-zone; nothing is stored)", NULL },
	G_OPTION_ENTRY_NULL
};

struct run {
	struct ds_store *st;
	struct ds_dns *dns;	/* re-verify with it, or NULL */
	bool redact;		/* all but show --unredacted */
	enum ds_outfmt fmt;
	int64_t now;
	GString *out;
	GArray *ids;		/* int64_t, when re-verifying */
	unsigned n;
	GError *err;
};

static void
emit(struct run *r, const struct ds_failure *f)
{
	switch (r->fmt) {
	case DS_OUT_JSON:
		g_string_append(r->out, r->n ? ",\n" : "[\n");
		ds_failure_json(r->out, f, false, r->redact);
		break;
	case DS_OUT_CSV:
		ds_failure_csv(r->out, f, r->redact);
		break;
	default:
		ds_failure_text_row(r->out, f, r->redact);
		break;
	}
	r->n++;
	if (r->fmt == DS_OUT_CSV)	/* term.h: CSV is data */
		ds_term_write_data(stdout, r->out->str, -1);
	else
		ds_term_write(stdout, r->out->str, -1);
	g_string_truncate(r->out, 0);
}

static bool
row_cb(const struct ds_failure *f, void *payload)
{
	struct run *r = payload;

	if (r->dns)
		g_array_append_val(r->ids, f->id);
	else
		emit(r, f);
	return true;
}

/* Read one report with its sample and re-verify it now. */
static bool
reverified(struct run *r, int64_t id, struct ds_failure *f)
{
	if (!ds_store_failure_get(r->st, id, true, f, &r->err))
		return false;
	ds_failure_reverify(f, r->dns, r->now);
	return true;
}

static bool
list(struct run *r, const struct ds_query *q)
{
	struct ds_failure f;
	guint i;

	if (r->fmt == DS_OUT_CSV)
		ds_failure_csv_header(r->out);
	else if (r->fmt == DS_OUT_TEXT)
		ds_failure_text_header(r->out);
	ds_term_write(stdout, r->out->str, -1);
	g_string_truncate(r->out, 0);
	if (!ds_store_failures_each(r->st, q, row_cb, r, &r->err))
		return false;
	for (i = 0; r->dns && i < r->ids->len; i++) {
		if (!reverified(r, g_array_index(r->ids, int64_t, i), &f)) {
			ds_failure_clear(&f);
			return false;
		}
		emit(r, &f);
		ds_failure_clear(&f);
	}
	if (r->fmt == DS_OUT_JSON)
		ds_term_write(stdout, r->n ? "\n]\n" : "[]\n", -1);
	else if (r->fmt == DS_OUT_TEXT && r->n == 0)
		ds_term_write(stdout, "(no failure reports)\n", -1);
	return true;
}

static bool
show(struct run *r, const char *arg)
{
	struct ds_failure f;
	enum ds_store_samples how;
	gint64 id;
	bool ok;

	if (!g_ascii_string_to_signed(arg, 10, 1, G_MAXINT64, &id, NULL))
		return ds_fail(&r->err, DS_ERROR_USAGE, "failures show: '%s' "
		    "is not a report id", arg);
	if (r->dns)
		ok = reverified(r, id, &f);
	else
		ok = ds_store_failure_get(r->st, id, true, &f, &r->err);
	how = ok ? ds_failure_stored_as(&f) : DS_SAMPLES_FULL;
	if (!r->redact && (how == DS_SAMPLES_REDACTED ||
	    how == DS_SAMPLES_NONE))
		g_printerr("dmarcsift: failures show: report %" G_GINT64_FORMAT
		    " was stored %s ([ingest] store-samples = %s): "
		    "--unredacted shows what was stored, no more\n", id,
		    how == DS_SAMPLES_NONE ? "without its sample, addresses "
		    "redacted" : "redacted", ds_store_samples_name(how));
	if (ok && r->fmt == DS_OUT_JSON) {
		ds_failure_json(r->out, &f, true, r->redact);
		g_string_append_c(r->out, '\n');
	} else if (ok) {
		ds_failure_text_show(r->out, &f, r->redact);
	}
	ds_term_write(stdout, r->out->str, -1);
	ds_failure_clear(&f);
	return ok;
}

int
cmd_failures(struct ds_ctx *c, int argc, char **argv)
{
	struct run r = { 0 };
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, "[show ID]",
	    "List the stored failure (ruf) reports with our re-verification\n"
	    "and where it differs from the reporter; 'show ID' gives one in\n"
	    "full with the sample's headers. --since and --until select by\n"
	    "the arrival time of the reported mail.", entries, argc, argv))
		return c->rc;
	argc = c->argc;
	argv = c->argv;
	r.now = c->now;
	r.fmt = c->fmt;
	r.st = c->store;
	r.out = g_string_new(NULL);
	r.ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	if (argc > 1 && (strcmp(argv[1], "show") != 0 || argc != 3)) {
		ds_fail(&r.err, DS_ERROR_USAGE, "failures: expected nothing "
		    "or 'show ID' after the options, not '%s'%s", argv[1],
		    argc > 2 ? " ..." : "");
		goto fail;
	}
	if (opt_unredacted && argc == 1) {
		ds_fail(&r.err, DS_ERROR_USAGE, "failures: --unredacted only "
		    "with 'show ID' (lists are always redacted)");
		goto fail;
	}
	r.redact = !opt_unredacted;
	if (argc > 1 && r.fmt == DS_OUT_CSV) {
		ds_fail(&r.err, DS_ERROR_USAGE, "failures show: text or json");
		goto fail;
	}
	if ((opt_reverify || c->offline || c->whatif) &&
	    (r.dns = ds_ctx_dns(c, &r.err)) == NULL)
		goto fail;
	if (argc > 1 ? show(&r, argv[2]) : list(&r, &c->q))
		goto done;
fail:
	rc = ds_ctx_fail(c, r.err);
done:
	g_clear_error(&r.err);
	g_string_free(r.out, TRUE);
	g_array_unref(r.ids);
	return rc;
}
