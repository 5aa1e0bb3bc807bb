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

#include "schema/util/error.h"
#include "ingest/cmd/commands.h"
#include "report/cmd/commands.h"

struct ds_cmd {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
};

static const struct ds_cmd cmds[] = {
	{ "ingest", cmd_ingest, "store reports from files, Maildir, mbox, stdin" },
	{ "reports", cmd_reports, "list stored aggregate reports" },
	{ "failures", cmd_failures, "failure reports, re-verified (show ID)" },
	{ "verify", cmd_verify, "check SPF, DKIM and DMARC of one message" },
	{ "summary", cmd_summary, "per domain: pass rates, policy, failing sources" },
	{ "senders", cmd_senders, "who sends as the domain, with names behind IPs" },
	{ "reporters", cmd_reporters, "who reports about the domain, and when last" },
	{ "poll", cmd_poll, "store reports from the configured IMAP mailboxes" },
	{ "quarantine", cmd_quarantine, "inputs that could not be used: list, show, export, retry, drop" },
	{ "doctor", cmd_doctor, "diagnose a domain's DMARC, SPF, DKIM setup" },
	{ "html", cmd_html, "write the static HTML dashboard" },
	{ "weekly", cmd_weekly, "weekly report of a domain (HTML, mail)" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: dmarcsift COMMAND [OPTIONS] [ARGS]\n\n"
	    "DMARC aggregate and failure report processor.\n\ncommands:\n");
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
					return cmds[i].fn(2, av);
		}
		usage(stdout);
		return DS_EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("dmarcsift %s\n", DS_VERSION);
		return DS_EXIT_OK;
	}
	for (i = 0; i < G_N_ELEMENTS(cmds); i++)
		if (strcmp(cmds[i].name, argv[1]) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "dmarcsift: '%s' is not a command\n", argv[1]);
	usage(stderr);
	return DS_EXIT_USAGE;
}
