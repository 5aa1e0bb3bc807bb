/*
 * json.h - write JSON string literals safely (RFC 8259).
 * SPDX-License-Identifier: MIT
 */
#ifndef DS_JSON_H
#define DS_JSON_H

#include <glib.h>

/*
 * Append s to g as one JSON string literal, quotes included, or as
 * null when s is NULL. Control characters, '"' and '\' are escaped as
 * RFC 8259 requires; '<', '>', '&', DEL, U+2028 and U+2029 are written
 * as \uXXXX as well so the text can sit inside HTML <script> (THREATS
 * #9). Invalid UTF-8 (model.h promises it never comes) is replaced by
 * U+FFFD, so the output is always valid JSON and valid UTF-8.
 */
void ds_json_escape(GString *g, const char *s);

/* Append a JSON array of the char * strings of a (NULL: "[]"). */
void ds_json_str_array(GString *g, const GPtrArray *a);

#endif
