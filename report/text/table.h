/*
 * table.h - one result table, emitted as aligned text, JSON or CSV.
 * SPDX-License-Identifier: MIT
 *
 * Cells are typed so each format renders them right: JSON keeps numbers
 * numbers and null null, CSV guards formulas (THREATS #10), text aligns
 * numbers right and fits the terminal width. All strings are copied.
 */
#ifndef DS_TABLE_H
#define DS_TABLE_H

#include <stdint.h>
#include <stdio.h>

#include "schema/cli/cli.h"
#include "schema/util/csv.h"	/* ds_csv_field */

struct ds_table;

/* cols: NULL-terminated column names (JSON keys, CSV/text headers) */
struct ds_table *ds_table_new(const char *const *cols);
void ds_table_free(struct ds_table *t);	/* NULL-safe */

void ds_table_row(struct ds_table *t);	/* start a new row */
void ds_table_str(struct ds_table *t, const char *s);	/* NULL: null */
void ds_table_int(struct ds_table *t, int64_t v);
void ds_table_num(struct ds_table *t, double v, int decimals);
void ds_table_bool(struct ds_table *t, int v);	/* <0: null */
void ds_table_null(struct ds_table *t);
/* a cell that is already JSON (array/object); text shows text_repr */
void ds_table_json(struct ds_table *t, const char *json, const char *text);
/* Unix seconds shown as ISO 8601 UTC in text, as integers in JSON/CSV */
void ds_table_time(struct ds_table *t, int64_t unix_seconds);

/* Unix seconds shown as the UTC day (2026-11-01) in text */
void ds_table_day(struct ds_table *t, int64_t unix_seconds);

/* hide a column in text output (still in JSON and CSV) */
void ds_table_text_hide(struct ds_table *t, const char *col);
/* Text: print every cell whole, however wide the table gets. */
void ds_table_text_wide(struct ds_table *t);
/* never shorten this column to fit text output (e.g. IP addresses) */
void ds_table_text_whole(struct ds_table *t, const char *col);

unsigned ds_table_rows(const struct ds_table *t);

/* Write the table to f. Text fits $COLUMNS (default 80). */
void ds_table_emit(const struct ds_table *t, enum ds_outfmt fmt, FILE *f);

/* Append s to g as a JSON string literal ("..."), <>& escaped too. */
void ds_json_str(GString *g, const char *s);

#endif
