/*
 * cmd_verify.c - "dmarcsift verify FILE|-": SPF, DKIM and DMARC of one
 * message against DNS as it is now, or against a zone file (what-if).
 * SPDX-License-Identifier: MIT
 *
 * RFC 7208, RFC 6376, RFC 7489, RFC 9989 through ingest/verify/verify.h.
 * THREATS #7: the message is read up to a size cap; #17: DNS budgets.
 */
#include <sys/socket.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "schema/util/term.h"
#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "schema/util/slurp.h"
#include "schema/model/limits.h"
#include "ingest/cmd/commands.h"
#include "ingest/failure/failure.h"
#include "ingest/failure/failure_verify.h"
#include "ingest/verify/verify.h"


static char *source_ip, *mail_from, *helo, *discovery;
static gboolean headers_only;

static const GOptionEntry entries[] = {
	{ "source-ip", 0, 0, G_OPTION_ARG_STRING, &source_ip,
	  "IP address of the sending server (enables SPF)", "IP" },
	{ "mail-from", 0, 0, G_OPTION_ARG_STRING, &mail_from,
	  "envelope sender (RFC5321.MailFrom; \"<>\" for a bounce)", "ADDR" },
	{ "helo", 0, 0, G_OPTION_ARG_STRING, &helo,
	  "HELO/EHLO name of the sending server", "NAME" },
	{ "headers-only", 0, 0, G_OPTION_ARG_NONE, &headers_only,
	  "the input is a header block without body (text/rfc822-headers)",
	  NULL },
	{ "discovery", 0, 0, G_OPTION_ARG_STRING, &discovery,
	  "DMARC policy discovery: auto (default), psl or treewalk", "HOW" },
	G_OPTION_ENTRY_NULL
};

static bool
read_input(const char *path, GByteArray *buf, GError **err)
{
	size_t len;
	char *data;

	if ((data = ds_slurp(path, DS_MAX_MESSAGE_DEFAULT, &len, err)) == NULL)
		return false;
	g_byte_array_append(buf, (const guint8 *)data, (guint)len);
	g_free(data);
	return true;
}

/*
 * A header block with no empty line after it, or with nothing after
 * that line, is a headers-only sample (a body hash cannot be checked).
 */
static bool
no_body(const GByteArray *b)
{
	const char *s = (const char *)b->data;
	guint i, j;

	for (i = 0; i + 1 < b->len; i++) {
		if (s[i] != '\n')
			continue;
		j = i + 1;
		if (s[j] == '\r')
			j++;
		if (j >= b->len || s[j] != '\n')
			continue;
		for (j++; j < b->len; j++)
			if (!g_ascii_isspace(s[j]))
				return false;
		return true;
	}
	return true;
}

static bool
check_args(struct ds_verify_input *in, enum ds_outfmt fmt, GError **err)
{
	unsigned char a[16];

	if (fmt == DS_OUT_CSV)
		return ds_fail(err, DS_ERROR_USAGE, "bad format 'csv' (text or "
		    "json)");
	if (source_ip != NULL && inet_pton(AF_INET, source_ip, a) != 1 &&
	    inet_pton(AF_INET6, source_ip, a) != 1)
		return ds_fail(err, DS_ERROR_USAGE, "--source-ip '%s' is not "
		    "an IPv4 or IPv6 address", source_ip);
	if (discovery == NULL || strcmp(discovery, "auto") == 0)
		in->discovery = DS_VERIFY_DISC_AUTO;
	else if (strcmp(discovery, "psl") == 0)
		in->discovery = DS_VERIFY_DISC_PSL;
	else if (strcmp(discovery, "treewalk") == 0)
		in->discovery = DS_VERIFY_DISC_TREEWALK;
	else
		return ds_fail(err, DS_ERROR_USAGE, "bad --discovery '%s' "
		    "(auto, psl or treewalk)", discovery);
	in->source_ip = source_ip;
	in->mail_from = mail_from;
	in->helo = helo;
	return true;
}

/*
 * A failure report (ARF, ingest/failure/failure.h): verify its sample, with the
 * report's Source-IP and MAIL FROM / HELO unless given on the command
 * line. *from and *hl receive what ds_failure_verify_input allocates.
 */
static void
use_report(struct ds_failure *f, const GByteArray *b,
    struct ds_verify_input *in, char **from, char **hl)
{
	struct ds_verify_input r;
	struct ds_limits lim;

	ds_limits_default(&lim);
	memset(&r, 0, sizeof(r));
	if (!ds_failure_parse(f, (const char *)b->data, b->len, &lim, NULL) ||
	    !ds_failure_verify_input(f, &r, from, hl))
		return;
	in->msg = r.msg;
	in->len = r.len;
	in->headers_only = r.headers_only;
	if (in->source_ip == NULL)
		in->source_ip = r.source_ip;
	if (in->mail_from == NULL && in->helo == NULL) {
		in->mail_from = r.mail_from;
		in->helo = r.helo;
	}
	if (!ds_cli.quiet)
		g_printerr("dmarcsift: verify: a failure report: its "
		    "sample is verified (source IP %s, MAIL FROM %s)\n",
		    in->source_ip ? in->source_ip : "unknown",
		    in->mail_from ? in->mail_from : "unknown");
}

int
cmd_verify(struct ds_ctx *c, int argc, char **argv)
{
	struct ds_verify_input in;
	struct ds_verify_result res;
	GByteArray *buf = NULL;
	GString *out = NULL;
	GError *e = NULL;
	struct ds_failure arf;
	char *arf_from = NULL, *arf_helo = NULL;
	int rc = DS_EXIT_OK;

	memset(&arf, 0, sizeof(arf));
	memset(&in, 0, sizeof(in));
	memset(&res, 0, sizeof(res));
	if (!ds_ctx_setup(c, "FILE|-",
	    "Check SPF, every DKIM signature and DMARC alignment of one\n"
	    "message against DNS as it is now (or a zone file: --dns-zone).\n"
	    "SPF needs --source-ip and --mail-from (or --helo).", entries,
	    argc, argv))
		return c->rc;
	if (c->argc != 2) {
		g_printerr("dmarcsift verify: give one message file "
		    "or - (see 'dmarcsift verify --help')\n");
		return c->rc = DS_EXIT_USAGE;
	}
	if (!check_args(&in, c->fmt, &e))
		goto fail;
	buf = g_byte_array_new();
	if (!read_input(c->argv[1], buf, &e))
		goto fail;
	in.msg = (const char *)buf->data;
	in.len = buf->len;
	in.headers_only = headers_only || no_body(buf);
	use_report(&arf, buf, &in, &arf_from, &arf_helo);
	if (!ds_verify_message(c->dns, &in, &res, &e))
		goto fail;
	out = g_string_new(NULL);
	if (c->fmt == DS_OUT_JSON) {
		ds_verify_result_json(out, &res);
		g_string_append_c(out, '\n');
	} else
		ds_verify_result_text(out, &res);
	ds_term_write(stdout, out->str, -1);
	goto done;
fail:
	rc = e->domain == DS_ERROR && (e->code == DS_ERROR_FORMAT ||
	    e->code == DS_ERROR_LIMIT) ? (g_printerr("dmarcsift: "
	    "verify: %s\n", e->message), DS_EXIT_REJECTED) : ds_ctx_fail(c, e);
	g_clear_error(&e);
done:
	ds_verify_result_clear(&res);
	if (out != NULL)
		g_string_free(out, TRUE);
	if (buf != NULL)
		g_byte_array_free(buf, TRUE);
	ds_failure_clear(&arf);
	g_free(arf_from);
	g_free(arf_helo);
	return rc;
}
