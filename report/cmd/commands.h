/*
 * commands.h - the subcommands implemented in report/.
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_REPORT_COMMANDS_H
#define DS_REPORT_COMMANDS_H

struct ds_ctx;

int cmd_reports(struct ds_ctx *c, int argc, char **argv);
int cmd_summary(struct ds_ctx *c, int argc, char **argv);
int cmd_senders(struct ds_ctx *c, int argc, char **argv);
int cmd_reporters(struct ds_ctx *c, int argc, char **argv);
int cmd_tls(struct ds_ctx *c, int argc, char **argv);
int cmd_doctor(struct ds_ctx *c, int argc, char **argv);
int cmd_html(struct ds_ctx *c, int argc, char **argv);
int cmd_weekly(struct ds_ctx *c, int argc, char **argv);

#endif
