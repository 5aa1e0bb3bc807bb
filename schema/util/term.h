/*
 * term.h - the one escaping rule for text that leaves for a terminal
 * (THREATS #21). Report values are attacker text: an ESC sequence in an
 * org name, U+009B (a one-character CSI on many terminals) or a bidi
 * override (U+202E) in a report ID would otherwise drive the terminal of
 * whoever reads the output, or make a line read differently than it is.
 * SPDX-License-Identifier: MIT
 *
 * The rule, applied to whole lines of output (so \n and \t stay):
 *   - C0 controls but \n and \t, and DEL    -> \x1b, \x7f
 *   - C1 controls U+0080..U+009F            -> \u009b
 *   - bidi controls (U+061C, U+200E, U+200F, U+202A..U+202E,
 *     U+2066..U+2069), U+2028, U+2029, U+FEFF -> \u202e
 *   - bytes that are not UTF-8              -> \xff
 * Everything else passes unchanged; a backslash is not doubled, so JSON
 * written through it stays valid JSON (\u202e is a JSON escape too).
 *
 * Where it is applied: ds_term_install() (called once by main) routes
 * g_print and g_printerr through it, and every command prints its text
 * output and its stderr lines with g_print/g_printerr or ds_term_write.
 * Nothing in the commands writes to stdout or stderr with stdio directly
 * (tests/lint/t_lint.sh checks for fprintf(stderr and printf().
 * CSV output is data for a spreadsheet and is written unchanged unless
 * stdout is a terminal.
 */
#ifndef DS_TERM_H
#define DS_TERM_H

#include <stdio.h>
#include <glib.h>

/* Append the escaped form of s[0..len) (len < 0: NUL-terminated) to g. */
void ds_term_escape_into(GString *g, const char *s, gssize len);

/* The escaped copy of s (len < 0: NUL-terminated). Caller frees. */
char *ds_term_escape(const char *s, gssize len);

/* Write s[0..len) escaped to f (len < 0: NUL-terminated). */
void ds_term_write(FILE *f, const char *s, gssize len);

/*
 * Write data meant for a program (CSV: its CRLF line ends, a
 * spreadsheet's cells) unchanged to f, unless f is a terminal: then as
 * ds_term_write.
 */
void ds_term_write_data(FILE *f, const char *s, gssize len);

/* Route g_print and g_printerr through the rule (once, from main). */
void ds_term_install(void);

#endif
