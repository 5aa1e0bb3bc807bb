/*
 * main.c - dmarcsift: the command table (git.c style).
 * SPDX-License-Identifier: MIT
 *
 * Lives in tools/ because the top level is fixed and ingest/ and report/
 * must not include each other; this is the one file that sees both.
 */
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "schema/util/term.h"
#include "schema/cli/ctx.h"
#include "schema/util/error.h"
#include "ingest/cmd/commands.h"
#include "report/cmd/commands.h"
#include "report/enrich/enrich.h"

struct ds_cmd {
	const char *name;
	int (*fn)(struct ds_ctx *, int, char **);
	unsigned needs;		/* what ds_ctx_setup builds (ctx.h) */
	const char *help;
};

#define STORE DS_CTX_STORE
#define READ DS_CTX_STORE_RO
#define DNS DS_CTX_DNS
#define DNSOPT DS_CTX_DNS_OPTS
#define QUERY DS_CTX_QUERY
#define FMT DS_CTX_FORMAT
#define CONF DS_CTX_CONFIG
#define ENRICH DS_CTX_ENRICH

static const struct ds_cmd cmds[] = {
	{ "ingest", cmd_ingest, STORE | DNSOPT | CONF,
	  "store reports from files, Maildir, mbox, stdin" },
	{ "reports", cmd_reports, READ | QUERY | FMT,
	  "list stored aggregate reports" },
	{ "failures", cmd_failures, READ | QUERY | FMT | DNSOPT,
	  "failure reports, re-verified (show ID)" },
	{ "verify", cmd_verify, DNS | FMT,
	  "check SPF, DKIM and DMARC of one message" },
	{ "summary", cmd_summary, READ | QUERY | FMT | CONF | ENRICH,
	  "per domain: pass rates, policy, failing sources" },
	{ "senders", cmd_senders, READ | QUERY | FMT | DNS | CONF | ENRICH,
	  "who sends as the domain, with names behind IPs" },
	{ "reporters", cmd_reporters, READ | QUERY | FMT,
	  "who reports about the domain, and when last" },
	{ "tls", cmd_tls, READ | QUERY | FMT,
	  "SMTP TLS reports: sessions, failures, per MX" },
	{ "poll", cmd_poll, STORE | DNSOPT | CONF,
	  "store reports from the configured mailboxes" },
	/* opens the store itself: read-only for list, show and export */
	{ "quarantine", cmd_quarantine, DNSOPT | FMT,
	  "inputs that could not be used: list, show, export, retry, drop" },
	{ "auth", cmd_auth, CONF,
	  "one-time OAuth2 consent for a mailbox (auth login)" },
	{ "doctor", cmd_doctor, READ | DS_CTX_PERIOD | FMT | DNS | CONF | ENRICH,
	  "diagnose a domain's DMARC, SPF, DKIM setup" },
	{ "html", cmd_html, READ | DNS | CONF | ENRICH,
	  "write the static HTML dashboard" },
	{ "weekly", cmd_weekly, READ | DNS | CONF | ENRICH,
	  "weekly report of a domain (HTML, mail)" },
	{ "prune", cmd_prune, STORE | CONF,
	  "forget failure samples, quarantined bytes past an age" },
};

/* Set up the context the command's needs ask for, run it, tear down. */
static int
run(const struct ds_cmd *cmd, int argc, char **argv)
{
	struct ds_ctx c;
	int rc;

	ds_ctx_add_group(ds_enrich_ctx_group());
	ds_ctx_init(&c, cmd->name, cmd->needs);
	rc = cmd->fn(&c, argc, argv);
	ds_ctx_done(&c);
	return rc;
}

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dmarcsift COMMAND [OPTIONS] [ARGS]\n\n"
	    "DMARC aggregate, failure and SMTP TLS report processor.\n\ncommands:\n");
	for (i = 0; i < G_N_ELEMENTS(cmds); i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].help);
	fprintf(f, "\n'dmarcsift COMMAND --help' describes a command; "
	    "man dmarcsift has it all.\n"
	    "exit status: 0 ok, 1 some input rejected, 2 usage, 3 login "
	    "refused,\n4 locked by another run, 5 permanent failure (a "
	    "retry fails the same way:\nsomeone must act), 75 temporary "
	    "failure (retry later: network, server busy,\ndatabase "
	    "locked).\n");
}

int
main(int argc, char **argv)
{
	size_t i;

	setlocale(LC_ALL, "");
	ds_term_install();	/* g_print/g_printerr escape controls */
	if (argc < 2) {
		usage(stderr);
		return DS_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		if (argc > 2 && strcmp(argv[1], "help") == 0) {
			char *av[] = { argv[2], (char *)"--help", NULL };

			for (i = 0; i < G_N_ELEMENTS(cmds); i++)
				if (strcmp(cmds[i].name, argv[2]) == 0)
					return run(&cmds[i], 2, av);
		}
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		g_print("dmarcsift %s\n", DS_VERSION);
		return DS_EXIT_OK;
	}
	for (i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(cmds[i].name, argv[1]) == 0)
			return run(&cmds[i], argc - 1, argv + 1);
	g_printerr("dmarcsift: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return DS_EXIT_USAGE;
}
