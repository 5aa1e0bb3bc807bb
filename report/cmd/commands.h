/*
 * commands.h - the subcommands implemented in report/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_REPORT_COMMANDS_H
#define DS_REPORT_COMMANDS_H

int cmd_reports(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_senders(int argc, char **argv);
int cmd_reporters(int argc, char **argv);
int cmd_tls(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_html(int argc, char **argv);
int cmd_weekly(int argc, char **argv);

#endif
