/*
 * commands.h - the subcommands implemented in ingest/.
 * SPDX-License-Identifier: MIT
 * Each takes the argv after the command name (argv[0] is the command)
 * and returns an exit code (schema/util/error.h DS_EXIT_*).
 */
#ifndef DS_INGEST_COMMANDS_H
#define DS_INGEST_COMMANDS_H

int cmd_ingest(int argc, char **argv);
int cmd_failures(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_poll(int argc, char **argv);
int cmd_quarantine(int argc, char **argv);

#endif
