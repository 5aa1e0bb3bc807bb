/*
 * csv.h - one RFC 4180 CSV field, with the formula guard of THREATS #10,
 * shared by every CSV writer (report/text/table.c, ingest/failure/failure_out.c).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_CSV_H
#define DS_CSV_H

#include <glib.h>

/*
 * Append s (NULL: empty) to g as one CSV field: quoted when it holds a
 * comma, quote, CR or LF (quotes doubled); a field starting with = + - @
 * TAB or CR gets a leading ' inside quotes so that no spreadsheet reads
 * it as a formula. No separator is appended.
 */
void ds_csv_field(GString *g, const char *s);

#endif
