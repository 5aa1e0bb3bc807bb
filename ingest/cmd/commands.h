/*
 * commands.h - the subcommands implemented in ingest/.
 * SPDX-License-Identifier: MIT
 * Each takes its context (schema/cli/ctx.h: what the command table in
 * tools/main.c says it needs, set up by ds_ctx_setup) and the argv after
 * the command name (argv[0] is the command); returns an exit code
 * (schema/util/error.h DS_EXIT_*).
 */
#ifndef DS_INGEST_COMMANDS_H
#define DS_INGEST_COMMANDS_H

struct ds_ctx;

int cmd_ingest(struct ds_ctx *c, int argc, char **argv);
int cmd_failures(struct ds_ctx *c, int argc, char **argv);
int cmd_verify(struct ds_ctx *c, int argc, char **argv);
int cmd_poll(struct ds_ctx *c, int argc, char **argv);
int cmd_quarantine(struct ds_ctx *c, int argc, char **argv);
int cmd_prune(struct ds_ctx *c, int argc, char **argv);
int cmd_auth(struct ds_ctx *c, int argc, char **argv);

#endif
