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
 * shown only by "show"; --redact hides addresses, Subject and body.
 */
#include <stdio.h>
#include <string.h>

#include "schema/cli/cli.h"
#include "schema/util/error.h"
#include "schema/store/store_failure.h"
#include "ingest/cmd/commands.h"
#include "ingest/failure/failure_out.h"
#include "ingest/failure/failure_verify.h"

static char *opt_format, *opt_domain, *opt_since, *opt_until;
static gboolean opt_redact, opt_reverify;

static const GOptionEntry entries[] = {
	{ "format", 'f', 0, G_OPTION_ARG_STRING, &opt_format,
	  "text (default), json or csv", "FMT" },
	{ "domain", 'd', 0, G_OPTION_ARG_STRING, &opt_domain,
	  "only reports about this domain", "DOMAIN" },
	{ "since", 0, 0, G_OPTION_ARG_STRING, &opt_since,
	  "only reports of mail arriving at or after (2026-11-01, 7d, @UNIX)",
	  "WHEN" },
	{ "until", 0, 0, G_OPTION_ARG_STRING, &opt_until,
	  "only reports of mail arriving before", "WHEN" },
	{ "redact", 0, 0, G_OPTION_ARG_NONE, &opt_redact,
	  "hide the local parts of addresses, the sample's Subject and body",
	  NULL },
	{ "reverify", 0, 0, G_OPTION_ARG_NONE, &opt_reverify,
	  "re-verify the samples now instead of showing the stored verdict "
	  "(implied by --offline and --dns-zone; nothing is stored)", NULL },
	G_OPTION_ENTRY_NULL
};

struct run {
	struct ds_store *st;
	struct ds_dns *dns;	/* re-verify with it, or NULL */
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
		ds_failure_json(r->out, f, false, opt_redact);
		break;
	case DS_OUT_CSV:
		ds_failure_csv(r->out, f, opt_redact);
		break;
	default:
		ds_failure_text_row(r->out, f, opt_redact);
		break;
	}
	r->n++;
	fputs(r->out->str, stdout);
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
	fputs(r->out->str, stdout);
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
		fputs(r->n ? "\n]\n" : "[]\n", stdout);
	else if (r->fmt == DS_OUT_TEXT && r->n == 0)
		fputs("(no failure reports)\n", stdout);
	return true;
}

static bool
show(struct run *r, const char *arg)
{
	struct ds_failure f;
	gint64 id;
	bool ok;

	if (!g_ascii_string_to_signed(arg, 10, 1, G_MAXINT64, &id, NULL))
		return ds_fail(&r->err, DS_ERROR_USAGE, "failures show: '%s' "
		    "is not a report id", arg);
	if (r->dns)
		ok = reverified(r, id, &f);
	else
		ok = ds_store_failure_get(r->st, id, true, &f, &r->err);
	if (ok && r->fmt == DS_OUT_JSON) {
		ds_failure_json(r->out, &f, true, opt_redact);
		g_string_append_c(r->out, '\n');
	} else if (ok) {
		ds_failure_text_show(r->out, &f, opt_redact);
	}
	fputs(r->out->str, stdout);
	ds_failure_clear(&f);
	return ok;
}

int
cmd_failures(int argc, char **argv)
{
	struct run r = { 0 };
	struct ds_query q;
	GOptionEntry *all;
	int rc = DS_EXIT_OK;
	bool ok;

	all = ds_cli_entries_join(entries, ds_cli_dns_entries());
	ok = ds_cli_parse("failures", "[show ID]",
	    "List the stored failure (ruf) reports with our re-verification\n"
	    "and where it differs from the reporter; 'show ID' gives one in\n"
	    "full with the sample's headers.", all, &argc, &argv);
	g_free(all);
	if (!ok)
		return DS_EXIT_USAGE;
	r.now = g_get_real_time() / G_USEC_PER_SEC;
	r.out = g_string_new(NULL);
	r.ids = g_array_new(FALSE, FALSE, sizeof(int64_t));
	ds_query_init(&q);
	q.domain = opt_domain;
	if (!ds_parse_outfmt(opt_format, &r.fmt, &r.err) ||
	    (opt_since && !ds_parse_time(opt_since, r.now, &q.since,
	    &r.err)) ||
	    (opt_until && !ds_parse_time(opt_until, r.now, &q.until, &r.err)))
		goto fail;
	if (argc > 1 && (strcmp(argv[1], "show") != 0 || argc != 3)) {
		ds_fail(&r.err, DS_ERROR_USAGE, "failures: expected nothing "
		    "or 'show ID' after the options, not '%s'%s", argv[1],
		    argc > 2 ? " ..." : "");
		goto fail;
	}
	if (argc > 1 && r.fmt == DS_OUT_CSV) {
		ds_fail(&r.err, DS_ERROR_USAGE, "failures show: text or json");
		goto fail;
	}
	if ((opt_reverify || ds_cli_dns.offline || ds_cli_dns.zone) &&
	    (r.dns = ds_cli_open_dns(&r.err)) == NULL)
		goto fail;
	if ((r.st = ds_cli_open_store_readonly(&r.err)) == NULL)
		goto fail;
	if (argc > 1 ? show(&r, argv[2]) : list(&r, &q))
		goto done;
fail:
	rc = ds_cli_fail(r.err);
done:
	g_clear_error(&r.err);
	g_string_free(r.out, TRUE);
	g_array_unref(r.ids);
	ds_store_close(r.st);
	ds_dns_free(r.dns);
	return rc;
}
