/*
 * cmd_weekly.c - "dmarcsift weekly --domain D [--week 2026-W47]
 * [--out F] [--mail-to ADDR]": the weekly report of one domain as an
 * HTML file for mail clients, on stdout, or mailed as
 * multipart/alternative (weekly.h, mail.h).
 * SPDX-License-Identifier: MIT
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "schema/util/term.h"
#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "report/cmd/commands.h"
#include "report/classify/classify.h"
#include "report/enrich/enrich.h"
#include "report/weekly/mail.h"
#include "report/weekly/weekly.h"

static char *opt_domain, *opt_week, *opt_out;
static char **opt_mail_to;

static const GOptionEntry entries[] = {
	{ "domain", 'd', 0, G_OPTION_ARG_STRING, &opt_domain,
	  "the policy domain (required)", "DOMAIN" },
	{ "week", 'w', 0, G_OPTION_ARG_STRING, &opt_week,
	  "ISO week (default: the last complete one)", "2026-W47" },
	{ "out", 'o', 0, G_OPTION_ARG_FILENAME, &opt_out,
	  "write the HTML to FILE (atomically) instead of stdout", "FILE" },
	{ "mail-to", 0, 0, G_OPTION_ARG_STRING_ARRAY, &opt_mail_to,
	  "mail it (text + HTML) via the [smtp] server of the config; "
	  "repeatable", "ADDR" },
	G_OPTION_ENTRY_NULL
};

/* Write html to path atomically: GLib writes a temp file, renames it. */
static bool
write_out(const char *path, const GString *html, GError **err)
{
	GError *e = NULL;

	if (g_file_set_contents_full(path, html->str, (gssize)html->len,
	    G_FILE_SET_CONTENTS_CONSISTENT, 0644, &e))
		return true;
	ds_fail(err, DS_ERROR_IO, "%s", e->message);
	g_error_free(e);
	return false;
}

static bool
mail(const struct ds_weekly *w, const GString *html, int64_t now,
    GError **err)
{
	struct ds_smtp_conf c;
	struct ds_mail m = { 0 };
	GString *text = g_string_new(NULL);
	char *subj;
	bool ok;

	if (!ds_smtp_conf_read(ds_cli.config, &c, err)) {
		g_string_free(text, TRUE);
		return false;
	}
	ds_weekly_text(text, w);
	subj = ds_weekly_subject(w);
	m.from = c.from;
	m.to = (const char *const *)opt_mail_to;
	m.subject = subj;
	m.text = text->str;
	m.html = html->str;
	m.date = now;
	ok = ds_mail_send(&c, &m, err);
	g_free(subj);
	g_string_free(text, TRUE);
	ds_smtp_conf_clear(&c);
	return ok;
}

int
cmd_weekly(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_weekly w = { 0 };
	struct ds_decl *decl = NULL;
	GString *html;
	GError *e = NULL;
	int64_t monday;
	int rc = DS_EXIT_OK;

	if (!ds_ctx_setup(c, NULL, "Write the weekly report of one domain "
	    "(HTML for mail clients) to stdout, --out FILE, or mail it with "
	    "--mail-to.", entries, argc, argv) || !ds_ctx_no_args(c))
		return c->rc;
	if (opt_domain == NULL) {
		g_printerr("dmarcsift weekly: --domain is required\n");
		return c->rc = DS_EXIT_USAGE;
	}
	html = g_string_sized_new(32768);
	monday = ds_iso_week_last(c->now);
	if (opt_week && !ds_iso_week_parse(opt_week, &monday, &e))
		goto fail;
	if (!ds_decl_from_conf(&decl, c->conf, opt_domain, &e) ||
	    !ds_weekly_compute(c->store, opt_domain, monday, ds_enrich_ipinfo,
	    c->enrich, &w, &e) ||
	    !ds_weekly_advise(&w, c->store, c->dns, decl, c->now, &e))
		goto fail;
	ds_weekly_html(html, &w);
	if (opt_out && !write_out(opt_out, html, &e))
		goto fail;
	if (opt_mail_to && !mail(&w, html, c->now, &e))
		goto fail;
	if (opt_out == NULL && opt_mail_to == NULL && isatty(STDOUT_FILENO))
		ds_term_write(stdout, html->str, (gssize)html->len);
	else if (opt_out == NULL && opt_mail_to == NULL)
		/* term: an HTML document for a pipe or file, byte for byte */
		fwrite(html->str, 1, html->len, stdout);
	goto done;
fail:
	rc = ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	ds_weekly_clear(&w);
	ds_decl_free(decl);
	g_string_free(html, TRUE);
	return rc;
}
